#!/usr/bin/env bash
# Merges natives/<os>-<arch>/ folders built on other machines into this build's output folder, so that
# one guard-llamacpp jar carries them all (a release: Linux natives from the Linux build machine, the
# macOS ones from a Mac's `-Pmetal` build, ...). See native/README.md, "One jar for every platform".
#
# Usage: merge-natives.sh --out-dir DIR --extra "DIR1,DIR2,..."   (nothing to do when --extra is empty)
#   each DIRn is a folder made by build-natives.sh: either its output folder (with natives/<platform>/
#   inside, e.g. guard-llamacpp/target/generated-resources/llamacpp) or one natives/<platform>/ folder.
# Every folder must be a complete bundle (libraries.txt naming files that exist, build.properties) of
# the same pinned llama.cpp commit as this build; a platform this build made itself is not replaced.
set -euo pipefail
log() { echo "[merge-natives] $*" >&2; }
die() { echo "[merge-natives] ERROR: $*" >&2; exit 1; }

OUT_DIR=""; EXTRA=""
while [ $# -gt 0 ]; do
  arg="$1"; shift
  case "$arg" in
    --out-dir=*) OUT_DIR="${arg#*=}" ;;
    --extra=*)   EXTRA="${arg#*=}" ;;
    --out-dir)   OUT_DIR="${1:?--out-dir needs a value}"; shift ;;
    --extra)     EXTRA="${1:?--extra needs a value}"; shift ;;
    *) die "unknown argument: $arg" ;;
  esac
done
case "$EXTRA" in '${'*) EXTRA="" ;; esac
[ -n "$OUT_DIR" ] || die "--out-dir is required"

# Platforms an earlier run merged are listed next to the output folder (not inside it: that goes into
# the jar). They are removed first, so a rebuild with other (or no) extra folders leaves none behind.
RECORD="${OUT_DIR%/}.merged"
if [ -f "$RECORD" ]; then
  while IFS= read -r p; do [ -n "$p" ] && rm -rf "$OUT_DIR/natives/$p"; done < "$RECORD"
  rm -f "$RECORD"
fi
[ -n "$EXTRA" ] || exit 0

# the commit this build pins (build-natives.sh next to this script)
PINNED="$(sed -n 's/^LLAMA_COMMIT="\([0-9a-f]*\)".*/\1/p' "$(dirname "${BASH_SOURCE[0]}")/build-natives.sh")"
[ -n "$PINNED" ] || die "cannot read LLAMA_COMMIT from build-natives.sh"

prop() { sed -n "s/^$1=//p" "$2" | head -1; }

merge_bundle() {
  local src="$1" platform="$2" dest="$OUT_DIR/natives/$2"
  [ -f "$src/libraries.txt" ] || die "$src has no libraries.txt: not a natives/<os>-<arch> folder made by build-natives.sh"
  [ -f "$src/build.properties" ] || die "$src has no build.properties: not a natives/<os>-<arch> folder made by build-natives.sh"
  local built_for commit
  built_for="$(prop platform "$src/build.properties")"
  [ "$built_for" = "$platform" ] || die "$src is in a folder named $platform but its build.properties says platform=$built_for"
  commit="$(prop llama.cpp.commit "$src/build.properties")"
  [ "$commit" = "$PINNED" ] || die "$src was built from llama.cpp commit ${commit:-?}, this build pins $PINNED; rebuild it from this source tree"
  local list
  for list in libraries.txt cpu-variants.txt; do   # cpu-variants.txt: the CPU variant modules of a dispatched build
    [ -f "$src/$list" ] || continue
    while IFS= read -r lib; do
      lib="${lib%$'\r'}"
      case "$lib" in ''|'#'*) continue ;; esac
      [ -f "$src/$lib" ] || die "$src/$list lists $lib, which is missing there"
    done < "$src/$list"
  done
  if [ -d "$dest" ] && [ -n "${BUILT_HERE[$platform]:-}" ]; then
    die "natives/$platform comes both from this build and from $src; drop one (e.g. -Dsafetyguard.native.cross.skip=true, or leave that folder out of -Dsafetyguard.native.extra)"
  fi
  rm -rf "$dest"; mkdir -p "$dest"
  cp "$src"/* "$dest/"
  echo "$platform" >> "$RECORD"
  log "merged natives/$platform ($(prop backend "$src/build.properties")) from $src"
}

declare -A BUILT_HERE=()
if [ -d "$OUT_DIR/natives" ]; then
  for d in "$OUT_DIR/natives"/*/; do [ -d "$d" ] && BUILT_HERE[$(basename "$d")]=1; done
fi
IFS=',' read -r -a dirs <<< "$EXTRA"
for dir in "${dirs[@]}"; do
  dir="$(echo "$dir" | sed 's/^ *//; s/ *$//')"
  [ -n "$dir" ] || continue
  [ -d "$dir" ] || die "-Dsafetyguard.native.extra names $dir, which is not a folder"
  if [ -f "$dir/libraries.txt" ]; then
    merge_bundle "$dir" "$(basename "$(cd "$dir" && pwd)")"
  elif [ -d "$dir/natives" ]; then
    found=0
    for p in "$dir/natives"/*/; do
      [ -d "$p" ] || continue
      merge_bundle "${p%/}" "$(basename "$p")"; found=1
    done
    [ "$found" = 1 ] || die "$dir/natives has no <os>-<arch> folders"
  else
    die "$dir has neither libraries.txt nor natives/<os>-<arch>/ folders (point at build-natives.sh's --out-dir or one natives/<os>-<arch> folder)"
  fi
done
