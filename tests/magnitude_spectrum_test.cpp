// SPDX-License-Identifier: GPL-3.0-or-later
// MagnitudeSpectrum (kernel/magnitude_spectrum.hpp): the real FFT as a complex FFT of N/2 plus
// our split step, fused with the magnitudes. Checked against a long double DFT, against FFTW's
// r2c plan, and for identical bits at every SIMD level.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"

namespace {

using auralis::kernel::AlignedBuffer;
using auralis::kernel::FftPlan;
using auralis::kernel::FftType;
using auralis::kernel::MagnitudeSpectrum;
using auralis::kernel::SimdLevel;

template <class Real>
class MagnitudeSpectrumTest : public ::testing::Test {};
using RealTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(MagnitudeSpectrumTest, RealTypes);

// |X_k| of the real DFT of x, k = 0..n/2, in long double (phase table reduced mod n).
std::vector<long double> ReferenceMagnitudes(const std::vector<long double>& x) {
  const std::size_t n = x.size();
  std::vector<long double> c(n), s(n);
  for (std::size_t j = 0; j < n; ++j) {
    const long double phase = -2.0L * std::numbers::pi_v<long double> *
                              static_cast<long double>(j) / static_cast<long double>(n);
    c[j] = std::cos(phase);
    s[j] = std::sin(phase);
  }
  std::vector<long double> out(n / 2 + 1);
  for (std::size_t k = 0; k <= n / 2; ++k) {
    long double re = 0, im = 0;
    for (std::size_t j = 0; j < n; ++j) {
      re += x[j] * c[(k * j) % n];
      im += x[j] * s[(k * j) % n];
    }
    out[k] = std::sqrt(re * re + im * im);
  }
  return out;
}

struct Errors {
  double ours = 0.0;  // worst |error| / rms of the spectrum, in units of the type's epsilon
  double fftw = 0.0;  // the same for FFTW's r2c plan + the magnitude kernel
};

template <class Real>
Errors MeasureErrors(std::size_t n, double amplitude, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  AlignedBuffer<Real> time(n);
  std::vector<long double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    time[i] = static_cast<Real>(amplitude * u(rng));
    x[i] = static_cast<long double>(time[i]);
  }
  const std::vector<long double> want = ReferenceMagnitudes(x);
  long double energy = 0;
  for (long double v : want) energy += v * v;
  const long double rms = std::sqrt(energy / static_cast<long double>(want.size()));
  const long double eps = std::numeric_limits<Real>::epsilon();

  MagnitudeSpectrum<Real> spectrum(n);
  AlignedBuffer<std::complex<Real>> z(spectrum.spectrum_size());
  AlignedBuffer<Real> scratch(spectrum.scratch_size());
  AlignedBuffer<Real> out(spectrum.bins());
  const std::vector<Real> before(time.data(), time.data() + n);
  const double u_scale = spectrum.compute(time.data(), z.data(), scratch.data(), out.data());
  EXPECT_TRUE(std::equal(before.begin(), before.end(), time.data())) << "input modified";
  if (std::is_same_v<Real, double>) {
    EXPECT_EQ(u_scale, 1.0);
  }

  // FFTW's r2c and the (widening) magnitude kernel, for comparison.
  const auto r2c = FftPlan<Real>::shared(n);
  AlignedBuffer<std::complex<Real>> spec(n / 2 + 1);
  r2c->execute(time.data(), spec.data());
  std::vector<double> fftw(n / 2 + 1);
  std::vector<Real> fscratch(n / 2 + 1);
  const Real* c = reinterpret_cast<const Real*>(spec.data());
  auralis::kernel::magnitude_kernel(auralis::kernel::best_simd_level(), c)(
      c, n / 2 + 1, fftw.data(), fscratch.data());

  Errors e;
  for (std::size_t k = 0; k <= n / 2; ++k) {
    const long double got = static_cast<long double>(out[k]) * u_scale;
    e.ours = std::max(e.ours, static_cast<double>(std::fabs(got - want[k]) / rms / eps));
    e.fftw = std::max(e.fftw, static_cast<double>(std::fabs(fftw[k] - want[k]) / rms / eps));
  }
  return e;
}

// Within a few epsilon times log2 n of the spectrum's rms (the classic FFT error bound), at
// every size kind (odd n: FFTW's r2c path; n = 2 mod 4: odd half length; n = 0 mod 4), and at
// amplitudes that reach the scaling paths. Subnormal frames (float's 1e-40, double's 1e-310)
// lose relative precision in any FFT's arithmetic: there the error must stay within twice
// FFTW's r2c error on the same frame (plus the bound).
TYPED_TEST(MagnitudeSpectrumTest, MatchesLongDoubleDftLikeFftw) {
  using Real = TypeParam;
  constexpr bool is_float = std::is_same_v<Real, float>;
  const std::vector<double> amplitudes =
      is_float ? std::vector<double>{1.0, 1e-3, 1e30, 1e-30, 1e-36, 1e-40}
               : std::vector<double>{1.0, 1e-3, 1e200, 1e-200, 1e-300, 1e-310};
  std::mt19937_64 rng(2026);
  double worst_ours = 0.0, worst_fftw = 0.0, subnormal_ours = 0.0, subnormal_fftw = 0.0;
  for (std::size_t n : {2u, 3u, 4u, 6u, 15u, 16u, 17u, 18u, 30u, 64u, 100u, 1024u, 4096u, 4098u}) {
    for (double a : amplitudes) {
      const Errors e = MeasureErrors<Real>(n, a, rng);
      const double bound = 4.0 * (std::log2(static_cast<double>(n)) + 1.0);
      if (a < static_cast<double>(std::numeric_limits<Real>::min())) {
        EXPECT_LE(e.ours, 2.0 * e.fftw + bound) << "n " << n << " amplitude " << a;
        subnormal_ours = std::max(subnormal_ours, e.ours);
        subnormal_fftw = std::max(subnormal_fftw, e.fftw);
        continue;
      }
      EXPECT_LE(e.ours, bound) << "n " << n << " amplitude " << a;
      worst_ours = std::max(worst_ours, e.ours);
      worst_fftw = std::max(worst_fftw, e.fftw);
    }
  }
  std::printf(
      "worst |error| / rms: ours %.3g eps, FFTW r2c %.3g eps; subnormal frames: ours "
      "%.3g eps, FFTW %.3g eps\n",
      worst_ours, worst_fftw, subnormal_ours, subnormal_fftw);
}

TYPED_TEST(MagnitudeSpectrumTest, SilenceGivesZeros) {
  using Real = TypeParam;
  for (std::size_t n : {16u, 17u, 18u, 4096u}) {
    MagnitudeSpectrum<Real> spectrum(n);
    AlignedBuffer<Real> time(n);
    AlignedBuffer<std::complex<Real>> z(spectrum.spectrum_size());
    AlignedBuffer<Real> scratch(spectrum.scratch_size());
    AlignedBuffer<Real> out(spectrum.bins());
    std::fill_n(out.data(), out.size(), Real(7));
    const double u = spectrum.compute(time.data(), z.data(), scratch.data(), out.data());
    for (std::size_t k = 0; k < out.size(); ++k) {
      EXPECT_EQ(static_cast<double>(out[k]) * u, 0.0) << "n " << n << " k " << k;
    }
  }
}

// A sine on bin 100 of N = 4096: all its energy in bin 100, |X_100| = A N / 2.
TYPED_TEST(MagnitudeSpectrumTest, SineLandsOnItsBin) {
  using Real = TypeParam;
  const std::size_t n = 4096;
  MagnitudeSpectrum<Real> spectrum(n);
  AlignedBuffer<Real> time(n);
  for (std::size_t i = 0; i < n; ++i) {
    time[i] = static_cast<Real>(0.5 * std::sin(2.0 * std::numbers::pi * 100.0 *
                                               static_cast<double>(i) / static_cast<double>(n)));
  }
  AlignedBuffer<std::complex<Real>> z(spectrum.spectrum_size());
  AlignedBuffer<Real> scratch(spectrum.scratch_size());
  AlignedBuffer<Real> out(spectrum.bins());
  const double u = spectrum.compute(time.data(), z.data(), scratch.data(), out.data());
  const double tol = std::is_same_v<Real, float> ? 1e-3 : 1e-9;
  for (std::size_t k = 0; k < out.size(); ++k) {
    const double want = k == 100 ? 0.5 * n / 2 : 0.0;
    EXPECT_NEAR(static_cast<double>(out[k]) * u, want, tol * n) << "k " << k;
  }
}

// The split kernel itself: every SIMD level gives the baseline's bits (magnitudes and the
// returned scale), for every half length kind and magnitudes from subnormal to huge.
template <class Real>
void ExpectEveryLevelGivesBaselineBits() {
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  using Bits = std::conditional_t<std::is_same_v<Real, float>, std::uint32_t, std::uint64_t>;
  const auto baseline = auralis::kernel::split_magnitude_kernel(SimdLevel::baseline,
                                                                static_cast<const Real*>(nullptr));
  for (std::size_t m :
       {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 33u, 1024u, 1025u, 2048u}) {
    std::vector<Real> twr(m / 2 + 1), twi(m / 2 + 1);
    for (std::size_t k = 0; k <= m / 2; ++k) {
      twr[k] = static_cast<Real>(
          std::cos(-std::numbers::pi * static_cast<double>(k) / static_cast<double>(m)));
      twi[k] = static_cast<Real>(
          std::sin(-std::numbers::pi * static_cast<double>(k) / static_cast<double>(m)));
    }
    for (double peak : {0.0, 1.0, 1e-30, 1e30, 1e-40, 1e-170, 1e170, 1e-300, 1e300, 1e-310}) {
      if (peak > static_cast<double>(std::numeric_limits<Real>::max()) / 16) continue;
      std::vector<Real> z(2 * m);
      for (auto& v : z) v = static_cast<Real>(peak * u(rng));
      std::vector<Real> want(m + 1), scratch(auralis::kernel::split_scratch_size(m));
      const double want_u =
          baseline(z.data(), m, twr.data(), twi.data(), scratch.data(), want.data());
      for (SimdLevel level : auralis::kernel::kSimdLevels) {
        if (!auralis::kernel::simd_level_supported(level)) continue;
        const auto kernel =
            auralis::kernel::split_magnitude_kernel(level, static_cast<const Real*>(nullptr));
        std::vector<Real> got(m + 1, Real(-1));
        const double got_u =
            kernel(z.data(), m, twr.data(), twi.data(), scratch.data(), got.data());
        ASSERT_EQ(got_u, want_u);
        for (std::size_t k = 0; k <= m; ++k) {
          ASSERT_EQ(std::bit_cast<Bits>(got[k]), std::bit_cast<Bits>(want[k]))
              << auralis::kernel::simd_level_name(level) << " m " << m << " peak " << peak << " k "
              << k;
        }
      }
    }
  }
}

TEST(SplitMagnitudeKernel, EveryLevelGivesTheBaselineBitsDouble) {
  ExpectEveryLevelGivesBaselineBits<double>();
}
TEST(SplitMagnitudeKernel, EveryLevelGivesTheBaselineBitsFloat) {
  ExpectEveryLevelGivesBaselineBits<float>();
}

// The complex plans behind it: FftType::complex matches a long double DFT.
TYPED_TEST(MagnitudeSpectrumTest, ComplexPlanMatchesNaiveDft) {
  using Real = TypeParam;
  const double tol = std::is_same_v<Real, float> ? 2e-6 : 1e-14;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (std::size_t n : {1u, 8u, 15u, 1024u, 2049u}) {
    const auto plan =
        FftPlan<Real>::shared(n, auralis::kernel::PlanRigor::estimate, FftType::complex);
    EXPECT_EQ(plan->type(), FftType::complex);
    EXPECT_EQ(plan->bins(), n);
    AlignedBuffer<std::complex<Real>> in(n), out(n);
    for (std::size_t i = 0; i < n; ++i) {
      in[i] = {static_cast<Real>(u(rng)), static_cast<Real>(u(rng))};
    }
    plan->execute(in.data(), out.data());
    std::vector<std::complex<long double>> w(n);
    for (std::size_t j = 0; j < n; ++j) {
      const long double phase = -2.0L * std::numbers::pi_v<long double> *
                                static_cast<long double>(j) / static_cast<long double>(n);
      w[j] = {std::cos(phase), std::sin(phase)};
    }
    for (std::size_t k = 0; k < n; ++k) {
      std::complex<long double> want = 0;
      for (std::size_t j = 0; j < n; ++j) {
        want += std::complex<long double>(in[j].real(), in[j].imag()) * w[(k * j) % n];
      }
      EXPECT_NEAR(static_cast<double>(out[k].real()), static_cast<double>(want.real()),
                  tol * static_cast<double>(n))
          << "n " << n << " k " << k;
      EXPECT_NEAR(static_cast<double>(out[k].imag()), static_cast<double>(want.imag()),
                  tol * static_cast<double>(n))
          << "n " << n << " k " << k;
    }
  }
}

}  // namespace
