// SPDX-License-Identifier: GPL-3.0-or-later
// PsychoacousticEQ against independent truth: the identity at 0 dB, sine amplitudes measured by
// projection, the gain rules evaluated by hand, the offline result for the real-time and the
// parallel paths (bit for bit), the input for the filter bank's sum, and a heap counter.
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"
#include "support/alloc_tracking.hpp"

namespace {

using auralis::EqSettings;
using auralis::InvalidArgument;
using auralis::InvalidAudio;
using auralis::InvalidSettings;
using auralis::eq::critical_band_count;

// Let oneTBB run up to 16 threads even on a 2-core machine, so every worker count below really
// runs that many threads.
const tbb::global_control allow_sixteen_threads(tbb::global_control::max_allowed_parallelism, 16);

constexpr double sr = 44100.0;
constexpr double pi = std::numbers::pi;

// Interleaved test signal: per channel two partials, a slow envelope and noise, in [-1, 1].
template <class T>
std::vector<T> music(std::size_t frames, std::size_t channels, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.05);
  std::vector<T> x(frames * channels);
  for (std::size_t n = 0; n < frames; ++n) {
    const double t = static_cast<double>(n) / sr;
    for (std::size_t c = 0; c < channels; ++c) {
      const double f = 180.0 + 70.0 * static_cast<double>(c);
      const double v =
          (0.6 + 0.3 * std::sin(2.0 * pi * 0.9 * t)) *
              (0.4 * std::sin(2.0 * pi * f * t) + 0.2 * std::sin(2.0 * pi * 13.3 * f * t)) +
          noise(rng);
      x[n * channels + c] = static_cast<T>(std::clamp(v, -1.0, 1.0));
    }
  }
  return x;
}

// Sum of sines (frequency Hz, amplitude) over `frames` mono samples.
std::vector<double> sines(std::size_t frames, std::initializer_list<std::pair<double, double>> s) {
  std::vector<double> x(frames, 0.0);
  for (std::size_t n = 0; n < frames; ++n) {
    for (const auto& [f, a] : s) x[n] += a * std::sin(2.0 * pi * f * static_cast<double>(n) / sr);
  }
  return x;
}

// Amplitude of the component at `f` Hz in y[start, start + count): Hann-weighted projection
// (sidelobes far below 1e-6 for partials a few hundred Hz apart over 1 s).
double amplitude(const std::vector<double>& y, double f, std::size_t start, std::size_t count) {
  std::complex<double> acc = 0.0;
  double wsum = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    const double w =
        0.5 - 0.5 * std::cos(2.0 * pi * static_cast<double>(i) / static_cast<double>(count));
    const double ph = 2.0 * pi * f * static_cast<double>(start + i) / sr;
    acc += w * y[start + i] * std::complex<double>(std::cos(ph), -std::sin(ph));
    wsum += w;
  }
  return 2.0 * std::abs(acc) / wsum;
}

std::vector<double> flat() { return std::vector<double>(critical_band_count, 0.0); }

std::vector<double> one_band(std::size_t band, double db) {
  std::vector<double> c = flat();
  c[band] = db;
  return c;
}

// A curve using every band, boosts and cuts.
std::vector<double> varied_curve() {
  std::vector<double> c(critical_band_count);
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = 5.0 * std::sin(0.9 * static_cast<double>(i));
  return c;
}

template <class T>
double max_abs_diff(const std::vector<T>& a, const std::vector<T>& b, std::size_t offset_b = 0) {
  double m = 0.0;
  for (std::size_t i = 0; i + offset_b < b.size() && i < a.size(); ++i) {
    m = std::max(m, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i + offset_b])));
  }
  return m;
}

// Feeds `x` through process_realtime_chunk in blocks of `sizes` (cycled), the input padded with
// zeros to whole blocks; returns the stream output.
template <class T>
std::vector<T> stream(auralis::BasicPsychoacousticEQ<T>& eq, const std::vector<T>& x,
                      std::span<const double> curve, const std::vector<std::size_t>& sizes) {
  const std::size_t ch = eq.settings().channels;
  std::vector<T> out;
  std::size_t pos = 0;
  std::size_t s = 0;
  while (pos < x.size() / ch) {
    const std::size_t block = sizes[s++ % sizes.size()];
    std::vector<T> in(block * ch, T(0));
    for (std::size_t i = 0; i < block * ch && pos * ch + i < x.size(); ++i) in[i] = x[pos * ch + i];
    std::vector<T> o(block * ch);
    eq.process_realtime_chunk(in, curve, o);
    out.insert(out.end(), o.begin(), o.end());
    pos += block;
  }
  return out;
}

template <class Fn>
void expect_field(Fn&& fn, const std::string& field) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected one naming " << field;
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

// ------------------------------------------------------------------------------------------
// Bands and gain rules
// ------------------------------------------------------------------------------------------

TEST(EqBands, CentresAndWeights) {
  EXPECT_EQ(auralis::eq::critical_band_edges.size(), 26u);
  EXPECT_DOUBLE_EQ(auralis::eq::critical_band_center(0), std::sqrt(20.0 * 100.0));
  EXPECT_DOUBLE_EQ(auralis::eq::critical_band_center(11), std::sqrt(1480.0 * 1720.0));
  const std::vector<double> w = auralis::eq::perceptual_weights();
  // Centres: 44.7 141 245 | 346 .. 997 | 1171 .. 3414 | 4035 .. 7020 | 8553 10677 13638 | 17607.
  const std::vector<double> expected{0.3, 0.6, 0.6, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8,
                                     1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8,
                                     0.8, 0.8, 0.8, 0.6, 0.6, 0.6, 0.3};
  EXPECT_EQ(w, expected);
}

TEST(EqBands, BinsOfEachBand) {
  const auralis::eq::EqFrameKernel<double> k(sr, 2048);
  const double bin = sr / 2048.0;
  for (std::size_t b = 0; b < critical_band_count; ++b) {
    ASSERT_LT(k.band_first(b), k.band_end(b)) << b;
    EXPECT_GE(static_cast<double>(k.band_first(b)) * bin, auralis::eq::critical_band_edges[b]);
    EXPECT_LT(static_cast<double>(k.band_first(b) - 1) * bin, auralis::eq::critical_band_edges[b]);
    EXPECT_LT(static_cast<double>(k.band_end(b) - 1) * bin,
              auralis::eq::critical_band_edges[b + 1]);
  }
  EXPECT_EQ(k.band_end(24), 929u);  // 20 kHz / 21.53 Hz = 928.9: bins 929..1024 pass unchanged
}

TEST(EqRules, MaskingHalvesBandsMoreThan20dBBelowThePeak) {
  std::vector<double> levels(critical_band_count, -100.0);
  levels[11] = -3.0;   // the peak: threshold -23 dB
  levels[12] = -22.9;  // above the threshold
  levels[13] = -23.1;  // below it
  levels[3] = -23.0;   // on it: not below
  const std::vector<double> target(critical_band_count, 4.0);
  const std::vector<double> w = auralis::eq::perceptual_weights();
  std::vector<double> g(critical_band_count);
  EXPECT_DOUBLE_EQ(auralis::eq::masking_threshold_db(levels), -23.0);
  auralis::eq::adaptive_target_gains(levels, target, w, g);
  EXPECT_EQ(g[11], 4.0);
  EXPECT_EQ(g[12], 4.0);
  EXPECT_EQ(g[13], 2.0);
  EXPECT_EQ(g[3], 4.0 * 0.8);
  EXPECT_EQ(g[0], 2.0 * 0.3);
  EXPECT_EQ(g[22], 2.0 * 0.6);
}

TEST(EqRules, WeightThenClipAtTwelveDb) {
  const std::vector<double> levels(critical_band_count, 0.0);  // nothing masked
  std::vector<double> target(critical_band_count, 0.0);
  target[11] = 30.0;   // weight 1 -> 30 -> clipped to 12
  target[13] = -13.0;  // -> -12
  target[0] = 30.0;    // weight 0.3 -> 9, inside the range
  target[5] = 15.0;    // weight 0.8 -> 12 exactly
  target[23] = 21.0;   // weight 0.6 -> 12.6 -> 12
  const std::vector<double> w = auralis::eq::perceptual_weights();
  std::vector<double> g(critical_band_count);
  auralis::eq::adaptive_target_gains(levels, target, w, g);
  EXPECT_EQ(g[11], 12.0);
  EXPECT_EQ(g[13], -12.0);
  EXPECT_DOUBLE_EQ(g[0], 9.0);
  EXPECT_DOUBLE_EQ(g[5], 12.0);
  EXPECT_EQ(g[23], 12.0);
  // Masked bands are halved before the weight and the clip: 30 -> 15 -> 12.
  std::vector<double> quiet(critical_band_count, 0.0);
  quiet[11] = -30.0;
  quiet[0] = -30.0;
  auralis::eq::adaptive_target_gains(quiet, target, w, g);
  EXPECT_EQ(g[11], 12.0);
  EXPECT_DOUBLE_EQ(g[0], 4.5);
  EXPECT_EQ(g[13], -12.0);
}

TEST(EqRules, SmootherMovesTwentyPercentPerFrame) {
  auralis::eq::GainSmoother s;
  std::vector<double> target(critical_band_count, 10.0);
  for (int t = 0; t < 40; ++t) {
    const double g = s.apply(target)[0];
    EXPECT_NEAR(g, 10.0 * (1.0 - std::pow(0.8, t + 1)), 1e-12) << t;
  }
  std::fill(target.begin(), target.end(), -5.0);
  const double before = s.gains()[7];
  EXPECT_DOUBLE_EQ(s.apply(target)[7], before + 0.2 * (-5.0 - before));
  s.reset();
  EXPECT_EQ(s.gains()[7], 0.0);
}

// ------------------------------------------------------------------------------------------
// Gains measured end to end
// ------------------------------------------------------------------------------------------

TEST(EqGains, SixDbOnOneBandRaisesItsSineOnly) {
  // 1600 Hz lies in band 11 (1480-1720 Hz, weight 1); 2150 Hz in band 13, two bands away.
  const std::vector<double> x = sines(3 * 44100, {{1600.0, 0.25}, {2150.0, 0.25}});
  const auralis::PsychoacousticEQ eq;
  const std::vector<double> curve = one_band(11, 6.0);
  const std::vector<double> y = eq.process(x, curve);
  ASSERT_EQ(y.size(), x.size());
  // After 1.5 s (64 frames) the smoothed gain is within 6 * 0.8^64 = 4e-6 dB of its target.
  const std::size_t start = 66150;
  const std::size_t count = 44100;
  const double in_band =
      20.0 * std::log10(amplitude(y, 1600.0, start, count) / amplitude(x, 1600.0, start, count));
  const double away =
      20.0 * std::log10(amplitude(y, 2150.0, start, count) / amplitude(x, 2150.0, start, count));
  EXPECT_NEAR(in_band, 6.0, 0.1);
  EXPECT_NEAR(away, 0.0, 0.5);
  // Both bands stay unmasked: band 11 reaches its full target, band 13 stays flat.
  const auralis::GainTrajectory g = eq.gain_trajectory(x, curve);
  EXPECT_NEAR(g.at(100, 11), 6.0, 1e-6);
  EXPECT_EQ(g.at(100, 13), 0.0);
}

TEST(EqGains, MaskedBandGetsHalfTheCorrection) {
  // Band 13's sine is 60 dB below band 11's: band 13 lies under the masking threshold.
  const std::vector<double> x = sines(3 * 44100, {{1600.0, 0.5}, {2150.0, 0.0005}});
  const auralis::PsychoacousticEQ eq;
  std::vector<double> curve = flat();
  curve[11] = 6.0;
  curve[13] = 6.0;
  const auralis::GainTrajectory g = eq.gain_trajectory(x, curve);
  ASSERT_EQ(g.frames, (x.size() - 1) / 1024 + 2);
  EXPECT_NEAR(g.at(120, 11), 6.0, 1e-9);
  EXPECT_NEAR(g.at(120, 13), 3.0, 1e-9);
  // And the output shows it: +3 dB on the quiet sine.
  const std::vector<double> y = eq.process(x, curve);
  const double quiet =
      20.0 * std::log10(amplitude(y, 2150.0, 66150, 44100) / amplitude(x, 2150.0, 66150, 44100));
  EXPECT_NEAR(quiet, 3.0, 0.1);
}

TEST(EqGains, ClippedToTwelveDbEndToEnd) {
  const std::vector<double> x = sines(3 * 44100, {{1600.0, 0.05}});
  const auralis::PsychoacousticEQ eq;
  const std::vector<double> up = eq.process(x, one_band(11, 40.0));
  const std::vector<double> down = eq.process(x, one_band(11, -40.0));
  const double a = amplitude(x, 1600.0, 66150, 44100);
  EXPECT_NEAR(20.0 * std::log10(amplitude(up, 1600.0, 66150, 44100) / a), 12.0, 0.1);
  EXPECT_NEAR(20.0 * std::log10(amplitude(down, 1600.0, 66150, 44100) / a), -12.0, 0.1);
}

TEST(EqGains, SmoothingTrajectoryFrameByFrame) {
  // A sine in band 11 from the first frame on: band 11 is the loudest band in every frame.
  const std::vector<double> x = sines(2 * 44100, {{1600.0, 0.3}});
  const auralis::PsychoacousticEQ eq;
  const auralis::GainTrajectory g = eq.gain_trajectory(x, one_band(11, 10.0));
  double expected = 0.0;
  for (std::size_t t = 0; t < g.frames; ++t) {
    expected = expected + 0.2 * (10.0 - expected);
    EXPECT_EQ(g.at(t, 11), expected) << t;
    EXPECT_NEAR(g.at(t, 11), 10.0 * (1.0 - std::pow(0.8, static_cast<double>(t + 1))), 1e-12);
  }
  // The output follows: after 1 frame the sine is raised by 2 dB, after 3 by about 4.9 dB.
  const std::vector<double> y = eq.process(x, one_band(11, 10.0));
  const double early = 20.0 * std::log10(amplitude(y, 1600.0, 1024 - 256, 512) /
                                         amplitude(x, 1600.0, 1024 - 256, 512));
  EXPECT_GT(early, 1.0);
  EXPECT_LT(early, 5.0);
}

// ------------------------------------------------------------------------------------------
// Reconstruction, latency, real-time
// ------------------------------------------------------------------------------------------

TEST(EqReconstruction, ZeroDbIsTheIdentityDouble) {
  for (std::size_t channels : {1u, 2u}) {
    EqSettings s;
    s.channels = channels;
    const auralis::PsychoacousticEQ eq(s);
    for (std::size_t len : {1u, 100u, 1024u, 1025u, 44100u + 123u}) {
      const std::vector<double> x = music<double>(len, channels, 3);
      const std::vector<double> y = eq.process(x, flat());
      ASSERT_EQ(y.size(), x.size());
      EXPECT_LT(max_abs_diff(y, x), 1e-12) << len;
    }
  }
  // Several offline blocks (256 frames each at N = 256).
  EqSettings small;
  small.fft_size = 256;
  const std::vector<double> x = music<double>(100000, 1, 3);
  EXPECT_LT(max_abs_diff(auralis::PsychoacousticEQ(small).process(x, flat()), x), 1e-12);
}

TEST(EqReconstruction, ZeroDbIsTheIdentityFloat) {
  EqSettings s;
  s.channels = 2;
  const auralis::PsychoacousticEQF eq(s);
  const std::vector<float> x = music<float>(30000, 2, 4);
  const std::vector<float> y = eq.process(x, flat());
  ASSERT_EQ(y.size(), x.size());
  EXPECT_LT(max_abs_diff(y, x), 2e-6);
}

TEST(EqReconstruction, RealtimeIsTheInputDelayedByTheLatency) {
  auralis::PsychoacousticEQ eq;
  EXPECT_EQ(eq.latency(), 2047u);
  const std::vector<double> x = music<double>(20000, 1, 5);
  const std::vector<double> y = stream(eq, x, flat(), {512});
  for (std::size_t m = 0; m < eq.latency(); ++m) ASSERT_EQ(y[m], 0.0) << m;
  EXPECT_LT(max_abs_diff(x, y, eq.latency()), 1e-12);
}

template <class T>
class EqTyped : public ::testing::Test {};
using SampleTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(EqTyped, SampleTypes);

TYPED_TEST(EqTyped, RealtimeEqualsOfflineBitForBit) {
  using T = TypeParam;
  // N = 256: the offline path runs several blocks of 256 frames (block boundaries included).
  for (std::size_t n : {256u, 1024u}) {
    EqSettings s;
    s.channels = 2;
    s.fft_size = n;
    const std::vector<T> x = music<T>(n == 256 ? 70000 : 44100 + 777, 2, 6);
    const std::vector<double> curve = varied_curve();
    const auralis::BasicPsychoacousticEQ<T> offline_eq(s);
    const std::vector<T> offline = offline_eq.process(x, curve);
    const std::vector<std::vector<std::size_t>> patterns{
        {64}, {100}, {511}, {512}, {1000}, {4096}, {8192}, {64, 8192, 333, 1024, 77, 5000}};
    auralis::BasicPsychoacousticEQ<T> eq(s);
    for (const auto& sizes : patterns) {
      eq.reset();
      const std::vector<T> rt = stream(eq, x, curve, sizes);
      const std::size_t lat = eq.latency();
      ASSERT_EQ(lat, n - 1);
      std::size_t mismatches = 0;
      const std::size_t delay = lat * 2;  // interleaved samples
      for (std::size_t m = 0; m < delay; ++m) mismatches += rt[m] != T(0);
      for (std::size_t m = delay; m < rt.size() && m - delay < offline.size(); ++m) {
        mismatches += rt[m] != offline[m - delay];
      }
      EXPECT_EQ(mismatches, 0u) << "N " << n << ", first block size " << sizes[0];
    }
  }
}

TEST(EqRealtime, ThrowingLeavesTheStateUnchanged) {
  const std::vector<double> x = music<double>(20000, 1, 7);
  const std::vector<double> curve = varied_curve();
  const auralis::PsychoacousticEQ reference;
  const std::vector<double> offline = reference.process(x, curve);
  auralis::PsychoacousticEQ eq;
  std::vector<double> out;
  std::vector<double> bad = flat();
  bad.pop_back();
  for (std::size_t pos = 0; pos + 500 <= x.size(); pos += 500) {
    std::vector<double> o(500);
    const std::span<const double> in(x.data() + pos, 500);
    EXPECT_THROW(eq.process_realtime_chunk(in, bad, o), InvalidSettings);
    eq.process_realtime_chunk(in, curve, o);
    out.insert(out.end(), o.begin(), o.end());
  }
  std::size_t mismatches = 0;
  for (std::size_t m = eq.latency(); m < out.size(); ++m) {
    mismatches += out[m] != offline[m - eq.latency()];
  }
  EXPECT_EQ(mismatches, 0u);
}

TEST(EqRealtime, NoHeapAllocationAfterConstruction) {
  EqSettings s;
  s.channels = 2;
  auralis::PsychoacousticEQ eq(s);
  const std::vector<double> x = music<double>(512, 2, 8);
  std::vector<double> out(x.size());
  const std::vector<double> curve = varied_curve();
  const long long before = auralis::testing::allocation_count();
  for (int i = 0; i < 3000; ++i) eq.process_realtime_chunk(x, curve, out);
  eq.reset();
  for (int i = 0; i < 10; ++i) eq.process_realtime_chunk(x, curve, out);
  EXPECT_EQ(auralis::testing::allocation_count() - before, 0);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](double v) { return std::isfinite(v); }));
}

// ------------------------------------------------------------------------------------------
// Parallel
// ------------------------------------------------------------------------------------------

TYPED_TEST(EqTyped, ParallelEqualsSequentialForEveryWorkerCount) {
  using T = TypeParam;
  EqSettings s;
  s.channels = 2;
  s.fft_size = 256;  // 690 frames: 3 blocks of the offline path
  s.parallel.enable_parallel = false;
  const std::vector<T> x = music<T>(2 * 44100 + 5, 2, 9);
  const std::vector<double> curve = varied_curve();
  const auralis::BasicPsychoacousticEQ<T> sequential(s);
  const std::vector<T> expected = sequential.process(x, curve);
  const std::vector<T> expected_static = sequential.apply_band_gains(x, curve);
  const std::vector<double> expected_gains = sequential.gain_trajectory(x, curve).gains_db;
  for (std::size_t workers = 1; workers <= 16; ++workers) {
    s.parallel.enable_parallel = true;
    s.parallel.max_workers = workers;
    s.parallel.chunk_processing_threshold = 0;
    s.parallel.adaptive_workers = workers % 2 == 0;
    const auralis::BasicPsychoacousticEQ<T> parallel(s);
    EXPECT_TRUE(parallel.process(x, curve) == expected) << workers;
    EXPECT_TRUE(parallel.apply_band_gains(x, curve) == expected_static) << workers;
    EXPECT_TRUE(parallel.gain_trajectory(x, curve).gains_db == expected_gains) << workers;
  }
}

TEST(EqParallel, ConcurrentCallsOnOneEqualiser) {
  EqSettings s;
  s.fft_size = 1024;
  s.parallel.max_workers = 4;
  s.parallel.chunk_processing_threshold = 0;
  const auralis::PsychoacousticEQ eq(s);
  const std::vector<double> x = music<double>(30000, 1, 10);
  const std::vector<double> expected = eq.process(x, varied_curve());
  auralis::ParallelConfig pc;
  pc.max_workers = 4;
  const auralis::ParallelAudioProcessor batch(pc);
  const std::vector<int> ids{0, 1, 2, 3, 4, 5, 6, 7};
  const auto results = batch.parallel_map(ids, [&](int) { return eq.process(x, varied_curve()); });
  for (const auto& r : results) EXPECT_TRUE(r == expected);
}

// ------------------------------------------------------------------------------------------
// Filter bank
// ------------------------------------------------------------------------------------------

TEST(EqFilterBank, BandsSumBackToTheInput) {
  const auralis::eq::CriticalBandFilterBank bank;
  const std::vector<double> x = music<double>(20000, 1, 11);
  ASSERT_EQ(bank.filters().size(), 26u);
  std::vector<double> sum(x.size(), 0.0);
  for (const auto& f : bank.filters()) {
    const std::vector<double> y = f(x);
    ASSERT_EQ(y.size(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) sum[i] += y[i];
  }
  EXPECT_LT(max_abs_diff(sum, x), 1e-12);
  EXPECT_LT(max_abs_diff(bank.process(x, flat()), x), 1e-12);
}

TEST(EqFilterBank, EachFilterPassesItsBand) {
  const auralis::eq::CriticalBandFilterBank bank;
  const std::vector<double> x = sines(44100, {{1600.0, 0.5}});
  const std::vector<double> in_band = bank.filters()[11](x);
  const std::vector<double> other = bank.filters()[13](x);
  EXPECT_NEAR(amplitude(in_band, 1600.0, 11025, 22050), 0.5, 1e-4);
  EXPECT_LT(amplitude(other, 1600.0, 11025, 22050), 1e-6);
}

TEST(EqFilterBank, MatchesTheFrequencyDomainPathAndIsBandParallelExact) {
  const std::vector<double> x = music<double>(20000, 1, 12);
  const std::vector<double> gains = varied_curve();
  const auralis::PsychoacousticEQ eq;
  const std::vector<double> fd = eq.apply_band_gains(x, gains);
  auralis::ParallelConfig seq;
  seq.enable_parallel = false;
  const std::vector<double> expected =
      auralis::eq::CriticalBandFilterBank(sr, 2048, seq).process(x, gains);
  EXPECT_LT(max_abs_diff(expected, fd), 1e-12);
  for (std::size_t workers : {3u, 16u}) {
    auralis::ParallelConfig pc;
    pc.max_workers = workers;
    pc.chunk_processing_threshold = 0;
    pc.band_grouping = workers == 3;
    const auralis::eq::CriticalBandFilterBank bank(sr, 2048, pc);
    EXPECT_TRUE(bank.process(x, gains) == expected) << workers;
  }
}

// ------------------------------------------------------------------------------------------
// Bad input
// ------------------------------------------------------------------------------------------

TEST(EqErrors, NameTheField) {
  const std::vector<double> x = music<double>(5000, 1, 13);
  const auralis::PsychoacousticEQ eq;
  std::vector<double> short_curve(24, 0.0);
  std::vector<double> nan_curve = flat();
  nan_curve[7] = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> inf_curve = flat();
  inf_curve[0] = std::numeric_limits<double>::infinity();
  expect_field([&] { (void)eq.process(x, short_curve); }, "target_curve");
  expect_field([&] { (void)eq.process(x, nan_curve); }, "target_curve");
  expect_field([&] { (void)eq.process(x, inf_curve); }, "target_curve");
  expect_field([&] { (void)eq.gain_trajectory(x, nan_curve); }, "target_curve");
  expect_field([&] { (void)eq.apply_band_gains(x, short_curve); }, "band_gains_db");
  expect_field([&] { (void)eq.process(std::vector<double>{}, flat()); }, "audio");
  std::vector<double> nan_audio = x;
  nan_audio[1234] = std::numeric_limits<double>::quiet_NaN();
  expect_field([&] { (void)eq.process(nan_audio, flat()); }, "audio");
  EXPECT_THROW((void)eq.process(std::vector<double>{}, flat()), InvalidAudio);
  EXPECT_THROW((void)eq.process(x, nan_curve), InvalidSettings);

  EqSettings stereo;
  stereo.channels = 2;
  const auralis::PsychoacousticEQ eq2(stereo);
  expect_field([&] { (void)eq2.process(std::vector<double>(101, 0.0), flat()); }, "audio");

  for (std::size_t channels : {0u, 65u}) {
    EqSettings s;
    s.channels = channels;
    expect_field([&] { auralis::PsychoacousticEQ bad(s); }, "channels");
  }
  for (std::size_t n : {0u, 128u, 1000u, 65536u}) {
    EqSettings s;
    s.fft_size = n;
    expect_field([&] { auralis::PsychoacousticEQ bad(s); }, "fft_size");
  }
  for (double rate : {0.0, -44100.0, std::numeric_limits<double>::quiet_NaN(), 1e7}) {
    EqSettings s;
    s.sample_rate = rate;
    expect_field([&] { auralis::PsychoacousticEQ bad(s); }, "sample_rate");
  }
  EqSettings many;
  many.parallel.max_workers = 1000;
  expect_field([&] { auralis::PsychoacousticEQ bad(many); }, "max_workers");

  const auralis::eq::CriticalBandFilterBank bank;
  expect_field([&] { (void)bank.process(x, short_curve); }, "band_gains_db");
  expect_field([&] { (void)bank.process(std::vector<double>{}, flat()); }, "audio");

  // validate() checks every field, not only the constructor.
  EqSettings bad_rate;
  bad_rate.sample_rate = -1.0;
  expect_field([&] { auralis::validate(bad_rate); }, "sample_rate");
  EqSettings bad_size;
  bad_size.fft_size = 1000;
  expect_field([&] { auralis::validate(bad_size); }, "fft_size");

  // Fixed gains beyond +/-120 dB would overflow the output: rejected (adaptive target curves
  // are clipped to +/-12 dB, so they may be large).
  std::vector<double> huge = flat();
  huge[3] = 7000.0;
  expect_field([&] { (void)eq.apply_band_gains(x, huge); }, "band_gains_db");
  expect_field([&] { (void)bank.process(x, huge); }, "band_gains_db");
  huge[3] = -121.0;
  expect_field([&] { (void)eq.apply_band_gains(x, huge); }, "band_gains_db");
  huge[3] = 120.0;
  for (double v : eq.apply_band_gains(x, huge)) ASSERT_TRUE(std::isfinite(v));
  huge[3] = 7000.0;
  for (double v : eq.process(x, huge)) ASSERT_TRUE(std::isfinite(v));

  // Each band filter of the bank validates its input when called on its own.
  for (const auto& filter : bank.filters()) {
    expect_field([&] { (void)filter(std::vector<double>{}); }, "audio");
    expect_field([&] { (void)filter(nan_audio); }, "audio");
  }
  // Beyond the compute range (2^500 in double): rejected by the bank too.
  std::vector<double> loud = x;
  loud[5] = 1e300;
  expect_field([&] { (void)bank.process(loud, flat()); }, "audio");
}

// process() into a caller's buffer: the same bits as the returning form, every worker count;
// a wrong size or an overlap with the input is rejected.
TEST(EqOffline, IntoACallerBufferEqualsTheReturningForm) {
  const std::vector<double> x = music<double>(30000, 2, 21);
  std::vector<double> curve = flat();
  curve[4] = 5.0;
  curve[17] = -7.0;
  for (std::size_t workers : {1u, 2u, 16u}) {
    EqSettings s;
    s.channels = 2;
    s.parallel.max_workers = workers;
    const auralis::PsychoacousticEQ eq(s);
    const std::vector<double> want = eq.process(x, curve);
    std::vector<double> got(x.size(), std::numeric_limits<double>::quiet_NaN());
    eq.process(x, curve, got);
    EXPECT_TRUE(got == want) << workers;  // every sample written, NaN fill gone
    std::vector<double> wrong(x.size() - 2);
    expect_field([&] { eq.process(x, curve, wrong); }, "out");
    std::vector<double> both = x;
    expect_field([&] { eq.process(std::span<const double>(both), curve, std::span<double>(both)); },
                 "out");
  }
}

TEST(EqErrors, RealtimeBlockSizeAndBuffers) {
  EqSettings s;
  s.channels = 2;
  auralis::PsychoacousticEQ eq(s);
  for (std::size_t frames : {0u, 1u, 63u, 8193u}) {
    std::vector<double> in(frames * 2, 0.0);
    std::vector<double> out(in.size());
    expect_field([&] { eq.process_realtime_chunk(in, flat(), out); }, "chunk");
  }
  std::vector<double> odd(129, 0.0);
  std::vector<double> odd_out(129);
  expect_field([&] { eq.process_realtime_chunk(odd, flat(), odd_out); }, "chunk");
  std::vector<double> in(128, 0.0);
  std::vector<double> small(127);
  expect_field([&] { eq.process_realtime_chunk(in, flat(), small); }, "out");
  std::vector<double> out(128);
  std::vector<double> nan_curve = flat();
  nan_curve[3] = std::numeric_limits<double>::quiet_NaN();
  expect_field([&] { eq.process_realtime_chunk(in, nan_curve, out); }, "target_curve");
  expect_field([&] { eq.process_realtime_chunk(in, std::vector<double>(26, 0.0), out); },
               "target_curve");
  in[77] = std::numeric_limits<double>::infinity();
  expect_field([&] { eq.process_realtime_chunk(in, flat(), out); }, "chunk");
  // 64 and 8192 frames are accepted.
  std::vector<double> lo(128, 0.0);
  std::vector<double> lo_out(128);
  EXPECT_NO_THROW(eq.process_realtime_chunk(lo, flat(), lo_out));
  std::vector<double> hi(16384, 0.0);
  std::vector<double> hi_out(16384);
  EXPECT_NO_THROW(eq.process_realtime_chunk(hi, flat(), hi_out));
}

}  // namespace
