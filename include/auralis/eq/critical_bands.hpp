// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The psychoacoustic EQ's critical bands and its per-frame gain rules (masking, weighting,
/// clipping, smoothing), as small pure functions shared by every EQ path.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace auralis::eq {

/// Number of critical bands the EQ controls (the 26 edges below delimit 25 bands).
inline constexpr std::size_t critical_band_count = 25;

/// Critical-band edges in Hz: band i covers `[edges[i], edges[i + 1])`. Frequencies below
/// 20 Hz (DC included) and from 20 kHz up to Nyquist belong to no band and pass unchanged.
inline constexpr std::array<double, critical_band_count + 1> critical_band_edges{
    20.0,   100.0,  200.0,  300.0,  400.0,  510.0,   630.0,   770.0,  920.0,
    1080.0, 1270.0, 1480.0, 1720.0, 2000.0, 2320.0,  2700.0,  3150.0, 3700.0,
    4400.0, 5300.0, 6400.0, 7700.0, 9500.0, 12000.0, 15500.0, 20000.0};

/// Centre of band i in Hz: the geometric mean `sqrt(edge_i * edge_{i+1})` of its edges.
[[nodiscard]] inline double critical_band_center(std::size_t band) noexcept {
  return std::sqrt(critical_band_edges[band] * critical_band_edges[band + 1]);
}

/// Perceptual weight of a band centred at `center_hz`: 1.0 in [1, 4] kHz, else 0.8 in
/// [300 Hz, 8 kHz], else 0.6 in [100, 300) Hz or (8, 16] kHz, else 0.3. No band centre lies
/// on a boundary, so the closedness of the intervals changes nothing for the 25 bands.
[[nodiscard]] inline double perceptual_weight(double center_hz) noexcept {
  if (center_hz >= 1000.0 && center_hz <= 4000.0) return 1.0;
  if (center_hz >= 300.0 && center_hz <= 8000.0) return 0.8;
  if ((center_hz >= 100.0 && center_hz < 300.0) || (center_hz > 8000.0 && center_hz <= 16000.0)) {
    return 0.6;
  }
  return 0.3;
}

/// The 25 perceptual weights, band by band (allocates).
[[nodiscard]] inline std::vector<double> perceptual_weights() {
  std::vector<double> w(critical_band_count);
  for (std::size_t i = 0; i < critical_band_count; ++i) {
    w[i] = perceptual_weight(critical_band_center(i));
  }
  return w;
}

/// dB below the loudest band at which the masking threshold lies.
inline constexpr double masking_offset_db = 20.0;
/// Largest boost or cut the EQ applies, in dB.
inline constexpr double max_gain_db = 12.0;
/// Fraction of the way from the previous gain to the new target covered per frame.
inline constexpr double smoothing_step = 0.2;
/// Band level of a band without FFT bins (or of silence): 10 log10(1e-20).
inline constexpr double silent_level_db = -200.0;

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
