// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The two passes over raw samples, compiled per SIMD level like the other element-wise
/// kernels (kernel/simd.hpp; every level gives the same result):
/// - windowing a mono frame, `out[i] = Real(x[i]) * w[i]`;
/// - the input check: the index of the first sample whose magnitude exceeds a limit or that is
///   NaN or infinite, found in one pass by comparing the bit patterns of |x| as unsigned
///   integers (for IEEE numbers without sign, integer order is magnitude order, and NaN and
///   infinity come above every finite value).
/// Allocation-free, thread-safe.
#pragma once

#include <cstddef>

#include "auralis/kernel/simd.hpp"

namespace auralis::kernel {

/// `out[i] = Real(x[i]) * w[i]` for i < n.
template <class Sample, class Real>
using WindowKernel = void (*)(const Sample* x, const Real* w, Real* out, std::size_t n) noexcept;

[[nodiscard]] WindowKernel<float, float> window_kernel(SimdLevel level, const float*,
                                                       const float*) noexcept;
[[nodiscard]] WindowKernel<double, float> window_kernel(SimdLevel level, const double*,
                                                        const float*) noexcept;
[[nodiscard]] WindowKernel<float, double> window_kernel(SimdLevel level, const float*,
                                                        const double*) noexcept;
[[nodiscard]] WindowKernel<double, double> window_kernel(SimdLevel level, const double*,
                                                         const double*) noexcept;

/// Index of the first `x[i]` that is NaN, infinite or larger than `limit` in magnitude (`limit`
/// >= 0; pass infinity to find only NaN and infinities), or n when there is none.
template <class T>
using ScanKernel = std::size_t (*)(const T* x, std::size_t n, T limit) noexcept;

[[nodiscard]] ScanKernel<float> scan_kernel(SimdLevel level, const float*) noexcept;
[[nodiscard]] ScanKernel<double> scan_kernel(SimdLevel level, const double*) noexcept;

/// The best kernels for this CPU.
template <class Sample, class Real>
void window_mono(const Sample* x, const Real* w, Real* out, std::size_t n) noexcept {
  window_kernel(best_simd_level(), x, w)(x, w, out, n);
}
template <class T>
[[nodiscard]] std::size_t first_beyond(const T* x, std::size_t n, T limit) noexcept {
  return scan_kernel(best_simd_level(), x)(x, n, limit);
}

}  // namespace auralis::kernel
