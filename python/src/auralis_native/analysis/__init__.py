# SPDX-License-Identifier: GPL-3.0-or-later
"""Spectrum analysis, at the reference's module paths (auralis.analysis.*)."""

from .parallel_spectrum_analyzer import (
    ParallelSpectrumAnalyzer,
    ParallelSpectrumSettings,
    create_parallel_spectrum_analyzer,
)
from .spectrum_analyzer import SpectrumAnalyzer, SpectrumSettings

__all__ = [
    "SpectrumSettings",
    "SpectrumAnalyzer",
    "ParallelSpectrumSettings",
    "ParallelSpectrumAnalyzer",
    "create_parallel_spectrum_analyzer",
]
