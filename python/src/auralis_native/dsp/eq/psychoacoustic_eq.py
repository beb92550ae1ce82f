# SPDX-License-Identifier: GPL-3.0-or-later
"""PsychoacousticEQ at the reference's path (``auralis.dsp.eq.psychoacoustic_eq``), computed by
the library's EQ (docs/eq.md): adaptive gains on 25 critical bands, offline (whole buffers,
frames in parallel) and real-time (blocks, latency fft_size - 1) paths giving the same bits.

The settings are the library's (sample_rate, fft_size, channels, parallel), not the reference's
EQSettings fields; see docs/python.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ... import _native
from ..._audio import as_count, as_real, as_samples, as_text
from ...errors import InvalidSettings
from ...optimization.parallel_processor import ParallelConfig, _checked

__all__ = ["EQSettings", "EqSettings", "PsychoacousticEQ", "CriticalBandFilterBank",
           "critical_band_edges", "critical_band_center", "perceptual_weight"]

#: The 26 critical-band edges in Hz (25 bands).
critical_band_edges: tuple[float, ...] = tuple(_native.critical_band_edges)


def critical_band_center(band: int) -> float:
    """Geometric centre of critical band `band` (0..24) in Hz."""
    return float(_native.critical_band_center(as_count(band, "band")))


def perceptual_weight(center_hz: float) -> float:
    """Perceptual weight of a band centred at `center_hz`."""
    return float(_native.perceptual_weight(as_real(center_hz, "center_hz")))


@dataclass
class EQSettings:
    """Settings of PsychoacousticEQ.

    ``sample_rate`` in (0, 768000] Hz; ``fft_size`` a power of two in [256, 32768] (hop
    fft_size / 2); ``channels`` of the interleaved audio, [1, 64]; ``parallel`` the threading of
    the offline calls (None: the library's default; results never depend on it);
    ``compute_dtype`` 'float64' or 'float32' (audio is converted to it).
    """

    sample_rate: float = 44100.0
    fft_size: int = 2048
    channels: int = 1
    parallel: ParallelConfig | None = None
    compute_dtype: str = "float64"


EqSettings = EQSettings


class PsychoacousticEQ:
    """Adaptive critical-band EQ. Offline methods are const (concurrent calls are safe);
    process_realtime_chunk and reset change the streaming state (calls are serialised).
    Audio is (frames,) for one channel or (frames, channels)."""

    def __init__(self, settings: EQSettings | None = None) -> None:
        self.settings = settings if settings is not None else EQSettings()
        s = self.settings
        dtype = as_text(s.compute_dtype, "compute_dtype").lower()
        if dtype not in ("float64", "float32"):
            raise InvalidSettings(f"auralis: compute_dtype: unknown dtype {dtype!r}; expected "
                                  "'float64' or 'float32'", "compute_dtype")
        self._dtype = np.float32 if dtype == "float32" else np.float64
        checked = _Checked(as_real(s.sample_rate, "sample_rate"), as_count(s.fft_size, "fft_size"),
                           as_count(s.channels, "channels"),
                           None if s.parallel is None else _checked(s.parallel))
        cls = _native.NativeEqF if self._dtype == np.float32 else _native.NativeEq
        self._native = cls(checked)

    def __reduce__(self):
        return (type(self), (self.settings,))

    def _audio(self, audio: Any, field: str) -> np.ndarray:
        a = as_samples(audio, field)
        return a if a.dtype == self._dtype else a.astype(self._dtype)

    @staticmethod
    def _curve(curve: Any) -> list[float]:
        return [float(x) for x in np.asarray(curve, dtype=np.float64).ravel()]

    @property
    def latency(self) -> int:
        """Real-time latency in sample frames (fft_size - 1)."""
        return int(self._native.latency)

    @property
    def weights(self) -> np.ndarray:
        """The 25 perceptual weights."""
        return np.asarray(self._native.weights)

    def process(self, audio: Any, target_curve: Any) -> np.ndarray:
        """EQs `audio` towards `target_curve` (25 relative dB gains); same shape, aligned."""
        return self._native.process(self._audio(audio, "audio"), self._curve(target_curve))

    def gain_trajectory(self, audio: Any, target_curve: Any) -> np.ndarray:
        """The smoothed gains process() applies: shape (frames, 25), dB."""
        return self._native.gain_trajectory(self._audio(audio, "audio"),
                                            self._curve(target_curve))

    def apply_band_gains(self, audio: Any, band_gains_db: Any) -> np.ndarray:
        """Fixed per-band gains (25 dB values) through the same filter, no adaptation."""
        return self._native.apply_band_gains(self._audio(audio, "audio"),
                                             self._curve(band_gains_db))

    def process_realtime_chunk(self, audio_chunk: Any, target_curve: Any,
                               content_profile: Any = None) -> np.ndarray:
        """Streams one block of 64..8192 frames; returns the stream delayed by ``latency``.
        `content_profile` is accepted for compatibility and must be None."""
        if content_profile is not None:
            raise InvalidSettings("auralis: content_profile: not supported (must be None)",
                                  "content_profile")
        return self._native.process_realtime_chunk(self._audio(audio_chunk, "chunk"),
                                                   self._curve(target_curve))

    def reset(self) -> None:
        """Back to the state after construction."""
        self._native.reset()


class _Checked:
    def __init__(self, sample_rate: float, fft_size: int, channels: int, parallel: Any) -> None:
        self.sample_rate = sample_rate
        self.fft_size = fft_size
        self.channels = channels
        self.parallel = parallel


class CriticalBandFilterBank:
    """The 25 critical bands plus the residual as band filters mixed with per-band gains by
    ParallelBandProcessor (bands filtered concurrently)."""

    def __init__(self, sample_rate: float = 44100.0, fft_size: int = 2048,
                 config: ParallelConfig | None = None) -> None:
        self.sample_rate = sample_rate
        self.fft_size = fft_size
        self.config = config
        self._native = _native.NativeFilterBank(as_real(sample_rate, "sample_rate"),
                                                as_count(fft_size, "fft_size"),
                                                None if config is None else _checked(config))

    def __reduce__(self):
        return (type(self), (self.sample_rate, self.fft_size, self.config))

    def process(self, audio: Any, band_gains_db: Any) -> np.ndarray:
        """``sum_i 10^(g_i / 20) filter_i(audio)`` (25 dB gains; residual at 0 dB), 1-D."""
        a = as_samples(audio, "audio", ndims=(1,))
        if a.dtype != np.float64:
            a = a.astype(np.float64)
        return self._native.process(a, [float(g) for g in np.asarray(band_gains_db).ravel()])
