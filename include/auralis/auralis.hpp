// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Umbrella header: the whole public API of auralis.
#pragma once

#include "auralis/config.hpp"
#include "auralis/dynamics/dynamics.hpp"
#include "auralis/eq/eq.hpp"
#include "auralis/error.hpp"
#if AURALIS_HAS_AUDIO_FILES
#include "auralis/io/audio_file.hpp"
#endif
#include "auralis/loudness.hpp"
#include "auralis/parallel/processors.hpp"
#include "auralis/settings.hpp"
#include "auralis/spectrum_analyzer.hpp"
#include "auralis/version.hpp"
