// SPDX-License-Identifier: GPL-3.0-or-later
// Every bad-input rule: exact error type, field name and message; valid extremes stay finite.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "auralis/auralis.hpp"
#include "support/result_equality.hpp"

namespace {

using auralis::InterleavedAudio;
using auralis::InvalidAudio;
using auralis::InvalidSettings;
using auralis::MetricConvention;
using auralis::SpectrumAnalyzer;
using auralis::SpectrumAnalyzerF;
using auralis::SpectrumResult;
using auralis::SpectrumSettings;
using auralis::Weighting;
using auralis::WindowType;

static_assert(std::is_base_of_v<std::invalid_argument, InvalidSettings>);
static_assert(std::is_base_of_v<std::invalid_argument, InvalidAudio>);
static_assert(!std::is_base_of_v<InvalidSettings, InvalidAudio>);
static_assert(!std::is_base_of_v<InvalidAudio, InvalidSettings>);

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Runs `f`, expecting exactly error type E whose field() is `field` and whose what() names it
// (and contains `detail` when given).
template <class E>
void ExpectError(const std::function<void()>& f, const std::string& field,
                 const std::string& detail = "") {
  EXPECT_THROW(f(), E);
  try {
    f();
  } catch (const E& e) {
    EXPECT_EQ(e.field(), field);
    const std::string what = e.what();
    EXPECT_NE(what.find(field), std::string::npos) << what;
    if (!detail.empty()) {
      EXPECT_NE(what.find(detail), std::string::npos) << what;
    }
  } catch (...) {
    // Reported by EXPECT_THROW above.
  }
}

// A setting error must come from validate() and from both analyzers' constructors.
void ExpectBadSettings(const SpectrumSettings& s, const std::string& field,
                       bool checked_by_validate = true) {
  if (checked_by_validate) {
    ExpectError<InvalidSettings>([&] { auralis::validate(s); }, field);
  }
  ExpectError<InvalidSettings>([&] { SpectrumAnalyzer a(s); }, field);
  ExpectError<InvalidSettings>([&] { SpectrumAnalyzerF a(s); }, field);
}

void ExpectGoodSettings(const SpectrumSettings& s) {
  EXPECT_NO_THROW(auralis::validate(s));
  EXPECT_NO_THROW(SpectrumAnalyzer a(s));
  EXPECT_NO_THROW(SpectrumAnalyzerF a(s));
}

std::vector<double> Sine(std::size_t len, double freq = 1000.0, double sr = 44100.0,
                         double amp = 0.5) {
  std::vector<double> x(len);
  for (std::size_t i = 0; i < len; ++i) {
    x[i] = amp * std::sin(2.0 * std::numbers::pi * freq * static_cast<double>(i) / sr);
  }
  return x;
}

template <class T>
std::vector<T> Cast(const std::vector<double>& x) {
  std::vector<T> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<T>(x[i]);
  return out;
}

void ExpectIdentical(const SpectrumResult& a, const SpectrumResult& b) {
  auralis::test_support::expect_identical_values(a, b);
}

// ---------------------------------------------------------------------------------------------
// Settings.

TEST(BadSettings, DefaultsAreValid) { ExpectGoodSettings(SpectrumSettings{}); }

TEST(BadSettings, FftSizeOutOfRange) {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, (std::size_t{1} << 20) + 1,
                        std::size_t{1} << 30}) {
    SCOPED_TRACE("fft_size=" + std::to_string(n));
    SpectrumSettings s;
    s.fft_size = n;
    ExpectBadSettings(s, "fft_size");
  }
}

TEST(BadSettings, FftSizeLimitsAccepted) {
  for (std::size_t n : {std::size_t{16}, std::size_t{17}, std::size_t{1000}}) {
    SCOPED_TRACE("fft_size=" + std::to_string(n));
    SpectrumSettings s;
    s.fft_size = n;
    ExpectGoodSettings(s);
    const SpectrumResult r = SpectrumAnalyzer(s).analyze_file(Sine(3 * n));
    EXPECT_EQ(r.num_chunks_analyzed, (3 * n - n) / auralis::hop_size(s) + 1);
  }
  SpectrumSettings big;
  big.fft_size = std::size_t{1} << 20;  // constructed only: no huge analysis
  ExpectGoodSettings(big);
}

TEST(BadSettings, OverlapOutOfRange) {
  for (double o : {-0.1, -1e-300, 1.0, 1.5, kNaN, kInf, -kInf}) {
    SCOPED_TRACE("overlap=" + std::to_string(o));
    SpectrumSettings s;
    s.overlap = o;
    ExpectBadSettings(s, "overlap");
  }
  for (double o : {0.0, 0.5, 0.99}) {
    SpectrumSettings s;
    s.overlap = o;
    ExpectGoodSettings(s);
  }
}

TEST(BadSettings, OverlapGivingZeroHop) {
  struct Case {
    std::size_t n;
    double overlap;
  };
  // hop = floor(N (1 - overlap)) = 0.
  for (const Case& c :
       {Case{16, 0.95}, Case{16, 0.9375 + 1e-9}, Case{4096, 0.99999}, Case{100, 0.995}}) {
    SCOPED_TRACE("fft_size=" + std::to_string(c.n) + " overlap=" + std::to_string(c.overlap));
    SpectrumSettings s;
    s.fft_size = c.n;
    s.overlap = c.overlap;
    ExpectBadSettings(s, "overlap");
  }
  SpectrumSettings s;  // hop exactly 1
  s.fft_size = 16;
  s.overlap = 0.9375;
  ExpectGoodSettings(s);
  EXPECT_EQ(SpectrumAnalyzer(s).analyze_file(Sine(20)).num_chunks_analyzed, 5u);
}

TEST(BadSettings, SampleRateInSettings) {
  for (double sr : {0.0, -0.0, -1.0, -44100.0, kNaN, kInf, -kInf}) {
    SCOPED_TRACE("sample_rate=" + std::to_string(sr));
    SpectrumSettings s;
    s.sample_rate = sr;
    ExpectBadSettings(s, "sample_rate");
  }
}

TEST(BadSettings, SampleRateArgumentOfAnalyzeFile) {
  const SpectrumAnalyzer a;
  const SpectrumAnalyzerF af;
  const std::vector<double> x = Sine(5000);
  const std::vector<float> xf = Cast<float>(x);
  const std::vector<double> stereo = Sine(10000);
  for (double sr : {0.0, -1.0, kNaN, kInf, -kInf}) {
    SCOPED_TRACE("sample_rate=" + std::to_string(sr));
    ExpectError<InvalidSettings>([&] { (void)a.analyze_file(x, sr); }, "sample_rate");
    ExpectError<InvalidSettings>([&] { (void)a.analyze_file(std::span<const float>(xf), sr); },
                                 "sample_rate");
    ExpectError<InvalidSettings>([&] { (void)af.analyze_file(x, sr); }, "sample_rate");
    ExpectError<InvalidSettings>(
        [&] {
          (void)a.analyze_file(InterleavedAudio<const double>{stereo, 2}, sr);
        },
        "sample_rate");
  }
}

TEST(BadSettings, FrequencyBandsZero) {
  SpectrumSettings s;
  s.frequency_bands = 0;
  ExpectBadSettings(s, "frequency_bands");
  s.frequency_bands = 1;
  ExpectGoodSettings(s);
  const SpectrumResult r = SpectrumAnalyzer(s).analyze_file(Sine(8192));
  EXPECT_EQ(r.spectrum.size(), 1u);
  EXPECT_TRUE(std::isfinite(r.spectrum[0]));
}

TEST(BadSettings, MinFrequencyInvalid) {
  for (double f : {kNaN, kInf, -kInf, 0.0, -0.0, -20.0}) {
    SCOPED_TRACE("min_frequency=" + std::to_string(f));
    SpectrumSettings s;
    s.min_frequency = f;
    ExpectBadSettings(s, "min_frequency");
  }
}

TEST(BadSettings, MaxFrequencyInvalid) {
  for (double f : {kNaN, kInf, -kInf, 0.0, -20000.0}) {
    SCOPED_TRACE("max_frequency=" + std::to_string(f));
    SpectrumSettings s;
    s.max_frequency = f;
    ExpectBadSettings(s, "max_frequency");
  }
}

// min >= max is reported on max_frequency (its rule is "> min_frequency").
TEST(BadSettings, MinNotBelowMax) {
  struct Case {
    double lo, hi;
  };
  for (const Case& c : {Case{1000.0, 1000.0}, Case{1000.0, 999.0}, Case{20000.0, 20.0}}) {
    SCOPED_TRACE("min=" + std::to_string(c.lo) + " max=" + std::to_string(c.hi));
    SpectrumSettings s;
    s.min_frequency = c.lo;
    s.max_frequency = c.hi;
    ExpectBadSettings(s, "max_frequency");
  }
}

// min_frequency must lie below Nyquist of the sample rate in use (checked by the constructor and
// by analyze_file's sample_rate argument; validate() alone does not know it).
TEST(BadSettings, MinFrequencyAboveNyquist) {
  for (double lo : {4000.0, 5000.0}) {
    SCOPED_TRACE("min_frequency=" + std::to_string(lo));
    SpectrumSettings s;
    s.sample_rate = 8000.0;
    s.min_frequency = lo;
    s.max_frequency = 6000.0;
    ExpectBadSettings(s, "min_frequency", /*checked_by_validate=*/false);
  }
  SpectrumSettings s;
  s.min_frequency = 10000.0;
  s.max_frequency = 20000.0;
  const SpectrumAnalyzer a(s);
  const std::vector<double> x = Sine(5000);
  EXPECT_NO_THROW((void)a.analyze_file(x, 44100.0));
  ExpectError<InvalidSettings>([&] { (void)a.analyze_file(x, 20000.0); }, "min_frequency");
  ExpectError<InvalidSettings>([&] { (void)a.analyze_file(x, 16000.0); }, "min_frequency");
  // Nyquist just above min_frequency is fine.
  EXPECT_NO_THROW((void)a.analyze_file(x, 20000.5));
}

// Found by fuzzing: edges and rates so extreme that the weighting curves' powers of f underflow
// or overflow (levels of -inf, NaN centroids) are rejected; the limits themselves work.
TEST(BadSettings, FrequencyLimitsOfTheWeightingCurves) {
  const double max = std::numeric_limits<double>::max();
  for (double f : {1e-4, 2.05e-289, 5e-324}) {
    SCOPED_TRACE("min_frequency=" + std::to_string(f));
    SpectrumSettings s;
    s.min_frequency = f;
    ExpectBadSettings(s, "min_frequency");
  }
  for (double f : {1.0000001e9, 1e300, max}) {
    SCOPED_TRACE("max_frequency=" + std::to_string(f));
    SpectrumSettings s;
    s.max_frequency = f;
    ExpectBadSettings(s, "max_frequency");
  }
  for (double sr : {1.0000001e9, 1e300, max}) {
    SCOPED_TRACE("sample_rate=" + std::to_string(sr));
    SpectrumSettings s;
    s.sample_rate = sr;
    ExpectBadSettings(s, "sample_rate");
    const SpectrumAnalyzer a;
    ExpectError<InvalidSettings>([&] { (void)a.analyze_file(Sine(5000), sr); }, "sample_rate");
  }
  // At the limits, in every weighting and both conventions: finite results.
  for (Weighting w : {Weighting::A, Weighting::C, Weighting::Z}) {
    for (MetricConvention c : {MetricConvention::standard, MetricConvention::auralis}) {
      SpectrumSettings s;
      s.frequency_weighting = w;
      s.metric_convention = c;
      s.min_frequency = 1e-3;
      s.max_frequency = 1e9;
      s.sample_rate = 1e9;
      const SpectrumResult r = SpectrumAnalyzer(s).analyze_file(Sine(9000, 1e6, 1e9));
      for (double v : r.spectrum) ASSERT_TRUE(std::isfinite(v));
      EXPECT_TRUE(std::isfinite(r.spectral_centroid));
      EXPECT_TRUE(std::isfinite(r.spectral_rolloff));
      EXPECT_TRUE(std::isfinite(r.total_energy));
    }
  }
}

// hop_size is public: it answers 0 (invalid) instead of overflowing a conversion.
TEST(BadSettings, HopSizeNeverOverflows) {
  SpectrumSettings s;
  for (double o : {-kInf, -1e300, kNaN, kInf, 1.0}) {
    s.overlap = o;
    EXPECT_EQ(auralis::hop_size(s), 0u) << o;
  }
  s.overlap = 0.0;
  s.fft_size = std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(auralis::hop_size(s), 0u);
  s.fft_size = 4096;
  s.overlap = 0.75;
  EXPECT_EQ(auralis::hop_size(s), 1024u);
}

TEST(BadSettings, SmoothingFactorOutOfRange) {
  for (double a : {-0.1, 1.0, 1.1, kNaN, kInf, -kInf}) {
    SCOPED_TRACE("smoothing_factor=" + std::to_string(a));
    SpectrumSettings s;
    s.smoothing_factor = a;
    ExpectBadSettings(s, "smoothing_factor");
  }
  SpectrumSettings s;
  s.smoothing_factor = 0.0;
  ExpectGoodSettings(s);
  s.smoothing_factor = 0.999;
  ExpectGoodSettings(s);
}

TEST(BadSettings, UnknownEnumValues) {
  for (int v : {-1, 3, 7, 255}) {  // Weighting has A, C, Z = 0..2
    SCOPED_TRACE("frequency_weighting=" + std::to_string(v));
    SpectrumSettings s;
    s.frequency_weighting = static_cast<Weighting>(v);
    ExpectBadSettings(s, "frequency_weighting");
  }
  for (int v : {-1, 4, 9, 255}) {  // WindowType has 4 values = 0..3
    SCOPED_TRACE("window_type=" + std::to_string(v));
    SpectrumSettings s;
    s.window_type = static_cast<WindowType>(v);
    ExpectBadSettings(s, "window_type");
  }
  for (int v : {-1, 2, 7, 255}) {  // MetricConvention has 2 values = 0..1
    SCOPED_TRACE("metric_convention=" + std::to_string(v));
    SpectrumSettings s;
    s.metric_convention = static_cast<MetricConvention>(v);
    ExpectBadSettings(s, "metric_convention");
  }
}

// ---------------------------------------------------------------------------------------------
// Audio.

TEST(BadAudio, EmptyInput) {
  SpectrumAnalyzer a;
  SpectrumAnalyzerF af;
  const std::span<const double> none;
  const std::span<const float> nonef;
  ExpectError<InvalidAudio>([&] { (void)a.analyze_file(none); }, "samples");
  ExpectError<InvalidAudio>([&] { (void)a.analyze_file(nonef); }, "samples");
  ExpectError<InvalidAudio>([&] { (void)af.analyze_file(none); }, "samples");
  ExpectError<InvalidAudio>([&] { (void)a.analyze_file(none, 48000.0); }, "samples");
  ExpectError<InvalidAudio>(
      [&] {
        (void)a.analyze_file(InterleavedAudio<const double>{none, 2});
      },
      "samples");
  ExpectError<InvalidAudio>([&] { (void)a.analyze_chunk(none); }, "chunk");
  ExpectError<InvalidAudio>([&] { (void)af.analyze_chunk(nonef); }, "chunk");
  ExpectError<InvalidAudio>(
      [&] {
        (void)a.analyze_chunk(InterleavedAudio<const float>{nonef, 2});
      },
      "chunk");
  SpectrumResult out;
  ExpectError<InvalidAudio>([&] { a.analyze_chunk(none, out); }, "chunk");
}

TEST(BadAudio, ZeroChannels) {
  SpectrumAnalyzer a;
  const std::vector<double> x = Sine(8192);
  ExpectError<InvalidAudio>(
      [&] {
        (void)a.analyze_file(InterleavedAudio<const double>{x, 0});
      },
      "channels");
  ExpectError<InvalidAudio>(
      [&] {
        (void)a.analyze_chunk(InterleavedAudio<const double>{std::span(x).first(100), 0});
      },
      "channels");
  const std::vector<float> xf = Cast<float>(x);
  ExpectError<InvalidAudio>(
      [&] {
        (void)a.analyze_file(InterleavedAudio<const float>{xf, 0});
      },
      "channels");
}

TEST(BadAudio, SampleCountNotMultipleOfChannels) {
  SpectrumAnalyzer a;
  const std::vector<double> x = Sine(8191);
  struct Case {
    std::size_t size, channels;
  };
  for (const Case& c : {Case{8191, 2}, Case{8191, 6}, Case{1, 2}, Case{100, 8}}) {
    SCOPED_TRACE("size=" + std::to_string(c.size) + " channels=" + std::to_string(c.channels));
    const auto part = std::span<const double>(x).first(c.size);
    ExpectError<InvalidAudio>(
        [&] {
          (void)a.analyze_file(InterleavedAudio<const double>{part, c.channels});
        },
        "samples", std::to_string(c.size));
    if (c.size / c.channels <= 4096) {
      ExpectError<InvalidAudio>(
          [&] {
            (void)a.analyze_chunk(InterleavedAudio<const double>{part, c.channels});
          },
          "chunk", std::to_string(c.size));
    }
  }
}

TEST(BadAudio, ChunkLongerThanFftSize) {
  SpectrumSettings s;
  s.fft_size = 1024;
  SpectrumAnalyzer a(s);
  SpectrumAnalyzerF af(s);
  const std::vector<double> x = Sine(4096);
  ExpectError<InvalidAudio>([&] { (void)a.analyze_chunk(std::span(x).first(1025)); }, "chunk",
                            "1025");
  ExpectError<InvalidAudio>([&] { (void)af.analyze_chunk(std::span(x).first(4096)); }, "chunk");
  // Stereo: 1025 sample frames (2050 samples) are too many; 1024 frames are fine.
  ExpectError<InvalidAudio>(
      [&] {
        (void)a.analyze_chunk(InterleavedAudio<const double>{std::span(x).first(2050), 2});
      },
      "chunk", "1025");
  EXPECT_NO_THROW(
      (void)a.analyze_chunk(InterleavedAudio<const double>{std::span(x).first(2048), 2}));
  EXPECT_NO_THROW((void)a.analyze_chunk(std::span(x).first(1024)));
}

template <class T>
class NonFiniteSamples : public ::testing::Test {};
using SampleTypes = ::testing::Types<double, float>;
TYPED_TEST_SUITE(NonFiniteSamples, SampleTypes);

// NaN, +inf and -inf at the first, a middle and the last sample: InvalidAudio naming the index.
TYPED_TEST(NonFiniteSamples, RejectedWithIndex) {
  using T = TypeParam;
  struct Bad {
    T value;
    const char* kind;
  };
  const Bad bads[] = {{std::numeric_limits<T>::quiet_NaN(), "NaN"},
                      {std::numeric_limits<T>::infinity(), "+inf"},
                      {-std::numeric_limits<T>::infinity(), "-inf"}};
  SpectrumAnalyzer a;
  SpectrumAnalyzerF af;
  const std::vector<T> clean = Cast<T>(Sine(10000));  // spans several scan blocks
  for (const Bad& bad : bads) {
    for (std::size_t pos : {std::size_t{0}, std::size_t{4095}, std::size_t{4096}, std::size_t{5000},
                            std::size_t{9999}}) {
      SCOPED_TRACE(std::string(bad.kind) + " at " + std::to_string(pos));
      std::vector<T> x = clean;
      x[pos] = bad.value;
      const std::string idx = "sample " + std::to_string(pos) + " ";
      ExpectError<InvalidAudio>([&] { (void)a.analyze_file(std::span<const T>(x)); }, "samples",
                                idx);
      ExpectError<InvalidAudio>([&] { (void)af.analyze_file(std::span<const T>(x)); }, "samples",
                                bad.kind);
      // Stereo: the index is the interleaved sample index.
      ExpectError<InvalidAudio>(
          [&] {
            (void)a.analyze_file(InterleavedAudio<const T>{std::span<const T>(x), 2});
          },
          "samples", idx);
      if (pos < 4096) {
        const auto chunk = std::span<const T>(x).first(4096);
        ExpectError<InvalidAudio>([&] { (void)a.analyze_chunk(chunk); }, "chunk", idx);
        ExpectError<InvalidAudio>([&] { (void)af.analyze_chunk(chunk); }, "chunk", bad.kind);
      }
    }
    // Last sample of a chunk, short chunk.
    std::vector<T> shortx(clean.begin(), clean.begin() + 100);
    shortx.back() = bad.value;
    ExpectError<InvalidAudio>([&] { (void)a.analyze_chunk(std::span<const T>(shortx)); }, "chunk",
                              "sample 99 ");
    ExpectError<InvalidAudio>([&] { (void)a.analyze_file(std::span<const T>(shortx)); }, "samples",
                              "sample 99 ");
  }
}

// After an InvalidAudio from analyze_chunk the smoothing state is unchanged: the next valid
// chunk gives the same result as if the bad call had never happened.
TEST(BadAudio, FailedChunkLeavesSmoothingStateUnchanged) {
  SpectrumSettings s;
  s.fft_size = 1024;
  const std::vector<double> x = Sine(4096, 700.0);
  const std::vector<double> y = Sine(1024, 5000.0, 44100.0, 0.1);
  std::vector<double> nan_last(x.begin(), x.begin() + 1024);
  nan_last.back() = kNaN;
  std::vector<double> inf_first(x.begin(), x.begin() + 1024);
  inf_first.front() = -kInf;
  const std::vector<std::function<void(SpectrumAnalyzer&)>> bad_calls = {
      [&](SpectrumAnalyzer& a) { (void)a.analyze_chunk(std::span<const double>(nan_last)); },
      [&](SpectrumAnalyzer& a) { (void)a.analyze_chunk(std::span<const double>(inf_first)); },
      [&](SpectrumAnalyzer& a) { (void)a.analyze_chunk(std::span(x).first(1025)); },
      [&](SpectrumAnalyzer& a) { (void)a.analyze_chunk(std::span<const double>()); },
      [&](SpectrumAnalyzer& a) {
        (void)a.analyze_chunk(InterleavedAudio<const double>{std::span(x).first(1023), 2});
      },
      [&](SpectrumAnalyzer& a) {
        SpectrumResult out;
        a.analyze_chunk(std::span<const double>(nan_last), out);
      },
  };
  for (std::size_t i = 0; i < bad_calls.size(); ++i) {
    SCOPED_TRACE("bad call " + std::to_string(i));
    SpectrumAnalyzer with_bad(s);
    SpectrumAnalyzer clean(s);
    ExpectIdentical(with_bad.analyze_chunk(std::span(x).first(1024)),
                    clean.analyze_chunk(std::span(x).first(1024)));
    EXPECT_THROW(bad_calls[i](with_bad), InvalidAudio);
    ExpectIdentical(with_bad.analyze_chunk(std::span<const double>(y)),
                    clean.analyze_chunk(std::span<const double>(y)));
    ExpectIdentical(with_bad.analyze_chunk(std::span(x).subspan(2000, 1024)),
                    clean.analyze_chunk(std::span(x).subspan(2000, 1024)));
  }
  // The same holds for the very first call (state not yet primed).
  SpectrumAnalyzer first_bad(s);
  EXPECT_THROW(bad_calls[0](first_bad), InvalidAudio);
  ExpectIdentical(first_bad.analyze_chunk(std::span<const double>(y)),
                  SpectrumAnalyzer(s).analyze_chunk(std::span<const double>(y)));
}

// A failed call leaves the reusable output's storage usable and the analyzer working.
TEST(BadAudio, FailedRealTimeCallKeepsWorking) {
  SpectrumSettings s;
  s.fft_size = 1024;
  SpectrumAnalyzer a(s);
  const std::vector<double> x = Sine(1024);
  SpectrumResult out;
  a.analyze_chunk(std::span<const double>(x), out);
  std::vector<double> bad = x;
  bad[512] = kNaN;
  EXPECT_THROW(a.analyze_chunk(std::span<const double>(bad), out), InvalidAudio);
  a.analyze_chunk(std::span<const double>(x), out);
  for (double v : out.spectrum) EXPECT_TRUE(std::isfinite(v));
}

// ---------------------------------------------------------------------------------------------
// Valid extremes: every field finite.

void ExpectAllFinite(const SpectrumResult& r, std::size_t bands) {
  ASSERT_EQ(r.spectrum.size(), bands);
  ASSERT_EQ(r.frequency_bins.size(), bands);
  for (std::size_t i = 0; i < bands; ++i) {
    EXPECT_TRUE(std::isfinite(r.spectrum[i])) << "band " << i << " = " << r.spectrum[i];
    EXPECT_TRUE(std::isfinite(r.frequency_bins[i])) << "edge " << i;
  }
  EXPECT_TRUE(std::isfinite(r.peak_frequency)) << r.peak_frequency;
  EXPECT_TRUE(std::isfinite(r.spectral_centroid)) << r.spectral_centroid;
  EXPECT_TRUE(std::isfinite(r.spectral_rolloff)) << r.spectral_rolloff;
  EXPECT_TRUE(std::isfinite(r.total_energy)) << r.total_energy;
  EXPECT_TRUE(std::isfinite(r.analysis_duration)) << r.analysis_duration;
  EXPECT_GE(r.num_chunks_analyzed, 1u);
}

template <class A>
class ValidExtremes : public ::testing::Test {};
using Analyzers = ::testing::Types<SpectrumAnalyzer, SpectrumAnalyzerF>;
TYPED_TEST_SUITE(ValidExtremes, Analyzers);

constexpr MetricConvention kConventions[] = {MetricConvention::auralis, MetricConvention::standard};

// Subnormal samples (and spectra whose largest |X_k| is itself subnormal): every band sits at the
// -200 dB floor (|X_k| << 1e-10), +1 dB for Z in the auralis convention (sic); nothing is NaN.
TYPED_TEST(ValidExtremes, Denormals) {
  const double tiny = std::numeric_limits<double>::denorm_min();
  std::vector<std::vector<double>> inputs = {
      Sine(20000, 1000.0, 44100.0, 1e-310),  // |X| ~ 1e-307: normal
      Sine(20000, 1000.0, 44100.0, 1e-320),  // |X| subnormal
      std::vector<double>(20000, tiny),      // constant 4.9e-324
  };
  inputs.emplace_back(4096, 0.0);
  inputs.back()[2048] = tiny;  // one subnormal impulse
  for (MetricConvention conv : kConventions) {
    SpectrumSettings s;
    s.metric_convention = conv;
    s.frequency_weighting = Weighting::Z;
    const double floor = conv == MetricConvention::standard ? -200.0 : -199.0;
    TypeParam a(s);
    for (std::size_t c = 0; c < inputs.size(); ++c) {
      SCOPED_TRACE(std::string(auralis::to_string(conv)) + " input " + std::to_string(c));
      const std::vector<double>& x = inputs[c];
      const SpectrumResult r = a.analyze_file(x);
      ExpectAllFinite(r, 64);
      for (double v : r.spectrum) EXPECT_NEAR(v, floor, 1e-9);
      ExpectAllFinite(a.analyze_chunk(std::span(x).first(4096)), 64);
      if (conv == MetricConvention::standard) {
        EXPECT_GE(r.total_energy, 0.0);
        EXPECT_LT(r.total_energy, 1e-300);
      }
    }
    const std::vector<float> xf = Cast<float>(Sine(20000, 1000.0, 44100.0, 1e-40));
    const SpectrumResult rf = a.analyze_file(std::span<const float>(xf));
    ExpectAllFinite(rf, 64);
    for (double v : rf.spectrum) EXPECT_NEAR(v, floor, 1e-9);
  }
}

TYPED_TEST(ValidExtremes, HugeAmplitude) {
  for (MetricConvention conv : kConventions) {
    SCOPED_TRACE(std::string(auralis::to_string(conv)));
    SpectrumSettings s;
    s.metric_convention = conv;
    TypeParam a(s);
    const std::vector<double> x = Sine(20000, 1000.0, 44100.0, 1e30);
    ExpectAllFinite(a.analyze_file(x), 64);
    ExpectAllFinite(a.analyze_chunk(std::span(x).first(4096)), 64);
    const std::vector<float> xf = Cast<float>(x);
    ExpectAllFinite(a.analyze_file(std::span<const float>(xf)), 64);
  }
}

TYPED_TEST(ValidExtremes, SingleFrameAndSingleSample) {
  for (MetricConvention conv : kConventions) {
    SpectrumSettings s;
    s.metric_convention = conv;
    TypeParam a(s);
    const std::vector<double> x = Sine(4096);
    const SpectrumResult one = a.analyze_file(x);
    EXPECT_EQ(one.num_chunks_analyzed, 1u);
    ExpectAllFinite(one, 64);
    const SpectrumResult single = a.analyze_file(std::span(x).subspan(100, 1));
    EXPECT_EQ(single.num_chunks_analyzed, 1u);
    ExpectAllFinite(single, 64);
    ExpectAllFinite(a.analyze_chunk(std::span(x).subspan(100, 1)), 64);
  }
}

TYPED_TEST(ValidExtremes, HighSampleRate) {
  for (MetricConvention conv : kConventions) {
    SpectrumSettings s;
    s.metric_convention = conv;
    s.sample_rate = 96000.0;
    s.max_frequency = 40000.0;
    TypeParam a(s);
    const std::vector<double> x = Sine(96000, 30000.0, 96000.0);
    const SpectrumResult r = a.analyze_file(x);
    ExpectAllFinite(r, 64);
    EXPECT_EQ(r.analysis_duration, 1.0);
    ExpectAllFinite(TypeParam(SpectrumSettings{}).analyze_file(x, 96000.0), 64);
  }
}

TYPED_TEST(ValidExtremes, EightChannels) {
  for (MetricConvention conv : kConventions) {
    SpectrumSettings s;
    s.metric_convention = conv;
    TypeParam a(s);
    const std::vector<double> x = Sine(8 * 10000, 300.0);
    const SpectrumResult r = a.analyze_file(InterleavedAudio<const double>{x, 8});
    ExpectAllFinite(r, 64);
    EXPECT_EQ(r.num_chunks_analyzed, (10000u - 4096u) / 1024u + 1u);
    EXPECT_EQ(r.analysis_duration, 10000.0 / 44100.0);
    ExpectAllFinite(
        a.analyze_chunk(InterleavedAudio<const double>{std::span(x).first(8 * 4096), 8}), 64);
  }
}

TYPED_TEST(ValidExtremes, Silence) {
  for (MetricConvention conv : kConventions) {
    SCOPED_TRACE(std::string(auralis::to_string(conv)));
    SpectrumSettings s;
    s.metric_convention = conv;
    s.frequency_weighting = Weighting::Z;
    TypeParam a(s);
    const std::vector<double> zeros(20000, 0.0);
    const SpectrumResult r = a.analyze_file(zeros);
    ExpectAllFinite(r, 64);
    ExpectAllFinite(a.analyze_chunk(std::span(zeros).first(4096)), 64);
    if (conv == MetricConvention::standard) {
      // Silence: every bin 0 -> centroid, rolloff and peak 0 Hz, energy 0, bands -200 dB (Z: 0).
      EXPECT_EQ(r.spectral_centroid, 0.0);
      EXPECT_EQ(r.spectral_rolloff, 0.0);
      EXPECT_EQ(r.peak_frequency, 0.0);
      EXPECT_EQ(r.total_energy, 0.0);
      for (double v : r.spectrum) EXPECT_EQ(v, -200.0);
    } else {
      // auralis: every band at the floor -200 dB, +1 dB for Z (sic); smoothing a constant
      // keeps it up to rounding.
      for (double v : r.spectrum) EXPECT_NEAR(v, -199.0, 1e-9);
      EXPECT_NEAR(r.total_energy, -199.0 * 64.0, 1e-7);
      EXPECT_EQ(r.peak_frequency, r.frequency_bins.front());
    }
  }
}

}  // namespace
