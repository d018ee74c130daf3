#!/usr/bin/env bash
# Builds the fuzzers in build-fuzz/ (Clang, libFuzzer, ASan + UBSan) and runs each for a bounded
# time on a copy of its seed corpus (build-fuzz/corpus/<target>/, fresh each run and kept for
# coverage.sh). Exits non-zero when any fuzzer crashes or fails an invariant; the crashing inputs
# are kept under build-fuzz/artifacts/<target>/.
#
#   fuzz/run.sh                       # all four, FUZZ_SECONDS (60) each
#   FUZZ_SECONDS=300 fuzz/run.sh fuzz_client_session
#
# Environment:
#   FUZZ_SECONDS  time per target, in seconds (default 60)
#   FUZZ_MERGE=1  afterwards, merge the inputs that add coverage into fuzz/corpus/<target>/
#   CC, CXX       compilers (default clang-14, clang++-14)
#   BUILD_DIR     build directory (default build-fuzz at the repository root)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
all_targets=(fuzz_reader fuzz_utf8 fuzz_deflate_negotiation fuzz_client_session)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DH2WS_BUILD_FUZZERS=ON -DH2WS_BUILD_TESTS=OFF \
    -DH2WS_BUILD_BENCH=OFF -DH2WS_BUILD_TOOLS=OFF -DH2WS_BUILD_EXAMPLES=OFF -DH2WS_INSTALL=OFF
fi
# Only the fuzzers: the library, tools and examples are not needed. The lock and -j2 share the
# machine's two cores with other builds.
flock /tmp/h2ws-build.lock cmake --build "$build" -j2 --target "${targets[@]}"

failed=()
for target in "${targets[@]}"; do
  work=$build/corpus/$target
  rm -rf "$work"
  mkdir -p "$work"
  cp "$root/fuzz/corpus/$target/"* "$work/"
  artifacts="$build/artifacts/$target"
  mkdir -p "$artifacts"
  echo "=== $target: ${seconds}s on $(ls "$work" | wc -l) seeds"
  status=0
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" \
    >"$build/$target.log" 2>&1 || status=$?
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
    "$build/$target.log" || true
  if [ "$status" -ne 0 ]; then
    echo "!!! $target failed (exit $status); log: $build/$target.log"
    grep -E 'ERROR: |invariant failed|SUMMARY: |Test unit written to' "$build/$target.log" || true
    failed+=("$target")
  elif [ "${FUZZ_MERGE:-0}" = 1 ]; then
    "$build/fuzz/$target" -merge=1 "$root/fuzz/corpus/$target" "$work" >/dev/null 2>&1
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "crashes in: ${failed[*]} (inputs in $build/artifacts/)"
  exit 1
fi
echo "no crash in: ${targets[*]}"
