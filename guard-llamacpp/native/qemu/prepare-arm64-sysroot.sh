#!/usr/bin/env bash
# Prepares an arm64 (aarch64) Debian JRE in a plain folder, for running the linux-aarch64 natives under
# qemu-user on an x86-64 build machine:
#   qemu-aarch64 -L SYSROOT SYSROOT/usr/lib/jvm/java-17-openjdk-arm64/bin/java ...
# The packages are fetched with `apt-get download` (after `dpkg --add-architecture arm64`) and unpacked
# with `dpkg-deb -x`; nothing is installed into the system. The folder is cached, keyed by the exact
# package versions, in ${SAFETYGUARD_CACHE_DIR:-~/.cache/safetyguard}/sysroot/ and its path printed.
#
# Usage: prepare-arm64-sysroot.sh [--print-path]   (--print-path: print where it is, build nothing)
set -euo pipefail
log() { echo "[arm64-sysroot] $*" >&2; }
die() { echo "[arm64-sysroot] ERROR: $*" >&2; exit 1; }

CACHE_ROOT="${SAFETYGUARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/safetyguard}"
LINK="$CACHE_ROOT/sysroot/linux-aarch64-jre17"
if [ "${1:-}" = --print-path ]; then echo "$LINK"; exit 0; fi

# A headless JRE and the shared libraries it (and the natives: libstdc++, libgcc) load for our tests.
PACKAGES=(openjdk-17-jre-headless libc6 libgcc-s1 libstdc++6 zlib1g liblcms2-2 libjpeg62-turbo
          libfreetype6 libpng16-16 libbrotli1 libbz2-1.0 libharfbuzz0b libglib2.0-0 libgraphite2-3
          libpcre2-8-0 libfontconfig1 libexpat1 libuuid1)

command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 \
  || die "needs a Debian-based system (apt-get, dpkg-deb)"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  [ "$(id -u)" = 0 ] || die "arm64 is not a dpkg architecture here; run as root: dpkg --add-architecture arm64 && apt-get update"
  log "adding the arm64 dpkg architecture (package lists only; nothing arm64 is installed)"
  dpkg --add-architecture arm64
  apt-get update -qq
fi
versions=()
for p in "${PACKAGES[@]}"; do
  v="$(apt-cache policy "$p:arm64" 2>/dev/null | sed -n 's/^ *Candidate: *//p')"
  if [ -z "$v" ] || [ "$v" = "(none)" ]; then
    [ "$(id -u)" = 0 ] && { apt-get update -qq; v="$(apt-cache policy "$p:arm64" | sed -n 's/^ *Candidate: *//p')"; }
  fi
  [ -n "$v" ] && [ "$v" != "(none)" ] || die "no arm64 candidate for $p (apt-get update after dpkg --add-architecture arm64?)"
  versions+=("$p:arm64=$v")
done
KEY="$(printf '%s\n' "${versions[@]}" | sha256sum | cut -c1-16)"
DIR="$CACHE_ROOT/sysroot/linux-aarch64-$KEY"
if [ -f "$DIR/.complete" ]; then
  ln -sfn "$DIR" "$LINK"
  echo "$LINK"; exit 0
fi
mkdir -p "$CACHE_ROOT/sysroot"
work="$(mktemp -d "$CACHE_ROOT/sysroot/.work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log "downloading ${#versions[@]} arm64 packages"
(cd "$work" && apt-get download -qq "${versions[@]}") || die "apt-get download failed"
mkdir -p "$work/root"
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
JAVA="$work/root/usr/lib/jvm/java-17-openjdk-arm64/bin/java"
[ -f "$JAVA" ] || die "the unpacked JRE has no $JAVA"
# Debian's JRE reads its config (conf/security/java.security ...) through absolute symlinks into /etc;
# make them relative links inside the sysroot (the kernel, not qemu, resolves symlinks).
while IFS= read -r -d '' l; do
  t="$(readlink "$l")"
  case "$t" in /*) [ -e "$work/root$t" ] && ln -sfnr "$work/root$t" "$l" ;; esac
done < <(find "$work/root/usr/lib/jvm" -type l -print0)
touch "$work/root/.complete"
rm -rf "$DIR"; mv "$work/root" "$DIR"
ln -sfn "$DIR" "$LINK"
log "arm64 JRE ready: $DIR"
echo "$LINK"
