# SPDX-License-Identifier: GPL-3.0-or-later
"""ParallelConfig, the four processors and the module functions at the reference's path
(``auralis.optimization.parallel_processor``), on the library's oneTBB thread pool.

Native work runs without the GIL; Python callables given to the processors (band filters,
feature extractors, batch functions) are called from the pool's threads, each call taking the
GIL, so they run concurrently exactly when they release it themselves (numpy, scipy, and every
auralis_native call do). No process pool is ever needed: ``use_multiprocessing`` is accepted
and ignored (results do not change).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

from .. import _native
from .._audio import as_bool, as_count, as_samples
from ..errors import InvalidArgument, InvalidSettings

__all__ = [
    "ParallelConfig",
    "ParallelFFTProcessor",
    "ParallelBandProcessor",
    "ParallelFeatureExtractor",
    "ParallelAudioProcessor",
    "get_parallel_processor",
    "create_parallel_processor",
    "parallelize",
]


@dataclass
class ParallelConfig:
    """The reference's threading policy (fields and defaults). Results never depend on it.

    ``max_workers``: threads per call (0 = all), capped at set_max_threads' limit.
    ``chunk_processing_threshold``: inputs with fewer samples run sequentially.
    ``use_multiprocessing`` and ``shared_memory_threshold_mb``: accepted for compatibility and
    ignored (native threads are not held back by the GIL, so a process pool would only copy).
    """

    enable_parallel: bool = True
    max_workers: int = min(8, os.cpu_count() or 1)
    use_multiprocessing: bool = False
    chunk_processing_threshold: int = 44100
    band_grouping: bool = True
    shared_memory_threshold_mb: int = 10
    adaptive_workers: bool = True


def _checked(config: ParallelConfig | None) -> Any:
    """The config with checked types (InvalidSettings naming the field), as the native layer
    reads it."""
    c = config if config is not None else ParallelConfig()
    return dataclasses.replace(
        c,
        enable_parallel=as_bool(c.enable_parallel, "enable_parallel"),
        max_workers=as_count(c.max_workers, "max_workers"),
        chunk_processing_threshold=as_count(c.chunk_processing_threshold,
                                            "chunk_processing_threshold"),
        band_grouping=as_bool(c.band_grouping, "band_grouping"),
        adaptive_workers=as_bool(c.adaptive_workers, "adaptive_workers"),
    )


class _Processor:
    def __init__(self, config: ParallelConfig | None = None) -> None:
        self.config = config if config is not None else ParallelConfig()
        _checked(self.config)


class ParallelFFTProcessor(_Processor):
    """Windowed FFTs of every frame, frames computed concurrently."""

    def __init__(self, config: ParallelConfig | None = None) -> None:
        super().__init__(config)
        self._windows: dict[int, np.ndarray] = {}

    def get_window(self, size: int) -> np.ndarray:
        """Cached symmetric Hann window (numpy.hanning), as the reference's."""
        n = as_count(size, "size")
        w = self._windows.get(n)
        if w is None:
            w = np.hanning(n)
            self._windows[n] = w
        return w

    def _hop(self, fft_size: int, hop_size: int | None) -> tuple[int, int]:
        n = as_count(fft_size, "fft_size")
        h = n // 2 if hop_size is None else as_count(hop_size, "hop_size")
        return n, h

    def parallel_stft(self, audio: Any, fft_size: int = 4096, hop_size: int | None = None,
                      window: str = "hann", compute_dtype: str = "float64") -> np.ndarray:
        """The STFT, shape (fft_size // 2 + 1, frames), complex, unscaled, with the library's
        periodic `window` ('hann', 'hamming', 'blackman', 'rectangular'). Frame t covers samples
        [t * hop, t * hop + fft_size); one zero-padded frame for shorter input."""
        a = as_samples(audio, "audio", ndims=(1,))
        n, h = self._hop(fft_size, hop_size)
        f32 = compute_dtype in ("float32", "float", "single")
        if not f32 and compute_dtype not in ("float64", "double"):
            raise InvalidSettings(f"auralis: compute_dtype: unknown dtype {compute_dtype!r}",
                                  "compute_dtype")
        return _native.stft(_checked(self.config), a, n, h, window, f32)

    def parallel_windowed_fft(self, audio: Any, fft_size: int = 4096,
                              hop_size: int | None = None,
                              window: Any = None) -> list[np.ndarray]:
        """Full-length complex FFT of every windowed frame (``[]`` when the input is shorter
        than one frame, as the reference). `window`: None or a name uses the library's periodic
        window ('hann' by default; the reference used numpy.hanning, which is symmetric); an
        array of fft_size values is applied as given (computed with numpy)."""
        a = as_samples(audio, "audio", ndims=(1,))
        n, h = self._hop(fft_size, hop_size)
        if a.shape[0] < n:
            return []
        if window is None or isinstance(window, str):
            half = _native.stft(_checked(self.config), a, n, h, window or "hann", False)
            rest = np.conj(half[1:(n + 1) // 2][::-1])
            full = np.ascontiguousarray(np.concatenate([half, rest], axis=0).T)
            return list(full)
        w = np.asarray(window, dtype=np.float64)
        if w.shape != (n,):
            raise InvalidArgument(f"auralis: window: must hold fft_size = {n} values, got shape "
                                  f"{w.shape}", "window")
        if h < 1:
            raise InvalidSettings("auralis: hop_size: must be >= 1", "hop_size")
        frames = np.lib.stride_tricks.sliding_window_view(a.astype(np.float64), n)[::h]
        return list(np.fft.fft(frames * w, axis=1))


class ParallelBandProcessor(_Processor):
    """A filter bank with per-band gains, bands filtered concurrently."""

    def process_bands_parallel(self, audio: Any, band_filters: list[Callable[[np.ndarray], Any]],
                               band_gains: Iterable[float],
                               band_groups: list[list[int]] | None = None) -> np.ndarray:
        """``sum_i 10^(g_i / 20) * band_filters[i](audio)``, added in band order (bit-identical
        whatever the threads). `band_gains` are in dB. Each filter gets a float64 copy of the
        (1-D) audio and returns an array of the same length. Raises BandProcessingError (with
        ``band``) when a filter raises or returns a wrong length."""
        a = as_samples(audio, "audio", ndims=(1,))
        if a.dtype != np.float64:
            a = a.astype(np.float64)
        gains = [float(g) for g in np.asarray(band_gains, dtype=np.float64).ravel()]
        groups = None if band_groups is None else [[as_count(i, "band_groups") for i in g]
                                                   for g in band_groups]
        return _native.process_bands(_checked(self.config), a, list(band_filters), gains, groups)


class ParallelFeatureExtractor(_Processor):
    """Independent feature extractors run concurrently on one signal."""

    def extract_features_parallel(self, audio: Any,
                                  feature_extractors: dict[str, Callable[[np.ndarray], Any]]
                                  ) -> dict[str, Any]:
        """``{name: extractor(audio)}``; each extractor gets the same (1-D) array. Raises
        FeatureExtractionError (with ``feature``) when one raises."""
        a = as_samples(audio, "audio", ndims=(1,))
        if not isinstance(feature_extractors, dict):
            raise InvalidArgument("auralis: extractors: must be a dict of name -> callable",
                                  "extractors")
        return _native.extract_features(_checked(self.config), a, feature_extractors)


class ParallelAudioProcessor(_Processor):
    """Batches of independent inputs (files, tracks) processed concurrently."""

    def __init__(self, config: ParallelConfig | None = None) -> None:
        super().__init__(config)
        self.fft_processor = ParallelFFTProcessor(self.config)
        self.band_processor = ParallelBandProcessor(self.config)
        self.feature_extractor = ParallelFeatureExtractor(self.config)

    def process_batch(self, audio_files: Iterable[Any], process_func: Callable[[Any], Any],
                      max_workers: int | None = None) -> list:
        """``[process_func(x) for x in audio_files]``, concurrently, in input order. Every input
        runs; then the first exception (in input order) is re-raised as it was."""
        config = self.config
        if max_workers is not None:
            config = dataclasses.replace(config, max_workers=as_count(max_workers, "max_workers"))
        if not callable(process_func):
            raise InvalidArgument("auralis: process_func: must be callable", "process_func")
        return _native.process_batch(_checked(config), list(audio_files), process_func)

    def get_config(self) -> ParallelConfig:
        return self.config

    def update_config(self, **kwargs: Any) -> None:
        """Changes fields of the config (unknown names raise InvalidSettings)."""
        names = {f.name for f in dataclasses.fields(ParallelConfig)}
        for k in kwargs:
            if k not in names:
                raise InvalidSettings(f"auralis: {k}: not a ParallelConfig field", k)
        config = dataclasses.replace(self.config, **kwargs)
        _checked(config)
        self.config = config
        self.fft_processor.config = config
        self.band_processor.config = config
        self.feature_extractor.config = config


_global: ParallelAudioProcessor | None = None
_global_lock = threading.Lock()


def get_parallel_processor(config: ParallelConfig | None = None) -> ParallelAudioProcessor:
    """The process-wide processor; `config` counts only on the first call (reference)."""
    global _global
    with _global_lock:
        if _global is None:
            _global = ParallelAudioProcessor(config)
        return _global


def create_parallel_processor(config: ParallelConfig | None = None) -> ParallelAudioProcessor:
    """A new processor."""
    return ParallelAudioProcessor(config)


def parallelize(max_workers: int | None = None) -> Callable:
    """Decorator: ``f(items, *args, **kw)`` becomes ``[f(x, *args, **kw) for x in items]`` run
    concurrently on the process-wide processor, in input order (first error re-raised)."""

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(items: Iterable[Any], *args: Any, **kwargs: Any) -> list:
            return get_parallel_processor().process_batch(
                items, lambda item: func(item, *args, **kwargs), max_workers=max_workers)

        return wrapper

    return decorator
