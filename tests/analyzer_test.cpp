// SPDX-License-Identifier: GPL-3.0-or-later
// SpectrumAnalyzer against closed forms (naive DFT, Parseval, smoothing recurrence, band math).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <iostream>
#include <limits>
#include <numbers>
#include <optional>
#include <random>
#include <regex>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "auralis/auralis.hpp"
#include "support/result_equality.hpp"

namespace {

using auralis::InterleavedAudio;
using auralis::MetricConvention;
using auralis::SpectrumAnalyzer;
using auralis::SpectrumAnalyzerF;
using auralis::SpectrumResult;
using auralis::SpectrumSettings;
using auralis::Weighting;
using auralis::WindowType;

constexpr double kPi = std::numbers::pi;

// ---------------------------------------------------------------------------------------------
// Independent reference formulas (from /work/shared/golden/README.md, not from the library).

// f_k = k * (1 / (N * (1 / sr))), the rfftfreq expression of the specification.
double BinFrequency(std::size_t k, std::size_t n, double sr) {
  return static_cast<double>(k) * (1.0 / (static_cast<double>(n) * (1.0 / sr)));
}

// Band edges 10^y_i, y_i = i * (log10 max - log10 min) / (B - 1) + log10 min, y_{B-1} = log10 max.
std::vector<double> BandEdges(double lo, double hi, std::size_t bands) {
  std::vector<double> e(bands);
  const double a = std::log10(lo);
  const double b = std::log10(hi);
  for (std::size_t i = 0; i < bands; ++i) {
    const double y = bands == 1 ? a
                     : i + 1 == bands
                         ? b
                         : static_cast<double>(i) * ((b - a) / static_cast<double>(bands - 1)) + a;
    e[i] = std::pow(10.0, y);
  }
  return e;
}

// Index of the band holding frequency f (edge_i <= f < edge_{i+1}; last band open), or -1.
long BandOf(const std::vector<double>& edges, double f) {
  long band = -1;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    if (edges[i] <= f) band = static_cast<long>(i);
  }
  return band;
}

// Whether each band holds at least one FFT bin (bands without one read -200 dB).
std::vector<bool> BandsWithBins(const std::vector<double>& edges, std::size_t n, double sr) {
  std::vector<bool> has_bin(edges.size(), false);
  for (std::size_t k = 0; k <= n / 2; ++k) {
    const long band = BandOf(edges, BinFrequency(k, n, sr));
    if (band >= 0) has_bin[static_cast<std::size_t>(band)] = true;
  }
  return has_bin;
}

// Textbook periodic windows (not the scipy expressions the library evaluates).
std::vector<double> Window(WindowType type, std::size_t n) {
  std::vector<double> w(n, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double p = 2.0 * kPi * static_cast<double>(i) / static_cast<double>(n);
    switch (type) {
      case WindowType::hann:
        w[i] = 0.5 - 0.5 * std::cos(p);
        break;
      case WindowType::hamming:
        w[i] = 0.54 - 0.46 * std::cos(p);
        break;
      case WindowType::blackman:
        w[i] = 0.42 - 0.5 * std::cos(p) + 0.08 * std::cos(2.0 * p);
        break;
      case WindowType::rectangular:
        break;
    }
  }
  return w;
}

// Naive DFT in long double, bins 0..N/2.
std::vector<std::complex<long double>> NaiveDft(const std::vector<double>& x) {
  const std::size_t n = x.size();
  std::vector<std::complex<long double>> out(n / 2 + 1);
  for (std::size_t k = 0; k <= n / 2; ++k) {
    long double re = 0.0L;
    long double im = 0.0L;
    for (std::size_t j = 0; j < n; ++j) {
      const long double phase = -2.0L * std::numbers::pi_v<long double> *
                                static_cast<long double>((k * j) % n) / static_cast<long double>(n);
      re += static_cast<long double>(x[j]) * std::cos(phase);
      im += static_cast<long double>(x[j]) * std::sin(phase);
    }
    out[k] = {re, im};
  }
  return out;
}

// x[n] = amp * sin(2 pi k n / N + phase): exactly k periods per frame of N samples.
std::vector<double> BinSine(std::size_t k, std::size_t n_fft, std::size_t len, double amp = 0.5,
                            double phase = 0.3) {
  std::vector<double> x(len);
  for (std::size_t i = 0; i < len; ++i) {
    const double cycles = static_cast<double>((k * i) % n_fft) / static_cast<double>(n_fft);
    x[i] = amp * std::sin(2.0 * kPi * cycles + phase);
  }
  return x;
}

// Non-stationary test signal: three tones with envelopes plus seeded noise.
std::vector<double> Multitone(std::size_t len, double sr, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.01);
  std::vector<double> x(len);
  for (std::size_t i = 0; i < len; ++i) {
    const double t = static_cast<double>(i) / sr;
    x[i] = 0.4 * (1.0 + 0.9 * std::sin(2.0 * kPi * 3.0 * t)) * std::sin(2.0 * kPi * 440.0 * t) +
           0.2 * std::sin(2.0 * kPi * 1870.0 * t) * std::cos(2.0 * kPi * 1.3 * t) +
           0.05 * std::sin(2.0 * kPi * 9100.0 * t) + noise(rng);
  }
  return x;
}

template <class T>
std::vector<T> Cast(const std::vector<double>& x) {
  std::vector<T> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<T>(x[i]);
  return out;
}

std::size_t ArgMax(const std::vector<double>& v) {
  return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Every field, bit for bit.
void ExpectIdentical(const SpectrumResult& a, const SpectrumResult& b) {
  auralis::test_support::expect_identical_values(a, b);
  EXPECT_EQ(a.parallel_processing, b.parallel_processing);
}

// The auralis metrics of one frame from its smoothed levels s (README step 8).
struct AuralisMetrics {
  double peak, centroid, rolloff, energy;
};
AuralisMetrics AuralisFromLevels(const std::vector<double>& s, const std::vector<double>& edges) {
  AuralisMetrics m{};
  m.peak = edges[ArgMax(s)];
  double num = 0.0;
  double den = 0.0;
  double amp_total = 0.0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    num += edges[i] * s[i];
    den += s[i];
    amp_total += std::pow(10.0, s[i] / 20.0);
  }
  m.centroid = num / den;
  m.energy = den;
  double c = 0.0;
  m.rolloff = edges.back();
  for (std::size_t i = 0; i < s.size(); ++i) {
    c += std::pow(10.0, s[i] / 20.0);
    if (c >= 0.85 * amp_total) {
      m.rolloff = edges[i];
      break;
    }
  }
  return m;
}

SpectrumSettings Settings(std::size_t n = 4096, MetricConvention conv = MetricConvention::auralis,
                          WindowType window = WindowType::hann) {
  SpectrumSettings s;
  s.fft_size = n;
  s.metric_convention = conv;
  s.window_type = window;
  return s;
}

// Smallest bin k >= k0 whose bins k - r .. k + r all lie in one band (window main lobe).
std::size_t CentredBinInOneBand(const std::vector<double>& edges, std::size_t n, double sr,
                                std::size_t k0, std::size_t r) {
  for (std::size_t k = k0; k + r <= n / 2; ++k) {
    const long band = BandOf(edges, BinFrequency(k - r, n, sr));
    if (band >= 0 && band == BandOf(edges, BinFrequency(k + r, n, sr))) return k;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Typed over (compute precision) x (sample type).

template <class A, class S>
struct Combo {
  using Analyzer = A;
  using Sample = S;
};

template <class C>
class AnalyzerTyped : public ::testing::Test {
 protected:
  static constexpr bool kFloatCompute = std::is_same_v<typename C::Analyzer::compute_type, float>;
  // Relative tolerance of double-vs-exact comparisons in this precision (float: ~1e-7 * growth).
  static constexpr double kRel = kFloatCompute ? 2e-5 : 1e-11;
};

using Combos = ::testing::Types<Combo<SpectrumAnalyzer, double>, Combo<SpectrumAnalyzer, float>,
                                Combo<SpectrumAnalyzerF, double>, Combo<SpectrumAnalyzerF, float>>;

class ComboNames {
 public:
  template <class C>
  static std::string GetName(int) {
    std::string a =
        std::is_same_v<typename C::Analyzer, SpectrumAnalyzer> ? "DoubleCompute" : "FloatCompute";
    std::string s = std::is_same_v<typename C::Sample, double> ? "DoubleSamples" : "FloatSamples";
    return a + "_" + s;
  }
};
TYPED_TEST_SUITE(AnalyzerTyped, Combos, ComboNames);

// A bin-centred sine lands in the band whose edges contain it: auralis peak is that band's lower
// edge, and the band is the loudest one; standard peak is the bin frequency exactly.
TYPED_TEST(AnalyzerTyped, BinCentredSineLandsInItsBand) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::size_t n = 4096;
  const double sr = 44100.0;
  const std::vector<double> edges = BandEdges(20.0, 20000.0, 64);
  for (std::size_t k0 : {30u, 93u, 250u, 700u, 1500u}) {
    const std::size_t k = CentredBinInOneBand(edges, n, sr, k0, 1);
    ASSERT_GT(k, 0u);
    const double f = BinFrequency(k, n, sr);
    const long band = BandOf(edges, f);
    ASSERT_GE(band, 0);
    SCOPED_TRACE("k=" + std::to_string(k) + " f=" + std::to_string(f));
    const std::vector<Sample> x = Cast<Sample>(BinSine(k, n, 3 * n));

    Analyzer aur(Settings(n));
    const SpectrumResult file = aur.analyze_file(std::span<const Sample>(x));
    EXPECT_EQ(file.num_chunks_analyzed, 9u);
    EXPECT_EQ(ArgMax(file.spectrum), static_cast<std::size_t>(band));
    EXPECT_NEAR(file.peak_frequency, edges[static_cast<std::size_t>(band)],
                1e-12 * edges[static_cast<std::size_t>(band)]);
    EXPECT_LE(file.peak_frequency, f);
    const SpectrumResult chunk = aur.analyze_chunk(std::span<const Sample>(x).first(n));
    EXPECT_EQ(chunk.peak_frequency, edges[static_cast<std::size_t>(band)]);
    EXPECT_EQ(ArgMax(chunk.spectrum), static_cast<std::size_t>(band));

    Analyzer std_an(Settings(n, MetricConvention::standard));
    const SpectrumResult sc = std_an.analyze_chunk(std::span<const Sample>(x).first(n));
    EXPECT_EQ(sc.peak_frequency, f);
    EXPECT_EQ(ArgMax(sc.spectrum), static_cast<std::size_t>(band));
    const SpectrumResult sf = std_an.analyze_file(std::span<const Sample>(x));
    EXPECT_NEAR(sf.peak_frequency, f, 1e-12 * f);
  }
}

// With a sample rate of 2^15 Hz and N = 4096, k * sr / N = 8k is exact in binary.
TYPED_TEST(AnalyzerTyped, StandardPeakIsExactBinFrequency) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  SpectrumSettings s = Settings(4096, MetricConvention::standard);
  s.sample_rate = 32768.0;
  Analyzer an(s);
  for (std::size_t k : {3u, 55u, 128u, 1001u, 2000u}) {
    const std::vector<Sample> x = Cast<Sample>(BinSine(k, 4096, 4096));
    EXPECT_EQ(an.analyze_chunk(std::span<const Sample>(x)).peak_frequency,
              static_cast<double>(k) * 8.0)
        << "k=" << k;
  }
}

// Standard spectral centroid of one bin-centred sine is its frequency: one bin (rectangular) or
// three symmetric bins (hann).
TYPED_TEST(AnalyzerTyped, StandardCentroidOfBinCentredSine) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  // Measured worst case (k = 20) in double compute: 3e-13 relative. Float samples carry
  // quantisation noise (~1e-8 of the peak per bin, spread up to Nyquist) that pulls the centroid
  // up by 1.5e-5 relative; float compute adds FFT rounding of the same kind: 1.0e-4.
  const double rel = TestFixture::kFloatCompute      ? 1e-3
                     : std::is_same_v<Sample, float> ? 1e-4
                                                     : 1e-9;
  const std::size_t n = 4096;
  for (WindowType w : {WindowType::rectangular, WindowType::hann}) {
    Analyzer an(Settings(n, MetricConvention::standard, w));
    for (std::size_t k : {20u, 93u, 480u, 1300u}) {
      const double f = BinFrequency(k, n, 44100.0);
      const std::vector<Sample> x = Cast<Sample>(BinSine(k, n, n));
      const SpectrumResult r = an.analyze_chunk(std::span<const Sample>(x));
      EXPECT_NEAR(r.spectral_centroid, f, rel * f)
          << "window=" << auralis::to_string(w) << " k=" << k;
      // Rolloff: the single bin (rectangular) or k + 1 (hann: 1/4 + 1/2 = 75% < 85% at k).
      const double roll = w == WindowType::rectangular ? f : BinFrequency(k + 1, n, 44100.0);
      EXPECT_EQ(r.spectral_rolloff, roll) << "window=" << auralis::to_string(w) << " k=" << k;
    }
  }
}

// Parseval: standard total_energy = sum (w x)^2 = (|X_0|^2 + 2 sum |X_k|^2 + |X_{N/2}|^2) / N.
TYPED_TEST(AnalyzerTyped, ParsevalTotalEnergy) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  std::mt19937 rng(2024);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (std::size_t n : {64u, 256u}) {
    for (WindowType wt : {WindowType::hann, WindowType::hamming, WindowType::rectangular}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " window=" + std::string(auralis::to_string(wt)));
      std::vector<double> xd(n);
      for (double& v : xd) v = dist(rng);
      const std::vector<Sample> x = Cast<Sample>(xd);
      const std::vector<double> w = Window(wt, n);
      std::vector<double> wx(n);
      double direct = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        wx[i] = w[i] * static_cast<double>(x[i]);
        direct += wx[i] * wx[i];
      }
      const auto spec = NaiveDft(wx);
      long double parseval = std::norm(spec.front()) + std::norm(spec.back());
      for (std::size_t k = 1; k < n / 2; ++k) parseval += 2.0L * std::norm(spec[k]);
      parseval /= static_cast<long double>(n);
      ASSERT_NEAR(direct, static_cast<double>(parseval), 1e-12 * direct);  // the test itself

      Analyzer an(Settings(n, MetricConvention::standard, wt));
      const SpectrumResult chunk = an.analyze_chunk(std::span<const Sample>(x));
      EXPECT_NEAR(chunk.total_energy, direct, TestFixture::kRel * direct);
      EXPECT_NEAR(chunk.total_energy, static_cast<double>(parseval), TestFixture::kRel * direct);
      const SpectrumResult file = an.analyze_file(std::span<const Sample>(x));
      EXPECT_EQ(file.num_chunks_analyzed, 1u);
      EXPECT_NEAR(file.total_energy, direct, TestFixture::kRel * direct);
    }
  }
}

// Standard total_energy of a file is the mean over frames of each frame's sum (w x)^2.
TYPED_TEST(AnalyzerTyped, ParsevalEnergyIsMeanOverFrames) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::size_t n = 256;
  SpectrumSettings s = Settings(n, MetricConvention::standard);
  s.overlap = 0.5;
  const std::size_t hop = 128;
  const std::vector<Sample> x = Cast<Sample>(Multitone(n + 9 * hop + 50, 44100.0));
  const std::vector<double> w = Window(WindowType::hann, n);
  double mean = 0.0;
  for (std::size_t t = 0; t < 10; ++t) {
    double e = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = w[i] * static_cast<double>(x[t * hop + i]);
      e += v * v;
    }
    mean += e / 10.0;
  }
  Analyzer an(s);
  const SpectrumResult r = an.analyze_file(std::span<const Sample>(x));
  EXPECT_EQ(r.num_chunks_analyzed, 10u);
  EXPECT_NEAR(r.total_energy, mean, TestFixture::kRel * mean);
}

// analyze_chunk over frames follows S_0 = L_0, S_t = a S_{t-1} + (1 - a) L_t, where L_t are the
// (weighted) levels of a smoothing_factor = 0 analyzer; the per-frame auralis metrics follow
// from S_t; analyze_file is the mean over frames of the same recurrence.
TYPED_TEST(AnalyzerTyped, SmoothingRecurrence) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::size_t n = 1024;
  const std::size_t hop = 256;
  const std::size_t frames = 12;
  const std::vector<Sample> x = Cast<Sample>(Multitone(n + (frames - 1) * hop, 44100.0));
  for (double a : {0.8, 0.5, 0.95}) {
    SCOPED_TRACE("a=" + std::to_string(a));
    SpectrumSettings s = Settings(n);
    s.smoothing_factor = a;
    SpectrumSettings s0 = s;
    s0.smoothing_factor = 0.0;
    Analyzer smooth(s);
    Analyzer raw(s0);
    const std::vector<double> edges(smooth.frequency_bins().begin(), smooth.frequency_bins().end());
    std::vector<double> state;
    std::vector<double> mean(edges.size(), 0.0);
    AuralisMetrics mean_m{};
    for (std::size_t t = 0; t < frames; ++t) {
      const auto chunk = std::span<const Sample>(x).subspan(t * hop, n);
      const std::vector<double> level = raw.analyze_chunk(chunk).spectrum;
      const SpectrumResult got = smooth.analyze_chunk(chunk);
      if (t == 0) {
        state = level;
      } else {
        for (std::size_t i = 0; i < state.size(); ++i) {
          state[i] = a * state[i] + (1.0 - a) * level[i];
        }
      }
      ASSERT_EQ(got.spectrum.size(), state.size());
      for (std::size_t i = 0; i < state.size(); ++i) {
        EXPECT_NEAR(got.spectrum[i], state[i], 1e-9) << "frame " << t << " band " << i;
      }
      const AuralisMetrics m = AuralisFromLevels(state, edges);
      EXPECT_EQ(got.peak_frequency, m.peak) << "frame " << t;
      EXPECT_NEAR(got.spectral_centroid, m.centroid, 1e-9 * std::abs(m.centroid));
      EXPECT_EQ(got.spectral_rolloff, m.rolloff) << "frame " << t;
      EXPECT_NEAR(got.total_energy, m.energy, 1e-9 * std::abs(m.energy));
      EXPECT_EQ(got.num_chunks_analyzed, 1u);
      for (std::size_t i = 0; i < state.size(); ++i)
        mean[i] += state[i] / static_cast<double>(frames);
      mean_m.peak += m.peak / static_cast<double>(frames);
      mean_m.centroid += m.centroid / static_cast<double>(frames);
      mean_m.rolloff += m.rolloff / static_cast<double>(frames);
      mean_m.energy += m.energy / static_cast<double>(frames);
    }
    // The smoothing must actually do something on this signal.
    const SpectrumResult last_raw =
        raw.analyze_chunk(std::span<const Sample>(x).subspan((frames - 1) * hop, n));
    double max_change = 0.0;
    for (std::size_t i = 0; i < state.size(); ++i) {
      max_change = std::max(max_change, std::abs(state[i] - last_raw.spectrum[i]));
    }
    EXPECT_GT(max_change, 0.1);

    const SpectrumResult file = smooth.analyze_file(std::span<const Sample>(x));
    EXPECT_EQ(file.num_chunks_analyzed, frames);
    for (std::size_t i = 0; i < mean.size(); ++i) {
      EXPECT_NEAR(file.spectrum[i], mean[i], 1e-9) << "band " << i;
    }
    EXPECT_NEAR(file.peak_frequency, mean_m.peak, 1e-9 * mean_m.peak);
    EXPECT_NEAR(file.spectral_centroid, mean_m.centroid, 1e-9 * std::abs(mean_m.centroid));
    EXPECT_NEAR(file.spectral_rolloff, mean_m.rolloff, 1e-9 * mean_m.rolloff);
    EXPECT_NEAR(file.total_energy, mean_m.energy, 1e-9 * std::abs(mean_m.energy));
  }
}

// reset_smoothing restarts the recurrence: the next chunks equal a fresh analyzer's.
TYPED_TEST(AnalyzerTyped, ResetSmoothingRestartsRecurrence) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::size_t n = 1024;
  const std::vector<Sample> x = Cast<Sample>(Multitone(8 * n, 44100.0));
  const auto frame = [&](std::size_t i) { return std::span<const Sample>(x).subspan(i * n, n); };
  Analyzer used(Settings(n));
  for (std::size_t i = 0; i < 4; ++i) (void)used.analyze_chunk(frame(i));
  // Without a reset the state carries over.
  Analyzer probe(Settings(n));
  for (std::size_t i = 0; i < 4; ++i) (void)probe.analyze_chunk(frame(i));
  EXPECT_NE(probe.analyze_chunk(frame(5)).spectrum,
            Analyzer(Settings(n)).analyze_chunk(frame(5)).spectrum);

  used.reset_smoothing();
  Analyzer fresh(Settings(n));
  ExpectIdentical(used.analyze_chunk(frame(5)), fresh.analyze_chunk(frame(5)));
  ExpectIdentical(used.analyze_chunk(frame(6)), fresh.analyze_chunk(frame(6)));
  ExpectIdentical(used.analyze_chunk(frame(7)), fresh.analyze_chunk(frame(7)));
}

// analyze_file is stateless: repeated calls agree bit for bit, and analyze_chunk calls (which
// advance the smoothing state) in between change nothing.
TYPED_TEST(AnalyzerTyped, AnalyzeFileIsStateless) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::vector<Sample> x = Cast<Sample>(Multitone(20000, 44100.0));
  for (MetricConvention conv : {MetricConvention::auralis, MetricConvention::standard}) {
    Analyzer an(Settings(2048, conv));
    const SpectrumResult first = an.analyze_file(std::span<const Sample>(x));
    ExpectIdentical(an.analyze_file(std::span<const Sample>(x)), first);
    for (std::size_t i = 0; i < 5; ++i) {
      (void)an.analyze_chunk(std::span<const Sample>(x).subspan(i * 3000, 2048));
    }
    ExpectIdentical(an.analyze_file(std::span<const Sample>(x)), first);
    Analyzer other(Settings(2048, conv));
    ExpectIdentical(other.analyze_file(std::span<const Sample>(x)), first);
  }
}

// 0 < len < fft_size: one zero-padded frame, identical to analyze_chunk on a fresh analyzer.
// len >= fft_size: (len - N) / hop + 1 frames, trailing samples ignored (except the duration).
TYPED_TEST(AnalyzerTyped, ShortInputAndFrameCount) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::size_t n = 1024;
  const std::vector<Sample> x = Cast<Sample>(Multitone(12 * n, 44100.0));
  for (MetricConvention conv : {MetricConvention::auralis, MetricConvention::standard}) {
    for (std::size_t len : {1u, 2u, 100u, 1023u}) {
      SCOPED_TRACE("len=" + std::to_string(len));
      const auto part = std::span<const Sample>(x).first(len);
      Analyzer an(Settings(n, conv));
      const SpectrumResult file = an.analyze_file(part);
      EXPECT_EQ(file.num_chunks_analyzed, 1u);
      EXPECT_EQ(file.analysis_duration, static_cast<double>(len) / 44100.0);
      Analyzer fresh(Settings(n, conv));
      ExpectIdentical(file, fresh.analyze_chunk(part));
      // Zero padding is explicit: same as the padded full frame, but for the duration.
      std::vector<Sample> padded(part.begin(), part.end());
      padded.resize(n, Sample(0));
      SpectrumResult full = an.analyze_file(std::span<const Sample>(padded));
      EXPECT_EQ(full.spectrum, file.spectrum);
      EXPECT_EQ(full.total_energy, file.total_energy);
    }
    for (double overlap : {0.0, 0.5, 0.75, 0.9}) {
      SpectrumSettings s = Settings(n, conv);
      s.overlap = overlap;
      const auto hop = static_cast<std::size_t>(static_cast<double>(n) * (1.0 - overlap));
      Analyzer an(s);
      for (std::size_t len : {n, n + 1, n + hop - 1, n + hop, 3 * n + 17, 12 * n}) {
        SCOPED_TRACE("overlap=" + std::to_string(overlap) + " len=" + std::to_string(len));
        const SpectrumResult r = an.analyze_file(std::span<const Sample>(x).first(len));
        EXPECT_EQ(r.num_chunks_analyzed, (len - n) / hop + 1);
        EXPECT_EQ(r.analysis_duration, static_cast<double>(len) / 44100.0);
        // Leftover samples after the last frame do not matter.
        const std::size_t used = (r.num_chunks_analyzed - 1) * hop + n;
        const SpectrumResult trimmed = an.analyze_file(std::span<const Sample>(x).first(used));
        EXPECT_EQ(r.spectrum, trimmed.spectrum);
        EXPECT_EQ(r.spectral_centroid, trimmed.spectral_centroid);
        EXPECT_EQ(r.total_energy, trimmed.total_energy);
      }
    }
  }
}

// Interleaved stereo equals mono analysis of (L + R) / 2, bit for bit.
TYPED_TEST(AnalyzerTyped, StereoEqualsMonoMean) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::size_t frames = 9000;
  const std::vector<Sample> left = Cast<Sample>(Multitone(frames, 44100.0, 1));
  const std::vector<Sample> right = Cast<Sample>(BinSine(200, 2048, frames, 0.3));
  std::vector<Sample> stereo(2 * frames);
  std::vector<double> mono(frames);
  for (std::size_t i = 0; i < frames; ++i) {
    stereo[2 * i] = left[i];
    stereo[2 * i + 1] = right[i];
    mono[i] = (static_cast<double>(left[i]) + static_cast<double>(right[i])) / 2.0;
  }
  for (MetricConvention conv : {MetricConvention::auralis, MetricConvention::standard}) {
    Analyzer an(Settings(2048, conv));
    const InterleavedAudio<const Sample> audio{std::span<const Sample>(stereo), 2};
    ExpectIdentical(an.analyze_file(audio), an.analyze_file(std::span<const double>(mono)));
    // Chunks: the stereo and mono streams keep identical smoothing states.
    Analyzer a1(Settings(2048, conv));
    Analyzer a2(Settings(2048, conv));
    for (std::size_t t = 0; t < 4; ++t) {
      const InterleavedAudio<const Sample> c{
          std::span<const Sample>(stereo).subspan(2 * t * 1500, 2 * 2048), 2};
      ExpectIdentical(a1.analyze_chunk(c),
                      a2.analyze_chunk(std::span<const double>(mono).subspan(t * 1500, 2048)));
    }
    // And it is not merely channel 0.
    EXPECT_NE(an.analyze_file(audio).spectrum,
              an.analyze_file(std::span<const Sample>(left)).spectrum);
  }
}

// Six interleaved channels: the mean of the channels is analysed.
TYPED_TEST(AnalyzerTyped, SixChannelsAverage) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::size_t frames = 6000;
  const std::size_t ch = 6;
  std::vector<Sample> inter(ch * frames);
  std::vector<double> mono(frames, 0.0);
  for (std::size_t c = 0; c < ch; ++c) {
    const std::vector<Sample> sig =
        Cast<Sample>(Multitone(frames, 44100.0, 10u + static_cast<unsigned>(c)));
    for (std::size_t i = 0; i < frames; ++i) {
      inter[i * ch + c] = sig[i];
      mono[i] += static_cast<double>(sig[i]) / static_cast<double>(ch);
    }
  }
  Analyzer an(Settings(1024));
  const SpectrumResult got = an.analyze_file(InterleavedAudio<const Sample>{inter, ch});
  const SpectrumResult want = an.analyze_file(std::span<const double>(mono));
  EXPECT_EQ(got.num_chunks_analyzed, want.num_chunks_analyzed);
  EXPECT_EQ(got.analysis_duration, static_cast<double>(frames) / 44100.0);
  ASSERT_EQ(got.spectrum.size(), want.spectrum.size());
  // The mean differs from the test's by a few ulp (summation order): allow a tiny difference
  // on bands well above the rounding floor.
  const double tol = TestFixture::kFloatCompute ? 1e-3 : 1e-9;
  for (std::size_t i = 0; i < got.spectrum.size(); ++i) {
    if (want.spectrum[i] > -100.0) {
      EXPECT_NEAR(got.spectrum[i], want.spectrum[i], tol) << i;
    }
  }
  EXPECT_NEAR(got.spectral_centroid, want.spectral_centroid,
              tol * std::abs(want.spectral_centroid));
  EXPECT_NEAR(got.total_energy, want.total_energy, tol * std::abs(want.total_energy));
}

// analyze_file(x, 48000) on a 44.1 kHz analyzer equals a 48 kHz analyzer, every field.
TYPED_TEST(AnalyzerTyped, SampleRateArgumentOverrides) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::vector<Sample> x = Cast<Sample>(Multitone(30000, 48000.0));
  for (MetricConvention conv : {MetricConvention::auralis, MetricConvention::standard}) {
    SpectrumSettings s44 = Settings(2048, conv);
    SpectrumSettings s48 = s44;
    s48.sample_rate = 48000.0;
    Analyzer a44(s44);
    Analyzer a48(s48);
    const SpectrumResult base44 = a44.analyze_file(std::span<const Sample>(x));
    const SpectrumResult over = a44.analyze_file(std::span<const Sample>(x), 48000.0);
    const SpectrumResult native = a48.analyze_file(std::span<const Sample>(x));
    ExpectIdentical(over, native);
    ExpectIdentical(a48.analyze_file(std::span<const Sample>(x), 48000.0), native);
    EXPECT_EQ(over.analysis_duration, 30000.0 / 48000.0);
    EXPECT_NE(base44.spectrum, native.spectrum);  // the override did change the analysis
    // The override is per call only.
    ExpectIdentical(a44.analyze_file(std::span<const Sample>(x)), base44);
    ExpectIdentical(a48.analyze_file(std::span<const Sample>(x), 44100.0), base44);
  }
}

// float and double samples holding the same values give bit-identical results.
TYPED_TEST(AnalyzerTyped, FloatSamplesEqualSameValuedDoubles) {
  using Analyzer = typename TypeParam::Analyzer;
  const std::vector<float> xf = Cast<float>(Multitone(10000, 44100.0));
  const std::vector<double> xd = Cast<double>(std::vector<double>(xf.begin(), xf.end()));
  for (MetricConvention conv : {MetricConvention::auralis, MetricConvention::standard}) {
    Analyzer an(Settings(1024, conv));
    ExpectIdentical(an.analyze_file(std::span<const float>(xf)),
                    an.analyze_file(std::span<const double>(xd)));
    Analyzer c1(Settings(1024, conv));
    Analyzer c2(Settings(1024, conv));
    for (std::size_t t = 0; t < 3; ++t) {
      ExpectIdentical(c1.analyze_chunk(std::span<const float>(xf).subspan(t * 900, 1024)),
                      c2.analyze_chunk(std::span<const double>(xd).subspan(t * 900, 1024)));
    }
  }
}

// Real-time form: once `out` is sized, its storage is reused.
TYPED_TEST(AnalyzerTyped, RealTimeChunkReusesStorage) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::vector<Sample> x = Cast<Sample>(Multitone(8 * 1024, 44100.0));
  Analyzer an(Settings(1024));
  SpectrumResult out;
  an.analyze_chunk(std::span<const Sample>(x).first(1024), out);
  const double* spectrum = out.spectrum.data();
  const double* bins = out.frequency_bins.data();
  std::vector<double> previous = out.spectrum;
  for (std::size_t t = 1; t < 8; ++t) {
    an.analyze_chunk(std::span<const Sample>(x).subspan(t * 1024, 1024 - t), out);
    EXPECT_EQ(out.spectrum.data(), spectrum);
    EXPECT_EQ(out.frequency_bins.data(), bins);
    EXPECT_EQ(out.spectrum.size(), 64u);
    EXPECT_NE(out.spectrum, previous);  // really rewritten
    previous = out.spectrum;
  }
  // The same values as the returning form on an equal analyzer.
  Analyzer a1(Settings(1024));
  Analyzer a2(Settings(1024));
  SpectrumResult reused;
  for (std::size_t t = 0; t < 3; ++t) {
    const auto c = std::span<const Sample>(x).subspan(t * 1024, 1024);
    a1.analyze_chunk(c, reused);
    ExpectIdentical(reused, a2.analyze_chunk(c));
  }
}

// An impulse at n = 0 (rectangular window) has X_k = a exactly for every k, so every band that
// holds a bin reads 20 log10(a) (+ weighting), and every band without a bin exactly -200 dB.
// The FFT of a delta involves no rounding and sqrt(a^2) == a for a correctly rounded square
// root, so the only error left is the library's double log10: the expected level is computed in
// long double and rounded, and the level may differ from it by a few ulps of itself.
TYPED_TEST(AnalyzerTyped, ImpulseGivesFlatExactSpectrum) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::size_t n = 4096;
  const double sr = 44100.0;
  const std::vector<double> edges = BandEdges(20.0, 20000.0, 64);
  const std::vector<bool> has_bin = BandsWithBins(edges, n, sr);
  for (double amp : {0.1, 0.3, 0.7, 0.75, 1.0, 3.3, 1e-3, 12345.678}) {
    const double a = static_cast<double>(static_cast<float>(amp));  // exact in both precisions
    std::vector<Sample> x(n, Sample(0));
    x[0] = static_cast<Sample>(a);
    for (MetricConvention conv : {MetricConvention::standard, MetricConvention::auralis}) {
      SpectrumSettings s = Settings(n, conv, WindowType::rectangular);
      s.frequency_weighting = Weighting::Z;
      const double w = conv == MetricConvention::auralis ? 1.0 : 0.0;  // Z: +1 dB (sic) or 0
      Analyzer an(s);
      const SpectrumResult r = an.analyze_chunk(std::span<const Sample>(x));
      ASSERT_EQ(r.spectrum.size(), edges.size());
      const long double level = 20.0L * std::log10(static_cast<long double>(a));
      for (std::size_t i = 0; i < edges.size(); ++i) {
        if (!has_bin[i]) {
          EXPECT_EQ(r.spectrum[i], -200.0 + w) << auralis::to_string(conv) << " band " << i;
          continue;
        }
        const double want = static_cast<double>(level + static_cast<long double>(w));
        EXPECT_NEAR(r.spectrum[i], want, 4.0 * std::numeric_limits<double>::epsilon() * 100.0)
            << "a=" << a << " " << auralis::to_string(conv) << " band " << i << " diff "
            << r.spectrum[i] - want;
      }
      if (conv == MetricConvention::standard) {
        EXPECT_EQ(r.total_energy, a * a);
        EXPECT_EQ(r.peak_frequency, 0.0);  // flat: the first maximum is bin 0
      }
    }
  }
}

// Scaling the input by 2^e scales every X_k by 2^e exactly (no rounding in binary), so the
// standard peak, centroid and rolloff are bit-identical, total_energy scales by 4^e exactly
// and every band level shifts by exactly 20 log10(2^e) = e * 20 log10(2) dB (computed here in
// long double), within 1e-9 dB, in both conventions: upward for large e, downward as long as
// the band stays well above the -200 dB floor. Bands without a bin stay at the floor.
// Exponents are chosen so that |X_k| stays well inside the compute type's range (float:
// 2^-126..2^128).
TYPED_TEST(AnalyzerTyped, PowerOfTwoScalingIsExact) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::vector<double> base = Multitone(8192, 44100.0);
  const std::vector<int> exponents = TestFixture::kFloatCompute || std::is_same_v<Sample, float>
                                         ? std::vector<int>{-60, -30, 30, 60, 90}
                                         : std::vector<int>{-200, -60, -30, 60, 200, 450};
  const std::vector<bool> has_bin = BandsWithBins(BandEdges(20.0, 20000.0, 64), 1024, 44100.0);
  Analyzer st(Settings(1024, MetricConvention::standard));
  Analyzer au(Settings(1024, MetricConvention::auralis));
  const std::vector<Sample> x0 = Cast<Sample>(base);
  const SpectrumResult s0 = st.analyze_file(std::span<const Sample>(x0));
  const SpectrumResult a0 = au.analyze_file(std::span<const Sample>(x0));
  for (int e : exponents) {
    SCOPED_TRACE("scale 2^" + std::to_string(e));
    std::vector<Sample> x(base.size());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::ldexp(x0[i], e);
    const SpectrumResult s = st.analyze_file(std::span<const Sample>(x));
    EXPECT_EQ(s.peak_frequency, s0.peak_frequency);
    EXPECT_EQ(s.spectral_centroid, s0.spectral_centroid);
    EXPECT_EQ(s.spectral_rolloff, s0.spectral_rolloff);
    EXPECT_EQ(s.total_energy, std::ldexp(s0.total_energy, 2 * e));
    const double shift =
        static_cast<double>(static_cast<long double>(e) * 20.0L * std::log10(2.0L));
    const SpectrumResult a = au.analyze_file(std::span<const Sample>(x));
    std::size_t checked = 0;
    for (std::size_t i = 0; i < s.spectrum.size(); ++i) {
      if (!has_bin[i]) {  // no bin: stays at the floor
        EXPECT_EQ(s.spectrum[i], s0.spectrum[i]) << "standard band " << i;
        EXPECT_EQ(a.spectrum[i], a0.spectrum[i]) << "auralis band " << i;
        continue;
      }
      // Downward: only bands whose every frame stays far above the 1e-10 floor of the means.
      if (s0.spectrum[i] + shift < -150.0) continue;
      ++checked;
      EXPECT_NEAR(s.spectrum[i], s0.spectrum[i] + shift, 1e-9) << "standard band " << i;
      EXPECT_NEAR(a.spectrum[i], a0.spectrum[i] + shift, 1e-9) << "auralis band " << i;
    }
    if (e > 0) {
      EXPECT_EQ(checked,
                static_cast<std::size_t>(std::count(has_bin.begin(), has_bin.end(), true)));
    }
  }
}

// Every window type runs and a bin-centred sine peaks in its band (auralis) and bin (standard).
TYPED_TEST(AnalyzerTyped, WindowTypesPeakInRightBand) {
  using Analyzer = typename TypeParam::Analyzer;
  using Sample = typename TypeParam::Sample;
  const std::size_t n = 4096;
  const double sr = 44100.0;
  const std::vector<double> edges = BandEdges(20.0, 20000.0, 64);
  for (WindowType w :
       {WindowType::hann, WindowType::hamming, WindowType::blackman, WindowType::rectangular}) {
    for (std::size_t k0 : {60u, 400u, 1200u}) {
      const std::size_t k = CentredBinInOneBand(edges, n, sr, k0, 2);
      ASSERT_GT(k, 0u);
      const auto band = static_cast<std::size_t>(BandOf(edges, BinFrequency(k, n, sr)));
      SCOPED_TRACE("window=" + std::string(auralis::to_string(w)) + " k=" + std::to_string(k));
      const std::vector<Sample> x = Cast<Sample>(BinSine(k, n, 2 * n));
      Analyzer aur(Settings(n, MetricConvention::auralis, w));
      const SpectrumResult r = aur.analyze_file(std::span<const Sample>(x));
      EXPECT_EQ(r.num_chunks_analyzed, 5u);
      EXPECT_EQ(ArgMax(r.spectrum), band);
      EXPECT_NEAR(r.peak_frequency, edges[band], 1e-12 * edges[band]);
      for (double v : r.spectrum) EXPECT_TRUE(std::isfinite(v));
      Analyzer st(Settings(n, MetricConvention::standard, w));
      EXPECT_EQ(st.analyze_chunk(std::span<const Sample>(x).first(n)).peak_frequency,
                BinFrequency(k, n, sr));
    }
  }
}

// ---------------------------------------------------------------------------------------------

// Float compute agrees with double compute. Measured on a 3 s multitone + noise signal with the
// default settings (and N = 1024, Z weighting): bands above -100 dB differ by ~1e-5 dB; the
// tolerance below leaves a margin of ~100x over the measured maximum.
TEST(FloatVsDouble, FloatComputeAgreesWithDouble) {
  const double sr = 44100.0;
  const std::vector<double> x = Multitone(3 * 44100, sr);
  double max_band = 0.0;
  double max_centroid_rel = 0.0;
  double max_energy_rel = 0.0;
  struct Case {
    std::size_t n;
    Weighting weighting;
    MetricConvention conv;
  };
  for (const Case& c : {Case{4096, Weighting::A, MetricConvention::auralis},
                        Case{4096, Weighting::A, MetricConvention::standard},
                        Case{1024, Weighting::Z, MetricConvention::auralis},
                        Case{1024, Weighting::C, MetricConvention::standard}}) {
    SpectrumSettings s = Settings(c.n, c.conv);
    s.frequency_weighting = c.weighting;
    const SpectrumResult d = SpectrumAnalyzer(s).analyze_file(x);
    const SpectrumResult f = SpectrumAnalyzerF(s).analyze_file(x);
    ASSERT_EQ(d.spectrum.size(), f.spectrum.size());
    EXPECT_EQ(d.num_chunks_analyzed, f.num_chunks_analyzed);
    EXPECT_EQ(d.frequency_bins, f.frequency_bins);
    for (std::size_t i = 0; i < d.spectrum.size(); ++i) {
      if (d.spectrum[i] > -100.0) {
        max_band = std::max(max_band, std::abs(d.spectrum[i] - f.spectrum[i]));
      }
    }
    max_centroid_rel =
        std::max(max_centroid_rel, std::abs(d.spectral_centroid - f.spectral_centroid) /
                                       std::abs(d.spectral_centroid));
    max_energy_rel = std::max(max_energy_rel,
                              std::abs(d.total_energy - f.total_energy) / std::abs(d.total_energy));
    EXPECT_EQ(d.peak_frequency, f.peak_frequency);
  }
  std::cout << "[ measured ] float vs double compute: max band difference (bands > -100 dB) = "
            << max_band << " dB, centroid rel = " << max_centroid_rel
            << ", total_energy rel = " << max_energy_rel << "\n";
  EXPECT_LT(max_band, 1e-3);
  EXPECT_LT(max_centroid_rel, 1e-5);
  EXPECT_LT(max_energy_rel, 1e-5);
}

// Band names: "20Hz"-style (rounded Hz) below 1 kHz and "1.2kHz"-style (one decimal) above.
TEST(BandNames, FormatAndCount) {
  for (std::size_t bands : {1u, 2u, 32u, 64u, 100u}) {
    SpectrumSettings s;
    s.frequency_bands = bands;
    const SpectrumAnalyzer an(s);
    const std::vector<std::string> names = an.get_frequency_band_names();
    ASSERT_EQ(names.size(), bands);
    const std::vector<double> edges = BandEdges(20.0, 20000.0, bands);
    const std::regex hz("^[0-9]+Hz$");
    const std::regex khz("^[0-9]+\\.[0-9]kHz$");
    for (std::size_t i = 0; i < bands; ++i) {
      SCOPED_TRACE(names[i]);
      if (edges[i] < 1000.0) {
        EXPECT_TRUE(std::regex_match(names[i], hz));
        EXPECT_NEAR(std::stod(names[i]), edges[i], 0.5 + 1e-9);
      } else {
        EXPECT_TRUE(std::regex_match(names[i], khz));
        EXPECT_NEAR(std::stod(names[i]), edges[i] / 1000.0, 0.05 + 1e-9);
      }
    }
    EXPECT_EQ(names.front(), "20Hz");
    if (bands > 1) {
      EXPECT_EQ(names.back(), "20.0kHz");
    }
  }
  SpectrumSettings s;
  s.min_frequency = 100.0;
  s.max_frequency = 1200.0;
  s.frequency_bands = 2;
  EXPECT_EQ(SpectrumAnalyzer(s).get_frequency_band_names(),
            (std::vector<std::string>{"100Hz", "1.2kHz"}));
  s.min_frequency = 431.2;
  s.max_frequency = 12345.0;
  EXPECT_EQ(SpectrumAnalyzerF(s).get_frequency_band_names(),
            (std::vector<std::string>{"431Hz", "12.3kHz"}));
}

// frequency_bins are the band edges of the specification.
TEST(BandEdges, MatchSpecification) {
  for (std::size_t bands : {1u, 7u, 64u}) {
    SpectrumSettings s;
    s.frequency_bands = bands;
    s.min_frequency = 31.5;
    s.max_frequency = 16000.0;
    const SpectrumAnalyzer an(s);
    const std::vector<double> want = BandEdges(31.5, 16000.0, bands);
    const SpectrumResult r = an.analyze_file(BinSine(10, 4096, 4096));
    ASSERT_EQ(r.frequency_bins.size(), bands);
    for (std::size_t i = 0; i < bands; ++i) {
      EXPECT_NEAR(r.frequency_bins[i], want[i], 1e-12 * want[i]);
      EXPECT_EQ(an.frequency_bins()[i], r.frequency_bins[i]);
    }
  }
}

}  // namespace

namespace {

// analyze_file keeps each thread's frame workspace between calls (detail::WorkspaceCache): no
// value may carry from one call to the next. Calls of different lengths, rates, precisions of
// samples and channel layouts, interleaved on one analyzer, equal the same calls on fresh
// analyzers; so do calls after the analyzer is assigned one of another fft_size (larger, odd,
// back): its workspaces must not be reused (they would be too small: a heap overrun).
template <class Analyzer, class Settings>
void ExpectCachedWorkspacesCarryNothing(Settings settings) {
  std::mt19937 rng(3);
  std::normal_distribution<double> d(0.0, 0.3);
  std::vector<std::vector<double>> inputs;
  for (std::size_t n : {100000u, 5000u, 4096u, 300u, 200000u}) {
    std::vector<double> x(n);
    for (double& v : x) v = d(rng);
    inputs.push_back(std::move(x));
  }
  constexpr bool is_parallel = !std::is_same_v<Settings, SpectrumSettings>;
  Analyzer shared(settings);
  for (std::size_t fft_size : {4096u, 8192u, 4095u, 4096u}) {
    settings.fft_size = fft_size;
    shared = Analyzer(settings);  // assigned: its cache must start empty
    for (int round = 0; round < 2; ++round) {
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        const std::optional<double> rate =
            i % 2 == 0 ? std::optional<double>{} : std::optional<double>{48000.0};
        SCOPED_TRACE(::testing::Message()
                     << "fft_size " << fft_size << " round " << round << " input " << i);
        const SpectrumResult r = shared.analyze_file(inputs[i], rate);
        auralis::test_support::expect_identical_values(
            r, Analyzer(settings).analyze_file(inputs[i], rate));
        if (is_parallel && i == 4 && auralis::available_workers() >= 2) {
          EXPECT_TRUE(r.parallel_processing);
        }
        const std::vector<float> f(inputs[i].begin(), inputs[i].end());
        auralis::test_support::expect_identical_values(shared.analyze_file(f),
                                                       Analyzer(settings).analyze_file(f));
        const InterleavedAudio<const double> stereo{inputs[i], 2};
        if (inputs[i].size() % 2 == 0) {
          auralis::test_support::expect_identical_values(shared.analyze_file(stereo),
                                                         Analyzer(settings).analyze_file(stereo));
        }
      }
    }
  }
}

TEST(WorkspaceCache, SequentialAnalyzerCallsCarryNothing) {
  ExpectCachedWorkspacesCarryNothing<SpectrumAnalyzer>(SpectrumSettings{});
  ExpectCachedWorkspacesCarryNothing<SpectrumAnalyzerF>(SpectrumSettings{});
}

TEST(WorkspaceCache, ParallelAnalyzerCallsCarryNothing) {
  auralis::ParallelSpectrumSettings p;
  p.max_workers = 2;
  ExpectCachedWorkspacesCarryNothing<auralis::ParallelSpectrumAnalyzer>(p);
  ExpectCachedWorkspacesCarryNothing<auralis::ParallelSpectrumAnalyzerF>(p);
}

}  // namespace
