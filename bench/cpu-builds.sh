#!/usr/bin/env bash
# Compares native builds of the same code on this machine's CPU (docs/benchmarks.md, "Portable vs native CPU
# builds"): bench/CpuKernels.java (prompt processing and token generation on a text model, llama_decode alone)
# with one build after the other, round after round (the machine may be shared and noisy: alternating spreads
# the noise over every build), then per build the medians and each build's ratio to the first.
#
# Usage: bench/cpu-builds.sh --model TEXT.gguf [--rounds 3] [--threads 2] [--prompt-tokens 256]
#                            [--gen-tokens 16] [--work DIR] NAME=BUNDLE[@VARIANT] ...
#   NAME=BUNDLE      a natives/linux-x86_64 folder written by guard-llamacpp/native/build-natives.sh (loaded
#                    through SAFETYGUARD_NATIVE_DIR); @VARIANT forces that CPU variant of a dispatched build
#                    (SAFETYGUARD_CPU_VARIANT)
# Needs guard-cli/target/guard.jar (./guard builds it) and python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
die() { echo "cpu-builds: $*" >&2; exit 1; }

MODEL=""; ROUNDS=3; THREADS=2; PROMPT=256; GEN=16; WORK=""
BUILDS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --prompt-tokens) PROMPT="$2"; shift 2 ;;
    --gen-tokens) GEN="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    *=*) BUILDS+=("$1"); shift ;;
    *) die "unknown argument $1 (see the header of $0)" ;;
  esac
done
[ -n "$MODEL" ] || die "--model is required"
[ ${#BUILDS[@]} -ge 2 ] || die "name at least two builds: NAME=BUNDLE[@VARIANT]"
jar="$root/guard-cli/target/guard.jar"
[ -f "$jar" ] || die "no $jar: build it first (./guard --help)"
command -v python3 >/dev/null || die "python3 is needed for the summary"
WORK="${WORK:-$(mktemp -d)}"
mkdir -p "$WORK"

for b in "${BUILDS[@]}"; do
  dir="${b#*=}"; dir="${dir%@*}"
  [ -f "$dir/libraries.txt" ] || die "$dir is no native bundle (no libraries.txt)"
done

echo "cpu-builds: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; results in $WORK" >&2
for round in $(seq 1 "$ROUNDS"); do
  for b in "${BUILDS[@]}"; do
    name="${b%%=*}"; spec="${b#*=}"; dir="${spec%@*}"; variant=""
    [ "$spec" != "$dir" ] && variant="${spec##*@}"
    echo "cpu-builds: round $round/$ROUNDS $name (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    SAFETYGUARD_NATIVE_DIR="$dir" SAFETYGUARD_CPU_VARIANT="$variant" \
      java -cp "$jar" "$here/CpuKernels.java" "$MODEL" "$PROMPT" "$GEN" "$THREADS" > "$WORK/$name-$round.log" 2>&1 \
      || { tail -30 "$WORK/$name-$round.log" >&2; die "CpuKernels failed for $name (log: $WORK/$name-$round.log)"; }
    cut -d' ' -f1 /proc/loadavg > "$WORK/$name-$round.load"
  done
done

python3 - "$WORK" "${BUILDS[@]}" <<'PY'
import os, re, statistics, sys
work, builds = sys.argv[1], [b.split("=", 1)[0] for b in sys.argv[2:]]
rows = {}
for name in builds:
    pp, tg, loads, variant = [], [], [], ""
    r = 1
    while os.path.exists(f"{work}/{name}-{r}.log"):
        for line in open(f"{work}/{name}-{r}.log"):
            m = re.match(r"cpuVariant=(\S+) promptTokensPerSecond=(\S+) generationMillisPerToken=(\S+)", line)
            if m:
                variant = m.group(1)
                pp.append(float(m.group(2)))
                tg.append(float(m.group(3)))
        loads.append(float(open(f"{work}/{name}-{r}.load").read()))
        r += 1
    rows[name] = (statistics.median(pp), statistics.median(tg), len(pp), statistics.median(loads), variant,
                  min(pp), max(pp), min(tg), max(tg))
base = rows[builds[0]]
print("| build | CPU variant | runs | prompt processing, tokens/s: median (min-max) | x | token generation, ms/token: median (min-max) | x | load average (median) |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for name in builds:
    p, t, n, l, v, p0, p1, t0, t1 = rows[name]
    print(f"| {name} | {v} | {n} | {p:.1f} ({p0:.1f}-{p1:.1f}) | {p / base[0]:.2f} | {t:.1f} ({t0:.1f}-{t1:.1f}) | {base[1] / t:.2f} | {l:.1f} |")
print(f"(x: speed relative to {builds[0]}, > 1 = faster)")
PY
