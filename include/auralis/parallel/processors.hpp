// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The oneTBB processor layer.
#pragma once

#include "auralis/parallel/parallel_audio_processor.hpp"
#include "auralis/parallel/parallel_band_processor.hpp"
#include "auralis/parallel/parallel_config.hpp"
#include "auralis/parallel/parallel_feature_extractor.hpp"
#include "auralis/parallel/parallel_fft_processor.hpp"
#include "auralis/parallel/parallel_spectrum_analyzer.hpp"
