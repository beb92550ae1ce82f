# SPDX-License-Identifier: GPL-3.0-or-later
"""analyze_path: streamed, bit-identical to the in-memory analysis and to auralis-batch's JSON
lines; interruptible with Ctrl-C; audio-file I/O."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import auralis_native
from auralis_native import io
from auralis_native.analysis.parallel_spectrum_analyzer import ParallelSpectrumAnalyzer
from auralis_native.analysis.spectrum_analyzer import SpectrumAnalyzer, SpectrumSettings
from auralis_native.errors import AudioFileError, InvalidAudio, InvalidSettings
from conftest import write_wav

SR = 44100
RESULT_KEYS = ("spectrum", "frequency_bins", "peak_frequency", "spectral_centroid",
               "spectral_rolloff", "total_energy", "num_chunks_analyzed", "analysis_duration")


def signal(frames: int, channels: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = np.arange(frames)
    x = np.stack([0.4 * np.sin(2 * np.pi * (300.0 + 500 * c) * n / SR) for c in range(channels)],
                 axis=1)
    return np.clip(x + 0.05 * rng.standard_normal((frames, channels)), -1, 1)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> pathlib.Path:
    d = tmp_path_factory.mktemp("library")
    write_wav(d / "mono.wav", signal(200_003, 1, 1), SR)          # several 64k blocks
    write_wav(d / "stereo.wav", signal(150_000, 2, 2), 48000)
    write_wav(d / "short.wav", signal(1000, 1, 3), SR)             # shorter than one frame
    io.write_audio_file(d / "float.wav", signal(70_000, 2, 4), SR, "wav_float")
    io.write_audio_file(d / "song.flac", signal(90_000, 1, 5), 22050, "flac_pcm24")
    bad = signal(80_000, 1, 6)
    bad[70_000, 0] = np.nan
    io.write_audio_file(d / "nan.wav", bad, SR, "wav_float")       # NaN after the last frame
    (d / "corrupt.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk")
    (d / "empty.flac").write_bytes(b"")
    return d


SETTINGS = [
    SpectrumSettings(),
    SpectrumSettings(fft_size=2048, overlap=0.0, frequency_weighting="Z", frequency_bands=32),
    SpectrumSettings(metric_convention="standard", frequency_weighting="C", fft_size=1024),
    SpectrumSettings(compute_dtype="float32", window_type="blackman"),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=["default", "no-overlap", "standard", "f32"])
@pytest.mark.parametrize("name", ["mono.wav", "stereo.wav", "short.wav", "float.wav",
                                  "song.flac"])
def test_analyze_path_equals_in_memory_analysis(library, settings, name):
    path = library / name
    r = auralis_native.analyze_path(path, settings)
    samples, rate = io.read_audio_file(path)
    assert samples.ndim == 2 and samples.dtype == np.float64
    s = ParallelSpectrumAnalyzer._settings_type(**{**settings.__dict__, "sample_rate": rate})
    from auralis_native import _native
    from auralis_native._analyzer import native_settings
    native = _native.NativeAnalyzer(native_settings(s, True), True)
    expected = native.analyze_file(samples)  # the library's analyze_file (also < 1 frame)
    for k in RESULT_KEYS:
        assert r[k] == expected[k], k  # bit for bit
    info = io.audio_file_info(path)
    assert r["file"]["frames"] == info["frames"] == samples.shape[0]
    assert r["file"]["channels"] == info["channels"] == samples.shape[1]
    assert r["settings"]["sample_rate"] == rate
    assert r["path"] == r["file"]["path"] == os.path.normpath(str(path))


def test_analyze_path_errors(library):
    with pytest.raises(AudioFileError) as e:
        auralis_native.analyze_path(library / "corrupt.wav")
    assert e.value.kind == "not_audio" and isinstance(e.value, OSError)
    with pytest.raises(InvalidAudio, match="nan.wav"):
        auralis_native.analyze_path(library / "nan.wav")
    with pytest.raises(InvalidSettings, match="min_frequency"):
        auralis_native.analyze_path(library / "song.flac", SpectrumSettings(min_frequency=15000))
    rec = auralis_native.analyze_path(library / "empty.flac", on_error="record")
    assert rec["ok"] is False and rec["kind"] == "not_audio" and "empty.flac" in rec["error"]
    rec = auralis_native.analyze_path(library / "nan.wav", on_error="record")
    assert rec["kind"] == "invalid_audio"
    with pytest.raises(InvalidSettings):  # bad settings raise whatever on_error says
        auralis_native.analyze_path(library / "mono.wav", SpectrumSettings(fft_size=3),
                                    on_error="record")


RUN_FIELDS = ("parallel_processing", "workers")  # describe the run, not the file


@pytest.mark.skipif(not os.environ.get("AURALIS_BATCH"), reason="AURALIS_BATCH not set")
@pytest.mark.parametrize("settings,args", [
    (SpectrumSettings(), []),
    (SpectrumSettings(fft_size=2048, overlap=0.5, frequency_weighting="C",
                      metric_convention="standard"),
     ["--fft-size", "2048", "--overlap", "0.5", "--weighting", "C", "--convention", "standard"]),
])
def test_analyze_path_matches_auralis_batch(library, tmp_path, settings, args):
    out = tmp_path / "batch.jsonl"
    proc = subprocess.run([os.environ["AURALIS_BATCH"], str(library), "--out", str(out)] + args,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, proc.stderr  # some files fail (corrupt, empty, NaN)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 8
    for line in lines:
        mine = auralis_native.analyze_path(line["path"], settings, on_error="record")
        # Through JSON, as the batch line went (the shortest round-trip text of each double).
        mine = json.loads(json.dumps(mine))
        assert mine["ok"] == line["ok"], line["path"]
        if not line["ok"]:
            assert mine["kind"] == line["kind"], line
            if line["kind"] not in ("invalid_audio",):
                assert mine["error"] == line["error"]
            continue
        for k in RUN_FIELDS:
            del line["settings"][k], mine["settings"][k]
        assert mine == line, line["path"]


def test_ctrl_c_interrupts_analyze_path(tmp_path):
    # A long file on the main thread; a timer thread "presses Ctrl-C" (interrupt_main sets the
    # SIGINT flag that PyErr_CheckSignals sees between blocks).
    path = tmp_path / "long.wav"
    write_wav(path, np.tile(signal(SR, 1, 9), (300, 1)), SR)  # 5 minutes
    script = textwrap.dedent(f'''
        import _thread, threading, time, auralis_native
        from auralis_native.analysis.spectrum_analyzer import SpectrumSettings
        s = SpectrumSettings(overlap=0.95)
        threading.Timer(0.3, _thread.interrupt_main).start()
        t0 = time.perf_counter()
        try:
            auralis_native.analyze_path({str(path)!r}, s)
            print("finished", time.perf_counter() - t0)
        except KeyboardInterrupt:
            print("interrupted", time.perf_counter() - t0)
        t0 = time.perf_counter()
        auralis_native.analyze_path({str(path)!r}, s)
        print("full", time.perf_counter() - t0)
    ''')
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    first, full = proc.stdout.split("\n")[:2]
    assert first.startswith("interrupted"), proc.stdout
    # Stopped within a block of the press, long before the analysis would have finished.
    assert float(first.split()[1]) < float(full.split()[1]) / 2, proc.stdout


def test_audio_file_round_trip(tmp_path):
    x = (np.arange(-100, 100).reshape(100, 2) / 32768.0)
    io.write_audio_file(tmp_path / "a.wav", x, 8000, "wav_pcm16")
    y, rate = io.read_audio_file(tmp_path / "a.wav")
    assert rate == 8000.0 and np.array_equal(x, y)
    with io.AudioFileReader(tmp_path / "a.wav") as reader:
        assert reader.info["frames"] == 100 and reader.info["channels"] == 2
        blocks = [reader.read(30) for _ in range(4)]
        assert [b.shape[0] for b in blocks] == [30, 30, 30, 10]
        assert np.array_equal(np.concatenate(blocks), x) and reader.frames_read == 100
        assert reader.read(10).shape == (0, 2)
    with pytest.raises(ValueError, match="reader"):
        reader.read(1)
    assert np.array_equal(np.concatenate(list(io.AudioFileReader(tmp_path / "a.wav"))), x)
    with pytest.raises(ValueError, match="format"):
        io.write_audio_file(tmp_path / "b.wav", x, 8000, "mp3")
