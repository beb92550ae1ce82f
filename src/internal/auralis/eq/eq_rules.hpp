// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The EQ's per-frame rules: masking threshold, adaptive target gains, gain smoothing
/// (internal; compiled into the library with the EQ).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "auralis/eq/critical_bands.hpp"

namespace auralis::eq {

/// The frame's masking threshold in dB: the highest band level (the band peak) minus 20 dB.
/// `levels` must not be empty. Never allocates; reentrant.
[[nodiscard]] inline double masking_threshold_db(std::span<const double> levels) noexcept {
  return *std::max_element(levels.begin(), levels.end()) - masking_offset_db;
}

/// One frame's target gains in dB, before smoothing: for each band i,
/// `g = target_curve[i]`, halved when `levels[i] < masking_threshold_db(levels)` (a masked band
/// gets half the correction), multiplied by `weights[i]`, clipped to [-12, +12] dB.
/// All spans hold one value per band. Never allocates; reentrant.
inline void adaptive_target_gains(std::span<const double> levels,
                                  std::span<const double> target_curve,
                                  std::span<const double> weights, std::span<double> out) noexcept {
  const double threshold = masking_threshold_db(levels);
  for (std::size_t i = 0; i < levels.size(); ++i) {
    double g = target_curve[i];
    if (levels[i] < threshold) g *= 0.5;
    g *= weights[i];
    out[i] = std::clamp(g, -max_gain_db, max_gain_db);
  }
}

/// The gain recurrence across frames: `g_t = g_{t-1} + 0.2 (target_t - g_{t-1})`, starting
/// from `g_{-1} = 0` dB (the EQ fades in from flat). With a constant target T the gain after
/// frame t is `T (1 - 0.8^(t + 1))` up to rounding. Allocates in the constructor only; one
/// thread at a time.
class GainSmoother {
 public:
  /// `bands` gains, all 0 dB.
  explicit GainSmoother(std::size_t bands = critical_band_count) : gains_(bands, 0.0) {}

  /// Moves every gain 20% of the way towards `target` and returns the new gains (dB).
  std::span<const double> apply(std::span<const double> target) noexcept {
    for (std::size_t i = 0; i < gains_.size(); ++i) {
      gains_[i] = gains_[i] + smoothing_step * (target[i] - gains_[i]);
    }
    return gains_;
  }
  /// The current gains in dB.
  [[nodiscard]] std::span<const double> gains() const noexcept { return gains_; }
  /// Back to 0 dB in every band.
  void reset() noexcept { std::fill(gains_.begin(), gains_.end(), 0.0); }

 private:
  std::vector<double> gains_;
};

}  // namespace auralis::eq
