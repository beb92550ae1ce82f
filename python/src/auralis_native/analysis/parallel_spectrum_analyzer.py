# SPDX-License-Identifier: GPL-3.0-or-later
"""ParallelSpectrumSettings, ParallelSpectrumAnalyzer and create_parallel_spectrum_analyzer at
the reference's path (``auralis.analysis.parallel_spectrum_analyzer``), computed by the auralis
C++ library on oneTBB threads (no GIL held, no process pool).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._analyzer import AnalyzerBase
from .spectrum_analyzer import SpectrumSettings

__all__ = ["ParallelSpectrumSettings", "ParallelSpectrumAnalyzer",
           "create_parallel_spectrum_analyzer"]


@dataclass
class ParallelSpectrumSettings(SpectrumSettings):
    """SpectrumSettings plus the parallel policy (the reference's fields and defaults).

    ``max_workers``: threads per analyze_file call, capped at the threads oneTBB may use
    (see auralis_native.set_max_threads); 0 = all.
    """

    enable_parallel: bool = True
    max_workers: int = 8
    min_chunks_for_parallel: int = 4


class ParallelSpectrumAnalyzer(AnalyzerBase):
    """Parallel spectrum analyzer: results equal (bit for bit) to SpectrumAnalyzer's on mono
    input. ``analyze_file`` averages the channels of 2-D input (reference behaviour) and its
    ``settings`` dict tells ``parallel_processing``. Picklable."""

    _parallel = True
    _settings_type = ParallelSpectrumSettings

    def __init__(self, settings: ParallelSpectrumSettings | None = None) -> None:
        super().__init__(settings)

    def _file_input(self, a: np.ndarray) -> np.ndarray:
        return a  # (frames, channels) is averaged by the library, in place

    def _file_settings(self, r: dict) -> dict:
        out = super()._file_settings(r)
        out["parallel_processing"] = bool(r["parallel_processing"])
        return out

    def workers_for(self, frames: int) -> int:
        """Threads an analyze_file call of `frames` frames would use (1 = sequential path)."""
        return int(self._current().workers_for(int(frames)))


def create_parallel_spectrum_analyzer(
        settings: ParallelSpectrumSettings | None = None) -> ParallelSpectrumAnalyzer:
    """Factory, as in the reference."""
    return ParallelSpectrumAnalyzer(settings)
