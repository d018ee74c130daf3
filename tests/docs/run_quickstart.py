#!/usr/bin/python3
"""Runs the README's quick start (built from the README by tests/docs/CMakeLists.txt):

  run_quickstart.py --program PATH/TO/docs_quickstart --h2ws PATH/TO/h2ws

against `h2ws serve` (it must print "hello" and exit 0), against a server that refuses the
websocket (404) and against a closed port: both must print an error on stderr and exit 1,
never fail silently. Everything on 127.0.0.1, free ports, every wait bounded.
"""
import argparse
import re
import socket
import subprocess
import sys
import time

TIMEOUT = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(h2ws, *extra):
    proc = subprocess.Popen([h2ws, "serve", "--listen", "127.0.0.1:0", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if m:
            return proc, int(m.group(1))
    proc.kill()
    raise SystemExit("h2ws serve did not start")


def run(program, url):
    r = subprocess.run([program, url], capture_output=True, text=True, timeout=TIMEOUT)
    print(f"$ {program} {url}\n  exit {r.returncode}\n  stdout {r.stdout!r}\n  stderr {r.stderr!r}")
    return r


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--program", required=True)
    p.add_argument("--h2ws", required=True)
    args = p.parse_args()
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    servers = []
    try:
        serve, port = start_serve(args.h2ws)
        servers.append(serve)
        r = run(args.program, f"http://127.0.0.1:{port}")
        expect(r.returncode == 0 and r.stdout == "hello\n" and r.stderr == "",
               "against h2ws serve: expected 'hello' and exit 0")

        other, other_port = start_serve(args.h2ws, "--path", "/elsewhere")
        servers.append(other)
        r = run(args.program, f"http://127.0.0.1:{other_port}")
        expect(r.returncode == 1 and r.stdout == "" and r.stderr.startswith("error: ")
               and "non-2xx" in r.stderr,
               "a refused websocket (404): expected 'error: ...' on stderr and exit 1")

        r = run(args.program, f"http://127.0.0.1:{free_port()}")
        expect(r.returncode == 1 and r.stdout == "" and r.stderr.startswith("error: ")
               and "refused" in r.stderr.lower(),
               "a closed port: expected 'error: ... refused' on stderr and exit 1")
    finally:
        for s in servers:
            s.terminate()
            try:
                s.wait(10)
            except subprocess.TimeoutExpired:
                s.kill()
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    print("PASS" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
