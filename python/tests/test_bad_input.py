# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input raises the documented exception naming the field; run in a subprocess, so a crash
of the interpreter would fail the test instead of killing pytest."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(r'''
    import json, numpy as np
    import auralis_native
    from auralis_native import errors
    from auralis_native.analysis.spectrum_analyzer import SpectrumAnalyzer, SpectrumSettings
    from auralis_native.analysis.parallel_spectrum_analyzer import (
        ParallelSpectrumAnalyzer, ParallelSpectrumSettings)
    from auralis_native.optimization import parallel_processor as pp
    from auralis_native.dsp.eq.psychoacoustic_eq import PsychoacousticEQ, EQSettings
    from auralis_native import io

    x = np.zeros(8192)
    cases = {
        "fft_size negative": lambda: SpectrumAnalyzer(SpectrumSettings(fft_size=-4096)),
        "fft_size too small": lambda: SpectrumAnalyzer(SpectrumSettings(fft_size=8)),
        "fft_size float": lambda: SpectrumAnalyzer(SpectrumSettings(fft_size=1.5)),
        "frequency_bands negative": lambda: SpectrumAnalyzer(SpectrumSettings(frequency_bands=-1)),
        "overlap": lambda: SpectrumAnalyzer(SpectrumSettings(overlap=1.0)),
        "window_type": lambda: SpectrumAnalyzer(SpectrumSettings(window_type="kaiser")),
        "frequency_weighting": lambda: SpectrumAnalyzer(SpectrumSettings(frequency_weighting="B")),
        "metric_convention": lambda: SpectrumAnalyzer(SpectrumSettings(metric_convention="x")),
        "compute_dtype": lambda: SpectrumAnalyzer(SpectrumSettings(compute_dtype="float16")),
        "sample_rate": lambda: SpectrumAnalyzer(SpectrumSettings(sample_rate=-1)),
        "max_workers": lambda: ParallelSpectrumAnalyzer(ParallelSpectrumSettings(max_workers=-2)),
        "min_chunks_for_parallel": lambda: ParallelSpectrumAnalyzer(
            ParallelSpectrumSettings(min_chunks_for_parallel=-1)),
        "samples NaN": lambda: SpectrumAnalyzer().analyze_file(np.full(8192, np.nan)),
        "samples inf": lambda: ParallelSpectrumAnalyzer().analyze_file(np.full((8192, 2), np.inf)),
        "chunk NaN": lambda: SpectrumAnalyzer().analyze_chunk(np.full(100, np.nan)),
        "chunk empty": lambda: SpectrumAnalyzer().analyze_chunk(np.zeros(0)),
        "audio_data 3-D": lambda: SpectrumAnalyzer().analyze_file(np.zeros((10, 10, 10))),
        "audio_data dtype": lambda: SpectrumAnalyzer().analyze_file(np.zeros(8192, complex)),
        "audio_chunk 0-D": lambda: SpectrumAnalyzer().analyze_chunk(np.float64(1.0)),
        "channel": lambda: SpectrumAnalyzer().analyze_chunk(np.zeros((100, 2)), channel=5),
        "analyze_file sample_rate": lambda: SpectrumAnalyzer().analyze_file(x, sample_rate=0),
        "missing file": lambda: auralis_native.analyze_path("/nonexistent/file.wav"),
        "missing file read": lambda: io.read_audio_file("/nonexistent/file.wav"),
        "not audio": lambda: auralis_native.analyze_path(__file__),
        "directory": lambda: auralis_native.analyze_path("/"),
        "fft hop": lambda: pp.ParallelFFTProcessor().parallel_stft(x, 1024, -1),
        "config max_workers": lambda: pp.ParallelAudioProcessor(pp.ParallelConfig(max_workers=-1)),
        "config unknown field": lambda: pp.ParallelAudioProcessor().update_config(foo=1),
        "band gains": lambda: pp.ParallelBandProcessor().process_bands_parallel(
            x, [lambda a: a], [0.0, 1.0]),
        "band filter raises": lambda: pp.ParallelBandProcessor().process_bands_parallel(
            x, [lambda a: 1 / 0], [0.0]),
        "band filter length": lambda: pp.ParallelBandProcessor().process_bands_parallel(
            x, [lambda a: a[:10]], [0.0]),
        "extractor raises": lambda: pp.ParallelFeatureExtractor().extract_features_parallel(
            x, {"bad": lambda a: 1 / 0}),
        "eq fft_size": lambda: PsychoacousticEQ(EQSettings(fft_size=1000)),
        "eq channels": lambda: PsychoacousticEQ(EQSettings(channels=0)),
        "eq target_curve": lambda: PsychoacousticEQ().process(x, [0.0] * 3),
        "eq audio NaN": lambda: PsychoacousticEQ().process(np.full(4096, np.nan), [0.0] * 25),
        "eq chunk size": lambda: PsychoacousticEQ().process_realtime_chunk(np.zeros(10),
                                                                             [0.0] * 25),
        "max_threads": lambda: auralis_native.set_max_threads(-3),
    }
    out = {}
    for name, fn in cases.items():
        try:
            fn()
            out[name] = None
        except Exception as e:
            out[name] = [type(e).__name__, [c.__name__ for c in type(e).__mro__], str(e),
                         getattr(e, "field", None), getattr(e, "kind", None)]
    print(json.dumps(out))
''')

EXPECTED = {
    # name: (exception class, base class the docs promise, text the message must contain)
    "fft_size negative": ("InvalidSettings", "ValueError", "fft_size"),
    "fft_size too small": ("InvalidSettings", "ValueError", "fft_size"),
    "fft_size float": ("InvalidSettings", "ValueError", "fft_size"),
    "frequency_bands negative": ("InvalidSettings", "ValueError", "frequency_bands"),
    "overlap": ("InvalidSettings", "ValueError", "overlap"),
    "window_type": ("InvalidSettings", "ValueError", "window_type"),
    "frequency_weighting": ("InvalidSettings", "ValueError", "frequency_weighting"),
    "metric_convention": ("InvalidSettings", "ValueError", "metric_convention"),
    "compute_dtype": ("InvalidSettings", "ValueError", "compute_dtype"),
    "sample_rate": ("InvalidSettings", "ValueError", "sample_rate"),
    "max_workers": ("InvalidSettings", "ValueError", "max_workers"),
    "min_chunks_for_parallel": ("InvalidSettings", "ValueError", "min_chunks_for_parallel"),
    "samples NaN": ("InvalidAudio", "ValueError", "NaN"),
    "samples inf": ("InvalidAudio", "ValueError", "inf"),
    "chunk NaN": ("InvalidAudio", "ValueError", "chunk"),
    "chunk empty": ("InvalidAudio", "ValueError", "chunk"),
    "audio_data 3-D": ("InvalidAudio", "ValueError", "audio_data"),
    "audio_data dtype": ("InvalidAudio", "ValueError", "audio_data"),
    "audio_chunk 0-D": ("InvalidAudio", "ValueError", "audio_chunk"),
    "channel": ("InvalidArgument", "ValueError", "channel"),
    "analyze_file sample_rate": ("InvalidSettings", "ValueError", "sample_rate"),
    "missing file": ("AudioFileError", "OSError", "/nonexistent/file.wav"),
    "missing file read": ("AudioFileError", "OSError", "does not exist"),
    "not audio": ("AudioFileError", "OSError", "test_bad_input"),
    "directory": ("AudioFileError", "OSError", "/"),
    "fft hop": ("InvalidSettings", "ValueError", "hop_size"),
    "config max_workers": ("InvalidSettings", "ValueError", "max_workers"),
    "config unknown field": ("InvalidSettings", "ValueError", "foo"),
    "band gains": ("InvalidSettings", "ValueError", "band_gains"),
    "band filter raises": ("BandProcessingError", "RuntimeError", "division by zero"),
    "band filter length": ("BandProcessingError", "RuntimeError", "filter 0"),
    "extractor raises": ("FeatureExtractionError", "RuntimeError", "bad"),
    "eq fft_size": ("InvalidSettings", "ValueError", "fft_size"),
    "eq channels": ("InvalidSettings", "ValueError", "channels"),
    "eq target_curve": ("InvalidSettings", "ValueError", "target_curve"),
    "eq audio NaN": ("InvalidAudio", "ValueError", "audio"),
    "eq chunk size": ("InvalidAudio", "ValueError", "chunk"),
    "max_threads": ("InvalidSettings", "ValueError", "max_threads"),
}


def test_bad_input_in_a_subprocess(tmp_path):
    script = tmp_path / "bad_input.py"
    script.write_text(SCRIPT)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"interpreter died ({proc.returncode}): {proc.stderr[-2000:]}"
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(got) == set(EXPECTED)
    failures = []
    for name, (cls, base, text) in EXPECTED.items():
        if got[name] is None:
            failures.append(f"{name}: no exception")
            continue
        typ, mro, message, field, kind = got[name]
        if typ != cls or base not in mro or "AuralisError" not in mro:
            failures.append(f"{name}: {typ} {mro}: {message}")
        elif text not in message or not field or field not in message:
            failures.append(f"{name}: field {field!r}, message {message!r}")
    assert failures == []
    assert got["missing file"][4] == "missing"
    assert got["not audio"][4] == "not_audio"
    assert got["directory"][4] == "not_a_file"
