#!/usr/bin/python3
"""`h2ws serve` behind the reverse proxies of docs/reverse-proxy.md: HAProxy and nginx (Debian
packages haproxy and nginx), each with the configuration the page shows, TLS at the front.

  proxy_checks.py --h2ws PATH/TO/h2ws CHECK       (run with /usr/bin/python3)

Same rules and helpers as harness.py: everything on 127.0.0.1 with free ports, every wait
bounded, children killed with the harness. Exit 0 pass, 1 fail, 77 skipped (proxy missing).
The servers run with -v: their trace tells how each websocket reached them
("GET /echo HTTP/1.1 (Upgrade: websocket)" or ":protocol: websocket" on an HTTP/2 stream).
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (Skip, expect, free_port, make_cert, run_client, wait_for_line,  # noqa: E402
                     wait_for_port)

H1_UPGRADE = "GET /echo HTTP/1.1 (Upgrade: websocket)"
H2_CONNECT = ":protocol: websocket"


def find_program(name, package):
    for path in (shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"):
        if path and os.access(path, os.X_OK):
            return path
    raise Skip(f"{name} not installed (Debian package {package})")


def start_serve(peers, h2ws, name="h2ws-serve", port=0, *extra):
    """`h2ws serve -v` on 127.0.0.1:PORT; returns (its log path, its port)."""
    proc, log = peers.start(name, [h2ws, "serve", "-v", "--listen", f"127.0.0.1:{port}", *extra])
    return log, int(wait_for_line(proc, log, r"listening on 127\.0\.0\.1:(\d+)").group(1))


def log_text(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")


# --- HAProxy -------------------------------------------------------------------------------------

# The configuration of docs/reverse-proxy.md, with the ports, the certificate and the backend
# line filled in. `log stderr` keeps the access log in the peer's log file.
HAPROXY_CFG = """\
global
    log stderr format raw local0 info

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h

frontend websockets
    bind 127.0.0.1:{port} ssl crt {pem} alpn h2,http/1.1
    default_backend h2ws

backend h2ws
    balance leastconn
{servers}
"""


def start_haproxy(peers, backend_ports, proto_h2=False):
    haproxy = find_program("haproxy", "haproxy")
    cert, key = make_cert(peers.workdir)
    pem = os.path.join(peers.workdir, "site.pem")  # HAProxy wants certificate and key in one file
    with open(pem, "w") as out:
        for part in (cert, key):
            with open(part) as f:
                out.write(f.read())
    port = free_port()
    servers = "\n".join(f"    server s{i} 127.0.0.1:{p}" + (" proto h2" if proto_h2 else "")
                        for i, p in enumerate(backend_ports))
    cfg = os.path.join(peers.workdir, "haproxy.cfg")
    with open(cfg, "w") as f:
        f.write(HAPROXY_CFG.format(port=port, pem=pem, servers=servers))
    proc, _ = peers.start("haproxy", [haproxy, "-db", "-f", cfg])  # -db: foreground
    wait_for_port(proc, port)
    return port, cert


def echo_through(h2ws, args, url, count=50):
    lines = b"".join(b"line %d\n" % i for i in range(count))
    r = run_client(h2ws, [*args, url], lines)
    expect(r.returncode == 0, f"h2ws {' '.join(args)}: exit {r.returncode}; {r.stderr[-2000:]!r}")
    expect(r.stdout == lines, f"stdout differs ({len(r.stdout)} of {len(lines)} bytes)")
    return r


def check_haproxy_front_serve(h2ws, peers):
    # TLS and RFC 8441 at the front, `h2ws serve` as the HTTP/1.1 backend; an HTTP/1.1 client
    # through the same port too.
    serve_log, backend = start_serve(peers, h2ws)
    port, cert = start_haproxy(peers, [backend])
    url = f"wss://localhost:{port}/echo"
    r = echo_through(h2ws, ["-v", "--cacert", cert], url)
    expect(b"RFC 8441" in r.stderr, "the client did not use RFC 8441 at the front")
    echo_through(h2ws, ["--http1", "--cacert", cert], url)
    # permessage-deflate is negotiated end to end: the proxy passes the offer and the answer.
    r = echo_through(h2ws, ["-v", "--compress", "--cacert", cert], url)
    expect(b"extensions: permessage-deflate" in r.stderr, "permessage-deflate not negotiated")
    log = log_text(serve_log)
    expect(log.count(H1_UPGRADE) == 3, f"h2ws serve did not see 3 HTTP/1.1 Upgrades: {log[-2000:]}")
    expect(H2_CONNECT not in log, "h2ws serve saw HTTP/2 from an HTTP/1.1 backend line")


def check_haproxy_h2_backend(h2ws, peers):
    # `proto h2` on the server line: RFC 8441 end to end; HAProxy turns an HTTP/1.1 client's
    # Upgrade into an extended CONNECT too.
    serve_log, backend = start_serve(peers, h2ws)
    port, cert = start_haproxy(peers, [backend], proto_h2=True)
    url = f"wss://localhost:{port}/echo"
    r = echo_through(h2ws, ["-v", "--cacert", cert], url)
    expect(b"RFC 8441" in r.stderr, "the client did not use RFC 8441 at the front")
    echo_through(h2ws, ["--http1", "--cacert", cert], url)
    log = log_text(serve_log)
    expect(log.count(H2_CONNECT) == 2, f"h2ws serve did not see 2 extended CONNECTs: {log[-2000:]}")
    expect(H1_UPGRADE not in log, "h2ws serve saw an HTTP/1.1 Upgrade from a proto h2 backend")
    # The trace lists an HTTP/2 stream's request headers (not an HTTP/1.1 request's).
    expect("header stream=1 x-forwarded-for: 127.0.0.1" in log,
           f"option forwardfor: no X-Forwarded-For arrived: {log[-2000:]}")


def check_haproxy_reuse_port(h2ws, peers):
    # Scaling out on one machine: two `h2ws serve --reuse-port` on one port behind HAProxy;
    # the kernel spreads the backend connections (one per websocket over HTTP/1.1) over both.
    log_a, backend = start_serve(peers, h2ws, "serve-a", 0, "--reuse-port", "--threads", "1")
    log_b, again = start_serve(peers, h2ws, "serve-b", backend, "--reuse-port", "--threads", "1")
    expect(again == backend, f"the second server listens on {again}, not {backend}")
    port, cert = start_haproxy(peers, [backend])
    for _ in range(16):  # all 16 on one server by chance: 2 in 65,536
        echo_through(h2ws, ["--cacert", cert], f"wss://localhost:{port}/echo", count=2)
    a, b = log_text(log_a).count(H1_UPGRADE), log_text(log_b).count(H1_UPGRADE)
    expect(a + b == 16, f"the servers saw {a} + {b} websockets, expected 16")
    expect(a > 0 and b > 0, f"one server got every websocket ({a} and {b})")


# --- nginx ---------------------------------------------------------------------------------------

# docs/reverse-proxy.md's server block, inside the few lines a throw-away nginx needs (no
# daemon, no master, every path in the work directory).
NGINX_CONF = """\
daemon off;
master_process off;
pid {work}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log {work}/nginx-access.log;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    upstream h2ws {{
        server 127.0.0.1:{backend};
    }}

    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate     {cert};
        ssl_certificate_key {key};

        location / {{
            proxy_pass http://h2ws;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }}
    }}
}}
"""


def check_nginx_front_serve(h2ws, peers):
    # nginx 1.22 (Debian 12) speaks HTTP/2 at the front but not RFC 8441: websockets reach it
    # as HTTP/1.1 Upgrades (h2ws --http1, or --fallback after the h2 attempt), and it hands
    # them to `h2ws serve` as HTTP/1.1 Upgrades.
    nginx = find_program("nginx", "nginx")
    serve_log, backend = start_serve(peers, h2ws)
    cert, key = make_cert(peers.workdir)
    port = free_port()
    conf = os.path.join(peers.workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(work=peers.workdir, port=port, backend=backend, cert=cert,
                                  key=key))
    error_log = os.path.join(peers.workdir, "nginx-error.log")
    proc, _ = peers.start("nginx", [nginx, "-e", error_log, "-p", peers.workdir, "-c", conf])
    wait_for_port(proc, port)
    url = f"wss://localhost:{port}/echo"
    echo_through(h2ws, ["--http1", "--cacert", cert], url)
    r = echo_through(h2ws, ["-v", "--fallback", "--cacert", cert], url)
    expect(b"HTTP/1.1 Upgrade" in r.stderr, "--fallback did not say it took HTTP/1.1")
    r = echo_through(h2ws, ["-v", "--http1", "--compress", "--cacert", cert], url)
    expect(b"extensions: permessage-deflate" in r.stderr, "permessage-deflate not negotiated")
    log = log_text(serve_log)
    expect(log.count(H1_UPGRADE) == 3, f"h2ws serve did not see 3 HTTP/1.1 Upgrades: {log[-2000:]}")


CHECKS = {
    "haproxy-front-serve": check_haproxy_front_serve,
    "haproxy-h2-backend": check_haproxy_h2_backend,
    "haproxy-reuse-port": check_haproxy_reuse_port,
    "nginx-front-serve": check_nginx_front_serve,
}

if __name__ == "__main__":
    harness.CHECKS = CHECKS
    sys.exit(harness.main())
