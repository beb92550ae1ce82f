# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures of the auralis_native test suite."""

from __future__ import annotations

import functools
import json
import math
import os
import pathlib
import wave

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
GOLDEN_DIR = pathlib.Path(os.environ.get("AURALIS_GOLDEN_DIR", REPO / "tests" / "golden"))


def golden_files() -> list[pathlib.Path]:
    return sorted(GOLDEN_DIR.glob("*.json"))


def load_golden(path: pathlib.Path) -> dict:
    with open(path) as f:
        return json.load(f)


def _libm(f, arg: np.ndarray) -> np.ndarray:
    """`f` (math.sin or math.exp: the C library's, as the golden data used) per element; numpy's
    vectorised sin/exp may differ by a few ulp, which the chirp turns into 4e-4 dB."""
    return np.fromiter(map(f, arg.tolist()), dtype=np.float64, count=arg.size)


def _sin(arg: np.ndarray) -> np.ndarray:
    return _libm(math.sin, arg)


def _exp(arg: np.ndarray) -> np.ndarray:
    return _libm(math.exp, arg)


def _channel(sig: dict, n: np.ndarray, sr: float) -> np.ndarray:
    """One channel of a closed-form golden signal, per the golden README's formulas (numpy's
    element-wise + - * / are IEEE operations, left to right as written, so only sin and exp need
    the C library)."""
    kind = sig["kind"]
    pi = np.pi
    np_sin, np_exp = _sin, _exp
    if kind == "sine":
        return sig["amplitude"] * np_sin(2.0 * pi * sig["frequency"] * n / sr + sig["phase"])
    if kind == "dc_plus_sine":
        return sig["dc"] + sig["amplitude"] * np_sin(2.0 * pi * sig["frequency"] * n / sr)
    if kind == "two_tone":
        return (sig["a1"] * np_sin(2.0 * pi * sig["f1"] * n / sr)
                + sig["a2"] * np_sin(2.0 * pi * sig["f2"] * n / sr))
    if kind == "silence":
        return np.zeros_like(n)
    if kind == "impulse":
        x = np.zeros_like(n)
        for p in sig["positions"]:
            x[int(p)] = sig["amplitude"]
        return x
    if kind == "impulse_train":
        i = n.astype(np.int64)
        hit = (i >= sig["offset"]) & ((i - sig["offset"]) % sig["period"] == 0)
        return np.where(hit, sig["amplitude"], 0.0)
    if kind == "log_chirp":
        f0, f1, sweep = sig["f0"], sig["f1"], sig["sweep_seconds"]
        k = np.log(f1 / f0)
        c = 2.0 * pi * f0 * sweep / k
        t = n / sr
        return sig["amplitude"] * np_sin(c * (np_exp(t * k / sweep) - 1.0))
    if kind == "multitone":
        t = n / sr
        acc = np.zeros_like(n)
        for i in range(sig["harmonics"]):
            h = float(i + 1)
            acc = acc + (0.2 / h) * np_sin(2.0 * pi * (sig["fundamental"] * h) * t + sig["phase"])
        env = 0.5 + 0.5 * np_sin(2.0 * pi * sig["env_hz"] * t)
        return sig["gain"] * env * acc
    if kind == "saw_bandlimited":
        t = n / sr
        acc = np.zeros_like(n)
        for k in range(1, sig["harmonics"] + 1):
            s = 1.0 if k % 2 == 1 else -1.0
            acc = acc + s * (2.0 / (pi * k)) * np_sin(2.0 * pi * (sig["frequency"] * k) * t)
        return sig["amplitude"] * acc
    raise AssertionError(f"unknown signal kind {kind}")


def golden_input(doc: dict, directory: pathlib.Path) -> np.ndarray:
    """The case's input, shape (num_samples,) or (num_samples, channels) (a read-only array,
    cached: several tests share it)."""
    return _golden_input(directory / (doc["name"] + ".json"))


@functools.lru_cache(maxsize=None)
def _golden_input(path: pathlib.Path) -> np.ndarray:
    doc = load_golden(path)
    directory = path.parent
    g = doc["generator"]
    frames, channels, sr = g["num_samples"], g["channels"], float(g["sample_rate"])
    if "samples_file" in g:
        x = np.fromfile(directory / g["samples_file"], dtype="<f8")
        assert x.size == frames * channels
        x = x.reshape(frames, channels)
    else:
        n = np.arange(frames, dtype=np.float64)
        x = np.stack([_channel(s, n, sr) for s in g["channel_signals"]], axis=1)
    out = x[:, 0].copy() if channels == 1 else np.ascontiguousarray(x)
    out.setflags(write=False)
    return out


def write_wav(path: pathlib.Path, samples: np.ndarray, sample_rate: int) -> None:
    """16-bit PCM WAV with the standard library (independent of the package under test)."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    pcm = np.clip(np.round(x * 32768.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(x.shape[1])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261204)
