#!/usr/bin/python3
"""Interop checks of the h2ws CLI against real peers.

  harness.py --h2ws PATH/TO/h2ws CHECK       (run with /usr/bin/python3)

Peers, started here on free loopback ports and always stopped at the end:
  * nghttpx (nghttp2-proxy 1.52) as an h2c frontend ("no-tls"). It advertises
    SETTINGS_ENABLE_CONNECT_PROTOCOL=1 by itself and turns each extended CONNECT
    (:protocol websocket) into an HTTP/1.1 "Upgrade: websocket" request to its backend:
    ws_echo_backend.py, a python3-websockets echo server. This is a third-party RFC 8441
    server that shares no code with h2ws.
  * `h2ws serve` (our own server), for the CLI's behaviour and error cases.

Every wait is bounded; a child that outlives the harness is killed by the kernel
(PR_SET_PDEATHSIG). Exit status: 0 pass, 1 fail, 77 skipped (a peer is not installed).
"""
import argparse
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"  # the Debian python3-websockets lives there, not in a pyenv
SKIP = 77
START_TIMEOUT = 10.0   # seconds for a peer to start listening
CLIENT_TIMEOUT = 20.0  # seconds for one client run
STOP_TIMEOUT = 5.0     # seconds for a peer to exit after SIGTERM


class Failure(Exception):
    pass


class Skip(Exception):
    pass


_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _die_with_parent():
    # PR_SET_PDEATHSIG = 1: if the harness is killed (ctest timeout), its peers die too.
    _libc.prctl(1, signal.SIGKILL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peers:
    """Background processes, logged to files, stopped in reverse order."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.procs = []  # (name, Popen, log path)

    def start(self, name, argv):
        log = os.path.join(self.workdir, name + ".log")
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        self.procs.append((name, proc, log))
        return proc, log

    def stop(self, proc, timeout=STOP_TIMEOUT):
        """SIGTERM, then SIGKILL after `timeout`; returns the exit status."""
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        return proc.returncode

    def stop_all(self):
        for _, proc, _ in reversed(self.procs):
            self.stop(proc)

    def dump_logs(self):
        for name, _, log in self.procs:
            with open(log, "rb") as f:
                text = f.read().decode(errors="replace")
            sys.stderr.write(f"--- {name} log ({log}) ---\n{text[-4000:]}\n")


def wait_for_line(proc, log, pattern, timeout=START_TIMEOUT):
    """Waits until `log` has a line matching `pattern`; returns the match."""
    deadline = time.monotonic() + timeout
    regex = re.compile(pattern)
    while time.monotonic() < deadline:
        with open(log, "rb") as f:
            m = regex.search(f.read().decode(errors="replace"))
        if m:
            return m
        if proc.poll() is not None:
            raise Failure(f"{proc.args[0]} exited ({proc.returncode}) before printing "
                          f"/{pattern}/")
        time.sleep(0.05)
    raise Failure(f"no /{pattern}/ from {proc.args[0]} within {timeout} s")


def wait_for_port(proc, port, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failure(f"{proc.args[0]} exited ({proc.returncode}) before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise Failure(f"{proc.args[0]} did not listen on port {port} within {timeout} s")


# The harness's own environment must not route the client through a proxy by accident.
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}


def run_client(h2ws, args, stdin=b"", timeout=CLIENT_TIMEOUT, env=None):
    try:
        r = subprocess.run([h2ws, *args], input=stdin, capture_output=True, timeout=timeout,
                           preexec_fn=_die_with_parent, env={**CLEAN_ENV, **(env or {})})
    except subprocess.TimeoutExpired as e:
        raise Failure(f"h2ws {' '.join(args)} did not finish within {timeout} s; "
                      f"stdout={e.stdout!r} stderr={e.stderr!r}")
    sys.stderr.write(f"$ h2ws {' '.join(args)}\n  exit {r.returncode}\n"
                     f"  stdout {r.stdout[:500]!r}\n  stderr {r.stderr[:1000]!r}\n")
    return r


def expect(cond, what):
    if not cond:
        raise Failure(what)


# --- peers -------------------------------------------------------------------------------

def find_nghttpx():
    for path in (shutil.which("nghttpx"), "/usr/sbin/nghttpx", "/usr/bin/nghttpx"):
        if path and os.access(path, os.X_OK):
            return path
    raise Skip("nghttpx not installed (Debian package nghttp2-proxy)")


def make_cert(workdir, name="localhost", san="DNS:localhost,IP:127.0.0.1"):
    """A self-signed certificate (its own CA) made with the openssl CLI."""
    cert = os.path.join(workdir, f"{name}-cert.pem")
    key = os.path.join(workdir, f"{name}-key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj",
                        f"/CN={name}", "-addext", f"subjectAltName={san}",
                        "-keyout", key, "-out", cert], capture_output=True, timeout=30)
    if r.returncode:
        raise Failure(f"openssl req failed: {r.stderr.decode(errors='replace')}")
    return cert, key


def make_issued_cert(workdir, ca, name):
    """A certificate for CN=name signed by ca=(cert, key) (a make_cert() certificate), for
    TLS clients and servers alike; made with the openssl CLI."""
    ca_cert, ca_key = ca
    cert = os.path.join(workdir, f"{name}-cert.pem")
    key = os.path.join(workdir, f"{name}-key.pem")
    csr = os.path.join(workdir, f"{name}.csr")
    ext = os.path.join(workdir, f"{name}.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth,serverAuth\n")
    for argv in (["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                  "-nodes", "-subj", f"/CN={name}", "-keyout", key, "-out", csr],
                 ["openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key,
                  "-set_serial", str(int(time.time() * 1000)), "-days", "1", "-extfile", ext,
                  "-out", cert]):
        r = subprocess.run(argv, capture_output=True, timeout=30)
        if r.returncode:
            raise Failure(f"{' '.join(argv[:2])} failed: {r.stderr.decode(errors='replace')}")
    return cert, key


def start_nghttpx(peers, tls=None, backend_port=None, extra=()):
    """Starts the backend and nghttpx in front of it; returns nghttpx's port.
    With tls=(cert, key) the frontend speaks TLS with ALPN h2 instead of h2c. With
    backend_port, that (already running) HTTP/1.1 server is the backend instead of the
    python3-websockets echo. `extra`: more nghttpx options."""
    nghttpx = find_nghttpx()
    if backend_port is None:
        if subprocess.run([PYTHON, "-c", "import websockets"], capture_output=True).returncode:
            raise Skip("python3-websockets not installed for /usr/bin/python3")
        backend, log = peers.start("backend", [PYTHON, os.path.join(HERE, "ws_echo_backend.py")])
        backend_port = int(
            wait_for_line(backend, log, r"listening on 127\.0\.0\.1:(\d+)").group(1))

    port = free_port()
    proxy, _ = peers.start("nghttpx", [
        nghttpx,
        "--conf=/dev/null",  # never read /etc/nghttpx/nghttpx.conf
        # h2c with prior knowledge on the frontend (no TLS), or TLS with ALPN h2.
        f"--frontend=127.0.0.1,{port}" + ("" if tls else ";no-tls"),
        # The backend speaks HTTP/1.1; nghttpx forwards extended CONNECT as an Upgrade.
        f"--backend=127.0.0.1,{backend_port};;proto=http/1.1",
        "--single-process",  # one pid to stop; no worker left behind
        "--workers=1",
        "--log-level=INFO",
        "--errorlog-file=/dev/stderr",
        *extra,
        *(list(tls) if tls else []),
    ])
    wait_for_port(proxy, port)
    return port


def start_serve(peers, h2ws, *extra):
    serve, log = peers.start("h2ws-serve", [h2ws, "serve", "--listen", "127.0.0.1:0", *extra])
    port = int(wait_for_line(serve, log, r"listening on 127\.0\.0\.1:(\d+)").group(1))
    return serve, port


# --- checks --------------------------------------------------------------------------------

def check_nghttpx_echo(h2ws, peers):
    port = start_nghttpx(peers)
    r = run_client(h2ws, [f"ws://127.0.0.1:{port}/echo"], b"hello\nworld\n")
    expect(r.returncode == 0, f"exit {r.returncode}, expected 0")
    expect(r.stdout == b"hello\nworld\n", f"stdout {r.stdout!r}")


def check_nghttpx_many(h2ws, peers):
    # Ordering and flow control through a proxy: many lines, some long, one empty.
    port = start_nghttpx(peers)
    lines = [f"line {i} " + "x" * (i * 37 % 3000) for i in range(500)] + [""]
    payload = ("\n".join(lines) + "\n").encode()
    r = run_client(h2ws, [f"http://127.0.0.1:{port}/echo"], payload)
    expect(r.returncode == 0, f"exit {r.returncode}, expected 0")
    expect(r.stdout == payload, f"stdout differs ({len(r.stdout)} bytes, {len(payload)} sent)")


def check_nghttpx_binary(h2ws, peers):
    port = start_nghttpx(peers)
    r = run_client(h2ws, ["--binary", f"ws://127.0.0.1:{port}/echo"], b"\x00\x01\xff\n\n")
    expect(r.returncode == 0, f"exit {r.returncode}, expected 0")
    expect(r.stdout == b"\x00\x01\xff\n\n", f"stdout {r.stdout!r}")


def check_nghttpx_subprotocol(h2ws, peers):
    port = start_nghttpx(peers)
    r = run_client(h2ws, ["-v", "-p", "nope", "-p", "chat", f"ws://127.0.0.1:{port}/echo"],
                   b"subprotocol?\n")
    expect(r.returncode == 0, f"exit {r.returncode}, expected 0")
    expect(r.stdout == b"chat\n", f"backend saw subprotocol {r.stdout!r}, expected chat")
    expect(b"subprotocol: chat" in r.stderr, "-v did not print the negotiated subprotocol")


def check_nghttpx_close_code(h2ws, peers):
    port = start_nghttpx(peers)
    r = run_client(h2ws, [f"ws://127.0.0.1:{port}/echo"], b"before\nclose 4001 go away\n")
    expect(r.returncode == 3, f"exit {r.returncode}, expected 3 (peer closed with 4001)")
    expect(r.stdout == b"before\n", f"stdout {r.stdout!r}")
    expect(b"4001" in r.stderr and b"go away" in r.stderr, "close code/reason not on stderr")


def check_serve_echo(h2ws, peers):
    serve, port = start_serve(peers, h2ws)
    r = run_client(h2ws, [f"ws://127.0.0.1:{port}/echo"], b"hello\nworld\n")
    expect(r.returncode == 0, f"exit {r.returncode}, expected 0")
    expect(r.stdout == b"hello\nworld\n", f"stdout {r.stdout!r}")
    rc = peers.stop(serve)
    expect(rc == 0, f"h2ws serve exited {rc} on SIGTERM, expected 0")


def check_serve_wrong_path(h2ws, peers):
    _, port = start_serve(peers, h2ws)
    r = run_client(h2ws, [f"ws://127.0.0.1:{port}/nope"], b"hello\n")
    expect(r.returncode == 2, f"exit {r.returncode}, expected 2")
    expect(b"404" in r.stderr, "stderr does not name the HTTP status 404")


def check_serve_shutdown(h2ws, peers):
    # A client with its stdin still open sees the server stop: 1001 going away is a
    # normal close (exit 0), and the server exits 0.
    serve, port = start_serve(peers, h2ws)
    client = subprocess.Popen([h2ws, f"ws://127.0.0.1:{port}/echo"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              preexec_fn=_die_with_parent)
    try:
        client.stdin.write(b"ping\n")
        client.stdin.flush()
        # readline could block forever; the watchdog below bounds it.
        timer = _Watchdog(client, CLIENT_TIMEOUT)
        line = client.stdout.readline()
        timer.cancel()
        expect(line == b"ping\n", f"first echo {line!r}")
        rc = peers.stop(serve)
        expect(rc == 0, f"h2ws serve exited {rc} on SIGTERM, expected 0")
        try:
            out, err = client.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            raise Failure("the client did not exit after the server stopped")
        sys.stderr.write(f"client exit {client.returncode}, stderr {err!r}\n")
        expect(client.returncode == 0, f"client exit {client.returncode}, expected 0 (1001)")
    finally:
        if client.poll() is None:
            client.kill()
            client.wait(5)


class _Watchdog:
    def __init__(self, proc, timeout):
        import threading
        self.timer = threading.Timer(timeout, proc.kill)
        self.timer.start()

    def cancel(self):
        self.timer.cancel()


class FakeH2Server:
    """A TCP listener in this process that accepts one connection. With `settings` (bytes of
    a SETTINGS payload) it answers like an HTTP/2 server that lacks RFC 8441; without, it
    never says anything, like a server that hangs."""

    def __init__(self, settings=None):
        import threading
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.settings = settings
        threading.Thread(target=self._serve, daemon=True).start()

    @staticmethod
    def frame(type_, flags, payload=b""):
        return len(payload).to_bytes(3, "big") + bytes([type_, flags]) + b"\0\0\0\0" + payload

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
            conn.settimeout(CLIENT_TIMEOUT)
            with conn:
                if self.settings is not None:
                    conn.sendall(self.frame(4, 0, self.settings))  # SETTINGS
                acked = False
                while conn.recv(65536):
                    if self.settings is not None and not acked:
                        conn.sendall(self.frame(4, 1))  # SETTINGS ACK for the client's
                        acked = True
        except OSError:
            pass


def check_no_rfc8441(h2ws, peers):
    # SETTINGS_MAX_CONCURRENT_STREAMS=100 and nothing else: no ENABLE_CONNECT_PROTOCOL.
    server = FakeH2Server(settings=(3).to_bytes(2, "big") + (100).to_bytes(4, "big"))
    r = run_client(h2ws, [f"ws://127.0.0.1:{server.port}/echo"], b"hello\n")
    expect(r.returncode == 2, f"exit {r.returncode}, expected 2")
    expect(b"does not support RFC 8441" in r.stderr, "stderr does not name the cause")


def check_connect_timeout(h2ws, peers):
    server = FakeH2Server()  # accepts TCP, never sends SETTINGS
    start = time.monotonic()
    r = run_client(h2ws, ["--connect-timeout", "1", f"ws://127.0.0.1:{server.port}/echo"],
                   b"hello\n")
    elapsed = time.monotonic() - start
    expect(r.returncode == 2, f"exit {r.returncode}, expected 2")
    expect(b"timed out" in r.stderr, "stderr does not say it timed out")
    expect(elapsed < 5, f"took {elapsed:.1f} s for --connect-timeout 1")


def check_closed_port(h2ws, peers):
    port = free_port()  # nothing listens there any more
    r = run_client(h2ws, [f"ws://127.0.0.1:{port}/echo"], b"hello\n")
    expect(r.returncode == 2, f"exit {r.returncode}, expected 2")
    expect(r.stderr != b"", "nothing on stderr")


def check_bad_flag(h2ws, peers):
    r = run_client(h2ws, ["--no-such-flag", "ws://127.0.0.1:1/echo"])
    expect(r.returncode == 1, f"exit {r.returncode}, expected 1")
    r = run_client(h2ws, ["-H", "no colon here", "ws://127.0.0.1:1/echo"])
    expect(r.returncode == 1, f"malformed -H: exit {r.returncode}, expected 1")
    r = run_client(h2ws, [])
    expect(r.returncode == 1, f"no URL: exit {r.returncode}, expected 1")


class InteractiveClient:
    """The CLI with stdin kept open: lines written one at a time, stdout and stderr in files."""

    def __init__(self, h2ws, workdir, args):
        self.out = os.path.join(workdir, "client.out")
        self.err = os.path.join(workdir, "client.err")
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen([h2ws, *args], stdin=subprocess.PIPE, stdout=out,
                                         stderr=err, preexec_fn=_die_with_parent, env=CLEAN_ENV)

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def wait_stdout(self, text):
        wait_for_line(self.proc, self.out, re.escape(text), timeout=CLIENT_TIMEOUT)

    def wait_stderr(self, pattern):
        return wait_for_line(self.proc, self.err, pattern, timeout=CLIENT_TIMEOUT)

    def finish(self):
        """Closes stdin; returns (exit status, stdout, stderr)."""
        self.proc.stdin.close()
        try:
            rc = self.proc.wait(CLIENT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("the client did not exit after the end of its input")
        with open(self.out, "rb") as f:
            out = f.read()
        with open(self.err, "rb") as f:
            err = f.read()
        sys.stderr.write(f"  exit {rc}\n  stdout {out[:500]!r}\n  stderr {err[:1500]!r}\n")
        return rc, out, err


def check_reconnect(h2ws, peers):
    # `h2ws serve` is killed (SIGKILL) and started again on the same port: the client
    # says so on stderr, the line typed while the server was down goes out after the
    # reconnection, and the session ends normally.
    port = free_port()
    argv = [h2ws, "serve", "--listen", f"127.0.0.1:{port}"]
    serve, log = peers.start("h2ws-serve-1", argv)
    wait_for_line(serve, log, r"listening on")
    client = InteractiveClient(h2ws, peers.workdir, ["--reconnect", f"ws://127.0.0.1:{port}/echo"])
    client.send("one")
    client.wait_stdout("one\n")
    serve.kill()
    serve.wait(STOP_TIMEOUT)
    client.wait_stderr(r"connection lost")
    client.send("while down")
    time.sleep(0.3)  # some attempts fail meanwhile
    serve, log = peers.start("h2ws-serve-2", argv)
    wait_for_line(serve, log, r"listening on")
    client.wait_stderr(r"reconnected to 127\.0\.0\.1")
    client.wait_stdout("while down\n")
    client.send("two")
    client.wait_stdout("two\n")
    rc, out, err = client.finish()
    expect(rc == 0, f"exit {rc}, expected 0")
    expect(out == b"one\nwhile down\ntwo\n", f"stdout {out!r}")
    expect(b"reconnection attempt 1 failed" in err, "no note of the failed attempts")


def check_reconnect_nghttpx(h2ws, peers):
    # The same through a third-party server: nghttpx (h2c frontend) is restarted on its port
    # while its python3-websockets backend stays up.
    port = start_nghttpx(peers)
    client = InteractiveClient(h2ws, peers.workdir, ["--reconnect", f"ws://127.0.0.1:{port}/echo"])
    client.send("before")
    client.wait_stdout("before\n")
    nghttpx = next(proc for name, proc, _ in peers.procs if name == "nghttpx")
    argv = nghttpx.args
    nghttpx.kill()
    nghttpx.wait(STOP_TIMEOUT)
    client.wait_stderr(r"connection lost")
    restarted, _ = peers.start("nghttpx-2", argv)
    wait_for_port(restarted, port)
    client.wait_stderr(r"reconnected to")
    client.send("after")
    client.wait_stdout("after\n")
    rc, out, _ = client.finish()
    expect(rc == 0, f"exit {rc}, expected 0")
    expect(out == b"before\nafter\n", f"stdout {out!r}")


def check_reconnect_first_open_fails(h2ws, peers):
    # Without a first connection --reconnect fails as a plain run would: exit 2, no retries.
    r = run_client(h2ws, ["--reconnect", f"ws://127.0.0.1:{free_port()}/echo"], b"hello\n")
    expect(r.returncode == 2, f"exit {r.returncode}, expected 2")
    expect(b"reconnection attempt" not in r.stderr, "retried although it never connected")


def check_version_help(h2ws, peers):
    r = run_client(h2ws, ["--version"])
    expect(r.returncode == 0 and r.stdout.strip() == b"h2ws 0.1.0", f"--version {r.stdout!r}")
    r = run_client(h2ws, ["--help"])
    expect(r.returncode == 0 and b"serve" in r.stdout and b"Exit status" in r.stdout,
           "--help incomplete")


def check_serve_tls(h2ws, peers):
    cert, key = make_cert(peers.workdir)
    _, port = start_serve(peers, h2ws, "--tls-cert", cert, "--tls-key", key)
    r = run_client(h2ws, ["--cacert", cert, f"wss://127.0.0.1:{port}/echo"], b"hello\nworld\n")
    expect(r.returncode == 0, f"trusted: exit {r.returncode}, expected 0; {r.stderr!r}")
    expect(r.stdout == b"hello\nworld\n", f"stdout {r.stdout!r}")
    # The same certificate without --cacert: verification fails, exit 2, and says why.
    r = run_client(h2ws, [f"wss://127.0.0.1:{port}/echo"], b"hello\n")
    expect(r.returncode == 2, f"untrusted: exit {r.returncode}, expected 2")
    expect(b"certificate verify failed" in r.stderr, f"stderr does not say why: {r.stderr!r}")
    # --insecure connects anyway, with a warning.
    r = run_client(h2ws, ["--insecure", f"wss://127.0.0.1:{port}/echo"], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n", f"--insecure: exit {r.returncode}")
    expect(b"warning" in r.stderr, "--insecure printed no warning")


def check_tls_wrong_host(h2ws, peers):
    cert, key = make_cert(peers.workdir, "other.example", "DNS:other.example")
    _, port = start_serve(peers, h2ws, "--tls-cert", cert, "--tls-key", key)
    r = run_client(h2ws, ["--cacert", cert, f"wss://127.0.0.1:{port}/echo"], b"hello\n")
    expect(r.returncode == 2, f"exit {r.returncode}, expected 2")
    expect(b"certificate verify failed" in r.stderr, f"stderr does not say why: {r.stderr!r}")


def start_backend(peers):
    backend, log = peers.start("backend", [PYTHON, os.path.join(HERE, "ws_echo_backend.py")])
    return int(wait_for_line(backend, log, r"listening on 127\.0\.0\.1:(\d+)").group(1))


def check_http1_forced(h2ws, peers):
    port = start_backend(peers)
    r = run_client(h2ws, ["--http1", "-v", f"ws://127.0.0.1:{port}/echo"], b"hello\nworld\n")
    expect(r.returncode == 0, f"exit {r.returncode}, expected 0; {r.stderr!r}")
    expect(r.stdout == b"hello\nworld\n", f"stdout {r.stdout!r}")
    expect(b"HTTP/1.1" in r.stderr, "-v does not say the HTTP/1.1 path was taken")


def check_http1_fallback(h2ws, peers):
    port = start_backend(peers)
    # Without --fallback an HTTP/1.1-only server is a connect failure, with a reason.
    r = run_client(h2ws, [f"ws://127.0.0.1:{port}/echo"], b"hello\n")
    expect(r.returncode == 2, f"no fallback: exit {r.returncode}, expected 2")
    r = run_client(h2ws, ["--fallback", "-v", f"ws://127.0.0.1:{port}/echo"], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n", f"--fallback: exit {r.returncode}")
    expect(b"HTTP/1.1" in r.stderr, "-v does not say the HTTP/1.1 path was taken")
    # Against an RFC 8441 server --fallback stays on HTTP/2.
    _, sport = start_serve(peers, h2ws)
    r = run_client(h2ws, ["--fallback", "-v", f"ws://127.0.0.1:{sport}/echo"], b"hi\n")
    expect(r.returncode == 0 and b"RFC 8441" in r.stderr, "--fallback left HTTP/2 needlessly")


def check_compress(h2ws, peers):
    # Through nghttpx to python3-websockets, which takes permessage-deflate, and
    # against h2ws serve; text that compresses well, many lines.
    lines = [f'{{"event":"tick","n":{i},"payload":"{"abc" * (i % 50)}"}}' for i in range(300)]
    payload = ("\n".join(lines) + "\n").encode()
    port = start_nghttpx(peers)
    _, sport = start_serve(peers, h2ws)
    for url in (f"ws://127.0.0.1:{port}/echo", f"ws://127.0.0.1:{sport}/echo"):
        r = run_client(h2ws, ["--compress", "-v", url], payload)
        expect(r.returncode == 0, f"{url}: exit {r.returncode}; {r.stderr[-500:]!r}")
        expect(r.stdout == payload, f"{url}: echo differs ({len(r.stdout)} of {len(payload)} bytes)")
        expect(b"extensions: permessage-deflate" in r.stderr, f"{url}: not negotiated")


def start_tinyproxy(peers, basic_auth=None):
    """tinyproxy (Debian) on a free loopback port; CONNECT allowed to any port."""
    tinyproxy = shutil.which("tinyproxy") or "/usr/bin/tinyproxy"
    if not os.path.exists(tinyproxy):
        raise Skip("tinyproxy not installed (Debian package tinyproxy-bin)")
    port = free_port()
    conf = os.path.join(peers.workdir, f"tinyproxy-{port}.conf")
    with open(conf, "w") as f:
        f.write(f"Port {port}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\n"
                "MaxClients 50\nLogLevel Info\n")
        if basic_auth:
            f.write(f"BasicAuth {basic_auth[0]} {basic_auth[1]}\n")
    proxy, _ = peers.start(f"tinyproxy-{port}", [tinyproxy, "-d", "-c", conf])
    wait_for_port(proxy, port)
    return port


def check_proxy(h2ws, peers):
    pport = start_tinyproxy(peers)
    proxy = f"http://127.0.0.1:{pport}"
    # h2c through the tunnel, proxy given on the command line.
    _, sport = start_serve(peers, h2ws)
    r = run_client(h2ws, ["--proxy", proxy, "-v", f"ws://127.0.0.1:{sport}/echo"], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n", f"h2c via proxy: exit {r.returncode}")
    expect(b"proxy tunnel open" in r.stderr, "-v does not show the tunnel")
    # TLS inside the tunnel, proxy from https_proxy.
    cert, key = make_cert(peers.workdir)
    _, tport = start_serve(peers, h2ws, "--tls-cert", cert, "--tls-key", key)
    r = run_client(h2ws, ["--cacert", cert, f"wss://localhost:{tport}/echo"], b"over tls\n",
                   env={"https_proxy": proxy})
    expect(r.returncode == 0 and r.stdout == b"over tls\n", f"wss via https_proxy: {r.stderr!r}")
    # The HTTP/1.1 fallback inside the tunnel, to python3-websockets, from all_proxy.
    bport = start_backend(peers)
    r = run_client(h2ws, ["--fallback", f"ws://127.0.0.1:{bport}/echo"], b"fallback\n",
                   env={"all_proxy": proxy})
    expect(r.returncode == 0 and r.stdout == b"fallback\n", f"fallback via proxy: {r.stderr!r}")
    # no_proxy: the (dead) proxy is skipped for a listed host.
    r = run_client(h2ws, [f"ws://127.0.0.1:{sport}/echo"], b"direct\n",
                   env={"http_proxy": f"http://127.0.0.1:{free_port()}", "no_proxy": "127.0.0.1"})
    expect(r.returncode == 0 and r.stdout == b"direct\n", f"no_proxy ignored: {r.stderr!r}")


def check_proxy_auth(h2ws, peers):
    pport = start_tinyproxy(peers, basic_auth=("user", "s3cret"))
    _, sport = start_serve(peers, h2ws)
    url = f"ws://127.0.0.1:{sport}/echo"
    r = run_client(h2ws, ["--proxy", f"http://127.0.0.1:{pport}", url], b"hello\n")
    expect(r.returncode == 2, f"no credentials: exit {r.returncode}, expected 2")
    expect(b"407" in r.stderr or b"authentication" in r.stderr,
           f"stderr does not say the proxy wants credentials: {r.stderr!r}")
    r = run_client(h2ws, ["--proxy", f"http://user:s3cret@127.0.0.1:{pport}", url], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n", f"with credentials: {r.stderr!r}")


def check_nghttpx_tls(h2ws, peers):
    cert, key = make_cert(peers.workdir)
    port = start_nghttpx(peers, tls=(key, cert))
    r = run_client(h2ws, ["--cacert", cert, f"wss://localhost:{port}/echo"], b"hello\nworld\n")
    expect(r.returncode == 0, f"exit {r.returncode}, expected 0; {r.stderr!r}")
    expect(r.stdout == b"hello\nworld\n", f"stdout {r.stdout!r}")


PYTHON_CLIENT = r"""
import asyncio, ssl, sys, websockets
async def main(url, cafile=None):
    tls = ssl.create_default_context(cafile=cafile) if cafile else None
    async with websockets.connect(url, subprotocols=["chat"], ssl=tls) as ws:
        for m in ["hello", "", "x" * 100000, b"\x00\x01\xff"]:
            await ws.send(m)
            back = await asyncio.wait_for(ws.recv(), 10)
            assert back == m, (m[:20], back[:20])
        await ws.close(1000, "done")
        assert ws.close_code == 1000, ws.close_code
    print("ok")
asyncio.run(main(*sys.argv[1:]))
"""


def check_serve_python_client(h2ws, peers):
    # A client that speaks only HTTP/1.1 Upgrade (python3-websockets, as browsers on ws://
    # do) on the same port h2ws serve speaks RFC 8441 on.
    if subprocess.run([PYTHON, "-c", "import websockets"], capture_output=True).returncode:
        raise Skip("python3-websockets not installed for /usr/bin/python3")
    serve, port = start_serve(peers, h2ws)
    r = subprocess.run([PYTHON, "-c", PYTHON_CLIENT, f"ws://127.0.0.1:{port}/echo"],
                       capture_output=True, timeout=CLIENT_TIMEOUT)
    expect(r.returncode == 0 and r.stdout == b"ok\n",
           f"python3-websockets client: exit {r.returncode}, {r.stderr.decode(errors='replace')}")
    r = run_client(h2ws, [f"ws://127.0.0.1:{port}/echo"], b"and rfc 8441\n")
    expect(r.stdout == b"and rfc 8441\n", f"RFC 8441 client on the same port: {r.stdout!r}")
    rc = peers.stop(serve)
    expect(rc == 0, f"h2ws serve exited {rc} on SIGTERM, expected 0")
    # The same over TLS: python3-websockets offers no ALPN, so the server takes HTTP/1.1 on
    # the port where the h2ws client gets ALPN h2 and RFC 8441.
    cert, key = make_cert(peers.workdir)
    serve, port = start_serve(peers, h2ws, "--tls-cert", cert, "--tls-key", key)
    r = subprocess.run([PYTHON, "-c", PYTHON_CLIENT, f"wss://localhost:{port}/echo", cert],
                       capture_output=True, timeout=CLIENT_TIMEOUT)
    expect(r.returncode == 0 and r.stdout == b"ok\n",
           f"python3-websockets client over wss://: exit {r.returncode}, "
           f"{r.stderr.decode(errors='replace')}")
    r = run_client(h2ws, ["-v", "--cacert", cert, f"wss://localhost:{port}/echo"],
                   b"and rfc 8441 over tls\n")
    expect(r.stdout == b"and rfc 8441 over tls\n", f"RFC 8441 client over TLS: {r.stdout!r}")
    expect(b"RFC 8441" in r.stderr, "the h2ws client did not use RFC 8441 over TLS")
    rc = peers.stop(serve)
    expect(rc == 0, f"h2ws serve (TLS) exited {rc} on SIGTERM, expected 0")


def check_nghttpx_front_serve(h2ws, peers):
    # Deployment shape: nghttpx terminates TLS and RFC 8441 at the front and hands each
    # websocket to `h2ws serve` as an HTTP/1.1 Upgrade (its backend protocol).
    _, backend_port = start_serve(peers, h2ws)
    cert, key = make_cert(peers.workdir)
    port = start_nghttpx(peers, tls=(key, cert), backend_port=backend_port)
    lines = b"".join(b"line %d\n" % i for i in range(200))
    r = run_client(h2ws, ["-v", "--cacert", cert, f"wss://localhost:{port}/echo"], lines)
    expect(r.returncode == 0, f"exit {r.returncode}, expected 0; {r.stderr[-2000:]!r}")
    expect(r.stdout == lines, f"stdout differs ({len(r.stdout)} of {len(lines)} bytes)")
    expect(b"RFC 8441" in r.stderr, "the client did not use RFC 8441 at the front")


def http_get(port, path):
    """GET over HTTP/1.1 with the standard library; returns (status, body)."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def check_serve_root(h2ws, peers):
    root = os.path.join(peers.workdir, "site")
    os.makedirs(os.path.join(root, "docs"))
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write("<h1>home</h1>")
    with open(os.path.join(root, "docs", "a.txt"), "w") as f:
        f.write("text a")
    with open(os.path.join(peers.workdir, "secret.txt"), "w") as f:
        f.write("secret")
    os.symlink(os.path.join(peers.workdir, "secret.txt"), os.path.join(root, "link.txt"))
    _, port = start_serve(peers, h2ws, "--root", root)
    status, body = http_get(port, "/")
    expect(status == 200 and body == b"<h1>home</h1>", f"GET / -> {status} {body!r}")
    status, body = http_get(port, "/docs/a.txt")
    expect(status == 200 and body == b"text a", f"GET /docs/a.txt -> {status} {body!r}")
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/link.txt", "/nope"]:
        status, body = http_get(port, path)
        expect(status == 404 and b"secret" not in body, f"GET {path} -> {status} {body!r}")
    # The websocket path still echoes beside the files.
    r = run_client(h2ws, [f"ws://127.0.0.1:{port}/echo"], b"files and websockets\n")
    expect(r.stdout == b"files and websockets\n", f"echo beside --root: {r.stdout!r}")


PAGE_CLIENT = r"""
import asyncio, sys, websockets
async def main(url):
    async with websockets.connect(url) as ws:
        print(await asyncio.wait_for(ws.recv(), 10))
        await ws.send("typed"); print(await asyncio.wait_for(ws.recv(), 10))
asyncio.run(main(*sys.argv[1:]))
"""


def check_serve_page(h2ws, peers):
    # Without --root, / is a page whose script opens a websocket at /.h2ws/info; that
    # websocket names the HTTP version that carried it, then echoes.
    if subprocess.run([PYTHON, "-c", "import websockets"], capture_output=True).returncode:
        raise Skip("python3-websockets not installed for /usr/bin/python3")
    _, port = start_serve(peers, h2ws)
    status, body = http_get(port, "/")
    expect(status == 200 and b"new WebSocket(" in body and b"/.h2ws/info" in body,
           f"GET / -> {status}, {body[:200]!r}")
    r = subprocess.run([PYTHON, "-c", PAGE_CLIENT, f"ws://127.0.0.1:{port}/.h2ws/info"],
                       capture_output=True, timeout=CLIENT_TIMEOUT)
    expect(r.stdout == b"HTTP/1.1\ntyped\n", f"HTTP/1.1 client saw {r.stdout!r} {r.stderr!r}")
    r = run_client(h2ws, [f"ws://127.0.0.1:{port}/.h2ws/info"], b"typed\n")
    expect(r.stdout == b"HTTP/2\ntyped\n", f"RFC 8441 client saw {r.stdout!r}")


CHECKS = {
    "serve-root": check_serve_root,
    "serve-page": check_serve_page,
    "serve-python-client": check_serve_python_client,
    "nghttpx-front-serve": check_nghttpx_front_serve,
    "nghttpx-echo": check_nghttpx_echo,
    "nghttpx-many": check_nghttpx_many,
    "nghttpx-binary": check_nghttpx_binary,
    "nghttpx-subprotocol": check_nghttpx_subprotocol,
    "nghttpx-close-code": check_nghttpx_close_code,
    "serve-echo": check_serve_echo,
    "serve-wrong-path": check_serve_wrong_path,
    "serve-shutdown": check_serve_shutdown,
    "no-rfc8441": check_no_rfc8441,
    "connect-timeout": check_connect_timeout,
    "closed-port": check_closed_port,
    "bad-flag": check_bad_flag,
    "version-help": check_version_help,
    "serve-tls": check_serve_tls,
    "tls-wrong-host": check_tls_wrong_host,
    "nghttpx-tls": check_nghttpx_tls,
    "http1-forced": check_http1_forced,
    "compress": check_compress,
    "proxy": check_proxy,
    "proxy-auth": check_proxy_auth,
    "http1-fallback": check_http1_fallback,
    "reconnect": check_reconnect,
    "reconnect-nghttpx": check_reconnect_nghttpx,
    "reconnect-first-open-fails": check_reconnect_first_open_fails,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--h2ws", required=True, help="path to the h2ws CLI")
    parser.add_argument("check", choices=sorted(CHECKS))
    args = parser.parse_args()

    # ctest (or a user) stopping the harness must still stop the peers: turn the signal
    # into an exception so that the `finally` below runs.
    def on_signal(signum, _):
        raise SystemExit(f"harness: signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    with tempfile.TemporaryDirectory(prefix="h2ws-interop-") as workdir:
        peers = Peers(workdir)
        try:
            CHECKS[args.check](os.path.abspath(args.h2ws), peers)
            print(f"PASS {args.check}")
            return 0
        except Skip as e:
            print(f"SKIP {args.check}: {e}")
            return SKIP
        except Failure as e:
            print(f"FAIL {args.check}: {e}")
            peers.dump_logs()
            return 1
        finally:
            peers.stop_all()


if __name__ == "__main__":
    sys.exit(main())
