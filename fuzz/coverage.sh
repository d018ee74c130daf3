#!/usr/bin/env bash
# Which lines of src/ the fuzz corpora reach: builds the fuzzers again with Clang's source-based
# coverage (build-fuzz-cov/), replays each target's corpus once (build-fuzz/corpus/<target>/ as
# left by the last run.sh, else the seeds) and prints llvm-cov's per-file report for src/ws and
# src/h2. libFuzzer's "cov:" counts edges over all instrumented code; this says which source.
#
#   fuzz/coverage.sh                  # report
#   fuzz/coverage.sh show             # also annotated source of the session glue, uncovered lines
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cov=${COV_BUILD_DIR:-$root/build-fuzz-cov}
targets=(fuzz_reader fuzz_utf8 fuzz_deflate_negotiation fuzz_client_session)

if [ ! -f "$cov/CMakeCache.txt" ]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S "$root" -B "$cov" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DH2WS_BUILD_FUZZERS=ON -DH2WS_BUILD_TESTS=OFF \
    -DH2WS_BUILD_BENCH=OFF -DH2WS_BUILD_TOOLS=OFF -DH2WS_BUILD_EXAMPLES=OFF -DH2WS_INSTALL=OFF \
    -DCMAKE_CXX_FLAGS="-fprofile-instr-generate -fcoverage-mapping" \
    -DCMAKE_EXE_LINKER_FLAGS="-fprofile-instr-generate"
fi
flock /tmp/h2ws-build.lock cmake --build "$cov" -j2 --target "${targets[@]}"

rm -rf "$cov/profiles"
mkdir -p "$cov/profiles"
objects=()
for target in "${targets[@]}"; do
  corpus=$root/build-fuzz/corpus/$target
  [ -d "$corpus" ] || corpus=$root/fuzz/corpus/$target
  echo "=== $target: replaying $(ls "$corpus" | wc -l) inputs from $corpus"
  LLVM_PROFILE_FILE="$cov/profiles/$target.%p.profraw" \
    "$cov/fuzz/$target" -runs=0 "$corpus" >"$cov/$target.log" 2>&1
  objects+=(-object "$cov/fuzz/$target")
done
llvm-profdata-14 merge -sparse "$cov"/profiles/*.profraw -o "$cov/fuzz.profdata"
llvm-cov-14 report "${objects[@]:1}" -instr-profile="$cov/fuzz.profdata" \
  "$root/src/ws" "$root/src/h2" "$root/src/error.cpp"
if [ "${1:-}" = show ]; then
  llvm-cov-14 show "${objects[@]:1}" -instr-profile="$cov/fuzz.profdata" \
    -show-line-counts-or-regions "$root/src/h2/session.cpp" | grep -E '^ +[0-9]+\| +0\|' || true
fi
