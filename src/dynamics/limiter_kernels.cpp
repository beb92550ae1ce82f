// SPDX-License-Identifier: GPL-3.0-or-later
// The limiter's element-wise kernels, compiled for each SIMD level from one body. Every level
// performs the same operations in the same order for each element (the library is compiled
// with -ffp-contract=off, and no reduction runs across vector lanes), so all levels return the
// same bits.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "auralis/dynamics/limiter_kernels.hpp"
#include "auralis/dynamics/true_peak_filter.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AURALIS_LIMITER_X86 1
#else
#define AURALIS_LIMITER_X86 0
#endif

#define AURALIS_LIMITER_INLINE [[gnu::always_inline]] inline

// Vector values pass between always-inlined helpers only, never across an ABI boundary (vector
// bit casts use __builtin_bit_cast: no std::bit_cast instantiation is shared between SIMD levels).
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace auralis::dynamics::detail {
namespace {

constexpr std::size_t kPhases = true_peak_oversampling - 1;
constexpr std::size_t kTaps = true_peak_taps;

template <class Real>
struct Coefficients {
  Real c[kPhases][kTaps];
};

template <class Real>
constexpr Coefficients<Real> make_coefficients() {
  Coefficients<Real> r{};
  for (std::size_t k = 0; k < kPhases; ++k) {
    for (std::size_t d = 0; d < kTaps; ++d) {
      r.c[k][d] = static_cast<Real>(true_peak_coefficients[k][d]);
    }
  }
  return r;
}

template <class Real>
constexpr Coefficients<Real> kCoefficients = make_coefficients<Real>();

template <class Real>
AURALIS_LIMITER_INLINE Real magnitude(Real s) noexcept {
  const Real v = std::fabs(s);
  // NaN (from inf - inf after an overflow) and infinities count as +infinity.
  return v <= std::numeric_limits<Real>::max() ? v : std::numeric_limits<Real>::infinity();
}

template <class Real>
AURALIS_LIMITER_INLINE Real frame_peak(const Real* x, std::size_t channels) noexcept {
  Real p = std::fabs(x[0]);
  for (std::size_t ch = 1; ch < channels; ++ch) p = std::max(p, std::fabs(x[ch]));
  return p;
}

template <class Real>
AURALIS_LIMITER_INLINE void sample_targets_body(const Real* x, std::size_t frames,
                                                std::size_t channels, double c,
                                                double* t) noexcept {
  if (channels == 1) {
    for (std::size_t k = 0; k < frames; ++k) {
      t[k] = c / std::max(static_cast<double>(std::fabs(x[k])), c);
    }
  } else if (channels == 2) {
    for (std::size_t k = 0; k < frames; ++k) {
      const Real p = std::max(std::fabs(x[2 * k]), std::fabs(x[2 * k + 1]));
      t[k] = c / std::max(static_cast<double>(p), c);
    }
  } else {
    for (std::size_t k = 0; k < frames; ++k) {
      t[k] = c / std::max(static_cast<double>(frame_peak(x + k * channels, channels)), c);
    }
  }
}

template <class Real>
AURALIS_LIMITER_INLINE void frame_peaks_body(const Real* x, std::size_t frames,
                                             std::size_t channels, Real* p) noexcept {
  if (channels == 1) {
    for (std::size_t k = 0; k < frames; ++k) p[k] = std::fabs(x[k]);
  } else if (channels == 2) {
    for (std::size_t k = 0; k < frames; ++k) {
      p[k] = std::max(std::fabs(x[2 * k]), std::fabs(x[2 * k + 1]));
    }
  } else {
    for (std::size_t k = 0; k < frames; ++k) p[k] = frame_peak(x + k * channels, channels);
  }
}

// Same-width integer type of a sample type (sign-bit masks, comparisons).
template <class Real>
using Bits = std::conditional_t<sizeof(Real) == 4, std::int32_t, std::int64_t>;

// Vectors of `Bytes` bytes (GCC/clang vector extensions): each operation is the IEEE operation
// of every lane, exactly the scalar one.
template <class Real, std::size_t Bytes>
struct Vec {
  typedef Real type __attribute__((vector_size(Bytes)));
  typedef Bits<Real> mask __attribute__((vector_size(Bytes)));
};

template <class V, class Real>
AURALIS_LIMITER_INLINE V load(const Real* p) noexcept {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}

// |s|, with NaN (inf - inf after an overflow) and infinities as +infinity; then max(m, that).
template <class Real>
AURALIS_LIMITER_INLINE Real max_magnitude(Real m, Real s) noexcept {
  return std::max(m, magnitude(s));
}
template <class Real, class V, class M>
AURALIS_LIMITER_INLINE V max_magnitude_vec(V m, V s) noexcept {
  constexpr Bits<Real> sign_off = std::numeric_limits<Bits<Real>>::max();
  const V v = __builtin_bit_cast(V, __builtin_bit_cast(M, s) & sign_off);
  const V big = V{} + std::numeric_limits<Real>::max();
  const V inf = V{} + std::numeric_limits<Real>::infinity();
  const M finite = v <= big;
  const V a = __builtin_bit_cast(
      V, (__builtin_bit_cast(M, v) & finite) | (__builtin_bit_cast(M, inf) & ~finite));
  const M greater = a > m;
  return __builtin_bit_cast(
      V, (__builtin_bit_cast(M, a) & greater) | (__builtin_bit_cast(M, m) & ~greater));
}

// Largest interpolated magnitude over the 7 phases of one sample (flat index of `x`; taps are
// `stride` samples apart, one channel at a time). Each phase's sum runs over the taps in order
// d = 0..15, as in interpolated_vec.
template <class Real>
AURALIS_LIMITER_INLINE Real interpolated_one(const Real* x, std::size_t stride) noexcept {
  constexpr const Coefficients<Real>& cf = kCoefficients<Real>;
  Real s[kPhases];
  for (std::size_t k = 0; k < kPhases; ++k) s[k] = cf.c[k][0] * x[0];
  for (std::size_t d = 1; d < kTaps; ++d) {
    const Real xd = x[-static_cast<std::ptrdiff_t>(d * stride)];
    for (std::size_t k = 0; k < kPhases; ++k) s[k] = s[k] + cf.c[k][d] * xd;
  }
  Real m = magnitude(s[0]);
  for (std::size_t k = 1; k < kPhases; ++k) m = max_magnitude(m, s[k]);
  return m;
}

// The same for the samples of one vector register.
template <class Real, std::size_t Bytes>
AURALIS_LIMITER_INLINE void interpolated_vec(const Real* x, std::size_t stride,
                                             Real* out) noexcept {
  using V = typename Vec<Real, Bytes>::type;
  using M = typename Vec<Real, Bytes>::mask;
  constexpr const Coefficients<Real>& cf = kCoefficients<Real>;
  V s[kPhases];
  const V x0 = load<V>(x);
  for (std::size_t k = 0; k < kPhases; ++k) s[k] = cf.c[k][0] * x0;
  for (std::size_t d = 1; d < kTaps; ++d) {
    const V xd = load<V>(x - d * stride);
    for (std::size_t k = 0; k < kPhases; ++k) s[k] = s[k] + cf.c[k][d] * xd;
  }
  V m = max_magnitude_vec<Real, V, M>(V{}, s[0]);
  for (std::size_t k = 1; k < kPhases; ++k) m = max_magnitude_vec<Real, V, M>(m, s[k]);
  std::memcpy(out, &m, sizeof(V));
}

// Largest |x| of n samples, as its bit pattern (integer max: order-free and vectorisable).
template <class Real>
AURALIS_LIMITER_INLINE Bits<Real> max_magnitude_bits(const Real* x, std::size_t n) noexcept {
  constexpr Bits<Real> sign_off = std::numeric_limits<Bits<Real>>::max();
  Bits<Real> m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Bits<Real> b = std::bit_cast<Bits<Real>>(x[i]) & sign_off;
    m = b > m ? b : m;
  }
  return m;
}

template <class Real, std::size_t Bytes>
AURALIS_LIMITER_INLINE void interval_peaks_body(const Real* xn, std::size_t frames,
                                                std::size_t channels, Real quiet, Real* scratch,
                                                Real* q) noexcept {
  constexpr std::size_t w = Bytes / sizeof(Real);
  constexpr std::size_t sub = 32;  // frames per quiet test
  const Bits<Real> quiet_bits = std::bit_cast<Bits<Real>>(quiet);
  Real* a = channels == 1 ? q : scratch;
  for (std::size_t k0 = 0; k0 < frames; k0 += sub) {
    const std::size_t m = std::min(sub, frames - k0);
    const std::size_t f0 = k0 * channels;
    const std::size_t n = m * channels;
    // The values of these frames read frames k0 - 15 .. k0 + m - 1. When none exceeds `quiet`
    // in magnitude, no interpolated value can reach quiet * 2.11: write 0 instead.
    const Real* window = xn + f0 - (kTaps - 1) * channels;
    if (max_magnitude_bits(window, n + (kTaps - 1) * channels) <= quiet_bits) {
      std::fill_n(a + f0, n, Real{0});
      continue;
    }
    std::size_t f = f0;
    for (; f + w <= f0 + n; f += w) interpolated_vec<Real, Bytes>(xn + f, channels, a + f);
    for (; f < f0 + n; ++f) a[f] = interpolated_one(xn + f, channels);
  }
  if (channels == 2) {
    for (std::size_t k = 0; k < frames; ++k) q[k] = std::max(a[2 * k], a[2 * k + 1]);
  } else if (channels > 2) {
    for (std::size_t k = 0; k < frames; ++k) q[k] = frame_peak(a + k * channels, channels);
  }
}

template <class Real>
AURALIS_LIMITER_INLINE void true_peak_targets_body(const Real* p, const Real* q, std::size_t frames,
                                                   double c, double* t) noexcept {
  for (std::size_t k = 0; k < frames; ++k) {
    const Real m = std::max(p[k], std::max(q[k], q[k + 1]));
    t[k] = c / std::max(static_cast<double>(m), c);
  }
}

template <class Real>
AURALIS_LIMITER_INLINE Real clamp(Real v, Real c) noexcept {
  return std::min(std::max(v, -c), c);
}

template <class Real>
AURALIS_LIMITER_INLINE void apply_gain_body(const Real* x, const double* g, std::size_t frames,
                                            std::size_t channels, Real c, Real* y) noexcept {
  if (channels == 1) {
    for (std::size_t k = 0; k < frames; ++k) y[k] = clamp(x[k] * static_cast<Real>(g[k]), c);
  } else if (channels == 2) {
    for (std::size_t k = 0; k < frames; ++k) {
      const Real gk = static_cast<Real>(g[k]);
      y[2 * k] = clamp(x[2 * k] * gk, c);
      y[2 * k + 1] = clamp(x[2 * k + 1] * gk, c);
    }
  } else {
    for (std::size_t k = 0; k < frames; ++k) {
      const Real gk = static_cast<Real>(g[k]);
      for (std::size_t ch = 0; ch < channels; ++ch) {
        y[k * channels + ch] = clamp(x[k * channels + ch] * gk, c);
      }
    }
  }
}

// One set of kernels per level; W = samples of one vector register of that level.
#define AURALIS_LIMITER_VARIANTS(T, suffix, attr, bytes)                                           \
  attr void sample_targets_##T##_##suffix(const T* x, std::size_t frames, std::size_t channels,    \
                                          double c, double* t) noexcept {                          \
    sample_targets_body(x, frames, channels, c, t);                                                \
  }                                                                                                \
  attr void frame_peaks_##T##_##suffix(const T* x, std::size_t frames, std::size_t channels,       \
                                       T* p) noexcept {                                            \
    frame_peaks_body(x, frames, channels, p);                                                      \
  }                                                                                                \
  attr void interval_peaks_##T##_##suffix(const T* xn, std::size_t frames, std::size_t channels,   \
                                          T quiet, T* scratch, T* q) noexcept {                    \
    interval_peaks_body<T, bytes>(xn, frames, channels, quiet, scratch, q);                        \
  }                                                                                                \
  attr void true_peak_targets_##T##_##suffix(const T* p, const T* q, std::size_t frames, double c, \
                                             double* t) noexcept {                                 \
    true_peak_targets_body(p, q, frames, c, t);                                                    \
  }                                                                                                \
  attr void apply_gain_##T##_##suffix(const T* x, const double* g, std::size_t frames,             \
                                      std::size_t channels, T c, T* y) noexcept {                  \
    apply_gain_body(x, g, frames, channels, c, y);                                                 \
  }

#define AURALIS_LIMITER_ALL(suffix, attr, bytes)       \
  AURALIS_LIMITER_VARIANTS(float, suffix, attr, bytes) \
  AURALIS_LIMITER_VARIANTS(double, suffix, attr, bytes)

AURALIS_LIMITER_ALL(baseline, , 16)
#if AURALIS_LIMITER_X86
AURALIS_LIMITER_ALL(avx2, [[gnu::target("avx2")]], 32)
AURALIS_LIMITER_ALL(avx512, [[gnu::target("avx512f")]], 64)
#endif

#define AURALIS_LIMITER_SET(T, suffix)                                                           \
  LimiterKernels<T> {                                                                            \
    &sample_targets_##T##_##suffix, &frame_peaks_##T##_##suffix, &interval_peaks_##T##_##suffix, \
        &true_peak_targets_##T##_##suffix, &apply_gain_##T##_##suffix                            \
  }

}  // namespace

template <>
LimiterKernels<float> limiter_kernels<float>(kernel::SimdLevel level) noexcept {
#if AURALIS_LIMITER_X86
  if (level == kernel::SimdLevel::avx512) return AURALIS_LIMITER_SET(float, avx512);
  if (level == kernel::SimdLevel::avx2) return AURALIS_LIMITER_SET(float, avx2);
#endif
  static_cast<void>(level);
  return AURALIS_LIMITER_SET(float, baseline);
}

template <>
LimiterKernels<double> limiter_kernels<double>(kernel::SimdLevel level) noexcept {
#if AURALIS_LIMITER_X86
  if (level == kernel::SimdLevel::avx512) return AURALIS_LIMITER_SET(double, avx512);
  if (level == kernel::SimdLevel::avx2) return AURALIS_LIMITER_SET(double, avx2);
#endif
  static_cast<void>(level);
  return AURALIS_LIMITER_SET(double, baseline);
}

}  // namespace auralis::dynamics::detail
