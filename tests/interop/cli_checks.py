#!/usr/bin/python3
"""More checks of the h2ws CLI against real peers: URL errors, the habits of
websocat/wscat/curl (-k, -w, -1, -q, --base64, --ping-timeout) and error hints.

  cli_checks.py --h2ws PATH/TO/h2ws CHECK       (run with /usr/bin/python3)

Same rules and helpers as harness.py (which this extends): peers on free loopback ports,
every wait bounded, children killed with the harness. Exit 0 pass, 1 fail, 77 skipped.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import expect, run_client, start_serve  # noqa: E402


def check_url_port_range(h2ws, peers):
    # A real server on P; the URL says P + 65536. Boost.URL alone wraps that onto P, and the
    # CLI used to connect there and echo. It must refuse, naming the port, before connecting.
    _, port = start_serve(peers, h2ws)
    bad = port + 65536
    r = run_client(h2ws, [f"ws://127.0.0.1:{bad}/echo"], b"hello\n")
    expect(r.returncode == 1, f"exit {r.returncode}, expected 1 (usage)")
    expect(r.stdout == b"", f"it connected anyway: stdout {r.stdout!r}")
    expect(f"port {bad} is out of range (1-65535)".encode() in r.stderr,
           f"stderr does not name the port: {r.stderr!r}")
    r = run_client(h2ws, ["ws://127.0.0.1:70000/echo"], b"hello\n")
    expect(r.returncode == 1 and b"port 70000 is out of range (1-65535)" in r.stderr,
           f":70000: exit {r.returncode}, {r.stderr!r}")
    r = run_client(h2ws, ["ws://127.0.0.1:12ab/echo"], b"hello\n")
    expect(r.returncode == 1 and b"port '12ab' is not a number" in r.stderr,
           f":12ab: exit {r.returncode}, {r.stderr!r}")
    r = run_client(h2ws, [f"127.0.0.1:{port}/echo"], b"hello\n")
    expect(r.returncode == 1 and b"must start with ws://" in r.stderr,
           f"no scheme: exit {r.returncode}, {r.stderr!r}")
    # The CLI and the library agree on what they accept: an upper-case scheme, a port with
    # a leading zero, a fragment (never sent).
    r = run_client(h2ws, [f"WS://127.0.0.1:0{port}/echo#frag"], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n",
           f"WS:// with :0{port}: exit {r.returncode}, {r.stderr!r}")


def check_url_bad_proxy(h2ws, peers):
    # A bad proxy URL is refused before connecting, naming where it came from (and not
    # echoing it: it may hold a password).
    _, port = start_serve(peers, h2ws)
    url = f"ws://127.0.0.1:{port}/echo"
    r = run_client(h2ws, ["--proxy", "http://127.0.0.1:99999", url], b"hello\n")
    expect(r.returncode == 1 and b"--proxy" in r.stderr and b"port 99999 is out of range" in r.stderr,
           f"--proxy: exit {r.returncode}, {r.stderr!r}")
    r = run_client(h2ws, [url], b"hello\n", env={"http_proxy": "ftp://user:secret@h:1"})
    expect(r.returncode == 1 and b"http_proxy" in r.stderr and b"'ftp'" in r.stderr,
           f"http_proxy: exit {r.returncode}, {r.stderr!r}")
    expect(b"secret" not in r.stderr, "the proxy password was printed")


CHECKS = {
    "url-port-range": check_url_port_range,
    "url-bad-proxy": check_url_bad_proxy,
}

if __name__ == "__main__":
    harness.CHECKS = CHECKS
    sys.exit(harness.main())
