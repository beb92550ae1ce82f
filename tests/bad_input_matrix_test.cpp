// SPDX-License-Identifier: GPL-3.0-or-later
// The bad-input matrix: every bad buffer against every entry point that takes audio (both
// analyzers in both compute precisions, file and chunk paths, every processor of the parallel
// layer, the batch processor, the file reader and the file analyzers), asserting the exact error
// type and the field it names; and the valid extremes (denormals, 1e30, one sample, 96 kHz,
// 8 channels), which must give finite results that obey the physics of each input everywhere
// (silence and denormals read as silence, a lone windowed-away sample as silence, a 2^100 sine
// as the unit sine scaled exactly, tones peak in the band that holds them). Settings rules are
// tabulated in bad_input_test.cpp; this file crosses audio cases with entry points.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "auralis/auralis.hpp"

namespace {

using auralis::InterleavedAudio;
using auralis::InvalidAudio;
using auralis::ParallelSpectrumSettings;
using auralis::SpectrumResult;
using auralis::SpectrumSettings;

// Cases asserted by this process (ctest runs each test alone): every test prints its count.
int g_cases = 0;

struct PrintCases {
  ~PrintCases() { std::printf("bad-input matrix: %d cases asserted in this run\n", g_cases); }
} print_cases;

// An entry point: analyses (or processes) interleaved samples of type T with `channels`
// channels, and returns the finite values it produced (for the valid-extremes check).
template <class T>
struct Target {
  std::string name;
  bool multichannel;  // accepts channels != 1
  std::string field;  // the field its audio errors name
  std::function<std::vector<double>(std::span<const T>, std::size_t channels)> run;
};

std::vector<double> Values(const SpectrumResult& r) {
  std::vector<double> v = r.spectrum;
  v.insert(v.end(), {r.peak_frequency, r.spectral_centroid, r.spectral_rolloff, r.total_energy});
  return v;
}

ParallelSpectrumSettings TwoWorkers() {
  ParallelSpectrumSettings s;
  s.max_workers = 2;
  return s;
}

// Every entry point over samples of type T.
template <class T>
std::vector<Target<T>> Targets() {
  using auralis::ParallelSpectrumAnalyzer;
  using auralis::ParallelSpectrumAnalyzerF;
  using auralis::SpectrumAnalyzer;
  using auralis::SpectrumAnalyzerF;
  std::vector<Target<T>> t;
  auto file = [](const auto& analyzer) {
    return [&analyzer](std::span<const T> x, std::size_t ch) {
      return Values(analyzer.analyze_file(InterleavedAudio<const T>{x, ch}));
    };
  };
  // Chunks longer than fft_size are rejected by design: the matrix feeds at most fft_size.
  auto chunk = [](auto& analyzer) {
    return [&analyzer](std::span<const T> x, std::size_t ch) {
      const std::size_t keep = std::min(x.size(), std::size_t{4096} * std::max<std::size_t>(ch, 1));
      analyzer.reset_smoothing();
      return Values(analyzer.analyze_chunk(InterleavedAudio<const T>{x.first(keep), ch}));
    };
  };
  static const SpectrumAnalyzer seq;
  static const SpectrumAnalyzerF seq_f;
  static const ParallelSpectrumAnalyzer par(TwoWorkers());
  static const ParallelSpectrumAnalyzerF par_f(TwoWorkers());
  t.push_back({"SpectrumAnalyzer::analyze_file", true, "samples", file(seq)});
  t.push_back({"SpectrumAnalyzerF::analyze_file", true, "samples", file(seq_f)});
  t.push_back({"ParallelSpectrumAnalyzer::analyze_file", true, "samples", file(par)});
  t.push_back({"ParallelSpectrumAnalyzerF::analyze_file", true, "samples", file(par_f)});
  // analyze_chunk carries smoothing state between calls: its own (non-const) instances, reset
  // before each call so that every chunk is analysed as a first frame.
  static SpectrumAnalyzer stream;
  static SpectrumAnalyzerF stream_f;
  static ParallelSpectrumAnalyzer stream_par(TwoWorkers());
  stream.reset_smoothing();
  stream_f.reset_smoothing();
  stream_par.reset_smoothing();
  t.push_back({"SpectrumAnalyzer::analyze_chunk", true, "chunk", chunk(stream)});
  t.push_back({"SpectrumAnalyzerF::analyze_chunk", true, "chunk", chunk(stream_f)});
  t.push_back({"ParallelSpectrumAnalyzer::analyze_chunk", true, "chunk", chunk(stream_par)});

  static const auralis::ParallelFFTProcessor<double> fft;
  static const auralis::ParallelFFTProcessor<float> fft_f;
  auto magnitudes = [](const auto& spectra) {
    std::vector<double> v;
    for (const auto& s : spectra) {
      for (const auto& c : s) v.push_back(std::abs(std::complex<double>(c)));
    }
    return v;
  };
  t.push_back({"ParallelFFTProcessor::parallel_windowed_fft", false, "audio",
               [=](std::span<const T> x, std::size_t) {
                 return magnitudes(fft.parallel_windowed_fft(x, 1024, 256));
               }});
  t.push_back({"ParallelFFTProcessor<float>::parallel_windowed_fft", false, "audio",
               [=](std::span<const T> x, std::size_t) {
                 return magnitudes(fft_f.parallel_windowed_fft(x, 1024, 256));
               }});
  t.push_back({"ParallelFFTProcessor::parallel_stft", false, "audio",
               [](std::span<const T> x, std::size_t) {
                 const auto m = fft.parallel_stft(x, 512, 128);
                 std::vector<double> v;
                 for (Eigen::Index i = 0; i < m.size(); ++i) v.push_back(std::abs(m.data()[i]));
                 return v;
               }});
  static const auralis::ParallelFeatureExtractor features;
  t.push_back({"ParallelFeatureExtractor::extract_features_parallel", false, "audio",
               [](std::span<const T> x, std::size_t) {
                 const std::vector<auralis::FeatureExtractor<double, T>> ex = {
                     {"rms",
                      [](std::span<const T> a) {
                        double s = 0.0;
                        for (T v : a) s += static_cast<double>(v) * static_cast<double>(v) * 1e-300;
                        return std::sqrt(s / static_cast<double>(a.size()));
                      }},
                     {"peak", [](std::span<const T> a) {
                        double p = 0.0;
                        for (T v : a) p = std::max(p, std::fabs(static_cast<double>(v)));
                        return p;
                      }}};
                 std::vector<double> v;
                 for (const auto& [name, value] : features.extract_features_parallel(x, ex)) {
                   v.push_back(value);
                 }
                 return v;
               }});
  if constexpr (std::is_same_v<T, double>) {
    static const auralis::ParallelBandProcessor bands;
    t.push_back(
        {"ParallelBandProcessor::process_bands_parallel", false, "audio",
         [](std::span<const double> x, std::size_t) {
           const std::vector<auralis::BandFilter> filters = {
               [](std::span<const double> a) { return std::vector<double>(a.begin(), a.end()); },
               [](std::span<const double> a) {
                 std::vector<double> y(a.size());
                 for (std::size_t i = 0; i < a.size(); ++i) y[i] = 0.5 * a[i];
                 return y;
               }};
           const std::vector<double> gains = {0.0, -6.0};
           return bands.process_bands_parallel(x, filters, gains);
         }});
  }
  // The EQ in the sample type's own precision (mono settings: channels come from EqSettings).
  using Eq = std::conditional_t<std::is_same_v<T, float>, auralis::PsychoacousticEQF,
                                auralis::PsychoacousticEQ>;
  static const Eq eq;
  t.push_back(
      {std::is_same_v<T, float> ? "PsychoacousticEQF::process" : "PsychoacousticEQ::process", false,
       "audio", [](std::span<const T> x, std::size_t) {
         const std::vector<double> curve(25, 3.0);
         const std::vector<T> y = eq.process(x, curve);
         return std::vector<double>(y.begin(), y.end());
       }});
  // The batch processor isolates each input's failure: rethrow it to check its type.
  static const auralis::ParallelAudioProcessor batch;
  t.push_back({"ParallelAudioProcessor::process_batch", true, "samples",
               [](std::span<const T> x, std::size_t ch) {
                 const std::vector<std::span<const T>> inputs = {x, x};
                 const auto results = batch.process_batch(
                     std::span<const std::span<const T>>(inputs), [ch](std::span<const T> in) {
                       return seq.analyze_file(InterleavedAudio<const T>{in, ch});
                     });
                 std::vector<double> v;
                 for (const auto& r : results) {
                   const auto values = Values(r.value());  // rethrows a failure
                   v.insert(v.end(), values.begin(), values.end());
                 }
                 return v;
               }});
  return t;
}

template <class T>
struct BadCase {
  std::string name;
  std::vector<T> samples;
  std::size_t channels;
  std::string field;   // "" = the target's own field
  std::string detail;  // expected in the message
  bool multichannel_only;
};

template <class T>
std::vector<T> Sine(std::size_t n, double amp = 0.5) {
  std::vector<T> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = static_cast<T>(
        amp * std::sin(2.0 * std::numbers::pi * 997.0 * static_cast<double>(i) / 44100.0));
  }
  return x;
}

template <class T>
std::vector<BadCase<T>> BadCases() {
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const T inf = std::numeric_limits<T>::infinity();
  const std::size_t n = 6000;
  std::vector<BadCase<T>> cases;
  cases.push_back({"empty", {}, 1, "", "empty", false});
  for (auto [where, index] :
       {std::pair<const char*, std::size_t>{"first", 0}, {"middle", n / 2}, {"last", n - 1}}) {
    for (auto [kind, value] :
         {std::pair<const char*, T>{"NaN", nan}, {"+inf", inf}, {"-inf", -inf}}) {
      std::vector<T> x = Sine<T>(n);
      x[index] = value;
      // Chunk targets see at most 4096 samples: the "last" sample then lies beyond them.
      const std::size_t chunk_index = index < 4096 ? index : 4095;
      std::vector<T> y = x;
      if (index >= 4096) y[chunk_index] = value;
      cases.push_back({std::string(kind) + " at the " + where + " sample", y, 1, "",
                       std::string("sample ") + std::to_string(chunk_index) + " ", false});
      (void)x;
    }
  }
  cases.push_back({"zero channels", Sine<T>(512), 0, "channels", "must be >= 1", true});
  cases.push_back(
      {"3 samples, 2 channels", Sine<T>(3), 2, "", "not a multiple of channels = 2", true});
  cases.push_back(
      {"1000 samples, 6 channels", Sine<T>(1000), 6, "", "not a multiple of channels = 6", true});
  cases.push_back({"NaN in channel 1 of stereo",
                   [] {
                     std::vector<T> x = Sine<T>(2000);
                     x[1001] = std::numeric_limits<T>::quiet_NaN();
                     return x;
                   }(),
                   2, "", "(frame 500, channel 1) is NaN", true});
  return cases;
}

template <class T>
class BadInputMatrix : public ::testing::Test {};
using SampleTypes = ::testing::Types<double, float>;
TYPED_TEST_SUITE(BadInputMatrix, SampleTypes);

TYPED_TEST(BadInputMatrix, EveryBadBufferOnEveryEntryPoint) {
  using T = TypeParam;
  for (const Target<T>& target : Targets<T>()) {
    for (const BadCase<T>& c : BadCases<T>()) {
      if (c.multichannel_only && !target.multichannel) continue;
      SCOPED_TRACE(target.name + ": " + c.name);
      const std::string field = c.field.empty() ? target.field : c.field;
      ++g_cases;
      try {
        (void)target.run(c.samples, c.channels);
        ADD_FAILURE() << "no exception";
      } catch (const InvalidAudio& e) {
        EXPECT_EQ(e.field(), field);
        const std::string what = e.what();
        EXPECT_NE(what.find(field), std::string::npos) << what;
        EXPECT_NE(what.find(c.detail), std::string::npos) << what;
      } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
      }
    }
  }
}

// What an entry point's values mean, hence which physical law they obey.
enum class Law {
  levels,    // analyzers (default settings: auralis convention, A weighting): per result 64 band
             // levels in dB, then peak, centroid, rolloff, energy
  linear,    // FFT magnitudes, band processor output, features (rms, peak): linear in the input
  adaptive,  // the EQ: level-dependent gains, no scaling law
};

Law LawOf(const std::string& name) {
  if (name.find("Spectrum") != std::string::npos ||
      name.find("process_batch") != std::string::npos) {
    return Law::levels;
  }
  if (name.find("EQ") != std::string::npos) return Law::adaptive;
  return Law::linear;
}

constexpr std::size_t kBands = 64;
constexpr std::size_t kRecord = kBands + 4;  // Values() of one SpectrumResult
constexpr std::size_t kPeak = kBands;        // index of peak_frequency in a record

// Lower edge of the default grid's band holding f: 20 * 1000^(i / 63), computed here.
double DefaultGridEdgeHolding(double f) {
  const long double i =
      std::floor(63.0L * std::log(static_cast<long double>(f) / 20.0L) / std::log(1000.0L));
  return static_cast<double>(20.0L * std::pow(1000.0L, i / 63.0L));
}

// 20 log10(2^k) = k * 20 log10(2), in long double (not by the code under test).
double DbOfPowerOfTwo(int k) {
  return static_cast<double>(static_cast<long double>(k) * 20.0L * std::log10(2.0L));
}

// Values beyond the compute precision's range are rejected, not turned into inf or NaN: float
// compute accepts |x| <= 2^100, double compute |x| <= 2^500. At the limits the loud sample
// (at n = 10 of the first frame) dominates the 0.5 sine: under the periodic Hann window its
// spectrum is flat at |x| w[10], w[10] = sin^2(10 pi / N), so the analyzers' loudest band (A
// weighting: 0 dB at its loudest edge) reads 20 log10(|x| w[10]) with N = 4096 and the FFT
// processors' largest bin is |x| w[10] with their N (1024, stft 512).
TYPED_TEST(BadInputMatrix, ValuesBeyondTheComputeRangeAreRejected) {
  using T = TypeParam;
  const double float_limit = 0x1p100;
  const auto hann10 = [](std::size_t n) {
    const long double s =
        std::sin(std::numbers::pi_v<long double> * 10.0L / static_cast<long double>(n));
    return s * s;
  };
  const auto expect_dominates = [&](const Target<T>& target, const std::vector<double>& values,
                                    double magnitude) {
    for (double v : values) ASSERT_TRUE(std::isfinite(v));
    const bool float_compute = target.name.find("F::") != std::string::npos ||
                               target.name.find("<float>") != std::string::npos;
    if (target.name.find("Spectrum") != std::string::npos) {
      const double want = static_cast<double>(
          20.0L * std::log10(static_cast<long double>(magnitude) * hann10(4096)));
      for (std::size_t r = 0; r < values.size() / kRecord; ++r) {
        const auto first = values.begin() + static_cast<std::ptrdiff_t>(r * kRecord);
        EXPECT_NEAR(*std::max_element(first, first + kBands), want, float_compute ? 1e-5 : 1e-9);
      }
    } else if (target.name.find("FFT") != std::string::npos) {
      const std::size_t n = target.name.find("stft") != std::string::npos ? 512 : 1024;
      const double want = static_cast<double>(static_cast<long double>(magnitude) * hann10(n));
      EXPECT_NEAR(*std::max_element(values.begin(), values.end()), want,
                  (float_compute ? 1e-6 : 1e-12) * want);
    }
  };
  for (const Target<T>& target : Targets<T>()) {
    const bool float_compute = target.name.find("F::") != std::string::npos ||
                               target.name.find("<float>") != std::string::npos;
    const bool has_limit = target.name.find("Spectrum") != std::string::npos ||
                           target.name.find("FFT") != std::string::npos ||
                           target.name.find("EQ") != std::string::npos;
    if (!has_limit) continue;
    SCOPED_TRACE(target.name);
    std::vector<T> x = Sine<T>(5000);
    x[10] = static_cast<T>(-1e31);  // > 2^100 ~ 1.27e30: representable in float too
    ++g_cases;
    if (float_compute) {
      try {
        (void)target.run(x, 1);
        ADD_FAILURE() << "1e31 accepted by float compute";
      } catch (const InvalidAudio& e) {
        EXPECT_EQ(e.field(), target.field);
        EXPECT_NE(std::string(e.what()).find("sample 10 "), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("double compute"), std::string::npos) << e.what();
      }
      x[10] = static_cast<T>(float_limit);  // exactly at the limit: accepted
      expect_dominates(target, target.run(x, 1), float_limit);
    } else {
      expect_dominates(target, target.run(x, 1), std::abs(static_cast<double>(x[10])));
      if constexpr (std::is_same_v<T, double>) {
        x[10] = 1e151;
        ++g_cases;
        EXPECT_THROW((void)target.run(x, 1), InvalidAudio);
        x[10] = 0x1p500;
        expect_dominates(target, target.run(x, 1), 0x1p500);
      }
    }
  }
}

TYPED_TEST(BadInputMatrix, ValidExtremesObeyTheirPhysicsEverywhere) {
  using T = TypeParam;
  struct Extreme {
    std::string name;
    std::vector<T> samples;
    std::size_t channels;
  };
  std::vector<Extreme> extremes;
  {
    std::vector<T> x(6000);
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = std::numeric_limits<T>::denorm_min() * static_cast<T>(i % 7);
    }
    extremes.push_back({"denormals", x, 1});
  }
  const std::vector<T> sine = Sine<T>(6000);  // 997 Hz, amplitude 0.5
  std::vector<T> loud(sine.size());           // 2^100 ~ 1.27e30: float compute's limit
  for (std::size_t i = 0; i < sine.size(); ++i) loud[i] = std::ldexp(sine[i], 100);
  extremes.push_back({"1e30 sine", Sine<T>(6000, 1e30), 1});
  extremes.push_back({"2^100 sine", loud, 1});
  extremes.push_back({"all 1e30", std::vector<T>(6000, static_cast<T>(1e30)), 1});
  extremes.push_back({"one sample", {static_cast<T>(0.25)}, 1});
  extremes.push_back({"silence", std::vector<T>(6000, T(0)), 1});
  extremes.push_back({"8 channels", Sine<T>(8 * 3000), 8});
  extremes.push_back({"one frame of 8 channels", Sine<T>(8), 8});
  for (const Target<T>& target : Targets<T>()) {
    const Law law = LawOf(target.name);
    const std::vector<double> unit = target.run(sine, 1);
    for (const Extreme& e : extremes) {
      if (e.channels != 1 && !target.multichannel) continue;
      SCOPED_TRACE(target.name + ": " + e.name);
      ++g_cases;
      std::vector<double> values;
      ASSERT_NO_THROW(values = target.run(e.samples, e.channels));
      ASSERT_FALSE(values.empty());
      for (double v : values) ASSERT_TRUE(std::isfinite(v)) << v;
      if (law == Law::levels) {
        ASSERT_EQ(values.size() % kRecord, 0u);
      }
      // Silence of the same shape (the number of frames averaged matters to the last bit).
      const std::vector<double> silence =
          target.run(std::vector<T>(e.samples.size(), T(0)), e.channels);
      const auto records = values.size() / kRecord;
      if (e.name == "silence") {
        if (law == Law::levels) {
          // Every band at the 1e-10 (-200 dB) floor plus an A weighting normalised to 0 dB at
          // its loudest edge: all <= -200 dB, the loudest exactly at -200 dB.
          for (std::size_t r = 0; r < records; ++r) {
            double loudest = -1e300;
            for (std::size_t i = 0; i < kBands; ++i) {
              EXPECT_LE(values[r * kRecord + i], -200.0 + 1e-9) << "band " << i;
              loudest = std::max(loudest, values[r * kRecord + i]);
            }
            EXPECT_NEAR(loudest, -200.0, 1e-9);
          }
        } else {
          for (double v : values) ASSERT_EQ(v, 0.0);  // silence in, silence out
        }
      } else if (e.name == "denormals") {
        if (law == Law::levels) {
          EXPECT_EQ(values, silence);  // denormals read as silence, every field
        } else {
          for (double v : values) ASSERT_LE(std::abs(v), 1e-30);  // no gain, no blow-up
        }
      } else if (e.name == "one sample" || e.name == "one frame of 8 channels") {
        // One sample frame, zero-padded, lands on w[0] = 0 of the periodic Hann window: the
        // analyzers and the FFT see silence.
        if (law == Law::levels) {
          EXPECT_EQ(values, silence);
        } else if (target.name.find("FFT") != std::string::npos) {
          for (double v : values) ASSERT_EQ(v, 0.0);
        }
      } else if (e.name == "2^100 sine") {
        ASSERT_EQ(values.size(), unit.size());
        if (law == Law::levels) {
          // Levels of the unit sine plus exactly 20 log10(2^100) dB wherever the unit sine's
          // band is well above the floor (bands at the floor hold rounding noise only); the peak
          // is unchanged.
          const double shift = DbOfPowerOfTwo(100);
          std::size_t checked = 0;
          for (std::size_t r = 0; r < records; ++r) {
            for (std::size_t i = 0; i < kBands; ++i) {
              const double u = unit[r * kRecord + i];
              if (u < -150.0) continue;
              ++checked;
              EXPECT_NEAR(values[r * kRecord + i], u + shift, 1e-9) << "band " << i;
            }
            EXPECT_EQ(values[r * kRecord + kPeak], unit[r * kRecord + kPeak]);
          }
          EXPECT_GE(checked, records * kBands / 2);
        } else if (law == Law::linear) {
          // Linear: every value scaled by 2^100 (exactly for FFT and filters, whose roundings
          // commute with powers of two; the rms feature's 1e-300 factor rounds).
          for (std::size_t i = 0; i < values.size(); ++i) {
            const double want = std::ldexp(unit[i], 100);
            EXPECT_NEAR(values[i], want, 1e-13 * std::abs(want)) << "value " << i;
          }
        }
      } else if (e.name == "1e30 sine" && law == Law::levels) {
        // The auralis peak is the lower edge of the band holding 997 Hz (35 of the default grid).
        for (std::size_t r = 0; r < records; ++r) {
          EXPECT_NEAR(values[r * kRecord + kPeak], DefaultGridEdgeHolding(997.0), 1e-9);
          EXPECT_GT(values[r * kRecord + 35], 600.0);  // 20 log10(1e30) plus the window's gain
        }
      } else if (e.name == "all 1e30" && law == Law::levels) {
        // A constant puts its energy in bins 0 and 1 (Hann main lobe, 0 and 10.8 Hz), below the
        // lowest band edge (20 Hz): the bands hold rounding leakage only, below the DC bin's
        // 20 log10(1e30 N / 2) = 666 dB by at least the compute precision's epsilon (-313 dB
        // double, -144 dB float).
        const bool float_compute = target.name.find("F::") != std::string::npos;
        const long double eps = float_compute ? std::numeric_limits<float>::epsilon()
                                              : std::numeric_limits<double>::epsilon();
        // Measured: 317 dB (double compute), 490 dB (float compute).
        const double bound = static_cast<double>(20.0L * std::log10(1e30L * 4096.0L / 2.0L) +
                                                 20.0L * std::log10(eps));
        for (std::size_t r = 0; r < records; ++r) {
          for (std::size_t i = 0; i < kBands; ++i) {
            EXPECT_LT(values[r * kRecord + i], bound) << "band " << i;
          }
        }
      } else if (e.name == "8 channels" && law == Law::levels) {
        // Channel c holds sin(w (8 i + c)) with w = 2 pi 997 / 44100: their mean is a sine of
        // 8 * 997 = 7976 Hz at the frame rate, so the peak is the band holding 7976 Hz (54).
        for (std::size_t r = 0; r < records; ++r) {
          EXPECT_NEAR(values[r * kRecord + kPeak], DefaultGridEdgeHolding(7976.0), 1e-9);
        }
      }
    }
  }
}

// Denormal input reads as silence in both compute precisions: every band at the 1e-10 floor
// (-200 dB plus weighting), exactly as for digital silence. (Checking only finiteness once
// let a float path report +18,000 dB levels for such input.)
TEST(BadInputMatrixExtremes, DenormalsReadAsSilenceInBothPrecisions) {
  const float tiny = std::numeric_limits<float>::denorm_min();
  std::vector<std::vector<float>> inputs;
  std::vector<float> pattern(6000), small(6000);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    pattern[i] = tiny * static_cast<float>(i % 7);
    small[i] = i % 2 == 0 ? 1e-42f : -1e-42f;
  }
  inputs.push_back(pattern);
  inputs.push_back(small);
  const std::vector<float> silence(6000, 0.0f);
  for (auralis::MetricConvention convention :
       {auralis::MetricConvention::standard, auralis::MetricConvention::auralis}) {
    SpectrumSettings s;
    s.metric_convention = convention;
    s.frequency_weighting = auralis::Weighting::Z;
    const auralis::SpectrumAnalyzer a(s);
    const auralis::SpectrumAnalyzerF af(s);
    const std::vector<double> floor = a.analyze_file(std::span<const float>(silence)).spectrum;
    for (const auto& x : inputs) {
      ++g_cases;
      EXPECT_EQ(a.analyze_file(std::span<const float>(x)).spectrum, floor);
      EXPECT_EQ(af.analyze_file(std::span<const float>(x)).spectrum, floor);
    }
  }
}

// 96 kHz and other rates through every analyzer. The test sine has 997 cycles per 44100
// samples, so at rate sr it is a tone of 997 sr / 44100 Hz: in the auralis convention the peak
// is the lower edge of the band holding it, in the standard one the bin nearest to it.
TEST(BadInputMatrixRates, HighSampleRatesPeakAtTheTone) {
  for (double sr : {8000.0, 96000.0, 192000.0, 384000.0}) {
    const double tone = 997.0 * sr / 44100.0;
    SCOPED_TRACE(std::to_string(sr) + " Hz, tone " + std::to_string(tone) + " Hz");
    for (auralis::MetricConvention convention :
         {auralis::MetricConvention::auralis, auralis::MetricConvention::standard}) {
      SpectrumSettings s;
      s.sample_rate = sr;
      s.metric_convention = convention;
      ParallelSpectrumSettings p;
      static_cast<SpectrumSettings&>(p) = s;
      p.max_workers = 2;
      const std::vector<double> x = Sine<double>(20000);
      for (const SpectrumResult& r :
           {auralis::SpectrumAnalyzer(s).analyze_file(x),
            auralis::SpectrumAnalyzerF(s).analyze_file(x),
            auralis::ParallelSpectrumAnalyzer(p).analyze_file(x),
            auralis::SpectrumAnalyzer(s).analyze_chunk(std::span(x).first(4096))}) {
        ++g_cases;
        for (double v : Values(r)) ASSERT_TRUE(std::isfinite(v));
        if (convention == auralis::MetricConvention::auralis) {
          EXPECT_NEAR(r.peak_frequency, DefaultGridEdgeHolding(tone), 1e-9 * tone);
        } else {
          EXPECT_NEAR(r.peak_frequency, tone, 0.5 * sr / 4096.0 + 1e-9);
        }
      }
    }
  }
}

// Bad files through every file entry point: the reader and both analyzers' analyze_file(path).
class BadFiles : public ::testing::Test {
 protected:
  static std::filesystem::path Dir() {
    static const std::filesystem::path dir = [] {
      auto d =
          std::filesystem::temp_directory_path() / ("auralis-matrix-" + std::to_string(::getpid()));
      std::filesystem::create_directories(d);
      return d;
    }();
    return dir;
  }
  static std::filesystem::path Bytes(const std::string& name, const std::string& bytes) {
    const auto p = Dir() / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(Dir()); }
};

TEST_F(BadFiles, EveryFileEntryPointReportsTheSameKind) {
  using Kind = auralis::io::AudioFileErrorKind;
  // A valid 16-bit WAV, then damaged copies.
  const auto good = Dir() / "good.wav";
  auralis::io::write_audio_file(good, Sine<double>(20000), 1, 44100.0,
                                auralis::io::AudioFileFormat::wav_pcm16);
  std::string wav;
  {
    std::ifstream in(good, std::ios::binary);
    wav.assign(std::istreambuf_iterator<char>(in), {});
  }
  struct Case {
    std::filesystem::path path;
    Kind kind;
  };
  const std::vector<Case> cases = {
      {Dir() / "does-not-exist.wav", Kind::missing},
      {Dir(), Kind::not_a_file},
      {Bytes("empty.wav", ""), Kind::not_audio},
      {Bytes("garbage.wav", std::string(1000, '\x5a')), Kind::not_audio},
      {Bytes("header-only-half.wav", wav.substr(0, 20)), Kind::not_audio},
      {Bytes("cut.wav", wav.substr(0, wav.size() / 2)), Kind::truncated},
  };
  const auralis::SpectrumAnalyzer seq;
  const auralis::SpectrumAnalyzerF seq_f;
  const auralis::ParallelSpectrumAnalyzer par(TwoWorkers());
  const std::vector<std::pair<std::string, std::function<void(const std::filesystem::path&)>>>
      entries = {
          {"read_audio_file", [](const auto& p) { (void)auralis::io::read_audio_file(p); }},
          {"SpectrumAnalyzer::analyze_file(path)",
           [&](const auto& p) { (void)seq.analyze_file(p); }},
          {"SpectrumAnalyzerF::analyze_file(path)",
           [&](const auto& p) { (void)seq_f.analyze_file(p); }},
          {"ParallelSpectrumAnalyzer::analyze_file(path)",
           [&](const auto& p) { (void)par.analyze_file(p); }},
      };
  for (const auto& [name, run] : entries) {
    for (const Case& c : cases) {
      SCOPED_TRACE(name + ": " + c.path.filename().string());
      ++g_cases;
      try {
        run(c.path);
        // A cut WAV may be detected only while streaming: the reader reads whole files.
        ADD_FAILURE() << "no exception";
      } catch (const auralis::io::AudioFileError& e) {
        EXPECT_EQ(e.kind(), c.kind) << e.what();
        EXPECT_NE(std::string(e.what()).find(c.path.filename().string()), std::string::npos)
            << e.what();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
      }
    }
  }
  // Non-finite and out-of-range samples inside a float WAV: the file analyzers reject them,
  // naming the file; 1e31 only in float compute.
  const auto nan_wav = Dir() / "nan.wav";
  std::vector<double> x = Sine<double>(20000);
  x[12345] = std::numeric_limits<double>::quiet_NaN();
  auralis::io::write_audio_file(nan_wav, x, 1, 44100.0, auralis::io::AudioFileFormat::wav_float);
  const auto big_wav = Dir() / "big.wav";
  x[12345] = 1e31;
  auralis::io::write_audio_file(big_wav, x, 1, 44100.0, auralis::io::AudioFileFormat::wav_float);
  for (const auto& [name, run] : entries) {
    if (name == "read_audio_file") continue;  // reading stores what the file holds
    SCOPED_TRACE(name);
    g_cases += 2;
    try {
      run(nan_wav);
      ADD_FAILURE() << "NaN accepted";
    } catch (const InvalidAudio& e) {
      // The field is "samples", as in memory; the message names the file after the index.
      EXPECT_EQ(e.field(), "samples");
      EXPECT_NE(std::string(e.what()).find("sample 12345 "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(nan_wav.string()), std::string::npos) << e.what();
    }
    if (name.find("F::") != std::string::npos) {
      EXPECT_THROW(run(big_wav), InvalidAudio);
    } else {
      EXPECT_NO_THROW(run(big_wav));
    }
  }
}

}  // namespace
