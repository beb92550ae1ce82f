// SPDX-License-Identifier: GPL-3.0-or-later
// The magnitude kernel, compiled once per instruction set. On this project's reference CPU
// (AMD EPYC, Zen 4) the throughput of the correctly rounded square root is the same per
// instruction at every vector width, so 512-bit vectors take a quarter of SSE2's time.
#include "auralis/kernel/magnitudes.hpp"

#include "simd_targets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace auralis::kernel {
namespace {

// Largest |component| of `n` values: the largest absolute value's bit pattern is the largest
// unsigned integer once the sign bit is cleared (finite inputs), an order-free reduction.
template <class Real, class Bits>
AURALIS_INLINE_KERNEL Real peak_component(const Real* c, std::size_t n) noexcept {
  constexpr Bits mask = static_cast<Bits>(~Bits{0}) >> 1;
  Bits peak = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Bits b;
    std::memcpy(&b, c + i, sizeof b);
    b &= mask;
    peak = b > peak ? b : peak;
  }
  Real r;
  std::memcpy(&r, &peak, sizeof r);
  return r;
}

AURALIS_INLINE_KERNEL void magnitudes_double(const double* c, std::size_t nb, double* mag,
                                             double* /*scratch*/) noexcept {
  const double peak = peak_component<double, std::uint64_t>(c, 2 * nb);
  // Squares beyond ~1e154 overflow and below ~1e-154 underflow; only then scale by a power of
  // two first (exact), so results equal the plain formula wherever it is exact.
  double scale = 1.0;
  if (peak > 0x1p500 || (peak < 0x1p-500 && peak > 0.0)) {
    scale = std::ldexp(1.0, std::clamp(-std::ilogb(peak), -1000, 1000));
  }
  if (scale == 1.0) {
    for (std::size_t k = 0; k < nb; ++k) {
      const double re = c[2 * k];
      const double im = c[2 * k + 1];
      mag[k] = std::sqrt(re * re + im * im);
    }
    return;
  }
  const double unscale = 1.0 / scale;  // a power of two: exact
  for (std::size_t k = 0; k < nb; ++k) {
    const double re = c[2 * k] * scale;
    const double im = c[2 * k + 1] * scale;
    mag[k] = std::sqrt(re * re + im * im) * unscale;
  }
}

AURALIS_INLINE_KERNEL void magnitudes_float(const float* c, std::size_t nb, double* mag,
                                            float* scratch) noexcept {
  const float peak = peak_component<float, std::uint32_t>(c, 2 * nb);
  if (peak == 0.0f) {
    std::fill(mag, mag + nb, 0.0);
    return;
  }
  // Bring the largest component into [1, 2): the squares can neither overflow nor, for bins
  // within ~110 dB of the peak, underflow. Power-of-two scaling is exact.
  const int e = std::ilogb(peak);
  const float scale = std::ldexp(1.0f, -e);
  for (std::size_t k = 0; k < nb; ++k) {
    const float re = c[2 * k] * scale;
    const float im = c[2 * k + 1] * scale;
    scratch[k] = std::sqrt(re * re + im * im);
  }
  const double unscale = std::ldexp(1.0, e);
  for (std::size_t k = 0; k < nb; ++k) mag[k] = static_cast<double>(scratch[k]) * unscale;
}

void double_baseline(const double* c, std::size_t nb, double* mag, double* s) noexcept {
  magnitudes_double(c, nb, mag, s);
}
void float_baseline(const float* c, std::size_t nb, double* mag, float* s) noexcept {
  magnitudes_float(c, nb, mag, s);
}

#if AURALIS_X86_DISPATCH
[[gnu::target("avx2")]] void double_avx2(const double* c, std::size_t nb, double* mag,
                                         double* s) noexcept {
  magnitudes_double(c, nb, mag, s);
}
[[gnu::target("avx2")]] void float_avx2(const float* c, std::size_t nb, double* mag,
                                        float* s) noexcept {
  magnitudes_float(c, nb, mag, s);
}
[[gnu::target("avx512f")]] void double_avx512(const double* c, std::size_t nb, double* mag,
                                              double* s) noexcept {
  magnitudes_double(c, nb, mag, s);
}
[[gnu::target("avx512f")]] void float_avx512(const float* c, std::size_t nb, double* mag,
                                             float* s) noexcept {
  magnitudes_float(c, nb, mag, s);
}
#endif

}  // namespace

MagnitudeKernel magnitude_kernel(SimdLevel level, const double*) noexcept {
  return AURALIS_SELECT_VARIANT(double, level);
}

MagnitudeKernelF magnitude_kernel(SimdLevel level, const float*) noexcept {
  return AURALIS_SELECT_VARIANT(float, level);
}

}  // namespace auralis::kernel
