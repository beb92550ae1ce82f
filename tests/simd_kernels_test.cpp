// SPDX-License-Identifier: GPL-3.0-or-later
// The SIMD-dispatched kernels (kernel/simd.hpp): every level this CPU supports returns the same
// bits as the baseline, and the baseline is accurate against long double arithmetic.
#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"

namespace {

using auralis::kernel::SimdLevel;

std::vector<SimdLevel> SupportedLevels() {
  std::vector<SimdLevel> out;
  for (SimdLevel l : auralis::kernel::kSimdLevels) {
    if (auralis::kernel::simd_level_supported(l)) out.push_back(l);
  }
  return out;
}

std::string Name(SimdLevel l) { return std::string(auralis::kernel::simd_level_name(l)); }

// Distance in units in the last place of `want` (rounded to double).
double Ulps(double got, long double want) {
  const double w = static_cast<double>(want);
  const double ulp = std::nextafter(std::fabs(w), INFINITY) - std::fabs(w);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
}

TEST(SimdLevels, BaselineIsAlwaysSupportedAndBestIsSupported) {
  EXPECT_TRUE(auralis::kernel::simd_level_supported(SimdLevel::baseline));
  EXPECT_TRUE(auralis::kernel::simd_level_supported(auralis::kernel::best_simd_level()));
  EXPECT_EQ(Name(SimdLevel::avx512), "avx512");
  std::printf("best SIMD level on this CPU: %s\n",
              Name(auralis::kernel::best_simd_level()).c_str());
}

// Spectra with every kind of magnitude: zero, tiny, huge (to reach the scaling paths), and
// lengths that exercise every vector tail.
template <class Real>
std::vector<std::vector<Real>> SpectraFor(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<std::vector<Real>> out;
  for (std::size_t bins :
       std::initializer_list<std::size_t>{1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 257, 2049}) {
    for (double peak :
         {0.0, 1.0, 1e-3, 1e6, 1e-30, 1e30, 1e-170, 1e170, 1e-300, 1e300, 1e-40, 1e-44}) {
      if (static_cast<double>(static_cast<Real>(peak)) != peak &&
          std::fabs(peak) > static_cast<double>(std::numeric_limits<Real>::max())) {
        continue;
      }
      std::vector<Real> c(2 * bins);
      for (std::size_t i = 0; i < c.size(); ++i) {
        // Components spread over 12 decades below the peak.
        c[i] = static_cast<Real>(peak * u(rng) * std::pow(10.0, -12.0 * (u(rng) + 1.0) / 2.0));
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

template <class Real>
class MagnitudeKernels : public ::testing::Test {};
using RealTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(MagnitudeKernels, RealTypes);

TYPED_TEST(MagnitudeKernels, EveryLevelGivesTheBaselineBits) {
  using Real = TypeParam;
  std::mt19937_64 rng(7);
  const auto spectra = SpectraFor<Real>(rng);
  const auto baseline =
      auralis::kernel::magnitude_kernel(SimdLevel::baseline, static_cast<const Real*>(nullptr));
  for (SimdLevel level : SupportedLevels()) {
    const auto kernel = auralis::kernel::magnitude_kernel(level, static_cast<const Real*>(nullptr));
    for (const auto& c : spectra) {
      const std::size_t bins = c.size() / 2;
      std::vector<double> want(bins), got(bins);
      std::vector<Real> scratch(bins);
      baseline(c.data(), bins, want.data(), scratch.data());
      kernel(c.data(), bins, got.data(), scratch.data());
      for (std::size_t k = 0; k < bins; ++k) {
        ASSERT_EQ(std::bit_cast<std::uint64_t>(got[k]), std::bit_cast<std::uint64_t>(want[k]))
            << Name(level) << " bins " << bins << " k " << k;
      }
    }
  }
}

TYPED_TEST(MagnitudeKernels, BaselineMatchesLongDoubleHypot) {
  using Real = TypeParam;
  std::mt19937_64 rng(11);
  const auto kernel =
      auralis::kernel::magnitude_kernel(SimdLevel::baseline, static_cast<const Real*>(nullptr));
  // Double: two roundings in re^2 + im^2, halved by the root, plus the root's: < 1.5 ulp.
  // Float: the same in float's ulp (2^-23 relative).
  const double tolerance = std::is_same_v<Real, double> ? 1.5 : 1.5 * 0x1p29;
  double worst = 0.0;
  for (const auto& c : SpectraFor<Real>(rng)) {
    const std::size_t bins = c.size() / 2;
    std::vector<double> got(bins);
    std::vector<Real> scratch(bins);
    kernel(c.data(), bins, got.data(), scratch.data());
    double peak = 0.0;
    for (Real v : c) peak = std::max(peak, std::fabs(static_cast<double>(v)));
    for (std::size_t k = 0; k < bins; ++k) {
      const long double re = c[2 * k], im = c[2 * k + 1];
      const long double want = std::sqrt(re * re + im * im);
      if (want == 0.0L) {
        EXPECT_EQ(got[k], 0.0);
        continue;
      }
      // Float: bins more than ~110 dB below the peak may underflow (documented).
      if (std::is_same_v<Real, float> && static_cast<double>(want) < peak * 1e-5) continue;
      const double e = Ulps(got[k], want);
      worst = std::max(worst, e);
      ASSERT_LE(e, tolerance) << "bins " << bins << " k " << k << " got " << got[k];
    }
  }
  const double unit = std::is_same_v<Real, double> ? 1.0 : 0x1p29;  // float ulp in double ulps
  std::printf("worst error: %.3g ulp of the compute type\n", worst / unit);
}

// The float analyzers' kernel: scaled magnitudes times the returned power of two are the
// widened magnitudes, bit for bit, including subnormal spectra (a peak below 2^-126 once made
// the scale overflow to infinity).
TEST(ScaledMagnitudes, TimesTheScaleEqualTheFloatKernelAtEveryLevel) {
  std::mt19937_64 rng(19);
  const auto full =
      auralis::kernel::magnitude_kernel(SimdLevel::baseline, static_cast<const float*>(nullptr));
  for (const auto& c : SpectraFor<float>(rng)) {
    const std::size_t bins = c.size() / 2;
    std::vector<double> want(bins);
    std::vector<float> scratch(bins);
    full(c.data(), bins, want.data(), scratch.data());
    for (double v : want) ASSERT_TRUE(std::isfinite(v));
    for (SimdLevel level : SupportedLevels()) {
      std::vector<float> scaled(bins);
      const double u =
          auralis::kernel::scaled_magnitude_kernel(level)(c.data(), bins, scaled.data());
      ASSERT_TRUE(std::isfinite(u));
      for (std::size_t k = 0; k < bins; ++k) {
        ASSERT_EQ(static_cast<double>(scaled[k]) * u, want[k]) << Name(level) << " k " << k;
      }
    }
  }
}

TYPED_TEST(MagnitudeKernels, BandSumsAreExactToRoundingAndEqualAtEveryLevel) {
  using Real = TypeParam;
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const std::size_t bins = 2049;
  std::vector<Real> mags(bins);
  for (Real& m : mags) m = static_cast<Real>(u(rng) * 100.0);
  // Bands of every length 0..40, then long ones, at every offset modulo 8.
  std::vector<std::size_t> first, end;
  std::size_t k = 0;
  for (std::size_t len = 0; len <= 40 && k + len <= bins; ++len) {
    first.push_back(k);
    end.push_back(k + len);
    k += len;
  }
  first.push_back(k);
  end.push_back(bins);
  first.push_back(0);
  end.push_back(bins);
  std::vector<double> want(first.size()), got(first.size());
  auralis::kernel::band_sum_kernel(SimdLevel::baseline, static_cast<const Real*>(nullptr))(
      mags.data(), first.data(), end.data(), first.size(), want.data());
  for (std::size_t b = 0; b < first.size(); ++b) {
    long double exact = 0.0L;
    for (std::size_t i = first[b]; i < end[b]; ++i) exact += mags[i];
    // n additions in double: relative error below n * 2^-53.
    const double n = static_cast<double>(end[b] - first[b]);
    EXPECT_LE(std::fabs(static_cast<long double>(want[b]) - exact),
              static_cast<long double>(n * 0x1p-53) * exact)
        << "band " << b;
  }
  for (SimdLevel level : SupportedLevels()) {
    auralis::kernel::band_sum_kernel(level, static_cast<const Real*>(nullptr))(
        mags.data(), first.data(), end.data(), first.size(), got.data());
    for (std::size_t b = 0; b < first.size(); ++b) {
      ASSERT_EQ(std::bit_cast<std::uint64_t>(got[b]), std::bit_cast<std::uint64_t>(want[b]))
          << Name(level) << " band " << b;
    }
  }
}

std::vector<double> Log10Inputs() {
  std::vector<double> x;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> exponent(-307.0, 307.0);
  for (int i = 0; i < 20000; ++i) x.push_back(std::pow(10.0, exponent(rng)));
  std::uniform_real_distribution<double> near_one(0.5, 2.0);
  for (int i = 0; i < 20000; ++i) x.push_back(near_one(rng));
  for (int p = -300; p <= 300; ++p) x.push_back(std::pow(10.0, p));
  for (double v :
       {1.0, 1e-10, 0x1.6a09e667f3bcdp0, 0x1.6a09e667f3bccp0, 0x1.6a09e667f3bcep0,
        std::nextafter(1.0, 2.0), std::nextafter(1.0, 0.0), DBL_MIN, DBL_MAX, 2.0, 0.5}) {
    x.push_back(v);
  }
  return x;
}

TEST(VectorMath, Log10IsWithinFourUlpOfLongDouble) {
  const std::vector<double> x = Log10Inputs();
  std::vector<double> got(x.size());
  auralis::kernel::log10_kernel(SimdLevel::baseline)(x.data(), got.data(), x.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double want = std::log10(static_cast<long double>(x[i]));
    if (want == 0.0L) {
      EXPECT_EQ(got[i], 0.0) << "log10(1)";
      continue;
    }
    const double e = Ulps(got[i], want);
    worst = std::max(worst, e);
    ASSERT_LE(e, 4.0) << "x = " << x[i] << " got " << got[i];
    EXPECT_EQ(got[i], auralis::kernel::log10_value(x[i]));
  }
  std::printf("log10: worst %.3g ulp over %zu inputs\n", worst, x.size());
  // Exact where it matters for levels: log10 of powers of ten.
  EXPECT_EQ(auralis::kernel::log10_value(1e-10), -10.0);
  EXPECT_EQ(auralis::kernel::log10_value(1000.0), 3.0);
}

TEST(VectorMath, ExpIsWithinFourUlpOfLongDoubleAndClamps) {
  std::vector<double> y;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> wide(-708.0, 709.0), narrow(-60.0, 60.0);
  for (int i = 0; i < 20000; ++i) y.push_back(wide(rng));
  for (int i = 0; i < 20000; ++i) y.push_back(narrow(rng));
  for (double v : {0.0, -0.0, 1.0, -1.0, 0.5 * std::log(2.0), -708.0, 709.0, 1e-300}) {
    y.push_back(v);
  }
  std::vector<double> got(y.size());
  auralis::kernel::exp_kernel(SimdLevel::baseline)(y.data(), 1.0, got.data(), y.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const long double want = std::exp(static_cast<long double>(y[i]));
    const double e = Ulps(got[i], want);
    worst = std::max(worst, e);
    ASSERT_LE(e, 4.0) << "y = " << y[i] << " got " << got[i];
    EXPECT_EQ(got[i], auralis::kernel::exp_value(y[i]));
  }
  std::printf("exp: worst %.3g ulp over %zu inputs\n", worst, y.size());
  EXPECT_EQ(auralis::kernel::exp_value(0.0), 1.0);
  // Clamped to [-708, 709]: finite and normal far outside.
  EXPECT_EQ(auralis::kernel::exp_value(-1e6), auralis::kernel::exp_value(-708.0));
  EXPECT_EQ(auralis::kernel::exp_value(1e6), auralis::kernel::exp_value(709.0));
  EXPECT_TRUE(std::isnormal(auralis::kernel::exp_value(-1e6)));
  EXPECT_TRUE(std::isfinite(auralis::kernel::exp_value(1e6)));
  // The dB helper is 10^(db/20).
  EXPECT_NEAR(auralis::kernel::db_to_amplitude(20.0), 10.0, 1e-14);
  EXPECT_NEAR(auralis::kernel::db_to_amplitude(-6.0), 0.5011872336272722, 1e-16);
}

TEST(VectorMath, EveryLevelGivesTheBaselineBits) {
  const std::vector<double> x = Log10Inputs();
  std::vector<double> y;
  for (double v : x) y.push_back(std::log(v));  // spans the exp domain
  std::vector<double> want(x.size()), got(x.size());
  auralis::kernel::log10_kernel(SimdLevel::baseline)(x.data(), want.data(), x.size());
  std::vector<double> want_exp(y.size()), got_exp(y.size());
  auralis::kernel::exp_kernel(SimdLevel::baseline)(y.data(), 0.7, want_exp.data(), y.size());
  for (SimdLevel level : SupportedLevels()) {
    // Odd offsets and lengths: unaligned starts and every tail length.
    for (std::size_t start : std::initializer_list<std::size_t>{0, 1, 3}) {
      const std::size_t n = x.size() - start - (start * 5);
      auralis::kernel::log10_kernel(level)(x.data() + start, got.data(), n);
      auralis::kernel::exp_kernel(level)(y.data() + start, 0.7, got_exp.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(std::bit_cast<std::uint64_t>(got[i]),
                  std::bit_cast<std::uint64_t>(want[start + i]))
            << Name(level) << " log10 x = " << x[start + i];
        ASSERT_EQ(std::bit_cast<std::uint64_t>(got_exp[i]),
                  std::bit_cast<std::uint64_t>(want_exp[start + i]))
            << Name(level) << " exp y = " << y[start + i];
      }
    }
  }
  // In place.
  std::vector<double> in_place = x;
  auralis::kernel::log10_kernel(auralis::kernel::best_simd_level())(in_place.data(),
                                                                    in_place.data(), x.size());
  EXPECT_EQ(in_place, want);
}

template <class T>
class SampleKernels : public ::testing::Test {};
TYPED_TEST_SUITE(SampleKernels, RealTypes);

TYPED_TEST(SampleKernels, WindowingIsTheProductAtEveryLevel) {
  using T = TypeParam;
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (std::size_t n : std::initializer_list<std::size_t>{1, 3, 15, 16, 17, 1000, 4096}) {
    std::vector<T> x(n);
    std::vector<double> wd(n);
    std::vector<float> wf(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = static_cast<T>(u(rng) * 1e3);
      wd[i] = u(rng);
      wf[i] = static_cast<float>(wd[i]);
    }
    for (SimdLevel level : SupportedLevels()) {
      std::vector<double> od(n);
      std::vector<float> of(n);
      auralis::kernel::window_kernel(level, x.data(), wd.data())(x.data(), wd.data(), od.data(), n);
      auralis::kernel::window_kernel(level, x.data(), wf.data())(x.data(), wf.data(), of.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(od[i], static_cast<double>(x[i]) * wd[i]) << Name(level) << " " << i;
        ASSERT_EQ(of[i], static_cast<float>(x[i]) * wf[i]) << Name(level) << " " << i;
      }
    }
  }
}

TYPED_TEST(SampleKernels, ScanFindsTheFirstNonFiniteOrTooLargeSampleAtEveryLevel) {
  using T = TypeParam;
  const T inf = std::numeric_limits<T>::infinity();
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const T big = std::numeric_limits<T>::max();
  for (SimdLevel level : SupportedLevels()) {
    const auto scan = auralis::kernel::scan_kernel(level, static_cast<const T*>(nullptr));
    for (std::size_t n : std::initializer_list<std::size_t>{1, 7, 1023, 1024, 1025, 5000}) {
      SCOPED_TRACE(Name(level) + " n=" + std::to_string(n));
      std::vector<T> x(n, T(0.5));
      EXPECT_EQ(scan(x.data(), n, inf), n);
      EXPECT_EQ(scan(x.data(), n, T(0.5)), n);  // at the limit: allowed
      EXPECT_EQ(scan(x.data(), n, T(0.25)), 0u);
      for (std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
        for (T bad : {nan, -nan, inf, -inf}) {
          std::vector<T> y = x;
          y[at] = bad;
          if (at + 1 < n) y[n - 1] = nan;  // only the first one counts
          ASSERT_EQ(scan(y.data(), n, inf), at);
          ASSERT_EQ(scan(y.data(), n, T(100)), at);
        }
        std::vector<T> y = x;
        y[at] = -T(101);
        ASSERT_EQ(scan(y.data(), n, T(100)), at);
        ASSERT_EQ(scan(y.data(), n, inf), n);
        y[at] = big;  // the largest finite value passes an infinite limit
        ASSERT_EQ(scan(y.data(), n, inf), n);
        std::vector<T> z(n, T(0));
        z[at] = -std::numeric_limits<T>::denorm_min();
        ASSERT_EQ(scan(z.data(), n, T(0)), at);
        y[at] = -T(0);
        ASSERT_EQ(scan(y.data(), n, T(0.5)), n);
      }
    }
  }
}

}  // namespace
