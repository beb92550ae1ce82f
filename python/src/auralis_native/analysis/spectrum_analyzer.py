# SPDX-License-Identifier: GPL-3.0-or-later
"""SpectrumSettings and SpectrumAnalyzer at the reference's path
(``auralis.analysis.spectrum_analyzer``), computed by the auralis C++ library.

Differences from the reference and reproduced quirks: see docs/python.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._analyzer import AnalyzerBase

__all__ = ["SpectrumSettings", "SpectrumAnalyzer"]


@dataclass
class SpectrumSettings:
    """Settings of SpectrumAnalyzer: the reference's fields and defaults, plus two extensions.

    ``window_type``: 'hann', 'hamming', 'blackman' or 'rectangular' (periodic windows).
    ``frequency_weighting``: 'A', 'C' or 'Z' (the reference read any other string as Z; here it
    is an error). ``metric_convention``: 'auralis' (the reference's definitions, default) or
    'standard' (librosa centroid/rolloff, IEC 61672 weighting, Parseval energy, no smoothing).
    ``compute_dtype``: 'float64' (default) or 'float32' window and FFT.
    """

    fft_size: int = 4096
    window_type: str = "hann"
    overlap: float = 0.75
    sample_rate: int = 44100
    frequency_bands: int = 64
    frequency_weighting: str = "A"
    smoothing_factor: float = 0.8
    min_frequency: float = 20.0
    max_frequency: float = 20000.0
    metric_convention: str = "auralis"
    compute_dtype: str = "float64"


class SpectrumAnalyzer(AnalyzerBase):
    """Sequential spectrum analyzer with the reference's API and result dictionaries.

    Every call releases the GIL. ``analyze_file`` of a 2-D array analyses channel 0 only, as the
    reference does (ParallelSpectrumAnalyzer averages the channels instead). Picklable (the
    settings travel; the smoothing state of analyze_chunk does not).
    """

    _parallel = False
    _settings_type = SpectrumSettings

    def __init__(self, settings: SpectrumSettings | None = None) -> None:
        super().__init__(settings)

    def _file_input(self, a: np.ndarray) -> np.ndarray:
        # Reference quirk: 2-D input goes through analyze_chunk's default channel=0.
        return np.ascontiguousarray(a[:, 0]) if a.ndim == 2 else a
