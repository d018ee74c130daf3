#!/usr/bin/python3
"""More checks of the h2ws CLI against real peers: URL errors, the habits of
websocat/wscat/curl (-k, -w, -1, -q, --base64, --ping-timeout, --cert/--key) and error
hints.

  cli_checks.py --h2ws PATH/TO/h2ws CHECK       (run with /usr/bin/python3)

Same rules and helpers as harness.py (which this extends): peers on free loopback ports,
every wait bounded, children killed with the harness. Exit 0 pass, 1 fail, 77 skipped.
"""
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Failure, expect, run_client, start_serve  # noqa: E402


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


def check_wait(h2ws, peers):
    # Through nghttpx (RFC 8441) to python3-websockets, whose "later 1.5 TEXT" answers 1.5 s
    # after the line. Without -w the client closes as soon as stdin ends and the answer is
    # lost; with -w 3 it is printed, and the client closes after the 3 s.
    port = harness.start_nghttpx(peers)
    url = f"ws://127.0.0.1:{port}/echo"
    r = run_client(h2ws, [url], b"now\nlater 1.5 late\n")
    expect(r.returncode == 0 and r.stdout == b"now\n", f"without -w: exit {r.returncode}, "
           f"stdout {r.stdout!r} (the late answer should be lost)")
    start = time.monotonic()
    r = run_client(h2ws, ["-w", "3", url], b"now\nlater 1.5 late\n")
    elapsed = time.monotonic() - start
    expect(r.returncode == 0, f"-w 3: exit {r.returncode}; {r.stderr!r}")
    expect(r.stdout == b"now\nlate\n", f"-w 3: stdout {r.stdout!r}")
    expect(3 <= elapsed < 10, f"-w 3 took {elapsed:.1f} s")
    # --wait 0.2: too short for the answer.
    r = run_client(h2ws, ["--wait", "0.2", url], b"later 1.5 late\n")
    expect(r.returncode == 0 and r.stdout == b"", f"--wait 0.2: stdout {r.stdout!r}")


def check_one_message(h2ws, peers):
    # -1 sends the first line only and prints the first message: the backend answers the
    # first line after 1.5 s; had the second line gone out, its echo would come first.
    port = harness.start_nghttpx(peers)
    url = f"ws://127.0.0.1:{port}/echo"
    r = run_client(h2ws, ["-1", url], b"later 1.5 A\nB\n")
    expect(r.returncode == 0 and r.stdout == b"A\n", f"-1: exit {r.returncode}, {r.stdout!r}")
    r = run_client(h2ws, [url], b"later 1.5 A\nB\n")
    expect(r.stdout == b"B\n", f"without -1 the echo of B comes first: {r.stdout!r}")
    # Against h2ws serve; --one-message with stdin that stays open: it still ends.
    _, sport = start_serve(peers, h2ws)
    client = harness.InteractiveClient(h2ws, peers.workdir,
                                       ["--one-message", f"ws://127.0.0.1:{sport}/echo"])
    client.send("first")
    try:
        rc = client.proc.wait(harness.CLIENT_TIMEOUT)
    except subprocess.TimeoutExpired:
        client.proc.kill()
        raise Failure("-1 did not exit after its message with stdin open")
    with open(client.out, "rb") as f:
        out = f.read()
    expect(rc == 0 and out == b"first\n", f"-1 with stdin open: exit {rc}, stdout {out!r}")
    # Nothing to send and nothing arrives: -w bounds the wait, with a note (-q silences it).
    r = run_client(h2ws, ["-1", "-w", "0.5", f"ws://127.0.0.1:{sport}/echo"], b"")
    expect(r.returncode == 0 and r.stdout == b"" and b"no message arrived within 0.5 s" in r.stderr,
           f"-1 -w 0.5: exit {r.returncode}, {r.stderr!r}")
    r = run_client(h2ws, ["-1", "-q", "-w", "0.5", f"ws://127.0.0.1:{sport}/echo"], b"")
    expect(r.returncode == 0 and r.stderr == b"", f"-1 -q: stderr {r.stderr!r}")


def check_insecure_quiet(h2ws, peers):
    # -k is --insecure; -q silences its warning, not errors; -q and -v exclude each other.
    cert, key = harness.make_cert(peers.workdir)
    _, port = start_serve(peers, h2ws, "--tls-cert", cert, "--tls-key", key)
    url = f"wss://127.0.0.1:{port}/echo"
    r = run_client(h2ws, ["-k", url], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n", f"-k: exit {r.returncode}")
    expect(b"warning: --insecure" in r.stderr, f"-k: no warning: {r.stderr!r}")
    r = run_client(h2ws, ["-k", "-q", url], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n", f"-k -q: exit {r.returncode}")
    expect(r.stderr == b"", f"-q: stderr {r.stderr!r}")
    r = run_client(h2ws, ["-q", url], b"hello\n")
    expect(r.returncode == 2 and b"certificate verify failed" in r.stderr,
           f"-q hid an error: exit {r.returncode}, {r.stderr!r}")
    r = run_client(h2ws, ["-q", "-v", url], b"hello\n")
    expect(r.returncode == 1, f"-q -v: exit {r.returncode}, expected 1")


def check_base64(h2ws, peers):
    _, port = start_serve(peers, h2ws)
    url = f"ws://127.0.0.1:{port}/echo"
    # --binary --base64: lines decoded into binary messages, echoes written as base64.
    r = run_client(h2ws, ["--binary", "--base64", url], b"AAH/\n\naGk=\naGk\n")
    expect(r.returncode == 0, f"exit {r.returncode}; {r.stderr!r}")
    expect(r.stdout == b"AAH/\n\naGk=\naGk=\n", f"stdout {r.stdout!r}")
    # --base64 alone: binary messages out as base64; text stays text.
    r = run_client(h2ws, ["--base64", url], b"plain text\n")
    expect(r.returncode == 0 and r.stdout == b"plain text\n", f"text: {r.stdout!r}")
    # A line that is not base64: the ones before it go out, exit 1, the line is named.
    r = run_client(h2ws, ["--binary", "--base64", url], b"AAH/\n!!\nAAAA\n")
    expect(r.returncode == 1, f"bad base64: exit {r.returncode}, expected 1")
    expect(r.stdout == b"AAH/\n", f"bad base64: stdout {r.stdout!r}")
    expect(b"line 2 of stdin is not valid base64" in r.stderr, f"stderr {r.stderr!r}")
    # Raw binary in a pipe stays raw (the contract); on a terminal it is marked.
    r = run_client(h2ws, ["--binary", url], b"\x00\x01\xff\n")
    expect(r.stdout == b"\x00\x01\xff\n", f"raw: {r.stdout!r}")
    out = run_with_terminal_stdout(h2ws, ["--binary", url], b"\x00\x01\xff\nhi\n")
    expect(b"[binary, 3 bytes, base64] AAH/\r\n" in out, f"terminal: {out!r}")
    expect(b"[binary, 2 bytes, base64] aGk=\r\n" in out, f"terminal: {out!r}")


def run_with_terminal_stdout(h2ws, args, stdin):
    """Runs the client with stdout (and stderr) on a pseudo-terminal, stdin from a pipe;
    returns everything it wrote, bounded by CLIENT_TIMEOUT."""
    import pty
    import select
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([h2ws, *args], stdin=subprocess.PIPE, stdout=slave, stderr=slave,
                                preexec_fn=harness._die_with_parent, env=harness.CLEAN_ENV)
        os.close(slave)
        slave = None
        proc.stdin.write(stdin)
        proc.stdin.close()
        out = b""
        deadline = time.monotonic() + harness.CLIENT_TIMEOUT
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the client closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        try:
            proc.wait(max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            raise Failure(f"h2ws {' '.join(args)} on a terminal did not finish; output {out!r}")
        sys.stderr.write(f"$ h2ws {' '.join(args)} (stdout on a terminal)\n  exit "
                         f"{proc.returncode}\n  output {out[:500]!r}\n")
        return out
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)


def check_invalid_utf8(h2ws, peers):
    # A text line that is not UTF-8 would get close 1007 and lose every later line: the
    # client refuses it, names the line and suggests --binary; exit 1 after a normal close.
    _, port = start_serve(peers, h2ws)
    url = f"ws://127.0.0.1:{port}/echo"
    r = run_client(h2ws, [url], b"ok\n\xff\xfe\nafter\n")
    expect(r.returncode == 1, f"exit {r.returncode}, expected 1")
    expect(r.stdout == b"ok\n", f"stdout {r.stdout!r}")
    expect(b"line 2 of stdin is not valid UTF-8" in r.stderr and b"--binary" in r.stderr,
           f"stderr {r.stderr!r}")
    r = run_client(h2ws, ["--binary", url], b"ok\n\xff\xfe\nafter\n")
    expect(r.returncode == 0 and r.stdout == b"ok\n\xff\xfe\nafter\n",
           f"--binary: exit {r.returncode}, {r.stdout!r}")
    # Valid multi-byte text passes untouched.
    text = "grüße, 你好, 🎉\n".encode()
    r = run_client(h2ws, [url], text)
    expect(r.returncode == 0 and r.stdout == text, f"UTF-8 text: {r.stdout!r}")


class Relay:
    """A TCP relay on 127.0.0.1 to `port` that can go silent (freeze): it then forwards
    nothing either way and keeps the connections open, like a dead NAT entry."""

    def __init__(self, port):
        self.port = port
        self.frozen = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.listen_port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
                server = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            except OSError:
                return
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src, dst):
        src.settimeout(0.2)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                data = src.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            if not self.frozen.is_set():
                try:
                    dst.sendall(data)
                except OSError:
                    break
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def check_ping_timeout(h2ws, peers):
    # Keepalive PINGs every 0.2 s, answered through a relay: the client stays. Then the
    # relay goes silent: within --ping-timeout 1 (plus a tick) the client gives up, exit 4.
    _, port = start_serve(peers, h2ws)
    relay = Relay(port)
    client = harness.InteractiveClient(h2ws, peers.workdir, [
        "--ping-interval", "0.2", "--ping-timeout", "1",
        f"ws://127.0.0.1:{relay.listen_port}/echo"])
    try:
        client.send("one")
        client.wait_stdout("one\n")
        time.sleep(2)  # twice the timeout: the answered PINGs keep it alive
        expect(client.proc.poll() is None, f"exited ({client.proc.returncode}) while PINGs were "
               "answered")
        relay.frozen.set()
        start = time.monotonic()
        try:
            rc = client.proc.wait(10)
        except subprocess.TimeoutExpired:
            raise Failure("the client did not notice the silent connection within 10 s")
        elapsed = time.monotonic() - start
        with open(client.err, "rb") as f:
            err = f.read()
        sys.stderr.write(f"  exit {rc} after {elapsed:.1f} s\n  stderr {err!r}\n")
        expect(rc == 4, f"exit {rc}, expected 4")
        expect(b"no answer to a keepalive PING within 1 s" in err, f"stderr {err!r}")
        expect(elapsed < 4, f"took {elapsed:.1f} s for --ping-timeout 1")
    finally:
        if client.proc.poll() is None:
            client.proc.kill()
            client.proc.wait(5)
    # --ping-timeout without PINGs is a usage error.
    r = run_client(h2ws, ["--ping-interval", "0", "--ping-timeout", "3",
                          f"ws://127.0.0.1:{port}/echo"], b"x\n")
    expect(r.returncode == 1 and b"--ping-interval is 0" in r.stderr, f"exit {r.returncode}")


def check_tls_hints(h2ws, peers):
    # TLS errors say what to do, after a look at the port: untrusted certificate -> --cacert
    # or -k; certificate for another name -> which name, or -k; ws:// to a TLS port -> wss://;
    # wss:// to a cleartext port -> ws://.
    cert, key = harness.make_cert(peers.workdir)
    _, tls_port = start_serve(peers, h2ws, "--tls-cert", cert, "--tls-key", key)
    _, clear_port = start_serve(peers, h2ws)
    r = run_client(h2ws, [f"wss://127.0.0.1:{tls_port}/echo"], b"hello\n")
    expect(r.returncode == 2 and b"certificate verify failed" in r.stderr, f"exit {r.returncode}")
    expect(b"not trusted (self-signed certificate)" in r.stderr and b"--cacert FILE" in r.stderr
           and b"-k/--insecure" in r.stderr, f"untrusted: {r.stderr!r}")
    other_cert, other_key = harness.make_cert(peers.workdir, "other.example", "DNS:other.example")
    _, other_port = start_serve(peers, h2ws, "--tls-cert", other_cert, "--tls-key", other_key)
    r = run_client(h2ws, ["--cacert", other_cert, f"wss://127.0.0.1:{other_port}/echo"], b"hi\n")
    expect(r.returncode == 2 and b"not valid for 127.0.0.1" in r.stderr and b"--cacert" not in r.stderr,
           f"wrong name: exit {r.returncode}, {r.stderr!r}")
    r = run_client(h2ws, [f"ws://127.0.0.1:{tls_port}/echo"], b"hello\n")
    expect(r.returncode == 2, f"ws:// to TLS: exit {r.returncode}")
    expect(f"speaks TLS: use wss://127.0.0.1:{tls_port}/echo".encode() in r.stderr,
           f"ws:// to TLS: {r.stderr!r}")
    r = run_client(h2ws, ["--http1", f"http://127.0.0.1:{tls_port}/echo"], b"hello\n")
    expect(f"speaks TLS: use https://127.0.0.1:{tls_port}/echo".encode() in r.stderr,
           f"--http1 http:// to TLS: {r.stderr!r}")
    r = run_client(h2ws, [f"wss://127.0.0.1:{clear_port}/echo"], b"hello\n")
    expect(r.returncode == 2, f"wss:// to cleartext: exit {r.returncode}")
    expect((f"does not speak TLS (it answered in cleartext HTTP/2): use "
            f"ws://127.0.0.1:{clear_port}/echo").encode() in r.stderr,
           f"wss:// to cleartext: {r.stderr!r}")
    # No hint where there is nothing to add: a refused TCP connection is one line.
    r = run_client(h2ws, [f"wss://127.0.0.1:{harness.free_port()}/echo"], b"hello\n")
    expect(r.returncode == 2 and r.stderr.count(b"\n") == 1, f"closed port: {r.stderr!r}")


def check_mtls(h2ws, peers):
    # --cert/--key against nghttpx requiring client certificates (--verify-client) from a CA
    # of the test's own: with one it issued the echo works; without a certificate, or with
    # one from another CA, nghttpx refuses at the TLS handshake: exit 2, the TLS alert and
    # what to do. --cert and --key go together (usage error otherwise).
    server_cert, server_key = harness.make_cert(peers.workdir)
    client_ca = harness.make_cert(peers.workdir, "client-ca", "DNS:client-ca.example")
    cert, key = harness.make_issued_cert(peers.workdir, client_ca, "alice")
    other_ca = harness.make_cert(peers.workdir, "other-ca", "DNS:other-ca.example")
    stranger_cert, stranger_key = harness.make_issued_cert(peers.workdir, other_ca, "mallory")
    port = harness.start_nghttpx(peers, tls=(server_key, server_cert), extra=[
        "--verify-client", f"--verify-client-cacert={client_ca[0]}"])
    url = f"wss://localhost:{port}/echo"
    trust = ["--cacert", server_cert]

    r = run_client(h2ws, [*trust, "--cert", cert, "--key", key, url], b"hello\nworld\n")
    expect(r.returncode == 0 and r.stdout == b"hello\nworld\n",
           f"with --cert: exit {r.returncode}, stdout {r.stdout!r}; {r.stderr!r}")

    r = run_client(h2ws, [*trust, url], b"hello\n")
    expect(r.returncode == 2 and r.stdout == b"", f"without --cert: exit {r.returncode}")
    expect(b"certificate required" in r.stderr and b"--cert FILE --key FILE" in r.stderr,
           f"without --cert: {r.stderr!r}")
    r = run_client(h2ws, [*trust, "-v", url], b"hello\n")
    expect(b"asked for a client certificate (we have none)" in r.stderr,
           f"-v without --cert: {r.stderr!r}")

    r = run_client(h2ws, [*trust, "--cert", stranger_cert, "--key", stranger_key, url], b"hi\n")
    expect(r.returncode == 2 and r.stdout == b"", f"another CA: exit {r.returncode}")
    expect(b"unknown ca" in r.stderr and b"refused the client certificate" in r.stderr,
           f"another CA: {r.stderr!r}")

    r = run_client(h2ws, [*trust, "--cert", cert, "--key", stranger_key, url], b"hi\n")
    expect(r.returncode == 2 and b"key values mismatch" in r.stderr
           and f"{stranger_key} is not the private key of {cert}".encode() in r.stderr,
           f"a key of another certificate: exit {r.returncode}, {r.stderr!r}")

    r = run_client(h2ws, [*trust, "--cert", cert, url], b"hi\n")
    expect(r.returncode == 1 and b"--cert needs --key" in r.stderr,
           f"--cert alone: exit {r.returncode}, {r.stderr!r}")
    r = run_client(h2ws, [*trust, "--key", key, url], b"hi\n")
    expect(r.returncode == 1 and b"--key needs --cert" in r.stderr,
           f"--key alone: exit {r.returncode}, {r.stderr!r}")


def check_fallback_both(h2ws, peers):
    # A plain HTTP/1.1 server (python3 -m http.server, no websockets): HTTP/2 fails, the
    # Upgrade gets 404; the message names both attempts.
    port = harness.free_port()
    server, _ = peers.start("http-server", [harness.PYTHON, "-m", "http.server", "--bind",
                                            "127.0.0.1", "--directory", peers.workdir, str(port)])
    harness.wait_for_port(server, port)
    r = run_client(h2ws, ["--fallback", f"ws://127.0.0.1:{port}/echo"], b"hello\n")
    expect(r.returncode == 2, f"exit {r.returncode}, expected 2")
    expect(b"--fallback: both attempts failed" in r.stderr, f"stderr {r.stderr!r}")
    expect(f"over HTTP/2 (RFC 8441): cannot connect to 127.0.0.1:{port}".encode() in r.stderr,
           f"the HTTP/2 attempt is not named: {r.stderr!r}")
    expect(b"with an HTTP/1.1 Upgrade: server refused: HTTP 404" in r.stderr,
           f"the HTTP/1.1 attempt is not named: {r.stderr!r}")
    # A fallback that works says, with -v, why it fell back.
    bport = harness.start_backend(peers)
    r = run_client(h2ws, ["--fallback", "-v", f"ws://127.0.0.1:{bport}/echo"], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n", f"fallback: exit {r.returncode}")
    expect(b"; trying an HTTP/1.1 Upgrade" in r.stderr and b"over HTTP/1.1" in r.stderr,
           f"-v: {r.stderr[-600:]!r}")


def check_bad_values(h2ws, peers):
    # Numbers that would be undefined or wrap once converted are usage errors that say so,
    # before anything is sent: NaN, infinity, 1e300 seconds, -1 bytes (CLI11 alone made that
    # SIZE_MAX, no limit at all).
    _, port = start_serve(peers, h2ws)
    url = f"ws://127.0.0.1:{port}/echo"
    for args, text in ((["--wait", "nan"], b"'nan' is not a number of seconds"),
                       (["--connect-timeout", "1e300"], b"'1e300' is not a number of seconds"),
                       (["--ping-timeout", "inf"], b"'inf' is not a number of seconds"),
                       (["--ping-interval", "-1"], b"'-1' is not a number of seconds"),
                       (["--max-message", "-1"], b"'-1' is not a number of bytes"),
                       (["--max-message", "1e3"], b"'1e3' is not a number of bytes")):
        r = run_client(h2ws, [*args, url], b"hello\n")
        expect(r.returncode == 1 and text in r.stderr and r.stdout == b"",
               f"{args}: exit {r.returncode}, {r.stderr!r}")
    r = run_client(h2ws, ["--wait", "0.5", "--max-message", "1024", url], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n", f"good values: exit {r.returncode}")


def start_microsocks(peers, credentials=None):
    """microsocks (Debian), a SOCKS5 server, on a free loopback port."""
    microsocks = shutil.which("microsocks") or "/usr/bin/microsocks"
    if not os.path.exists(microsocks):
        raise harness.Skip("microsocks not installed (Debian package microsocks)")
    port = harness.free_port()
    auth = ["-u", credentials[0], "-P", credentials[1]] if credentials else []
    proc, _ = peers.start(f"microsocks-{port}", [microsocks, "-i", "127.0.0.1", "-p", str(port),
                                                  *auth])
    harness.wait_for_port(proc, port)
    return port


def check_socks5(h2ws, peers):
    # SOCKS5 proxies (microsocks): h2c with the name resolved by the proxy (socks5h), TLS
    # inside the tunnel from all_proxy (socks5: resolved here), the HTTP/1.1 fallback, the
    # target refusing (reply 5), a dead proxy (so the tunnel is really used), credentials.
    pport = start_microsocks(peers)
    _, sport = start_serve(peers, h2ws)
    r = run_client(h2ws, ["-v", "--proxy", f"socks5h://127.0.0.1:{pport}",
                          f"ws://localhost:{sport}/echo"], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n", f"socks5h: exit {r.returncode}")
    expect(b"SOCKS5 CONNECT localhost (resolved by the proxy)" in r.stderr and
           b"SOCKS5 tunnel open" in r.stderr, f"-v: {r.stderr[:800]!r}")
    cert, key = harness.make_cert(peers.workdir)
    _, tport = start_serve(peers, h2ws, "--tls-cert", cert, "--tls-key", key)
    r = run_client(h2ws, ["-v", "--cacert", cert, f"wss://localhost:{tport}/echo"], b"over tls\n",
                   env={"all_proxy": f"socks5://127.0.0.1:{pport}"})
    expect(r.returncode == 0 and r.stdout == b"over tls\n", f"wss via all_proxy: {r.stderr!r}")
    expect(b"SOCKS5 CONNECT 127.0.0.1:" in r.stderr or b"SOCKS5 CONNECT ::1" in r.stderr,
           f"socks5:// did not resolve the name itself: {r.stderr[:800]!r}")
    bport = harness.start_backend(peers)
    r = run_client(h2ws, ["--fallback", f"ws://127.0.0.1:{bport}/echo"], b"fallback\n",
                   env={"http_proxy": f"socks5h://127.0.0.1:{pport}"})
    expect(r.returncode == 0 and r.stdout == b"fallback\n", f"fallback via socks: {r.stderr!r}")
    closed = harness.free_port()
    r = run_client(h2ws, ["--proxy", f"socks5://127.0.0.1:{pport}", f"ws://127.0.0.1:{closed}/"],
                   b"hello\n")
    expect(r.returncode == 2 and b"through the SOCKS5 proxy (from --proxy): Connection refused"
           in r.stderr, f"target closed: exit {r.returncode}, {r.stderr!r}")
    r = run_client(h2ws, ["--proxy", f"socks5://127.0.0.1:{harness.free_port()}",
                          f"ws://127.0.0.1:{sport}/echo"], b"hello\n")
    expect(r.returncode == 2 and r.stdout == b"", f"dead proxy: exit {r.returncode}")
    # Credentials (RFC 1929).
    aport = start_microsocks(peers, ("user", "s3cret"))
    url = f"ws://127.0.0.1:{sport}/echo"
    r = run_client(h2ws, ["--proxy", f"socks5://127.0.0.1:{aport}", url], b"hello\n")
    expect(r.returncode == 2 and b"requires authentication" in r.stderr, f"no credentials: {r.stderr!r}")
    r = run_client(h2ws, ["--proxy", f"socks5://user:wrong@127.0.0.1:{aport}", url], b"hello\n")
    expect(r.returncode == 2 and b"refused the credentials" in r.stderr, f"wrong: {r.stderr!r}")
    r = run_client(h2ws, ["--proxy", f"socks5://user:s3cret@127.0.0.1:{aport}", url], b"hello\n")
    expect(r.returncode == 0 and r.stdout == b"hello\n", f"credentials: {r.stderr!r}")


def help_options(h2ws, *sub):
    """The long options that --help lists (of the client, or of `serve`)."""
    import re
    r = run_client(h2ws, [*sub, "--help"])
    expect(r.returncode == 0, f"{' '.join(sub)} --help: exit {r.returncode}")
    return set(re.findall(rb"(?m)^\s+(?:-\w,\s*)?(--[a-z0-9-]+)", r.stdout))


def check_man_page(h2ws, peers):
    # Generated from the option definitions: every option of --help is in it, and groff
    # renders it without a warning.
    r = run_client(h2ws, ["--man-page"])
    expect(r.returncode == 0 and r.stdout.startswith(b".\\\""), f"exit {r.returncode}")
    page = r.stdout
    expect(b".TH H2WS 1" in page and b".SH SERVE OPTIONS" in page and b".SH EXIT STATUS" in page,
           "sections missing")
    for opt in help_options(h2ws) | help_options(h2ws, "serve"):
        roff = opt.replace(b"-", b"\\-")
        expect(roff in page, f"{opt!r} is in --help but not in the man page")
    groff = shutil.which("groff")
    if groff:
        g = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z"], input=page,
                           capture_output=True, timeout=30)
        expect(g.returncode == 0 and g.stderr == b"", f"groff: {g.stderr[:1000]!r}")


def check_completion(h2ws, peers):
    # The bash completion, sourced into a real bash, completes options of the client and of
    # serve, file names after --cacert, and knows every option --help lists.
    r = run_client(h2ws, ["--completion", "bash"])
    expect(r.returncode == 0, f"exit {r.returncode}")
    script = os.path.join(peers.workdir, "h2ws.bash")
    with open(script, "wb") as f:
        f.write(r.stdout)
    open(os.path.join(peers.workdir, "ca-bundle.pem"), "w").close()

    def complete(*words):
        words = ["h2ws", *words]
        cmd = (f"source {script}; COMP_WORDS=({' '.join(repr(w) for w in words)}); "
               f"COMP_CWORD={len(words) - 1}; _h2ws; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        b = subprocess.run(["bash", "--norc", "--noprofile", "-c", cmd], capture_output=True,
                           timeout=30, cwd=peers.workdir)
        expect(b.returncode == 0, f"bash: {b.stderr!r}")
        return b.stdout.decode().split()

    expect(complete("--ins") == ["--insecure"], f"--ins: {complete('--ins')}")
    expect(set(complete("serve", "--tls")) == {"--tls-cert", "--tls-key"},
           f"serve --tls: {complete('serve', '--tls')}")
    expect(complete("--cacert", "ca-") == ["ca-bundle.pem"], f"--cacert: {complete('--cacert', 'ca-')}")
    expect(complete("--wait", "") == [], "a value was completed as an option")
    expect(complete("se") == ["serve"], f"se: {complete('se')}")
    client_words = set(w.encode() for w in complete("-"))
    serve_words = set(w.encode() for w in complete("serve", "-"))
    for opt in help_options(h2ws):
        expect(opt in client_words, f"{opt!r} is in --help but not completed")
    for opt in help_options(h2ws, "serve"):
        expect(opt in serve_words, f"serve {opt!r} is in --help but not completed")
    expect(b"-k" in client_words and b"-1" in client_words, "short options missing")


CHECKS = {
    "url-port-range": check_url_port_range,
    "url-bad-proxy": check_url_bad_proxy,
    "wait": check_wait,
    "one-message": check_one_message,
    "insecure-quiet": check_insecure_quiet,
    "base64": check_base64,
    "invalid-utf8": check_invalid_utf8,
    "ping-timeout": check_ping_timeout,
    "tls-hints": check_tls_hints,
    "mtls": check_mtls,
    "fallback-both": check_fallback_both,
    "bad-values": check_bad_values,
    "socks5": check_socks5,
    "man-page": check_man_page,
    "completion": check_completion,
}

if __name__ == "__main__":
    harness.CHECKS = CHECKS
    sys.exit(harness.main())
