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

// Scaled float magnitudes into `scaled`; returns the power of two that unscales them (0 when
// the spectrum is all zero, `scaled` then holding zeros).
AURALIS_INLINE_KERNEL double scaled_magnitudes_float(const float* c, std::size_t nb,
                                                     float* scaled) noexcept {
  const float peak = peak_component<float, std::uint32_t>(c, 2 * nb);
  if (peak == 0.0f) {
    std::fill(scaled, scaled + nb, 0.0f);
    return 0.0;
  }
  // Bring the largest component into [1, 2): the squares can neither overflow nor, for bins
  // within ~110 dB of the peak, underflow. Power-of-two scaling is exact. A subnormal peak
  // (below 2^-126) is scaled by 2^126 only, so that the scale itself stays finite.
  const int e = std::max(std::ilogb(peak), -126);
  const float scale = std::ldexp(1.0f, -e);
  for (std::size_t k = 0; k < nb; ++k) {
    const float re = c[2 * k] * scale;
    const float im = c[2 * k + 1] * scale;
    scaled[k] = std::sqrt(re * re + im * im);
  }
  return std::ldexp(1.0, e);
}

AURALIS_INLINE_KERNEL void magnitudes_float(const float* c, std::size_t nb, double* mag,
                                            float* scratch) noexcept {
  const double unscale = scaled_magnitudes_float(c, nb, scratch);
  for (std::size_t k = 0; k < nb; ++k) mag[k] = static_cast<double>(scratch[k]) * unscale;
}

// The split step (see magnitudes.hpp): four passes over L1-resident arrays, each a plain
// forward loop over restrict-qualified arrays that compilers vectorise (a loop reading Z_k and
// Z_{M-k} interleaved and in opposite directions is not vectorised by GCC 12).

// Z_k (scaled) into re/im arrays, k = 0..M, with Z_M = Z_0.
template <class Real>
AURALIS_INLINE_KERNEL void split_deinterleave(const Real* __restrict z, std::size_t m, Real scale,
                                              Real* __restrict zr, Real* __restrict zi) noexcept {
  for (std::size_t k = 0; k < m; ++k) {
    zr[k] = z[2 * k] * scale;
    zi[k] = z[2 * k + 1] * scale;
  }
  zr[m] = zr[0];
  zi[m] = zi[0];
}

// br[k] = zr[M - k], bi[k] = zi[M - k], k = 0..M/2.
template <class Real>
AURALIS_INLINE_KERNEL void split_reverse(const Real* __restrict zr, const Real* __restrict zi,
                                         std::size_t m, Real* __restrict br,
                                         Real* __restrict bi) noexcept {
  for (std::size_t k = 0; k <= m / 2; ++k) {
    br[k] = zr[m - k];
    bi[k] = zi[m - k];
  }
}

// |2 X_k| * post into out[k] and |2 X_{M-k}| * post into y[k], k = 0..M/2.
template <class Real>
AURALIS_INLINE_KERNEL void split_pair_magnitudes(
    const Real* __restrict zr, const Real* __restrict zi, const Real* __restrict br,
    const Real* __restrict bi, const Real* __restrict twr, const Real* __restrict twi,
    std::size_t h, Real post, Real* __restrict out, Real* __restrict y) noexcept {
  for (std::size_t k = 0; k <= h; ++k) {
    const Real ar = zr[k] + br[k];  // A = Z_k + conj(Z_{M-k})
    const Real ai = zi[k] - bi[k];
    const Real dr = zr[k] - br[k];  // D = Z_k - conj(Z_{M-k}); B = -i D = (di, -dr)
    const Real di = zi[k] + bi[k];
    const Real tr = twr[k] * di + twi[k] * dr;  // W^k B
    const Real ti = twi[k] * di - twr[k] * dr;
    const Real xr = ar + tr, xi = ai + ti;  // 2 X_k
    const Real yr = ar - tr, yi = ai - ti;  // 2 conj(X_{M-k})
    out[k] = std::sqrt(xr * xr + xi * xi) * post;
    y[k] = std::sqrt(yr * yr + yi * yi) * post;
  }
}

// out[k] = y[M - k] for k = M/2 + 1..M.
template <class Real>
AURALIS_INLINE_KERNEL void split_unreverse(const Real* __restrict y, std::size_t m,
                                           Real* __restrict out) noexcept {
  for (std::size_t k = m / 2 + 1; k <= m; ++k) out[k] = y[m - k];
}

template <class Real>
AURALIS_INLINE_KERNEL void split_pairs(const Real* z, std::size_t m, Real scale, Real post,
                                       const Real* twr, const Real* twi, Real* scratch,
                                       Real* out) noexcept {
  const std::size_t full = detail::split_padded(m + 1), half = detail::split_padded(m / 2 + 1);
  Real* zr = scratch;
  Real* zi = zr + full;
  Real* br = zi + full;
  Real* bi = br + half;
  Real* y = bi + half;
  split_deinterleave(z, m, scale, zr, zi);
  split_reverse(zr, zi, m, br, bi);
  split_pair_magnitudes(zr, zi, br, bi, twr, twi, m / 2, post, out, y);
  split_unreverse(y, m, out);
}

AURALIS_INLINE_KERNEL double split_double(const double* z, std::size_t m, const double* twr,
                                          const double* twi, double* scratch,
                                          double* out) noexcept {
  const double peak = peak_component<double, std::uint64_t>(z, 2 * m);
  // |2 X_k| <= 4 sqrt(2) * peak: squares overflow beyond ~2^509 and underflow below ~2^-511.
  double scale = 1.0;
  if (peak > 0x1p498 || (peak < 0x1p-500 && peak > 0.0)) {
    scale = std::ldexp(1.0, std::clamp(-std::ilogb(peak), -1000, 1000));
  }
  split_pairs(z, m, scale, 0.5 / scale, twr, twi, scratch, out);  // powers of two: exact
  return 1.0;
}

AURALIS_INLINE_KERNEL double split_float(const float* z, std::size_t m, const float* twr,
                                         const float* twi, float* scratch, float* out) noexcept {
  const float peak = peak_component<float, std::uint32_t>(z, 2 * m);
  if (peak == 0.0f) {
    std::fill(out, out + m + 1, 0.0f);
    return 0.0;
  }
  // As scaled_magnitudes_float: the largest component into [1, 2) (2^126 at most).
  const int e = std::max(std::ilogb(peak), -126);
  split_pairs(z, m, std::ldexp(1.0f, -e), 1.0f, twr, twi, scratch, out);
  return std::ldexp(1.0, e - 1);  // the factor 1/2 of X_k = (A + W B) / 2
}

#define AURALIS_SPLIT_VARIANT(T, suffix, attr)                                            \
  attr double split_##T##_##suffix(const T* z, std::size_t m, const T* twr, const T* twi, \
                                   T* scratch, T* out) noexcept {                         \
    return split_##T(z, m, twr, twi, scratch, out);                                       \
  }
AURALIS_SPLIT_VARIANT(float, baseline, )
AURALIS_SPLIT_VARIANT(double, baseline, )
#if AURALIS_X86_DISPATCH
AURALIS_SPLIT_VARIANT(float, avx2, [[gnu::target("avx2")]])
AURALIS_SPLIT_VARIANT(double, avx2, [[gnu::target("avx2")]])
AURALIS_SPLIT_VARIANT(float, avx512, [[gnu::target("avx512f")]])
AURALIS_SPLIT_VARIANT(double, avx512, [[gnu::target("avx512f")]])
#endif

template <class T>
AURALIS_INLINE_KERNEL double sum_range(const T* x, std::size_t n) noexcept {
  double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (std::size_t j = 0; j < 8; ++j) acc[j] += static_cast<double>(x[i + j]);
  }
  for (std::size_t j = 0; i + j < n; ++j) acc[j] += static_cast<double>(x[i + j]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

template <class T>
AURALIS_INLINE_KERNEL void band_sums(const T* mags, const std::size_t* first,
                                     const std::size_t* end, std::size_t bands,
                                     double* out) noexcept {
  for (std::size_t b = 0; b < bands; ++b) out[b] = sum_range(mags + first[b], end[b] - first[b]);
}

#define AURALIS_BAND_SUM_VARIANT(T, suffix, attr)                                            \
  attr void band_sums_##T##_##suffix(const T* m, const std::size_t* f, const std::size_t* e, \
                                     std::size_t b, double* o) noexcept {                    \
    band_sums(m, f, e, b, o);                                                                \
  }
AURALIS_BAND_SUM_VARIANT(float, baseline, )
AURALIS_BAND_SUM_VARIANT(double, baseline, )
#if AURALIS_X86_DISPATCH
AURALIS_BAND_SUM_VARIANT(float, avx2, [[gnu::target("avx2")]])
AURALIS_BAND_SUM_VARIANT(double, avx2, [[gnu::target("avx2")]])
AURALIS_BAND_SUM_VARIANT(float, avx512, [[gnu::target("avx512f")]])
AURALIS_BAND_SUM_VARIANT(double, avx512, [[gnu::target("avx512f")]])
#endif

// Each kernel's variants: the same always-inlined body compiled for each instruction set.
#define AURALIS_MAGNITUDE_VARIANTS(suffix, attr)                                                \
  attr void double_##suffix(const double* c, std::size_t nb, double* mag, double* s) noexcept { \
    magnitudes_double(c, nb, mag, s);                                                           \
  }                                                                                             \
  attr void float_##suffix(const float* c, std::size_t nb, double* mag, float* s) noexcept {    \
    magnitudes_float(c, nb, mag, s);                                                            \
  }                                                                                             \
  attr double scaled_##suffix(const float* c, std::size_t nb, float* s) noexcept {              \
    return scaled_magnitudes_float(c, nb, s);                                                   \
  }
AURALIS_MAGNITUDE_VARIANTS(baseline, )
#if AURALIS_X86_DISPATCH
AURALIS_MAGNITUDE_VARIANTS(avx2, [[gnu::target("avx2")]])
AURALIS_MAGNITUDE_VARIANTS(avx512, [[gnu::target("avx512f")]])
#endif

}  // namespace

MagnitudeKernel magnitude_kernel(SimdLevel level, const double*) noexcept {
  return AURALIS_SELECT_VARIANT(double, level);
}

MagnitudeKernelF magnitude_kernel(SimdLevel level, const float*) noexcept {
  return AURALIS_SELECT_VARIANT(float, level);
}

BandSumKernel<double> band_sum_kernel(SimdLevel level, const double*) noexcept {
  return AURALIS_SELECT_VARIANT(band_sums_double, level);
}
BandSumKernel<float> band_sum_kernel(SimdLevel level, const float*) noexcept {
  return AURALIS_SELECT_VARIANT(band_sums_float, level);
}

SplitMagnitudeKernel<double> split_magnitude_kernel(SimdLevel level, const double*) noexcept {
  return AURALIS_SELECT_VARIANT(split_double, level);
}
SplitMagnitudeKernel<float> split_magnitude_kernel(SimdLevel level, const float*) noexcept {
  return AURALIS_SELECT_VARIANT(split_float, level);
}

ScaledMagnitudeKernel scaled_magnitude_kernel(SimdLevel level) noexcept {
  return AURALIS_SELECT_VARIANT(scaled, level);
}

}  // namespace auralis::kernel
