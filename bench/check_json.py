#!/usr/bin/python3
"""Smoke check for h2ws-bench: runs it, and checks its exit status and that every stdout line is
a JSON result object with the fields its scenario promises (bench/CMakeLists.txt uses this).

  check_json.py [--expect SCEN:TRANSPORT,...] [--expect-exit N] [--expect-stderr TEXT]
                [--server-rss optional|required|absent] [--serve H2WS_BENCH] -- COMMAND...

--serve starts `H2WS_BENCH --serve-internal 0` first and replaces {port} in COMMAND with its
port and {pid} with its process id: the `--url` interface against a server that is already
running.

The server's RSS fields of streams and connections (server_rss_before_bytes,
server_rss_after_bytes, server_rss_per_ws_bytes / server_rss_per_conn_bytes) are optional: when
present, all three must be there, each a number >= 0 (or all null). --server-rss required wants
them as numbers on every streams and connections line, --server-rss absent wants none of them.
"""
import argparse
import json
import math
import subprocess
import sys

REQUIRED = {
    "latency": ["size", "count", "p50_us", "p99_us"],
    "throughput": ["size", "count", "mb_s", "msg_s"],
    "small": ["size", "count", "mb_s", "msg_s"],
    "streams": ["count", "rss_per_ws_bytes"],
    "connections": ["count", "rss_per_conn_bytes", "open_p50_us", "open_p99_us"],
}
POSITIVE = {"p50_us", "p99_us", "mb_s", "msg_s", "count", "open_p50_us"}
SERVER_RSS = {
    "streams": ["server_rss_before_bytes", "server_rss_after_bytes", "server_rss_per_ws_bytes"],
    "connections": ["server_rss_before_bytes", "server_rss_after_bytes",
                    "server_rss_per_conn_bytes"],
}


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value) and value >= 0


def fail(why, out="", err=""):
    print(f"FAIL: {why}")
    if out:
        print("--- stdout\n" + out)
    if err:
        print("--- stderr\n" + err)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect", default="")
    ap.add_argument("--expect-exit", type=int, default=0)
    ap.add_argument("--expect-stderr", default="")
    ap.add_argument("--server-rss", choices=["optional", "required", "absent"],
                    default="optional")
    ap.add_argument("--serve")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    server = None
    try:
        if args.serve:
            server = subprocess.Popen([args.serve, "--serve-internal", "0"],
                                      stdout=subprocess.PIPE, text=True)
            port = server.stdout.readline().strip()
            if not port.isdigit():
                fail(f"the echo server printed no port: {port!r}")
            command = [c.replace("{port}", port).replace("{pid}", str(server.pid))
                       for c in command]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=50)
        except subprocess.TimeoutExpired:
            fail("h2ws-bench did not stop within 50 s")
    finally:
        if server:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()

    out, err = run.stdout, run.stderr
    if run.returncode != args.expect_exit:
        fail(f"exit status {run.returncode}, expected {args.expect_exit}", out, err)
    if args.expect_stderr and args.expect_stderr not in err:
        fail(f"stderr lacks {args.expect_stderr!r}", out, err)

    seen = []
    for line in out.splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            fail(f"not JSON ({e}): {line!r}", out, err)
        if not isinstance(obj, dict):
            fail(f"not a JSON object: {line!r}", out, err)
        scenario, transport = obj.get("scenario"), obj.get("transport")
        if scenario not in REQUIRED or transport not in ("h2ws", "tcp", "h1"):
            fail(f"unknown scenario or transport: {line!r}", out, err)
        for key in REQUIRED[scenario]:
            value = obj.get(key)
            if not is_number(value):
                fail(f"{key} missing or not a number >= 0: {line!r}", out, err)
            if key in POSITIVE and value <= 0:
                fail(f"{key} is not positive: {line!r}", out, err)
        server_keys = SERVER_RSS.get(scenario, [])
        present = [key for key in server_keys if key in obj]
        if present and args.server_rss == "absent":
            fail(f"unexpected {', '.join(present)}: {line!r}", out, err)
        if present or (server_keys and args.server_rss == "required"):
            values = [obj.get(key) for key in server_keys]
            all_null = len(present) == len(server_keys) and all(v is None for v in values)
            if args.server_rss == "required" or not all_null:
                if not all(is_number(v) for v in values):
                    fail(f"{', '.join(server_keys)}: not all numbers >= 0: {line!r}", out, err)
        if scenario == "streams":
            # h2ws multiplexes websockets on one connection; tcp and h1 cannot.
            carrier = "stream" if transport == "h2ws" else "connection"
            if obj.get("carrier") != carrier:
                fail(f"carrier is not {carrier!r}: {line!r}", out, err)
        seen.append(f"{scenario}:{transport}")

    expected = [e for e in args.expect.split(",") if e]
    if sorted(seen) != sorted(expected):
        fail(f"result lines {seen}, expected {expected}", out, err)
    print(out, end="")
    print(f"OK: {len(seen)} result line(s)")


if __name__ == "__main__":
    main()
