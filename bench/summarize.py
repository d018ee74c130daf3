#!/usr/bin/python3
"""Runs h2ws-bench several times with --baseline tcp and prints the medians as a Markdown table,
with the h2ws/TCP ratios (taken within each run, then the median of those) and the targets of
the benchmark issue marked met or not met. The figures in README.md come from this script.
--baseline h1 compares h2ws with the same server over HTTP/1.1 Upgrade instead (no targets).

  bench/summarize.py [--bench PATH] [--runs 5] [--quick] [--baseline tcp|h1]
                     [--save FILE.jsonl] [--input FILE.jsonl]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BENCH = os.path.join(HERE, "..", "build", "bench", "h2ws-bench")

# (scenario, metric, how the ratio reads, target check on (h2ws median, ratio median), target text)
ROWS = [
    ("latency", "p50_us", "lower is better"),
    ("latency", "p99_us", "lower is better"),
    ("throughput", "mb_s", "higher is better"),
    ("throughput", "msg_s", "higher is better"),
    ("small", "mb_s", "higher is better"),
    ("small", "msg_s", "higher is better"),
    ("streams", "rss_per_ws_bytes", "lower is better"),
    ("connections", "rss_per_conn_bytes", "lower is better"),
    ("connections", "open_p50_us", "lower is better"),
    ("connections", "open_p99_us", "lower is better"),
]
TARGETS = [
    ("latency p50 h2ws/TCP <= 1.5x", "latency", "p50_us", lambda h, r: r <= 1.5, "ratio"),
    ("1 MiB throughput >= 60% of TCP", "throughput", "mb_s", lambda h, r: r >= 0.6, "ratio"),
    ("64 B messages/s >= 50% of TCP", "small", "msg_s", lambda h, r: r >= 0.5, "ratio"),
    ("RSS per idle websocket <= 16 KiB", "streams", "rss_per_ws_bytes", lambda h, r: h <= 16384, "h2ws"),
]


def run_once(bench, quick, baseline):
    cmd = [bench, "--baseline", baseline] + (["--quick"] if quick else [])
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        sys.exit(f"h2ws-bench failed ({out.returncode}):\n{out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=DEFAULT_BENCH)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--baseline", choices=["tcp", "h1"], default="tcp")
    ap.add_argument("--save", help="also write every run's lines here (one JSON per line, with 'run')")
    ap.add_argument("--input", help="summarise lines saved earlier instead of running")
    args = ap.parse_args()

    lines = []
    if args.input:
        with open(args.input) as f:
            lines = [json.loads(l) for l in f if l.strip()]
    else:
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs} ...", file=sys.stderr)
            for obj in run_once(args.bench, args.quick, args.baseline):
                obj["run"] = run
                lines.append(obj)
        if args.save:
            with open(args.save, "w") as f:
                for obj in lines:
                    f.write(json.dumps(obj) + "\n")

    # values[(scenario, metric, transport)] = [per run]; ratios[(scenario, metric)] = [per run]
    values, ratios = {}, {}
    base = args.baseline
    label = {"tcp": "TCP", "h1": "h1"}[base]
    by_run = {}
    for obj in lines:
        by_run.setdefault((obj["run"], obj["scenario"]), {})[obj["transport"]] = obj
    for (run, scenario), pair in sorted(by_run.items()):
        for s, metric, _ in ROWS:
            if s != scenario:
                continue
            for transport, obj in pair.items():
                if metric in obj:
                    values.setdefault((s, metric, transport), []).append(obj[metric])
            if "h2ws" in pair and base in pair and pair[base].get(metric):
                ratios.setdefault((s, metric), []).append(pair["h2ws"][metric] / pair[base][metric])

    runs = len({obj["run"] for obj in lines})
    print(f"Medians of {runs} run(s); ratio = median over runs of (h2ws / {label}) within one run.\n")
    print(f"| scenario | metric | h2ws | {label} | h2ws/{label} | |")
    print("|---|---|---:|---:|---:|---|")
    med = lambda xs: statistics.median(xs) if xs else float("nan")
    for s, metric, note in ROWS:
        h = med(values.get((s, metric, "h2ws"), []))
        t = med(values.get((s, metric, base), []))
        r = med(ratios.get((s, metric), []))
        print(f"| {s} | {metric} | {h:,.1f} | {t:,.1f} | {r:.2f} | {note} |")

    if base != "tcp":
        return
    print("\n| target | measured | |")
    print("|---|---:|---|")
    for text, s, metric, ok, kind in TARGETS:
        h = med(values.get((s, metric, "h2ws"), []))
        r = med(ratios.get((s, metric), []))
        shown = f"{r:.2f}x" if kind == "ratio" else f"{h:,.0f} B"
        print(f"| {text} | {shown} | {'met' if ok(h, r) else '**not met**'} |")


if __name__ == "__main__":
    main()
