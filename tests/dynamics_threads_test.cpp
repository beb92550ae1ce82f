// SPDX-License-Identifier: GPL-3.0-or-later
// Thread safety of the dynamics processors' offline path: `process` is const and documented as
// safe to call on one object from several threads at once (it starts from the initial state
// and never touches the streaming state). Four threads share each processor, and one thread
// streams through another object of the same settings meanwhile; every thread must get the
// sequential bits. Run under ThreadSanitizer by scripts/tsan.sh.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <thread>
#include <vector>

#include "auralis/dynamics/dynamics.hpp"

namespace {

namespace dyn = auralis::dynamics;

/// A stereo drum-like test signal: decaying bursts over low-level noise, peaks near 0 dBFS.
std::vector<double> test_signal(std::size_t frames) {
  std::vector<double> x(2 * frames);
  std::uint32_t state = 12345;
  for (std::size_t i = 0; i < frames; ++i) {
    state = state * 1664525u + 1013904223u;
    const double noise = (static_cast<double>(state >> 8) / 16777216.0 - 0.5) * 0.05;
    const double t = static_cast<double>(i % 11025) / 44100.0;
    const double burst = std::exp(-t * 30.0) * std::sin(2.0 * 3.14159265358979 * 80.0 * t);
    x[2 * i] = burst * 0.95 + noise;
    x[2 * i + 1] = burst * 0.7 - noise;
  }
  return x;
}

template <class Processor>
void expect_concurrent_process_is_sequential(const Processor& shared, Processor& streamed) {
  const std::vector<double> x = test_signal(44100);
  std::vector<double> reference(x.size());
  shared.process(std::span<const double>(x), std::span<double>(reference));

  constexpr std::size_t threads = 4;
  std::vector<std::vector<double>> got(threads, std::vector<double>(x.size()));
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int rep = 0; rep < 3; ++rep) {
        shared.process(std::span<const double>(x), std::span<double>(got[t]));
      }
    });
  }
  // Meanwhile: another object of the same settings streams on this thread.
  std::vector<double> out(2 * 512);
  for (std::size_t pos = 0; pos + out.size() <= x.size(); pos += out.size()) {
    streamed.process_realtime_chunk(std::span<const double>(x).subspan(pos, out.size()),
                                    std::span<double>(out));
  }
  for (std::thread& th : pool) th.join();
  for (const std::vector<double>& g : got) {
    EXPECT_EQ(std::memcmp(g.data(), reference.data(), g.size() * sizeof(double)), 0);
  }
}

TEST(DynamicsThreads, CompressorProcessIsThreadSafe) {
  dyn::CompressorSettings s;
  s.threshold_db = -24.0;
  const dyn::Compressor shared(s);
  dyn::Compressor streamed(s);
  expect_concurrent_process_is_sequential(shared, streamed);
}

TEST(DynamicsThreads, LimiterProcessIsThreadSafe) {
  for (const bool true_peak : {false, true}) {
    dyn::LimiterSettings s;
    s.ceiling_db = -6.0;
    s.true_peak = true_peak;
    const dyn::BrickWallLimiter shared(s);
    dyn::BrickWallLimiter streamed(s);
    expect_concurrent_process_is_sequential(shared, streamed);
  }
}

TEST(DynamicsThreads, FollowerAndClipperProcessAreThreadSafe) {
  const dyn::EnvelopeFollower follower(dyn::EnvelopeFollowerSettings{});
  dyn::EnvelopeFollower follower_streamed(dyn::EnvelopeFollowerSettings{});
  expect_concurrent_process_is_sequential(follower, follower_streamed);
  const dyn::SoftClipper clipper(dyn::SoftClipperSettings{});
  dyn::SoftClipper clipper_streamed(dyn::SoftClipperSettings{});
  expect_concurrent_process_is_sequential(clipper, clipper_streamed);
}

}  // namespace
