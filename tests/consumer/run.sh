#!/usr/bin/env bash
# Checks that h2ws can be consumed the three ways a project would:
#   1. installed: `cmake --install BUILD --prefix TMP`, then find_package(h2ws) in installed/;
#   2. pkg-config: one file compiled with `pkg-config --cflags --libs h2ws` against TMP;
#   3. with --subdirectory: add_subdirectory(h2ws) in subdirectory/ (builds the library again).
# Each variant builds app.cpp and runs it: it must print "h2ws VERSION" and H2WS_VERSION, and
# echo a message through the library's server on 127.0.0.1.
#
#   tests/consumer/run.sh BUILD_DIR [--version X.Y.Z] [--subdirectory] [--work DIR]
#                         [--cxx COMPILER]
#
# The environment is honoured: CXX, CXXFLAGS and LDFLAGS (e.g. the sanitizer flags of the
# build being installed), CMAKE_GENERATOR. --work keeps the builds in DIR (default: a temp dir).
# --cxx builds the consumers with COMPILER (e.g. clang++-14 against a GCC-built install) and
# checks that the app was built by it; exits 77 (skipped) when COMPILER is not installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)

die() { printf 'consumer: %s\n' "$*" >&2; exit 1; }
log() { printf '==> consumer: %s\n' "$*" >&2; }

build_dir=
version=
subdirectory=0
work=
cxx=
while (($#)); do
  case $1 in
    --version) version=$2; shift 2 ;;
    --subdirectory) subdirectory=1; shift ;;
    --work) work=$2; shift 2 ;;
    --cxx) cxx=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) build_dir=$1; shift ;;
  esac
done
[[ -n $build_dir ]] || die "usage: run.sh BUILD_DIR [--version X.Y.Z] [--subdirectory] [--work DIR]"
[[ -f $build_dir/CMakeCache.txt ]] || die "$build_dir is not a configured build directory"
if [[ -z $version ]]; then
  version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
fi

expect_compiler=
if [[ -n $cxx ]]; then
  if ! command -v "$cxx" >/dev/null; then
    echo "consumer: $cxx not found (Debian: apt-get install clang-14): skipped"
    exit 77
  fi
  export CXX=$cxx
  case $("$cxx" --version | head -n1) in
    *clang*) expect_compiler=clang ;;
    *) expect_compiler=gcc ;;
  esac
fi
IFS=. read -r major minor patch <<<"$version"
version_number=$((10#$major * 10000 + 10#$minor * 100 + 10#$patch))

if [[ -z $work ]]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/h2ws-consumer.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

# run_app BINARY: runs it (bounded; the app has its own 10 s watchdog) and checks its output.
run_app() {
  local out
  out=$(timeout 60 "$1") || die "$1 failed: $out"
  printf '%s\n' "$out"
  [[ $(head -n1 <<<"$out") == "h2ws $version" ]] || die "$1 printed '$(head -n1 <<<"$out")', expected 'h2ws $version'"
  grep -qx "H2WS_VERSION $version_number" <<<"$out" || die "$1 did not print 'H2WS_VERSION $version_number'"
  grep -q '^echo: hello from ' <<<"$out" || die "$1 did not echo a message"
  if [[ -n $expect_compiler ]]; then
    grep -q "^compiler: $expect_compiler " <<<"$out" || die "$1 was not built by $expect_compiler"
  fi
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
