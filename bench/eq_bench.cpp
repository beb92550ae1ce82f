// SPDX-License-Identifier: GPL-3.0-or-later
// PsychoacousticEQ benchmarks: offline EQ of stereo audio with 1 worker and all workers
// (second argument, 0 = all), the real-time chunk cost per 512-sample block, and the
// band-parallel filter bank against the frequency-domain path with the same fixed gains.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#include "auralis/auralis.hpp"
#include "support/alloc_tracking.hpp"

namespace {

constexpr double sr = 44100.0;

// Interleaved music-like test signal: two partials per channel under a slow envelope.
std::vector<double> signal(double seconds, std::size_t channels) {
  const auto frames = static_cast<std::size_t>(seconds * sr);
  std::vector<double> x(frames * channels);
  for (std::size_t n = 0; n < frames; ++n) {
    const double t = static_cast<double>(n) / sr;
    for (std::size_t c = 0; c < channels; ++c) {
      const double f = 220.0 * (1.0 + 0.5 * static_cast<double>(c));
      x[n * channels + c] = (0.6 + 0.3 * std::sin(2.0 * std::numbers::pi * 0.7 * t)) *
                            (0.4 * std::sin(2.0 * std::numbers::pi * f * t) +
                             0.2 * std::sin(2.0 * std::numbers::pi * 7.3 * f * t));
    }
  }
  return x;
}

std::vector<double> curve() {
  std::vector<double> c(auralis::eq::critical_band_count);
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = 4.0 * std::sin(0.7 * static_cast<double>(i));
  return c;
}

auralis::ParallelConfig config(const benchmark::State& state) {
  auralis::ParallelConfig c;
  c.max_workers = static_cast<std::size_t>(state.range(1));  // 0 = all
  c.enable_parallel = state.range(1) != 1;
  return c;
}

void realtime_factor(benchmark::State& state, double seconds) {
  state.counters["realtime_factor"] =
      benchmark::Counter(seconds, benchmark::Counter::kIsIterationInvariantRate);
}

// Offline process() of stereo audio: args (seconds, workers). `into` writes into a reused
// output buffer (no per-call allocation of the 180 s output) instead of returning a new vector.
void eq_offline(benchmark::State& state, bool into) {
  const auto seconds = static_cast<double>(state.range(0));
  const std::vector<double> x = signal(seconds, 2);
  auralis::EqSettings s;
  s.channels = 2;
  s.parallel = config(state);
  const auralis::PsychoacousticEQ eq(s);
  const std::vector<double> c = curve();
  std::vector<double> y(into ? x.size() : 0);
  for (auto _ : state) {
    if (into) {
      eq.process(x, c, y);
      benchmark::DoNotOptimize(y.data());
    } else {
      auto r = eq.process(x, c);
      benchmark::DoNotOptimize(r.data());
    }
  }
  realtime_factor(state, seconds);
  state.counters["workers"] = static_cast<double>(s.parallel.workers_for(1 << 20));
}

void BM_EqOffline(benchmark::State& state) { eq_offline(state, false); }
void BM_EqOfflineInto(benchmark::State& state) { eq_offline(state, true); }

// One process_realtime_chunk call of 512 sample frames: args (channels).
void BM_EqRealtimeChunk512(benchmark::State& state) {
  const auto channels = static_cast<std::size_t>(state.range(0));
  const std::vector<double> x = signal(10.0, channels);
  auralis::EqSettings s;
  s.channels = channels;
  auralis::PsychoacousticEQ eq(s);
  const std::vector<double> c = curve();
  constexpr std::size_t block = 512;
  std::vector<double> out(block * channels);
  const std::size_t blocks = x.size() / (block * channels);
  std::size_t b = 0;
  const long long allocations = auralis::testing::allocation_count();
  for (auto _ : state) {
    eq.process_realtime_chunk(
        std::span<const double>(x.data() + (b % blocks) * block * channels, block * channels), c,
        out);
    benchmark::DoNotOptimize(out.data());
    ++b;
  }
  state.counters["allocations"] =
      static_cast<double>(auralis::testing::allocation_count() - allocations);
  // Share of the block's duration (11.6 ms at 44.1 kHz) spent processing it.
  realtime_factor(state, static_cast<double>(block) / sr);
}

// Fixed gains through the 26 band filters of CriticalBandFilterBank, bands in parallel:
// args (seconds, workers), mono.
void BM_EqFilterBank(benchmark::State& state) {
  const auto seconds = static_cast<double>(state.range(0));
  const std::vector<double> x = signal(seconds, 1);
  const auralis::eq::CriticalBandFilterBank bank(sr, 2048, config(state));
  const std::vector<double> c = curve();
  for (auto _ : state) {
    auto y = bank.process(x, c);
    benchmark::DoNotOptimize(y.data());
  }
  realtime_factor(state, seconds);
}

// The same fixed gains in one WOLA pass (PsychoacousticEQ::apply_band_gains), frames in
// parallel: args (seconds, workers), mono.
void BM_EqFrequencyDomain(benchmark::State& state) {
  const auto seconds = static_cast<double>(state.range(0));
  const std::vector<double> x = signal(seconds, 1);
  auralis::EqSettings s;
  s.parallel = config(state);
  const auralis::PsychoacousticEQ eq(s);
  const std::vector<double> c = curve();
  for (auto _ : state) {
    auto y = eq.apply_band_gains(x, c);
    benchmark::DoNotOptimize(y.data());
  }
  realtime_factor(state, seconds);
}

void args(benchmark::internal::Benchmark* b, int seconds) {
  for (int s : {1, seconds}) b->Args({s, 1})->Args({s, 0});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_EqOffline)->Apply([](auto* b) { args(b, 180); });
BENCHMARK(BM_EqOfflineInto)->Apply([](auto* b) { args(b, 180); });
BENCHMARK(BM_EqRealtimeChunk512)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EqFilterBank)->Apply([](auto* b) { args(b, 10); });
BENCHMARK(BM_EqFrequencyDomain)->Apply([](auto* b) { args(b, 10); });

BENCHMARK_MAIN();
