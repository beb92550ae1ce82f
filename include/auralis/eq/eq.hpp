// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The psychoacoustic EQ: PsychoacousticEQ, its critical bands and gain rules, the per-frame
/// WOLA kernel and the band-parallel CriticalBandFilterBank. See docs/eq.md.
#pragma once

#include "auralis/eq/critical_band_filter_bank.hpp"
#include "auralis/eq/critical_bands.hpp"
#include "auralis/eq/psychoacoustic_eq.hpp"
