// SPDX-License-Identifier: GPL-3.0-or-later
// Loudness metering: EBU Tech 3341 (integrated loudness, true peak) and Tech 3342 (loudness
// range) test signals synthesised here, closed forms from the K-weighting coefficients
// published in ITU-R BS.1770-4, channel weights, streaming = offline bit for bit, silence and
// short inputs, bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstring>
#include <limits>
#include <numbers>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "auralis/error.hpp"
#include "auralis/loudness.hpp"
#include "support/alloc_tracking.hpp"

namespace {

using auralis::InterleavedAudio;
using auralis::LoudnessMeter;
using auralis::LoudnessOptions;
using auralis::LoudnessStats;
using auralis::measure_loudness;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = std::numbers::pi;
const LoudnessOptions kNoTruePeak{.true_peak = false};

double db_to_amplitude(double db) { return std::pow(10.0, db / 20.0); }

/// A level step of a test signal: `seconds` of the sine at `level_dbfs` peak.
struct Segment {
  double level_dbfs;
  double seconds;
};

/// A continuous sine of `freq` Hz (a whole number of Hz) on every channel, whose peak level
/// steps through `segments`, produced block by block from one period table (exact phase).
class SineSource {
 public:
  SineSource(double fs, std::size_t channels, double freq, std::vector<Segment> segments)
      : channels_(channels) {
    const auto f = static_cast<long>(freq);
    const auto r = static_cast<long>(fs);
    const long period = r / std::gcd(r, f);
    table_.resize(static_cast<std::size_t>(period));
    for (long n = 0; n < period; ++n) {
      table_[static_cast<std::size_t>(n)] =
          std::sin(2.0 * kPi * static_cast<double>((n * f) % r) / fs);
    }
    for (const Segment& s : segments) {
      ends_.push_back((ends_.empty() ? 0 : ends_.back()) +
                      static_cast<std::size_t>(std::llround(s.seconds * fs)));
      amplitudes_.push_back(db_to_amplitude(s.level_dbfs));
    }
  }
  [[nodiscard]] std::size_t total_frames() const { return ends_.back(); }
  /// Writes the next frames (at most out.size() / channels); returns the frames written.
  template <class T>
  std::size_t fill(std::span<T> out) {
    std::size_t k = 0;
    while (k + channels_ <= out.size() && pos_ < total_frames()) {
      while (pos_ >= ends_[segment_]) ++segment_;
      const double v = amplitudes_[segment_] * table_[pos_ % table_.size()];
      for (std::size_t c = 0; c < channels_; ++c) out[k + c] = static_cast<T>(v);
      k += channels_;
      ++pos_;
    }
    return k / channels_;
  }

 private:
  std::size_t channels_;
  std::vector<double> table_;
  std::vector<std::size_t> ends_;
  std::vector<double> amplitudes_;
  std::size_t pos_ = 0, segment_ = 0;
};

template <class T = double>
std::vector<T> sine_signal(double fs, std::size_t channels, double freq,
                           std::vector<Segment> segments) {
  SineSource src(fs, channels, freq, std::move(segments));
  std::vector<T> out(src.total_frames() * channels);
  src.fill(std::span<T>(out));
  return out;
}

/// Streams a sine signal through a LoudnessMeter in blocks of 65536 frames (memory bounded).
LoudnessStats meter_sine(double fs, std::size_t channels, double freq,
                         std::vector<Segment> segments, const LoudnessOptions& options = {}) {
  SineSource src(fs, channels, freq, std::move(segments));
  LoudnessMeter meter(fs, channels, options);
  std::vector<float> block(65536 * channels);
  for (std::size_t n; (n = src.fill(std::span<float>(block))) > 0;) {
    meter.add(std::span<const float>(block.data(), n * channels));
  }
  return meter.stats();
}

/// |H(e^jw)|^2 of the K-weighting at 1 kHz and 48 kHz from the coefficients printed in ITU-R
/// BS.1770-4 (Tables 1 and 2), independent of libebur128's design from f0, Q and gain.
double k_weighting_power_gain_1k_48k() {
  const std::complex<double> z = std::polar(1.0, -2.0 * kPi * 1000.0 / 48000.0);  // z^-1
  const auto biquad = [&](double b0, double b1, double b2, double a1, double a2) {
    return (b0 + b1 * z + b2 * z * z) / (1.0 + a1 * z + a2 * z * z);
  };
  const auto h1 = biquad(1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241,
                         0.73248077421585);
  const auto h2 = biquad(1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621);
  return std::norm(h1 * h2);
}

/// Loudness (LUFS) of a steady 1 kHz sine of peak `amplitude` at 48 kHz on `weighted_channels`
/// channels of weight 1: -0.691 + 10 log10(sum of weighted mean squares), BS.1770-4 (2).
double steady_sine_lufs_48k(double amplitude, double weighted_channels) {
  return -0.691 + 10.0 * std::log10(weighted_channels * amplitude * amplitude / 2.0 *
                                    k_weighting_power_gain_1k_48k());
}

void expect_same_bits(double a, double b, const char* what) {
  EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << what << ": " << a << " vs " << b;
}

void expect_same_stats(const LoudnessStats& a, const LoudnessStats& b) {
  expect_same_bits(a.integrated_lufs, b.integrated_lufs, "integrated_lufs");
  expect_same_bits(a.loudness_range_lu, b.loudness_range_lu, "loudness_range_lu");
  expect_same_bits(a.max_momentary_lufs, b.max_momentary_lufs, "max_momentary_lufs");
  expect_same_bits(a.max_short_term_lufs, b.max_short_term_lufs, "max_short_term_lufs");
  expect_same_bits(a.sample_peak_dbfs, b.sample_peak_dbfs, "sample_peak_dbfs");
  expect_same_bits(a.true_peak_dbtp, b.true_peak_dbtp, "true_peak_dbtp");
  EXPECT_EQ(a.true_peak_measured, b.true_peak_measured);
  EXPECT_EQ(a.frames, b.frames);
  EXPECT_EQ(a.channels, b.channels);
  EXPECT_EQ(a.sample_rate, b.sample_rate);
}

// ---- EBU Tech 3341 (integrated loudness), 1 kHz stereo sines -----------------------------

TEST(Tech3341, Test1Minus23At48k) {
  const auto x = sine_signal(48000.0, 2, 1000.0, {{-23.0, 20.0}});
  const LoudnessStats s = measure_loudness(InterleavedAudio<const double>{x, 2}, 48000.0);
  EXPECT_NEAR(s.integrated_lufs, -23.0, 0.1);
  EXPECT_NEAR(s.max_momentary_lufs, -23.0, 0.1);
  EXPECT_NEAR(s.max_short_term_lufs, -23.0, 0.1);
  // The exact value from the published filter (-22.9933: a meter showing one decimal must show
  // -23.0). The gated mean is exact: the only tolerance is the filter's start-up transient in
  // the first block (1 of 197) and the coefficients' rounding.
  const double exact = steady_sine_lufs_48k(db_to_amplitude(-23.0), 2.0);
  EXPECT_NEAR(s.max_momentary_lufs, exact, 1e-6);
  EXPECT_NEAR(s.max_short_term_lufs, exact, 1e-6);
  EXPECT_NEAR(s.integrated_lufs, exact, 1e-4);
  EXPECT_LT(s.integrated_lufs, -22.95);  // rounds to -23.0
  EXPECT_NEAR(s.sample_peak_dbfs, -23.0, 1e-9);
  ASSERT_TRUE(s.true_peak_measured);
  EXPECT_NEAR(s.true_peak_dbtp, -23.0, 0.05);
  EXPECT_GE(s.true_peak_dbtp, s.sample_peak_dbfs);
  EXPECT_LT(s.loudness_range_lu, 0.2);  // a steady level has no range
  EXPECT_EQ(s.frames, 960000u);
  EXPECT_EQ(s.channels, 2u);
  EXPECT_EQ(s.sample_rate, 48000.0);
  std::printf("Tech 3341 test 1: I %.6f LUFS (exact %.6f), M %.6f, S %.6f, TP %.4f dBTP\n",
              s.integrated_lufs, exact, s.max_momentary_lufs, s.max_short_term_lufs,
              s.true_peak_dbtp);
}

TEST(Tech3341, Test2Minus33At48k) {
  const LoudnessStats s = meter_sine(48000.0, 2, 1000.0, {{-33.0, 20.0}}, kNoTruePeak);
  EXPECT_NEAR(s.integrated_lufs, -33.0, 0.1);
  EXPECT_NEAR(s.max_momentary_lufs, -33.0, 0.1);
  EXPECT_NEAR(s.max_short_term_lufs, -33.0, 0.1);
  EXPECT_NEAR(s.max_momentary_lufs, steady_sine_lufs_48k(db_to_amplitude(-33.0), 2.0), 1e-6);
  EXPECT_NEAR(s.integrated_lufs, steady_sine_lufs_48k(db_to_amplitude(-33.0), 2.0), 1e-4);
  EXPECT_FALSE(s.true_peak_measured);
  EXPECT_TRUE(std::isnan(s.true_peak_dbtp));
  std::printf("Tech 3341 test 2: I %.4f LUFS\n", s.integrated_lufs);
}

TEST(Tech3341, Test1And2At44k1) {
  const LoudnessStats a = meter_sine(44100.0, 2, 1000.0, {{-23.0, 20.0}}, kNoTruePeak);
  const LoudnessStats b = meter_sine(44100.0, 2, 1000.0, {{-33.0, 20.0}}, kNoTruePeak);
  EXPECT_NEAR(a.integrated_lufs, -23.0, 0.1);
  EXPECT_NEAR(a.max_momentary_lufs, -23.0, 0.1);
  EXPECT_NEAR(a.max_short_term_lufs, -23.0, 0.1);
  EXPECT_NEAR(b.integrated_lufs, -33.0, 0.1);
  EXPECT_NEAR(b.max_momentary_lufs, -33.0, 0.1);
  EXPECT_NEAR(b.max_short_term_lufs, -33.0, 0.1);
  // A 10 dB quieter sine reads 10 dB lower in the ungated windows (to the float rounding of
  // the streamed samples).
  EXPECT_NEAR(a.max_momentary_lufs - b.max_momentary_lufs, 10.0, 1e-6);
  // A steady sine: every gating block has the level of the (ungated) momentary window, so the
  // exact gated mean is that level (up to the filter's start-up in the first block).
  EXPECT_NEAR(a.integrated_lufs, a.max_momentary_lufs, 1e-4);
  EXPECT_NEAR(b.integrated_lufs, b.max_momentary_lufs, 1e-4);
  std::printf("Tech 3341 tests 1, 2 at 44.1 kHz: I %.4f, %.4f LUFS\n", a.integrated_lufs,
              b.integrated_lufs);
}

/// The exact BS.1770-4 integrated loudness of Tech 3341 tests 3 and 4. The level steps fall
/// on the 100 ms grid and a 1 kHz sine fills every 100 ms with whole periods, so each 100 ms
/// holds the energy of one level. The 400 ms blocks ending at 10.4 .. 70.0 s (597) hold the
/// -23 dBFS energy E; the three ending in each transition hold 1/4, 2/4, 3/4 of E and the rest
/// of the -36 dBFS energy E 10^-1.3; all 603 pass the relative gate (about 11 LU below E, the
/// transitions are at most 5.4 LU below); the -36 (and -72) dBFS blocks do not. Mean:
/// E (600 + 3 10^-1.3) / 603, -23.0139 LUFS.
double tech3341_test3_exact() {
  return steady_sine_lufs_48k(db_to_amplitude(-23.0), 2.0) +
         10.0 * std::log10((600.0 + 3.0 * std::pow(10.0, -1.3)) / 603.0);
}

TEST(Tech3341, Test3RelativeGate) {
  const LoudnessStats s =
      meter_sine(48000.0, 2, 1000.0, {{-36.0, 10.0}, {-23.0, 60.0}, {-36.0, 10.0}}, kNoTruePeak);
  EXPECT_NEAR(s.integrated_lufs, -23.0, 0.1);
  // Exact but for the filter's transients at the level steps and the float samples.
  EXPECT_NEAR(s.integrated_lufs, tech3341_test3_exact(), 1e-3);
  std::printf("Tech 3341 test 3: I %.6f LUFS (exact %.6f)\n", s.integrated_lufs,
              tech3341_test3_exact());
}

TEST(Tech3341, Test4AbsoluteAndRelativeGates) {
  const LoudnessStats s = meter_sine(
      48000.0, 2, 1000.0,
      {{-72.0, 10.0}, {-36.0, 10.0}, {-23.0, 60.0}, {-36.0, 10.0}, {-72.0, 10.0}}, kNoTruePeak);
  EXPECT_NEAR(s.integrated_lufs, -23.0, 0.1);
  EXPECT_NEAR(s.integrated_lufs, tech3341_test3_exact(), 1e-3);
  std::printf("Tech 3341 test 4: I %.6f LUFS\n", s.integrated_lufs);
}

// ---- EBU Tech 3342 (loudness range) -------------------------------------------------------

TEST(Tech3342, Tests1To3) {
  struct Case {
    double first, second, lra;
  };
  for (const Case c :
       {Case{-20.0, -30.0, 10.0}, Case{-20.0, -15.0, 5.0}, Case{-40.0, -20.0, 20.0}}) {
    const LoudnessStats s =
        meter_sine(48000.0, 2, 1000.0, {{c.first, 20.0}, {c.second, 20.0}}, kNoTruePeak);
    EXPECT_NEAR(s.loudness_range_lu, c.lra, 1.0) << c.first << " / " << c.second;
    // The 10th and 95th percentiles fall among the blocks of one level each (171 blocks per
    // level, 29 across the step), whose loudness differ by exactly the step: the histogram's
    // bound is 0.02 LU, and a bin holding one level gives it exactly.
    EXPECT_NEAR(s.loudness_range_lu, c.lra, 1e-4) << c.first << " / " << c.second;
    std::printf("Tech 3342 %g/%g dBFS: LRA %.6f LU (expected %g)\n", c.first, c.second,
                s.loudness_range_lu, c.lra);
  }
}

// ---- True peak: EBU Tech 3341 tests 15-19 -------------------------------------------------

TEST(Tech3341, TruePeakTests15To19) {
  // 12 kHz at 48 kHz (4 samples a period) with a continuous peak of -6 dBFS, sampled at phase
  // phi: the samples reach only A max(|sin phi|, |cos phi|), the signal between them A.
  const double amplitude = db_to_amplitude(-6.0);
  for (const double phase_deg : {0.0, 45.0, 60.0, 67.5, 88.2}) {
    const double phi = phase_deg * kPi / 180.0;
    std::vector<double> x(2 * 48000);
    for (std::size_t n = 0; n < x.size() / 2; ++n) {
      const double v = amplitude * std::sin(kPi / 2.0 * static_cast<double>(n) + phi);
      x[2 * n] = x[2 * n + 1] = v;
    }
    const LoudnessStats s = measure_loudness(InterleavedAudio<const double>{x, 2}, 48000.0);
    ASSERT_TRUE(s.true_peak_measured);
    EXPECT_LE(s.true_peak_dbtp, -6.0 + 0.2) << phase_deg;
    EXPECT_GE(s.true_peak_dbtp, -6.0 - 0.4) << phase_deg;
    const double sample_peak =
        20.0 * std::log10(amplitude * std::max(std::fabs(std::sin(phi)), std::fabs(std::cos(phi))));
    EXPECT_NEAR(s.sample_peak_dbfs, sample_peak, 1e-9) << phase_deg;
    std::printf("Tech 3341 true peak, phase %5.1f deg: %.4f dBTP (sample peak %.4f dBFS)\n",
                phase_deg, s.true_peak_dbtp, s.sample_peak_dbfs);
  }
}

// ---- Channels -----------------------------------------------------------------------------

TEST(Channels, MonoReadsThreeDbBelowDualMono) {
  const auto mono = sine_signal(48000.0, 1, 1000.0, {{-20.0, 5.0}});
  const auto dual = sine_signal(48000.0, 2, 1000.0, {{-20.0, 5.0}});
  const LoudnessStats m = measure_loudness(InterleavedAudio<const double>{mono, 1}, 48000.0);
  const LoudnessStats d = measure_loudness(InterleavedAudio<const double>{dual, 2}, 48000.0);
  const double three_db = 10.0 * std::log10(2.0);
  EXPECT_NEAR(d.max_momentary_lufs - m.max_momentary_lufs, three_db, 1e-9);
  EXPECT_NEAR(d.max_short_term_lufs - m.max_short_term_lufs, three_db, 1e-9);
  EXPECT_NEAR(d.integrated_lufs - m.integrated_lufs, three_db, 1e-9);
  EXPECT_NEAR(m.max_momentary_lufs, steady_sine_lufs_48k(db_to_amplitude(-20.0), 1.0), 1e-6);
  // Peaks do not depend on the channel count.
  EXPECT_EQ(m.sample_peak_dbfs, d.sample_peak_dbfs);
  EXPECT_EQ(m.true_peak_dbtp, d.true_peak_dbtp);
}

/// The sine on channel `active` of `channels` only.
std::vector<double> one_channel_sine(std::size_t channels, std::size_t active, double level_db) {
  const auto mono = sine_signal(48000.0, 1, 1000.0, {{level_db, 4.0}});
  std::vector<double> x(mono.size() * channels, 0.0);
  for (std::size_t n = 0; n < mono.size(); ++n) x[n * channels + active] = mono[n];
  return x;
}

TEST(Channels, SurroundWeights) {
  const double level = -20.0;
  const double front = steady_sine_lufs_48k(db_to_amplitude(level), 1.0);
  const double surround_gain = 10.0 * std::log10(1.41);
  // 5.0: L R C Ls Rs; 5.1: L R C LFE Ls Rs.
  struct Case {
    std::size_t channels, active;
    double expected;  // LUFS, or -inf for the LFE
  };
  for (const Case c :
       {Case{5, 0, front}, Case{5, 1, front}, Case{5, 2, front}, Case{5, 3, front + surround_gain},
        Case{5, 4, front + surround_gain}, Case{6, 0, front}, Case{6, 1, front}, Case{6, 2, front},
        Case{6, 3, -kInf}, Case{6, 4, front + surround_gain}, Case{6, 5, front + surround_gain}}) {
    const auto x = one_channel_sine(c.channels, c.active, level);
    const LoudnessStats s =
        measure_loudness(InterleavedAudio<const double>{x, c.channels}, 48000.0, kNoTruePeak);
    if (c.expected == -kInf) {
      EXPECT_EQ(s.max_momentary_lufs, -kInf) << c.channels << " ch, channel " << c.active;
      EXPECT_EQ(s.integrated_lufs, -kInf);
    } else {
      EXPECT_NEAR(s.max_momentary_lufs, c.expected, 1e-6)
          << c.channels << " ch, channel " << c.active;
      EXPECT_NEAR(s.integrated_lufs, c.expected, 1e-4);
    }
    // The LFE is not measured for loudness but its peaks are.
    EXPECT_NEAR(s.sample_peak_dbfs, level, 1e-9);
  }
}

// ---- Streaming = offline, bit for bit -----------------------------------------------------

/// 12 s of noise whose level and spectrum change (a sine plus noise through a moving gain), so
/// that gating, momentary, short-term and true peak all see something.
template <class T>
std::vector<T> varied_signal(std::size_t channels, double fs, unsigned seed, double seconds = 12) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  const auto frames = static_cast<std::size_t>(seconds * fs);
  std::vector<T> x(frames * channels);
  for (std::size_t n = 0; n < frames; ++n) {
    const double t = static_cast<double>(n) / fs;
    const double gain = 0.05 + 0.2 * (0.5 + 0.5 * std::sin(2.0 * kPi * 0.13 * t));
    for (std::size_t c = 0; c < channels; ++c) {
      const double s =
          0.5 * std::sin(2.0 * kPi * (220.0 * static_cast<double>(c + 1)) * t) + 0.3 * noise(rng);
      x[n * channels + c] = static_cast<T>(gain * s);
    }
  }
  return x;
}

template <class T>
void check_streaming_equals_offline(std::size_t channels, double fs, const LoudnessOptions& opt) {
  const auto x = varied_signal<T>(channels, fs, 7u + static_cast<unsigned>(channels));
  const LoudnessStats offline = measure_loudness(InterleavedAudio<const T>{x, channels}, fs, opt);
  std::mt19937 rng(static_cast<unsigned>(channels * 1000 + sizeof(T)));
  const std::size_t frames = x.size() / channels;
  for (int split = 0; split < 3; ++split) {
    LoudnessMeter meter(fs, channels, opt);
    std::size_t pos = 0;
    while (pos < frames) {
      // Uniform in 1..8192, or log-uniform (many tiny blocks) on the second split.
      std::size_t n = split == 1
                          ? static_cast<std::size_t>(std::exp(
                                std::uniform_real_distribution<double>(0.0, std::log(8192.0))(rng)))
                          : std::uniform_int_distribution<std::size_t>(1, 8192)(rng);
      n = std::clamp<std::size_t>(n, 1, frames - pos);
      meter.add(std::span<const T>(x.data() + pos * channels, n * channels));
      pos += n;
    }
    SCOPED_TRACE("split " + std::to_string(split) + ", " + std::to_string(channels) + " ch");
    expect_same_stats(meter.stats(), offline);
  }
  EXPECT_GT(offline.integrated_lufs, -40.0);
  EXPECT_GT(offline.loudness_range_lu, 0.5);
}

TEST(Streaming, EqualsOfflineBitForBitDouble) {
  check_streaming_equals_offline<double>(2, 48000.0, {});
  check_streaming_equals_offline<double>(6, 44100.0, kNoTruePeak);
}
TEST(Streaming, EqualsOfflineBitForBitFloat) {
  check_streaming_equals_offline<float>(2, 44100.0, {});
  check_streaming_equals_offline<float>(1, 48000.0, {});
  check_streaming_equals_offline<float>(5, 32000.0, kNoTruePeak);
}

TEST(Streaming, StatsAtAnyTimeEqualOfflineOfThePrefix) {
  const auto x = varied_signal<double>(2, 48000.0, 3u, 5.0);
  LoudnessMeter meter(48000.0, 2);
  std::size_t pos = 0;
  for (const std::size_t prefix : {1u, 17u, 19199u, 19200u, 19201u, 33333u, 150001u, 240000u}) {
    meter.add(std::span<const double>(x.data() + 2 * pos, 2 * (prefix - pos)));
    pos = prefix;
    const LoudnessStats offline = measure_loudness(
        InterleavedAudio<const double>{std::span<const double>(x.data(), 2 * prefix), 2}, 48000.0);
    SCOPED_TRACE("prefix " + std::to_string(prefix));
    expect_same_stats(meter.stats(), offline);
    EXPECT_EQ(meter.frames(), prefix);
  }
}

TEST(Streaming, FloatInputEqualsTheSameValuesAsDouble) {
  const auto f = varied_signal<float>(2, 48000.0, 11u, 4.0);
  const std::vector<double> d(f.begin(), f.end());
  expect_same_stats(measure_loudness(InterleavedAudio<const float>{f, 2}, 48000.0),
                    measure_loudness(InterleavedAudio<const double>{d, 2}, 48000.0));
}

TEST(Streaming, ResetForgetsEverything) {
  const auto a = varied_signal<double>(2, 48000.0, 5u, 4.0);
  const auto b = varied_signal<double>(2, 48000.0, 6u, 4.0);
  LoudnessMeter meter(48000.0, 2);
  meter.add(std::span<const double>(a));
  meter.reset();
  EXPECT_EQ(meter.frames(), 0u);
  meter.add(std::span<const double>(b));
  expect_same_stats(meter.stats(), measure_loudness(InterleavedAudio<const double>{b, 2}, 48000.0));
}

TEST(Streaming, AddAllocatesNothing) {
  const auto x = varied_signal<double>(2, 48000.0, 9u, 2.0);
  LoudnessMeter meter(48000.0, 2);
  const long long before = auralis::testing::allocation_count();
  for (std::size_t pos = 0; pos < x.size(); pos += 2 * 1000) {
    meter.add(std::span<const double>(x.data() + pos, std::min<std::size_t>(2000, x.size() - pos)));
  }
  EXPECT_EQ(auralis::testing::allocation_count() - before, 0);
}

TEST(Streaming, MovedMeterKeepsItsState) {
  const auto x = varied_signal<double>(2, 48000.0, 13u, 2.0);
  LoudnessMeter a(48000.0, 2);
  a.add(std::span<const double>(x.data(), x.size() / 2));
  LoudnessMeter b = std::move(a);
  b.add(std::span<const double>(x.data() + x.size() / 2, x.size() / 2));
  expect_same_stats(b.stats(), measure_loudness(InterleavedAudio<const double>{x, 2}, 48000.0));
}

TEST(Streaming, ConcurrentMetersGiveTheSequentialBits) {
  // libebur128 rewrites process-wide tables whenever a state is created: meters created and
  // measuring on several threads at once must still give the sequential result.
  const auto x = varied_signal<float>(2, 44100.0, 17u, 3.0);
  const LoudnessStats reference = measure_loudness(InterleavedAudio<const float>{x, 2}, 44100.0);
  constexpr int threads = 4;
  std::vector<std::vector<LoudnessStats>> got(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int rep = 0; rep < 3; ++rep) {
        LoudnessMeter meter(44100.0, 2);
        const std::size_t block = 2 * static_cast<std::size_t>(257 + 1000 * t + rep);
        for (std::size_t pos = 0; pos < x.size(); pos += block) {
          meter.add(std::span<const float>(x.data() + pos, std::min(block, x.size() - pos)));
        }
        got[static_cast<std::size_t>(t)].push_back(meter.stats());
      }
    });
  }
  for (std::thread& th : pool) th.join();
  for (const auto& per_thread : got) {
    for (const LoudnessStats& s : per_thread) expect_same_stats(s, reference);
  }
}

// ---- Gating and loudness range against an exact reference ---------------------------------

/// An independent meter for stereo at 48 kHz that keeps every block: the K-weighting from the
/// coefficients printed in BS.1770-4 (two biquads, direct form I, double), the energy of each
/// 100 ms (4800 frames), and the energies of the 400 ms blocks and the 3 s blocks ending at
/// every 100 ms.
struct ReferenceBlocks {
  std::vector<double> gating, short_term;
};

ReferenceBlocks reference_blocks(const std::vector<double>& x) {
  struct Biquad {
    double b0, b1, b2, a1, a2;
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    double operator()(double in) {
      const double out = b0 * in + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = in;
      y2 = y1;
      y1 = out;
      return out;
    }
  };
  std::array<std::array<Biquad, 2>, 2> k{};
  for (auto& ch : k) {
    ch[0] = Biquad{1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241,
                   0.73248077421585};
    ch[1] = Biquad{1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621};
  }
  std::vector<double> sub;  // energy of each 100 ms
  double acc = 0.0;
  for (std::size_t n = 0; n < x.size() / 2; ++n) {
    for (std::size_t c = 0; c < 2; ++c) {
      const double y = k[c][1](k[c][0](x[2 * n + c]));
      acc += y * y;
    }
    if ((n + 1) % 4800 == 0) {
      sub.push_back(acc / 4800.0);
      acc = 0.0;
    }
  }
  ReferenceBlocks r;
  for (std::size_t end = 1; end <= sub.size(); ++end) {
    const auto mean = [&](std::size_t count) {
      return std::accumulate(sub.begin() + static_cast<std::ptrdiff_t>(end - count),
                             sub.begin() + static_cast<std::ptrdiff_t>(end), 0.0) /
             static_cast<double>(count);
    };
    if (end >= 4) r.gating.push_back(mean(4));
    if (end >= 30) r.short_term.push_back(mean(30));
  }
  return r;
}

double energy_lufs(double e) { return -0.691 + 10.0 * std::log10(e); }

/// The relative gate (LUFS): `below_lu` under the energy mean of the blocks above the absolute
/// gate (-70 LUFS); -inf when there is none.
double reference_gate(const std::vector<double>& blocks, double below_lu) {
  double sum = 0.0;
  std::size_t n = 0;
  for (const double b : blocks) {
    if (energy_lufs(b) > -70.0) {
      sum += b;
      ++n;
    }
  }
  return n > 0 ? energy_lufs(sum / static_cast<double>(n)) - below_lu : -kInf;
}

/// The blocks above the absolute gate and above the relative gate moved up by `shift_lu`.
std::vector<double> gated(const std::vector<double>& blocks, double below_lu, double shift_lu) {
  std::vector<double> abs;
  for (const double b : blocks) {
    if (energy_lufs(b) > -70.0) abs.push_back(b);
  }
  const double gate = reference_gate(blocks, below_lu) + shift_lu;
  std::vector<double> rel;
  for (const double b : abs) {
    if (energy_lufs(b) > gate) rel.push_back(b);
  }
  return rel;
}

/// BS.1770-4 (exact, every block kept).
double reference_integrated(const ReferenceBlocks& r, double shift_lu) {
  const std::vector<double> g = gated(r.gating, 10.0, shift_lu);
  return g.empty() ? -kInf
                   : energy_lufs(std::accumulate(g.begin(), g.end(), 0.0) /
                                 static_cast<double>(g.size()));
}

/// EBU Tech 3342 (exact, every short-term block on the 100 ms grid): nearest-rank percentiles
/// of the sorted list, as Tech 3342's reference code.
double reference_lra(const ReferenceBlocks& r, double shift_lu) {
  std::vector<double> g = gated(r.short_term, 20.0, shift_lu);
  if (g.size() < 2) return 0.0;
  std::sort(g.begin(), g.end());
  const double last = static_cast<double>(g.size() - 1);
  return energy_lufs(g[static_cast<std::size_t>(last * 0.95 + 0.5)]) -
         energy_lufs(g[static_cast<std::size_t>(last * 0.10 + 0.5)]);
}

TEST(Gating, EqualsTheExactReferenceWithinTheDocumentedBounds) {
  // Noise and a sine under a level that jumps every 0.7 s between 0 and -45 dB, with silent
  // stretches: the absolute gate, the relative gates and the percentiles all have work.
  for (const unsigned seed : {1u, 2u, 3u}) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 1.0);
    std::uniform_real_distribution<double> level_db(-45.0, 0.0);
    const std::size_t frames = 48000 * 60;
    std::vector<double> x(2 * frames);
    double gain = 0.0;
    for (std::size_t n = 0; n < frames; ++n) {
      if (n % 33600 == 0) gain = rng() % 7 == 0 ? 0.0 : db_to_amplitude(level_db(rng));
      const double t = static_cast<double>(n) / 48000.0;
      for (std::size_t c = 0; c < 2; ++c) {
        x[2 * n + c] = gain * (0.3 * std::sin(2.0 * kPi * 440.0 * static_cast<double>(c + 1) * t) +
                               0.1 * noise(rng));
      }
    }
    const LoudnessStats s =
        measure_loudness(InterleavedAudio<const double>{x, 2}, 48000.0, kNoTruePeak);
    const ReferenceBlocks r = reference_blocks(x);
    // The documented bound: the result is the exact one with the relative gate moved by at
    // most half a bin (0.005 LU); the gated mean rises with the gate, so the ends bound it.
    // 1e-6 LU for the rounding of the printed coefficients and libebur128's loudness mapping.
    const double lo = reference_integrated(r, -0.005), mid = reference_integrated(r, 0.0),
                 hi = reference_integrated(r, 0.005);
    EXPECT_GE(s.integrated_lufs, lo - 1e-6) << seed;
    EXPECT_LE(s.integrated_lufs, hi + 1e-6) << seed;
    // The loudness range: the gate as above, each percentile within a bin (0.01 LU).
    double lra_min = kInf, lra_max = -kInf;
    for (int k = -10; k <= 10; ++k) {
      const double v = reference_lra(r, 0.0005 * k);
      lra_min = std::min(lra_min, v);
      lra_max = std::max(lra_max, v);
    }
    EXPECT_GE(s.loudness_range_lu, lra_min - 0.02) << seed;
    EXPECT_LE(s.loudness_range_lu, lra_max + 0.02) << seed;
    EXPECT_GT(s.loudness_range_lu, 5.0) << seed;
    std::printf(
        "seed %u: I %.6f LUFS (exact %.6f, gate -/+0.005 LU: %.6f, %.6f), LRA %.6f LU (exact "
        "%.6f, %.6f .. %.6f), %zu gating blocks\n",
        seed, s.integrated_lufs, mid, lo, hi, s.loudness_range_lu, reference_lra(r, 0.0), lra_min,
        lra_max, r.gating.size());
  }
}

TEST(Gating, TheBinOfTheRelativeGate) {
  // 30 s of a 1 kHz sine at level 1, then 30 s at level 2 whose blocks sit 0.002 LU from the
  // relative gate, inside the gate's 0.01 LU bin [-40.01, -40.00). The first level-2 block
  // (30.0 to 30.4 s) still carries the K-weighting's ringing from the louder level and reads
  // 0.0044 LU above the others.
  //  - level 2 at -40.001, gate at -40.003: every block of the gate's bin is above the gate,
  //    the result is exact although the gate falls inside the bin;
  //  - level 2 at -40.009, gate at -40.007: the ringing block (-40.0046) is above the gate,
  //    the others below: the documented rule takes the bin whole (moving the gate down to its
  //    smallest block, 0.002 LU) rather than leaving it out (up to its largest, 0.0024 LU),
  //    which is exact gating with the gate so moved. The exact result is discontinuous there
  //    (296 blocks cross the gate): it moves by 2.75 LU, within the documented bound.
  const double gain = k_weighting_power_gain_1k_48k();
  const auto amplitude_db_for = [&](double lufs) {  // steady stereo sine of that loudness
    return 20.0 * std::log10(std::sqrt(std::pow(10.0, (lufs + 0.691) / 10.0) / gain));
  };
  for (const bool one_sided : {true, false}) {
    const double l2 = one_sided ? -40.001 : -40.009;
    const double gate = one_sided ? -40.003 : -40.007;
    // Blocks: 297 at E1, 297 at E2, 3 + 3 across the step (1.5 E1 + 1.5 E2 in all): the
    // absolute-gated mean is (E1 + E2) / 2 = 10^((gate + 10 + 0.691) / 10).
    const double e2 = std::pow(10.0, (l2 + 0.691) / 10.0);
    const double e1 = 2.0 * std::pow(10.0, (gate + 10.0 + 0.691) / 10.0) - e2;
    const std::vector<double> x =
        sine_signal(48000.0, 2, 1000.0,
                    {{amplitude_db_for(energy_lufs(e1)), 30.0}, {amplitude_db_for(l2), 30.0}});
    const ReferenceBlocks r = reference_blocks(x);
    // From the reference: the gate, and the blocks of its bin on each side of it.
    const double g = reference_gate(r.gating, 10.0);
    ASSERT_NEAR(g, gate, 2e-4);
    double lowest = kInf, highest = -kInf;
    for (const double b : r.gating) {
      const double l = energy_lufs(b);
      if (l >= -40.01 && l < -40.0) {
        lowest = std::min(lowest, l);
        highest = std::max(highest, l);
      }
    }
    ASSERT_GT(highest, g);
    ASSERT_EQ(lowest < g, !one_sided);
    const double exact = reference_integrated(r, 0.0);
    // The rule: in whole (gate just below the lowest) if that moves the gate no more than out
    // (gate at the highest, the comparison being strict).
    double expected = exact;
    if (!one_sided) {
      expected = g - lowest <= highest - g ? reference_integrated(r, lowest - 1e-9 - g)
                                           : reference_integrated(r, highest - g);
    }
    const LoudnessStats s =
        measure_loudness(InterleavedAudio<const double>{x, 2}, 48000.0, kNoTruePeak);
    EXPECT_NEAR(s.integrated_lufs, expected, 1e-6) << one_sided;
    if (!one_sided) {
      // The documented bound on the effect of k blocks crossing the gate, N staying in:
      // 10 log10(1 + k / N); here k = 296, N = 301 (the blocks above -40.007).
      const double jump = std::fabs(s.integrated_lufs - exact);
      EXPECT_GT(jump, 2.0);
      EXPECT_LT(jump, 10.0 * std::log10(1.0 + 296.0 / 301.0));
    }
    std::printf("gate bin %s: I %.4f LUFS, exact %.4f, gate %.4f, bin's blocks %.4f .. %.4f\n",
                one_sided ? "one-sided" : "two-sided", s.integrated_lufs, exact, g, lowest,
                highest);
  }
}

// ---- Silence, short and empty input -------------------------------------------------------

TEST(Undefined, SilenceIsMinusInfinity) {
  const std::vector<double> x(2 * 48000 * 5, 0.0);
  const LoudnessStats s = measure_loudness(InterleavedAudio<const double>{x, 2}, 48000.0);
  EXPECT_EQ(s.integrated_lufs, -kInf);
  EXPECT_EQ(s.max_momentary_lufs, -kInf);
  EXPECT_EQ(s.max_short_term_lufs, -kInf);
  EXPECT_EQ(s.sample_peak_dbfs, -kInf);
  EXPECT_EQ(s.true_peak_dbtp, -kInf);
  EXPECT_EQ(s.loudness_range_lu, 0.0);
  EXPECT_EQ(s.frames, 240000u);
}

TEST(Undefined, BelowTheAbsoluteGate) {
  // -80 dBFS: momentary about -80 LUFS, below the -70 LUFS gate, so no integrated loudness.
  const LoudnessStats s = meter_sine(48000.0, 2, 1000.0, {{-80.0, 4.0}}, kNoTruePeak);
  EXPECT_EQ(s.integrated_lufs, -kInf);
  EXPECT_NEAR(s.max_momentary_lufs, -80.0, 0.1);
  EXPECT_EQ(s.loudness_range_lu, 0.0);
}

TEST(Undefined, ShortInputs) {
  // 399.98 ms: no 400 ms block yet. 400 ms: one momentary block (and one gating block).
  // 2.9 s: momentary but no short-term window.
  const auto x = sine_signal(48000.0, 2, 1000.0, {{-20.0, 3.0}});
  const auto measure = [&](std::size_t frames) {
    return measure_loudness(
        InterleavedAudio<const double>{std::span<const double>(x.data(), 2 * frames), 2}, 48000.0);
  };
  const LoudnessStats a = measure(19199);
  EXPECT_EQ(a.integrated_lufs, -kInf);
  EXPECT_EQ(a.max_momentary_lufs, -kInf);
  EXPECT_EQ(a.max_short_term_lufs, -kInf);
  EXPECT_NEAR(a.sample_peak_dbfs, -20.0, 1e-9);
  const LoudnessStats b = measure(19200);
  EXPECT_NEAR(b.integrated_lufs, -20.0, 0.1);
  EXPECT_NEAR(b.max_momentary_lufs, -20.0, 0.1);
  EXPECT_EQ(b.max_short_term_lufs, -kInf);
  const LoudnessStats c = measure(139200);
  EXPECT_EQ(c.max_short_term_lufs, -kInf);
  EXPECT_EQ(c.loudness_range_lu, 0.0);
  const LoudnessStats d = measure(144000);
  EXPECT_NEAR(d.max_short_term_lufs, -20.0, 0.1);

  const LoudnessStats e =
      measure_loudness(InterleavedAudio<const float>{std::span<const float>(), 6}, 44100.0);
  EXPECT_EQ(e.frames, 0u);
  EXPECT_EQ(e.channels, 6u);
  EXPECT_EQ(e.integrated_lufs, -kInf);
  EXPECT_EQ(e.sample_peak_dbfs, -kInf);
  EXPECT_EQ(e.true_peak_dbtp, -kInf);
}

// ---- Bad input ----------------------------------------------------------------------------

template <class E, class F>
void expect_error(F&& f, const std::string& field) {
  try {
    f();
    ADD_FAILURE() << "no exception, expected one naming " << field;
  } catch (const E& e) {
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

TEST(BadInput, SampleRate) {
  const std::vector<double> x(2 * 100, 0.1);
  for (const double fs : {0.0, -48000.0, 7999.0, 384001.0, 44100.5, kInf, -kInf,
                          std::numeric_limits<double>::quiet_NaN()}) {
    expect_error<auralis::InvalidSettings>(
        [&] {
          (void)measure_loudness(InterleavedAudio<const double>{x, 2}, fs);
        },
        "sample_rate");
    expect_error<auralis::InvalidSettings>([&] { LoudnessMeter m(fs, 2); }, "sample_rate");
  }
  EXPECT_NO_THROW(LoudnessMeter(8000.0, 1));
  // Largest accepted sample: measured, finite.
  const std::vector<double> big(2 * 48000, auralis::max_loudness_sample);
  const LoudnessStats s = measure_loudness(InterleavedAudio<const double>{big, 2}, 48000.0);
  EXPECT_TRUE(std::isfinite(s.true_peak_dbtp) && std::isfinite(s.max_momentary_lufs));
  EXPECT_NEAR(s.sample_peak_dbfs, 20.0 * std::log10(0x1p100), 1e-9);
  EXPECT_NO_THROW(LoudnessMeter(384000.0, 6));
}

TEST(BadInput, Channels) {
  const std::vector<float> x(8 * 100, 0.1f);
  for (const std::size_t ch : {0u, 3u, 4u, 7u, 8u, 64u}) {
    expect_error<auralis::InvalidSettings>(
        [&] {
          (void)measure_loudness(InterleavedAudio<const float>{x, ch}, 48000.0);
        },
        "channels");
    expect_error<auralis::InvalidSettings>([&] { LoudnessMeter m(48000.0, ch); }, "channels");
  }
}

TEST(BadInput, SamplesAndUnchangedState) {
  const auto good = varied_signal<double>(2, 48000.0, 21u, 4.0);
  const std::size_t half = good.size() / 2;
  LoudnessMeter meter(48000.0, 2);
  meter.add(std::span<const double>(good.data(), half));
  const LoudnessStats before = meter.stats();

  // Partial frame, NaN and infinities late in an otherwise good block.
  std::vector<double> bad(good.begin() + static_cast<std::ptrdiff_t>(half), good.end());
  expect_error<auralis::InvalidAudio>(
      [&] { meter.add(std::span<const double>(bad.data(), bad.size() - 1)); }, "samples");
  for (const double v : {std::numeric_limits<double>::quiet_NaN(), kInf, -kInf, 0x1p101, -1e38}) {
    std::vector<double> b = bad;
    b[b.size() - 3] = v;
    expect_error<auralis::InvalidAudio>([&] { meter.add(std::span<const double>(b)); }, "samples");
    expect_error<auralis::InvalidAudio>(
        [&] {
          (void)measure_loudness(InterleavedAudio<const double>{b, 2}, 48000.0);
        },
        "samples");
    std::vector<float> bf(b.begin(), b.end());
    expect_error<auralis::InvalidAudio>([&] { meter.add(std::span<const float>(bf)); }, "samples");
  }
  expect_same_stats(meter.stats(), before);
  EXPECT_EQ(meter.frames(), half / 2);
  // The rejected blocks left no trace: finishing with the good half gives the offline result.
  meter.add(std::span<const double>(bad));
  expect_same_stats(meter.stats(),
                    measure_loudness(InterleavedAudio<const double>{good, 2}, 48000.0));
}

TEST(BadInput, ErrorTypes) {
  const std::vector<double> x(3, 0.0);
  try {
    (void)measure_loudness(InterleavedAudio<const double>{x, 2}, 48000.0);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(dynamic_cast<const auralis::InvalidAudio*>(&e), nullptr);
  }
}

}  // namespace
