// SPDX-License-Identifier: GPL-3.0-or-later
// EnvelopeFollower, Compressor and SoftClipper (issue 13), float and double. Independent truth
// only: closed forms (follower step response 1 - a^(n+1), the first attack frames of the
// compressor), the static curve and the clipper curves written out again here in long double,
// steady states on square waves, the offline output delayed as the truth of the streaming path
// (bit for bit), counted allocations and locks, and every bad input.
//
// Locks are counted by interposing the pthread lock functions in this executable, as
// tests/realtime_test.cpp does (and that the counter works is itself tested).
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "auralis/dynamics/compressor.hpp"
#include "auralis/dynamics/compressor_kernel.hpp"
#include "auralis/dynamics/envelope_follower.hpp"
#include "auralis/dynamics/soft_clipper.hpp"
#include "auralis/kernel/simd.hpp"
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

namespace dyn = auralis::dynamics;
using LD = long double;

template <class T>
class Dynamics : public ::testing::Test {};
using Reals = ::testing::Types<float, double>;
TYPED_TEST_SUITE(Dynamics, Reals);

// Interleaved noise with a slow envelope and silent gaps: levels from silence to about 0 dBFS.
template <class T>
std::vector<T> Noise(std::size_t frames, std::size_t channels, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> w(0.0, 1.0);
  std::vector<T> x(frames * channels);
  for (std::size_t n = 0; n < frames; ++n) {
    const double env = 0.4 * (1.0 + std::sin(static_cast<double>(n) * 2e-4 * (1.0 + seed % 3)));
    const bool gap = (n / 3000) % 7 == 3;
    for (std::size_t c = 0; c < channels; ++c) {
      x[n * channels + c] =
          gap ? T(0) : static_cast<T>(env * (0.3 + 0.2 * static_cast<double>(c)) * w(rng));
    }
  }
  return x;
}

// Random block lengths in [1, max_block] covering `frames`.
std::vector<std::size_t> Splits(std::size_t frames, std::size_t max_block, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> len(1, max_block);
  std::vector<std::size_t> out;
  for (std::size_t done = 0; done < frames;) {
    const std::size_t n = std::min(len(rng), frames - done);
    out.push_back(n);
    done += n;
  }
  return out;
}

// Streams `x` through `proc` in the given block lengths; returns the concatenated output.
template <class T, class Proc>
std::vector<T> Stream(Proc& proc, const std::vector<T>& x, std::size_t channels,
                      const std::vector<std::size_t>& splits) {
  std::vector<T> y(x.size());
  std::size_t at = 0;
  for (std::size_t n : splits) {
    proc.process_realtime_chunk(std::span<const T>(x.data() + at * channels, n * channels),
                                std::span<T>(y.data() + at * channels, n * channels));
    at += n;
  }
  return y;
}

// Stream output m must equal offline output m - latency (zeros before), bit for bit.
template <class T>
void ExpectDelayedBitIdentical(const std::vector<T>& offline, const std::vector<T>& stream,
                               std::size_t channels, std::size_t latency) {
  ASSERT_EQ(offline.size(), stream.size());
  const std::size_t frames = offline.size() / channels;
  std::size_t mismatches = 0;
  for (std::size_t m = 0; m < frames; ++m) {
    for (std::size_t c = 0; c < channels; ++c) {
      const T want = m < latency ? T(0) : offline[(m - latency) * channels + c];
      const T got = stream[m * channels + c];
      if (std::memcmp(&want, &got, sizeof(T)) != 0 && ++mismatches <= 5) {
        ADD_FAILURE() << "frame " << m << " channel " << c << ": stream " << got << ", offline "
                      << want;
      }
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

// ---------------------------------------------------------------------------------------------
// The static curve, written out independently: the output level y_G of Giannoulis et al.
// (eq. 4) minus the input level, in long double.
LD CurveTruth(LD level, LD threshold, LD ratio, LD knee) {
  const LD over = level - threshold;
  LD out_level;
  if (2 * over < -knee || (knee == 0 && over <= 0)) {
    out_level = level;
  } else if (2 * std::fabs(over) <= knee && knee > 0) {
    const LD u = over + knee / 2;
    out_level = level + (1 / ratio - 1) * u * u / (2 * knee);
  } else {
    out_level = threshold + over / ratio;
  }
  return out_level - level;
}

LD Db(LD x) { return 20 * std::log10(x); }

// |got - want| <= tol, in long double (gtest's NEAR macros take doubles).
::testing::AssertionResult NearLd(LD got, LD want, LD tol) {
  if (std::fabs(got - want) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "got " << static_cast<double>(got) << ", want " << static_cast<double>(want)
         << ", difference " << static_cast<double>(got - want) << " > " << static_cast<double>(tol);
}
#define ASSERT_NEAR_LD(got, want, tol) ASSERT_TRUE(NearLd((got), (want), (tol)))
#define EXPECT_NEAR_LD(got, want, tol) EXPECT_TRUE(NearLd((got), (want), (tol)))

// ---------------------------------------------------------------------------------------------
// Envelope follower.

TYPED_TEST(Dynamics, FollowerStepResponseIsClosedForm) {
  using T = TypeParam;
  const double tol = std::is_same_v<T, float> ? 2e-7 : 2e-12;
  for (dyn::Detector det : {dyn::Detector::peak, dyn::Detector::rms}) {
    dyn::EnvelopeFollowerSettings s;
    s.sample_rate = 48000.0;
    s.channels = 2;
    s.attack_ms = 5.0;
    s.release_ms = 50.0;
    s.detector = det;
    const dyn::BasicEnvelopeFollower<T> f(s);
    const LD a = std::exp(-1.0L / (5e-3L * 48000.0L));
    const LD r = std::exp(-1.0L / (50e-3L * 48000.0L));
    EXPECT_NEAR_LD(f.attack_coefficient(), static_cast<double>(a), 1e-15);
    EXPECT_NEAR_LD(f.release_coefficient(), static_cast<double>(r), 1e-15);
    // Channel 0: a unit step of 3000 frames, then silence; channel 1: amplitude 0.5 (negative).
    const std::size_t on = 3000;
    const std::size_t frames = 6000;
    std::vector<T> x(frames * 2, T(0));
    for (std::size_t n = 0; n < on; ++n) {
      x[2 * n] = T(1);
      x[2 * n + 1] = T(-0.5);
    }
    std::vector<T> y(x.size());
    f.process(x, y);
    for (std::size_t n = 0; n < frames; ++n) {
      for (std::size_t c = 0; c < 2; ++c) {
        const LD amp = c == 0 ? 1.0L : 0.5L;
        const LD d = det == dyn::Detector::peak ? amp : amp * amp;
        // Attack: e_n = d (1 - a^(n+1)); release from e_on-1: e = e_{on-1} r^(n - on + 1).
        LD e = d * (1 - std::pow(a, static_cast<LD>(std::min(n, on - 1) + 1)));
        if (n >= on) e *= std::pow(r, static_cast<LD>(n - on + 1));
        const LD want = det == dyn::Detector::peak ? e : std::sqrt(e);
        ASSERT_NEAR_LD(static_cast<LD>(y[2 * n + c]), want, tol * std::max<LD>(want, 1e-3L))
            << "frame " << n << " channel " << c << " detector " << dyn::to_string(det);
      }
    }
  }
}

TYPED_TEST(Dynamics, FollowerStreamingIsBitIdenticalToOffline) {
  using T = TypeParam;
  for (std::size_t channels : {1u, 2u, 5u}) {
    for (dyn::Detector det : {dyn::Detector::peak, dyn::Detector::rms}) {
      dyn::EnvelopeFollowerSettings s;
      s.channels = channels;
      s.detector = det;
      s.attack_ms = 1.0;
      s.release_ms = 30.0;
      const std::vector<T> x = Noise<T>(40000, channels, 7u + static_cast<unsigned>(channels));
      const dyn::BasicEnvelopeFollower<T> off(s);
      std::vector<T> y(x.size());
      off.process(x, y);
      dyn::BasicEnvelopeFollower<T> live(s);
      ExpectDelayedBitIdentical(y, Stream(live, x, channels, Splits(40000, 8192, 3)), channels,
                                live.latency());
      // The state after the stream is the last output.
      const T last = y[y.size() - 1];
      EXPECT_EQ(static_cast<T>(live.envelope(channels - 1)), last);
      live.reset();
      ExpectDelayedBitIdentical(y, Stream(live, x, channels, Splits(40000, 700, 4)), channels, 0);
      // In place gives the same bits.
      std::vector<T> z = x;
      off.process(z, z);
      EXPECT_EQ(0, std::memcmp(z.data(), y.data(), y.size() * sizeof(T)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Compressor: the static curve.

TEST(CompressorCurve, MatchesTheFormulaAtAThousandLevels) {
  struct Case {
    double threshold, ratio, knee;
  };
  const Case cases[] = {{-18, 4, 2},  {-18, 4, 0},        {-30, 2, 10},    {0, 1, 6},
                        {-6, 20, 12}, {-24, INFINITY, 4}, {-40, 1.5, 100}, {12, 8, 0.5}};
  for (const Case& k : cases) {
    dyn::CompressorSettings s;
    s.threshold_db = k.threshold;
    s.ratio = k.ratio;
    s.knee_db = k.knee;
    const LD ratio = std::isinf(k.ratio) ? std::numeric_limits<LD>::infinity() : k.ratio;
    for (int i = 0; i < 1000; ++i) {
      const double level = -80.0 + 100.0 * i / 999.0;
      const LD want = CurveTruth(level, k.threshold, ratio, k.knee);
      ASSERT_NEAR_LD(dyn::static_gain_db(s, level), static_cast<double>(want), 1e-12)
          << "T " << k.threshold << " R " << k.ratio << " K " << k.knee << " L " << level;
    }
    // The knee's edges and the threshold exactly.
    for (double level : {k.threshold - k.knee / 2, k.threshold, k.threshold + k.knee / 2}) {
      EXPECT_NEAR_LD(dyn::static_gain_db(s, level),
                     static_cast<double>(CurveTruth(level, k.threshold, ratio, k.knee)), 1e-12);
    }
    EXPECT_EQ(dyn::static_gain_db(s, -INFINITY), 0.0);
  }
}

// ---------------------------------------------------------------------------------------------
// Compressor: steady state on square waves (constant |x|) equals the static curve.

// Gain in dB of frame n on channel c: 20 log10(|y / x|).
template <class T>
LD GainDb(const std::vector<T>& x, const std::vector<T>& y, std::size_t i) {
  return Db(std::fabs(static_cast<LD>(y[i]) / static_cast<LD>(x[i])));
}

TYPED_TEST(Dynamics, CompressorSteadyStateIsTheStaticCurve) {
  using T = TypeParam;
  for (dyn::Detector det : {dyn::Detector::peak, dyn::Detector::rms}) {
    for (bool link : {true, false}) {
      dyn::CompressorSettings s;
      s.sample_rate = 48000.0;
      s.channels = 2;
      s.detector = det;
      s.stereo_link = link;
      s.makeup_db = 2.5;
      const dyn::BasicCompressor<T> comp(s);
      const std::size_t frames = 24000;
      for (int level_db = -30; level_db <= 0; ++level_db) {
        // Channel 0 at level_db, channel 1 6 dB lower; square waves of period 96 frames.
        const T a0 = static_cast<T>(std::pow(10.0, level_db / 20.0));
        const T a1 = static_cast<T>(std::pow(10.0, (level_db - 6) / 20.0));
        std::vector<T> x(frames * 2);
        for (std::size_t n = 0; n < frames; ++n) {
          const T sign = (n / 48) % 2 == 0 ? T(1) : T(-1);
          x[2 * n] = sign * a0;
          x[2 * n + 1] = sign * a1;
        }
        std::vector<T> y(x.size());
        comp.process(x, y);
        const LD l0 = Db(static_cast<LD>(a0));
        const LD l1 = Db(static_cast<LD>(a1));
        const LD g0 = CurveTruth(l0, s.threshold_db, s.ratio, s.knee_db) + s.makeup_db;
        const LD g1 = link ? g0 : CurveTruth(l1, s.threshold_db, s.ratio, s.knee_db) + s.makeup_db;
        // After 0.4 s (40 attack and 4 release time constants of 10/100 ms... the release only
        // matters on the way down: the level is constant here).
        for (std::size_t n = 19200; n < frames - 400; n += 97) {
          ASSERT_NEAR_LD(GainDb(x, y, 2 * n), g0, 1e-3)
              << "level " << level_db << " link " << link << " " << dyn::to_string(det);
          ASSERT_NEAR_LD(GainDb(x, y, 2 * n + 1), g1, 1e-3)
              << "level " << level_db << " link " << link << " " << dyn::to_string(det);
        }
      }
    }
  }
}

TYPED_TEST(Dynamics, CompressorMeterReadsTheSteadyReduction) {
  using T = TypeParam;
  dyn::CompressorSettings s;
  s.channels = 2;
  s.stereo_link = false;
  dyn::BasicCompressor<T> comp(s);
  std::vector<T> x(2 * 44100);
  for (std::size_t n = 0; n < 44100; ++n) {
    x[2 * n] = n % 2 ? T(0.5) : T(-0.5);        // -6.02 dBFS
    x[2 * n + 1] = n % 2 ? T(0.05) : T(-0.05);  // -26 dBFS: below the knee
  }
  std::vector<T> y(x.size());
  comp.process_realtime_chunk(x, y);
  const LD l0 = Db(static_cast<LD>(T(0.5)));
  EXPECT_NEAR_LD(comp.gain_reduction_db(0), -static_cast<double>(CurveTruth(l0, -18, 4, 2)), 1e-3);
  EXPECT_EQ(comp.gain_reduction_db(1), 0.0);
  EXPECT_THROW((void)comp.gain_reduction_db(2), auralis::InvalidArgument);
  comp.reset();
  EXPECT_EQ(comp.gain_reduction_db(0), 0.0);
}

// ---------------------------------------------------------------------------------------------
// Compressor: look-ahead. A quiet square wave (-40 dBFS, no reduction) jumps to 0 dBFS at frame
// n0. With a look-ahead of D frames the gain of output frame n is the one computed from input
// frame n + D: unity up to n0 - D - 1, then the attack's closed form from n0 - D on:
// y = (1 - a_A^(j+1)) g_s at output frame n0 - D + j (y1 jumps to g_s at once).

TYPED_TEST(Dynamics, CompressorLookAheadReducesBeforeTheOnset) {
  using T = TypeParam;
  const double tol = std::is_same_v<T, float> ? 2e-5 : 1e-9;
  for (double lookahead_ms : {0.0, 1.0, 5.0, 20.0}) {
    dyn::CompressorSettings s;
    s.sample_rate = 48000.0;
    s.channels = 1;
    s.lookahead_ms = lookahead_ms;
    const dyn::BasicCompressor<T> comp(s);
    const std::size_t d = static_cast<std::size_t>(std::floor(lookahead_ms * 48.0));
    ASSERT_EQ(comp.latency(), d);
    ASSERT_EQ(dyn::lookahead_frames(s), d);
    const std::size_t n0 = 5000;
    const std::size_t frames = 8000;
    std::vector<T> x(frames);
    for (std::size_t n = 0; n < frames; ++n) {
      x[n] = static_cast<T>((n % 2 ? 1.0 : -1.0) * (n < n0 ? 0.01 : 1.0));
    }
    std::vector<T> y(frames);
    comp.process(x, y);
    const LD a = std::exp(-1.0L / (10e-3L * 48000.0L));
    const LD gs = CurveTruth(0.0L, -18, 4, 2);  // -13.5 dB
    for (std::size_t n = 0; n + d < n0; ++n) ASSERT_EQ(y[n], x[n]) << "frame " << n;
    for (std::size_t j = 0; j < 300; ++j) {
      const std::size_t n = n0 - d + j;
      const LD want = (1 - std::pow(a, static_cast<LD>(j + 1))) * gs;
      ASSERT_NEAR_LD(GainDb(x, y, n), want, tol) << "lookahead " << lookahead_ms << " j " << j;
    }
    if (d > 0) {
      EXPECT_LT(GainDb(x, y, n0 - 1), -0.01L);  // reduced before the onset arrives
    }
  }
}

TYPED_TEST(Dynamics, CompressorPastTheEndCountsAsZeros) {
  using T = TypeParam;
  // A loud signal that ends: with the look-ahead, the last frames see the silence coming and
  // the stream, flushed with zeros, reproduces the offline output up to the end.
  dyn::CompressorSettings s;
  s.channels = 2;
  s.lookahead_ms = 10.0;
  const std::vector<T> x = Noise<T>(3000, 2, 11);
  const dyn::BasicCompressor<T> off(s);
  std::vector<T> y(x.size());
  off.process(x, y);
  dyn::BasicCompressor<T> live(s);
  const std::size_t d = live.latency();
  std::vector<T> padded = x;
  padded.resize(x.size() + 2 * d, T(0));
  std::vector<T> z(padded.size());
  live.process_realtime_chunk(padded, z);
  EXPECT_EQ(0, std::memcmp(z.data() + 2 * d, y.data(), y.size() * sizeof(T)));
  // Short inputs (shorter than the look-ahead, and empty).
  for (std::size_t frames : {0u, 1u, 100u, 440u, 441u, 442u}) {
    std::vector<T> xs(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(2 * frames));
    std::vector<T> ys(xs.size());
    off.process(xs, ys);
    live.reset();
    std::vector<T> ps = xs;
    ps.resize(xs.size() + 2 * d, T(0));
    std::vector<T> zs(ps.size());
    live.process_realtime_chunk(ps, zs);
    EXPECT_TRUE(ys.empty() || std::memcmp(zs.data() + 2 * d, ys.data(), ys.size() * sizeof(T)) == 0)
        << frames << " frames";
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming: random block splits give the offline output delayed by latency(), bit for bit.

TYPED_TEST(Dynamics, CompressorStreamingIsBitIdenticalToOfflineDelayed) {
  using T = TypeParam;
  struct Case {
    std::size_t channels;
    bool link;
    dyn::Detector det;
    double lookahead_ms;
    std::size_t max_block;
  };
  const Case cases[] = {
      {2, true, dyn::Detector::peak, 5.0, 8192},  {2, true, dyn::Detector::peak, 5.0, 64},
      {2, false, dyn::Detector::peak, 5.0, 8192}, {1, true, dyn::Detector::rms, 0.0, 8192},
      {3, true, dyn::Detector::rms, 2.0, 8192},   {3, false, dyn::Detector::rms, 50.0, 300},
      {6, true, dyn::Detector::peak, 0.02, 5},
  };
  unsigned seed = 1;
  for (const Case& k : cases) {
    dyn::CompressorSettings s;
    s.channels = k.channels;
    s.stereo_link = k.link;
    s.detector = k.det;
    s.lookahead_ms = k.lookahead_ms;
    s.attack_ms = 3.0;
    s.release_ms = 60.0;
    s.threshold_db = -24.0;
    s.makeup_db = k.link ? 4.0 : 0.0;  // the saturating and the plain products
    const std::size_t frames = 3 * 44100;
    const std::vector<T> x = Noise<T>(frames, k.channels, ++seed);
    const dyn::BasicCompressor<T> off(s);
    std::vector<T> y(x.size());
    off.process(x, y);
    for (unsigned split = 0; split < 3; ++split) {
      dyn::BasicCompressor<T> live(s);
      SCOPED_TRACE(testing::Message() << "channels " << k.channels << " link " << k.link
                                      << " lookahead " << k.lookahead_ms << " split " << split);
      ExpectDelayedBitIdentical(y, Stream(live, x, k.channels, Splits(frames, k.max_block, split)),
                                k.channels, live.latency());
    }
    // reset() brings a used streaming object back to a fresh one.
    dyn::BasicCompressor<T> live(s);
    (void)Stream(live, x, k.channels, Splits(frames, 4000, 9));
    live.reset();
    ExpectDelayedBitIdentical(y, Stream(live, x, k.channels, Splits(frames, 1000, 10)), k.channels,
                              live.latency());
  }
}

// Every SIMD level the CPU supports computes the same bits.
TEST(CompressorKernels, EverySimdLevelGivesTheSameBits) {
  dyn::CompressorSettings s;
  s.knee_db = 6.0;
  dyn::detail::LevelToGain p;
  p.curve = dyn::detail::make_static_curve(s);
  p.lo = 1e-20;
  p.hi = 1e150;
  p.db_per_neper = 20.0 / std::log(10.0);
  std::vector<double> level(1003);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-30.0, 1.0);
  for (double& v : level) v = std::pow(10.0, u(rng));
  level[0] = 0.0;
  level[1] = 1e200;
  std::vector<double> ref_g, ref_e;
  for (auralis::kernel::SimdLevel lv : auralis::kernel::kSimdLevels) {
    if (!auralis::kernel::simd_level_supported(lv)) continue;
    std::vector<double> g(level.size());
    dyn::detail::level_to_gain_kernel(lv)(p, level.data(), g.data(), g.size());
    std::vector<double> e(level.size());
    dyn::detail::db_to_gain_kernel(lv)(g.data(), 1.5, e.data(), e.size());
    if (ref_g.empty()) {
      ref_g = g;
      ref_e = e;
      // The baseline against long double: the level in dB within 1e-12 dB, the gain within
      // 1e-14 relative.
      for (std::size_t i = 0; i < level.size(); ++i) {
        const LD l = Db(std::clamp<LD>(level[i], 1e-20L, 1e150L));
        ASSERT_NEAR_LD(g[i], static_cast<double>(CurveTruth(l, -18, 4, 6)), 1e-12) << i;
        const LD want = std::pow(10.0L, (static_cast<LD>(g[i]) + 1.5L) / 20);
        ASSERT_NEAR_LD(e[i] / static_cast<double>(want), 1.0, 1e-14) << i;
      }
    } else {
      EXPECT_EQ(0, std::memcmp(g.data(), ref_g.data(), g.size() * sizeof(double)))
          << auralis::kernel::simd_level_name(lv);
      EXPECT_EQ(0, std::memcmp(e.data(), ref_e.data(), e.size() * sizeof(double)))
          << auralis::kernel::simd_level_name(lv);
    }
  }
  // The natural log and exp over wide ranges.
  for (double x = 1e-40; x < 1e300; x *= 1.37) {
    ASSERT_NEAR_LD(dyn::detail::compressor_ln(x), static_cast<double>(std::log(static_cast<LD>(x))),
                   4e-16 * std::max(1.0, std::fabs(std::log(x))));
  }
  for (double y = -700; y < 700; y += 0.731) {
    ASSERT_NEAR_LD(
        dyn::detail::compressor_exp(y) / static_cast<double>(std::exp(static_cast<LD>(y))), 1.0,
        4e-16);
  }
}

// Huge but finite samples give finite output: the products saturate at Real's largest value
// and the mean squares at the largest double (no inf - inf = NaN in the recursions).
TYPED_TEST(Dynamics, ExtremeSamplesStayFinite) {
  using T = TypeParam;
  const T big = std::numeric_limits<T>::max();
  std::vector<T> x(2 * 2000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = (i / 2) % 3 == 0 ? big : ((i / 2) % 3 == 1 ? -big : T(1e-30));
  }
  std::vector<T> y(x.size());
  for (dyn::Detector det : {dyn::Detector::peak, dyn::Detector::rms}) {
    for (double makeup : {100.0, 0.0, -3.0}) {
      const bool link = makeup != 0.0;
      dyn::CompressorSettings s;
      s.detector = det;
      s.stereo_link = link;
      s.threshold_db = 50.0;
      s.ratio = 1.0;
      s.makeup_db = makeup;  // 100 dB: x 1e5, beyond the largest finite value
      const dyn::BasicCompressor<T> comp(s);
      comp.process(x, y);
      for (std::size_t i = 0; i < y.size(); ++i) {
        ASSERT_TRUE(std::isfinite(y[i])) << i;
        if (makeup >= 0.0) {  // saturated (100 dB) or unity gain (0 dB)
          const T want = x[i] == big ? big : (x[i] == -big ? -big : y[i]);
          ASSERT_EQ(y[i], want) << i;
        }
      }
    }
    dyn::EnvelopeFollowerSettings fs;
    fs.detector = det;
    const dyn::BasicEnvelopeFollower<T> f(fs);
    f.process(x, y);
    for (std::size_t i = 0; i < y.size(); ++i) ASSERT_TRUE(std::isfinite(y[i])) << i;
  }
}

// ---------------------------------------------------------------------------------------------
// Soft clipper.

TYPED_TEST(Dynamics, SoftClipperCurvesMatchTheirFormulas) {
  using T = TypeParam;
  const LD rel = std::is_same_v<T, float> ? 6e-8L : 1e-15L;  // libm tanh: a few ulp
  std::vector<T> x(4002);  // whole stereo frames (the default clipper is stereo)
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<T>(-4.0 + 0.002 * static_cast<double>(i));
  {
    const dyn::BasicSoftClipper<T> clip;  // the reference: 0.99 tanh(x / 0.9)
    std::vector<T> y(x.size());
    clip.process(x, y);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const LD want = 0.99L * std::tanh(static_cast<LD>(x[i]) / 0.9L);
      ASSERT_NEAR_LD(y[i], want, rel * std::fabs(want) + 1e-300L) << x[i];
      ASSERT_LT(std::fabs(y[i]), T(0.99) + T(1e-7));
    }
  }
  for (double t : {0.5, 0.9}) {
    dyn::SoftClipperSettings s;
    s.curve = dyn::SoftClipCurve::unity_knee;
    s.threshold = t;
    s.ceiling = 1.0;
    s.channels = 1;
    const dyn::BasicSoftClipper<T> clip(s);
    std::vector<T> y(x.size());
    clip.process(x, y);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const LD v = x[i];
      const LD w = 1.0L - t;
      LD want = v;
      if (v > t) want = t + w * std::tanh((v - t) / w);
      if (v < -t) want = -(t + w * std::tanh((-v - t) / w));
      ASSERT_NEAR_LD(y[i], want, rel * std::fabs(want) + 1e-300L) << x[i];
      if (std::fabs(v) <= t) {
        ASSERT_EQ(y[i], x[i]);  // unity gain below the knee, exactly
      }
      ASSERT_LE(std::fabs(y[i]), T(1));
    }
    // C1 at the knee: one-sided slopes both 1 (finite differences of the double curve).
    const double h = 1e-6;
    const double above = (dyn::soft_clip(s, t + h) - dyn::soft_clip(s, t)) / h;
    EXPECT_NEAR_LD(above, 1.0, 1e-5);
    EXPECT_NEAR_LD((dyn::soft_clip(s, t) - dyn::soft_clip(s, t - h)) / h, 1.0, 1e-9);
  }
  // Streaming is the same function.
  dyn::BasicSoftClipper<T> live(dyn::SoftClipperSettings{1, dyn::SoftClipCurve::tanh, 0.9, 0.99});
  std::vector<T> a(x.size()), b(x.size());
  live.process(x, a);
  b = x;
  live.process_realtime_chunk(b, b);  // in place
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(T)));
}

// ---------------------------------------------------------------------------------------------
// Real time: 0 allocations and 0 locks per call.

TEST(DynamicsRealTime, CountersWork) {
  std::mutex m;
  const long long l0 = g_locks.load();
  { std::lock_guard lock(m); }
  EXPECT_GE(g_locks.load() - l0, 1);
}

const void* volatile g_escape = nullptr;

TYPED_TEST(Dynamics, RealTimeCallsNeitherAllocateNorLock) {
  using T = TypeParam;
  const long long a_probe = auralis::testing::allocation_count();
  std::vector<T> probe(10);
  g_escape = probe.data();
  ASSERT_EQ(auralis::testing::allocation_count() - a_probe, 1);

  dyn::CompressorSettings cs;
  cs.channels = 2;
  dyn::BasicCompressor<T> linked(cs);
  cs.stereo_link = false;
  cs.detector = dyn::Detector::rms;
  dyn::BasicCompressor<T> unlinked(cs);
  dyn::BasicEnvelopeFollower<T> follower(dyn::EnvelopeFollowerSettings{});
  dyn::BasicSoftClipper<T> clipper(dyn::SoftClipperSettings{});
  const std::vector<T> x = Noise<T>(8192, 2, 3);
  std::vector<T> y(x.size());
  const auto splits = Splits(8192 * 10, 1024, 12);
  const long long a0 = auralis::testing::allocation_count();
  const long long l0 = g_locks.load();
  std::size_t calls = 0;
  for (std::size_t n : splits) {
    const std::size_t at = (calls * 37) % (8192 - n + 1);
    const std::span<const T> in(x.data() + 2 * at, 2 * n);
    const std::span<T> out(y.data(), 2 * n);
    linked.process_realtime_chunk(in, out);
    unlinked.process_realtime_chunk(in, out);
    follower.process_realtime_chunk(in, out);
    clipper.process_realtime_chunk(in, out);
    (void)linked.gain_reduction_db(1);
    (void)follower.envelope(0);
    ++calls;
  }
  linked.reset();
  follower.reset();
  EXPECT_GT(calls, 100u);
  EXPECT_EQ(auralis::testing::allocation_count() - a0, 0);
  EXPECT_EQ(g_locks.load() - l0, 0);
}

// ---------------------------------------------------------------------------------------------
// Bad input.

template <class E, class Fn>
void ExpectError(Fn&& fn, const std::string& field) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected one naming " << field;
  } catch (const E& e) {
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

TEST(DynamicsSettings, EveryCompressorFieldOutOfRange) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  using S = dyn::CompressorSettings;
  const std::vector<std::pair<std::string, std::function<void(S&)>>> bad = {
      {"sample_rate", [](S& s) { s.sample_rate = 0; }},
      {"sample_rate", [](S& s) { s.sample_rate = -44100; }},
      {"sample_rate", [&](S& s) { s.sample_rate = nan; }},
      {"sample_rate", [](S& s) { s.sample_rate = 2e9; }},
      {"channels", [](S& s) { s.channels = 0; }},
      {"channels", [](S& s) { s.channels = 65; }},
      {"threshold_db", [](S& s) { s.threshold_db = -201; }},
      {"threshold_db", [](S& s) { s.threshold_db = 51; }},
      {"threshold_db", [&](S& s) { s.threshold_db = nan; }},
      {"threshold_db", [&](S& s) { s.threshold_db = -inf; }},
      {"ratio", [](S& s) { s.ratio = 0.99; }},
      {"ratio", [](S& s) { s.ratio = -4; }},
      {"ratio", [&](S& s) { s.ratio = nan; }},
      {"ratio", [&](S& s) { s.ratio = -inf; }},
      {"knee_db", [](S& s) { s.knee_db = -0.1; }},
      {"knee_db", [](S& s) { s.knee_db = 100.5; }},
      {"knee_db", [&](S& s) { s.knee_db = nan; }},
      {"attack_ms", [](S& s) { s.attack_ms = 0; }},
      {"attack_ms", [](S& s) { s.attack_ms = 60001; }},
      {"attack_ms", [&](S& s) { s.attack_ms = nan; }},
      {"release_ms", [](S& s) { s.release_ms = -1; }},
      {"release_ms", [&](S& s) { s.release_ms = inf; }},
      {"makeup_db", [](S& s) { s.makeup_db = 101; }},
      {"makeup_db", [](S& s) { s.makeup_db = -101; }},
      {"makeup_db", [&](S& s) { s.makeup_db = nan; }},
      {"lookahead_ms", [](S& s) { s.lookahead_ms = -0.5; }},
      {"lookahead_ms", [](S& s) { s.lookahead_ms = 1001; }},
      {"lookahead_ms", [&](S& s) { s.lookahead_ms = nan; }},
      {"lookahead_ms",
       [](S& s) {
         s.sample_rate = 1e9;
         s.channels = 64;
         s.lookahead_ms = 10;
       }},
      {"detector", [](S& s) { s.detector = static_cast<dyn::Detector>(7); }},
      {"rms_window_ms", [](S& s) { s.rms_window_ms = 0; }},
      {"rms_window_ms", [&](S& s) { s.rms_window_ms = nan; }},
  };
  for (const auto& [field, mutate] : bad) {
    S s;
    mutate(s);
    ExpectError<auralis::InvalidSettings>([&] { dyn::validate(s); }, field);
    ExpectError<auralis::InvalidSettings>([&] { dyn::Compressor c(s); }, field);
    ExpectError<auralis::InvalidSettings>([&] { dyn::CompressorF c(s); }, field);
  }
  // Accepted edges.
  S s;
  s.ratio = inf;
  s.knee_db = 0;
  s.lookahead_ms = 0;
  s.threshold_db = 50;
  EXPECT_NO_THROW(dyn::validate(s));
  s.ratio = 1;
  s.channels = 64;
  s.sample_rate = 1e9;
  s.lookahead_ms = 0.01;  // 10,000 frames x 64 channels < 2^24
  EXPECT_NO_THROW(dyn::validate(s));
}

TEST(DynamicsSettings, EveryFollowerAndClipperFieldOutOfRange) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  using F = dyn::EnvelopeFollowerSettings;
  const std::vector<std::pair<std::string, std::function<void(F&)>>> bad_f = {
      {"sample_rate", [](F& s) { s.sample_rate = 0; }},
      {"sample_rate", [&](F& s) { s.sample_rate = nan; }},
      {"channels", [](F& s) { s.channels = 0; }},
      {"channels", [](F& s) { s.channels = 100; }},
      {"attack_ms", [](F& s) { s.attack_ms = 0; }},
      {"attack_ms", [&](F& s) { s.attack_ms = nan; }},
      {"release_ms", [](F& s) { s.release_ms = 1e9; }},
      {"detector", [](F& s) { s.detector = static_cast<dyn::Detector>(-1); }},
  };
  for (const auto& [field, mutate] : bad_f) {
    F s;
    mutate(s);
    ExpectError<auralis::InvalidSettings>([&] { dyn::EnvelopeFollower f(s); }, field);
    ExpectError<auralis::InvalidSettings>([&] { dyn::EnvelopeFollowerF f(s); }, field);
  }
  using C = dyn::SoftClipperSettings;
  const std::vector<std::pair<std::string, std::function<void(C&)>>> bad_c = {
      {"channels", [](C& s) { s.channels = 0; }},
      {"channels", [](C& s) { s.channels = 65; }},
      {"curve", [](C& s) { s.curve = static_cast<dyn::SoftClipCurve>(9); }},
      {"threshold", [](C& s) { s.threshold = 0; }},
      {"threshold", [&](C& s) { s.threshold = nan; }},
      {"threshold", [](C& s) { s.threshold = 2e6; }},
      {"ceiling", [](C& s) { s.ceiling = -1; }},
      {"ceiling", [&](C& s) { s.ceiling = nan; }},
      {"ceiling",
       [](C& s) {
         s.curve = dyn::SoftClipCurve::unity_knee;
         s.threshold = 0.9;
         s.ceiling = 0.9;
       }},
  };
  for (const auto& [field, mutate] : bad_c) {
    C s;
    mutate(s);
    ExpectError<auralis::InvalidSettings>([&] { dyn::SoftClipper c(s); }, field);
    ExpectError<auralis::InvalidSettings>([&] { dyn::SoftClipperF c(s); }, field);
  }
}

// Bad audio and buffers: the typed error naming the field, `out` untouched, and the streaming
// state unchanged: the next good call gives what a fresh object gives.
template <class T, class Proc, class Settings>
void BadAudioLeavesEverythingUnchanged(const Settings& s, std::size_t channels,
                                       bool allows_in_place) {
  const std::vector<T> warm = Noise<T>(1000, channels, 21);
  const std::vector<T> next = Noise<T>(700, channels, 22);
  Proc used(s);
  Proc fresh(s);
  std::vector<T> sink(warm.size());
  used.process_realtime_chunk(warm, sink);
  fresh.process_realtime_chunk(warm, sink);

  const T sentinel = T(12345);
  auto attempt = [&](std::vector<T> in, std::size_t out_size, const std::string& field,
                     bool is_audio, bool is_chunk) {
    std::vector<T> out(out_size, sentinel);
    auto call = [&] {
      if (is_chunk) {
        used.process_realtime_chunk(in, out);
      } else {
        std::as_const(used).process(in, out);
      }
    };
    if (is_audio) {
      ExpectError<auralis::InvalidAudio>(call, field);
    } else {
      ExpectError<auralis::InvalidArgument>(call, field);
    }
    for (T v : out) ASSERT_EQ(v, sentinel) << "out was written";
  };
  for (bool chunk : {false, true}) {
    const std::string in_field = chunk ? "chunk" : "in";
    std::vector<T> nan_in = next;
    nan_in[next.size() / 2] = std::numeric_limits<T>::quiet_NaN();
    attempt(nan_in, next.size(), in_field, true, chunk);
    std::vector<T> inf_in = next;
    inf_in.back() = -std::numeric_limits<T>::infinity();
    attempt(inf_in, next.size(), in_field, true, chunk);
    if (channels > 1) {
      std::vector<T> partial(next.begin(), next.end() - 1);  // not a whole number of frames
      attempt(partial, partial.size(), in_field, true, chunk);
    }
    attempt(next, next.size() - channels, "out", false, chunk);  // wrong output size
    attempt(next, next.size() + 1, "out", false, chunk);
    // Overlapping output.
    {
      std::vector<T> buf(next.size() + channels);
      std::copy(next.begin(), next.end(), buf.begin());
      const std::vector<T> before = buf;
      const std::span<const T> in(buf.data(), next.size());
      const std::span<T> out(buf.data() + channels, next.size());
      auto call = [&] {
        if (chunk) {
          used.process_realtime_chunk(in, out);
        } else {
          std::as_const(used).process(in, out);
        }
      };
      ExpectError<auralis::InvalidArgument>(call, "out");
      EXPECT_EQ(buf, before);
      if (!allows_in_place) {
        const std::span<T> same(buf.data(), next.size());
        ExpectError<auralis::InvalidArgument>([&] { used.process_realtime_chunk(in, same); },
                                              "out");
      }
    }
  }
  std::vector<T> a(next.size()), b(next.size());
  used.process_realtime_chunk(next, a);
  fresh.process_realtime_chunk(next, b);
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(T)));
}

TYPED_TEST(Dynamics, BadAudioThrowsAndChangesNothing) {
  using T = TypeParam;
  for (std::size_t channels : {1u, 2u, 3u}) {
    dyn::CompressorSettings cs;
    cs.channels = channels;
    cs.detector = dyn::Detector::rms;
    BadAudioLeavesEverythingUnchanged<T, dyn::BasicCompressor<T>>(cs, channels, false);
    dyn::EnvelopeFollowerSettings fs;
    fs.channels = channels;
    BadAudioLeavesEverythingUnchanged<T, dyn::BasicEnvelopeFollower<T>>(fs, channels, true);
    dyn::SoftClipperSettings ss;
    ss.channels = channels;
    BadAudioLeavesEverythingUnchanged<T, dyn::BasicSoftClipper<T>>(ss, channels, true);
  }
}

TYPED_TEST(Dynamics, MetersRejectABadChannel) {
  using T = TypeParam;
  dyn::BasicEnvelopeFollower<T> f(dyn::EnvelopeFollowerSettings{});
  ExpectError<auralis::InvalidArgument>([&] { (void)f.envelope(2); }, "channel");
  dyn::BasicCompressor<T> c(dyn::CompressorSettings{});
  ExpectError<auralis::InvalidArgument>([&] { (void)c.gain_reduction_db(2); }, "channel");
}

}  // namespace
