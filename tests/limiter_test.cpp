// SPDX-License-Identifier: GPL-3.0-or-later
// BrickWallLimiter (issue 13), float and double. Independent truth only:
//   - the gain against a straightforward O(N L) implementation of the definition written here
//     (peaks, targets, hold by brute-force minimum, release recursion, attack by summing L + 1
//     values), with the interpolation filter recomputed here from its formula (std::
//     cyl_bessel_i), and closed forms of the ramp before an impulse;
//   - ceilings: |y| <= c exactly without true peak; with true peak, the true peak of the output
//     as measured by auralis::measure_loudness (libebur128's 4x interpolator) and by an
//     independent 16x windowed-sinc oversampler written here;
//   - untouched input comes out bit for bit; the offline output delayed is the truth of the
//     streaming path (bit for bit); allocations and locks are counted; every bad input.
//
// Locks are counted by interposing the pthread lock functions in this executable, as
// tests/realtime_test.cpp does (and that the counter works is itself tested).
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "auralis/dynamics/limiter.hpp"
#include "auralis/dynamics/limiter_kernels.hpp"
#include "auralis/dynamics/true_peak_filter.hpp"
#include "auralis/kernel/simd.hpp"
#include "auralis/loudness.hpp"
#include "support/alloc_tracking.hpp"

namespace {
std::atomic<long long> g_locks{0};
template <class Fn>
Fn Next(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}
}  // namespace

extern "C" {
int pthread_mutex_lock(pthread_mutex_t* m) {
  static const auto real = Next<int (*)(pthread_mutex_t*)>("pthread_mutex_lock");
  g_locks.fetch_add(1, std::memory_order_relaxed);
  return real(m);
}
int pthread_mutex_trylock(pthread_mutex_t* m) {
  static const auto real = Next<int (*)(pthread_mutex_t*)>("pthread_mutex_trylock");
  g_locks.fetch_add(1, std::memory_order_relaxed);
  return real(m);
}
int pthread_rwlock_rdlock(pthread_rwlock_t* l) {
  static const auto real = Next<int (*)(pthread_rwlock_t*)>("pthread_rwlock_rdlock");
  g_locks.fetch_add(1, std::memory_order_relaxed);
  return real(l);
}
int pthread_rwlock_wrlock(pthread_rwlock_t* l) {
  static const auto real = Next<int (*)(pthread_rwlock_t*)>("pthread_rwlock_wrlock");
  g_locks.fetch_add(1, std::memory_order_relaxed);
  return real(l);
}
}

namespace {

using auralis::dynamics::BasicBrickWallLimiter;
using auralis::dynamics::LimiterSettings;

constexpr double kPi = std::numbers::pi;

template <class Real>
class Limiter : public ::testing::Test {};
using Reals = ::testing::Types<float, double>;
TYPED_TEST_SUITE(Limiter, Reals);

// ---- Independent truth --------------------------------------------------------------------

double ceiling_of(double db) { return std::pow(10.0, db / 20.0); }

// The largest Real <= c: what a Real output may reach.
template <class Real>
Real ceiling_real(double c) {
  Real r = static_cast<Real>(c);
  while (static_cast<double>(r) > c) r = std::nextafter(r, Real{0});
  return r;
}

// The documented interpolation filter, from its formula: value at j + k/8 (k = 1..7) =
// sum_{m=-7}^{8} w_k(m) x[j + m], w_k(m) = h(k/8 - m) / sum_m' h(k/8 - m'),
// h(t) = sinc(t) I0(5 sqrt(1 - (t/8)^2)) / I0(5).
struct Interpolator {
  double w[8][16] = {};  // w[k][m + 7]
  Interpolator() {
    for (int k = 1; k < 8; ++k) {
      double sum = 0.0;
      for (int m = -7; m <= 8; ++m) {
        const double t = k / 8.0 - m;
        const double u = t / 8.0;
        const double h = std::sin(kPi * t) / (kPi * t) *
                         std::cyl_bessel_i(0.0, 5.0 * std::sqrt(1.0 - u * u)) /
                         std::cyl_bessel_i(0.0, 5.0);
        w[k][m + 7] = h;
        sum += h;
      }
      for (int m = -7; m <= 8; ++m) w[k][m + 7] /= sum;
    }
  }
};
const Interpolator& interpolator() {
  static const Interpolator i;
  return i;
}

struct Params {
  long lookahead;  // L
  long release;    // frames
  double rc;
  double c;
  long reach;  // D
};

Params params_of(const LimiterSettings& s) {
  Params p{};
  p.lookahead = static_cast<long>(s.lookahead_ms * s.sample_rate / 1000.0);
  p.release = static_cast<long>(s.release_ms * s.sample_rate / 1000.0);
  p.rc = std::exp(-1.0 / static_cast<double>(p.release));
  p.c = ceiling_of(s.ceiling_db);
  p.reach = s.true_peak ? 8 : 0;
  return p;
}

// The gain of every frame, straight from the definition: O(N L), no cleverness.
std::vector<double> reference_gain(const std::vector<double>& x, std::size_t channels,
                                   const LimiterSettings& s) {
  const Params pr = params_of(s);
  const long n = static_cast<long>(x.size() / channels);
  const long L = pr.lookahead;
  auto sample = [&](long i, std::size_t ch) {
    return i < 0 || i >= n ? 0.0 : x[static_cast<std::size_t>(i) * channels + ch];
  };
  const Interpolator& ip = interpolator();
  auto interpolated = [&](long j, int k, std::size_t ch) {
    double v = 0.0;
    for (long m = -7; m <= 8; ++m) v += ip.w[k][m + 7] * sample(j + m, ch);
    return v;
  };
  auto peak = [&](long i) {
    double p = 0.0;
    for (std::size_t ch = 0; ch < channels; ++ch) {
      p = std::max(p, std::fabs(sample(i, ch)));
      if (s.true_peak) {
        for (int k = 1; k < 8; ++k) {
          p = std::max(p, std::fabs(interpolated(i - 1, k, ch)));
          p = std::max(p, std::fabs(interpolated(i, k, ch)));
        }
      }
    }
    return p;
  };
  // Frames before `first` have target 1 and released gain 1 (silence).
  const long first = -pr.reach - L - 2;
  const long last = n + L;  // targets up to n - 1 + L are needed
  std::vector<double> t(static_cast<std::size_t>(last - first));
  for (long i = first; i < last; ++i) {
    const double p = peak(i);
    t[static_cast<std::size_t>(i - first)] = p > pr.c ? pr.c / p : 1.0;
  }
  std::vector<double> r(static_cast<std::size_t>(n - first), 1.0);
  double prev = 1.0;
  for (long i = first; i < n; ++i) {
    double h = 1.0;
    for (long j = i; j <= i + L; ++j) h = std::min(h, t[static_cast<std::size_t>(j - first)]);
    prev = std::min(h, pr.rc * prev + (1.0 - pr.rc) * h);
    r[static_cast<std::size_t>(i - first)] = prev;
  }
  std::vector<double> g(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) {
    double sum = 0.0;
    for (long j = i - L; j <= i; ++j)
      sum += j < first ? 1.0 : r[static_cast<std::size_t>(j - first)];
    g[static_cast<std::size_t>(i)] = sum / static_cast<double>(L + 1);
  }
  return g;
}

// Independent 16x true-peak meter: a Kaiser-windowed sinc (beta 9) reaching 48 samples each
// side, evaluated at offsets q/16 between every pair of samples (and the samples themselves).
double true_peak_16x(const std::vector<double>& x, std::size_t channels) {
  constexpr int kReach = 48;
  constexpr int kFactor = 16;
  static const std::vector<double> w = [] {
    std::vector<double> v(static_cast<std::size_t>(kFactor * 2 * kReach));
    for (int q = 1; q < kFactor; ++q) {
      for (int m = -kReach + 1; m <= kReach; ++m) {
        const double t = static_cast<double>(q) / kFactor - m;
        const double u = t / kReach;
        v[static_cast<std::size_t>(q * 2 * kReach + (m + kReach - 1))] =
            std::sin(kPi * t) / (kPi * t) * std::cyl_bessel_i(0.0, 9.0 * std::sqrt(1.0 - u * u)) /
            std::cyl_bessel_i(0.0, 9.0);
      }
    }
    return v;
  }();
  const long n = static_cast<long>(x.size() / channels);
  double peak = 0.0;
  for (std::size_t ch = 0; ch < channels; ++ch) {
    auto sample = [&](long i) {
      return i < 0 || i >= n ? 0.0 : x[static_cast<std::size_t>(i) * channels + ch];
    };
    for (long j = -kReach; j < n + kReach; ++j) {
      peak = std::max(peak, std::fabs(sample(j)));
      for (int q = 1; q < kFactor; ++q) {
        double v = 0.0;
        for (int m = -kReach + 1; m <= kReach; ++m) {
          v += w[static_cast<std::size_t>(q * 2 * kReach + (m + kReach - 1))] * sample(j + m);
        }
        peak = std::max(peak, std::fabs(v));
      }
    }
  }
  return peak;
}

// True peak (linear) by auralis::measure_loudness; channel counts it does not take (3, 4, 7,
// 8) are measured channel by channel as mono.
double true_peak_meter(const std::vector<double>& x, std::size_t channels, double fs) {
  auto linear = [](double dbtp) { return std::pow(10.0, dbtp / 20.0); };
  if (channels == 1 || channels == 2 || channels == 5 || channels == 6) {
    const auto st = auralis::measure_loudness(
        auralis::InterleavedAudio<const double>{std::span<const double>(x), channels}, fs);
    return linear(st.true_peak_dbtp);
  }
  double peak = 0.0;
  const std::size_t n = x.size() / channels;
  std::vector<double> mono(n);
  for (std::size_t ch = 0; ch < channels; ++ch) {
    for (std::size_t i = 0; i < n; ++i) mono[i] = x[i * channels + ch];
    const auto st = auralis::measure_loudness(
        auralis::InterleavedAudio<const double>{std::span<const double>(mono), 1}, fs);
    peak = std::max(peak, linear(st.true_peak_dbtp));
  }
  return peak;
}

template <class Real>
std::vector<double> to_double(const std::vector<Real>& v) {
  return {v.begin(), v.end()};
}

template <class Real>
bool same_bits(const std::vector<Real>& a, const std::vector<Real>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(Real)) == 0);
}

// ---- Test signals (interleaved) -----------------------------------------------------------

enum class Signal { noise, square, impulses, quarter_sine };
const char* name(Signal s) {
  switch (s) {
    case Signal::noise:
      return "noise";
    case Signal::square:
      return "square";
    case Signal::impulses:
      return "impulse clusters";
    case Signal::quarter_sine:
      return "fs/4 sine at 45 degrees";
  }
  return "?";
}

std::vector<double> make_signal(Signal kind, std::size_t frames, std::size_t channels,
                                std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> x(frames * channels, 0.0);
  switch (kind) {
    case Signal::noise:
      for (double& v : x) v = 2.0 * u(rng);
      break;
    case Signal::square:
      for (std::size_t ch = 0; ch < channels; ++ch) {
        const std::size_t period = 4 + static_cast<std::size_t>(rng() % 200);
        const std::size_t offset = static_cast<std::size_t>(rng() % period);
        const double a = 1.0 + 0.5 * std::fabs(u(rng));
        for (std::size_t i = 0; i < frames; ++i) {
          x[i * channels + ch] = ((i + offset) % period) < period / 2 ? a : -a;
        }
      }
      break;
    case Signal::impulses: {
      std::size_t i = static_cast<std::size_t>(rng() % 40);
      while (i < frames) {
        const std::size_t cluster = 1 + static_cast<std::size_t>(rng() % 6);
        for (std::size_t k = 0; k < cluster && i < frames; ++k) {
          const std::size_t ch = static_cast<std::size_t>(rng() % channels);
          x[i * channels + ch] = 3.0 * u(rng);
          i += 1 + static_cast<std::size_t>(rng() % 3);
        }
        i += 20 + static_cast<std::size_t>(rng() % 300);
      }
      break;
    }
    case Signal::quarter_sine:
      for (std::size_t i = 0; i < frames; ++i) {
        for (std::size_t ch = 0; ch < channels; ++ch) {
          // Full scale: the samples are +-0.7071, the peaks (between samples) 1.0 (0 dBTP).
          x[i * channels + ch] =
              (ch % 2 ? -1.0 : 1.0) * std::sin(kPi / 2.0 * static_cast<double>(i) + kPi / 4.0);
        }
      }
      break;
  }
  return x;
}

template <class Real>
std::vector<Real> as(const std::vector<double>& x) {
  std::vector<Real> r(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) r[i] = static_cast<Real>(x[i]);
  return r;
}

LimiterSettings settings_48k(std::size_t channels, bool true_peak) {
  LimiterSettings s;
  s.sample_rate = 48000.0;
  s.channels = channels;
  s.true_peak = true_peak;
  return s;  // ceiling -1 dB, look-ahead 2 ms (L = 96), release 50 ms
}

// ---- The interpolation filter -------------------------------------------------------------

TEST(LimiterFilter, CoefficientsFollowTheirFormula) {
  const Interpolator& ip = interpolator();
  using auralis::dynamics::detail::true_peak_coefficients;
  for (int k = 1; k < 8; ++k) {
    for (int d = 0; d < 16; ++d) {
      // c[k][d] multiplies x[j + 8 - d]: m = 8 - d.
      EXPECT_NEAR(true_peak_coefficients[k - 1][d], ip.w[k][8 - d + 7], 2e-15) << k << " " << d;
    }
  }
}

TEST(LimiterFilter, PassbandWithinTenthOfDecibel) {
  // A sine of frequency f is interpolated within 0.05 dB up to 0.40 fs, at every phase.
  using auralis::dynamics::detail::true_peak_coefficients;
  for (double f = 0.01; f <= 0.40; f += 0.01) {
    for (int k = 1; k < 8; ++k) {
      double re = 0.0, im = 0.0;
      for (int d = 0; d < 16; ++d) {
        re += true_peak_coefficients[k - 1][d] * std::cos(2.0 * kPi * f * (8 - d));
        im += true_peak_coefficients[k - 1][d] * std::sin(2.0 * kPi * f * (8 - d));
      }
      EXPECT_NEAR(20.0 * std::log10(std::hypot(re, im)), 0.0, 0.05) << f << " " << k;
    }
  }
}

// ---- Settings -----------------------------------------------------------------------------

TEST(LimiterSettingsTest, DefaultsAndLatency) {
  const LimiterSettings s;
  EXPECT_EQ(s.ceiling_db, -1.0);
  EXPECT_EQ(s.lookahead_ms, 2.0);
  EXPECT_EQ(s.release_ms, 50.0);
  EXPECT_TRUE(s.true_peak);
  EXPECT_NO_THROW(auralis::dynamics::validate(s));
  // 2 ms at 44.1 kHz: int(88.2) = 88 frames, + 8 for the true-peak filter.
  EXPECT_EQ(auralis::dynamics::lookahead_frames(s), 88u);
  EXPECT_EQ(auralis::dynamics::BrickWallLimiter(s).latency(), 96u);
  LimiterSettings off = s;
  off.true_peak = false;
  EXPECT_EQ(auralis::dynamics::BrickWallLimiterF(off).latency(), 88u);
  off.lookahead_ms = 0.0;
  EXPECT_EQ(auralis::dynamics::BrickWallLimiter(off).latency(), 0u);
}

TEST(LimiterSettingsTest, EveryFieldOutOfRangeNamesItself) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    const char* field;
    std::function<void(LimiterSettings&)> set;
  };
  const std::vector<Case> cases = {
      {"sample_rate", [](LimiterSettings& s) { s.sample_rate = 7999.0; }},
      {"sample_rate", [](LimiterSettings& s) { s.sample_rate = 768001.0; }},
      {"sample_rate", [&](LimiterSettings& s) { s.sample_rate = nan; }},
      {"sample_rate", [&](LimiterSettings& s) { s.sample_rate = inf; }},
      {"channels", [](LimiterSettings& s) { s.channels = 0; }},
      {"channels", [](LimiterSettings& s) { s.channels = 65; }},
      {"ceiling_db", [](LimiterSettings& s) { s.ceiling_db = 0.01; }},
      {"ceiling_db", [](LimiterSettings& s) { s.ceiling_db = -60.5; }},
      {"ceiling_db", [&](LimiterSettings& s) { s.ceiling_db = nan; }},
      {"ceiling_db", [&](LimiterSettings& s) { s.ceiling_db = -inf; }},
      {"lookahead_ms", [](LimiterSettings& s) { s.lookahead_ms = -0.001; }},
      {"lookahead_ms", [](LimiterSettings& s) { s.lookahead_ms = 100.5; }},
      {"lookahead_ms", [&](LimiterSettings& s) { s.lookahead_ms = nan; }},
      {"release_ms", [](LimiterSettings& s) { s.release_ms = 0.99; }},
      {"release_ms", [](LimiterSettings& s) { s.release_ms = 60001.0; }},
      {"release_ms", [&](LimiterSettings& s) { s.release_ms = nan; }},
      {"release_ms", [&](LimiterSettings& s) { s.release_ms = inf; }},
  };
  for (const Case& c : cases) {
    LimiterSettings s;
    c.set(s);
    try {
      auralis::dynamics::validate(s);
      ADD_FAILURE() << c.field << " accepted";
    } catch (const auralis::InvalidSettings& e) {
      EXPECT_EQ(e.field(), c.field);
      EXPECT_NE(std::string(e.what()).find(c.field), std::string::npos) << e.what();
    }
    EXPECT_THROW(auralis::dynamics::BrickWallLimiter{s}, auralis::InvalidSettings) << c.field;
    EXPECT_THROW(auralis::dynamics::BrickWallLimiterF{s}, auralis::InvalidSettings) << c.field;
  }
  // The limits themselves are valid.
  LimiterSettings lo;
  lo.sample_rate = 8000.0;
  lo.channels = 1;
  lo.ceiling_db = -60.0;
  lo.lookahead_ms = 0.0;
  lo.release_ms = 1.0;
  EXPECT_NO_THROW(auralis::dynamics::BrickWallLimiter{lo});
  LimiterSettings hi;
  hi.sample_rate = 768000.0;
  hi.channels = 64;
  hi.ceiling_db = 0.0;
  hi.lookahead_ms = 100.0;
  hi.release_ms = 60000.0;
  EXPECT_NO_THROW(auralis::dynamics::BrickWallLimiter{hi});
}

TYPED_TEST(Limiter, CeilingIsRoundedDown) {
  using Real = TypeParam;
  for (double db : {-1.0, -0.3, -6.0, 0.0, -60.0}) {
    LimiterSettings s;
    s.ceiling_db = db;
    const BasicBrickWallLimiter<Real> lim(s);
    const double c = ceiling_of(db);
    EXPECT_LE(static_cast<double>(lim.ceiling()), c);
    EXPECT_GT(static_cast<double>(std::nextafter(lim.ceiling(), Real{2})), c);
  }
}

// ---- The gain against its definition ------------------------------------------------------

template <class Real>
void expect_gain_matches(const std::vector<double>& x, const LimiterSettings& s, double tol,
                         const char* what) {
  const std::size_t channels = s.channels;
  const std::vector<Real> in = as<Real>(x);
  std::vector<Real> out(in.size());
  std::vector<double> gain(in.size() / channels);
  const BasicBrickWallLimiter<Real> lim(s);
  lim.process(in, out, gain);
  const std::vector<double> ref = reference_gain(to_double(in), channels, s);
  double worst = 0.0;
  for (std::size_t i = 0; i < gain.size(); ++i)
    worst = std::max(worst, std::fabs(gain[i] - ref[i]));
  EXPECT_LE(worst, tol) << what << " true_peak " << s.true_peak;
  // y = x g, clamped to the ceiling.
  const Real c = lim.ceiling();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const Real expected =
        std::clamp(static_cast<Real>(in[i] * static_cast<Real>(gain[i / channels])), -c, c);
    ASSERT_EQ(out[i], expected) << what << " sample " << i;
  }
}

TYPED_TEST(Limiter, GainOfOneImpulseFollowsTheDefinition) {
  using Real = TypeParam;
  for (bool tp : {false, true}) {
    LimiterSettings s = settings_48k(1, tp);
    const Params pr = params_of(s);
    const std::size_t n = 4000, at = 1000;
    std::vector<double> x(n, 0.0);
    x[at] = 2.5;
    // float interpolates in float: 1e-6 relative on the true-peak targets.
    const double tol = tp && sizeof(Real) == 4 ? 2e-6 : 1e-12;
    expect_gain_matches<Real>(x, s, tol, "impulse");
    if (tp) continue;
    // Closed form without true peak: a linear ramp over the L + 1 frames before the impulse,
    // from 1 to t = c / 2.5, reached exactly at the impulse.
    std::vector<Real> in = as<Real>(x), out(n);
    std::vector<double> g(n);
    BasicBrickWallLimiter<Real>(s).process(in, out, g);
    const double t = pr.c / 2.5;
    const long L = pr.lookahead;
    for (long j = -3; j <= L; ++j) {
      const auto i = static_cast<std::size_t>(static_cast<long>(at) - L + j);
      const double expected =
          j < 0 ? 1.0 : 1.0 - (1.0 - t) * static_cast<double>(j + 1) / static_cast<double>(L + 1);
      EXPECT_NEAR(g[i], expected, 1e-13) << j;
    }
    // After the impulse: the release r = 1 - (1 - t) rc^m enters the moving average.
    double sum = 0.0;
    const long m = 300;
    for (long j = m - L; j <= m; ++j) sum += j <= 0 ? t : 1.0 - (1.0 - t) * std::pow(pr.rc, j);
    EXPECT_NEAR(g[at + static_cast<std::size_t>(m)], sum / static_cast<double>(L + 1), 1e-12);
    EXPECT_LE(std::fabs(static_cast<double>(out[at])), pr.c);
  }
}

TYPED_TEST(Limiter, GainOfASineBurstFollowsTheDefinition) {
  using Real = TypeParam;
  for (bool tp : {false, true}) {
    LimiterSettings s = settings_48k(2, tp);
    s.release_ms = 20.0;
    s.lookahead_ms = 1.5;
    const std::size_t n = 9000;
    std::vector<double> x(2 * n, 0.0);
    for (std::size_t i = 2000; i < 6000; ++i) {
      const double env = std::sin(kPi * static_cast<double>(i - 2000) / 4000.0);
      x[2 * i] = 1.8 * env * std::sin(2.0 * kPi * 997.0 * static_cast<double>(i) / 48000.0);
      x[2 * i + 1] = 1.3 * std::sin(2.0 * kPi * 3001.0 * static_cast<double>(i) / 48000.0 + 0.3);
    }
    const double tol = tp && sizeof(Real) == 4 ? 2e-6 : 1e-12;
    expect_gain_matches<Real>(x, s, tol, "sine burst");
  }
}

TYPED_TEST(Limiter, GainOfNoiseFollowsTheDefinitionAtEveryLength) {
  using Real = TypeParam;
  for (bool tp : {false, true}) {
    for (std::size_t channels : {1u, 3u}) {
      LimiterSettings s = settings_48k(channels, tp);
      s.lookahead_ms = 0.5;  // L = 24
      for (std::size_t n : {1u, 23u, 24u, 25u, 1500u}) {
        const std::vector<double> x = make_signal(Signal::noise, n, channels, 7 + n);
        const double tol = tp && sizeof(Real) == 4 ? 2e-6 : 1e-12;
        expect_gain_matches<Real>(x, s, tol, "noise");
      }
    }
  }
}

TYPED_TEST(Limiter, ZeroLookaheadIsInstantLimiting) {
  using Real = TypeParam;
  LimiterSettings s = settings_48k(2, false);
  s.lookahead_ms = 0.0;
  const std::vector<double> x = make_signal(Signal::impulses, 3000, 2, 11);
  expect_gain_matches<Real>(x, s, 1e-12, "zero look-ahead");
}

// ---- Properties ---------------------------------------------------------------------------

TYPED_TEST(Limiter, CeilingHoldsOnEverySignalChannelCountAndLength) {
  using Real = TypeParam;
  const double fs = 48000.0;
  const double tolerance = std::pow(10.0, 0.1 / 20.0);  // +0.1 dB
  double worst_meter_db = -100.0;
  std::uint64_t seed = 1;
  for (Signal kind : {Signal::noise, Signal::square, Signal::impulses, Signal::quarter_sine}) {
    for (std::size_t channels = 1; channels <= 8; ++channels) {
      for (bool tp : {false, true}) {
        const LimiterSettings s = settings_48k(channels, tp);
        const std::size_t L = auralis::dynamics::lookahead_frames(s);
        std::mt19937_64 rng(seed);
        const std::size_t random_length = 2000 + static_cast<std::size_t>(rng() % 3000);
        for (std::size_t n : {std::size_t{1}, L - 1, L, L + 1, random_length}) {
          const std::vector<Real> in = as<Real>(make_signal(kind, n, channels, ++seed));
          std::vector<Real> out(in.size());
          const BasicBrickWallLimiter<Real> lim(s);
          lim.process(in, out);
          const double c = ceiling_of(s.ceiling_db);
          double peak = 0.0;
          for (Real v : out) peak = std::max(peak, std::fabs(static_cast<double>(v)));
          // Sample peaks: exactly at most c, with or without true peak.
          ASSERT_LE(peak, c) << name(kind) << " channels " << channels << " n " << n;
          if (!tp) continue;
          const double pm = true_peak_meter(to_double(out), channels, fs);
          worst_meter_db = std::max(worst_meter_db, 20.0 * std::log10(pm / c));
          EXPECT_LE(pm, c * tolerance) << name(kind) << " channels " << channels << " n " << n;
        }
      }
    }
  }
  std::printf("worst true peak over the ceiling (measure_loudness): %+.4f dB\n", worst_meter_db);
}

// Low-passes every channel at `cutoff` (fraction of fs) with a 129-tap Kaiser-windowed sinc.
std::vector<double> low_pass(const std::vector<double>& x, std::size_t channels, double cutoff) {
  std::vector<double> w;
  for (int m = -64; m <= 64; ++m) {
    const double t = m;
    const double h = m == 0 ? 2.0 * cutoff : std::sin(2.0 * kPi * cutoff * t) / (kPi * t);
    const double u = t / 65.0;
    w.push_back(h * std::cyl_bessel_i(0.0, 8.0 * std::sqrt(1.0 - u * u)) /
                std::cyl_bessel_i(0.0, 8.0));
  }
  const long n = static_cast<long>(x.size() / channels);
  std::vector<double> y(x.size(), 0.0);
  for (long i = 0; i < n; ++i) {
    for (std::size_t ch = 0; ch < channels; ++ch) {
      double v = 0.0;
      for (long m = -64; m <= 64; ++m) {
        const long j = i - m;
        if (j >= 0 && j < n)
          v += w[static_cast<std::size_t>(m + 64)] * x[static_cast<std::size_t>(j) * channels + ch];
      }
      y[static_cast<std::size_t>(i) * channels + ch] = v;
    }
  }
  return y;
}

// Against an ideal reconstruction (the 16x meter above), the ceiling holds within 0.1 dB for
// signals band-limited to 0.40 fs, where the detector's filter is flat within 0.05 dB. (Full-band
// noise exceeds it by up to about 1.2 dB: content above 0.45 fs, which a 16-tap filter, like a
// BS.1770 meter's 12-tap one, does not reconstruct; see docs/dynamics.md.)
TYPED_TEST(Limiter, TruePeakOfBandLimitedSignalsAgainstIdealReconstruction) {
  using Real = TypeParam;
  const double tolerance = std::pow(10.0, 0.1 / 20.0);
  double worst = -100.0;
  std::uint64_t seed = 500;
  for (Signal kind : {Signal::noise, Signal::square, Signal::impulses, Signal::quarter_sine}) {
    for (std::size_t channels : {1u, 2u, 5u}) {
      std::vector<double> x = low_pass(make_signal(kind, 3000, channels, ++seed), channels, 0.40);
      for (double& v : x) v *= 1.5;
      const std::vector<Real> in = as<Real>(x);
      std::vector<Real> out(in.size());
      BasicBrickWallLimiter<Real>(settings_48k(channels, true)).process(in, out);
      const double c = ceiling_of(-1.0);
      const double p16 = true_peak_16x(to_double(out), channels);
      worst = std::max(worst, 20.0 * std::log10(p16 / c));
      EXPECT_LE(p16, c * tolerance) << name(kind) << " channels " << channels;
    }
  }
  std::printf("worst true peak over the ceiling (16x, band-limited to 0.40 fs): %+.4f dB\n", worst);
}

TYPED_TEST(Limiter, QuarterSampleRateSineIsCaughtOnlyWithTruePeak) {
  using Real = TypeParam;
  // fs/4 at 45 degrees, full scale: sample peaks -3.01 dBFS (below the -1 dB ceiling), true
  // peak 0 dBTP.
  const std::size_t n = 48000;
  const std::vector<Real> in = as<Real>(make_signal(Signal::quarter_sine, n, 2, 0));
  std::vector<Real> out(in.size());
  BasicBrickWallLimiter<Real>(settings_48k(2, false)).process(in, out);
  EXPECT_TRUE(same_bits(in, out));
  BasicBrickWallLimiter<Real>(settings_48k(2, true)).process(in, out);
  const std::vector<double> y = to_double(out);
  const double c = ceiling_of(-1.0);
  const double meter = true_peak_meter(y, 2, 48000.0);
  const double p16 = true_peak_16x(y, 2);
  EXPECT_LE(meter, c * std::pow(10.0, 0.1 / 20.0));
  EXPECT_LE(p16, c * std::pow(10.0, 0.1 / 20.0));
  // ... and not limited much more than needed (the true peak reaches within 0.1 dB of c).
  EXPECT_GE(p16, c * std::pow(10.0, -0.1 / 20.0));
  std::printf("fs/4 sine: true peak %.4f dBTP (meter), %.4f dBTP (16x), ceiling -1\n",
              20.0 * std::log10(meter), 20.0 * std::log10(p16));
}

TYPED_TEST(Limiter, InputWithinTheCeilingIsReturnedBitForBit) {
  using Real = TypeParam;
  std::uint64_t seed = 100;
  for (std::size_t channels : {1u, 2u, 5u, 8u}) {
    for (bool tp : {false, true}) {
      const LimiterSettings s = settings_48k(channels, tp);
      const Real c = ceiling_real<Real>(ceiling_of(s.ceiling_db));
      // Without true peak anything up to c itself passes; with it, up to c / 2.2 (the
      // interpolator's sum of |coefficients| is 2.11, so no interpolated value exceeds c).
      const double limit = tp ? static_cast<double>(c) / 2.2 : static_cast<double>(c);
      for (Signal kind : {Signal::noise, Signal::square, Signal::impulses}) {
        for (std::size_t n : {1u, 95u, 96u, 97u, 5000u}) {
          std::vector<double> x = make_signal(kind, n, channels, ++seed);
          double peak = 0.0;
          for (double v : x) peak = std::max(peak, std::fabs(v));
          std::vector<Real> in(x.size());
          for (std::size_t i = 0; i < x.size(); ++i) {
            in[i] = peak > 0 ? static_cast<Real>(x[i] / peak * limit) : Real{0};
            in[i] = std::clamp(in[i], -ceiling_real<Real>(limit), ceiling_real<Real>(limit));
          }
          if (!tp && !in.empty()) in[in.size() / 2] = -c;  // the ceiling itself passes
          std::vector<Real> out(in.size());
          BasicBrickWallLimiter<Real> lim(s);
          lim.process(in, out);
          EXPECT_TRUE(same_bits(in, out)) << name(kind) << " " << channels << " " << n << " " << tp;
          // Streamed: the same samples, delayed.
          std::vector<Real> padded(in);
          padded.resize(in.size() + lim.latency() * channels, Real{0});
          std::vector<Real> streamed(padded.size());
          lim.process_realtime_chunk(padded, streamed);
          const std::vector<Real> tail(
              streamed.begin() + static_cast<std::ptrdiff_t>(lim.latency() * channels),
              streamed.end());
          EXPECT_TRUE(same_bits(in, tail));
          EXPECT_EQ(lim.max_gain_reduction_db(), 0.0);
        }
      }
      // A true-peak quiet fs/4 sine (0.8 of the ceiling) passes too.
      if (tp) {
        std::vector<double> x = make_signal(Signal::quarter_sine, 3000, channels, 0);
        for (double& v : x) v *= 0.8 * static_cast<double>(c);
        const std::vector<Real> in = as<Real>(x);
        std::vector<Real> out(in.size());
        BasicBrickWallLimiter<Real>(s).process(in, out);
        EXPECT_TRUE(same_bits(in, out));
      }
    }
  }
}

// ---- Streaming ----------------------------------------------------------------------------

TYPED_TEST(Limiter, RandomBlockSplitsEqualOfflineDelayed) {
  using Real = TypeParam;
  std::mt19937_64 rng(2024);
  // Look-aheads shorter and longer than the internal 1024-frame blocks (60 ms: 2880 frames).
  for (std::size_t channels : {1u, 2u, 3u, 6u}) {
    for (int variant = 0; variant < 3; ++variant) {
      const bool tp = variant != 0;
      LimiterSettings s = settings_48k(channels, tp);
      s.lookahead_ms = variant == 0 ? 2.0 : variant == 1 ? 5.0 : 60.0;
      const std::size_t n = 40000;
      std::vector<double> x = make_signal(Signal::noise, n, channels, rng());
      const std::vector<double> imp = make_signal(Signal::impulses, n, channels, rng());
      for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = 0.3 * x[i] * std::sin(1e-4 * static_cast<double>(i)) + imp[i];
      const std::vector<Real> in = as<Real>(x);
      BasicBrickWallLimiter<Real> lim(s);
      std::vector<Real> offline(in.size());
      lim.process(in, offline);
      const std::size_t lat = lim.latency();
      // The stream: the input, then latency frames of silence to flush it.
      std::vector<Real> stream(in);
      stream.resize(in.size() + lat * channels, Real{0});
      for (int round = 0; round < 2; ++round) {
        std::vector<Real> streamed(stream.size());
        std::size_t pos = 0;
        while (pos < stream.size() / channels) {
          const std::size_t want = 1 + static_cast<std::size_t>(rng() % 8192);
          const std::size_t m = std::min(want, stream.size() / channels - pos);
          std::span<const Real> chunk(stream.data() + pos * channels, m * channels);
          std::span<Real> out(streamed.data() + pos * channels, m * channels);
          if (rng() % 4 == 0) {
            // In place: the chunk is the output buffer.
            std::copy(chunk.begin(), chunk.end(), out.begin());
            lim.process_realtime_chunk(std::span<const Real>(out.data(), out.size()), out);
          } else {
            lim.process_realtime_chunk(chunk, out);
          }
          pos += m;
        }
        std::vector<Real> expected(stream.size(), Real{0});
        std::copy(offline.begin(), offline.end(),
                  expected.begin() + static_cast<std::ptrdiff_t>(lat * channels));
        EXPECT_TRUE(same_bits(expected, streamed))
            << channels << " tp " << tp << " round " << round;
        EXPECT_GT(lim.gain_reduction_db(), -1.0);
        lim.reset();  // the second round starts again from silence
      }
    }
  }
}

// Random settings (sample rate, channels, ceiling, look-ahead from 0 to beyond the signal,
// release, true peak): the gain follows the definition and the stream equals offline delayed.
TYPED_TEST(Limiter, RandomSettingsFollowTheDefinitionAndStreamExactly) {
  using Real = TypeParam;
  std::mt19937_64 rng(77);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int trial = 0; trial < 24; ++trial) {
    LimiterSettings s;
    const double rates[] = {8000.0, 22050.0, 44100.0, 48000.0, 96000.0, 192000.0};
    s.sample_rate = rates[rng() % 6];
    s.channels = 1 + static_cast<std::size_t>(rng() % 4);
    s.ceiling_db = -12.0 * u(rng);
    s.lookahead_ms = trial % 5 == 0 ? 0.0 : 8.0 * u(rng);
    s.release_ms = 1.0 + 200.0 * u(rng);
    s.true_peak = rng() % 2 == 0;
    const std::size_t n = 1 + static_cast<std::size_t>(rng() % 1500);
    const Signal kinds[] = {Signal::noise, Signal::square, Signal::impulses, Signal::quarter_sine};
    const std::vector<double> x = make_signal(kinds[rng() % 4], n, s.channels, rng());
    const double tol = s.true_peak && sizeof(Real) == 4 ? 2e-6 : 1e-12;
    expect_gain_matches<Real>(x, s, tol, "random settings");
    const std::vector<Real> in = as<Real>(x);
    BasicBrickWallLimiter<Real> lim(s);
    std::vector<Real> offline(in.size());
    lim.process(in, offline);
    const std::size_t lat = lim.latency();
    std::vector<Real> stream(in);
    stream.resize(in.size() + lat * s.channels, Real{0});
    std::vector<Real> streamed(stream.size());
    for (std::size_t pos = 0; pos < stream.size() / s.channels;) {
      const std::size_t m =
          std::min(1 + static_cast<std::size_t>(rng() % 700), stream.size() / s.channels - pos);
      lim.process_realtime_chunk(
          std::span<const Real>(stream.data() + pos * s.channels, m * s.channels),
          std::span<Real>(streamed.data() + pos * s.channels, m * s.channels));
      pos += m;
    }
    std::vector<Real> expected(stream.size(), Real{0});
    std::copy(offline.begin(), offline.end(),
              expected.begin() + static_cast<std::ptrdiff_t>(lat * s.channels));
    EXPECT_TRUE(same_bits(expected, streamed))
        << "trial " << trial << " fs " << s.sample_rate << " L " << lat;
  }
}

TYPED_TEST(Limiter, OfflineIsStateless) {
  using Real = TypeParam;
  const LimiterSettings s = settings_48k(2, true);
  const std::vector<Real> in = as<Real>(make_signal(Signal::noise, 3000, 2, 5));
  BasicBrickWallLimiter<Real> lim(s);
  std::vector<Real> a(in.size()), b(in.size()), junk(in.size());
  lim.process(in, a);
  lim.process_realtime_chunk(in, junk);  // streaming state does not leak into process()
  lim.process(in, b);
  EXPECT_TRUE(same_bits(a, b));
  EXPECT_GT(lim.max_gain_reduction_db(), 3.0);
  EXPECT_GE(lim.max_gain_reduction_db(), lim.gain_reduction_db());
}

TYPED_TEST(Limiter, RealtimeChunksAllocateNothingAndTakeNoLock) {
  using Real = TypeParam;
  {
    std::mutex m;
    const long long l0 = g_locks.load();
    { std::lock_guard lock(m); }
    ASSERT_GE(g_locks.load() - l0, 1) << "lock counter does not work";
  }
  for (bool tp : {false, true}) {
    const LimiterSettings s = settings_48k(2, tp);
    BasicBrickWallLimiter<Real> lim(s);
    const std::vector<Real> in = as<Real>(make_signal(Signal::noise, 10000, 2, 3));
    std::vector<Real> out(in.size());
    const std::size_t sizes[] = {512, 1, 4096, 1500, 8192, 33};
    const long long a0 = auralis::testing::allocation_count();
    const long long l0 = g_locks.load();
    std::size_t pos = 0;
    for (int call = 0; call < 2000; ++call) {
      const std::size_t m = std::min(sizes[call % 6], in.size() / 2 - pos);
      lim.process_realtime_chunk(std::span<const Real>(in.data() + 2 * pos, 2 * m),
                                 std::span<Real>(out.data() + 2 * pos, 2 * m));
      pos = (pos + m) % (in.size() / 2 - 8192);
    }
    lim.reset();
    EXPECT_EQ(auralis::testing::allocation_count() - a0, 0) << "true_peak " << tp;
    EXPECT_EQ(g_locks.load() - l0, 0) << "true_peak " << tp;
  }
}

// ---- Bad input ----------------------------------------------------------------------------

template <class Real, class Call>
void expect_rejected(Call&& call, const char* field) {
  try {
    call();
    ADD_FAILURE() << "accepted, expected an error naming " << field;
  } catch (const auralis::InvalidArgument& e) {
    EXPECT_EQ(e.field(), field) << e.what();
  }
}

TYPED_TEST(Limiter, BadInputIsRejectedWithoutSideEffects) {
  using Real = TypeParam;
  const LimiterSettings s = settings_48k(2, true);
  BasicBrickWallLimiter<Real> lim(s);
  BasicBrickWallLimiter<Real> twin(s);  // fed only the good calls
  const std::vector<Real> good = as<Real>(make_signal(Signal::noise, 700, 2, 9));
  std::vector<Real> out_a(good.size()), out_b(good.size());
  lim.process_realtime_chunk(good, out_a);
  twin.process_realtime_chunk(good, out_b);

  const Real sentinel = Real{42};
  for (Real bad : {std::numeric_limits<Real>::quiet_NaN(), std::numeric_limits<Real>::infinity(),
                   -std::numeric_limits<Real>::infinity()}) {
    std::vector<Real> in(good);
    in[301] = bad;
    std::vector<Real> out(in.size(), sentinel);
    std::vector<double> gain(in.size() / 2, 42.0);
    expect_rejected<Real>([&] { lim.process(in, out); }, "in");
    expect_rejected<Real>([&] { lim.process(in, out, gain); }, "in");
    expect_rejected<Real>([&] { lim.process_realtime_chunk(in, out); }, "chunk");
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [&](Real v) { return v == sentinel; }));
    EXPECT_TRUE(std::all_of(gain.begin(), gain.end(), [](double v) { return v == 42.0; }));
  }
  {
    // A partial frame (wrong channel count for the settings).
    const std::vector<Real> odd(good.begin(), good.begin() + 301);
    std::vector<Real> out(odd.size(), sentinel);
    expect_rejected<Real>([&] { lim.process(odd, out); }, "in");
    expect_rejected<Real>([&] { lim.process_realtime_chunk(odd, out); }, "chunk");
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [&](Real v) { return v == sentinel; }));
  }
  {
    // Wrong output sizes, a wrong gain size, overlaps.
    std::vector<Real> small(good.size() - 2, sentinel), large(good.size() + 2, sentinel);
    expect_rejected<Real>([&] { lim.process(good, small); }, "out");
    expect_rejected<Real>([&] { lim.process(good, large); }, "out");
    expect_rejected<Real>([&] { lim.process_realtime_chunk(good, small); }, "out");
    expect_rejected<Real>([&] { lim.process_realtime_chunk(good, large); }, "out");
    EXPECT_TRUE(std::all_of(small.begin(), small.end(), [&](Real v) { return v == sentinel; }));
    EXPECT_TRUE(std::all_of(large.begin(), large.end(), [&](Real v) { return v == sentinel; }));
    std::vector<Real> out(good.size(), sentinel);
    std::vector<double> gain(good.size() / 2 + 1, 42.0);
    expect_rejected<Real>([&] { lim.process(good, out, gain); }, "gain");
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [&](Real v) { return v == sentinel; }));
    std::vector<Real> buf(good);
    buf.resize(good.size() + 2);
    const std::span<const Real> in_span(buf.data(), good.size());
    const std::span<Real> shifted(buf.data() + 2, good.size());
    expect_rejected<Real>([&] { lim.process(in_span, shifted); }, "out");
    expect_rejected<Real>([&] { lim.process_realtime_chunk(in_span, shifted); }, "out");
    expect_rejected<Real>([&] { lim.process(in_span, std::span<Real>(buf.data(), good.size())); },
                          "out");
  }
  // The state is unchanged: both limiters continue identically.
  const std::vector<Real> next = as<Real>(make_signal(Signal::impulses, 900, 2, 10));
  std::vector<Real> a(next.size()), b(next.size());
  lim.process_realtime_chunk(next, a);
  twin.process_realtime_chunk(next, b);
  EXPECT_TRUE(same_bits(a, b));
  EXPECT_EQ(lim.gain_reduction_db(), twin.gain_reduction_db());
  EXPECT_EQ(lim.max_gain_reduction_db(), twin.max_gain_reduction_db());
}

TYPED_TEST(Limiter, HugeSamplesGiveSilenceNotNaN) {
  using Real = TypeParam;
  for (bool tp : {false, true}) {
    const LimiterSettings s = settings_48k(2, tp);
    std::vector<Real> in(2000, Real{0});
    for (std::size_t i = 500; i < 520; ++i)
      in[i] = (i % 2 ? 1 : -1) * std::numeric_limits<Real>::max();
    std::vector<Real> out(in.size());
    BasicBrickWallLimiter<Real>(s).process(in, out);
    const double c = ceiling_of(s.ceiling_db);
    for (Real v : out) {
      ASSERT_TRUE(std::isfinite(v));
      ASSERT_LE(std::fabs(static_cast<double>(v)), c);
    }
  }
}

TYPED_TEST(Limiter, EmptyInputIsANoOp) {
  using Real = TypeParam;
  BasicBrickWallLimiter<Real> lim(settings_48k(3, true));
  std::vector<Real> none;
  std::vector<double> no_gain;
  lim.process(none, none);
  lim.process(none, none, no_gain);
  lim.process_realtime_chunk(none, none);
  EXPECT_EQ(lim.max_gain_reduction_db(), 0.0);
}

// ---- SIMD levels --------------------------------------------------------------------------

TYPED_TEST(Limiter, EverySimdLevelGivesTheSameBits) {
  using Real = TypeParam;
  namespace d = auralis::dynamics::detail;
  const auto base = d::limiter_kernels<Real>(auralis::kernel::SimdLevel::baseline);
  for (auralis::kernel::SimdLevel level : auralis::kernel::kSimdLevels) {
    if (!auralis::kernel::simd_level_supported(level)) continue;
    const auto k = d::limiter_kernels<Real>(level);
    for (std::size_t channels : {1u, 2u, 3u, 7u}) {
      for (std::size_t frames : {1u, 5u, 37u, 1024u}) {
        const std::size_t hist = 15;
        const std::vector<Real> x =
            as<Real>(make_signal(Signal::noise, frames + hist, channels, frames));
        const Real* xn = x.data() + hist * channels;
        std::vector<double> t1(frames), t2(frames);
        base.sample_targets(xn, frames, channels, 0.7, t1.data());
        k.sample_targets(xn, frames, channels, 0.7, t2.data());
        EXPECT_TRUE(same_bits(t1, t2));
        std::vector<Real> s1(frames * channels), s2(frames * channels), q1(frames), q2(frames);
        base.interval_peaks(xn, frames, channels, Real(0), s1.data(), q1.data());
        k.interval_peaks(xn, frames, channels, Real(0), s2.data(), q2.data());
        EXPECT_TRUE(same_bits(q1, q2)) << auralis::kernel::simd_level_name(level);
        base.interval_peaks(xn, frames, channels, Real(1.5), s1.data(), q1.data());
        k.interval_peaks(xn, frames, channels, Real(1.5), s2.data(), q2.data());
        EXPECT_TRUE(same_bits(q1, q2)) << auralis::kernel::simd_level_name(level) << " quiet";
        std::vector<double> g(frames);
        for (std::size_t i = 0; i < frames; ++i)
          g[i] = 0.3 + 0.7 * static_cast<double>(i % 7) / 7.0;
        std::vector<Real> y1(frames * channels), y2(frames * channels);
        base.apply_gain(xn, g.data(), frames, channels, Real(0.8), y1.data());
        k.apply_gain(xn, g.data(), frames, channels, Real(0.8), y2.data());
        EXPECT_TRUE(same_bits(y1, y2));
      }
    }
  }
}

// ---- Plot data ----------------------------------------------------------------------------

// With AURALIS_LIMITER_PLOT_CSV set, writes the gain on a drum-like signal for
// scripts/plot_limiter_gain.py (docs/img/limiter_gain.svg); checks the ceiling either way.
TEST(LimiterPlot, DrumLikeSignal) {
  const double fs = 44100.0;
  const std::size_t n = static_cast<std::size_t>(1.0 * fs);
  std::vector<double> x(2 * n, 0.0);
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    double v = 0.25 * std::sin(2.0 * kPi * 110.0 * t) * (0.6 + 0.4 * std::sin(2.0 * kPi * 2.0 * t));
    // Kick every 0.25 s: a falling sine sweep, 1.6 at its peak.
    const double tk = std::fmod(t, 0.25);
    v += 1.6 * std::exp(-tk / 0.045) *
         std::sin(2.0 * kPi * (50.0 * tk + 60.0 * 0.03 * (1.0 - std::exp(-tk / 0.03))));
    // Snare on the off-beats: a noise burst.
    const double ts = std::fmod(t + 0.125, 0.25);
    v += 0.9 * std::exp(-ts / 0.03) * u(rng);
    x[2 * i] = v;
    x[2 * i + 1] = 0.95 * v;
  }
  LimiterSettings s;
  s.sample_rate = fs;
  const auralis::dynamics::BrickWallLimiter lim(s);
  std::vector<double> y(x.size()), g(n);
  lim.process(x, y, g);
  EXPECT_LE(true_peak_meter(y, 2, fs), ceiling_of(s.ceiling_db) * std::pow(10.0, 0.1 / 20.0));
  if (const char* path = std::getenv("AURALIS_LIMITER_PLOT_CSV")) {
    std::ofstream csv(path);
    csv << "time_s,input,output,gain_db\n";
    for (std::size_t i = 0; i < n; ++i) {
      csv << static_cast<double>(i) / fs << ',' << x[2 * i] << ',' << y[2 * i] << ','
          << 20.0 * std::log10(g[i]) << '\n';
    }
  }
}

}  // namespace
