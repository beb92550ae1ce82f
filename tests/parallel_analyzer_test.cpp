// SPDX-License-Identifier: GPL-3.0-or-later
// ParallelSpectrumAnalyzer against SpectrumAnalyzer: bit-identical (==) results for every worker
// count, convention, precision, smoothing, length (around the threshold and across blocks) and
// channel layout; the threshold fallback; concurrent use of one shared analyzer.
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"
#include "support/result_equality.hpp"

namespace {

// Let oneTBB run up to 16 threads even on a 2-core machine, so that every worker count of the
// tests below really runs that many threads (oversubscribed, which is what we want to test).
const tbb::global_control allow_sixteen_threads(tbb::global_control::max_allowed_parallelism, 16);

// Music-like test signal: three partials, a slow envelope and a little noise.
template <class T>
std::vector<T> test_signal(std::size_t samples, std::size_t channels, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.02);
  std::vector<T> x(samples * channels);
  for (std::size_t n = 0; n < samples; ++n) {
    const double t = static_cast<double>(n) / 44100.0;
    for (std::size_t c = 0; c < channels; ++c) {
      const double f = 220.0 * static_cast<double>(c + 1);
      const double v = (0.5 + 0.4 * std::sin(2.0 * std::numbers::pi * 0.7 * t)) *
                           (0.4 * std::sin(2.0 * std::numbers::pi * f * t) +
                            0.2 * std::sin(2.0 * std::numbers::pi * 3.1 * f * t) +
                            0.1 * std::sin(2.0 * std::numbers::pi * 9.7 * f * t)) +
                       noise(rng);
      x[n * channels + c] = static_cast<T>(v);
    }
  }
  return x;
}

void expect_identical(const auralis::SpectrumResult& a, const auralis::SpectrumResult& b) {
  auralis::test_support::expect_identical_values(a, b);
}

using auralis::MetricConvention;

// (workers, convention, smoothing, channels)
class ParallelEquivalence : public ::testing::TestWithParam<
                                std::tuple<std::size_t, MetricConvention, double, std::size_t>> {};

template <class Real, class Sample>
void check_equivalence(std::size_t workers, MetricConvention convention, double smoothing,
                       std::size_t channels) {
  auralis::ParallelSpectrumSettings p;
  p.fft_size = 1024;
  p.overlap = 0.75;
  p.frequency_bands = 48;
  p.metric_convention = convention;
  p.smoothing_factor = smoothing;
  p.max_workers = workers;
  p.min_chunks_for_parallel = 4;
  const auralis::BasicParallelSpectrumAnalyzer<Real> parallel(p);
  const auralis::BasicSpectrumAnalyzer<Real> sequential(p);
  const std::size_t hop = auralis::hop_size(p);
  // Lengths: below the threshold (3 frames), exactly at it (4), one block, a block boundary
  // plus one, several blocks with a ragged tail.
  static const std::vector<Sample> mono = test_signal<Sample>(200000, 1, 7);
  static const std::vector<Sample> stereo = test_signal<Sample>(200000, 2, 7);
  const std::vector<Sample>& x = channels == 1 ? mono : stereo;
  for (std::size_t frames : {3u, 4u, 256u, 257u, 700u}) {
    const std::size_t samples = p.fft_size + (frames - 1) * hop + 100;
    const auralis::InterleavedAudio<const Sample> audio{
        std::span<const Sample>(x).first(samples * channels), channels};
    const auralis::SpectrumResult a = parallel.analyze_file(audio);
    const auralis::SpectrumResult b = sequential.analyze_file(audio);
    SCOPED_TRACE(::testing::Message() << "frames=" << frames << " workers=" << workers);
    ASSERT_EQ(a.num_chunks_analyzed, frames);
    expect_identical(a, b);
    EXPECT_EQ(a.parallel_processing, workers > 1 && frames >= 4);
    EXPECT_FALSE(b.parallel_processing);
  }
}

TEST_P(ParallelEquivalence, DoubleComputeDoubleSamples) {
  const auto [w, c, s, ch] = GetParam();
  check_equivalence<double, double>(w, c, s, ch);
}
TEST_P(ParallelEquivalence, FloatComputeFloatSamples) {
  const auto [w, c, s, ch] = GetParam();
  check_equivalence<float, float>(w, c, s, ch);
}
TEST_P(ParallelEquivalence, DoubleComputeFloatSamples) {
  const auto [w, c, s, ch] = GetParam();
  check_equivalence<double, float>(w, c, s, ch);
}

INSTANTIATE_TEST_SUITE_P(
    Workers, ParallelEquivalence,
    ::testing::Combine(::testing::Range<std::size_t>(1, 17),
                       ::testing::Values(MetricConvention::auralis, MetricConvention::standard),
                       ::testing::Values(0.0, 0.8), ::testing::Values<std::size_t>(1, 2)));

TEST(ParallelSpectrumAnalyzer, DefaultSettingsLongSignalAllHardwareThreads) {
  const auralis::ParallelSpectrumAnalyzer parallel;  // max_workers 0: every hardware thread
  const auralis::SpectrumAnalyzer sequential;
  const std::vector<double> x = test_signal<double>(44100 * 10, 1, 3);
  const auralis::SpectrumResult a = parallel.analyze_file(x);
  expect_identical(a, sequential.analyze_file(x));
  EXPECT_EQ(a.num_chunks_analyzed, 427u);
  EXPECT_EQ(a.parallel_processing, auralis::available_workers() > 1);
}

TEST(ParallelSpectrumAnalyzer, DisabledOrSingleWorkerRunsSequentialPath) {
  const std::vector<double> x = test_signal<double>(44100 * 2, 1, 5);
  auralis::ParallelSpectrumSettings p;
  p.enable_parallel = false;
  p.max_workers = 4;
  EXPECT_FALSE(auralis::ParallelSpectrumAnalyzer(p).analyze_file(x).parallel_processing);
  p.enable_parallel = true;
  p.max_workers = 1;
  EXPECT_FALSE(auralis::ParallelSpectrumAnalyzer(p).analyze_file(x).parallel_processing);
  p.max_workers = 2;
  p.min_chunks_for_parallel = 1000;  // 83 frames < threshold
  EXPECT_FALSE(auralis::ParallelSpectrumAnalyzer(p).analyze_file(x).parallel_processing);
  p.min_chunks_for_parallel = 83;  // exactly at the threshold
  EXPECT_TRUE(auralis::ParallelSpectrumAnalyzer(p).analyze_file(x).parallel_processing);
}

TEST(ParallelSpectrumAnalyzer, SampleRateArgumentMatchesSequential) {
  const std::vector<float> x = test_signal<float>(48000 * 3, 2, 11);
  auralis::ParallelSpectrumSettings p;
  p.max_workers = 3;
  const auralis::InterleavedAudio<const float> audio{x, 2};
  expect_identical(auralis::ParallelSpectrumAnalyzer(p).analyze_file(audio, 48000.0),
                   auralis::SpectrumAnalyzer(p).analyze_file(audio, 48000.0));
}

TEST(ParallelSpectrumAnalyzer, StreamingPathMatchesSequential) {
  auralis::ParallelSpectrumSettings p;
  auralis::ParallelSpectrumAnalyzer parallel(p);
  auralis::SpectrumAnalyzer sequential(p);
  const std::vector<double> x = test_signal<double>(4096 * 6, 1, 13);
  auralis::SpectrumResult a, b;
  for (std::size_t f = 0; f < 6; ++f) {
    const std::span<const double> chunk(x.data() + f * 4096, 4096);
    parallel.analyze_chunk(chunk, a);
    sequential.analyze_chunk(chunk, b);
    expect_identical(a, b);
  }
}

TEST(ParallelSpectrumAnalyzer, InvalidWorkerCountIsRejected) {
  auralis::ParallelSpectrumSettings p;
  p.max_workers = 257;
  try {
    auralis::ParallelSpectrumAnalyzer a(p);
    FAIL() << "expected InvalidSettings";
  } catch (const auralis::InvalidSettings& e) {
    EXPECT_EQ(e.field(), "max_workers");
  }
}

// The input scan runs on the analysis' workers (blocks of 65,536 samples): whatever the worker
// count, a long input with several bad samples reports the first one, with the sequential
// analyzer's exact message, including bad samples in the first and last block, on a block
// boundary, and in every channel layout.
TEST(ParallelSpectrumAnalyzer, ParallelInputScanReportsTheFirstBadSampleLikeSequential) {
  const std::size_t frames = 10 * 44100;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const auralis::SpectrumAnalyzer sequential;
  for (std::size_t channels : {1u, 2u}) {
    const std::vector<double> clean = test_signal<double>(frames, channels, 7);
    const std::size_t n = clean.size();
    const std::size_t block = auralis::detail::scan_block;
    // (position, value) pairs, planted together; the earliest must be reported.
    const std::vector<std::vector<std::pair<std::size_t, double>>> plantings = {
        {{0, nan}},
        {{n - 1, inf}},
        {{block, -inf}},
        {{block - 1, nan}, {block, nan}},
        {{5 * block + 17, 1e300}, {2 * block + 3, nan}, {n - 2, -inf}},
        {{n / 2, nan}, {n / 2 + 1, inf}},
    };
    for (const auto& planting : plantings) {
      std::vector<double> x = clean;
      for (const auto& [i, v] : planting) x[i] = v;
      std::string want;
      try {
        (void)sequential.analyze_file(auralis::InterleavedAudio<const double>{x, channels});
        FAIL() << "the sequential analyzer accepted bad audio";
      } catch (const auralis::InvalidAudio& e) {
        want = e.what();
      }
      for (std::size_t workers : {2u, 3u, 16u}) {
        auralis::ParallelSpectrumSettings p;
        p.max_workers = workers;
        const auralis::ParallelSpectrumAnalyzer parallel(p);
        try {
          (void)parallel.analyze_file(auralis::InterleavedAudio<const double>{x, channels});
          ADD_FAILURE() << "accepted bad audio, workers " << workers;
        } catch (const auralis::InvalidAudio& e) {
          EXPECT_EQ(std::string(e.what()), want)
              << "workers " << workers << " channels " << channels;
          EXPECT_EQ(e.field(), "samples");
        }
      }
    }
  }
}

// 8 threads call analyze_file on one shared analyzer 50 times each, on 3 different inputs:
// every result equals the single-threaded sequential reference.
TEST(ParallelSpectrumAnalyzer, SharedAnalyzerIsDeterministicUnderConcurrentCalls) {
  auralis::ParallelSpectrumSettings p;
  p.max_workers = 2;
  const auralis::ParallelSpectrumAnalyzer shared(p);
  const auralis::SpectrumAnalyzer reference(p);
  std::vector<std::vector<double>> inputs;
  std::vector<auralis::SpectrumResult> expected;
  for (unsigned i = 0; i < 3; ++i) {
    inputs.push_back(test_signal<double>(44100 + 20000 * i, 1, 100 + i));
    expected.push_back(reference.analyze_file(inputs.back()));
  }
  std::vector<int> mismatches(8, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t rep = 0; rep < 50; ++rep) {
        const std::size_t i = (t + rep) % inputs.size();
        const auralis::SpectrumResult r = shared.analyze_file(inputs[i]);
        if (r.spectrum != expected[i].spectrum ||
            r.spectral_centroid != expected[i].spectral_centroid ||
            r.spectral_rolloff != expected[i].spectral_rolloff ||
            r.total_energy != expected[i].total_energy) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t t = 0; t < 8; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

}  // namespace
