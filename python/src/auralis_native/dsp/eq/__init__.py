# SPDX-License-Identifier: GPL-3.0-or-later
"""The psychoacoustic EQ (the reference's auralis.dsp.eq)."""

from .psychoacoustic_eq import (CriticalBandFilterBank, EQSettings, EqSettings, PsychoacousticEQ,
                                critical_band_center, critical_band_edges, perceptual_weight)

__all__ = ["EQSettings", "EqSettings", "PsychoacousticEQ", "CriticalBandFilterBank",
           "critical_band_edges", "critical_band_center", "perceptual_weight"]
