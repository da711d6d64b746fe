#!/usr/bin/env bash
# Prepares what bench/gpu.sh needs on a machine without a JDK, Maven or network, in ignored folders that can
# travel with the tree (about 60 MiB together):
#   bench/runtime/                       a Java runtime made with jlink from this machine's JDK 17: the modules
#                                        guard.jar needs (jdeps --print-module-deps), plus the JNI headers
#                                        (include/jni.h) that the CUDA build of the JNI shim compiles against
#   bench/dist/guard.jar                 the guard command line (built here first if missing or stale)
#   bench/dist/llama.cpp-src.tar.xz      the part of the pinned llama.cpp source the natives are built from
#                                        (taken from the verified copy in ~/.cache/safetyguard/src)
# Usage: bench/build-runtime.sh            (needs a JDK 17 with jlink and jdeps, Maven, cmake, a C++ compiler)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
die() { echo "build-runtime: $*" >&2; exit 1; }
for t in jlink jdeps tar xz; do command -v "$t" >/dev/null 2>&1 || die "'$t' is needed (a JDK 17 and xz-utils)"; done

jar="$root/guard-cli/target/guard.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" -name target -prune -o \( -path '*/src/*' -o -name pom.xml \) -newer "$jar" -print -quit)" ]; then
  echo "build-runtime: building guard.jar" >&2
  (cd "$root" && mvn -B -q -pl guard-cli -am -DskipTests -Dsafetyguard.server.skip=true -Dspotless.check.skip=true package)
fi
mkdir -p "$here/dist"
cp "$jar" "$here/dist/guard.jar"

modules="$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 "$jar")"
echo "build-runtime: jlink $modules" >&2
rm -rf "$here/runtime"
# Headers are kept (no --no-header-files): the shim needs include/jni.h. Native symbols are stripped below.
jlink --add-modules "$modules" --strip-debug --no-man-pages --compress=2 --output "$here/runtime"
if command -v strip >/dev/null 2>&1; then strip --strip-unneeded "$here/runtime/lib/server/libjvm.so"; fi

# The llama.cpp source: the verified, unpatched tree (build-natives.sh applies our patches to a copy of it).
commit="$(sed -n 's/^LLAMA_COMMIT="\(.*\)"/\1/p' "$root/guard-llamacpp/native/build-natives.sh")"
src="${SAFETYGUARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/safetyguard}/src/llama.cpp-$commit"
[ -f "$src/.safetyguard-verified" ] || die "no verified llama.cpp source at $src; build the natives once (./guard --version)"
(cd "$src" && tar -cJf "$here/dist/llama.cpp-src.tar.xz.tmp" CMakeLists.txt cmake ggml src include vendor \
    tools/mtmd licenses LICENSE models/ggml-vocab-llama-spm.gguf models/ggml-vocab-qwen2.gguf)
mv "$here/dist/llama.cpp-src.tar.xz.tmp" "$here/dist/llama.cpp-src.tar.xz"
echo "$commit" > "$here/dist/llama.cpp-commit.txt"
du -sh "$here/runtime" "$here/dist"/* >&2
echo "build-runtime: total $(du -sm "$here/runtime" "$here/dist" | awk '{s+=$1} END {print s}') MiB" >&2
