// SPDX-License-Identifier: GPL-3.0-or-later
// log10 and exp as branch-free element-wise arithmetic that GCC and clang vectorise.
//
// log10(x): x = m 2^e with m in [sqrt(1/2), sqrt(2)); with f = m - 1 (exact) and
// s = f / (2 + f), ln(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), |s| <= 0.1716; eleven terms
// leave a truncation error below 1e-18 relative. log10(x) = (e ln 2 + ln m) / ln 10.
//
// exp(y): k = round(y / ln 2), r = y - k ln 2 (ln 2 split in a 32-bit head, exact in k * head,
// and a tail), |r| <= 0.347; exp(r) by its Taylor series to r^14 (truncation below 1e-17
// relative), times 2^k built in the exponent bits.
//
// Integer <-> double conversions use the 1.5 * 2^52 bias, so that no packed 64-bit integer
// conversion (missing before AVX-512DQ) is needed.
#include "auralis/kernel/vector_math.hpp"

#include <bit>
#include <cstdint>

#include "simd_targets.hpp"

namespace auralis::kernel {
namespace {

constexpr double kBias = 0x1.8p52;  // adding it rounds to an integer held in the low bits
constexpr std::uint64_t kBiasBits = std::bit_cast<std::uint64_t>(kBias);
constexpr double kLn2Head = 0x1.62e42feep-1;        // 32 significant bits: k * head is exact
constexpr double kLn2Tail = 0x1.a39ef35793c76p-33;  // ln 2 - head, rounded: ln 2 to ~86 bits
constexpr double kInvLn2 = 0x1.71547652b82fep0;
constexpr double kInvLn10 = 0x1.bcb7b1526e50ep-2;
constexpr double kSqrt2 = 0x1.6a09e667f3bcdp0;

AURALIS_INLINE_KERNEL double log10_one(double x) noexcept {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  // Exponent field as a double: 2^52 + field, minus 2^52.
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
  // ln m = f - s f + 2 s z p: written around f so that the leading term is exact.
  const double ln_m = f - s * (f - 2.0 * z * p);
  return (e * kLn2Head + (e * kLn2Tail + ln_m)) * kInvLn10;
}

AURALIS_INLINE_KERNEL double exp_one(double y) noexcept {
  y = y < -708.0 ? -708.0 : y;
  y = y > 709.0 ? 709.0 : y;
  const double t = y * kInvLn2 + kBias;
  const double k = t - kBias;
  const double r = (y - k * kLn2Head) - k * kLn2Tail;
  double p = 1.0 / 87178291200.0;  // 1/14!
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
  // k sits in the low bits of t; 2^k = (k + 1023) << 52.
  const std::uint64_t two_k = (std::bit_cast<std::uint64_t>(t) - kBiasBits + 1023) << 52;
  return p * std::bit_cast<double>(two_k);
}

AURALIS_INLINE_KERNEL void log10_body(const double* in, double* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = log10_one(in[i]);
}
AURALIS_INLINE_KERNEL void exp_body(const double* in, double scale, double* out,
                                    std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = exp_one(in[i] * scale);
}

void log10_baseline(const double* in, double* out, std::size_t n) noexcept {
  log10_body(in, out, n);
}
void exp_baseline(const double* in, double scale, double* out, std::size_t n) noexcept {
  exp_body(in, scale, out, n);
}
#if AURALIS_X86_DISPATCH
[[gnu::target("avx2")]] void log10_avx2(const double* in, double* out, std::size_t n) noexcept {
  log10_body(in, out, n);
}
[[gnu::target("avx2")]] void exp_avx2(const double* in, double scale, double* out,
                                      std::size_t n) noexcept {
  exp_body(in, scale, out, n);
}
[[gnu::target("avx512f")]] void log10_avx512(const double* in, double* out,
                                             std::size_t n) noexcept {
  log10_body(in, out, n);
}
[[gnu::target("avx512f")]] void exp_avx512(const double* in, double scale, double* out,
                                           std::size_t n) noexcept {
  exp_body(in, scale, out, n);
}
#endif

}  // namespace

Log10Kernel log10_kernel(SimdLevel level) noexcept { return AURALIS_SELECT_VARIANT(log10, level); }
ExpKernel exp_kernel(SimdLevel level) noexcept { return AURALIS_SELECT_VARIANT(exp, level); }

double log10_value(double x) noexcept { return log10_one(x); }
double exp_value(double x) noexcept { return exp_one(x); }

}  // namespace auralis::kernel
