#!/usr/bin/env bash
# Instructions (callgrind Ir) and heap allocations (memcheck) per 64-byte echo, for the client
# (h2ws-bench) and the server (h2ws serve), by the slope method: the same latency workload is run
# short and long, and (total(long) - total(short)) / (echoes(long) - echoes(short)) is the cost
# of one echo; start-up, connection set-up and teardown are in both runs and cancel.
#
#   bench/callgrind.sh [--bin DIR] [--transport h2ws|h1|both] [--scenario latency|small]
#                      [--short N] [--long N] [--json] [--no-allocs] [--keep] [--server-threads N]
#
# --bin DIR    directory with h2ws and h2ws-bench, either flat or a build tree
#              (DIR/tools/h2ws, DIR/bench/h2ws-bench); default: build/ of this checkout
# --transport  how the client reaches `h2ws serve`: h2ws (RFC 8441 over HTTP/2, h2c), h1
#              (HTTP/1.1 Upgrade, `h2ws-bench --transport h1`) or both (default: both, h2ws
#              first; h2 is taken for h2ws). h2ws alone works with h2ws-bench builds older
#              than --transport.
# --scenario   latency (default: one echo at a time) or small (pipelined: up to 1,000 in
#              flight, the per-message cost when reads and writes carry many messages)
# --short N    --count of the short run (default 500; small: 20000)
# --long N     --count of the long run (default 5000; small: 120000)
# --json       one JSON object per transport and side on stdout instead of a table
# --no-allocs  skip the memcheck runs (allocs_per_echo is then null)
# --keep       keep the callgrind/memcheck output files (their directory is printed on stderr)
# --server-threads N  `h2ws serve --threads N` (default 1: the per-echo cost of one thread;
#              with more, each echo also pays for waking the other threads)
#
# Only the measured side runs under valgrind; the other runs natively, so each side's figure is
# its own cost. Everything listens on 127.0.0.1 only; every process is under `timeout`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

bin_dir="$root/build"
short=
long=
scenario=latency
json=0
allocs=1
keep=0
transport=both
server_threads=1

usage() { sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "callgrind.sh: $*" >&2; exit 1; }

while (($#)); do
  case "$1" in
    --bin) bin_dir=${2:?--bin needs a directory}; shift 2 ;;
    --transport) transport=${2:?--transport needs h2ws, h1 or both}; shift 2 ;;
    --scenario) scenario=${2:?--scenario needs latency or small}; shift 2 ;;
    --short) short=${2:?--short needs a count}; shift 2 ;;
    --long) long=${2:?--long needs a count}; shift 2 ;;
    --json) json=1; shift ;;
    --no-allocs) allocs=0; shift ;;
    --keep) keep=1; shift ;;
    --server-threads) server_threads=${2:?--server-threads needs a count}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

case $scenario in
  latency) : "${short:=500}" "${long:=5000}" ;;
  small) : "${short:=20000}" "${long:=120000}" ;;
  *) die "--scenario must be latency or small, not '$scenario'" ;;
esac
[[ $short =~ ^[1-9][0-9]*$ && $long =~ ^[1-9][0-9]*$ ]] || die "--short and --long must be positive integers"
case $transport in
  h2ws | h2) transports=(h2ws) ;;
  h1) transports=(h1) ;;
  both) transports=(h2ws h1) ;;
  *) die "--transport must be h2ws, h1 or both, not '$transport'" ;;
esac
((long > short)) || die "--long ($long) must be larger than --short ($short)"
command -v valgrind >/dev/null || die "valgrind not found (Debian package valgrind)"

# Both layouts: a flat directory of binaries, or a CMake build tree.
if [[ -x $bin_dir/h2ws && -x $bin_dir/h2ws-bench ]]; then
  h2ws=$bin_dir/h2ws bench=$bin_dir/h2ws-bench
else
  h2ws=$bin_dir/tools/h2ws bench=$bin_dir/bench/h2ws-bench
fi
[[ -x $h2ws ]] || die "no h2ws in $bin_dir (nor $bin_dir/tools)"
[[ -x $bench ]] || die "no h2ws-bench in $bin_dir (nor $bin_dir/bench)"

# The latency scenario runs min(200, count) warm-up round trips before its `count` timed ones
# (bench/h2ws_bench/config.cpp: warmup = 200, then c.warmup = min(c.warmup, c.count)); both are
# echoes, so both go into the slope. The small scenario echoes exactly `count` messages.
warmup_of() {
  if [[ $scenario == small ]]; then echo 0; elif (($1 < 200)); then echo "$1"; else echo 200; fi
}
echoes_of() { echo $(($1 + $(warmup_of "$1"))); }
echoes_short=$(echoes_of "$short")
echoes_long=$(echoes_of "$long")

work=$(mktemp -d "${TMPDIR:-/tmp}/h2ws-callgrind.XXXXXX")
server_pid=

stop_server() {
  # SIGTERM: `h2ws serve` closes its websockets and exits 0, and valgrind then writes its
  # output (timeout forwards the signal to it). SIGKILL only if it does not stop within 60 s.
  local pid=$server_pid rc=0
  [[ -n $pid ]] || return 0
  server_pid=
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "callgrind.sh: server did not stop on SIGTERM, killed" >&2
    return 1
  fi
  wait "$pid" || rc=$?
  ((rc == 0)) || { echo "callgrind.sh: server exited with status $rc" >&2; return 1; }
}

cleanup() {
  local rc=$?
  stop_server || true
  # Keep the outputs of a failed run for a look.
  if ((keep || rc != 0)); then echo "callgrind.sh: outputs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server LOG [valgrind args...]: `h2ws serve` on 127.0.0.1 port 0 (the kernel picks a free
# port, no race), optionally under valgrind; sets server_pid and port once it prints
# "listening on HOST:PORT" (up to 60 s: valgrind start-up is slow).
start_server() {
  local log=$1; shift
  : >"$log" # before the server opens it: the first look below must find a file
  timeout 300 "$@" "$h2ws" serve --listen 127.0.0.1:0 --threads "$server_threads" 2>"$log" &
  server_pid=$!
  port=
  for _ in $(seq 1 120); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -n1)
    [[ -n $port ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  cat "$log" >&2
  die "h2ws serve did not print 'listening on' within 60 s"
}

# run_bench COUNT OUT [valgrind args...]: the scenario against the server on $port, over
# $current (h2ws or h1); fails unless it ran all COUNT timed round trips over that transport (a
# capped run would break the slope).
run_bench() {
  local count=$1 out=$2; shift 2
  local rc=0 via=()
  [[ $current == h2ws ]] || via=(--transport "$current")
  timeout 300 "$@" "$bench" --url "http://127.0.0.1:$port/echo" "${via[@]}" --scenario "$scenario" \
    --count "$count" --no-pin --duration 250 >"$out" 2>"$out.err" || rc=$?
  if ((rc != 0)) || ! grep -q "\"count\":$count," "$out" || ! grep -q '"capped":false' "$out" ||
    ! grep -q "\"transport\":\"$current\"" "$out"; then
    cat "$out" "$out.err" >&2
    die "h2ws-bench --count $count failed (status $rc)"
  fi
}

# Total Ir of a callgrind output file ("totals:", else "summary:").
ir_of() {
  local v
  v=$(sed -n 's/^totals: *\([0-9][0-9]*\).*/\1/p' "$1" | head -n1)
  [[ -n $v ]] || v=$(sed -n 's/^summary: *\([0-9][0-9]*\).*/\1/p' "$1" | head -n1)
  [[ -n $v ]] || die "no totals/summary line in $1"
  echo "$v"
}

# Heap allocations of a memcheck log ("total heap usage: 23,974 allocs, ...").
allocs_of() {
  local v
  v=$(sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' "$1" | tail -n1 | tr -d ,)
  [[ -n $v ]] || die "no 'total heap usage' line in $1"
  echo "$v"
}

# measure SIDE TOOL N: one run of N round trips with SIDE (client|server) under valgrind TOOL
# (callgrind|memcheck); sets `total` to that run's Ir or allocations. Not called in $(...): the
# server must be started by this shell so that the EXIT trap can stop it.
measure() {
  local side=$1 tool=$2 n=$3
  local tag="$current-$side-$tool-$n" out vg
  out="$work/$tag"
  if [[ $tool == callgrind ]]; then
    vg=(valgrind --tool=callgrind "--callgrind-out-file=$out.cg")
  else
    vg=(valgrind --tool=memcheck --leak-check=no "--log-file=$out.mc")
  fi
  echo "callgrind.sh: $current: $side under $tool, --count $n" >&2
  if [[ $side == client ]]; then
    start_server "$out.server.err"
    run_bench "$n" "$out.json" "${vg[@]}"
    stop_server
  else
    start_server "$out.server.err" "${vg[@]}"
    run_bench "$n" "$out.json"
    stop_server # valgrind writes its output at exit, so only after this
  fi
  if [[ $tool == callgrind ]]; then total=$(ir_of "$out.cg"); else total=$(allocs_of "$out.mc"); fi
}

# slope A B: (B - A) / (echoes_long - echoes_short), with DIGITS decimals.
slope() { awk -v a="$1" -v b="$2" -v d="$((echoes_long - echoes_short))" -v p="$3" \
  'BEGIN { printf "%.*f", p, (b - a) / d }'; }

results=()
for current in "${transports[@]}"; do
  for side in client server; do
    measure "$side" callgrind "$short"; ir_s=$total
    measure "$side" callgrind "$long"; ir_l=$total
    ipe=$(slope "$ir_s" "$ir_l" 1)
    ape=null al_s=null al_l=null
    if ((allocs)); then
      measure "$side" memcheck "$short"; al_s=$total
      measure "$side" memcheck "$long"; al_l=$total
      ape=$(slope "$al_s" "$al_l" 2)
    fi
    results+=("$current $side $ipe $ape $ir_s $ir_l $al_s $al_l")
  done
done

if ((json)); then
  for r in "${results[@]}"; do
    read -r tr side ipe ape ir_s ir_l al_s al_l <<<"$r"
    printf '{"transport":"%s","side":"%s","instructions_per_echo":%s,"allocs_per_echo":%s,"short":%d,"long":%d,' \
      "$tr" "$side" "$ipe" "$ape" "$short" "$long"
    printf '"echoes_short":%d,"echoes_long":%d,"ir_short":%s,"ir_long":%s,"allocs_short":%s,"allocs_long":%s}\n' \
      "$echoes_short" "$echoes_long" "$ir_s" "$ir_l" "$al_s" "$al_l"
  done
else
  echo "64 B echoes, $scenario scenario: short --count $short ($echoes_short echoes), long --count $long ($echoes_long echoes)"
  printf '%-9s %-7s %14s %12s %14s %14s %10s %10s\n' transport side instr/echo allocs/echo "Ir short" "Ir long" "allocs sh" "allocs lg"
  for r in "${results[@]}"; do
    read -r tr side ipe ape ir_s ir_l al_s al_l <<<"$r"
    printf '%-9s %-7s %14s %12s %14s %14s %10s %10s\n' "$tr" "$side" "$ipe" "$ape" "$ir_s" "$ir_l" "$al_s" "$al_l"
  done
fi
