# SPDX-License-Identifier: GPL-3.0-or-later
"""auralis_native: Python bindings of the auralis C++ library.

A drop-in for the reference Auralis' analysis API at the same module paths (change
``auralis`` to ``auralis_native`` in the import), computed natively with the GIL released:

    from auralis_native.analysis.parallel_spectrum_analyzer import ParallelSpectrumAnalyzer
    result = ParallelSpectrumAnalyzer().analyze_file(audio, sample_rate=44100)
    print(result["spectral_centroid"], result["settings"]["parallel_processing"])

Modules: ``analysis.spectrum_analyzer``, ``analysis.parallel_spectrum_analyzer``,
``optimization.parallel_processor``, ``dsp.eq.psychoacoustic_eq``, ``io`` (audio files),
``errors``. Functions here: :func:`analyze_path` (one audio file, streamed, auralis-batch's
JSON fields), :func:`set_max_threads`, :func:`available_workers`. See docs/python.md.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from . import _native, errors
from ._analyzer import native_settings, settings_key
from .errors import (AudioFileError, AuralisError, InvalidArgument, InvalidAudio,
                     InvalidSettings)

__version__ = _native.version
__all__ = [
    "__version__",
    "analyze_path",
    "set_max_threads",
    "available_workers",
    "hardware_workers",
    "errors",
]


def set_max_threads(n: int | None) -> None:
    """Caps the threads the library's thread pool (oneTBB) uses in this process at `n`;
    ``None`` or 0 removes the cap. oneTBB ignores OMP_NUM_THREADS: this is the knob (a
    tbb::global_control kept alive until the next call). Use it to run W workers x T threads
    = cores (Dask, multiprocessing)."""
    if n is None:
        n = 0
    from ._audio import as_count
    _native.set_max_threads(as_count(n, "max_threads"))


def available_workers() -> int:
    """Threads oneTBB will run at once in this process (hardware threads or the cap)."""
    return int(_native.available_workers())


def hardware_workers() -> int:
    """Hardware threads oneTBB may use (respects CPU affinity)."""
    return int(_native.hardware_workers())


_path_analyzers: dict[tuple, Any] = {}
_path_lock = threading.Lock()


def _path_analyzer(settings: Any) -> Any:
    key = settings_key(settings, False)
    with _path_lock:
        native = _path_analyzers.get(key)
    if native is None:
        native = _native.NativeAnalyzer(native_settings(settings, False), False)
        with _path_lock:
            if len(_path_analyzers) > 32:
                _path_analyzers.clear()
            _path_analyzers[key] = native
    return native


def _path_key(path: Any) -> str:
    return os.path.normpath(os.fsdecode(os.fspath(path))).replace(os.sep, "/")


def _error_kind(e: BaseException) -> str:
    if isinstance(e, AudioFileError):
        return e.kind or "internal"
    if isinstance(e, InvalidAudio):
        return "invalid_audio"
    if isinstance(e, InvalidSettings):
        return "invalid_settings"
    return "internal"


def analyze_path(path: str | os.PathLike, settings: Any = None, *,
                 on_error: str = "raise") -> dict:
    """Analyses one audio file (WAV, FLAC, Ogg/Vorbis, AIFF, ... through libsndfile) at its own
    sample rate, channels averaged, and returns the fields of auralis-batch's JSON line for it.

    The file is streamed in blocks of 64k sample frames (memory independent of its length) with
    the GIL released; between blocks the GIL is taken back and Ctrl-C raises KeyboardInterrupt.
    The result equals, bit for bit, the analyzers' analyze_file(path) in C++ and auralis-batch's
    line: ``path``, ``ok`` (True), ``spectrum``, ``frequency_bins``, ``peak_frequency``,
    ``spectral_centroid``, ``spectral_rolloff``, ``total_energy``, ``num_chunks_analyzed``,
    ``analysis_duration``, ``settings`` (fft_size, overlap, sample_rate, frequency_bands,
    frequency_weighting, metric_convention, window_type, smoothing_factor, min_frequency,
    max_frequency, parallel_processing, workers) and ``file`` (path, format, channels,
    sample_rate, frames, duration). One file runs on the calling thread (parallel_processing is
    False, workers 1): run several files at once from threads, a process_batch or Dask.

    `settings`: a SpectrumSettings or ParallelSpectrumSettings (its sample_rate is replaced by
    the file's; parallel fields are ignored), default settings when None. Invalid settings raise
    InvalidSettings whatever `on_error`. File errors raise AudioFileError (an OSError, with
    ``kind``: missing, not_a_file, unreadable, not_audio, unsupported, truncated, empty), NaN or
    infinite samples InvalidAudio, settings the file's rate cannot meet (min_frequency above its
    Nyquist frequency) InvalidSettings; with ``on_error="record"`` they are returned as
    auralis-batch's error line instead: ``{"path", "ok": False, "error", "kind"}``.
    """
    if on_error not in ("raise", "record"):
        raise InvalidArgument(
            f"auralis: on_error: must be 'raise' or 'record', got {on_error!r}", "on_error")
    if settings is None:
        from .analysis.spectrum_analyzer import SpectrumSettings
        settings = SpectrumSettings()
    native = _path_analyzer(settings)
    key = _path_key(path)
    try:
        r = native.analyze_path(os.fsdecode(os.fspath(path)))
    except AuralisError as e:
        if on_error == "raise":
            raise
        message = str(e) if isinstance(e, AudioFileError) else f"{key}: {e}"
        return {"path": key, "ok": False, "error": message, "kind": _error_kind(e)}
    f = r["file"]
    return {
        "path": key,
        "ok": True,
        "spectrum": r["spectrum"],
        "frequency_bins": r["frequency_bins"],
        "peak_frequency": r["peak_frequency"],
        "spectral_centroid": r["spectral_centroid"],
        "spectral_rolloff": r["spectral_rolloff"],
        "total_energy": r["total_energy"],
        "num_chunks_analyzed": r["num_chunks_analyzed"],
        "analysis_duration": r["analysis_duration"],
        "settings": {
            "fft_size": int(settings.fft_size),
            "overlap": float(settings.overlap),
            "sample_rate": f["sample_rate"],
            "frequency_bands": int(settings.frequency_bands),
            "frequency_weighting": str(settings.frequency_weighting).upper(),
            "metric_convention": str(getattr(settings, "metric_convention", "auralis")).lower(),
            "window_type": _window_name(str(settings.window_type)),
            "smoothing_factor": float(settings.smoothing_factor),
            "min_frequency": float(settings.min_frequency),
            "max_frequency": float(settings.max_frequency),
            "parallel_processing": False,
            "workers": 1,
        },
        "file": {
            "path": key,
            "format": f["format"],
            "channels": f["channels"],
            "sample_rate": f["sample_rate"],
            "frames": f["frames"],
            "duration": f["duration"],
        },
    }


def _window_name(name: str) -> str:
    n = name.lower()
    return {"hanning": "hann", "boxcar": "rectangular", "rect": "rectangular"}.get(n, n)


# The submodules, so that `import auralis_native` is enough to reach them.
from . import analysis, dsp, io, optimization  # noqa: E402
