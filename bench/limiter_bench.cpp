// SPDX-License-Identifier: GPL-3.0-or-later
// BrickWallLimiter benchmarks (acceptance 6 of issue 13): the limiter over 180 s of stereo
// 44.1 kHz music-like audio that it actually limits, offline, in double and float, without and
// with true-peak detection; next to it the floors: the bare release recursion over the same
// number of frames and a memcpy of the signal; and the real-time cost of one 512-frame chunk.
// items_per_second counts channel samples. Argument: seconds of audio (180 for the figures, 1
// for a smoke run).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

#include "auralis/dynamics/limiter.hpp"
#include "support/alloc_tracking.hpp"

namespace {

namespace dyn = auralis::dynamics;
constexpr double sr = 44100.0;
constexpr std::size_t channels = 2;
constexpr double pi = std::numbers::pi;

// Interleaved stereo "drums and noise": pink-ish noise (three one-pole-filtered white noises) at
// about -14 dBFS RMS under a 0.5 Hz swell, a kick drum every 0.5 s (a falling sine sweep peaking
// near +4 dBFS) and a noise snare on the off-beats (near +1 dBFS). With the default -1 dB
// ceiling the limiter reduces the gain on every hit (by up to about 5 dB) and on the loudest
// noise peaks; the share of frames reduced by more than 1 dB is reported.
template <class Real>
std::vector<Real> drums_and_noise(double seconds) {
  const auto frames = static_cast<std::size_t>(seconds * sr);
  std::vector<Real> x(frames * channels);
  std::mt19937_64 rng(20261204);
  std::normal_distribution<double> white(0.0, 1.0);
  double p[channels][3] = {};
  constexpr double pole[3] = {0.99765, 0.963, 0.57};
  constexpr double weight[3] = {0.0990460, 0.2965164, 1.0526913};
  for (std::size_t n = 0; n < frames; ++n) {
    const double t = static_cast<double>(n) / sr;
    const double swell = 0.7 + 0.3 * std::sin(2.0 * pi * 0.5 * t);
    const double tk = std::fmod(t, 0.5);
    const double kick = 1.6 * std::exp(-tk / 0.06) *
                        std::sin(2.0 * pi * (45.0 * tk + 2.4 * (1.0 - std::exp(-tk / 0.03))));
    const double ts = std::fmod(t + 0.25, 0.5);
    const double snare_env = 1.1 * std::exp(-ts / 0.04);
    for (std::size_t c = 0; c < channels; ++c) {
      const double w = white(rng);
      double s = 0.0;
      for (int k = 0; k < 3; ++k) {
        p[c][k] = pole[k] * p[c][k] + weight[k] * w;
        s += p[c][k];
      }
      const double snare = snare_env * std::clamp(w / 3.0, -1.0, 1.0);
      x[n * channels + c] = static_cast<Real>(0.1 * swell * s + kick + snare);
    }
  }
  return x;
}

dyn::LimiterSettings settings(bool true_peak) {
  dyn::LimiterSettings s;
  s.sample_rate = sr;
  s.channels = channels;
  s.true_peak = true_peak;
  return s;
}

void samples_counter(benchmark::State& state, std::size_t samples) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(samples));
  state.counters["ns_per_frame"] = benchmark::Counter(
      static_cast<double>(samples / channels),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

template <class Real>
void limiter_offline(benchmark::State& state, bool true_peak) {
  const std::vector<Real> x = drums_and_noise<Real>(static_cast<double>(state.range(0)));
  std::vector<Real> y(x.size());
  const dyn::BasicBrickWallLimiter<Real> lim(settings(true_peak));
  for (auto _ : state) {
    lim.process(x, y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  samples_counter(state, x.size());
  // Share of frames reduced by more than 1 dB, and the largest reduction (dB): the limiter is
  // working, not passing the signal through.
  std::vector<double> g(x.size() / channels);
  lim.process(x, y, g);
  const double one_db = std::pow(10.0, -1.0 / 20.0);
  state.counters["share_reduced_1db"] =
      static_cast<double>(std::count_if(g.begin(), g.end(), [&](double v) { return v < one_db; })) /
      static_cast<double>(g.size());
  state.counters["max_reduction_db"] = -20.0 * std::log10(*std::min_element(g.begin(), g.end()));
}

void BM_LimiterDouble(benchmark::State& state) { limiter_offline<double>(state, false); }
void BM_LimiterFloat(benchmark::State& state) { limiter_offline<float>(state, false); }
void BM_LimiterDoubleTruePeak(benchmark::State& state) { limiter_offline<double>(state, true); }
void BM_LimiterFloatTruePeak(benchmark::State& state) { limiter_offline<float>(state, true); }

// The serial part alone: the release recursion r = min(h, rc r + (1 - rc) h) over as many
// frames, on a precomputed hold sequence (the signal's targets), written to memory.
void BM_LimiterRecursion(benchmark::State& state) {
  const std::vector<double> x = drums_and_noise<double>(static_cast<double>(state.range(0)));
  const std::size_t frames = x.size() / channels;
  const double c = std::pow(10.0, -1.0 / 20.0);
  std::vector<double> h(frames), r(frames);
  for (std::size_t k = 0; k < frames; ++k) {
    const double p = std::max(std::fabs(x[2 * k]), std::fabs(x[2 * k + 1]));
    h[k] = c / std::max(p, c);
  }
  const double rc =
      std::exp(-1.0 / static_cast<double>(static_cast<std::size_t>(50.0 * sr / 1000.0)));
  const double omc = 1.0 - rc;
  for (auto _ : state) {
    double v = 1.0;
    for (std::size_t k = 0; k < frames; ++k) {
      v = std::min(h[k], rc * v + omc * h[k]);
      r[k] = v;
    }
    benchmark::DoNotOptimize(r.data());
    benchmark::ClobberMemory();
  }
  samples_counter(state, frames * channels);
}

// A memcpy of the stereo signal into the output buffer: the memory-traffic floor.
template <class Real>
void limiter_memcpy(benchmark::State& state) {
  const std::vector<Real> x = drums_and_noise<Real>(static_cast<double>(state.range(0)));
  std::vector<Real> y(x.size());
  for (auto _ : state) {
    std::memcpy(y.data(), x.data(), x.size() * sizeof(Real));
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  samples_counter(state, x.size());
}
void BM_LimiterMemcpy(benchmark::State& state) { limiter_memcpy<double>(state); }
void BM_LimiterMemcpyFloat(benchmark::State& state) { limiter_memcpy<float>(state); }

// One process_realtime_chunk call of 512 stereo frames (double): args (true_peak).
void BM_LimiterRealtimeChunk512(benchmark::State& state) {
  const std::vector<double> x = drums_and_noise<double>(10.0);
  dyn::BrickWallLimiter lim(settings(state.range(0) != 0));
  constexpr std::size_t block = 512;
  std::vector<double> out(block * channels);
  const std::size_t blocks = x.size() / (block * channels);
  std::size_t b = 0;
  const long long allocations = auralis::testing::allocation_count();
  for (auto _ : state) {
    lim.process_realtime_chunk(
        std::span<const double>(x.data() + (b % blocks) * block * channels, block * channels), out);
    benchmark::DoNotOptimize(out.data());
    ++b;
  }
  state.counters["allocations"] =
      static_cast<double>(auralis::testing::allocation_count() - allocations);
  samples_counter(state, block * channels);
}

void offline_args(benchmark::internal::Benchmark* b) {
  b->Arg(180)->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_LimiterDouble)->Apply(offline_args);
BENCHMARK(BM_LimiterFloat)->Apply(offline_args);
BENCHMARK(BM_LimiterDoubleTruePeak)->Apply(offline_args);
BENCHMARK(BM_LimiterFloatTruePeak)->Apply(offline_args);
BENCHMARK(BM_LimiterRecursion)->Apply(offline_args);
BENCHMARK(BM_LimiterMemcpy)->Apply(offline_args);
BENCHMARK(BM_LimiterMemcpyFloat)->Apply(offline_args);
BENCHMARK(BM_LimiterRealtimeChunk512)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
