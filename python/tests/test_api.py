# SPDX-License-Identifier: GPL-3.0-or-later
"""The reference's API surface: module paths, dataclass fields and defaults, result keys and
value types for every method; input dtypes and layouts; no copy; pickling; thread cap."""

from __future__ import annotations

import dataclasses
import importlib
import os
import pickle
import tracemalloc

import numpy as np
import pytest

import auralis_native
from auralis_native.analysis.parallel_spectrum_analyzer import (
    ParallelSpectrumAnalyzer, ParallelSpectrumSettings, create_parallel_spectrum_analyzer)
from auralis_native.analysis.spectrum_analyzer import SpectrumAnalyzer, SpectrumSettings
from auralis_native.optimization import parallel_processor as pp

SR = 44100


def tone(seconds: float = 2.0, channels: int = 1) -> np.ndarray:
    n = np.arange(int(seconds * SR))
    left = 0.5 * np.sin(2 * np.pi * 440.0 * n / SR) + 0.1 * np.sin(2 * np.pi * 3000.0 * n / SR)
    if channels == 1:
        return left
    right = 0.3 * np.sin(2 * np.pi * 1000.0 * n / SR)
    return np.ascontiguousarray(np.stack([left, right], axis=1))


def test_module_paths_and_names():
    for module, names in {
        "auralis_native.analysis.spectrum_analyzer": ["SpectrumSettings", "SpectrumAnalyzer"],
        "auralis_native.analysis.parallel_spectrum_analyzer": [
            "ParallelSpectrumSettings", "ParallelSpectrumAnalyzer",
            "create_parallel_spectrum_analyzer"],
        "auralis_native.optimization.parallel_processor": [
            "ParallelConfig", "ParallelFFTProcessor", "ParallelBandProcessor",
            "ParallelFeatureExtractor", "ParallelAudioProcessor", "get_parallel_processor",
            "create_parallel_processor", "parallelize"],
        "auralis_native.dsp.eq.psychoacoustic_eq": ["EQSettings", "PsychoacousticEQ"],
        "auralis_native.io": ["AudioFileReader", "read_audio_file", "write_audio_file",
                              "audio_file_info"],
    }.items():
        m = importlib.import_module(module)
        for name in names:
            assert hasattr(m, name), f"{module}.{name}"
    from importlib.metadata import version
    # The C++ library's version_string and the wheel's metadata (python/pyproject.toml) agree.
    assert auralis_native.__version__ == version("auralis-native")


def fields(cls) -> dict:
    return {f.name: (f.type, f.default) for f in dataclasses.fields(cls)}


def test_settings_dataclasses_match_the_reference():
    ref = {
        "fft_size": ("int", 4096), "window_type": ("str", "hann"), "overlap": ("float", 0.75),
        "sample_rate": ("int", 44100), "frequency_bands": ("int", 64),
        "frequency_weighting": ("str", "A"), "smoothing_factor": ("float", 0.8),
        "min_frequency": ("float", 20.0), "max_frequency": ("float", 20000.0),
    }
    got = fields(SpectrumSettings)
    assert list(got)[:9] == list(ref)  # same order: positional construction works
    for name, (typ, default) in ref.items():
        assert got[name] == (typ, default), name
    par = fields(ParallelSpectrumSettings)
    assert par["enable_parallel"] == ("bool", True)
    assert par["max_workers"] == ("int", 8)
    assert par["min_chunks_for_parallel"] == ("int", 4)
    cfg = pp.ParallelConfig()
    assert (cfg.enable_parallel, cfg.use_multiprocessing, cfg.chunk_processing_threshold,
            cfg.band_grouping, cfg.shared_memory_threshold_mb, cfg.adaptive_workers) == (
        True, False, 44100, True, 10, True)
    assert cfg.max_workers == min(8, os.cpu_count())


CHUNK_KEYS = {"spectrum": list, "frequency_bins": list, "peak_frequency": float,
              "spectral_centroid": float, "spectral_rolloff": float, "total_energy": float,
              "settings": dict}
FILE_KEYS = dict(CHUNK_KEYS, num_chunks_analyzed=int, analysis_duration=float)


def check_types(result: dict, keys: dict, settings: dict) -> None:
    assert set(result) == set(keys)
    for k, t in keys.items():
        assert type(result[k]) is t, (k, type(result[k]))
    assert all(type(v) is float for v in result["spectrum"])
    assert all(type(v) is float for v in result["frequency_bins"])
    assert result["settings"] == settings
    for k, v in settings.items():
        assert type(result["settings"][k]) is type(v), k


@pytest.mark.parametrize("cls", [SpectrumAnalyzer, ParallelSpectrumAnalyzer])
def test_result_keys_and_types(cls):
    a = cls()
    x = tone()
    check_types(a.analyze_chunk(x[:4096]), CHUNK_KEYS,
                {"fft_size": 4096, "frequency_bands": 64, "weighting": "A"})
    file_settings = {"fft_size": 4096, "frequency_bands": 64, "weighting": "A", "overlap": 0.75}
    if cls is ParallelSpectrumAnalyzer:
        # The parallel path needs a second thread (not there under taskset -c 0).
        file_settings["parallel_processing"] = auralis_native.available_workers() > 1
    r = a.analyze_file(x, sample_rate=SR)
    check_types(r, FILE_KEYS, file_settings)
    assert r["num_chunks_analyzed"] == (x.size - 4096) // 1024 + 1
    assert r["analysis_duration"] == x.size / SR
    names = a.get_frequency_band_names()
    assert len(names) == 64 and all(isinstance(n, str) for n in names)
    assert names[0] == "20Hz" and names[-1] == "20.0kHz"
    assert isinstance(a.frequency_bins, np.ndarray) and a.frequency_bins.shape == (64,)
    assert a.window.shape == (4096,) and a.weighting_curve.shape == (64,)
    a.reset_smoothing()


def test_parallel_settings_report_the_path():
    x = tone(0.2)
    seq = ParallelSpectrumAnalyzer(ParallelSpectrumSettings(min_chunks_for_parallel=10**6))
    assert seq.analyze_file(x)["settings"]["parallel_processing"] is False
    off = ParallelSpectrumAnalyzer(ParallelSpectrumSettings(enable_parallel=False))
    assert off.analyze_file(x)["settings"]["parallel_processing"] is False
    assert create_parallel_spectrum_analyzer().analyze_file(x)["settings"][
        "parallel_processing"] is (auralis_native.available_workers() > 1)


def test_parallel_equals_sequential_bitwise():
    x = tone(3.0)
    s = SpectrumAnalyzer().analyze_file(x)
    p = ParallelSpectrumAnalyzer().analyze_file(x)
    for k in ("spectrum", "peak_frequency", "spectral_centroid", "spectral_rolloff",
              "total_energy", "num_chunks_analyzed"):
        assert s[k] == p[k], k


def test_reference_quirks():
    stereo = tone(1.0, channels=2)
    # Stereo SpectrumAnalyzer.analyze_file analyses channel 0 only.
    assert SpectrumAnalyzer().analyze_file(stereo) == SpectrumAnalyzer().analyze_file(
        stereo[:, 0].copy())
    # ParallelSpectrumAnalyzer.analyze_file averages the channels.
    mean = ParallelSpectrumAnalyzer().analyze_file(stereo)
    direct = ParallelSpectrumAnalyzer().analyze_file(stereo.mean(axis=1))
    np.testing.assert_allclose(mean["spectrum"], direct["spectrum"], rtol=0, atol=1e-9)
    # {} when no full frame fits.
    assert SpectrumAnalyzer().analyze_file(np.zeros(4095)) == {}
    assert ParallelSpectrumAnalyzer().analyze_file(np.zeros((100, 2))) == {}
    # A chunk longer than fft_size is truncated.
    x = tone(0.5)
    assert SpectrumAnalyzer().analyze_chunk(x) == SpectrumAnalyzer().analyze_chunk(x[:4096])
    # analyze_file(sample_rate=...) is written into the settings.
    a = SpectrumAnalyzer()
    r = a.analyze_file(x, sample_rate=48000)
    assert a.settings.sample_rate == 48000
    assert r["analysis_duration"] == x.size / 48000
    # ParallelConfig(use_multiprocessing=True) is accepted; nothing changes.
    p = pp.ParallelAudioProcessor(pp.ParallelConfig(use_multiprocessing=True))
    assert p.process_batch([1, 2, 3], lambda v: v * 2) == [2, 4, 6]


def same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == b[k], k


@pytest.mark.parametrize("cls", [SpectrumAnalyzer, ParallelSpectrumAnalyzer])
def test_dtypes_and_layouts_give_the_float64_result(cls):
    rng = np.random.default_rng(7)
    pcm = rng.integers(-32768, 32767, size=(SR, 2), dtype=np.int16)
    ref64 = np.ascontiguousarray(pcm.astype(np.float64) / 32768.0)
    expected = cls().analyze_file(ref64)
    same(cls().analyze_file(pcm), expected)                          # int16 PCM, scaled 2^-15
    same(cls().analyze_file(np.asfortranarray(ref64)), expected)     # Fortran order
    wide = np.zeros((SR, 4))
    wide[:, ::2] = ref64
    same(cls().analyze_file(wide[:, ::2]), expected)                 # strided view
    same(cls().analyze_file(ref64.tolist()), expected)               # nested lists
    f32 = ref64.astype(np.float32)  # exact: 16-bit values fit in float32
    same(cls().analyze_file(f32), expected)                          # float32 samples
    # float32 compute: close to float64 (docs/precision.md), not equal.
    s = cls._settings_type(compute_dtype="float32")
    r32 = cls(s).analyze_file(ref64)
    np.testing.assert_allclose(r32["spectrum"], expected["spectrum"], rtol=0, atol=1e-3)
    assert abs(r32["spectral_centroid"] - expected["spectral_centroid"]) < 1e-3
    # Chunks too.
    same(cls().analyze_chunk(pcm[:4096], channel=-1), cls().analyze_chunk(ref64[:4096], -1))
    same(cls().analyze_chunk(np.asfortranarray(ref64[:4096]), 1),
         cls().analyze_chunk(ref64[:4096, 1].copy()))


@pytest.mark.parametrize("cls", [SpectrumAnalyzer, ParallelSpectrumAnalyzer])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_copy_for_contiguous_float_input(cls, dtype):
    channels = 2 if cls is ParallelSpectrumAnalyzer else 1
    x = np.ascontiguousarray(np.resize(tone(1.0, channels), (30 * SR, channels)).squeeze()
                             .astype(dtype))
    a = cls()
    a.analyze_file(x[:8192])  # warm-up: per-thread workspaces, plans
    tracemalloc.start()
    try:
        a.analyze_file(x)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < x.nbytes / 50, (peak, x.nbytes)


def test_converted_input_is_traced():
    # The same measurement does see a conversion (so the test above can fail).
    x = np.asfortranarray(tone(5.0, 2))
    tracemalloc.start()
    try:
        ParallelSpectrumAnalyzer().analyze_file(x)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak >= x.nbytes


@pytest.mark.parametrize("cls", [SpectrumAnalyzer, ParallelSpectrumAnalyzer])
def test_pickle(cls):
    s = cls._settings_type(fft_size=2048, frequency_weighting="C", overlap=0.5)
    a = cls(s)
    b = pickle.loads(pickle.dumps(a))
    assert type(b) is cls and b.settings == a.settings and b.settings is not a.settings
    x = tone(1.0)
    assert a.analyze_file(x) == b.analyze_file(x)


def test_changed_settings_take_effect():
    a = SpectrumAnalyzer()
    a.settings.frequency_bands = 16
    assert len(a.analyze_chunk(tone(0.1))["spectrum"]) == 16


def test_set_max_threads():
    hw = auralis_native.hardware_workers()
    try:
        auralis_native.set_max_threads(1)
        assert auralis_native.available_workers() == 1
        p = ParallelSpectrumAnalyzer()
        assert p.workers_for(1000) == 1
        assert p.analyze_file(tone(1.0))["settings"]["parallel_processing"] is False
    finally:
        auralis_native.set_max_threads(None)
    assert auralis_native.available_workers() == hw
    with pytest.raises(ValueError, match="max_threads"):
        auralis_native.set_max_threads(-1)


def test_stub_covers_the_extension():
    import ast
    import pathlib

    from auralis_native import _native
    stub = pathlib.Path(_native.__file__).with_name("_native.pyi")
    tree = ast.parse(stub.read_text())
    declared = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            declared.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            declared.add(node.target.id)
    public = {n for n in dir(_native) if not n.startswith("_")}
    assert public <= declared, public - declared
    assert (stub.parent / "py.typed").exists()


def test_extension_is_self_contained():
    # Linked statically against auralis: no libauralis and no run path into a build tree.
    import shutil
    import subprocess

    from auralis_native import _native
    if shutil.which("readelf") is None:
        pytest.skip("readelf not available")
    dyn = subprocess.run(["readelf", "-d", _native.__file__], capture_output=True, text=True,
                         check=True).stdout
    assert "auralis" not in "".join(l for l in dyn.splitlines() if "NEEDED" in l)
    assert "RPATH" not in dyn and "RUNPATH" not in dyn
