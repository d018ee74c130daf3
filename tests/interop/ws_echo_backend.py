#!/usr/bin/python3
"""An HTTP/1.1 WebSocket echo server (python3-websockets 10.4): the backend that nghttpx
forwards extended CONNECT streams to, as HTTP/1.1 Upgrade requests.

Binds 127.0.0.1 on a free port and prints "listening on 127.0.0.1:PORT" on stdout once
bound. Echoes every message with its type (text or binary), with two test hooks:
  "close CODE REASON"  -> closes the websocket with that code and reason
  "subprotocol?"       -> answers with the negotiated subprotocol ("" when none)
  "later SECONDS TEXT" -> answers TEXT after SECONDS, meanwhile echoing on as usual
Offers the subprotocol "chat" (chosen only when the client offers it).

python3-websockets answers a close frame the moment it parses it, before its handler has
seen the messages that arrived just ahead of the close; their echoes are then refused.
`printf 'a\nb\n' | h2ws URL` sends both lines and its close back to back, so this backend
delays the answer to a close until the handler has caught up, which RFC 6455 allows (a
close answer may follow pending data). The hook relies on websockets 10.4 internals
(`messages`, `write_close_frame`); Debian pins that version.

With `--tls CERT KEY` it serves TLS (ALPN http/1.1 only) instead of cleartext.

Run it with /usr/bin/python3: the Debian python3-websockets is installed there.
"""
import asyncio
import signal
import ssl
import sys

import websockets


class DrainingServerProtocol(websockets.WebSocketServerProtocol):
    busy = False  # the handler holds a message it has not answered yet

    async def write_close_frame(self, close, data=None):
        # `data` is given only when answering the peer's close (read_data_frame).
        if data is not None and self.close_sent is None:
            deadline = asyncio.get_running_loop().time() + 5.0
            while (self.messages or self.busy) and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.005)
        await super().write_close_frame(close, data)


async def send_later(ws, delay, text):
    try:
        await asyncio.sleep(delay)
        await ws.send(text)
    except websockets.ConnectionClosed:
        pass


async def echo(ws, path=None):  # websockets 10.x still passes `path` to 2-argument handlers
    later = set()  # tasks of "later" answers, kept referenced until they are done
    try:
        while True:
            message = await ws.recv()
            ws.busy = True
            try:
                if isinstance(message, str) and message.startswith("close "):
                    _, code, *reason = message.split(" ", 2)
                    await ws.close(int(code), reason[0] if reason else "")
                    return
                if isinstance(message, str) and message.startswith("later "):
                    _, delay, text = message.split(" ", 2)
                    task = asyncio.create_task(send_later(ws, float(delay), text))
                    later.add(task)
                    task.add_done_callback(later.discard)
                elif message == "subprotocol?":
                    await ws.send(ws.subprotocol or "")
                else:
                    await ws.send(message)
            finally:
                ws.busy = False
    except websockets.ConnectionClosed:
        pass


async def main():
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    tls = None
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        # TLS whose ALPN offers only http/1.1: what an HTTP/1.1-only wss:// server looks like.
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(sys.argv[2], sys.argv[3])
        tls.set_alpn_protocols(["http/1.1"])
    async with websockets.serve(echo, "127.0.0.1", 0, subprotocols=["chat"], ssl=tls,
                                max_size=None, create_protocol=DrainingServerProtocol) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on 127.0.0.1:{port}", flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
