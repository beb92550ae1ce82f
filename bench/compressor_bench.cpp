// SPDX-License-Identifier: GPL-3.0-or-later
// Compressor benchmarks (acceptance 6 of issue 13): the linked-stereo compressor over 180 s of
// stereo 44.1 kHz music-like noise, offline, in double and float; next to it the floors: the
// bare attack/release recursion over the same number of frames and a memcpy of the signal;
// and the real-time cost of one 512-frame chunk. items_per_second counts channel samples.
// Argument: seconds of audio (180 for the figures, 1 for a smoke run).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <random>
#include <vector>

#include "auralis/dynamics/compressor.hpp"
#include "auralis/dynamics/compressor_kernel.hpp"
#include "support/alloc_tracking.hpp"

namespace {

namespace dyn = auralis::dynamics;
constexpr double sr = 44100.0;
constexpr std::size_t channels = 2;

// Interleaved stereo pink-ish noise (three one-pole-filtered white noises summed, a -3 dB/oct
// approximation over the audio band) under a slow 0.5 Hz swell and 4 Hz "beats", peaking near
// 0 dBFS: the compressor (threshold -18 dBFS) moves in and out of reduction all the time.
template <class Real>
std::vector<Real> music_like(double seconds) {
  const auto frames = static_cast<std::size_t>(seconds * sr);
  std::vector<Real> x(frames * channels);
  std::mt19937_64 rng(20261204);
  std::normal_distribution<double> white(0.0, 1.0);
  double p[channels][3] = {};
  constexpr double pole[3] = {0.99765, 0.963, 0.57};
  constexpr double weight[3] = {0.0990460, 0.2965164, 1.0526913};
  for (std::size_t n = 0; n < frames; ++n) {
    const double t = static_cast<double>(n) / sr;
    const double swell = 0.35 + 0.25 * std::sin(2.0 * 3.14159265358979 * 0.5 * t);
    const double beat = 0.6 + 0.4 * std::fabs(std::sin(2.0 * 3.14159265358979 * 2.0 * t));
    for (std::size_t c = 0; c < channels; ++c) {
      const double w = white(rng);
      double s = 0.0;
      for (int k = 0; k < 3; ++k) {
        p[c][k] = pole[k] * p[c][k] + weight[k] * w;
        s += p[c][k];
      }
      x[n * channels + c] = static_cast<Real>(0.08 * swell * beat * s);
    }
  }
  return x;
}

dyn::CompressorSettings linked() {
  dyn::CompressorSettings s;
  s.sample_rate = sr;
  s.channels = channels;
  s.stereo_link = true;
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
void compressor_offline(benchmark::State& state) {
  const std::vector<Real> x = music_like<Real>(static_cast<double>(state.range(0)));
  std::vector<Real> y(x.size());
  const dyn::BasicCompressor<Real> comp(linked());
  for (auto _ : state) {
    comp.process(x, y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  samples_counter(state, x.size());
}

void BM_CompressorDoubleLinked(benchmark::State& state) { compressor_offline<double>(state); }
void BM_CompressorFloatLinked(benchmark::State& state) { compressor_offline<float>(state); }

// The serial part alone: the smooth decoupled peak detector over as many frames, on a
// precomputed static-gain sequence (the same inline recursion the compressor runs), in the
// compressor's blocks of 256 frames.
void BM_AttackReleaseRecursion(benchmark::State& state) {
  const auto frames = static_cast<std::size_t>(static_cast<double>(state.range(0)) * sr);
  const std::vector<double> x = music_like<double>(static_cast<double>(state.range(0)));
  std::vector<double> g(frames);
  for (std::size_t k = 0; k < frames; ++k) {
    const double v = std::fmax(std::fabs(x[2 * k]), std::fabs(x[2 * k + 1]));
    g[k] = dyn::static_gain_db(linked(), 20.0 * std::log10(std::fmax(v, 1e-20)));
  }
  dyn::detail::Smoother s;
  s.a_attack = dyn::time_constant_coefficient(10.0, sr);
  s.b_attack = 1.0 - s.a_attack;
  s.a_release = dyn::time_constant_coefficient(100.0, sr);
  s.b_release = 1.0 - s.a_release;
  std::vector<double> work(256);
  for (auto _ : state) {
    double y1 = 0.0;
    double y = 0.0;
    for (std::size_t k = 0; k < frames; k += 256) {
      const std::size_t n = std::min<std::size_t>(256, frames - k);
      std::memcpy(work.data(), g.data() + k, n * sizeof(double));
      dyn::detail::smooth_gain(s, work.data(), n, y1, y);
    }
    benchmark::DoNotOptimize(y);
  }
  samples_counter(state, frames * channels);
}

// A memcpy of the stereo double signal into the output buffer: the memory-traffic floor.
void BM_CompressorMemcpy(benchmark::State& state) {
  const std::vector<double> x = music_like<double>(static_cast<double>(state.range(0)));
  std::vector<double> y(x.size());
  for (auto _ : state) {
    std::memcpy(y.data(), x.data(), x.size() * sizeof(double));
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  samples_counter(state, x.size());
}

// One process_realtime_chunk call of 512 stereo frames (11.6 ms of audio at 44.1 kHz).
template <class Real>
void compressor_chunk(benchmark::State& state) {
  const std::vector<Real> x = music_like<Real>(10.0);
  dyn::BasicCompressor<Real> comp(linked());
  constexpr std::size_t block = 512;
  std::vector<Real> out(block * channels);
  const std::size_t blocks = x.size() / (block * channels);
  std::size_t b = 0;
  const long long allocations = auralis::testing::allocation_count();
  for (auto _ : state) {
    comp.process_realtime_chunk(
        std::span<const Real>(x.data() + (b % blocks) * block * channels, block * channels), out);
    benchmark::DoNotOptimize(out.data());
    ++b;
  }
  state.counters["allocations"] =
      static_cast<double>(auralis::testing::allocation_count() - allocations);
  samples_counter(state, block * channels);
}

void BM_CompressorRealtimeChunk512(benchmark::State& state) { compressor_chunk<double>(state); }
void BM_CompressorFloatRealtimeChunk512(benchmark::State& state) { compressor_chunk<float>(state); }

// Unlinked stereo and the rms detector, for reference.
template <class Real>
void compressor_variant(benchmark::State& state, bool link, dyn::Detector detector) {
  const std::vector<Real> x = music_like<Real>(static_cast<double>(state.range(0)));
  std::vector<Real> y(x.size());
  dyn::CompressorSettings s = linked();
  s.stereo_link = link;
  s.detector = detector;
  const dyn::BasicCompressor<Real> comp(s);
  for (auto _ : state) {
    comp.process(x, y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  samples_counter(state, x.size());
}
void BM_CompressorDoubleUnlinked(benchmark::State& state) {
  compressor_variant<double>(state, false, dyn::Detector::peak);
}
void BM_CompressorDoubleLinkedRms(benchmark::State& state) {
  compressor_variant<double>(state, true, dyn::Detector::rms);
}

}  // namespace

BENCHMARK(BM_CompressorDoubleLinked)->Arg(180)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CompressorFloatLinked)->Arg(180)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AttackReleaseRecursion)->Arg(180)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CompressorMemcpy)->Arg(180)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CompressorRealtimeChunk512)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CompressorFloatRealtimeChunk512)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CompressorDoubleUnlinked)->Arg(180)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CompressorDoubleLinkedRms)->Arg(180)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
