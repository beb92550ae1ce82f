#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Draws docs/img/limiter_gain.svg: the BrickWallLimiter's gain on a drum-like signal.

The data come from the limiter test (tests/limiter_test.cpp, LimiterPlot.DrumLikeSignal: 1 s of
stereo 44.1 kHz kicks, snares and bass through the default limiter, -1 dBTP ceiling, 2 ms
look-ahead, 50 ms release, true peak on):

    AURALIS_LIMITER_PLOT_CSV=/tmp/limiter_gain.csv \\
        build/tests/limiter_test --gtest_filter=LimiterPlot.*
    scripts/plot_limiter_gain.py /tmp/limiter_gain.csv docs/img/limiter_gain.svg

Plain SVG, Python's standard library only (runs under Debian's /usr/bin/python3).
"""

import csv
import math
import sys

WIDTH, LEFT, RIGHT = 900, 70, 40
PLOT_W = WIDTH - LEFT - RIGHT
CEILING = 10 ** (-1.0 / 20)


def read(path):
    t, x, y, g = [], [], [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            t.append(float(row["time_s"]))
            x.append(float(row["input"]))
            y.append(float(row["output"]))
            g.append(float(row["gain_db"]))
    return t, x, y, g


class Panel:
    def __init__(self, top, height, t0, t1, v0, v1):
        self.top, self.height, self.t0, self.t1, self.v0, self.v1 = top, height, t0, t1, v0, v1

    def px(self, t):
        return LEFT + (t - self.t0) / (self.t1 - self.t0) * PLOT_W

    def py(self, v):
        return self.top + (self.v1 - v) / (self.v1 - self.v0) * self.height

    def frame(self, out, title, ylabel, yticks, xticks, xlabel):
        out.append(f'<rect x="{LEFT}" y="{self.top}" width="{PLOT_W}" height="{self.height}" '
                   'fill="none" stroke="#888"/>')
        out.append(f'<text x="{LEFT}" y="{self.top - 8}" font-size="14" '
                   f'font-weight="bold">{title}</text>')
        for v in yticks:
            y = self.py(v)
            out.append(f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y:.1f}" y2="{y:.1f}" '
                       'stroke="#eee"/>')
            out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" '
                       f'text-anchor="end">{v:g}</text>')
        for t in xticks:
            x = self.px(t)
            out.append(f'<text x="{x:.1f}" y="{self.top + self.height + 14}" font-size="11" '
                       f'text-anchor="middle">{t:g}</text>')
        out.append(f'<text x="{LEFT + PLOT_W / 2}" y="{self.top + self.height + 30}" '
                   f'font-size="12" text-anchor="middle">{xlabel}</text>')
        out.append(f'<text x="16" y="{self.top + self.height / 2}" font-size="12" '
                   f'text-anchor="middle" transform="rotate(-90 16 {self.top + self.height / 2})">'
                   f'{ylabel}</text>')

    def hline(self, out, v, colour, dash="5,4"):
        y = self.py(v)
        out.append(f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{colour}" stroke-dasharray="{dash}"/>')

    def envelope(self, out, t, v, colour, columns=PLOT_W):
        """Min/max of the samples falling in each pixel column, as one filled polygon."""
        lo = [math.inf] * columns
        hi = [-math.inf] * columns
        for ti, vi in zip(t, v):
            if self.t0 <= ti <= self.t1:
                c = min(columns - 1, int((ti - self.t0) / (self.t1 - self.t0) * columns))
                lo[c] = min(lo[c], vi)
                hi[c] = max(hi[c], vi)
        top = [(LEFT + c + 0.5, self.py(h)) for c, h in enumerate(hi) if h > -math.inf]
        bottom = [(LEFT + c + 0.5, self.py(lo[c])) for c in range(columns - 1, -1, -1)
                  if lo[c] < math.inf]
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in top + bottom)
        out.append(f'<polygon points="{pts}" fill="{colour}" stroke="{colour}" '
                   'stroke-width="0.5"/>')

    def line(self, out, t, v, colour, width=1.2):
        """A polyline; more than two points per pixel column keep each column's minimum."""
        sel = [(a, b) for a, b in zip(t, v) if self.t0 <= a <= self.t1]
        if len(sel) > 2 * PLOT_W:
            cols = {}
            for a, b in sel:
                c = int((a - self.t0) / (self.t1 - self.t0) * PLOT_W)
                if c not in cols or b < cols[c][1]:
                    cols[c] = (a, b)
            sel = [cols[c] for c in sorted(cols)]
        pts = " ".join(f"{self.px(a):.1f},{self.py(b):.1f}" for a, b in sel)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" '
                   f'stroke-width="{width}"/>')


def main():
    src, dst = sys.argv[1], sys.argv[2]
    t, x, y, g = read(src)
    out = []
    height = 760
    out.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
               f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">')
    out.append('<rect width="100%" height="100%" fill="white"/>')

    a = Panel(40, 180, 0.0, 1.0, -2.0, 2.0)
    a.frame(out, "Drum-like input (grey) and limited output (blue), left channel", "amplitude",
            [-2, -1, 0, 1, 2], [0, 0.2, 0.4, 0.6, 0.8, 1.0], "time (s)")
    a.envelope(out, t, x, "#c8c8c8")
    a.envelope(out, t, y, "#2060c0")
    a.hline(out, CEILING, "#d03030")
    a.hline(out, -CEILING, "#d03030")

    gmin = min(g)
    floor_db = -3 * math.ceil(-gmin / 3) if gmin < 0 else -3
    b = Panel(290, 150, 0.0, 1.0, floor_db, 0.5)
    b.frame(out, "Gain g (dB): ramps down across the 2 ms look-ahead, recovers with the 50 ms "
            "release", "gain (dB)", list(range(0, floor_db - 1, -3)),
            [0, 0.2, 0.4, 0.6, 0.8, 1.0], "time (s)")
    b.line(out, t, g, "#e07000")

    # Zoom on the second kick: the gain reaches its reduction linearly before the peak.
    z0, z1 = 0.4955, 0.5125
    c = Panel(510, 190, z0, z1, -2.0, 2.0)
    c.frame(out, "Zoom on a kick (17 ms): input (grey), output (blue), gain (orange, right scale "
            f"{floor_db}..0 dB)", "amplitude", [-2, -1, 0, 1, 2],
            [round(z0 + k * 0.0025, 4) for k in range(7)], "time (s)")
    c.hline(out, CEILING, "#d03030")
    c.hline(out, -CEILING, "#d03030")
    c.line(out, t, x, "#b0b0b0", 1.0)
    c.line(out, t, y, "#2060c0", 1.2)
    gz = Panel(510, 190, z0, z1, floor_db, 0.0)
    gz.line(out, t, g, "#e07000", 1.6)
    for v in range(0, floor_db - 1, -3):
        out.append(f'<text x="{LEFT + PLOT_W + 4}" y="{gz.py(v) + 4:.1f}" font-size="10" '
                   f'fill="#e07000">{v}</text>')

    out.append("</svg>")
    with open(dst, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
