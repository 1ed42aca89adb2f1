#!/usr/bin/env python3
"""Draws docs/scaling.svg from the scaling CSVs (standard library only) and prints the table.

    scaling_chart.py TIME_CSV MEMORY_CSV OUT_SVG
"""

import csv
import math
import sys


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def main():
    time_rows, memory_rows = read(sys.argv[1]), read(sys.argv[2])
    memory = {int(r["points"]): int(r["peak_rss_kib"]) for r in memory_rows}
    print("| points | batch sweep | ns/point | streaming | ns/point | streaming peak RSS |")
    print("|---|---|---|---|---|---|")
    points, batch, stream = [], [], []
    for r in time_rows:
        n, b, s = int(r["points"]), float(r["batch_seconds"]), float(r["streaming_seconds"])
        points.append(n), batch.append(b), stream.append(s)
        print(f"| 10^{round(math.log10(n))} | {b * 1e3:.3f} ms | {b / n * 1e9:.1f} | "
              f"{s * 1e3:.3f} ms | {s / n * 1e9:.1f} | {memory.get(n, 0):,} KiB |")

    # Log-log chart: time against points, with the linear reference through the largest run.
    width, height, margin = 640, 400, 60
    xs = [math.log10(n) for n in points]
    all_t = [math.log10(t) for t in batch + stream]
    lo_t, hi_t = math.floor(min(all_t)), math.ceil(max(all_t))

    def x(v):
        return margin + (v - xs[0]) / (xs[-1] - xs[0]) * (width - 2 * margin)

    def y(v):
        return height - margin - (v - lo_t) / (hi_t - lo_t) * (height - 2 * margin)

    def line(values, colour, label, dash=""):
        pts = " ".join(f"{x(a):.1f},{y(math.log10(t)):.1f}" for a, t in zip(xs, values))
        marks = "".join(f'<circle cx="{x(a):.1f}" cy="{y(math.log10(t)):.1f}" r="3" fill="{colour}"/>'
                        for a, t in zip(xs, values))
        return (f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2" {dash}/>'
                f"{marks}")

    linear = [batch[-1] * n / points[-1] for n in points]
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">'
           "Burn-rate sweep time against history length (log-log)</text>"]
    for e in range(int(xs[0]), int(xs[-1]) + 1):
        svg.append(f'<line x1="{x(e)}" y1="{height - margin}" x2="{x(e)}" y2="{margin}" stroke="#ddd"/>'
                   f'<text x="{x(e)}" y="{height - margin + 18}" text-anchor="middle">10^{e}</text>')
    for e in range(lo_t, hi_t + 1):
        svg.append(f'<line x1="{margin}" y1="{y(e)}" x2="{width - margin}" y2="{y(e)}" stroke="#ddd"/>'
                   f'<text x="{margin - 6}" y="{y(e) + 4}" text-anchor="end">1e{e} s</text>')
    svg.append(line(linear, "#999", "linear", 'stroke-dasharray="4 4"'))
    svg.append(line(batch, "#1f77b4", "batch"))
    svg.append(line(stream, "#d62728", "streaming"))
    legend = [("#1f77b4", "batch sweep"), ("#d62728", "streaming"), ("#999", "linear (through batch at 10^7)")]
    for i, (colour, label) in enumerate(legend):
        svg.append(f'<rect x="{margin + 10}" y="{margin + 10 + 18 * i}" width="12" height="3" fill="{colour}"/>'
                   f'<text x="{margin + 28}" y="{margin + 15 + 18 * i}">{label}</text>')
    svg.append(f'<text x="{width / 2}" y="{height - 15}" text-anchor="middle">one-minute points in the series</text>')
    svg.append("</svg>")
    with open(sys.argv[3], "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
