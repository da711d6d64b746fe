#!/usr/bin/env bash
# GPU benchmark, ready to run on a machine with an NVIDIA GPU, the CUDA compiler (nvcc) and CMake:
#   1. builds the natives with the CUDA backend for one architecture only (default sm_90: H100/H200), with the
#      same script and arguments as Maven's -Pcuda profile (guard-llamacpp/native/build-natives.sh);
#   2. writes the full-size random LlavaGuard-v1.2-0.5B pair (guard model random);
#   3. runs guard bench with all layers offloaded (--gpu-layers -1), 1 sequence and, when this build's guard bench
#      has --batch, 4 sequences, and prints one table.
# About 5-8 minutes on 16 cores, most of it the CUDA build (cached in ~/.cache/safetyguard for later runs).
#
# Needs: nvcc, cmake (>= 3.18 for CUDA), a C++ compiler, the NVIDIA driver. Java: $JAVA_HOME, else the jlinked
# runtime in bench/runtime, else java on PATH. No JDK, Maven or network needed when bench/build-runtime.sh was run
# on the machine the tree comes from (it puts the runtime, guard.jar and the llama.cpp source under bench/).
# With a JDK and Maven there, --maven builds through Maven's -Pcuda profile instead (needs Maven's dependencies).
#
# Usage: bench/gpu.sh [--arch 90] [--jobs N] [--work DIR] [--rounds N] [--max-new-tokens N] [--maven]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
ARCH=90; JOBS="$(nproc 2>/dev/null || echo 4)"; WORK="${TMPDIR:-/tmp}/safetyguard-gpu"; ROUNDS=2; TOKENS=200; MAVEN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --max-new-tokens) TOKENS="$2"; shift 2 ;;
    --maven) MAVEN=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "gpu.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
log() { echo "[gpu.sh $(date +%H:%M:%S)] $*" >&2; }
die() { echo "[gpu.sh] ERROR: $*" >&2; exit 1; }
mkdir -p "$WORK"
t_start=$SECONDS

# ---- what the machine must have
command -v nvcc >/dev/null 2>&1 || die "nvcc is not on PATH: install the CUDA toolkit (or export PATH=/usr/local/cuda/bin:\$PATH)"
command -v cmake >/dev/null 2>&1 || die "cmake is not installed (needs >= 3.18 for CUDA)"
command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 || die "no C++ compiler (g++ or clang++)"
if command -v nvidia-smi >/dev/null 2>&1; then
  log "GPU: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)"
else
  log "warning: nvidia-smi not found; the bench fails if no CUDA device is visible"
fi
log "nvcc: $(nvcc --version | tail -1)"
cuda_root="$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")"
if ! ls "${CUDA_PATH:-$cuda_root}"/include/cublas_v2.h "${CUDA_PATH:-$cuda_root}"/targets/*/include/cublas_v2.h \
       /usr/local/cuda*/include/cublas_v2.h /usr/local/cuda*/targets/*/include/cublas_v2.h /usr/include/cublas_v2.h \
       >/dev/null 2>&1; then
  die "cuBLAS headers (cublas_v2.h) not found (nvcc is in $cuda_root/bin): ggml's CUDA backend needs cuBLAS; install the full CUDA toolkit (libcublas-dev) or set CUDA_PATH"
fi

# ---- Java: a JDK, the jlinked runtime, or any java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then JHOME="$JAVA_HOME"
elif [ -x "$here/runtime/bin/java" ]; then JHOME="$here/runtime"
elif command -v java >/dev/null 2>&1; then JHOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
else die "no Java: set JAVA_HOME, install a Java 17 runtime, or run bench/build-runtime.sh where a JDK is and copy bench/runtime along"
fi
JAVA="$JHOME/bin/java"
[ -f "$JHOME/include/jni.h" ] || die "$JHOME has no include/jni.h, which the JNI shim compiles against: use a JDK or the runtime from bench/build-runtime.sh"
log "java: $("$JAVA" -version 2>&1 | head -1) from $JHOME"

# ---- natives and guard.jar
if [ "$MAVEN" = 1 ]; then
  command -v mvn >/dev/null 2>&1 || die "--maven needs Maven"
  log "building guard.jar with -Pcuda (sm_$ARCH) through Maven"
  (cd "$root" && mvn -B -q -Pcuda "-Dsafetyguard.cuda.architectures=$ARCH" "-Dsafetyguard.native.jobs=$JOBS" \
      -pl guard-cli -am -DskipTests -Dsafetyguard.server.skip=true -Dspotless.check.skip=true package)
  JAR="$root/guard-cli/target/guard.jar"
  unset SAFETYGUARD_NATIVE_DIR
else
  JAR="$here/dist/guard.jar"
  [ -f "$JAR" ] || JAR="$root/guard-cli/target/guard.jar"
  [ -f "$JAR" ] || die "no guard.jar: run bench/build-runtime.sh (or mvn package) first, or pass --maven"
  llama_args=()
  if [ -f "$here/dist/llama.cpp-src.tar.xz" ]; then
    src="$WORK/llama.cpp-$(cat "$here/dist/llama.cpp-commit.txt")"
    if [ ! -f "$src/CMakeLists.txt" ]; then
      log "unpacking the llama.cpp source"
      rm -rf "$src.tmp"; mkdir -p "$src.tmp"
      tar -xJf "$here/dist/llama.cpp-src.tar.xz" -C "$src.tmp"
      mv "$src.tmp" "$src"
    fi
    llama_args=(--llama-dir "$src")
  fi
  log "building the CUDA natives (sm_$ARCH, $JOBS jobs); cached after the first time"
  t0=$SECONDS
  bash "$root/guard-llamacpp/native/build-natives.sh" --shim-dir "$root/guard-llamacpp/src/main/native" \
      --out-dir "$WORK/natives" --backend cuda --cuda-arch "$ARCH" --java-home "$JHOME" --jobs "$JOBS" \
      "${llama_args[@]}"
  log "natives ready in $((SECONDS - t0)) s"
  # loaded in place instead of the CPU natives inside guard.jar
  export SAFETYGUARD_NATIVE_DIR="$WORK/natives/natives/linux-$(uname -m | sed 's/amd64/x86_64/;s/arm64/aarch64/')"
fi
guard() { "$JAVA" -jar "$JAR" "$@"; }

# ---- the full-size random pair
PAIR="$WORK/pair"
MODEL="$PAIR/llavaguard-v1.2-0.5b-random.gguf"
MMPROJ="$PAIR/llavaguard-v1.2-0.5b-random-mmproj.gguf"
if [ ! -f "$MODEL" ] || [ ! -f "$MMPROJ" ]; then
  log "writing the full-size random pair"
  guard model random --shape llavaguard-v1.2-0.5b --out "$PAIR" -q >/dev/null
fi

# ---- the benchmark: compute only (random weights, so no grammar), a decode-heavy answer of up to $TOKENS tokens
common=(bench --model "$MODEL" --mmproj "$MMPROJ" --images "$root/samples" --gpu-layers -1 --no-reference
        --no-grammar --max-new-tokens "$TOKENS" --n "$ROUNDS" --cache-repeats 0 --parallel-levels 0 -q)
log "guard bench, 1 sequence"
(cd "$WORK" && guard "${common[@]}" --json "$WORK/bench-1.json") > "$WORK/bench-1.txt"
batch4=skipped
if guard bench --help 2>/dev/null | grep -q -- '--batch'; then
  log "guard bench, 4 sequences"
  (cd "$WORK" && guard "${common[@]}" --batch 4 --json "$WORK/bench-4.json") > "$WORK/bench-4.txt"
  batch4=done
else
  log "this guard bench has no --batch option (batched decoding is not in this build): 4 sequences skipped"
fi

# ---- one table
row() { # label, report file: the "SafetyGuard, full rationale" row of guard bench's table
  awk -v label="$1" '/^SafetyGuard, full rationale/ {
      sub(/^SafetyGuard, full rationale */, ""); split($0, f, " ")
      printf "%-22s %12s %10s %10s %10s %8s %10s\n", label, f[1], f[3], f[4], f[5], f[8], \
        (f[1] + 0 > 0 ? sprintf("%.2f", 1000 / f[1]) : "n/a") }' "$2"
}
echo
echo "SafetyGuard on $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || echo 'the GPU'), full-size random LlavaGuard-v1.2-0.5B (F16), all layers offloaded,"
echo "samples/ images, --no-grammar, up to $TOKENS generated tokens, median of $ROUNDS rounds (reports in $WORK)"
printf "%-22s %12s %10s %10s %10s %8s %10s\n" "mode" "ms/image" "encode" "prefill" "decode" "gen tk" "images/s"
row "1 sequence" "$WORK/bench-1.txt"
if [ "$batch4" = done ]; then
  row "4 sequences" "$WORK/bench-4.txt"
  grep -i -E 'batch|sequence' "$WORK/bench-4.txt" | sed 's/^/  /' || true
else
  printf "%-22s %s\n" "4 sequences" "skipped: guard bench has no --batch in this build"
fi
echo "total script time: $((SECONDS - t_start)) s"
