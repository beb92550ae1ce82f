// SPDX-License-Identifier: GPL-3.0-or-later
// Spectrum analysis benchmarks: the raw FFT floor, SpectrumAnalyzer and ParallelSpectrumAnalyzer
// on 5/10/30/180 s of 44.1 kHz mono (4096 / 0.75 / 64 bands), and the real-time analyze_chunk
// path with its heap-allocation count. Run with --benchmark_format=json; compare every analysis
// figure with the floor of the same run (this machine is noisy).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"
#include "support/alloc_tracking.hpp"

namespace {

constexpr double kRate = 44100.0;

// The seed's benchmark signal: 5 harmonics of 440 Hz under a 0.5 Hz envelope.
template <class T>
const std::vector<T>& signal(long seconds) {
  static std::map<long, std::vector<T>> cache;
  auto& x = cache[seconds];
  if (x.empty()) {
    x.resize(static_cast<std::size_t>(seconds) * 44100);
    for (std::size_t n = 0; n < x.size(); ++n) {
      const double t = static_cast<double>(n) / kRate;
      double acc = 0.0;
      for (int i = 0; i < 5; ++i) {
        acc += (0.2 / (i + 1)) * std::sin(2.0 * std::numbers::pi * 440.0 * (i + 1) * t);
      }
      x[n] = static_cast<T>((0.5 + 0.5 * std::sin(2.0 * std::numbers::pi * 0.5 * t)) * acc);
    }
  }
  return x;
}

void set_counters(benchmark::State& state, long seconds, std::size_t frames) {
  state.counters["realtime_factor"] = benchmark::Counter(
      static_cast<double>(seconds), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["frames_per_s"] = benchmark::Counter(
      static_cast<double>(frames), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["audio_s"] = static_cast<double>(seconds);
}

// The floor: windowing + FFTW r2c of every frame (FFTW_ESTIMATE, as the analyzers), one thread.
template <class Real>
void BM_FftFloor(benchmark::State& state) {
  const long seconds = state.range(0);
  const auto& x = signal<Real>(seconds);
  const std::size_t n = 4096, hop = 1024;
  const auto plan = auralis::kernel::FftPlan<Real>::shared(n);
  const std::vector<double> w64 = auralis::kernel::make_window(auralis::WindowType::hann, n);
  const std::vector<Real> w(w64.begin(), w64.end());
  auralis::kernel::AlignedBuffer<Real> in(n);
  auralis::kernel::AlignedBuffer<std::complex<Real>> out(n / 2 + 1);
  const std::size_t frames = (x.size() - n) / hop + 1;
  for (auto _ : state) {
    for (std::size_t t = 0; t < frames; ++t) {
      const Real* src = x.data() + t * hop;
      auralis::kernel::window_mono(src, w.data(), in.data(), n);  // the analyzers' windowing
      plan->execute(in.data(), out.data());
      benchmark::DoNotOptimize(out.data());
    }
  }
  set_counters(state, seconds, frames);
}

// The FFT the analyzers actually run for even N: windowing + FFTW's complex FFT of the N/2
// packed samples, without the split step and magnitudes (kernel/magnitude_spectrum.hpp). The
// difference between an analysis and this is everything the analyzer adds to FFTW.
template <class Real>
void BM_FftFloorHalfComplex(benchmark::State& state) {
  using auralis::kernel::FftType;
  using auralis::kernel::PlanRigor;
  const long seconds = state.range(0);
  const auto& x = signal<Real>(seconds);
  const std::size_t n = 4096, hop = 1024;
  const auto plan =
      auralis::kernel::FftPlan<Real>::shared(n / 2, PlanRigor::estimate, FftType::complex);
  const std::vector<double> w64 = auralis::kernel::make_window(auralis::WindowType::hann, n);
  const std::vector<Real> w(w64.begin(), w64.end());
  auralis::kernel::AlignedBuffer<Real> in(n);
  auralis::kernel::AlignedBuffer<std::complex<Real>> out(n / 2);
  const std::size_t frames = (x.size() - n) / hop + 1;
  for (auto _ : state) {
    for (std::size_t t = 0; t < frames; ++t) {
      auralis::kernel::window_mono(x.data() + t * hop, w.data(), in.data(), n);
      plan->execute(reinterpret_cast<const std::complex<Real>*>(in.data()), out.data());
      benchmark::DoNotOptimize(out.data());
    }
  }
  set_counters(state, seconds, frames);
}

// The timed loop shared by both analyzers: analyze_file per iteration, with the realtime and
// frame-rate counters and the extra peak heap of one call. Returns the frame count.
template <class Analyzer, class Samples>
std::size_t time_analyze_file(benchmark::State& state, const Analyzer& analyzer, const Samples& x,
                              long seconds) {
  std::size_t frames = 0;
  long long extra = 0;
  for (auto _ : state) {
    auralis::testing::reset_peak();
    const long long before = auralis::testing::live_bytes();
    auto r = analyzer.analyze_file(x);
    extra = std::max(extra, auralis::testing::peak_bytes() - before);
    frames = r.num_chunks_analyzed;
    benchmark::DoNotOptimize(r.spectrum.data());
  }
  set_counters(state, seconds, frames);
  state.counters["extra_peak_bytes"] = static_cast<double>(extra);
  return frames;
}

template <class Real>
void BM_Sequential(benchmark::State& state) {
  const long seconds = state.range(0);
  const auto& x = signal<Real>(seconds);
  const auralis::BasicSpectrumAnalyzer<Real> analyzer;
  (void)time_analyze_file(state, analyzer, x, seconds);
}

template <class Real>
void BM_Parallel(benchmark::State& state) {
  const long seconds = state.range(0);
  const auto& x = signal<Real>(seconds);
  auralis::ParallelSpectrumSettings p;
  p.max_workers = static_cast<std::size_t>(state.range(1));
  const auralis::BasicParallelSpectrumAnalyzer<Real> analyzer(p);
  const std::size_t frames = time_analyze_file(state, analyzer, x, seconds);
  state.counters["workers"] = static_cast<double>(analyzer.workers_for(frames));
}

// The real-time path: one 4096-sample frame per call; reports heap allocations per call.
template <class Real>
void BM_AnalyzeChunk(benchmark::State& state) {
  const auto& x = signal<double>(5);
  auralis::BasicSpectrumAnalyzer<Real> analyzer;
  auralis::SpectrumResult out;
  analyzer.analyze_chunk(std::span<const double>(x.data(), 4096), out);  // sizes `out`
  const long long before = auralis::testing::allocation_count();
  std::size_t offset = 0;
  for (auto _ : state) {
    analyzer.analyze_chunk(std::span<const double>(x.data() + offset, 4096), out);
    offset = (offset + 1024) % (x.size() - 4096);
    benchmark::DoNotOptimize(out.spectrum.data());
  }
  state.counters["allocations_per_call"] =
      static_cast<double>(auralis::testing::allocation_count() - before) /
      static_cast<double>(state.iterations());
}

// Planning cost of the plan an analyzer with fft_size 4096 needs (a complex FFT of 2048):
// 0 = FFTW_ESTIMATE (the default), 1 = FFTW_MEASURE with no wisdom for the size, 2 =
// FFTW_MEASURE with wisdom loaded from a file (what a user who persists wisdom pays). Measured
// on uncached plans (FftPlan::create).
template <class Real>
void BM_PlanCreate(benchmark::State& state) {
  using auralis::kernel::FftPlan;
  using auralis::kernel::FftType;
  using auralis::kernel::PlanRigor;
  const long mode = state.range(0);
  // MEASURE without wisdom: a size never planned before in this process, also across
  // repetitions (FFTW keeps the wisdom of every size it measured).
  static std::size_t unplanned = 2048;
  const std::size_t n = mode == 1 ? (unplanned += 2) : 2048;
  if (mode == 2) {
    (void)FftPlan<Real>::create(2048, PlanRigor::measure, FftType::complex);
    const std::string file = "auralis_bench_wisdom.txt";
    if (!auralis::kernel::save_wisdom(file) || !auralis::kernel::load_wisdom(file)) {
      state.SkipWithError("cannot save or load wisdom");
      return;
    }
    std::remove(file.c_str());
  }
  std::size_t size = n;
  for (auto _ : state) {
    auto plan = FftPlan<Real>::create(size, mode == 0 ? PlanRigor::estimate : PlanRigor::measure,
                                      FftType::complex);
    benchmark::DoNotOptimize(plan.get());
    if (mode == 1) size = (unplanned += 2);  // a size without wisdom each time
  }
}

// Building an analyzer once its plan is cached (window, band map, weights, buffers); the first
// call of a fresh process pays this plus BM_PlanCreate/0.
template <class Real>
void BM_FirstCallAnalyzerConstruct(benchmark::State& state) {
  for (auto _ : state) {
    auralis::BasicSpectrumAnalyzer<Real> analyzer;
    benchmark::DoNotOptimize(&analyzer);
  }
}

void lengths(benchmark::internal::Benchmark* b) {
  for (long s : {5, 10, 30, 180}) b->Arg(s);
}
void lengths_workers(benchmark::internal::Benchmark* b) {
  for (long s : {5, 10, 30, 180}) {
    for (long w : {1, 2}) b->Args({s, w});
  }
}

BENCHMARK(BM_FftFloor<double>)->Apply(lengths)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FftFloor<float>)->Apply(lengths)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FftFloorHalfComplex<double>)
    ->Apply(lengths)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_FftFloorHalfComplex<float>)
    ->Apply(lengths)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Sequential<double>)->Apply(lengths)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Sequential<float>)->Apply(lengths)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Parallel<double>)
    ->Apply(lengths_workers)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Parallel<float>)->Apply(lengths_workers)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PlanCreate<double>)->Arg(0)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanCreate<double>)->Arg(1)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanCreate<float>)->Arg(0)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanCreate<float>)->Arg(1)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FirstCallAnalyzerConstruct<double>)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AnalyzeChunk<double>)->Arg(5)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AnalyzeChunk<float>)->Arg(5)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
