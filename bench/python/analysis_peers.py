#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Spectrum analysis speed, side by side in one process (issue 15, acceptance 6).

180 s of 44.1 kHz mono (the seed's benchmark signal: 5 harmonics of 440 Hz under a 0.5 Hz
envelope), FFT 4096, hop 1024 (overlap 0.75), Hann window:

  ours, sequential   auralis_native SpectrumAnalyzer().analyze_file(x)            float64
  ours, parallel     ParallelSpectrumAnalyzer(max_workers=2).analyze_file(x)       float64
  ours, float32      SpectrumAnalyzer(compute_dtype="float32") on float32 input
  ours, float32 par. ParallelSpectrumAnalyzer(max_workers=2, compute_dtype="float32")
  librosa            |stft| (center=False) + spectral_centroid + spectral_rolloff, on the
                     float32 signal librosa.load would return
  librosa float64    the same on the float64 signal
  Essentia           Windowing(hann) -> Spectrum -> Centroid + RollOff per frame of
                     FrameGenerator (standard mode; the frame loop is Python, as in Essentia's
                     own examples); float32 is Essentia's only precision
  numpy              sliding_window_view * hann -> np.fft.rfft -> |.| -> centroid, rolloff

Ours computes more per frame than the peers (64 log bands, A weighting, temporal smoothing,
peak, energy, as well as centroid and rolloff); the peers do only STFT magnitude + centroid +
rolloff. Every figure is the median of --rounds interleaved rounds (each round calls every
candidate once, in a rotating order), after one untimed warm-up call each (plans, caches).

Also measured:
- the binding's overhead over the C++ call at 30 s: SpectrumAnalyzer().analyze_file on 30 s
  (Python, this process) against `auralis_spectrum_bench --benchmark_filter=
  '^BM_Sequential<double>/30/real_time$'` (C++, same analyzer class, same settings, same
  signal formula, analyzer built once outside the timed loop in both), run as a subprocess
  alternately with the Python timing blocks, --overhead-rounds times; the median of the
  per-round ratios (a round's two sides see the same load).
  Two processes on a shared machine disagree by a few per cent from noise alone, so the
  binding's own cost is also bounded from one process: analyze_file on a single 4096-sample
  frame (the fixed per-call cost: argument checks, GIL release, result dict; plus one frame)
  divided by the C++ time at 30 s.
- the speed-up of two Python threads over one: 2 calls of SpectrumAnalyzer.analyze_file (180 s,
  one analyzer per thread) run one after the other in one thread, then at the same time in two
  threads; only possible when the binding releases the GIL. For reference, the C++
  ParallelSpectrumAnalyzer with 1 and 2 workers is timed right after (what two threads can get
  from the machine at that moment).

    python bench/python/analysis_peers.py --bench-dir build/bench [--json out.json]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time

import numpy as np

RATE = 44100
FFT = 4096
HOP = 1024


def seed_signal(seconds, dtype=np.float64):
    """The seed's benchmark signal (bench/spectrum_bench.cpp computes the same formula)."""
    t = np.arange(int(seconds * RATE)) / RATE
    acc = np.zeros_like(t)
    for i in range(5):
        acc += (0.2 / (i + 1)) * np.sin(2.0 * np.pi * 440.0 * (i + 1) * t)
    return ((0.5 + 0.5 * np.sin(2.0 * np.pi * 0.5 * t)) * acc).astype(dtype)


# ---------------------------------------------------------------------------- candidates


def ours(parallel, float32, workers=2):
    from auralis_native.analysis.parallel_spectrum_analyzer import (
        ParallelSpectrumAnalyzer, ParallelSpectrumSettings)
    from auralis_native.analysis.spectrum_analyzer import SpectrumAnalyzer, SpectrumSettings

    dtype = "float32" if float32 else "float64"
    if parallel:
        an = ParallelSpectrumAnalyzer(ParallelSpectrumSettings(
            max_workers=workers, min_chunks_for_parallel=4, compute_dtype=dtype))
    else:
        an = SpectrumAnalyzer(SpectrumSettings(compute_dtype=dtype))

    def run(x):
        r = an.analyze_file(x, sample_rate=RATE)
        return r["spectral_centroid"], r["num_chunks_analyzed"]

    return run


def librosa_chain():
    import librosa

    def run(x):
        s = np.abs(librosa.stft(x, n_fft=FFT, hop_length=HOP, window="hann", center=False))
        c = librosa.feature.spectral_centroid(S=s, sr=RATE, n_fft=FFT, hop_length=HOP)
        r = librosa.feature.spectral_rolloff(S=s, sr=RATE, n_fft=FFT, hop_length=HOP,
                                             roll_percent=0.85)
        return float(np.mean(c)), r.shape[-1]

    return run


def essentia_chain():
    import essentia
    essentia.log.infoActive = False
    import essentia.standard as es

    window = es.Windowing(type="hann", size=FFT, zeroPadding=0, normalized=False)
    spectrum = es.Spectrum(size=FFT)
    centroid = es.Centroid(range=RATE / 2)
    rolloff = es.RollOff(sampleRate=RATE, cutoff=0.85)

    def run(x):
        cs, rs = [], []
        for frame in es.FrameGenerator(x, frameSize=FFT, hopSize=HOP, startFromZero=True,
                                       lastFrameToEndOfFile=False, validFrameThresholdRatio=1):
            s = spectrum(window(frame))
            cs.append(centroid(s))
            rs.append(rolloff(s))
        return float(np.mean(cs)), len(cs)

    return run


def numpy_chain():
    w = np.hanning(FFT + 1)[:-1]  # periodic Hann
    freqs = np.fft.rfftfreq(FFT, 1.0 / RATE)

    def run(x):
        frames = np.lib.stride_tricks.sliding_window_view(x, FFT)[::HOP]
        s = np.abs(np.fft.rfft(frames * w, axis=1))
        c = (s @ freqs) / np.maximum(s.sum(axis=1), 1e-300)
        cum = np.cumsum(s, axis=1)
        r = freqs[np.argmax(cum >= 0.85 * cum[:, -1:], axis=1)]
        return float(np.mean(c)), r.shape[0]

    return run


# ---------------------------------------------------------------------------- timing


def timed(fn, x):
    t0 = time.perf_counter()
    out = fn(x)
    return time.perf_counter() - t0, out


def interleaved(cands, rounds):
    """{name: [seconds]}: one warm-up call each, then `rounds` rounds, rotating the order."""
    times = {name: [] for name, _, _ in cands}
    frames = {}
    for name, fn, x in cands:
        _, out = timed(fn, x)
        frames[name] = out[1]
    for r in range(rounds):
        order = cands[r % len(cands):] + cands[:r % len(cands)]
        for name, fn, x in order:
            times[name].append(timed(fn, x)[0])
    return times, frames


def cpp_median_ms(bench_dir, name, repetitions, min_time=0.2):
    exe = os.path.join(bench_dir, "auralis_spectrum_bench")
    out = subprocess.run(
        [exe, "--benchmark_filter=^%s$" % name, "--benchmark_min_time=%g" % min_time,
         "--benchmark_repetitions=%d" % repetitions, "--benchmark_format=json"],
        capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    runs = [b for b in data["benchmarks"] if b.get("run_type") == "iteration"]
    if not runs:
        raise RuntimeError("%s: no benchmark matched %s" % (exe, name))
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[runs[0]["time_unit"]]
    return statistics.median(b["real_time"] * scale for b in runs)


def overhead_at_30s(bench_dir, rounds, calls):
    """([python ms], [c++ ms]): per round, the median of a Python block of `calls` calls and
    the median of a short C++ benchmark run (3 repetitions of >= 0.2 s), alternating, so that
    both sides of a round see the same load."""
    from auralis_native.analysis.spectrum_analyzer import SpectrumAnalyzer

    x = seed_signal(30)
    an = SpectrumAnalyzer()
    an.analyze_file(x, sample_rate=RATE)  # warm-up: plan, window, workspace
    py, cpp = [], []
    for _ in range(rounds):
        block = []
        for _ in range(calls):
            t0 = time.perf_counter()
            an.analyze_file(x, sample_rate=RATE)
            block.append(time.perf_counter() - t0)
        py.append(statistics.median(block) * 1e3)
        cpp.append(cpp_median_ms(bench_dir, "BM_Sequential<double>/30/real_time", 3))
    return py, cpp


def one_frame_call_us(calls=3000):
    """Median wall time of SpectrumAnalyzer.analyze_file on one frame (4096 samples): the
    binding's fixed per-call cost (argument checks, GIL release, result dict) plus one frame of
    analysis. Divided by the C++ time at 30 s it bounds the binding's share from above without
    depending on a second process."""
    from auralis_native.analysis.spectrum_analyzer import SpectrumAnalyzer

    x = seed_signal(30)[:FFT].copy()
    an = SpectrumAnalyzer()
    an.analyze_file(x, sample_rate=RATE)
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        an.analyze_file(x, sample_rate=RATE)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def two_threads(rounds):
    """(one-thread s, two-thread s, speed-up): 2 analyses of 180 s one after the other in one
    thread vs at the same time in two threads; medians over `rounds`."""
    from auralis_native.analysis.spectrum_analyzer import SpectrumAnalyzer

    x = seed_signal(180)
    analyzers = [SpectrumAnalyzer(), SpectrumAnalyzer()]
    for an in analyzers:
        an.analyze_file(x, sample_rate=RATE)
    one, two, busy = [], [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for an in analyzers:
            an.analyze_file(x, sample_rate=RATE)
        one.append(time.perf_counter() - t0)
        barrier = threading.Barrier(3)

        def work(an):
            barrier.wait()
            an.analyze_file(x, sample_rate=RATE)

        threads = [threading.Thread(target=work, args=(an,)) for an in analyzers]
        for t in threads:
            t.start()
        barrier.wait()
        t0, c0 = time.perf_counter(), time.process_time()
        for t in threads:
            t.join()
        two.append(time.perf_counter() - t0)
        busy.append((time.process_time() - c0) / two[-1])
    ratios = [a / b for a, b in zip(one, two)]
    return (statistics.median(one), statistics.median(two), statistics.median(ratios),
            statistics.median(busy))


# ---------------------------------------------------------------------------- main


def versions():
    v = {"python": platform.python_version(), "numpy": np.__version__}
    for mod in ("auralis_native", "librosa", "essentia", "scipy"):
        try:
            m = __import__(mod)
            v[mod] = getattr(m, "__version__", "?")
        except ImportError as e:
            v[mod] = "not installed (%s)" % e
    return v


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    p.add_argument("--bench-dir", default=os.path.join(here, "..", "..", "build", "bench"),
                   help="directory holding auralis_spectrum_bench (default build/bench)")
    p.add_argument("--seconds", type=float, default=180.0)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--overhead-rounds", type=int, default=15)
    p.add_argument("--thread-rounds", type=int, default=7)
    p.add_argument("--skip", default="", help="comma-separated candidates to leave out")
    p.add_argument("--json", help="write all timings here")
    args = p.parse_args()
    args.bench_dir = os.path.normpath(args.bench_dir)
    skip = set(filter(None, args.skip.split(",")))

    x64 = seed_signal(args.seconds)
    x32 = x64.astype(np.float32)
    cands = [("ours sequential", ours(False, False), x64),
             ("ours parallel (2 workers)", ours(True, False), x64),
             ("ours float32 sequential", ours(False, True), x32),
             ("ours float32 parallel (2 workers)", ours(True, True), x32)]
    missing = {}
    for name, make, x in (("librosa", librosa_chain, x32), ("librosa float64", librosa_chain, x64),
                          ("essentia", essentia_chain, x32), ("numpy", numpy_chain, x64)):
        if name in skip:
            continue
        try:
            cands.append((name, make(), x))
        except ImportError as e:
            missing[name] = str(e)
    times, frames = interleaved(cands, args.rounds)
    med = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    base = med["ours sequential"]
    par = med["ours parallel (2 workers)"]

    print("## Spectrum analysis, %.0f s of %d Hz mono, FFT %d, hop %d, medians of %d rounds"
          % (args.seconds, RATE, FFT, HOP, args.rounds))
    print()
    print("| candidate | frames | median | x ours sequential | x ours parallel | realtime |")
    print("|---|---|---|---|---|---|")
    for name, _, _ in cands:
        m = med[name]
        print("| %s | %d | %.1f ms | %.2f | %.2f | %.0fx |"
              % (name, frames[name], m, m / base, m / par, args.seconds / (m / 1e3)))
    for name, why in missing.items():
        print("| %s | not installed: %s | | | | |" % (name, why))
    print()

    result = {"versions": versions(), "seconds": args.seconds, "rounds": args.rounds,
              "median_ms": med, "frames": frames,
              "times_ms": {k: [t * 1e3 for t in v] for k, v in times.items()},
              "missing": missing}

    bench = os.path.join(args.bench_dir, "auralis_spectrum_bench")
    if os.access(bench, os.X_OK):
        pys, cpps = overhead_at_30s(args.bench_dir, args.overhead_rounds, 8)
        py, cpp = statistics.median(pys), statistics.median(cpps)
        paired = statistics.median(a / b for a, b in zip(pys, cpps))
        print("Binding overhead at 30 s (SpectrumAnalyzer, float64, sequential), %d alternating "
              "rounds: Python %.2f ms, C++ %.2f ms (medians); median of the per-round ratios "
              "%+.1f%% (per round, Python: %s; C++: %s)"
              % (args.overhead_rounds, py, cpp, 100 * (paired - 1),
                 ", ".join("%.2f" % v for v in pys), ", ".join("%.2f" % v for v in cpps)))
        one = one_frame_call_us()
        print("Per-call cost of the binding: analyze_file on one 4096-sample frame takes %.1f us "
              "(fixed cost + one frame): at most %.2f%% of the C++ call at 30 s (%.2f ms)"
              % (one, 100 * one / (cpp * 1e3), cpp))
        result["overhead_30s"] = {"python_ms": py, "cpp_ms": cpp, "python_rounds_ms": pys,
                                  "cpp_rounds_ms": cpps, "overhead": paired - 1,
                                  "one_frame_call_us": one}
    else:
        print("Binding overhead: %s not found (pass --bench-dir)" % bench)
    one, two, speedup, busy = two_threads(args.thread_rounds)
    print("Two Python threads over one (2 x SpectrumAnalyzer.analyze_file, 180 s): one thread "
          "%.1f ms, two threads %.1f ms, speed-up %.2fx; CPU time / wall time while the two "
          "threads ran: %.2f (at most 1 if the GIL serialised them) (medians of %d rounds)"
          % (one * 1e3, two * 1e3, speedup, busy, args.thread_rounds))
    result["two_threads"] = {"one_thread_ms": one * 1e3, "two_threads_ms": two * 1e3,
                             "speedup": speedup, "cpu_per_wall": busy}
    if os.access(bench, os.X_OK):
        # What the machine allows at this moment: the C++ parallel analyzer, 1 vs 2 workers.
        w1 = cpp_median_ms(args.bench_dir, "BM_Parallel<double>/180/1/real_time", 3)
        w2 = cpp_median_ms(args.bench_dir, "BM_Parallel<double>/180/2/real_time", 3)
        print("For reference, right after: C++ ParallelSpectrumAnalyzer 180 s, 1 worker %.1f ms, "
              "2 workers %.1f ms: %.2fx (the headroom the machine gave two threads)"
              % (w1, w2, w1 / w2))
        result["two_threads"]["cpp_parallel_speedup"] = w1 / w2
    print()
    print("versions: " + ", ".join("%s %s" % kv for kv in result["versions"].items()))
    load = os.getloadavg()
    print("load average at the end: %.2f %.2f %.2f on %d cores (figures are only as quiet as "
          "the machine)" % (load + (os.cpu_count(),)))
    result["loadavg"] = load
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
