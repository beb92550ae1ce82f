# SPDX-License-Identifier: GPL-3.0-or-later
"""The machinery shared by SpectrumAnalyzer and ParallelSpectrumAnalyzer (private)."""

from __future__ import annotations

import dataclasses
import types
from typing import Any

import numpy as np

from . import _native
from ._audio import as_bool, as_channel, as_count, as_real, as_samples, as_text

_SPECTRUM_FIELDS = (
    "fft_size", "window_type", "overlap", "sample_rate", "frequency_bands",
    "frequency_weighting", "smoothing_factor", "min_frequency", "max_frequency",
    "metric_convention", "compute_dtype")
_PARALLEL_FIELDS = ("enable_parallel", "max_workers", "min_chunks_for_parallel")


def native_settings(settings: Any, parallel: bool) -> types.SimpleNamespace:
    """The settings with checked Python types (InvalidSettings naming the field otherwise)."""
    get = lambda name, default=None: getattr(settings, name, default)  # noqa: E731
    ns = types.SimpleNamespace(
        fft_size=as_count(get("fft_size"), "fft_size"),
        window_type=as_text(get("window_type"), "window_type"),
        overlap=as_real(get("overlap"), "overlap"),
        sample_rate=as_real(get("sample_rate"), "sample_rate"),
        frequency_bands=as_count(get("frequency_bands"), "frequency_bands"),
        frequency_weighting=as_text(get("frequency_weighting"), "frequency_weighting"),
        smoothing_factor=as_real(get("smoothing_factor"), "smoothing_factor"),
        min_frequency=as_real(get("min_frequency"), "min_frequency"),
        max_frequency=as_real(get("max_frequency"), "max_frequency"),
        metric_convention=as_text(get("metric_convention", "auralis"), "metric_convention"),
        compute_dtype=as_text(get("compute_dtype", "float64"), "compute_dtype"),
    )
    if parallel:
        ns.enable_parallel = as_bool(get("enable_parallel", True), "enable_parallel")
        ns.max_workers = as_count(get("max_workers", 8), "max_workers")
        ns.min_chunks_for_parallel = as_count(get("min_chunks_for_parallel", 4),
                                              "min_chunks_for_parallel")
    return ns


def settings_key(settings: Any, parallel: bool) -> tuple:
    names = _SPECTRUM_FIELDS + (_PARALLEL_FIELDS if parallel else ())
    return tuple(getattr(settings, n, None) for n in names)


def periodic_window(kind: str, n: int) -> np.ndarray:
    """The analysis window as the library builds it (periodic, scipy.signal.get_window)."""
    k = np.arange(n, dtype=np.float64)
    w = kind.lower()
    if w in ("hann", "hanning"):
        return 0.5 - 0.5 * np.cos(2.0 * np.pi * k / n)
    if w == "hamming":
        return 0.54 - 0.46 * np.cos(2.0 * np.pi * k / n)
    if w == "blackman":
        return 0.42 - 0.5 * np.cos(2.0 * np.pi * k / n) + 0.08 * np.cos(4.0 * np.pi * k / n)
    return np.ones(n)


def weighting_curve(kind: str, edges: np.ndarray) -> np.ndarray:
    """The reference's band weighting in dB at the band edges (auralis convention): A and C
    normalised to their maximum over the bands, anything else +1 (sic)."""
    f2 = edges * edges
    if kind.upper() == "A":
        r = (12194.0**2 * f2 * f2) / ((f2 + 20.6**2) * np.sqrt((f2 + 107.7**2) * (f2 + 737.9**2))
                                      * (f2 + 12194.0**2))
    elif kind.upper() == "C":
        r = (12194.0**2 * f2 * f2) / ((f2 + 20.6**2) * (f2 + 12194.0**2))
    else:
        return np.ones_like(edges)
    return 20.0 * np.log10(r / np.max(r))


class AnalyzerBase:
    """Reference-compatible analyzer over one native analyzer."""

    _parallel = False
    _settings_type: type = object

    def __init__(self, settings: Any = None) -> None:
        self.settings = settings if settings is not None else self._settings_type()
        self._build()

    # -- state -----------------------------------------------------------------------------
    def _build(self) -> None:
        self._native = _native.NativeAnalyzer(native_settings(self.settings, self._parallel),
                                              self._parallel)
        self._key = settings_key(self.settings, self._parallel)

    def _current(self) -> Any:
        """The native analyzer for the current settings (rebuilt if they were changed)."""
        if settings_key(self.settings, self._parallel) != self._key:
            self._build()
        return self._native

    def __reduce__(self):
        # Settings only: a new analyzer starts a new smoothing recurrence (as reset_smoothing).
        return (type(self), (dataclasses.replace(self.settings),))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"

    # -- reference attributes --------------------------------------------------------------
    @property
    def frequency_bins(self) -> np.ndarray:
        """Band lower edges in Hz (the results' frequency_bins)."""
        return np.asarray(self._current().frequency_bins())

    @property
    def window(self) -> np.ndarray:
        """The periodic analysis window (fft_size samples)."""
        return periodic_window(self.settings.window_type, int(self.settings.fft_size))

    @property
    def weighting_curve(self) -> np.ndarray:
        """Per-band weighting in dB (auralis convention, evaluated at the band edges)."""
        return weighting_curve(self.settings.frequency_weighting, self.frequency_bins)

    @property
    def smoothing_buffer(self) -> None:
        """Not exposed: the smoothing state lives in the native analyzer (reset_smoothing())."""
        return None

    # -- methods ---------------------------------------------------------------------------
    def analyze_chunk(self, audio_chunk: Any, channel: int = 0) -> dict:
        """Analyses one frame, continuing the smoothing of the previous calls.

        2-D input: channel 0 = left, 1 = right, ..., -1 = mean of the channels. A chunk longer
        than fft_size is truncated to its first fft_size frames (reference behaviour); a shorter
        one is zero-padded. Keys: spectrum, frequency_bins (lists of float), peak_frequency,
        spectral_centroid, spectral_rolloff, total_energy (float), settings = {fft_size,
        frequency_bands, weighting}. Concurrent calls on one analyzer are serialised.
        """
        native = self._current()
        a = as_samples(audio_chunk, "audio_chunk")
        if a.ndim == 2:
            c = as_channel(channel, a.shape[1])
            if c >= 0:
                a = np.ascontiguousarray(a[:, c])
        n = int(self.settings.fft_size)
        if a.shape[0] > n:
            a = a[:n]
        r = native.analyze_chunk(a)
        s = self.settings
        return {
            "spectrum": r["spectrum"],
            "frequency_bins": r["frequency_bins"],
            "peak_frequency": r["peak_frequency"],
            "spectral_centroid": r["spectral_centroid"],
            "spectral_rolloff": r["spectral_rolloff"],
            "total_energy": r["total_energy"],
            "settings": {
                "fft_size": s.fft_size,
                "frequency_bands": s.frequency_bands,
                "weighting": s.frequency_weighting,
            },
        }

    def _file_input(self, a: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _file_settings(self, r: dict) -> dict:
        s = self.settings
        return {
            "fft_size": s.fft_size,
            "frequency_bands": s.frequency_bands,
            "weighting": s.frequency_weighting,
            "overlap": s.overlap,
        }

    def analyze_file(self, audio_data: Any, sample_rate: Any = None) -> dict:
        """Analyses a whole signal: means over all frames, smoothing started afresh.

        A given `sample_rate` is stored in ``self.settings`` (reference behaviour). Returns ``{}``
        when no full frame fits. Keys: those of analyze_chunk plus num_chunks_analyzed (int) and
        analysis_duration (float, s); settings gains overlap.
        """
        if sample_rate is not None:
            self.settings.sample_rate = sample_rate
        native = self._current()
        a = self._file_input(as_samples(audio_data, "audio_data"))
        if a.shape[0] < int(self.settings.fft_size):
            return {}
        r = native.analyze_file(a)
        return {
            "spectrum": r["spectrum"],
            "frequency_bins": r["frequency_bins"],
            "peak_frequency": r["peak_frequency"],
            "spectral_centroid": r["spectral_centroid"],
            "spectral_rolloff": r["spectral_rolloff"],
            "total_energy": r["total_energy"],
            "num_chunks_analyzed": r["num_chunks_analyzed"],
            "analysis_duration": r["analysis_duration"],
            "settings": self._file_settings(r),
        }

    def get_frequency_band_names(self) -> list[str]:
        """Band labels from the lower edges: "431Hz" below 1 kHz, "1.2kHz" above."""
        return list(self._current().band_names())

    def reset_smoothing(self) -> None:
        """Restarts the smoothing recurrence of analyze_chunk."""
        self._current().reset_smoothing()
