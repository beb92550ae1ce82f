// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Every internal header of the library: kernels, SIMD dispatch, caches, the analysis and EQ
/// machinery. Not installed; for the project's own tests, benchmarks, fuzzers and programs.
#pragma once

#include "auralis/auralis.hpp"
#include "auralis/detail/analyzer_impl.hpp"
#include "auralis/detail/audio_checks.hpp"
#include "auralis/detail/file_analysis.hpp"
#include "auralis/detail/pipeline.hpp"
#include "auralis/detail/workspace_cache.hpp"
#include "auralis/eq/eq_engine.hpp"
#include "auralis/eq/eq_frame_kernel.hpp"
#include "auralis/eq/eq_rules.hpp"
#include "auralis/kernel/aligned_buffer.hpp"
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
#include "auralis/parallel/executor.hpp"
