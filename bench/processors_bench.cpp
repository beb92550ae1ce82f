// SPDX-License-Identifier: GPL-3.0-or-later
// Processor-layer benchmarks, each with 1 worker and all available workers (second argument):
// windowed FFT and STFT of 30 s, a 26-band filter bank on 10 s, a feature extractor with 6
// features on 30 s, and a batch of 16 parallel analyses of 30 s each.
#include <benchmark/benchmark.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "auralis/auralis.hpp"

namespace {

std::vector<double> tone(double seconds) {
  std::vector<double> x(static_cast<std::size_t>(seconds * 44100.0));
  for (std::size_t n = 0; n < x.size(); ++n) {
    const double t = static_cast<double>(n) / 44100.0;
    x[n] = 0.4 * std::sin(2.0 * std::numbers::pi * 440.0 * t) +
           0.1 * std::sin(2.0 * std::numbers::pi * 3520.0 * t);
  }
  return x;
}

auralis::ParallelConfig config(const benchmark::State& state) {
  auralis::ParallelConfig c;
  c.max_workers = static_cast<std::size_t>(state.range(1));  // 0 = all
  return c;
}

void BM_WindowedFft(benchmark::State& state) {
  const std::vector<double> x = tone(static_cast<double>(state.range(0)));
  const auralis::ParallelFFTProcessor<double> p(config(state));
  for (auto _ : state) {
    auto frames = p.parallel_windowed_fft(std::span<const double>(x), 4096, 1024);
    benchmark::DoNotOptimize(frames.data());
  }
  state.counters["realtime_factor"] = benchmark::Counter(
      static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Stft(benchmark::State& state) {
  const std::vector<double> x = tone(static_cast<double>(state.range(0)));
  const auralis::ParallelFFTProcessor<double> p(config(state));
  for (auto _ : state) {
    auto m = p.parallel_stft(std::span<const double>(x), 4096, 1024);
    benchmark::DoNotOptimize(m.data());
  }
  state.counters["realtime_factor"] = benchmark::Counter(
      static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}

// 26 FIR band filters (moving-average differences of growing length): the roadmap's
// critical-band count.
void BM_BandProcessor26(benchmark::State& state) {
  const std::vector<double> x = tone(static_cast<double>(state.range(0)));
  std::vector<auralis::BandFilter> filters;
  for (std::size_t b = 0; b < 26; ++b) {
    const std::size_t len = 2 + b;
    filters.push_back([len](std::span<const double> in) {
      std::vector<double> y(in.size(), 0.0);
      double acc = 0.0;
      for (std::size_t n = 0; n < in.size(); ++n) {
        acc += in[n];
        if (n >= len) acc -= in[n - len];
        y[n] = acc / static_cast<double>(len);
      }
      return y;
    });
  }
  const std::vector<double> gains(26, -3.0);
  const auralis::ParallelBandProcessor p(config(state));
  for (auto _ : state) {
    auto y = p.process_bands_parallel(x, filters, gains);
    benchmark::DoNotOptimize(y.data());
  }
}

void BM_FeatureExtractor(benchmark::State& state) {
  const std::vector<double> x = tone(static_cast<double>(state.range(0)));
  using F = auralis::FeatureExtractor<double>;
  const auralis::SpectrumAnalyzer analyzer;
  std::vector<F> features = {
      {"rms",
       [](std::span<const double> a) {
         double s = 0;
         for (double v : a) s += v * v;
         return std::sqrt(s / static_cast<double>(a.size()));
       }},
      {"peak",
       [](std::span<const double> a) {
         double m = 0;
         for (double v : a) m = std::max(m, std::abs(v));
         return m;
       }},
      {"zero_crossings",
       [](std::span<const double> a) {
         double z = 0;
         for (std::size_t i = 1; i < a.size(); ++i) z += (a[i - 1] < 0) != (a[i] < 0);
         return z;
       }},
      {"centroid",
       [&](std::span<const double> a) { return analyzer.analyze_file(a).spectral_centroid; }},
      {"rolloff",
       [&](std::span<const double> a) { return analyzer.analyze_file(a).spectral_rolloff; }},
      {"peak_frequency",
       [&](std::span<const double> a) { return analyzer.analyze_file(a).peak_frequency; }},
  };
  const auralis::ParallelFeatureExtractor p(config(state));
  for (auto _ : state) {
    auto r = p.extract_features_parallel(std::span<const double>(x), features);
    benchmark::DoNotOptimize(r.size());
  }
}

// A batch of 16 "files" of range(0) seconds, each analysed by a ParallelSpectrumAnalyzer
// (nested parallelism when the batch itself runs in parallel).
void BM_Batch16(benchmark::State& state) {
  std::vector<std::vector<double>> files;
  for (int i = 0; i < 16; ++i) files.push_back(tone(static_cast<double>(state.range(0))));
  const auralis::ParallelSpectrumAnalyzer analyzer;
  const auralis::ParallelAudioProcessor p(config(state));
  for (auto _ : state) {
    auto results = p.process_batch(files, [&](const std::vector<double>& f) {
      return analyzer.analyze_file(f).spectral_centroid;
    });
    benchmark::DoNotOptimize(results.data());
  }
  state.counters["realtime_factor"] = benchmark::Counter(
      16.0 * static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}

void args(benchmark::internal::Benchmark* b, long seconds) {
  b->Args({seconds, 1})->Args({seconds, 0})->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_WindowedFft)->Apply([](auto* b) { args(b, 30); });
BENCHMARK(BM_Stft)->Apply([](auto* b) { args(b, 30); });
BENCHMARK(BM_BandProcessor26)->Apply([](auto* b) { args(b, 10); });
BENCHMARK(BM_FeatureExtractor)->Apply([](auto* b) { args(b, 30); });
BENCHMARK(BM_Batch16)->Apply([](auto* b) { args(b, 30); });

}  // namespace

BENCHMARK_MAIN();
