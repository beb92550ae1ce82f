// SPDX-License-Identifier: GPL-3.0-or-later
// Real-time safety of analyze_chunk: once the analyzer is constructed and the result object
// sized, 10,000 calls perform zero heap allocations and take zero locks.
//
// Allocations are counted by the replaced global operator new (tests/support/alloc_tracking).
// Locks are counted by interposing the pthread lock functions in this executable: std::mutex,
// std::shared_mutex and std::condition_variable all go through them on Linux, and the library
// (a static archive here) and libstdc++ resolve them to these definitions first. The
// interposition is itself tested (a std::mutex lock must be counted), so the test can fail.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <numbers>
#include <shared_mutex>
#include <span>
#include <vector>

#include "auralis/auralis.hpp"
#include "support/alloc_tracking.hpp"

namespace {
std::atomic<long long> g_locks{0};

template <class Fn>
Fn Next(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}
}  // namespace

extern "C" {
int pthread_mutex_lock(pthread_mutex_t* m) {
  static const auto real = Next<int (*)(pthread_mutex_t*)>("pthread_mutex_lock");
  g_locks.fetch_add(1, std::memory_order_relaxed);
  return real(m);
}
int pthread_mutex_trylock(pthread_mutex_t* m) {
  static const auto real = Next<int (*)(pthread_mutex_t*)>("pthread_mutex_trylock");
  g_locks.fetch_add(1, std::memory_order_relaxed);
  return real(m);
}
int pthread_rwlock_rdlock(pthread_rwlock_t* l) {
  static const auto real = Next<int (*)(pthread_rwlock_t*)>("pthread_rwlock_rdlock");
  g_locks.fetch_add(1, std::memory_order_relaxed);
  return real(l);
}
int pthread_rwlock_wrlock(pthread_rwlock_t* l) {
  static const auto real = Next<int (*)(pthread_rwlock_t*)>("pthread_rwlock_wrlock");
  g_locks.fetch_add(1, std::memory_order_relaxed);
  return real(l);
}
}

namespace {

constexpr int kCalls = 10000;

template <class T>
std::vector<T> Tone(std::size_t n, std::size_t channels) {
  std::vector<T> x(n * channels);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<T>(0.5 * std::sin(2.0 * std::numbers::pi * 440.0 *
                                         static_cast<double>(i / channels) / 44100.0));
  }
  return x;
}

struct Counts {
  long long allocations;
  long long locks;
};

// Runs `call` kCalls times and returns the allocations and locks it caused.
template <class Call>
Counts Measure(Call&& call) {
  const long long a0 = auralis::testing::allocation_count();
  const long long l0 = g_locks.load();
  for (int i = 0; i < kCalls; ++i) call(i);
  return {auralis::testing::allocation_count() - a0, g_locks.load() - l0};
}

const void* volatile g_escape = nullptr;

TEST(RealTimeSafety, CountersWork) {
  std::mutex m;
  const long long l0 = g_locks.load();
  { std::lock_guard lock(m); }
  std::shared_mutex sm;
  { std::shared_lock lock(sm); }
  EXPECT_GE(g_locks.load() - l0, 2);
  const long long a0 = auralis::testing::allocation_count();
  std::vector<double> v(100);
  // The buffer escapes into a volatile global, so no compiler may elide the allocation (clang
  // removes new/delete pairs whose memory it can see is unused).
  g_escape = v.data();
  EXPECT_EQ(auralis::testing::allocation_count() - a0, 1);
  EXPECT_EQ(v.size(), 100u);
}

template <class Analyzer>
struct SettingsOf {
  using type = auralis::SpectrumSettings;
};
template <>
struct SettingsOf<auralis::ParallelSpectrumAnalyzer> {
  using type = auralis::ParallelSpectrumSettings;
};

template <class Analyzer>
class RealTimeChunks : public ::testing::Test {};
using Analyzers = ::testing::Types<auralis::SpectrumAnalyzer, auralis::SpectrumAnalyzerF,
                                   auralis::ParallelSpectrumAnalyzer>;
TYPED_TEST_SUITE(RealTimeChunks, Analyzers);

TYPED_TEST(RealTimeChunks, NoAllocationNoLockOverTenThousandCalls) {
  for (auralis::MetricConvention convention :
       {auralis::MetricConvention::auralis, auralis::MetricConvention::standard}) {
    typename SettingsOf<TypeParam>::type settings;
    settings.metric_convention = convention;
    settings.smoothing_factor = 0.5;
    TypeParam analyzer(settings);
    const std::vector<double> mono = Tone<double>(4096, 1);
    const std::vector<float> mono_f = Tone<float>(4096, 1);
    const std::vector<double> stereo = Tone<double>(4096, 2);
    const std::vector<double> short_chunk = Tone<double>(1000, 1);  // zero-padded
    auralis::SpectrumResult out;
    analyzer.analyze_chunk(mono, out);  // sizes `out` (allowed to allocate)

    const Counts c = Measure([&](int i) {
      switch (i % 5) {
        case 0:
          analyzer.analyze_chunk(mono, out);
          break;
        case 1:
          analyzer.analyze_chunk(mono_f, out);
          break;
        case 2:
          analyzer.analyze_chunk(auralis::InterleavedAudio<const double>{stereo, 2}, out);
          break;
        case 3:
          analyzer.analyze_chunk(short_chunk, out);
          break;
        default:
          analyzer.reset_smoothing();
          analyzer.analyze_chunk(mono, out);
      }
    });
    EXPECT_EQ(c.allocations, 0) << auralis::to_string(convention);
    EXPECT_EQ(c.locks, 0) << auralis::to_string(convention);
    EXPECT_TRUE(std::isfinite(out.spectral_centroid));
    EXPECT_EQ(out.num_chunks_analyzed, 1u);
  }
}

// The EQ's real-time path: zero allocations, zero locks, stereo, odd block sizes.
TEST(RealTimeSafety, EqRealtimeChunksNoAllocationNoLock) {
  auralis::EqSettings settings;
  settings.channels = 2;
  auralis::PsychoacousticEQ eq(settings);
  const std::vector<double> input = Tone<double>(8192, 2);
  std::vector<double> out(input.size());
  std::vector<double> curve(25, 3.0);
  const std::size_t blocks[] = {64, 512, 1000, 4096};
  const Counts c = Measure([&](int i) {
    const std::size_t frames = blocks[static_cast<std::size_t>(i) % 4];
    curve[static_cast<std::size_t>(i) % 25] = (i % 7) - 3.0;  // the curve may change per call
    eq.process_realtime_chunk(std::span<const double>(input).first(frames * 2), curve,
                              std::span<double>(out).first(frames * 2));
  });
  EXPECT_EQ(c.allocations, 0);
  EXPECT_EQ(c.locks, 0);
  for (double v : out) ASSERT_TRUE(std::isfinite(v));
}

// The counters see what they should: the allocating form of analyze_chunk allocates (its
// result), so a regression that made the real-time form allocate would be caught.
TEST(RealTimeSafety, ReturningFormIsCountedAsAllocating) {
  auralis::SpectrumAnalyzer analyzer;
  const std::vector<double> mono = Tone<double>(4096, 1);
  const long long a0 = auralis::testing::allocation_count();
  const auralis::SpectrumResult r = analyzer.analyze_chunk(mono);
  EXPECT_GT(auralis::testing::allocation_count() - a0, 0);
  EXPECT_EQ(r.num_chunks_analyzed, 1u);
}

}  // namespace
