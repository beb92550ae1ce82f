// SPDX-License-Identifier: GPL-3.0-or-later
// Loudness metering benchmarks: measure_loudness over 180 s of stereo at 44.1 kHz, double and
// float input, without true peak (BM_MeasureLoudness) and with it (BM_MeasureLoudnessTruePeak),
// a LoudnessMeter fed 512-frame blocks (the real-time use), and the cost of reading its
// statistics (BM_LoudnessMeterStats). items_per_second counts
// channel samples; realtime_factor is seconds of audio measured per second.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <numbers>
#include <span>
#include <vector>

#include "auralis/loudness.hpp"
#include "support/alloc_tracking.hpp"

namespace {

constexpr double sr = 44100.0;
constexpr double seconds = 180.0;
constexpr std::size_t channels = 2;

// Music-like: two partials per channel under a slow envelope, plus a quieter passage (so the
// gates have something to do).
template <class T>
const std::vector<T>& signal() {
  static const std::vector<T> x = [] {
    const auto frames = static_cast<std::size_t>(seconds * sr);
    std::vector<T> v(frames * channels);
    for (std::size_t n = 0; n < frames; ++n) {
      const double t = static_cast<double>(n) / sr;
      const double env =
          (t > 60.0 && t < 90.0 ? 0.1 : 0.6) + 0.3 * std::sin(2.0 * std::numbers::pi * 0.7 * t);
      for (std::size_t c = 0; c < channels; ++c) {
        const double f = 220.0 * (1.0 + 0.5 * static_cast<double>(c));
        v[n * channels + c] =
            static_cast<T>(env * (0.4 * std::sin(2.0 * std::numbers::pi * f * t) +
                                  0.2 * std::sin(2.0 * std::numbers::pi * 7.3 * f * t)));
      }
    }
    return v;
  }();
  return x;
}

void counters(benchmark::State& state, std::size_t samples, double audio_seconds) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(samples));
  state.counters["realtime_factor"] =
      benchmark::Counter(audio_seconds, benchmark::Counter::kIsIterationInvariantRate);
}

template <class T>
void measure(benchmark::State& state, bool true_peak) {
  const std::vector<T>& x = signal<T>();
  const auralis::LoudnessOptions options{.true_peak = true_peak};
  for (auto _ : state) {
    const auralis::LoudnessStats s =
        auralis::measure_loudness(auralis::InterleavedAudio<const T>{x, channels}, sr, options);
    benchmark::DoNotOptimize(s.integrated_lufs);
  }
  counters(state, x.size(), seconds);
}

template <class T>
void BM_MeasureLoudness(benchmark::State& state) {
  measure<T>(state, false);
}
template <class T>
void BM_MeasureLoudnessTruePeak(benchmark::State& state) {
  measure<T>(state, true);
}

// A LoudnessMeter fed 512-frame blocks (11.6 ms at 44.1 kHz), stats() once at the end; true
// peak as the argument (0 off, 1 on). Reports the allocations per add() call (0 expected).
template <class T>
void BM_LoudnessMeterBlocks512(benchmark::State& state) {
  const std::vector<T>& x = signal<T>();
  const auralis::LoudnessOptions options{.true_peak = state.range(0) != 0};
  constexpr std::size_t block = 512 * channels;
  long long allocations = 0;
  std::size_t calls = 0;
  for (auto _ : state) {
    auralis::LoudnessMeter meter(sr, channels, options);
    const long long before = auralis::testing::allocation_count();
    for (std::size_t pos = 0; pos < x.size(); pos += block) {
      meter.add(std::span<const T>(x.data() + pos, std::min(block, x.size() - pos)));
      ++calls;
    }
    allocations += auralis::testing::allocation_count() - before;
    benchmark::DoNotOptimize(meter.stats().integrated_lufs);
  }
  counters(state, x.size(), seconds);
  state.counters["allocs_per_add"] =
      calls > 0 ? static_cast<double>(allocations) / static_cast<double>(calls) : 0.0;
}

// stats() of a meter that has measured the whole signal (a display reading it 10 times a
// second): two passes over each histogram of 9001 bins, the percentile searches, no allocation.
void BM_LoudnessMeterStats(benchmark::State& state) {
  const std::vector<double>& x = signal<double>();
  auralis::LoudnessMeter meter(sr, channels, {.true_peak = false});
  meter.add(std::span<const double>(x));
  for (auto _ : state) {
    const auralis::LoudnessStats s = meter.stats();
    benchmark::DoNotOptimize(s.integrated_lufs);
    benchmark::DoNotOptimize(s.loudness_range_lu);
  }
}

BENCHMARK(BM_LoudnessMeterStats)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_MeasureLoudness, double)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_MeasureLoudness, float)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_MeasureLoudnessTruePeak, double)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_MeasureLoudnessTruePeak, float)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_LoudnessMeterBlocks512, double)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_LoudnessMeterBlocks512, float)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
