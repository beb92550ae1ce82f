// SPDX-License-Identifier: GPL-3.0-or-later
// Kernel building blocks against independent truth: a naive DFT, closed-form windows, band
// edges and weighting formulas.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "auralis/auralis.hpp"

namespace {

using auralis::kernel::AlignedBuffer;
using auralis::kernel::FftPlan;

template <class Real>
class FftPlanTest : public ::testing::Test {};
using RealTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(FftPlanTest, RealTypes);

TYPED_TEST(FftPlanTest, MatchesNaiveDft) {
  using Real = TypeParam;
  const double tol = std::is_same_v<Real, float> ? 2e-4 : 1e-11;
  for (std::size_t n : {16u, 30u, 64u, 1000u, 1024u}) {
    auto plan = FftPlan<Real>::shared(n);
    AlignedBuffer<Real> in(n);
    AlignedBuffer<std::complex<Real>> out(n / 2 + 1);
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<Real>(x[i] = dist(rng));
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<double>(in[i]);
    plan->execute(in.data(), out.data());
    double scale = 0.0;
    for (double v : x) scale += std::abs(v);
    for (std::size_t k = 0; k <= n / 2; ++k) {
      long double re = 0, im = 0;
      for (std::size_t j = 0; j < n; ++j) {
        const long double phase = -2.0L * std::numbers::pi_v<long double> *
                                  static_cast<long double>((k * j) % n) /
                                  static_cast<long double>(n);
        re += x[j] * std::cos(phase);
        im += x[j] * std::sin(phase);
      }
      EXPECT_NEAR(static_cast<double>(out[k].real()), static_cast<double>(re), tol * scale)
          << "n=" << n << " k=" << k;
      EXPECT_NEAR(static_cast<double>(out[k].imag()), static_cast<double>(im), tol * scale)
          << "n=" << n << " k=" << k;
    }
  }
}

TEST(FftPlan, SharedPlansAreCachedPerSize) {
  auto a = FftPlan<double>::shared(4096);
  auto b = FftPlan<double>::shared(4096);
  auto c = FftPlan<double>::shared(2048);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  EXPECT_EQ(a->size(), 4096u);
  EXPECT_EQ(a->bins(), 2049u);
}

}  // namespace

namespace {

TEST(FftPlan, CreatedPlanComputesTheSameSpectrumAsTheSharedOne) {
  const std::size_t n = 512;
  auto shared = auralis::kernel::FftPlan<double>::shared(n);
  auto own = auralis::kernel::FftPlan<double>::create(n);
  EXPECT_NE(shared.get(), own.get());
  auralis::kernel::AlignedBuffer<double> in(n);
  auralis::kernel::AlignedBuffer<std::complex<double>> a(n / 2 + 1), b(n / 2 + 1);
  for (std::size_t i = 0; i < n; ++i) in[i] = std::sin(0.1 * static_cast<double>(i * i % 97));
  shared->execute(in.data(), a.data());
  own->execute(in.data(), b.data());
  for (std::size_t k = 0; k <= n / 2; ++k) EXPECT_EQ(a[k], b[k]) << k;  // same ESTIMATE plan
}

TEST(Wisdom, SaveThenLoadRoundTripsAndRejectsGarbage) {
  const std::string dir = ::testing::TempDir();
  const std::string good = dir + "/auralis_wisdom.txt";
  (void)auralis::kernel::FftPlan<double>::create(256, auralis::kernel::PlanRigor::measure);
  (void)auralis::kernel::FftPlan<float>::create(256, auralis::kernel::PlanRigor::measure);
  ASSERT_TRUE(auralis::kernel::save_wisdom(good));
  EXPECT_TRUE(auralis::kernel::load_wisdom(good));
  const std::string bad = dir + "/auralis_not_wisdom.txt";
  {
    std::FILE* f = std::fopen(bad.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not fftw wisdom\n", f);
    std::fclose(f);
  }
  EXPECT_FALSE(auralis::kernel::load_wisdom(bad));
  EXPECT_FALSE(auralis::kernel::load_wisdom(dir + "/auralis_missing_wisdom.txt"));
  EXPECT_FALSE(auralis::kernel::save_wisdom(dir + "/no/such/dir/wisdom.txt"));
}

}  // namespace
