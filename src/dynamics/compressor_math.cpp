// SPDX-License-Identifier: GPL-3.0-or-later
// The compressor's element-wise stages: detector level -> dB -> static gain, and smoothed gain
// in dB -> linear gain. Branch-free arithmetic that GCC and clang vectorise, compiled per SIMD
// level with the same IEEE operations (no FMA contraction: -ffp-contract=off), so every level
// gives the same bits; no libm call, so the numbers do not depend on the libm version either.
//
// ln(x): x = m 2^e with m in [sqrt(1/2), sqrt(2)); f = m - 1 (exact), s = f / (2 + f),
// ln m = 2 atanh(s) = f - s (f - 2 s^2 P(s^2)) with the atanh series to s^21, |s| <= 0.1716:
// truncation below 1e-18 relative; ln x = e ln 2 (split head + tail) + ln m.
// exp(y): k = round(y / ln 2), r = y - k ln 2 (|r| <= 0.347), Taylor series to r^14 (truncation
// below 1e-17 relative), times 2^k built in the exponent bits. Both are within a few ulp, so a
// level in dB is within ~1e-13 dB of the exact value and a gain within ~1e-15 relative.
#include <bit>
#include <cstdint>

#include "../kernel/simd_targets.hpp"
#include "auralis/dynamics/compressor_kernel.hpp"

namespace auralis::dynamics::detail {
namespace {

constexpr double kBias = 0x1.8p52;
constexpr std::uint64_t kBiasBits = std::bit_cast<std::uint64_t>(kBias);
constexpr double kLn2Head = 0x1.62e42feep-1;
constexpr double kLn2Tail = 0x1.a39ef35793c76p-33;
constexpr double kInvLn2 = 0x1.71547652b82fep0;
constexpr double kSqrt2 = 0x1.6a09e667f3bcdp0;
constexpr double kLn10Over20 = 0x1.d791c5f888823p-4;  // ln(10) / 20

AURALIS_INLINE_KERNEL double ln_one(double x) noexcept {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  const double field =
      std::bit_cast<double>((bits >> 52) | std::bit_cast<std::uint64_t>(0x1p52)) - 0x1p52;
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  double e = field - 1023.0;
  const bool high = m > kSqrt2;
  m = high ? m * 0.5 : m;
  e = high ? e + 1.0 : e;
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  double p = 1.0 / 21.0;
  p = 1.0 / 19.0 + z * p;
  p = 1.0 / 17.0 + z * p;
  p = 1.0 / 15.0 + z * p;
  p = 1.0 / 13.0 + z * p;
  p = 1.0 / 11.0 + z * p;
  p = 1.0 / 9.0 + z * p;
  p = 1.0 / 7.0 + z * p;
  p = 1.0 / 5.0 + z * p;
  p = 1.0 / 3.0 + z * p;
  const double ln_m = f - s * (f - 2.0 * z * p);
  return e * kLn2Head + (e * kLn2Tail + ln_m);
}

AURALIS_INLINE_KERNEL double exp_one(double y) noexcept {
  y = y < -708.0 ? -708.0 : y;
  y = y > 709.0 ? 709.0 : y;
  const double t = y * kInvLn2 + kBias;
  const double k = t - kBias;
  const double r = (y - k * kLn2Head) - k * kLn2Tail;
  double p = 1.0 / 87178291200.0;
  p = 1.0 / 6227020800.0 + r * p;
  p = 1.0 / 479001600.0 + r * p;
  p = 1.0 / 39916800.0 + r * p;
  p = 1.0 / 3628800.0 + r * p;
  p = 1.0 / 362880.0 + r * p;
  p = 1.0 / 40320.0 + r * p;
  p = 1.0 / 5040.0 + r * p;
  p = 1.0 / 720.0 + r * p;
  p = 1.0 / 120.0 + r * p;
  p = 1.0 / 24.0 + r * p;
  p = 1.0 / 6.0 + r * p;
  p = 0.5 + r * p;
  p = 1.0 + r * p;
  p = 1.0 + r * p;
  const std::uint64_t two_k = (std::bit_cast<std::uint64_t>(t) - kBiasBits + 1023) << 52;
  return p * std::bit_cast<double>(two_k);
}

AURALIS_INLINE_KERNEL void level_body(const LevelToGain& p, const double* level, double* gain,
                                      std::size_t n) noexcept {
  const LevelToGain q = p;  // local copy: no aliasing with the arrays
  for (std::size_t i = 0; i < n; ++i) {
    double v = level[i];
    v = v < q.lo ? q.lo : v;
    v = v > q.hi ? q.hi : v;
    gain[i] = static_gain(q.curve, ln_one(v) * q.db_per_neper);
  }
}

AURALIS_INLINE_KERNEL void gain_body(const double* smoothed, double makeup_db, double* gain,
                                     std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) gain[i] = exp_one((smoothed[i] + makeup_db) * kLn10Over20);
}

void level_baseline(const LevelToGain& p, const double* level, double* gain,
                    std::size_t n) noexcept {
  level_body(p, level, gain, n);
}
void gain_baseline(const double* s, double makeup_db, double* gain, std::size_t n) noexcept {
  gain_body(s, makeup_db, gain, n);
}
#if AURALIS_X86_DISPATCH
[[gnu::target("avx2")]] void level_avx2(const LevelToGain& p, const double* level, double* gain,
                                        std::size_t n) noexcept {
  level_body(p, level, gain, n);
}
[[gnu::target("avx2")]] void gain_avx2(const double* s, double makeup_db, double* gain,
                                       std::size_t n) noexcept {
  gain_body(s, makeup_db, gain, n);
}
[[gnu::target("avx512f")]] void level_avx512(const LevelToGain& p, const double* level,
                                             double* gain, std::size_t n) noexcept {
  level_body(p, level, gain, n);
}
[[gnu::target("avx512f")]] void gain_avx512(const double* s, double makeup_db, double* gain,
                                            std::size_t n) noexcept {
  gain_body(s, makeup_db, gain, n);
}
#endif

}  // namespace

LevelToGainKernel level_to_gain_kernel(kernel::SimdLevel level) noexcept {
  return AURALIS_SELECT_VARIANT(level, level);
}
DbToGainKernel db_to_gain_kernel(kernel::SimdLevel level) noexcept {
  return AURALIS_SELECT_VARIANT(gain, level);
}

double compressor_ln(double x) noexcept { return ln_one(x); }
double compressor_exp(double y) noexcept { return exp_one(y); }

}  // namespace auralis::dynamics::detail
