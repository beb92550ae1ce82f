# SPDX-License-Identifier: GPL-3.0-or-later
"""The processor layer (optimization.parallel_processor) and the EQ (dsp.eq), checked against
numpy formulas and the EQ's documented identities."""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest

from auralis_native.dsp.eq import psychoacoustic_eq as peq
from auralis_native.errors import BandProcessingError, FeatureExtractionError
from auralis_native.optimization import parallel_processor as pp

SR = 44100


@pytest.fixture
def x(rng) -> np.ndarray:
    return rng.standard_normal(50_000) * 0.1


def numpy_stft(x: np.ndarray, n: int, hop: int) -> np.ndarray:
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)  # periodic Hann
    frames = np.lib.stride_tricks.sliding_window_view(x, n)[::hop]
    return np.fft.rfft(frames * w, axis=1).T


def test_stft_and_windowed_fft(x):
    proc = pp.ParallelFFTProcessor()
    s = proc.parallel_stft(x, 1024, 256)
    assert s.shape == (513, (x.size - 1024) // 256 + 1) and s.dtype == np.complex128
    np.testing.assert_allclose(s, numpy_stft(x, 1024, 256), rtol=0, atol=1e-9)
    s32 = proc.parallel_stft(x, 1024, 256, compute_dtype="float32")
    assert s32.dtype == np.complex64
    np.testing.assert_allclose(s32, s, rtol=0, atol=1e-3)
    full = proc.parallel_windowed_fft(x, 1024)  # hop fft_size // 2
    assert len(full) == (x.size - 1024) // 512 + 1 and full[0].shape == (1024,)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(1024) / 1024)
    np.testing.assert_allclose(full[3], np.fft.fft(x[3 * 512: 3 * 512 + 1024] * w), atol=1e-9)
    custom = proc.parallel_windowed_fft(x, 1024, 512, window=proc.get_window(1024))
    np.testing.assert_allclose(custom[2], np.fft.fft(x[1024:2048] * np.hanning(1024)), atol=1e-9)
    assert proc.parallel_windowed_fft(x[:100], 1024) == []
    assert proc.get_window(16) is proc.get_window(16)


def test_band_processor(x):
    filters = [lambda a: a * 0.5, lambda a: np.roll(a, 1), lambda a: a ** 2]
    gains = [0.0, -6.0, 3.0]
    g = [10 ** (v / 20) for v in gains]
    expected = g[0] * (x * 0.5) + g[1] * np.roll(x, 1) + g[2] * x ** 2
    for config in (pp.ParallelConfig(), pp.ParallelConfig(enable_parallel=False),
                   pp.ParallelConfig(band_grouping=False, chunk_processing_threshold=0)):
        y = pp.ParallelBandProcessor(config).process_bands_parallel(x, filters, gains)
        np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-15)
    y = pp.ParallelBandProcessor().process_bands_parallel(x, filters, gains, [[0, 2], [1]])
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-15)

    def bad(a):
        raise KeyError("boom")
    with pytest.raises(BandProcessingError) as e:
        pp.ParallelBandProcessor().process_bands_parallel(x, [filters[0], bad], [0.0, 0.0])
    assert e.value.band == 1 and "boom" in str(e.value)


def test_feature_extractor(x):
    out = pp.ParallelFeatureExtractor().extract_features_parallel(
        x, {"rms": lambda a: float(np.sqrt(np.mean(a ** 2))), "peak": lambda a: np.max(abs(a)),
            "same": lambda a: a})
    assert out["rms"] == float(np.sqrt(np.mean(x ** 2)))
    assert out["peak"] == np.max(abs(x))
    assert out["same"] is x  # the extractors get the caller's array itself (no copy)
    with pytest.raises(FeatureExtractionError) as e:
        pp.ParallelFeatureExtractor().extract_features_parallel(x, {"f": lambda a: [][1]})
    assert e.value.feature == "f"


def test_audio_processor_batch_order_errors_and_decorator():
    proc = pp.create_parallel_processor(pp.ParallelConfig(max_workers=2))
    assert proc.process_batch(range(20), lambda v: v * v) == [v * v for v in range(20)]
    assert proc.process_batch([], len) == []
    seen = []
    lock = threading.Lock()

    def f(v):
        with lock:
            seen.append(v)
        if v in (3, 7):
            raise ValueError(f"bad {v}")
        return v

    with pytest.raises(ValueError, match="bad 3"):  # the first in input order, as raised
        proc.process_batch(range(10), f)
    assert sorted(seen) == list(range(10))  # every input ran
    assert pp.get_parallel_processor() is pp.get_parallel_processor(pp.ParallelConfig())
    proc.update_config(max_workers=1)
    assert proc.get_config().max_workers == 1

    @pp.parallelize(max_workers=2)
    def square(v, offset=0):
        return v * v + offset

    assert square([1, 2, 3], offset=1) == [2, 5, 10]


def test_eq_identities(rng):
    audio = rng.standard_normal((20_000, 2)) * 0.1
    eq = peq.PsychoacousticEQ(peq.EQSettings(channels=2))
    flat = eq.process(audio, [0.0] * 25)
    assert flat.shape == audio.shape and flat.dtype == np.float64
    np.testing.assert_allclose(flat, audio, rtol=0, atol=1e-12)  # 0 dB passes the input
    np.testing.assert_allclose(eq.apply_band_gains(audio, [0.0] * 25), audio, atol=1e-12)
    curve = np.linspace(-6, 6, 25)
    offline = eq.process(audio, curve)
    traj = eq.gain_trajectory(audio, curve)
    assert traj.shape[1] == 25 and np.all(np.abs(traj) <= 12.0)
    # Real-time path: the same bits, delayed by latency() = fft_size - 1.
    lat = eq.latency
    assert lat == 2047
    blocks = [eq.process_realtime_chunk(audio[i:i + 1000], curve)
              for i in range(0, audio.shape[0], 1000)]
    stream = np.concatenate(blocks)
    assert np.array_equal(stream[lat:], offline[:audio.shape[0] - lat])
    assert not np.any(stream[:lat])
    eq.reset()
    eq32 = peq.PsychoacousticEQ(peq.EQSettings(channels=2, compute_dtype="float32"))
    assert eq32.process(audio, curve).dtype == np.float32
    assert pickle.loads(pickle.dumps(eq)).settings == eq.settings
    assert len(peq.critical_band_edges) == 26
    assert peq.critical_band_center(0) == pytest.approx(np.sqrt(20 * 100))
    assert peq.perceptual_weight(2000.0) == 1.0


def test_filter_bank_matches_apply_band_gains(rng):
    x = rng.standard_normal(30_000) * 0.1
    gains = np.linspace(-3, 3, 25)
    bank = peq.CriticalBandFilterBank()
    eq = peq.PsychoacousticEQ()
    np.testing.assert_allclose(bank.process(x, gains), eq.apply_band_gains(x, gains),
                               rtol=0, atol=1e-9)
