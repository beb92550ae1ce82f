// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The dynamics module: envelope follower, compressor, look-ahead brick-wall limiter and soft
/// clipper (namespace auralis::dynamics). See docs/dynamics.md.
#pragma once

#include "auralis/dynamics/compressor.hpp"
#include "auralis/dynamics/envelope_follower.hpp"
#include "auralis/dynamics/limiter.hpp"
#include "auralis/dynamics/soft_clipper.hpp"
