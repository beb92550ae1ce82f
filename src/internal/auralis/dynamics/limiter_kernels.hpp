// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The limiter's element-wise kernels (internal): peak detection, the true-peak interpolator
/// and the gain multiply. Compiled once per SIMD level in src/dynamics/limiter_kernels.cpp;
/// every level performs the same IEEE operations in the same order for each element (no FMA
/// contraction, no reduction whose order depends on the vector width), so the level changes
/// speed, never a bit.
#pragma once

#include <cstddef>

#include "auralis/kernel/simd.hpp"

namespace auralis::dynamics::detail {

template <class Real>
struct LimiterKernels {
  /// Sample-peak targets: t[k] = c / max(p, c) with p = max over channels of |x[k C + ch]|,
  /// for k < frames (p converted to double exactly).
  void (*sample_targets)(const Real* x, std::size_t frames, std::size_t channels, double c,
                         double* t) noexcept;
  /// Sample peaks p[k] = max over channels of |x[k C + ch]|.
  void (*frame_peaks)(const Real* x, std::size_t frames, std::size_t channels, Real* p) noexcept;
  /// Interval peaks of the 8x interpolation (true_peak_filter.hpp): `xn` points at frame n
  /// (its first channel) and x[(n - 15) C ..] must be readable; for k < frames,
  /// q[k] = max over channels and phases 1..7 of |value at (n + k - 8) + phase / 8|, an
  /// overflowed or NaN value counting as +infinity; except that frames are taken in groups of
  /// 32 and a group whose values read no sample above `quiet` in magnitude gets q = 0 without
  /// interpolating (its values are at most 2.11 quiet: pass quiet <= c / 2.2 and no target
  /// changes). `scratch` holds frames * C values.
  void (*interval_peaks)(const Real* xn, std::size_t frames, std::size_t channels, Real quiet,
                         Real* scratch, Real* q) noexcept;
  /// True-peak targets: t[k] = c / max(max(p[k], q[k], q[k + 1]), c) (q has frames + 1 values).
  void (*true_peak_targets)(const Real* p, const Real* q, std::size_t frames, double c,
                            double* t) noexcept;
  /// y[k C + ch] = min(max(x[k C + ch] * Real(g[k]), -c), c).
  void (*apply_gain)(const Real* x, const double* g, std::size_t frames, std::size_t channels,
                     Real c, Real* y) noexcept;
};

/// The kernels compiled for `level` (which the CPU must support).
template <class Real>
[[nodiscard]] LimiterKernels<Real> limiter_kernels(kernel::SimdLevel level) noexcept;

}  // namespace auralis::dynamics::detail
