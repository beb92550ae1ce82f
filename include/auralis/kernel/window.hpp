// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Analysis windows, periodic (DFT-even), as scipy.signal.get_window(name, N) builds them.
#pragma once

#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#include "auralis/settings.hpp"

namespace auralis::kernel {

/// Builds the periodic window of length `n` in double precision (allocates; set-up only).
///
/// - hann: `0.5 + 0.5 cos(n (2 pi / N) - pi)`, the exact expression scipy evaluates (equal to
///   `0.5 - 0.5 cos(2 pi n / N)` up to 2.3e-16);
/// - hamming: `0.54 + 0.46 cos(n (2 pi / N) - pi)`;
/// - blackman: `0.42 + 0.5 cos(x) + 0.08 cos(2 x)` with `x = n (2 pi / N) - pi`
///   (= `0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N)`);
/// - rectangular: 1.
/// No normalisation is applied. Throws InvalidSettings for an unknown window type.
[[nodiscard]] inline std::vector<double> make_window(WindowType type, std::size_t n) {
  std::vector<double> w(n, 1.0);
  const double step = 2.0 * std::numbers::pi / static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(i) * step - std::numbers::pi;
    switch (type) {
      case WindowType::hann:
        w[i] = 0.5 + 0.5 * std::cos(x);
        break;
      case WindowType::hamming:
        w[i] = 0.54 + 0.46 * std::cos(x);
        break;
      case WindowType::blackman:
        w[i] = 0.42 + 0.5 * std::cos(x) + 0.08 * std::cos(2.0 * x);
        break;
      case WindowType::rectangular:
        break;
      default:
        throw InvalidSettings("window_type", "must be hann, hamming, blackman or rectangular");
    }
  }
  return w;
}

}  // namespace auralis::kernel
