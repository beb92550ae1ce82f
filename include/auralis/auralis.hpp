// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Umbrella header: everything a user of auralis needs.
#pragma once

#include "auralis/eq/eq.hpp"
#include "auralis/error.hpp"
#include "auralis/io/audio_file.hpp"
#include "auralis/kernel/band_map.hpp"
#include "auralis/kernel/fft_plan.hpp"
#include "auralis/kernel/frame_analyzer.hpp"
#include "auralis/kernel/magnitude_spectrum.hpp"
#include "auralis/kernel/magnitudes.hpp"
#include "auralis/kernel/metrics.hpp"
#include "auralis/kernel/sample_kernels.hpp"
#include "auralis/kernel/simd.hpp"
#include "auralis/kernel/vector_math.hpp"
#include "auralis/kernel/weighting.hpp"
#include "auralis/kernel/window.hpp"
#include "auralis/parallel/processors.hpp"
#include "auralis/settings.hpp"
#include "auralis/spectrum_analyzer.hpp"
#include "auralis/version.hpp"
