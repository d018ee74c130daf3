#!/usr/bin/python3
"""A real browser against `h2ws serve`: Debian's chromium, headless, driven over its DevTools
protocol (CDP) with python3-websockets.

  browser_checks.py --h2ws PATH/TO/h2ws CHECK       (run with /usr/bin/python3)

chromium-page: `h2ws serve -v` with TLS (a throw-away certificate that Chromium trusts by its
public key hash, --ignore-certificate-errors-spki-list) serves its built-in page; Chromium
loads https://127.0.0.1:PORT/ and must
  * have loaded the page over HTTP/2 (the navigation entry's nextHopProtocol is "h2");
  * show, on the page, that its websocket went over HTTP/2 (the first message of
    /.h2ws/info), then echo a line typed into the page's form;
  * open a second websocket from script (Runtime.evaluate) that says HTTP/2 too and echoes
    text of several sizes, then closes with 1000;
and the server's trace must show extended CONNECTs (":protocol: websocket") and no HTTP/1.1
Upgrade. Chromium uses RFC 8441 only over an HTTP/2 connection it already has to the origin,
which the page load gives it.

Same rules and helpers as harness.py: everything on 127.0.0.1 (Chromium's host resolver maps
every other name to nothing), every wait bounded (the whole check within CHECK_TIMEOUT),
Chromium started in a process group of its own that is killed at the end, the temporary
profile removed with the work directory. Exit 0 pass, 1 fail, 77 skipped (chromium or
python3-websockets missing, as the other interop checks do; `./h2ws.sh deps` installs both).
"""
import asyncio
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Failure, Skip, expect, make_cert, wait_for_line  # noqa: E402

CHECK_TIMEOUT = 45.0    # seconds for the whole browser part (ctest's limit is 60)
CALL_TIMEOUT = 10.0     # seconds for one DevTools command
BROWSER_START = 20.0    # seconds for Chromium to print its DevTools endpoint
H1_UPGRADE = "HTTP/1.1 (Upgrade: websocket)"
H2_CONNECT = ":protocol: websocket"


def find_chromium():
    for path in (shutil.which("chromium"), "/usr/bin/chromium"):
        if path and os.access(path, os.X_OK):
            return path
    raise Skip("chromium not installed (Debian package chromium; ./h2ws.sh deps installs it)")


def spki_hash(cert):
    """base64(SHA-256(DER SubjectPublicKeyInfo)): what --ignore-certificate-errors-spki-list
    takes."""
    pub = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout"],
                         capture_output=True, timeout=30)
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub.stdout,
                         capture_output=True, timeout=30)
    if pub.returncode or der.returncode or not der.stdout:
        raise Failure(f"openssl could not read the public key of {cert}: "
                      f"{(pub.stderr + der.stderr).decode(errors='replace')}")
    return base64.b64encode(hashlib.sha256(der.stdout).digest()).decode()


def log_text(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")


class Browser:
    """Chromium headless in a process group of its own (its zygote, GPU and renderer
    processes go with it), logged to a file in the work directory."""

    def __init__(self, workdir, spki):
        self.profile = os.path.join(workdir, "chromium-profile")
        os.makedirs(self.profile)
        self.log = os.path.join(workdir, "chromium.log")
        argv = [
            find_chromium(),
            "--headless",
            "--remote-debugging-port=0",       # it prints the port it picked
            "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={self.profile}",
            f"--ignore-certificate-errors-spki-list={spki}",
            # Nothing but the loopback address: every host name resolves to nothing.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--mute-audio",
            "about:blank",
        ]
        if os.geteuid() == 0:
            argv.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.argv = argv
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=harness._die_with_parent)
        self.started = time.monotonic()

    def devtools_url(self):
        m = wait_for_line(self.proc, self.log, r"DevTools listening on (ws://127\.0\.0\.1:\d+/\S+)",
                          timeout=BROWSER_START)
        return m.group(1)

    def stop(self):
        """SIGTERM to the browser, then SIGKILL to its whole process group."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(harness.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group's id is the browser's pid
        except ProcessLookupError:
            pass
        if self.proc.poll() is None:
            self.proc.wait(harness.STOP_TIMEOUT)
        # Its children may outlive it by a moment; the profile goes only when they are gone.
        deadline = time.monotonic() + harness.STOP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)


class Cdp:
    """A minimal DevTools protocol client over one websocket (the browser endpoint) with
    flat sessions: commands with a timeout, events kept for the failure report."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.pending = {}
        self.events = []  # (method, params), the interesting ones
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self):
        async for raw in self.ws:
            msg = json.loads(raw)
            if "id" in msg:
                fut = self.pending.pop(msg["id"], None)
                if fut and not fut.done():
                    fut.set_result(msg)
            else:
                self.events.append((msg.get("method"), msg.get("params", {})))

    async def call(self, method, params=None, session=None, timeout=CALL_TIMEOUT):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.send(json.dumps(msg))
        try:
            reply = await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            raise Failure(f"DevTools {method}: no answer within {timeout} s")
        if "error" in reply:
            raise Failure(f"DevTools {method}: {reply['error']}")
        return reply.get("result", {})

    async def evaluate(self, session, expression, timeout=CALL_TIMEOUT):
        """The value of `expression` in the page (a promise is awaited)."""
        r = await self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                 "returnByValue": True}, session, timeout + 1)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise Failure(f"the page threw: {d.get('exception', {}).get('description') or d}")
        return r["result"].get("value")

    def report(self):
        """Console messages, exceptions, network failures and websocket events, for stderr."""
        keep = ("Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded",
                "Network.loadingFailed", "Network.responseReceived", "Network.webSocketCreated",
                "Network.webSocketHandshakeResponseReceived", "Network.webSocketFrameError",
                "Network.webSocketClosed", "Page.loadEventFired")
        lines = []
        for method, params in self.events:
            if method not in keep:
                continue
            if method == "Network.responseReceived":
                resp = params.get("response", {})
                params = {"url": resp.get("url"), "status": resp.get("status"),
                          "protocol": resp.get("protocol")}
            lines.append(f"  {method} {json.dumps(params)[:600]}")
        return "\n".join(lines)


# Waits (bounded, in the page) until the page's websocket has said its HTTP version.
PAGE_READY = """
new Promise((resolve, reject) => {
  const t0 = Date.now();
  (function poll() {
    const state = document.getElementById('state').textContent;
    const version = document.getElementById('version').textContent;
    if (state === 'open' && version !== '?') return resolve({state, version});
    if (state.startsWith('closed') || Date.now() - t0 > %d)
      return resolve({state, version, gaveUp: true});
    setTimeout(poll, 50);
  })();
})
"""

# Types a line into the page's form, submits it, waits (bounded) for "< LINE" in its log.
PAGE_TYPE = """
new Promise((resolve) => {
  const line = document.getElementById('line');
  line.value = %s;
  document.getElementById('f').requestSubmit();
  const t0 = Date.now();
  (function poll() {
    const log = document.getElementById('log').textContent;
    if (log.includes('< ' + %s) || Date.now() - t0 > %d) return resolve(log);
    setTimeout(poll, 50);
  })();
})
"""

# A websocket of the script's own to /.h2ws/info: the first message, then echoes of each
# message sent, then a clean close; rejects on error or after a time limit.
SCRIPT_WEBSOCKET = """
new Promise((resolve, reject) => {
  const sent = %s;
  const got = [];
  const ws = new WebSocket('wss://' + location.host + '/.h2ws/info');
  const timer = setTimeout(() => reject(new Error('timed out; got ' + JSON.stringify(got))), %d);
  ws.onerror = () => {
    clearTimeout(timer);
    reject(new Error('websocket error after ' + got.length + ' messages'));
  };
  ws.onmessage = (e) => {
    got.push(e.data);
    if (got.length === 1) { for (const m of sent) ws.send(m); }
    if (got.length === sent.length + 1) ws.close(1000, 'done');
  };
  ws.onclose = (e) => {
    clearTimeout(timer);
    resolve({version: got[0], echoes: got.slice(1), code: e.code, clean: e.wasClean});
  };
})
"""


async def drive_browser(devtools, port):
    import websockets
    url = f"https://127.0.0.1:{port}/"
    async with websockets.connect(devtools, max_size=None, open_timeout=CALL_TIMEOUT,
                                  close_timeout=2) as ws:
        cdp = Cdp(ws)
        try:
            await check_in_browser(cdp, url)
        except Failure as e:
            raise Failure(f"{e}\nDevTools events:\n{cdp.report()}")
        finally:
            try:
                await cdp.call("Browser.close", timeout=3)
            except (Failure, websockets.ConnectionClosed):
                pass
            cdp.reader.cancel()


async def check_in_browser(cdp, url):
    target = (await cdp.call("Target.createTarget", {"url": "about:blank"}))["targetId"]
    session = (await cdp.call("Target.attachToTarget",
                              {"targetId": target, "flatten": True}))["sessionId"]
    for domain in ("Page", "Runtime", "Network", "Log"):
        await cdp.call(f"{domain}.enable", session=session)

    nav = await cdp.call("Page.navigate", {"url": url}, session)
    expect("errorText" not in nav, f"Chromium could not load {url}: {nav.get('errorText')}")
    deadline = time.monotonic() + CALL_TIMEOUT
    while await cdp.evaluate(session, "document.readyState") != "complete":
        expect(time.monotonic() < deadline, f"{url} did not finish loading in {CALL_TIMEOUT} s")
        await asyncio.sleep(0.05)
    title = await cdp.evaluate(session, "document.title")
    expect(title == "h2ws", f"{url} is not the built-in page (title {title!r})")
    proto = await cdp.evaluate(
        session, "performance.getEntriesByType('navigation')[0].nextHopProtocol")
    sys.stderr.write(f"page loaded over {proto!r}\n")
    expect(proto == "h2", f"the page came over {proto!r}, not h2 (HTTP/2)")

    # The page's own websocket: its first message (the HTTP version) is shown on the page.
    ms = int(CALL_TIMEOUT * 1000)
    ready = await cdp.evaluate(session, PAGE_READY % ms)
    sys.stderr.write(f"the page's websocket: {ready}\n")
    expect(not ready.get("gaveUp"),
           f"the page's websocket did not open and say its HTTP version: "
           f"state {ready['state']!r}, version {ready['version']!r}")
    expect(ready["version"] == "HTTP/2",
           f"the page's websocket went over {ready['version']!r}, not HTTP/2")
    typed = "typed in Chromium \u2713"
    log = await cdp.evaluate(session, PAGE_TYPE % (json.dumps(typed), json.dumps(typed), ms))
    expect(f"< {typed}" in log, f"the page's echo did not come back; its log: {log!r}")

    # A websocket of the script's own, beside the page's, on the same HTTP/2 connection.
    sent = ["hello", "", "\u00e9t\u00e9 \u2603", "x" * 200000]
    r = await cdp.evaluate(session, SCRIPT_WEBSOCKET % (json.dumps(sent), ms))
    sys.stderr.write(f"script websocket: version {r['version']!r}, {len(r['echoes'])} echoes, "
                     f"close {r['code']} clean={r['clean']}\n")
    expect(r["version"] == "HTTP/2", f"the script's websocket went over {r['version']!r}")
    expect(r["echoes"] == sent, "the echoes differ from what was sent: "
           f"{[e[:20] for e in r['echoes']]!r}")
    expect(r["code"] == 1000 and r["clean"], f"closed with {r['code']}, clean={r['clean']}")

    # Chromium's own view of the handshakes (DevTools Network events).
    created = [p["url"] for m, p in cdp.events if m == "Network.webSocketCreated"]
    expect(len(created) == 2, f"DevTools saw {len(created)} websockets, expected 2: {created}")


def check_chromium_page(h2ws, peers):
    if subprocess.run([harness.PYTHON, "-c", "import websockets"],
                      capture_output=True).returncode:
        raise Skip("python3-websockets not installed for /usr/bin/python3")
    find_chromium()
    cert, key = make_cert(peers.workdir)
    serve, serve_log = peers.start("h2ws-serve", [h2ws, "serve", "-v", "--listen", "127.0.0.1:0",
                                                  "--tls-cert", cert, "--tls-key", key])
    port = int(wait_for_line(serve, serve_log, r"listening on 127\.0\.0\.1:(\d+)").group(1))
    browser = Browser(peers.workdir, spki_hash(cert))
    try:
        try:
            devtools = browser.devtools_url()
            sys.stderr.write(f"chromium: {' '.join(browser.argv)}\n"
                             f"  DevTools at {devtools} after "
                             f"{time.monotonic() - browser.started:.1f} s\n")
            asyncio.run(asyncio.wait_for(drive_browser(devtools, port), CHECK_TIMEOUT))
        except asyncio.TimeoutError:
            raise Failure(f"the browser part did not finish within {CHECK_TIMEOUT} s")
        except Failure:
            # Without the D-Bus complaints of a machine with no session bus: noise here.
            lines = [line for line in log_text(browser.log).splitlines() if "dbus" not in line]
            sys.stderr.write("--- chromium log (D-Bus lines left out) ---\n"
                             + "\n".join(lines)[-4000:] + "\n")
            raise
    finally:
        browser.stop()
    log = log_text(serve_log)
    websockets_h2 = log.count(H2_CONNECT)
    expect(websockets_h2 == 2, f"h2ws serve saw {websockets_h2} extended CONNECTs, expected 2: "
                               f"{log[-3000:]}")
    expect(H1_UPGRADE not in log, f"h2ws serve saw an HTTP/1.1 Upgrade: {log[-3000:]}")
    # One connection carried the page and both websockets: Chromium sent its SETTINGS (the
    # connection preface) once. It sometimes opens a spare TLS connection besides (ALPN h2,
    # the server's SETTINGS, then nothing from Chromium): one without a preface carries no
    # stream, so it is not counted.
    used = len(re.findall(r"^< SETTINGS stream=0 (?!ACK)", log, re.M))
    expect(used == 1, f"Chromium spoke HTTP/2 on {used} connections, expected one for the page "
                      f"and its websockets: {log[-3000:]}")
    rc = peers.stop(serve)
    expect(rc == 0, f"h2ws serve exited {rc} on SIGTERM, expected 0")


CHECKS = {
    "chromium-page": check_chromium_page,
}

if __name__ == "__main__":
    harness.CHECKS = CHECKS
    sys.exit(harness.main())
