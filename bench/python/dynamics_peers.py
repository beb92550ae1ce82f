#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compressor and limiter speed against Spotify's pedalboard (JUCE), in one run.

Peer: pedalboard.Compressor and pedalboard.Limiter (JUCE's dsp::Compressor / dsp::Limiter,
float32) on 180 s of 44.1 kHz stereo float32, (2, frames) C-contiguous arrays of the C++
benchmarks' signals (same recipes, numpy's noise): music-like noise for the compressor,
"drums and noise" (kicks to +4 dBFS, snares to +1 dBFS) for the limiter, so that both
processors work all the time. Ours: the C++ float
benchmarks, run as subprocesses of this script in the same run, interleaved with the
pedalboard timings:

    <bench-dir>/auralis_compressor_bench --benchmark_filter=BM_CompressorFloatLinked
    <bench-dir>/auralis_limiter_bench    --benchmark_filter='^BM_LimiterFloat(TruePeak)?/'

with --benchmark_format=json and --benchmark_repetitions. A benchmark whose audio length
(counter `audio_s`, else its first argument, e.g. /180/) is not 180 s is scaled to 180 s
linearly (the processors are O(n)); the table says so.

What differs (the ratios compare unequal work, in pedalboard's favour):
- pedalboard's Compressor has no knee and no look-ahead (ours: 2 dB knee, 5 ms look-ahead),
  and follows each channel on its own (JUCE's ballistics per channel: the stereo image shifts
  when one side is louder); ours is stereo-linked (one gain for both channels).
- pedalboard's Limiter is JUCE's: two compressors in series (-10 dB 4:1 2 ms, then the
  threshold at 1000:1), a make-up gain of -threshold and a hard clip at 0 dBFS. So its
  "threshold" is a drive and its ceiling is always 0 dBFS; no look-ahead (fast transients are
  caught by the hard clip, i.e. clipped), no true-peak (inter-sample) detection. Ours: a
  brick-wall limiter with 2 ms look-ahead at a -1 dBFS ceiling, without true-peak detection
  (BM_LimiterFloat, the feature match) and with it (BM_LimiterFloatTruePeak). (The filter
  'BM_LimiterFloat$' matches nothing: the names end in /180/real_time.)
- Both run in float32 here (pedalboard's only precision; our Float benchmarks).

    python bench/python/dynamics_peers.py --bench-dir build/bench [--json out.json]

Without the C++ binaries (or without these benchmarks in them) it reports the pedalboard
figures alone.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

RATE = 44100
SECONDS = 180.0

# The peer's settings: those of our benchmarks (the library's defaults) where pedalboard has
# the parameter. Ours also has a 2 dB knee and 5 ms look-ahead (compressor) and 2 ms look-ahead
# with true-peak detection (limiter), which pedalboard lacks.
COMPRESSOR = {"threshold_db": -18.0, "ratio": 4.0, "attack_ms": 10.0, "release_ms": 100.0}
LIMITER = {"threshold_db": -1.0, "release_ms": 50.0}

OURS = (("compressor", "auralis_compressor_bench", "BM_CompressorFloatLinked"),
        ("limiter", "auralis_limiter_bench", "^BM_LimiterFloat(TruePeak)?/"))


def pinkish(rng, n):
    """Three one-pole-filtered white noises summed (about -3 dB/octave), as the C++ benchmarks
    make it; also returns the white noise."""
    from scipy.signal import lfilter

    w = rng.standard_normal(n)
    s = np.zeros(n)
    for pole, weight in ((0.99765, 0.0990460), (0.963, 0.2965164), (0.57, 1.0526913)):
        s += lfilter([weight], [1.0, -pole], w)
    return s, w


def music_like(seconds=SECONDS):
    """bench/compressor_bench.cpp's signal: pink-ish noise under a 0.5 Hz swell and 4 Hz beats,
    peaking near 0 dBFS."""
    rng = np.random.default_rng(20261204)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    swell = 0.35 + 0.25 * np.sin(2 * np.pi * 0.5 * t)
    beat = 0.6 + 0.4 * np.abs(np.sin(2 * np.pi * 2.0 * t))
    x = np.empty((2, n))
    for c in range(2):
        x[c] = 0.08 * swell * beat * pinkish(rng, n)[0]
    return np.ascontiguousarray(x, dtype=np.float32)


def drums_and_noise(seconds=SECONDS):
    """bench/limiter_bench.cpp's signal: pink-ish noise at about -14 dBFS RMS under a 0.5 Hz
    swell, a kick every 0.5 s (a falling sweep to about +4 dBFS), a noise snare on the off-beats
    (about +1 dBFS)."""
    rng = np.random.default_rng(20261204)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    swell = 0.7 + 0.3 * np.sin(2 * np.pi * 0.5 * t)
    tk = np.fmod(t, 0.5)
    kick = 1.6 * np.exp(-tk / 0.06) * np.sin(
        2 * np.pi * (45.0 * tk + 2.4 * (1.0 - np.exp(-tk / 0.03))))
    snare_env = 1.1 * np.exp(-np.fmod(t + 0.25, 0.5) / 0.04)
    x = np.empty((2, n))
    for c in range(2):
        s, w = pinkish(rng, n)
        x[c] = 0.1 * swell * s + kick + snare_env * np.clip(w / 3.0, -1.0, 1.0)
    return np.ascontiguousarray(x, dtype=np.float32)


def time_peer(proc, x, calls):
    times = []
    for _ in range(calls):
        proc.reset()
        t0 = time.perf_counter()
        y = proc(x, RATE)
        times.append(time.perf_counter() - t0)
    assert y.shape == x.shape and y.dtype == np.float32
    return times


def run_ours(exe, pattern, repetitions):
    """[{name, median_ms, audio_s, context...}] of every benchmark matching `pattern`."""
    out = subprocess.run([exe, "--benchmark_filter=" + pattern,
                          "--benchmark_repetitions=%d" % repetitions,
                          "--benchmark_format=json"],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    by_name = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
        entry = by_name.setdefault(b.get("run_name", b["name"]), {"times_ms": [], "bench": b})
        entry["times_ms"].append(b["real_time"] * scale)
    if not by_name:
        raise RuntimeError("%s: no benchmark matched %s" % (exe, pattern))
    return by_name


def seconds_from_name(name):
    """The first numeric argument of a benchmark name (BM_X/180/real_time -> 180), or None."""
    for part in name.split("/")[1:]:
        if part.isdigit():
            return float(part)
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    p.add_argument("--bench-dir", default=os.path.join(here, "..", "..", "build", "bench"),
                   help="directory holding auralis_compressor_bench and auralis_limiter_bench")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    p.add_argument("--calls", type=int, default=5, help="pedalboard calls per round")
    p.add_argument("--repetitions", type=int, default=5, help="C++ repetitions per round")
    p.add_argument("--json", help="write all timings here")
    args = p.parse_args()
    args.bench_dir = os.path.normpath(args.bench_dir)

    import pedalboard

    signals = {"compressor": music_like(), "limiter": drums_and_noise()}
    peers = {"compressor": pedalboard.Compressor(**COMPRESSOR),
             "limiter": pedalboard.Limiter(**LIMITER)}
    for kind, proc in peers.items():  # warm-up
        proc(signals[kind][:, :RATE], RATE)
    exes = {kind: os.path.join(args.bench_dir, exe) for kind, exe, _ in OURS}
    have = {kind: os.access(path, os.X_OK) for kind, path in exes.items()}

    peer_times = {kind: [] for kind in peers}
    ours = {kind: {} for kind in peers}
    for _ in range(args.rounds):
        for kind, _exe, pattern in OURS:
            peer_times[kind] += time_peer(peers[kind], signals[kind], args.calls)
            if have[kind]:
                try:
                    runs = run_ours(exes[kind], pattern, args.repetitions)
                except (RuntimeError, subprocess.CalledProcessError, ValueError) as e:
                    print("note: %s: %s" % (exes[kind], e), file=sys.stderr)
                    have[kind] = False
                    continue
                for name, entry in runs.items():
                    slot = ours[kind].setdefault(name, {"times_ms": [], "bench": entry["bench"]})
                    slot["times_ms"] += entry["times_ms"]

    print("## Dynamics, 180 s of 44.1 kHz stereo float32, medians of %d interleaved rounds"
          % args.rounds)
    print()
    print("| processor | implementation | median (180 s) | realtime | ours / pedalboard |")
    print("|---|---|---|---|---|")
    result = {"versions": {"python": platform.python_version(), "numpy": np.__version__,
                           "pedalboard": pedalboard.__version__},
              "peer_settings": {"compressor": COMPRESSOR, "limiter": LIMITER},
              "pedalboard_ms": {}, "ours": {}}
    for kind in peers:
        pm = statistics.median(peer_times[kind]) * 1e3
        result["pedalboard_ms"][kind] = pm
        settings = COMPRESSOR if kind == "compressor" else LIMITER
        print("| %s | pedalboard.%s(%s) | %.1f ms | %.0fx | |"
              % (kind, type(peers[kind]).__name__,
                 ", ".join("%s=%g" % kv for kv in settings.items()), pm, SECONDS / (pm / 1e3)))
        if not have[kind]:
            print("| %s | ours: %s not built or without the benchmark | | | |"
                  % (kind, exes[kind]))
            continue
        for name, slot in ours[kind].items():
            b = slot["bench"]
            audio = b.get("audio_s") or seconds_from_name(name)
            med = statistics.median(slot["times_ms"])
            scaled = med * SECONDS / audio if audio else med
            note = "" if not audio or abs(audio - SECONDS) < 1e-9 else \
                " (measured on %g s, scaled)" % audio
            print("| %s | ours: %s%s | %.1f ms | %.0fx | %.2f |"
                  % (kind, name, note, scaled, SECONDS / (scaled / 1e3), scaled / pm))
            result["ours"][name] = {"median_ms_180s": scaled, "measured_ms": slot["times_ms"],
                                    "audio_s": audio, "ratio_ours_over_peer": scaled / pm,
                                    "counters": {k: v for k, v in b.items()
                                                 if isinstance(v, (int, float))}}
    print()
    for kind, proc in peers.items():
        x = signals[kind]
        y = proc(x, RATE)
        peak_in, peak_out = (20 * np.log10(float(np.max(np.abs(a)))) for a in (x, y))
        print("pedalboard %s: sample peak in %+.2f dBFS, out %+.2f dBFS" % (kind, peak_in, peak_out))
        result.setdefault("pedalboard_peaks_dbfs", {})[kind] = [peak_in, peak_out]
    print("ratio < 1: ours is faster. pedalboard: per-channel compressor without knee or "
          "look-ahead; limiter = 2 compressors + make-up + hard clip at 0 dBFS, no look-ahead, "
          "no true peak. Ours: stereo-linked compressor (knee, 5 ms look-ahead); brick-wall "
          "limiter, 2 ms look-ahead, -1 dBFS ceiling, without / with true peak.")
    print("versions: " + ", ".join("%s %s" % kv for kv in result["versions"].items()))
    load = os.getloadavg()
    print("load average at the end: %.2f %.2f %.2f on %d cores" % (load + (os.cpu_count(),)))
    result["loadavg"] = load
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
