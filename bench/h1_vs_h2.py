#!/usr/bin/python3
"""h2ws over HTTP/2 (RFC 8441) against the same library and server over HTTP/1.1 Upgrade
(RFC 6455), and `h2ws serve --threads 1` against `--threads 2`: runs h2ws-bench several times
and prints the medians as Markdown tables (the h1-vs-h2 tables of bench/README.md).

  bench/h1_vs_h2.py [--runs 3] [--build DIR] [--quick] [--only PART ...] [--save FILE.jsonl]
                    [--input FILE.jsonl]

Parts (all by default), each run --runs times:
  pipelined  h2ws-bench --scenario latency --scenario throughput --scenario small
             --baseline h1 --baseline tcp  (the three transports back to back in one run)
  memory     h2ws-bench --transport T --scenario streams, then --scenario connections, one
             process per transport and scenario (in one process, what an earlier case freed is
             reused and the RSS growth of the next one reads too low)
  threads    `h2ws serve --threads N --listen 127.0.0.1:0` for N = 1, 2, and against it
             h2ws-bench --url URL --transport T --scenario small --connections 100 for
             T = h2ws, h1, with the CPU time each side used per message (h2ws-bench's client
             is one thread; nothing is pinned, so with two cores the client and the server
             threads share them)
Every process is bounded by a timeout; everything listens on 127.0.0.1 only.
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PARTS = ["pipelined", "memory", "threads"]


def bench_path(build):
    return os.path.join(build, "bench", "h2ws-bench")


def run_bench(build, args, timeout=600):
    cmd = [bench_path(build), *args]
    print("$ h2ws-bench " + " ".join(args), file=sys.stderr)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        sys.exit(f"h2ws-bench {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def cpu_seconds(pid):
    """User + system CPU time of process `pid` so far (/proc/PID/stat), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def with_serve(build, threads, body):
    """Runs body(url, pid) against `h2ws serve --threads N`; stops the server after."""
    h2ws = os.path.join(build, "tools", "h2ws")
    serve = subprocess.Popen([h2ws, "serve", "--listen", "127.0.0.1:0", "--threads", str(threads)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        port = None
        while time.monotonic() < deadline and port is None:
            line = serve.stderr.readline()
            if not line:
                break
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            port = m and m.group(1)
        if port is None:
            sys.exit("h2ws serve did not print 'listening on'")
        return body(f"http://127.0.0.1:{port}/echo", serve.pid)
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=10)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()


def collect(args):
    quick = ["--quick"] if args.quick else []
    lines = []

    def add(objs, run, **extra):
        for obj in objs:
            obj.update(run=run, **extra)
            lines.append(obj)

    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs}", file=sys.stderr)
        if "pipelined" in args.only:
            add(run_bench(args.build, ["--scenario", "latency", "--scenario", "throughput",
                                       "--scenario", "small", "--baseline", "h1",
                                       "--baseline", "tcp", *quick]), run, part="pipelined")
        if "memory" in args.only:
            for scenario in ("streams", "connections"):
                for t in ("h2ws", "h1", "tcp"):
                    add(run_bench(args.build, ["--transport", t, "--scenario", scenario, *quick]),
                        run, part="memory")
        if "threads" in args.only:
            for threads in (1, 2):
                def body(url, pid):
                    # One process per transport, so that each line gets its own CPU times:
                    # the server's from /proc, the client's from getrusage(RUSAGE_CHILDREN).
                    objs = []
                    for t in ("h2ws", "h1"):
                        server0, client0 = cpu_seconds(pid), children_cpu_seconds()
                        (obj,) = run_bench(args.build, ["--url", url, "--transport", t,
                                                        "--scenario", "small",
                                                        "--connections", "100", *quick])
                        obj["server_cpu_s"] = round(cpu_seconds(pid) - server0, 3)
                        obj["client_cpu_s"] = round(children_cpu_seconds() - client0, 3)
                        objs.append(obj)
                    return objs
                add(with_serve(args.build, threads, body), run, part="threads",
                    server_threads=threads)
    return lines


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    return f"{min(xs):,.0f} .. {max(xs):,.0f}" if xs else ""


def report(lines):
    def values(part, scenario, metric, transport, **match):
        return [o[metric] for o in lines
                if o.get("part") == part and o["scenario"] == scenario
                and o["transport"] == transport and metric in o
                and all(o.get(k) == v for k, v in match.items())]

    runs = len({o["run"] for o in lines})
    print(f"Medians of {runs} run(s).\n")
    rows = [
        ("pipelined", "latency", "p50_us", "latency 64 B, p50 (µs)"),
        ("pipelined", "latency", "p99_us", "latency 64 B, p99 (µs)"),
        ("pipelined", "small", "msg_s", "small 64 B ×1,000 in flight, msg/s"),
        ("pipelined", "throughput", "mb_s", "throughput 1 MiB ×4, MB/s"),
        ("memory", "streams", "rss_per_ws_bytes", "streams ×1,000: client RSS per websocket (B)"),
        ("memory", "connections", "rss_per_conn_bytes", "connections ×500: client RSS per connection (B)"),
        ("memory", "connections", "open_p50_us", "connections ×500: open p50 (µs, 50 at a time)"),
    ]
    def ratios(part, scenario, metric, match=None):
        """h2/h1 within each run (same run number), for the median and the range."""
        match = match or {}
        out = []
        for run in sorted({o["run"] for o in lines}):
            h2 = values(part, scenario, metric, "h2ws", run=run, **match)
            h1 = values(part, scenario, metric, "h1", run=run, **match)
            if h2 and h1 and h1[0]:
                out.append(h2[0] / h1[0])
        return out

    if any(o.get("part") in ("pipelined", "memory") for o in lines):
        print("| case | h2 (h2ws) | h1 | h2/h1 | h2/h1 per run | TCP floor |")
        print("|---|---:|---:|---:|---|---:|")
        for part, scenario, metric, text in rows:
            h2, h1, tcp = (median(values(part, scenario, metric, t)) for t in ("h2ws", "h1", "tcp"))
            r = ratios(part, scenario, metric)
            per_run = f"{min(r):.2f} .. {max(r):.2f}" if r else ""
            print(f"| {text} | {h2:,.1f} | {h1:,.1f} | {median(r):.2f} | {per_run} | {tcp:,.1f} |")
    if any(o.get("part") == "threads" for o in lines):
        print("\n`h2ws serve --threads N`, 100 connections × one websocket, 64 B pipelined "
              "(1,000 in flight in all), msg/s:\n")
        print("| server threads | transport | msg/s | per run | server CPU µs/msg | client CPU µs/msg |")
        print("|---:|---|---:|---|---:|---:|")
        for n in (1, 2):
            for t, name in (("h2ws", "h2"), ("h1", "h1")):
                rate = values("threads", "small", "msg_s", t, server_threads=n)
                per_msg = {}
                for side in ("server", "client"):
                    per_msg[side] = [o[f"{side}_cpu_s"] / o["count"] * 1e6 for o in lines
                                     if o.get("part") == "threads" and o["transport"] == t
                                     and o.get("server_threads") == n and f"{side}_cpu_s" in o]
                print(f"| {n} | {name} | {median(rate):,.0f} | {spread(rate)} | "
                      f"{median(per_msg['server']):.2f} | {median(per_msg['client']):.2f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--quick", action="store_true", help="pass --quick to h2ws-bench")
    ap.add_argument("--only", nargs="+", choices=PARTS, default=PARTS)
    ap.add_argument("--save", help="also write every line here (with run and part)")
    ap.add_argument("--input", help="report lines saved earlier instead of running")
    args = ap.parse_args()
    if args.input:
        with open(args.input) as f:
            lines = [json.loads(line) for line in f if line.strip()]
    else:
        lines = collect(args)
        if args.save:
            with open(args.save, "w") as f:
                for obj in lines:
                    f.write(json.dumps(obj) + "\n")
    report(lines)


if __name__ == "__main__":
    main()
