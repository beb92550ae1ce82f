// SPDX-License-Identifier: GPL-3.0-or-later
// Kernel building blocks against independent truth: a naive DFT, closed-form windows, band
// edges and weighting formulas.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <complex>
#include <cstdio>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/kernel/aligned_buffer.hpp"
#include "auralis/kernel/band_map.hpp"
#include "auralis/kernel/fft_plan.hpp"
#include "auralis/kernel/weighting.hpp"
#include "auralis/kernel/window.hpp"

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

namespace {

using auralis::MetricConvention;
using auralis::Weighting;
using auralis::WindowType;
using Long = long double;

constexpr Long kPiL = std::numbers::pi_v<Long>;

// ---------------------------------------------------------------------------------------------
// Windows against their textbook closed forms, evaluated in long double from the exact phase
// 2 pi n / N (periodic, DFT-even: the N-point window is the first N points of the (N + 1)-point
// symmetric one, as scipy.signal.get_window(name, N) builds it).

Long ClosedFormWindow(WindowType type, std::size_t i, std::size_t n) {
  const Long p = 2.0L * kPiL * static_cast<Long>(i) / static_cast<Long>(n);
  switch (type) {
    case WindowType::hann:
      return 0.5L - 0.5L * std::cos(p);
    case WindowType::hamming:
      return 0.54L - 0.46L * std::cos(p);
    case WindowType::blackman:
      return 0.42L - 0.5L * std::cos(p) + 0.08L * std::cos(2.0L * p);
    case WindowType::rectangular:
      return 1.0L;
  }
  return std::numeric_limits<Long>::quiet_NaN();
}

// Every sample within a few ulps of 1 (the windows' scale): the double evaluation of the phase
// n (2 pi / N) - pi carries up to ~3 ulps of phase error, scaled by |w'| <= 0.66.
TEST(Window, MatchesClosedFormsInLongDouble) {
  constexpr double kUlpsOfOne = 4.0;
  const double tol = kUlpsOfOne * DBL_EPSILON;
  double worst = 0.0;
  for (WindowType type :
       {WindowType::hann, WindowType::hamming, WindowType::blackman, WindowType::rectangular}) {
    for (std::size_t n : {16u, 17u, 30u, 1000u, 1023u, 1024u, 4096u, 44100u, 65536u}) {
      SCOPED_TRACE("window=" + std::string(auralis::to_string(type)) + " N=" + std::to_string(n));
      const std::vector<double> w = auralis::kernel::make_window(type, n);
      ASSERT_EQ(w.size(), n);
      for (std::size_t i = 0; i < n; ++i) {
        const double want = static_cast<double>(ClosedFormWindow(type, i, n));
        const double err = std::abs(w[i] - want);
        worst = std::max(worst, err);
        ASSERT_LE(err, tol) << "n=" << i << " got " << w[i] << " want " << want;
      }
    }
  }
  std::printf("[ measured ] windows vs long double closed forms: worst %.2f ulp of 1\n",
              worst / DBL_EPSILON);
}

// Values fixed by the closed forms alone: periodic windows start at their minimum (Hann 0,
// Hamming 0.08, Blackman 0) and reach their maximum (1) at n = N/2 for even N; they are
// DFT-even, w[n] = w[N - n], and not symmetric over 0..N-1 (w[N-1] != w[0]).
TEST(Window, PeriodicShapeFromClosedForms) {
  for (std::size_t n : {16u, 1024u, 4096u}) {
    SCOPED_TRACE("N=" + std::to_string(n));
    const auto hann = auralis::kernel::make_window(WindowType::hann, n);
    const auto hamming = auralis::kernel::make_window(WindowType::hamming, n);
    const auto blackman = auralis::kernel::make_window(WindowType::blackman, n);
    const auto rect = auralis::kernel::make_window(WindowType::rectangular, n);
    EXPECT_NEAR(hann[0], 0.0, 1e-300);
    EXPECT_NEAR(hamming[0], 0.08, 2 * DBL_EPSILON);
    EXPECT_NEAR(blackman[0], 0.0, 2 * DBL_EPSILON);
    EXPECT_NEAR(hann[n / 2], 1.0, 2 * DBL_EPSILON);
    EXPECT_NEAR(hamming[n / 2], 1.0, 2 * DBL_EPSILON);
    EXPECT_NEAR(blackman[n / 2], 1.0, 2 * DBL_EPSILON);
    // Quarter period: Hann 1/2, Hamming 0.54, Blackman 0.42 - 0.08 = 0.34.
    EXPECT_NEAR(hann[n / 4], 0.5, 2 * DBL_EPSILON);
    EXPECT_NEAR(hamming[n / 4], 0.54, 2 * DBL_EPSILON);
    EXPECT_NEAR(blackman[n / 4], 0.34, 2 * DBL_EPSILON);
    EXPECT_GT(hann[n - 1], 0.0);  // periodic, not symmetric
    for (std::size_t i = 1; i < n; ++i) {
      EXPECT_NEAR(hann[i], hann[n - i], 4 * DBL_EPSILON) << i;
      EXPECT_NEAR(blackman[i], blackman[n - i], 4 * DBL_EPSILON) << i;
      EXPECT_EQ(rect[i], 1.0) << i;
    }
    // Sum of the periodic Hann window is exactly N / 2 (the cosine sums to 0 over a period);
    // Hamming 0.54 N; Blackman 0.42 N.
    long double sh = 0, sm = 0, sb = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sh += hann[i];
      sm += hamming[i];
      sb += blackman[i];
    }
    const Long nl = static_cast<Long>(n);
    EXPECT_NEAR(static_cast<double>(sh), static_cast<double>(0.5L * nl),
                static_cast<double>(1e-12L * nl));
    EXPECT_NEAR(static_cast<double>(sm), static_cast<double>(0.54L * nl),
                static_cast<double>(1e-12L * nl));
    EXPECT_NEAR(static_cast<double>(sb), static_cast<double>(0.42L * nl),
                static_cast<double>(1e-12L * nl));
  }
}

TEST(Window, UnknownTypeThrows) {
  EXPECT_THROW((void)auralis::kernel::make_window(static_cast<WindowType>(4), 16),
               auralis::InvalidSettings);
}

// ---------------------------------------------------------------------------------------------
// Band edges: log-spaced, edge_i = f_min (f_max / f_min)^(i / (B - 1)) (docs/conventions.md:
// 10^y_i with y_i linear in i from log10 f_min to log10 f_max), in long double.

Long ClosedFormEdge(Long lo, Long hi, std::size_t i, std::size_t bands) {
  if (bands == 1) return lo;
  return lo * std::pow(hi / lo, static_cast<Long>(i) / static_cast<Long>(bands - 1));
}

struct Grid {
  double lo, hi;
  std::size_t bands;
};

const Grid kGrids[] = {{20.0, 20000.0, 64}, {20.0, 20000.0, 1},  {20.0, 20000.0, 2},
                       {31.5, 16000.0, 7},  {10.0, 19952.6, 34}, {1e-3, 1e9, 200},
                       {100.0, 1200.0, 3},  {440.0, 441.0, 16},  {20.0, 20000.0, 1000}};

// 10^y with |y| <= 9 in double: a relative error of about |y| ln 10 ulps of y's exponent
// (~10 ulps at y = 9), plus the rounding of y itself.
TEST(BandEdges, MatchLogSpacedClosedForm) {
  double worst = 0.0;
  for (const Grid& g : kGrids) {
    SCOPED_TRACE("lo=" + std::to_string(g.lo) + " hi=" + std::to_string(g.hi) +
                 " B=" + std::to_string(g.bands));
    const std::vector<double> e = auralis::kernel::band_edges(g.lo, g.hi, g.bands);
    ASSERT_EQ(e.size(), g.bands);
    for (std::size_t i = 0; i < g.bands; ++i) {
      const Long want = ClosedFormEdge(g.lo, g.hi, i, g.bands);
      const double rel = static_cast<double>(std::abs((static_cast<Long>(e[i]) - want) / want));
      worst = std::max(worst, rel);
      EXPECT_LE(rel, 1e-14) << "edge " << i << " got " << e[i];
    }
    EXPECT_NEAR(e.front(), g.lo, 4 * DBL_EPSILON * g.lo);
    if (g.bands > 1) {
      EXPECT_NEAR(e.back(), g.hi, 4 * DBL_EPSILON * g.hi);
      // Constant ratio between neighbours: (f_max / f_min)^(1 / (B - 1)).
      const Long ratio = std::pow(static_cast<Long>(g.hi) / static_cast<Long>(g.lo),
                                  1.0L / static_cast<Long>(g.bands - 1));
      for (std::size_t i = 0; i + 1 < g.bands; ++i) {
        EXPECT_NEAR(static_cast<double>(static_cast<Long>(e[i + 1]) / static_cast<Long>(e[i])),
                    static_cast<double>(ratio), 2e-14 * static_cast<double>(ratio))
            << i;
      }
    }
  }
  std::printf("[ measured ] band edges vs long double closed form: worst %.2g relative\n", worst);
}

// Default grid, by hand: 20 * 1000^(i/63); the octave 20 -> 40 Hz is reached at i = 63 / (3 log2
// 10) ~ 6.32, so band 6 starts below 40 Hz and band 7 above; 1 kHz is edge 63 * 2/3 = 42.
TEST(BandEdges, DefaultGridLandmarks) {
  const std::vector<double> e = auralis::kernel::band_edges(20.0, 20000.0, 64);
  EXPECT_NEAR(e[21], 200.0, 1e-12);
  EXPECT_NEAR(e[42], 2000.0, 1e-11);
  EXPECT_LT(e[6], 40.0);
  EXPECT_GT(e[7], 40.0);
  EXPECT_NEAR(e[1], 20.0 * std::pow(1000.0, 1.0 / 63.0), 1e-12);
}

// Bin frequencies k sr / N and the bin-to-band map: band i holds the bins with
// edge_i <= f_k < edge_{i+1}, the last band everything up to Nyquist, DC and bins below edge_0
// no band. Grids are chosen (and checked) to have no bin within 1e-9 of an edge, so rounding
// cannot move a bin across one.
TEST(BandMap, BinsAssignedByClosedFormEdges) {
  struct Case {
    std::size_t n;
    double sr;
    Grid g;
  };
  for (const Case& c :
       {Case{4096, 44100.0, {20.0, 20000.0, 64}}, Case{1024, 48000.0, {50.0, 12100.0, 10}},
        Case{4096, 96000.0, {20.0, 40000.0, 64}}, Case{65536, 48000.0, {10.0, 19952.6, 34}},
        Case{16, 8000.0, {100.0, 3100.0, 5}}}) {
    SCOPED_TRACE("N=" + std::to_string(c.n) + " sr=" + std::to_string(c.sr));
    const auralis::kernel::BandMap map(c.n, c.sr, c.g.lo, c.g.hi, c.g.bands);
    ASSERT_EQ(map.size(), c.g.bands);
    const std::size_t bins = c.n / 2 + 1;
    std::vector<std::size_t> first(c.g.bands, bins), count(c.g.bands, 0);
    for (std::size_t k = 0; k < bins; ++k) {
      const Long f = static_cast<Long>(k) * static_cast<Long>(c.sr) / static_cast<Long>(c.n);
      EXPECT_NEAR(auralis::kernel::bin_frequency(k, c.n, c.sr), static_cast<double>(f),
                  4 * DBL_EPSILON * static_cast<double>(f))
          << "bin " << k;
      long band = -1;
      for (std::size_t i = 0; i < c.g.bands; ++i) {
        const Long edge = ClosedFormEdge(c.g.lo, c.g.hi, i, c.g.bands);
        ASSERT_GT(std::abs(f - edge), 1e-9L * edge) << "bin " << k << " on edge " << i;
        if (edge <= f) band = static_cast<long>(i);
      }
      if (band < 0) continue;
      const auto b = static_cast<std::size_t>(band);
      first[b] = std::min(first[b], k);
      ++count[b];
    }
    for (std::size_t i = 0; i < c.g.bands; ++i) {
      EXPECT_EQ(map.end[i] - map.first[i], count[i]) << "band " << i;
      if (count[i] > 0) {
        EXPECT_EQ(map.first[i], first[i]) << "band " << i;
      }
    }
    EXPECT_EQ(map.end.back(), bins);
  }
}

// ---------------------------------------------------------------------------------------------
// Weighting curves against the formulas of docs/conventions.md, in long double.

Long RA(Long f) {
  const Long f2 = f * f;
  return 12194.0L * 12194.0L * f2 * f2 /
         ((f2 + 20.6L * 20.6L) * std::sqrt((f2 + 107.7L * 107.7L) * (f2 + 737.9L * 737.9L)) *
          (f2 + 12194.0L * 12194.0L));
}
Long RC(Long f) {
  const Long f2 = f * f;
  return 12194.0L * 12194.0L * f2 / ((f2 + 20.6L * 20.6L) * (f2 + 12194.0L * 12194.0L));
}
Long RCAuralis(Long f) { return RC(f) * f * f; }  // the reference's f^4 numerator
Long Db(Long r) { return 20.0L * std::log10(r); }

std::vector<double> TestFrequencies() {
  std::vector<double> f = {10.0,   20.0,   31.5,    100.0,   440.0,  1000.0,
                           2490.0, 5000.0, 12194.0, 20000.0, 40000.0};
  for (double e : auralis::kernel::band_edges(20.0, 20000.0, 64)) f.push_back(e);
  return f;
}

// Standard: A = 20 log10 R_A + 2.00 dB, C = 20 log10 R_C + 0.062 dB, Z = 0 dB (no normalisation
// to the frequencies given). The IEC 61672-1 table itself: iec61672_test.
TEST(Weighting, StandardCurvesMatchTheirFormulas) {
  const std::vector<double> f = TestFrequencies();
  const auto a = auralis::kernel::weighting_db(Weighting::A, MetricConvention::standard, f);
  const auto c = auralis::kernel::weighting_db(Weighting::C, MetricConvention::standard, f);
  const auto z = auralis::kernel::weighting_db(Weighting::Z, MetricConvention::standard, f);
  ASSERT_EQ(a.size(), f.size());
  for (std::size_t i = 0; i < f.size(); ++i) {
    SCOPED_TRACE("f=" + std::to_string(f[i]));
    const Long fl = f[i];
    EXPECT_NEAR(a[i], static_cast<double>(Db(RA(fl)) + 2.00L), 1e-11);
    EXPECT_NEAR(c[i], static_cast<double>(Db(RC(fl)) + 0.062L), 1e-11);
    EXPECT_EQ(z[i], 0.0);
  }
  // A single frequency gets the same value: nothing depends on the other frequencies.
  const std::vector<double> one = {1000.0};
  EXPECT_EQ(auralis::kernel::weighting_db(Weighting::A, MetricConvention::standard, one)[0], a[5]);
}

// auralis: 20 log10(R(f) / max_j R(f_j)) over the given frequencies (C with f^4), Z = +1 dB.
TEST(Weighting, AuralisCurvesAreNormalisedToTheirMaximum) {
  const std::vector<double> f = TestFrequencies();
  const auto a = auralis::kernel::weighting_db(Weighting::A, MetricConvention::auralis, f);
  const auto c = auralis::kernel::weighting_db(Weighting::C, MetricConvention::auralis, f);
  const auto z = auralis::kernel::weighting_db(Weighting::Z, MetricConvention::auralis, f);
  Long max_a = 0, max_c = 0;
  for (double v : f) {
    max_a = std::max(max_a, RA(v));
    max_c = std::max(max_c, RCAuralis(v));
  }
  for (std::size_t i = 0; i < f.size(); ++i) {
    SCOPED_TRACE("f=" + std::to_string(f[i]));
    EXPECT_NEAR(a[i], static_cast<double>(Db(RA(f[i]) / max_a)), 1e-11);
    EXPECT_NEAR(c[i], static_cast<double>(Db(RCAuralis(f[i]) / max_c)), 1e-11);
    EXPECT_EQ(z[i], 1.0);
    EXPECT_LE(a[i], 0.0);
    EXPECT_LE(c[i], 0.0);
  }
  EXPECT_EQ(*std::max_element(a.begin(), a.end()), 0.0);
  EXPECT_EQ(*std::max_element(c.begin(), c.end()), 0.0);
  // docs/conventions.md, default grid: A is 0 dB at the 2490 Hz edge, -1.17 dB at the 1036 Hz
  // edge, -51.7 dB at 20 Hz; C (f^4) is 0 dB at 20 kHz and -40.2 dB at 1036 Hz.
  const std::vector<double> e = auralis::kernel::band_edges(20.0, 20000.0, 64);
  const auto ga = auralis::kernel::weighting_db(Weighting::A, MetricConvention::auralis, e);
  const auto gc = auralis::kernel::weighting_db(Weighting::C, MetricConvention::auralis, e);
  const auto at = [&](const std::vector<double>& w, double hz) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < e.size(); ++i) {
      if (std::abs(e[i] - hz) < std::abs(e[best] - hz)) best = i;
    }
    return w[best];
  };
  EXPECT_EQ(at(ga, 2490.0), 0.0);
  EXPECT_NEAR(at(ga, 1036.0), -1.17, 0.005);
  EXPECT_NEAR(at(ga, 20.0), -51.7, 0.05);
  EXPECT_EQ(at(gc, 20000.0), 0.0);
  EXPECT_NEAR(at(gc, 1036.0), -40.2, 0.05);
}

TEST(Weighting, UnknownWeightingOrConventionThrows) {
  const std::vector<double> f = {1000.0};
  EXPECT_THROW(
      (void)auralis::kernel::weighting_db(static_cast<Weighting>(3), MetricConvention::standard, f),
      auralis::InvalidSettings);
  EXPECT_THROW(
      (void)auralis::kernel::weighting_db(Weighting::A, static_cast<MetricConvention>(2), f),
      auralis::InvalidSettings);
}

}  // namespace
