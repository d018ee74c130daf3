#!/usr/bin/python3
"""Plots latency and throughput against message size, h2ws next to the plain-TCP floor.

  bench/plot.py [--bench PATH] [--runs 3] [--quick] [--input FILE.jsonl] [--output bench/results.png]

Runs `h2ws-bench --sweep --scenario latency --scenario throughput --baseline tcp` --runs times
(or reads JSON lines saved before with --input) and takes the median per size. With matplotlib
(Debian: python3-matplotlib) it writes a PNG. Without it, it draws the same two panels as an
SVG next to the requested output (results.svg), and converts that to the PNG with rsvg-convert
(Debian: librsvg2-bin) when present. On Debian 12 python3-matplotlib cannot be installed beside
libboost1.81-dev: it pulls python3-scipy -> python3-pythran -> libboost-dev, which is Boost 1.74
and conflicts.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BENCH = os.path.join(HERE, "..", "build", "bench", "h2ws-bench")
COLORS = {"h2ws": "#1f77b4", "tcp": "#7f7f7f"}
PANELS = [  # scenario, metric, dashed metric, title, y label, legend corner (SVG: x, y fractions)
    ("latency", "p50_us", "p99_us", "Round-trip latency (p50, p99 dashed)", "microseconds", (0.02, 0.35)),
    ("throughput", "mb_s", None, "Pipelined echo throughput", "MB/s (payload, 10^6 B)", (0.70, 0.78)),
]


def collect(args):
    lines = []
    if args.input:
        with open(args.input) as f:
            return [json.loads(l) for l in f if l.strip()]
    cmd = [args.bench, "--sweep", "--scenario", "latency", "--scenario", "throughput",
           "--baseline", "tcp"] + (["--quick"] if args.quick else [])
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs}: {' '.join(cmd)}", file=sys.stderr)
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if out.returncode != 0:
            sys.exit(f"h2ws-bench failed ({out.returncode}):\n{out.stderr}")
        lines += [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    return lines


def series(lines, scenario, metric, transport):
    by_size = {}
    for obj in lines:
        if obj.get("scenario") == scenario and obj.get("transport") == transport and metric in obj:
            by_size.setdefault(obj["size"], []).append(obj[metric])
    return sorted((size, statistics.median(v)) for size, v in by_size.items())


def size_label(n):
    if n >= 1 << 20:
        return f"{n >> 20} MiB"
    if n >= 1 << 10:
        return f"{n >> 10} KiB"
    return f"{n} B"


def plot_matplotlib(lines, output):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, (scenario, metric, dashed, title, ylabel, _) in zip(axes, PANELS):
        for transport in ("h2ws", "tcp"):
            s = series(lines, scenario, metric, transport)
            if s:
                ax.plot([x for x, _ in s], [y for _, y in s], "o-", color=COLORS[transport],
                        label=f"{transport} {metric}")
            if dashed:
                d = series(lines, scenario, dashed, transport)
                if d:
                    ax.plot([x for x, _ in d], [y for _, y in d], "o--", color=COLORS[transport],
                            alpha=0.6, label=f"{transport} {dashed}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("message size")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(output, dpi=110)


def plot_svg(lines, output):
    width, height, pad_l, pad_r, pad_t, pad_b = 560, 380, 70, 20, 40, 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * width}" height="{height}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{2 * width}" height="{height}" fill="white"/>']
    for panel, (scenario, metric, dashed, title, ylabel, legend) in enumerate(PANELS):
        ox = panel * width
        curves = []
        for transport in ("h2ws", "tcp"):
            curves.append((transport, metric, False, series(lines, scenario, metric, transport)))
            if dashed:
                curves.append((transport, dashed, True, series(lines, scenario, dashed, transport)))
        points = [p for *_, s in curves for p in s if p[1] > 0]
        if not points:
            continue
        xs = [math.log2(x) for x, _ in points]
        ys = [math.log10(y) for _, y in points]
        x0, x1 = min(xs), max(xs)
        y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
        if x1 == x0:
            x1 = x0 + 1
        if y1 == y0:
            y1 = y0 + 1
        pw, ph = width - pad_l - pad_r, height - pad_t - pad_b
        px = lambda x: ox + pad_l + (math.log2(x) - x0) / (x1 - x0) * pw
        py = lambda y: pad_t + ph - (math.log10(y) - y0) / (y1 - y0) * ph
        parts.append(f'<text x="{ox + width / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>')
        parts.append(f'<rect x="{ox + pad_l}" y="{pad_t}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
        for e in range(y0, y1 + 1):
            for m in (1, 2, 5):
                v = m * 10 ** e
                if not (10 ** y0 <= v <= 10 ** y1):
                    continue
                y = py(v)
                parts.append(f'<line x1="{ox + pad_l}" x2="{ox + pad_l + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                             f'stroke="#ddd" stroke-width="{1 if m == 1 else 0.5}"/>')
                parts.append(f'<text x="{ox + pad_l - 6}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
        for size in sorted({x for x, _ in points}):
            x = px(size)
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{pad_t}" y2="{pad_t + ph}" stroke="#eee"/>')
            parts.append(f'<text x="{x:.1f}" y="{pad_t + ph + 16}" text-anchor="middle" font-size="10">'
                         f'{size_label(size)}</text>')
        parts.append(f'<text x="{ox + pad_l + pw / 2}" y="{height - 8}" text-anchor="middle">message size</text>')
        parts.append(f'<text transform="translate({ox + 16},{pad_t + ph / 2}) rotate(-90)" '
                     f'text-anchor="middle">{ylabel}</text>')
        for i, (transport, name, is_dashed, s) in enumerate(curves):
            s = [(x, y) for x, y in s if y > 0]
            if not s:
                continue
            dash = ' stroke-dasharray="6,4" opacity="0.6"' if is_dashed else ""
            path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in s)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{COLORS[transport]}" stroke-width="2"{dash}/>')
            for x, y in s:
                parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{COLORS[transport]}"/>')
            lx = ox + pad_l + legend[0] * pw
            ly = pad_t + legend[1] * ph + 16 * i
            parts.append(f'<line x1="{lx + 10:.1f}" x2="{lx + 34:.1f}" y1="{ly - 4:.1f}" y2="{ly - 4:.1f}" '
                         f'stroke="{COLORS[transport]}" stroke-width="2"{dash}/>')
            parts.append(f'<text x="{lx + 40:.1f}" y="{ly:.1f}">{transport} {name}</text>')
    parts.append("</svg>")
    with open(output, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=DEFAULT_BENCH)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--input", help="JSON lines saved from earlier h2ws-bench --sweep runs")
    ap.add_argument("--save", help="also write the collected JSON lines here")
    ap.add_argument("--output", default=os.path.join(HERE, "results.png"))
    args = ap.parse_args()

    lines = collect(args)
    if args.save:
        with open(args.save, "w") as f:
            f.writelines(json.dumps(l) + "\n" for l in lines)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        svg = os.path.splitext(args.output)[0] + ".svg"
        plot_svg(lines, svg)
        print(f"matplotlib is not installed (Debian: python3-matplotlib): wrote {svg}", file=sys.stderr)
        # rsvg-convert (Debian: librsvg2-bin) turns it into the PNG asked for, when present.
        if args.output.endswith(".png") and shutil.which("rsvg-convert"):
            subprocess.run(["rsvg-convert", "-o", args.output, svg], check=True)
            print(f"wrote {args.output} (rsvg-convert)", file=sys.stderr)
        return
    plot_matplotlib(lines, args.output)
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
