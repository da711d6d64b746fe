#!/usr/bin/env bash
# Compares native builds of the same code on this machine's CPU (docs/benchmarks.md, "Portable vs native CPU
# builds"): `guard bench` on one image, one build after the other, round after round (the machine may be shared
# and noisy: alternating spreads the noise over every build), then per build the medians of image encoding,
# prompt processing (prefill, tokens/s) and token generation (the forward passes per generated token), and each
# build's ratio to the first.
#
# Usage: bench/cpu-builds.sh --model M --mmproj P --images DIR [--rounds 3] [--threads 2] [--max-new-tokens 32]
#                            [--work DIR] NAME=BUNDLE[@VARIANT] ...
#   NAME=BUNDLE      a natives/linux-x86_64 folder written by guard-llamacpp/native/build-natives.sh (loaded
#                    through SAFETYGUARD_NATIVE_DIR); @VARIANT forces that CPU variant of a dispatched build
#                    (SAFETYGUARD_CPU_VARIANT)
# Needs guard-cli/target/guard.jar (./guard builds it) and python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
die() { echo "cpu-builds: $*" >&2; exit 1; }

MODEL=""; MMPROJ=""; IMAGES=""; ROUNDS=3; THREADS=2; MAX_NEW=32; WORK=""
BUILDS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL="$2"; shift 2 ;;
    --mmproj) MMPROJ="$2"; shift 2 ;;
    --images) IMAGES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --max-new-tokens) MAX_NEW="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    *=*) BUILDS+=("$1"); shift ;;
    *) die "unknown argument $1 (see the header of $0)" ;;
  esac
done
[ -n "$MODEL" ] && [ -n "$MMPROJ" ] && [ -n "$IMAGES" ] || die "--model, --mmproj and --images are required"
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
      java -jar "$jar" bench --model "$MODEL" --mmproj "$MMPROJ" --images "$IMAGES" --n 1 --threads "$THREADS" \
        --max-new-tokens "$MAX_NEW" --no-grammar --no-reference --no-warmup --parallel-levels 0 --cache-repeats 0 \
        --batch-levels 0 --json "$WORK/$name-$round.json" > "$WORK/$name-$round.log" 2>&1 \
      || { tail -30 "$WORK/$name-$round.log" >&2; die "guard bench failed for $name (log: $WORK/$name-$round.log)"; }
    echo "$(cut -d' ' -f1 /proc/loadavg)" > "$WORK/$name-$round.load"
  done
done

python3 - "$WORK" "${BUILDS[@]}" <<'EOF'
import json, os, statistics, sys
work, builds = sys.argv[1], [b.split("=", 1)[0] for b in sys.argv[2:]]

def runs(node):
    if isinstance(node, dict):
        if "encodeMillis" in node and "image" in node and "generatedTokens" in node:
            yield node
        for v in node.values():
            yield from runs(v)
    elif isinstance(node, list):
        for v in node:
            yield from runs(v)

rows, texts = {}, {}
for name in builds:
    enc, pp, tg, loads, variant = [], [], [], [], ""
    r = 1
    while os.path.exists(f"{work}/{name}-{r}.json"):
        for g in runs(json.load(open(f"{work}/{name}-{r}.json"))):
            enc.append(g["encodeMillis"])
            pp.append(g["promptTokens"] / (g["prefillMillis"] / 1000.0))
            tg.append(g["decodeForwardMillis"] / max(1, g["generatedTokens"]))
            texts.setdefault(name, set()).add(g["text"])
        loads.append(float(open(f"{work}/{name}-{r}.load").read()))
        for line in open(f"{work}/{name}-{r}.log"):
            if "CPU variant" in line:
                variant = line.split("CPU variant", 1)[1].strip(" :|\n")
        r += 1
    rows[name] = (statistics.median(enc), statistics.median(pp), statistics.median(tg), len(enc),
                  statistics.median(loads), variant)

base = rows[builds[0]]
print(f"| build | CPU variant | runs | image encode, ms | x | prefill, tokens/s | x | decode, ms/token | x | load (median) |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for name in builds:
    e, p, t, n, l, v = rows[name]
    print(f"| {name} | {v} | {n} | {e:.0f} | {base[0] / e:.2f} | {p:.1f} | {p / base[1]:.2f} | {t:.1f} | {base[2] / t:.2f} | {l:.1f} |")
print("(x: speed relative to the first build, > 1 = faster)")
answers = {n: len(t) for n, t in texts.items()}
same = len(set().union(*texts.values())) == 1
print("answers: " + ("identical in every run of every build" if same else f"differ: distinct answers per build {answers}"))
EOF
