// SPDX-License-Identifier: GPL-3.0-or-later
// The process-wide caches (FFT plans, magnitude spectra with their twiddles, windows) hold at
// most their documented budgets of heap memory, however many distinct sizes a program asks
// for; eviction keeps the library's guarantees (same size => same plan while cached, holders
// keep evicted objects alive, bit-identical results after re-planning); and a planner failure
// throws auralis::FftError.
//
// Live heap bytes = bytes allocated minus bytes freed, from two counters:
// - operator new/delete (tests/support/alloc_tracking): windows, twiddles, cache nodes, plan
//   objects;
// - FFTW's own allocator. FFTW allocates plans, twiddle tables and wisdom with fftw_malloc,
//   which does not go through operator new. Every FFTW allocation goes through its internal
//   fftw_kernel_malloc / fftw_kernel_free (fftwf_ for float), which the shared libfftw3 calls
//   through its PLT; this executable defines them (aligned malloc + free, counting
//   malloc_usable_size), so FFTW's memory is counted too. The interposition is itself checked
//   (planning must be counted), so the test cannot pass by counting nothing.
#include <fftw3.h>
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <climits>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "auralis/error.hpp"
#include "auralis/kernel/aligned_buffer.hpp"
#include "auralis/kernel/fft_plan.hpp"
#include "auralis/kernel/magnitude_spectrum.hpp"
#include "auralis/kernel/window.hpp"
#include "support/alloc_tracking.hpp"
#include "support/watchdog.hpp"

namespace {
std::atomic<long long> g_fftw_live{0};

void* counted_fftw_malloc(std::size_t n) {
  void* p = nullptr;
  // 64 bytes: at least the alignment FFTW's SIMD codelets assume (16, 32 or 64 by build).
  if (posix_memalign(&p, 64, n == 0 ? 1 : n) != 0) return nullptr;
  g_fftw_live.fetch_add(static_cast<long long>(malloc_usable_size(p)));
  return p;
}

void counted_fftw_free(void* p) {
  if (p == nullptr) return;
  g_fftw_live.fetch_sub(static_cast<long long>(malloc_usable_size(p)));
  std::free(p);
}
}  // namespace

extern "C" {
void* fftw_kernel_malloc(std::size_t n) { return counted_fftw_malloc(n); }
void fftw_kernel_free(void* p) { counted_fftw_free(p); }
void* fftwf_kernel_malloc(std::size_t n) { return counted_fftw_malloc(n); }
void fftwf_kernel_free(void* p) { counted_fftw_free(p); }
}

namespace {

using auralis::WindowType;
using auralis::kernel::AlignedBuffer;
using auralis::kernel::BoundedCache;
using auralis::kernel::FftPlan;
using auralis::kernel::FftType;
using auralis::kernel::MagnitudeSpectrum;
using auralis::kernel::shared_window;

long long live_heap() { return auralis::testing::live_bytes() + g_fftw_live.load(); }

// Everything the caches may hold, both sample types: the documented bound.
constexpr long long kBound = 2 * static_cast<long long>(auralis::kernel::plan_cache_budget +
                                                        auralis::kernel::spectrum_cache_budget +
                                                        auralis::kernel::window_cache_budget);

// 1,000 distinct sizes: 990 spread log-uniformly over [16, 65536] (odd, even, primes and
// smooth sizes alike), and 10 large ones up to the largest fft_size, 2^20.
std::vector<std::size_t> distinct_sizes() {
  std::set<std::size_t> sizes = {131072, 196608, 262144, 262147,  393216,
                                 524288, 786432, 999983, 1048575, 1048576};
  std::uint64_t state = 12345;
  while (sizes.size() < 1000) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) / 9007199254740992.0;  // [0, 1)
    sizes.insert(static_cast<std::size_t>(16.0 * std::pow(4096.0, u)));
  }
  std::vector<std::size_t> out(sizes.begin(), sizes.end());
  // Interleave large and small so that eviction also happens among mixed sizes.
  std::vector<std::size_t> mixed;
  for (std::size_t i = 0, j = out.size(); i < j; ++i) {
    mixed.push_back(out[i]);
    if (--j > i) mixed.push_back(out[j]);
  }
  return mixed;
}

// FFTW's planner allocates its solver tables once per precision; that memory is not a cache
// of ours. Plan (uncached) and drop one transform per precision and type before the baseline.
void warm_up_fftw() {
  for (FftType type : {FftType::real, FftType::complex}) {
    (void)FftPlan<float>::create(64, auralis::kernel::PlanRigor::estimate, type);
    (void)FftPlan<double>::create(64, auralis::kernel::PlanRigor::estimate, type);
  }
}

TEST(CacheBound, FftwInterpositionCountsPlans) {
  warm_up_fftw();
  const long long before = g_fftw_live.load();
  {
    const auto plan = FftPlan<double>::create(4096);
    EXPECT_GT(g_fftw_live.load() - before, 4096 * 8 / 2)
        << "FFTW's allocations are not seen: the fftw_kernel_malloc interposition failed";
    // The footprint is an upper estimate of what FFTW holds for the plan.
    EXPECT_LE(g_fftw_live.load() - before, static_cast<long long>(plan->footprint()));
  }
  // Destroying the plan frees FFTW's memory (up to the resizing of FFTW's planner tables).
  EXPECT_NEAR(static_cast<double>(g_fftw_live.load()), static_cast<double>(before), 4096.0);
}

TEST(CacheBound, LruEvictsLeastRecentlyUsedWithinBudget) {
  BoundedCache<int, int> cache(100);
  BoundedCache<int, int>::Evicted evicted;
  auto one = std::make_shared<const int>(1);
  cache.insert(1, one, 40, evicted);
  cache.insert(2, std::make_shared<const int>(2), 40, evicted);
  ASSERT_EQ(cache.find(1), one);  // 1 is now the most recently used
  cache.insert(3, std::make_shared<const int>(3), 40, evicted);
  ASSERT_EQ(evicted.size(), 1u);
  EXPECT_EQ(evicted.front().key, 2);
  EXPECT_EQ(cache.find(2), nullptr);
  EXPECT_EQ(cache.find(1), one);
  EXPECT_EQ(cache.bytes(), 80u);
  cache.insert(4, std::make_shared<const int>(4), 101, evicted);  // larger than the budget
  EXPECT_EQ(cache.find(4), nullptr);
  EXPECT_EQ(cache.size(), 2u);
  cache.insert(5, std::make_shared<const int>(5), 100, evicted);  // evicts everything else
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), 100u);
  EXPECT_EQ(evicted.size(), 3u);
  EXPECT_EQ(*one, 1);  // the holder keeps its evicted value
}

// The acceptance test: 1,000 distinct sizes through every cache, both sample types; after each
// size (no handle kept) the live heap bytes above the baseline stay under the bound.
TEST(CacheBound, LiveHeapStaysUnderBoundOverThousandSizes) {
  warm_up_fftw();
  const std::vector<std::size_t> sizes = distinct_sizes();
  ASSERT_EQ(sizes.size(), 1000u);
  ASSERT_EQ(std::set<std::size_t>(sizes.begin(), sizes.end()).size(), 1000u);
  const WindowType windows[] = {WindowType::hann, WindowType::hamming, WindowType::blackman,
                                WindowType::rectangular};

  const long long baseline = live_heap();
  long long worst = 0;
  std::size_t worst_size = 0;
  long long charged = 0;  // what the caches would hold without a bound
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const std::size_t n = sizes[i];
    const WindowType w = windows[i % 4];
    charged += static_cast<long long>(FftPlan<float>::shared(n)->footprint() +
                                      FftPlan<double>::shared(n)->footprint() +
                                      MagnitudeSpectrum<float>::shared(n)->footprint() +
                                      MagnitudeSpectrum<double>::shared(n)->footprint() +
                                      shared_window<float>(w, n)->size() * sizeof(float) +
                                      shared_window<double>(w, n)->size() * sizeof(double));
    const long long live = live_heap() - baseline;
    if (live > worst) {
      worst = live;
      worst_size = n;
    }
  }
  std::printf(
      "[ cache ] live heap bytes held by the caches: max %lld (after size %zu), end %lld;"
      " bound %lld; unbounded caches would hold %lld\n",
      worst, worst_size, live_heap() - baseline, kBound, charged);
  EXPECT_LE(worst, kBound);
  // The test can fail: without eviction the caches would exceed the bound many times over.
  EXPECT_GT(charged, 4 * kBound);
}

TEST(CacheBound, SameObjectWhileCachedAndHoldersKeepEvictedOnes) {
  const std::size_t n = 3000;  // even: the spectrum uses a c2c plan of 1500
  const auto plan = FftPlan<double>::shared(n);
  const auto spectrum = MagnitudeSpectrum<double>::shared(n);
  const auto window = shared_window<double>(WindowType::hann, n);
  EXPECT_EQ(FftPlan<double>::shared(n), plan);
  EXPECT_EQ(MagnitudeSpectrum<double>::shared(n), spectrum);
  EXPECT_EQ(shared_window<double>(WindowType::hann, n), window);

  // Flood every cache with other sizes until ours are evicted.
  for (std::size_t m = 65536 + 1024; m <= 65536 + 64 * 1024; m += 1024) {
    (void)FftPlan<double>::shared(m);
    (void)MagnitudeSpectrum<double>::shared(m);
    (void)shared_window<double>(WindowType::hann, m);
  }
  const auto plan2 = FftPlan<double>::shared(n);
  const auto spectrum2 = MagnitudeSpectrum<double>::shared(n);
  const auto window2 = shared_window<double>(WindowType::hann, n);
  EXPECT_NE(plan2, plan) << "not evicted: the flood is too small for the budget";
  EXPECT_NE(spectrum2, spectrum);
  EXPECT_NE(window2, window);

  // The evicted objects still work, and the rebuilt ones give the same bits.
  AlignedBuffer<double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = std::sin(0.001 * static_cast<double>(i * i)) + 0.25 * static_cast<double>(i % 7);
  }
  AlignedBuffer<std::complex<double>> a(n / 2 + 1), b(n / 2 + 1);
  plan->execute(x.data(), a.data());
  plan2->execute(x.data(), b.data());
  for (std::size_t k = 0; k < a.size(); ++k) ASSERT_EQ(a[k], b[k]) << "bin " << k;

  AlignedBuffer<double> scratch(spectrum->scratch_size()), m1(n / 2 + 1), m2(n / 2 + 1);
  const double u1 = spectrum->compute(x.data(), a.data(), scratch.data(), m1.data());
  const double u2 = spectrum2->compute(x.data(), b.data(), scratch.data(), m2.data());
  EXPECT_EQ(u1, u2);
  for (std::size_t k = 0; k < m1.size(); ++k) ASSERT_EQ(m1[k], m2[k]) << "bin " << k;
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ((*window)[i], (*window2)[i]) << "sample " << i;
}

// Threads requesting more sizes than the caches hold evict each other's entries while using
// them: no deadlock (evicted plans are destroyed after the cache locks are released), and every
// object handed out is the right one.
TEST(CacheBound, ConcurrentRequestsWithEviction) {
  auralis::test_support::run_with_watchdog(
      "ConcurrentRequestsWithEviction", std::chrono::seconds(120), [] {
        std::vector<std::thread> threads;
        std::atomic<int> wrong{0};
        for (unsigned t = 0; t < 4; ++t) {
          threads.emplace_back([t, &wrong] {
            std::uint64_t state = t + 1;
            for (int i = 0; i < 200; ++i) {
              state = state * 6364136223846793005ULL + 1442695040888963407ULL;
              const std::size_t n = 4096 + 2 * static_cast<std::size_t>((state >> 33) % 2048);
              const auto plan = FftPlan<float>::shared(n);
              const auto spectrum = MagnitudeSpectrum<float>::shared(n);
              const auto window = shared_window<float>(WindowType::hann, 8 * n);
              if (plan->size() != n || spectrum->size() != n || window->size() != 8 * n) ++wrong;
            }
          });
        }
        for (std::thread& thread : threads) thread.join();
        EXPECT_EQ(wrong.load(), 0);
      });
}

TEST(CacheBound, EstimatePlanningLeavesWisdomUnchanged) {
  const auto wisdom = [] {
    char* s = fftw_export_wisdom_to_string();
    std::string text = s != nullptr ? s : "";
    std::free(s);
    return text;
  };
  const std::string before = wisdom();
  (void)FftPlan<double>::shared(7919);  // a prime size not planned elsewhere in this test
  (void)FftPlan<double>::create(7920);
  EXPECT_EQ(wisdom(), before);
}

template <class Error>
void ExpectPlanFailure(std::size_t n, auto&& plan) {
  try {
    plan();
    ADD_FAILURE() << "no error for size " << n;
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "fft_size");
    const std::string what = e.what();
    EXPECT_NE(what.find("FFTW could not plan"), std::string::npos) << what;
    EXPECT_NE(what.find("size " + std::to_string(n)), std::string::npos) << what;
  }
}

// fftw_plan_* returns null for a size FFTW cannot plan: 0 (sizes above INT_MAX are refused
// before FFTW sees them; its interface takes an int). Out of memory inside FFTW aborts the
// process (FFTW's own allocator checks), so it cannot be tested.
TEST(CacheBound, PlannerFailureThrowsFftError) {
  using auralis::kernel::PlanRigor;
  ExpectPlanFailure<auralis::FftError>(0, [] { (void)FftPlan<double>::create(0); });
  ExpectPlanFailure<auralis::Error>(0, [] { (void)FftPlan<float>::shared(0); });
  ExpectPlanFailure<auralis::FftError>(
      0, [] { (void)FftPlan<float>::shared(0, PlanRigor::estimate, FftType::complex); });
  ExpectPlanFailure<auralis::RuntimeError>(0, [] { (void)MagnitudeSpectrum<float>::shared(0); });
  const std::size_t huge = std::size_t{INT_MAX} + 1;
  ExpectPlanFailure<auralis::FftError>(huge, [&] { (void)FftPlan<double>::create(huge); });
  try {
    (void)FftPlan<double>::shared(0);
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("auralis: fft_size: "), std::string::npos);
  }
  // The caches stay usable after a failure.
  EXPECT_EQ(FftPlan<double>::shared(64)->size(), 64u);
}

}  // namespace
