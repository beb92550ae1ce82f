// SPDX-License-Identifier: GPL-3.0-or-later
// Concurrency stress: one shared analyzer (each kind) hammered by many threads with mixed
// analyze_file calls on different inputs (in memory, float and double, mono and stereo, and
// files), and a batch of 200 inputs of which 10 are corrupt, run through parallel analyzers
// inside the batch processor. Every result must be bit-identical to the sequential analysis of
// the same input, every corrupt input must fail alone, and nothing may deadlock (watchdog).
// The nested-parallelism matrix (max_workers 1..16 inside a batch) is in processors_test.
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "auralis/auralis.hpp"
#include "support/result_equality.hpp"
#include "support/watchdog.hpp"

namespace {

// 16 real threads even on a 2-core machine.
const tbb::global_control allow_sixteen_threads(tbb::global_control::max_allowed_parallelism, 16);

std::vector<double> Noise(std::size_t n, unsigned seed, double amp = 0.3) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> d(0.0, amp);
  std::vector<double> x(n);
  for (double& v : x) v = d(rng);
  return x;
}

// One input of the mixed workload.
struct Input {
  std::vector<double> samples;
  std::vector<float> samples_f;  // used when use_float
  std::size_t channels = 1;
  bool use_float = false;
  std::filesystem::path file;  // used when not empty
};

auralis::SpectrumResult Analyze(const auto& analyzer, const Input& in) {
  if (!in.file.empty()) return analyzer.analyze_file(in.file);
  if (in.use_float) {
    return analyzer.analyze_file(auralis::InterleavedAudio<const float>{in.samples_f, in.channels});
  }
  return analyzer.analyze_file(auralis::InterleavedAudio<const double>{in.samples, in.channels});
}

std::vector<Input> MixedInputs(const std::filesystem::path& dir) {
  std::vector<Input> inputs;
  for (unsigned i = 0; i < 12; ++i) {
    Input in;
    in.channels = 1 + i % 3;
    const std::size_t frames = 6000 + 3500 * i;  // 1 to ~10 analysis frames, beyond threshold
    in.samples = Noise(frames * in.channels, 1000 + i);
    if (i % 4 == 1) {
      in.use_float = true;
      in.samples_f.assign(in.samples.begin(), in.samples.end());
    }
    if (i % 4 == 3) {
      in.file = dir / ("stress-" + std::to_string(i) + ".wav");
      auralis::io::write_audio_file(in.file, in.samples, in.channels, 44100.0,
                                    auralis::io::AudioFileFormat::wav_float);
    }
    inputs.push_back(std::move(in));
  }
  return inputs;
}

class Stress : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("auralis-stress-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(Stress, SharedAnalyzersManyThreadsMixedInputs) {
  const std::vector<Input> inputs = MixedInputs(dir_);
  auralis::ParallelSpectrumSettings settings;
  settings.fft_size = 2048;
  settings.smoothing_factor = 0.6;
  settings.max_workers = 4;
  const auralis::SpectrumAnalyzer reference(settings);
  std::vector<auralis::SpectrumResult> expected;
  for (const Input& in : inputs) expected.push_back(Analyze(reference, in));

  const auralis::SpectrumAnalyzer shared_seq(settings);
  const auralis::ParallelSpectrumAnalyzer shared_par(settings);
  constexpr int kThreads = 8;
  constexpr int kIterations = 60;
  std::atomic<int> calls{0};
  std::vector<std::vector<auralis::SpectrumResult>> got(kThreads);
  std::vector<std::vector<std::size_t>> which(kThreads);
  auralis::test_support::run_with_watchdog("stress_test", std::chrono::seconds(300), [&] {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937 rng(static_cast<unsigned>(t));
        for (int k = 0; k < kIterations; ++k) {
          const std::size_t i = rng() % inputs.size();
          const bool parallel = (t + k) % 2 == 0;
          const auto slot = static_cast<std::size_t>(t);
          got[slot].push_back(parallel ? Analyze(shared_par, inputs[i])
                                       : Analyze(shared_seq, inputs[i]));
          which[slot].push_back(i);
          calls.fetch_add(1);
        }
      });
    }
    for (auto& th : threads) th.join();
  });
  for (std::size_t t = 0; t < got.size(); ++t) {
    for (std::size_t k = 0; k < got[t].size(); ++k) {
      SCOPED_TRACE("thread " + std::to_string(t) + " call " + std::to_string(k) + " input " +
                   std::to_string(which[t][k]));
      auralis::test_support::expect_identical_values(got[t][k], expected[which[t][k]]);
    }
  }
  EXPECT_EQ(calls.load(), kThreads * kIterations);
  std::printf("stress: %d concurrent analyze_file calls on 2 shared analyzers, all identical\n",
              calls.load());
}

TEST_F(Stress, BatchOfTwoHundredWithTenCorruptInputs) {
  constexpr std::size_t kInputs = 200;
  std::vector<std::vector<double>> signals;
  std::vector<bool> corrupt(kInputs, false);
  for (std::size_t i = 0; i < kInputs; ++i) {
    signals.push_back(Noise(5000 + 37 * i, static_cast<unsigned>(i)));
    if (i % 20 == 7) {  // 10 corrupt inputs of three kinds
      corrupt[i] = true;
      if (i % 3 == 0) {
        signals.back()[i] = std::numeric_limits<double>::quiet_NaN();
      } else if (i % 3 == 1) {
        signals.back().back() = -std::numeric_limits<double>::infinity();
      } else {
        signals.back().clear();
      }
    }
  }
  auralis::ParallelSpectrumSettings settings;
  settings.fft_size = 1024;
  const auralis::SpectrumAnalyzer reference(settings);
  for (std::size_t outer : {std::size_t{1}, std::size_t{2}, std::size_t{16}}) {
    SCOPED_TRACE("outer workers " + std::to_string(outer));
    auralis::ParallelConfig config;
    config.max_workers = outer;
    const auralis::ParallelAudioProcessor batch(config);
    std::vector<auralis::BatchResult<auralis::SpectrumResult>> results;
    auralis::test_support::run_with_watchdog("stress_test", std::chrono::seconds(300), [&] {
      results = batch.process_batch(signals, [&](const std::vector<double>& x) {
        auralis::ParallelSpectrumSettings s = settings;
        s.max_workers = 1 + x.size() % 4;
        return auralis::ParallelSpectrumAnalyzer(s).analyze_file(x);
      });
    });
    ASSERT_EQ(results.size(), kInputs);
    std::size_t failures = 0;
    for (std::size_t i = 0; i < kInputs; ++i) {
      SCOPED_TRACE("input " + std::to_string(i));
      ASSERT_EQ(results[i].ok(), !corrupt[i]) << results[i].error_message();
      if (corrupt[i]) {
        ++failures;
        EXPECT_THROW((void)results[i].value(), auralis::InvalidAudio);
        EXPECT_NE(results[i].error_message().find("samples"), std::string::npos);
      } else {
        auralis::test_support::expect_identical_values(results[i].value(),
                                                       reference.analyze_file(signals[i]));
      }
    }
    EXPECT_EQ(failures, 10u);
  }
}

}  // namespace
