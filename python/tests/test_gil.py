# SPDX-License-Identifier: GPL-3.0-or-later
"""The GIL is released during native calls, proven without timing thresholds: a Python ticker
thread advances while one long call runs, and two calls from two threads overlap. Concurrent
analyze_chunk on one analyzer is safe (serialised)."""

from __future__ import annotations

import threading
import time

import numpy as np

from auralis_native.analysis.parallel_spectrum_analyzer import (ParallelSpectrumAnalyzer,
                                                                ParallelSpectrumSettings)
from auralis_native.analysis.spectrum_analyzer import SpectrumAnalyzer, SpectrumSettings

SR = 44100


def long_signal(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.standard_normal(int(seconds * SR)) * 0.1


def test_ticker_advances_during_one_call():
    x = long_signal(60.0)
    analyzer = SpectrumAnalyzer(SpectrumSettings(fft_size=4096, overlap=0.9))
    ticks = 0
    running = threading.Event()
    stop = threading.Event()

    def ticker():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            running.set()
            time.sleep(0)  # yield: the ticker needs the GIL for every tick

    t = threading.Thread(target=ticker)
    t.start()
    running.wait()
    start_ticks = ticks
    analyzer.analyze_file(x)
    during = ticks - start_ticks
    stop.set()
    t.join()
    # With the GIL held for the whole call, the ticker could run at most one switch interval
    # (5 ms) worth of ticks before the call and none during it; it runs throughout instead.
    assert during > 100, during


def test_two_calls_overlap():
    x = long_signal(30.0)
    analyzer = ParallelSpectrumAnalyzer(ParallelSpectrumSettings(enable_parallel=False))
    spans: dict[int, tuple[float, float]] = {}
    barrier = threading.Barrier(2)

    def work(i):
        barrier.wait()
        t0 = time.perf_counter()
        analyzer.analyze_file(x)
        spans[i] = (t0, time.perf_counter())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (a0, a1), (b0, b1) = spans[0], spans[1]
    # Each call started before the other one ended: they ran at the same time.
    assert a0 < b1 and b0 < a1


def test_concurrent_analyze_chunk_on_one_object_is_safe():
    x = long_signal(1.0)
    chunk = x[:4096]
    # Smoothing factor 0: each frame's result is independent of the previous calls, so every
    # interleaving must give the single-call result exactly.
    analyzer = SpectrumAnalyzer(SpectrumSettings(smoothing_factor=0.0))
    expected = SpectrumAnalyzer(SpectrumSettings(smoothing_factor=0.0)).analyze_chunk(chunk)
    errors = []

    def work():
        try:
            for _ in range(200):
                if analyzer.analyze_chunk(chunk) != expected:
                    errors.append("mismatch")
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
