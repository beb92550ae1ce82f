// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Analysis windows, periodic (DFT-even), as scipy.signal.get_window(name, N) builds them.
#pragma once

#include <cmath>
#include <cstddef>
#include <memory>
#include <numbers>
#include <vector>

#include "auralis/kernel/aligned_buffer.hpp"
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

/// Budget of shared_window<Real>, per sample type: the cached windows' bytes (n values each,
/// plus cache_entry_overhead) sum to at most 16 MiB. The largest (2^20 doubles, 8 MiB) fits.
inline constexpr std::size_t window_cache_budget = std::size_t{16} << 20;

/// The process-wide window of `n` samples: make_window(type, n) rounded once to `Real`, in a
/// buffer aligned to buffer_alignment. Served from a cache bounded by window_cache_budget
/// (least recently used windows are evicted; holders keep theirs alive; windows still cached
/// at exit are never destroyed); a window rebuilt after eviction has the same values. Computed
/// in the library, so the values do not depend on the caller's compiler flags. Thread-safe;
/// allocates when (type, n) is not cached. Throws InvalidSettings for an unknown window type.
template <class Real>
[[nodiscard]] std::shared_ptr<const AlignedBuffer<Real>> shared_window(WindowType type,
                                                                       std::size_t n);

extern template std::shared_ptr<const AlignedBuffer<float>> shared_window<float>(WindowType,
                                                                                 std::size_t);
extern template std::shared_ptr<const AlignedBuffer<double>> shared_window<double>(WindowType,
                                                                                   std::size_t);

}  // namespace auralis::kernel
