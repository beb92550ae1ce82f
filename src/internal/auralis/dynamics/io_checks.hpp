// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Argument and settings checks shared by the dynamics processors and the loudness meter
/// (internal). Every check throws before anything is written or any state changes.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <span>
#include <string>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/error.hpp"

namespace auralis::dynamics::detail {

/// `value` must be finite and within [lo, hi] (either bound may be +-infinity).
inline void require_range(double value, double lo, double hi, const char* field,
                          const char* unit = "") {
  if (!(value >= lo && value <= hi) || !std::isfinite(value)) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "must be finite and in [%.6g, %.6g]%s%s, got %.6g", lo, hi,
                  *unit ? " " : "", unit, value);
    throw InvalidSettings(field, buf);
  }
}

/// `channels` must be in [1, max_channels].
inline void require_channels(std::size_t channels, std::size_t max_channels = 64) {
  if (channels == 0 || channels > max_channels) {
    throw InvalidSettings("channels", "must be in [1, " + std::to_string(max_channels) + "], got " +
                                          std::to_string(channels));
  }
}

/// Interleaved input and output: the same size, a whole number of frames, finite samples.
template <class Real>
void check_io(std::span<const Real> in, std::span<const Real> out, std::size_t channels,
              const char* in_field = "in") {
  if (in.size() % channels != 0) {
    throw InvalidAudio(in_field, std::to_string(in.size()) +
                                     " samples is not a whole number of frames of " +
                                     std::to_string(channels) + " channels (interleaved)");
  }
  if (out.size() != in.size()) {
    throw InvalidArgument("out", "must have the input's size " + std::to_string(in.size()) +
                                     ", got " + std::to_string(out.size()));
  }
  const std::size_t bad = auralis::detail::first_non_finite(in);
  if (bad != in.size()) {
    throw InvalidAudio(in_field, "sample " + std::to_string(bad) + " (frame " +
                                     std::to_string(bad / channels) + ", channel " +
                                     std::to_string(bad % channels) + ") is " +
                                     (in[bad] != in[bad] ? "NaN" : "infinite") +
                                     "; only finite samples can be processed");
  }
}

}  // namespace auralis::dynamics::detail
