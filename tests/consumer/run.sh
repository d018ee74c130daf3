#!/usr/bin/env bash
# Checks that h2ws can be consumed the three ways a project would:
#   1. installed: `cmake --install BUILD --prefix TMP`, then find_package(h2ws) in installed/;
#   2. pkg-config: one file compiled with `pkg-config --cflags --libs h2ws` against TMP;
#   3. with --subdirectory: add_subdirectory(h2ws) in subdirectory/ (builds the library again).
# Each variant builds app.cpp and runs it; it must print "h2ws VERSION".
#
#   tests/consumer/run.sh BUILD_DIR [--version X.Y.Z] [--subdirectory] [--work DIR]
#
# The environment is honoured: CXX, CXXFLAGS and LDFLAGS (e.g. the sanitizer flags of the
# build being installed), CMAKE_GENERATOR. --work keeps the builds in DIR (default: a temp dir).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)

die() { printf 'consumer: %s\n' "$*" >&2; exit 1; }
log() { printf '==> consumer: %s\n' "$*" >&2; }

build_dir=
version=
subdirectory=0
work=
while (($#)); do
  case $1 in
    --version) version=$2; shift 2 ;;
    --subdirectory) subdirectory=1; shift ;;
    --work) work=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) build_dir=$1; shift ;;
  esac
done
[[ -n $build_dir ]] || die "usage: run.sh BUILD_DIR [--version X.Y.Z] [--subdirectory] [--work DIR]"
[[ -f $build_dir/CMakeCache.txt ]] || die "$build_dir is not a configured build directory"
if [[ -z $version ]]; then
  version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
fi

if [[ -z $work ]]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/h2ws-consumer.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

# run_app BINARY: runs it and checks the version line.
run_app() {
  local out
  out=$("$1") || die "$1 failed: $out"
  printf '%s\n' "$out"
  [[ $(head -n1 <<<"$out") == "h2ws $version" ]] || die "$1 printed '$(head -n1 <<<"$out")', expected 'h2ws $version'"
}

if ((subdirectory)); then
  log "add_subdirectory(h2ws) in $work/subdirectory"
  cmake -S "$here/subdirectory" -B "$work/subdirectory" -DH2WS_SOURCE_DIR="$source_dir" >/dev/null
  cmake --build "$work/subdirectory" --target app -j2
  run_app "$work/subdirectory/app"
  exit 0
fi

prefix=$work/prefix
rm -rf "$prefix"
log "cmake --install $build_dir --prefix $prefix"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
for f in include/h2ws/h2ws.hpp include/h2ws/version.hpp; do
  [[ -f $prefix/$f ]] || die "$f was not installed"
done
if [[ -x $prefix/bin/h2ws ]]; then
  [[ $("$prefix/bin/h2ws" --version) == "h2ws $version" ]] || die "bin/h2ws --version is wrong"
fi

log "find_package(h2ws) in $work/installed"
rm -rf "$work/installed"
cmake -S "$here/installed" -B "$work/installed" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/installed"
run_app "$work/installed/app"

log "pkg-config h2ws"
pc=$(find "$prefix" -name h2ws.pc -path '*/pkgconfig/*' | head -n1)
[[ -n $pc ]] || die "h2ws.pc was not installed"
PKG_CONFIG_PATH=$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_PATH
[[ $(pkg-config --modversion h2ws) == "$version" ]] || die "pkg-config --modversion h2ws is wrong"
read -r -a pc_flags <<<"$(pkg-config --cflags --libs h2ws)"
read -r -a cxxflags <<<"${CXXFLAGS:-}"
read -r -a ldflags <<<"${LDFLAGS:-}"
# The rpath finds a shared libh2ws in this non-system prefix (no effect on a static one).
"${CXX:-c++}" -std=c++20 "${cxxflags[@]}" "$here/app.cpp" -o "$work/app_pkgconfig" \
  "${pc_flags[@]}" "${ldflags[@]}" "-Wl,-rpath,$(pkg-config --variable=libdir h2ws)"
run_app "$work/app_pkgconfig"
log "ok"
