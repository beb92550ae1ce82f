// SPDX-License-Identifier: GPL-3.0-or-later
// Prelude: `settings`, analysis settings the application has chosen.
#pragma once
#include <auralis/parallel/parallel_spectrum_analyzer.hpp>

extern const auralis::ParallelSpectrumSettings settings;
