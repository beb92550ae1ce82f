// SPDX-License-Identifier: GPL-3.0-or-later
#include "auralis/kernel/sample_kernels.hpp"

#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "simd_targets.hpp"

namespace auralis::kernel {
namespace {

template <class Sample, class Real>
AURALIS_INLINE_KERNEL void window_body(const Sample* x, const Real* w, Real* out,
                                       std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Real>(x[i]) * w[i];
}

template <class T>
using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

// Largest |x| bit pattern of a block (order-free: integer max).
template <class T>
AURALIS_INLINE_KERNEL Bits<T> block_max(const T* x, std::size_t n) noexcept {
  constexpr Bits<T> mask = static_cast<Bits<T>>(~Bits<T>{0}) >> 1;
  Bits<T> m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Bits<T> b = std::bit_cast<Bits<T>>(x[i]) & mask;
    m = b > m ? b : m;
  }
  return m;
}

template <class T>
AURALIS_INLINE_KERNEL std::size_t scan_body(const T* x, std::size_t n, T limit) noexcept {
  constexpr Bits<T> mask = static_cast<Bits<T>>(~Bits<T>{0}) >> 1;
  // Everything above the largest finite value allowed: an infinite limit lets finite values
  // through and still catches infinities and NaN.
  const T allowed = limit < std::numeric_limits<T>::max() ? limit : std::numeric_limits<T>::max();
  const Bits<T> threshold = std::bit_cast<Bits<T>>(allowed) & mask;
  constexpr std::size_t block = 1024;
  for (std::size_t b = 0; b < n; b += block) {
    const std::size_t len = n - b < block ? n - b : block;
    if (block_max(x + b, len) <= threshold) continue;
    for (std::size_t i = b; i < b + len; ++i) {
      if ((std::bit_cast<Bits<T>>(x[i]) & mask) > threshold) return i;
    }
  }
  return n;
}

#define AURALIS_WINDOW_VARIANTS(S, R, suffix, attr)                                               \
  attr void window_##S##_##R##_##suffix(const S* x, const R* w, R* out, std::size_t n) noexcept { \
    window_body(x, w, out, n);                                                                    \
  }
#define AURALIS_SCAN_VARIANT(T, suffix, attr)                                         \
  attr std::size_t scan_##T##_##suffix(const T* x, std::size_t n, T limit) noexcept { \
    return scan_body(x, n, limit);                                                    \
  }
#define AURALIS_ALL_KERNELS(suffix, attr)               \
  AURALIS_WINDOW_VARIANTS(float, float, suffix, attr)   \
  AURALIS_WINDOW_VARIANTS(double, float, suffix, attr)  \
  AURALIS_WINDOW_VARIANTS(float, double, suffix, attr)  \
  AURALIS_WINDOW_VARIANTS(double, double, suffix, attr) \
  AURALIS_SCAN_VARIANT(float, suffix, attr)             \
  AURALIS_SCAN_VARIANT(double, suffix, attr)

AURALIS_ALL_KERNELS(baseline, )
#if AURALIS_X86_DISPATCH
AURALIS_ALL_KERNELS(avx2, [[gnu::target("avx2")]])
AURALIS_ALL_KERNELS(avx512, [[gnu::target("avx512f")]])
#endif

}  // namespace

WindowKernel<float, float> window_kernel(SimdLevel level, const float*, const float*) noexcept {
  return AURALIS_SELECT_VARIANT(window_float_float, level);
}
WindowKernel<double, float> window_kernel(SimdLevel level, const double*, const float*) noexcept {
  return AURALIS_SELECT_VARIANT(window_double_float, level);
}
WindowKernel<float, double> window_kernel(SimdLevel level, const float*, const double*) noexcept {
  return AURALIS_SELECT_VARIANT(window_float_double, level);
}
WindowKernel<double, double> window_kernel(SimdLevel level, const double*, const double*) noexcept {
  return AURALIS_SELECT_VARIANT(window_double_double, level);
}
ScanKernel<float> scan_kernel(SimdLevel level, const float*) noexcept {
  return AURALIS_SELECT_VARIANT(scan_float, level);
}
ScanKernel<double> scan_kernel(SimdLevel level, const double*) noexcept {
  return AURALIS_SELECT_VARIANT(scan_double, level);
}

}  // namespace auralis::kernel
