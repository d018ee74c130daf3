#!/usr/bin/env bash
# h2ws.sh: install the dependencies, build, run the demo, run the tests.
#
#   ./h2ws.sh deps    install every Debian package h2ws needs, tests included (as root;
#                     skipped when present)
#   ./h2ws.sh build   configure (Ninja) and build into build/
#   ./h2ws.sh demo    only the packages that build the library and the CLI, and only the CLI
#                     (build-demo/, no tests, all cores); then `h2ws serve` on 127.0.0.1:3000
#                     in the background and the interactive client `h2ws ws://127.0.0.1:3000/echo`
#                     in front
#   ./h2ws.sh test    deps + build + ctest in build/, then the same with ASan+UBSan in
#                     build-asan/, then the fuzzers (15 s each); prints the summaries, fails if
#                     any fails
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
readonly JOBS=2  # the build machines are small and shared
# ccache: key on paths relative to the checkout, so a fresh clone elsewhere reuses the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
# What the library and the CLI need to build (CMakeLists.txt's find_package calls): the demo.
readonly DEMO_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libnghttp2-dev libboost1.81-dev libboost-url1.81-dev libssl-dev zlib1g-dev
  libcli11-dev libfmt-dev
)
# ... and what the tests, benchmarks, fuzzers and docs need on top: deps and test.
readonly PACKAGES=(
  "${DEMO_PACKAGES[@]}"
  libgtest-dev libbenchmark-dev
  nghttp2-proxy nghttp2-client python3-websockets openssl tinyproxy-bin microsocks haproxy nginx
  chromium
  clang-14 libclang-rt-14-dev clang-format doxygen
)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'h2ws.sh: %s\n' "$*" >&2; exit 1; }

# missing_packages PACKAGE...: those not installed, one a line.
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
      printf '%s\n' "$p"
  done
}

# install_packages COMMAND PACKAGE...: installs those missing (COMMAND names the h2ws.sh
# command to run as root when we are not).
install_packages() {
  local command=$1 missing
  shift
  mapfile -t missing < <(missing_packages "$@")
  if ((${#missing[@]} == 0)); then
    log "deps: all $# packages are installed"
    return
  fi
  ((EUID == 0)) || die "missing packages: ${missing[*]}; run as root (sudo ./h2ws.sh $command)"
  log "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
}

cmd_deps() {
  install_packages deps "${PACKAGES[@]}"
}

# configure_and_build DIR [CMAKE ARGS...]
configure_and_build() {
  local dir=$1
  shift
  log "build: $dir $*"
  cmake -S . -B "$dir" -G Ninja "$@"
  cmake --build "$dir" -j"$JOBS"
}

# The demo's own build directory: build/ keeps its tests (a build/ configured without them
# would stay so for `./h2ws.sh test`, the cache remembers).
readonly DEMO_BUILD=build-demo

cmd_build() {
  configure_and_build build
}

cmd_demo() {
  install_packages demo "${DEMO_PACKAGES[@]}"
  local jobs
  jobs=$(nproc 2>/dev/null || echo 2)
  log "build: $DEMO_BUILD, the h2ws CLI only, $jobs jobs"
  cmake -S . -B "$DEMO_BUILD" -G Ninja -DH2WS_BUILD_TESTS=OFF -DH2WS_BUILD_BENCH=OFF \
    -DH2WS_BUILD_EXAMPLES=OFF
  cmake --build "$DEMO_BUILD" -j"$jobs" --target h2ws_cli
  local h2ws=$DEMO_BUILD/tools/h2ws
  # Globals: the EXIT trap runs after this function's locals are gone.
  DEMO_LOG=$(mktemp)
  "$h2ws" serve --listen 127.0.0.1:3000 2>"$DEMO_LOG" &
  DEMO_PID=$!
  # Stop the server however the client ends (EOF, Ctrl-C, error).
  trap 'kill "$DEMO_PID" 2>/dev/null; wait "$DEMO_PID" 2>/dev/null; rm -f "$DEMO_LOG"' EXIT
  local server_log=$DEMO_LOG server_pid=$DEMO_PID
  local i
  for ((i = 0; i < 100; i++)); do  # up to 10 s
    grep -q '^listening on' "$server_log" && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$server_log" >&2; die "h2ws serve did not start"; }
    sleep 0.1
  done
  grep -q '^listening on' "$server_log" || die "h2ws serve did not listen within 10 s"
  log "demo: $(head -n1 "$server_log"); type lines, Ctrl-D to quit"
  local status=0
  "$h2ws" ws://127.0.0.1:3000/echo || status=$?
  return "$status"
}

# run_ctest DIR SUMMARY_FILE: runs the tests, appends the summary line, returns ctest's status.
run_ctest() {
  local dir=$1 summary=$2 out status=0
  out=$(mktemp)
  log "test: ctest in $dir"
  # pipefail makes the pipeline report ctest's status, not tee's.
  # Two at a time (JOBS): many tests spend their time waiting on timeouts and peers.
  (cd "$dir" && ctest -j"$JOBS" --output-on-failure) 2>&1 | tee "$out" || status=$?
  grep -q '100% tests passed' "$out" || status=1  # "No tests were found" is a failure too
  printf '%-11s %s\n' "$dir:" "$(grep -E 'tests passed|No tests were found' "$out" | tail -n1)" \
    >>"$summary"
  rm -f "$out"
  return "$status"
}

cmd_test() {
  cmd_deps
  local summary failed=0
  summary=$(mktemp)
  configure_and_build build
  run_ctest build "$summary" || failed=1
  # Sanitizers catch what passing tests hide: leaks, use-after-free, UB.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  # Debug (-O0): quicker to build, and nothing optimized away from the sanitizers' view.
  configure_and_build build-asan -DH2WS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  run_ctest build-asan "$summary" || failed=1
  # libFuzzer (ASan+UBSan) on every parser of peer input, briefly: seeds plus some mutation.
  local fuzz_status=0
  log "test: fuzzers, ${FUZZ_SECONDS:-15} s each"
  FUZZ_SECONDS=${FUZZ_SECONDS:-15} fuzz/run.sh || fuzz_status=$?
  if ((fuzz_status == 0)); then
    printf '%-11s %s\n' "fuzz:" "no crash in ${FUZZ_SECONDS:-15} s per target" >"$summary.fuzz"
  else
    printf '%-11s %s\n' "fuzz:" "FAILED (see build-fuzz/*.log)" >"$summary.fuzz"
    failed=1
  fi
  printf '\n==> test summary\n' >&2
  cat "$summary.fuzz" "$summary" >&2
  rm -f "$summary" "$summary.fuzz"
  return "$failed"
}

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case ${1:-} in
  deps) cmd_deps ;;
  build) cmd_build ;;
  demo) cmd_demo ;;
  test) cmd_test ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 1
    ;;
esac
