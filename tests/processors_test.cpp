// SPDX-License-Identifier: GPL-3.0-or-later
// Processor layer against independent references: every worker count, threshold and error path.
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"
#include "support/result_equality.hpp"
#include "support/watchdog.hpp"

namespace {

using auralis::BandFilter;
using auralis::ParallelConfig;
using auralis::WindowType;

// Let oneTBB run up to 16 threads even on a 2-core machine, so that every worker count below
// really runs that many threads (worker requests are capped at oneTBB's allowed parallelism).
const tbb::global_control allow_sixteen_threads(tbb::global_control::max_allowed_parallelism, 16);

// ------------------------------------------------------------------------------------------
// Shared helpers
// ------------------------------------------------------------------------------------------

// Music-like test signal in [-1, 1]: three partials, a slow envelope and a little noise.
std::vector<double> test_signal(std::size_t samples, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.02);
  std::vector<double> x(samples);
  for (std::size_t n = 0; n < samples; ++n) {
    const double t = static_cast<double>(n) / 44100.0;
    const double f = 220.0 + 10.0 * static_cast<double>(seed % 7);
    const double v = (0.5 + 0.4 * std::sin(2.0 * std::numbers::pi * 0.7 * t)) *
                         (0.4 * std::sin(2.0 * std::numbers::pi * f * t) +
                          0.2 * std::sin(2.0 * std::numbers::pi * 3.1 * f * t) +
                          0.1 * std::sin(2.0 * std::numbers::pi * 9.7 * f * t)) +
                     noise(rng);
    x[n] = std::clamp(v, -1.0, 1.0);
  }
  return x;
}

std::vector<float> to_float(const std::vector<double>& x) {
  std::vector<float> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = static_cast<float>(x[i]);
  return y;
}

// Where chunk_processing_threshold sits relative to the input length.
enum class Threshold { zero, at_length, above_length };

std::size_t threshold_for(Threshold t, std::size_t len) {
  switch (t) {
    case Threshold::zero:
      return 0;
    case Threshold::at_length:
      return len;  // samples == threshold: parallel allowed
    case Threshold::above_length:
      return len + 1;  // below the threshold: sequential
  }
  return 0;
}

const char* threshold_name(Threshold t) {
  switch (t) {
    case Threshold::zero:
      return "thr0";
    case Threshold::at_length:
      return "thrAtLen";
    case Threshold::above_length:
      return "thrAboveLen";
  }
  return "invalid";
}

std::string workers_name(const ::testing::TestParamInfo<std::size_t>& p) {
  return p.param == 0 ? std::string("hardware") : "w" + std::to_string(p.param);
}

const auto kAllThresholds =
    ::testing::Values(Threshold::zero, Threshold::at_length, Threshold::above_length);

ParallelConfig config_with(std::size_t workers, std::size_t threshold, bool grouping = false) {
  ParallelConfig c;
  c.enable_parallel = true;
  c.max_workers = workers;
  c.chunk_processing_threshold = threshold;
  c.band_grouping = grouping;
  c.adaptive_workers = true;
  return c;
}

ParallelConfig sequential_config() {
  ParallelConfig c;
  c.enable_parallel = false;
  return c;
}

// Runs `f` and returns the field() of the `Error` it throws ("<none>" / "<other>" otherwise).
template <class Error, class F>
std::string thrown_field(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.field();
  } catch (const std::exception& e) {
    return std::string("<other: ") + e.what() + ">";
  } catch (...) {
    return "<other>";
  }
  return "<none>";
}

// Records the threads a callback ran on.
class ThreadRecorder {
 public:
  void record() {
    std::lock_guard lock(mutex_);
    ids_.insert(std::this_thread::get_id());
  }
  [[nodiscard]] std::set<std::thread::id> ids() const {
    std::lock_guard lock(mutex_);
    return ids_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::thread::id> ids_;
};

// Blocks until `parties` callers are inside at the same time, or until a timeout. Returns true
// when the rendezvous happened (proof that the callers really ran concurrently).
class Rendezvous {
 public:
  explicit Rendezvous(int parties,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(10000))
      : parties_(parties), timeout_(timeout) {}
  bool arrive() {
    arrived_.fetch_add(1);
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    while (arrived_.load() < parties_) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
  }

 private:
  int parties_;
  std::chrono::milliseconds timeout_;
  std::atomic<int> arrived_{0};
};

// ------------------------------------------------------------------------------------------
// ParallelConfig
// ------------------------------------------------------------------------------------------

TEST(ParallelConfig, Defaults) {
  const ParallelConfig c;
  EXPECT_TRUE(c.enable_parallel);
  EXPECT_EQ(c.max_workers, 0u);
  EXPECT_EQ(c.chunk_processing_threshold, 22050u);
  EXPECT_FALSE(c.band_grouping);
  EXPECT_TRUE(c.adaptive_workers);
  EXPECT_NO_THROW(auralis::validate(c));
}

TEST(ParallelConfig, OptimalFollowsItsDocumentation) {
  const ParallelConfig c = ParallelConfig::optimal();
  EXPECT_GE(auralis::hardware_workers(), 1u);
  EXPECT_EQ(c.max_workers, auralis::hardware_workers());
  EXPECT_TRUE(c.enable_parallel);
  EXPECT_EQ(c.chunk_processing_threshold, 22050u);
  EXPECT_EQ(c.band_grouping, auralis::hardware_workers() < 4);
  EXPECT_TRUE(c.adaptive_workers);
  EXPECT_NO_THROW(auralis::validate(c));
}

TEST(ParallelConfig, WorkersForDisabledIsAlwaysOne) {
  ParallelConfig c;
  c.enable_parallel = false;
  for (std::size_t workers : {0u, 1u, 2u, 8u, 256u}) {
    c.max_workers = workers;
    for (bool adaptive : {false, true}) {
      c.adaptive_workers = adaptive;
      for (std::size_t items : {0u, 1u, 3u, 1000u}) {
        EXPECT_EQ(c.workers_for(items), 1u) << workers << " " << adaptive << " " << items;
      }
    }
  }
}

TEST(ParallelConfig, WorkersForAdaptiveCapsAtItems) {
  ParallelConfig c;
  c.max_workers = 8;
  c.adaptive_workers = true;
  EXPECT_EQ(c.workers_for(0), 1u);
  EXPECT_EQ(c.workers_for(1), 1u);
  EXPECT_EQ(c.workers_for(3), 3u);
  EXPECT_EQ(c.workers_for(8), 8u);
  EXPECT_EQ(c.workers_for(9), 8u);
  EXPECT_EQ(c.workers_for(100000), 8u);
  c.adaptive_workers = false;
  EXPECT_EQ(c.workers_for(0), 8u);
  EXPECT_EQ(c.workers_for(3), 8u);
  EXPECT_EQ(c.workers_for(100000), 8u);
  c.max_workers = 1;
  EXPECT_EQ(c.workers_for(100), 1u);
}

TEST(ParallelConfig, WorkersForZeroMeansAllAvailable) {
  ASSERT_EQ(auralis::available_workers(), 16u);  // the global_control above
  ParallelConfig c;
  c.max_workers = 0;
  c.adaptive_workers = false;
  EXPECT_EQ(c.workers_for(1), 16u);
  EXPECT_EQ(c.workers_for(1000000), 16u);
  c.adaptive_workers = true;
  EXPECT_EQ(c.workers_for(1000000), 16u);
  EXPECT_EQ(c.workers_for(5), 5u);
  EXPECT_EQ(c.workers_for(1), 1u);
  {
    // Allowed parallelism = the hardware: 0 means every hardware thread.
    const tbb::global_control hardware(tbb::global_control::max_allowed_parallelism,
                                       auralis::hardware_workers());
    EXPECT_EQ(auralis::available_workers(), auralis::hardware_workers());
    EXPECT_EQ(c.workers_for(1000000), auralis::hardware_workers());
  }
  {
    // Requests are capped at the allowed parallelism.
    const tbb::global_control three(tbb::global_control::max_allowed_parallelism, 3);
    EXPECT_EQ(auralis::available_workers(), 3u);
    EXPECT_EQ(c.workers_for(1000000), 3u);
    c.max_workers = 8;
    EXPECT_EQ(c.workers_for(1000000), 3u);
    c.max_workers = 2;
    EXPECT_EQ(c.workers_for(1000000), 2u);
  }
  EXPECT_EQ(auralis::available_workers(), 16u);
}

TEST(ParallelConfig, ThresholdDecidesSequentialExecution) {
  const ParallelConfig c = config_with(6, 1000);
  EXPECT_EQ(c.workers_for(100, 999), 1u);
  EXPECT_EQ(c.workers_for(100, 1000), 6u);
  EXPECT_EQ(c.workers_for(4, 5000), 4u);
  EXPECT_EQ(config_with(6, 0).workers_for(100, 1), 6u);
  // The one rule, as the analyzer applies it (threshold in frames, always adaptive).
  EXPECT_EQ(auralis::parallel_workers(true, 6, true, 3, 3, 4), 1u);
  EXPECT_EQ(auralis::parallel_workers(true, 6, true, 4, 4, 4), 4u);
  EXPECT_EQ(auralis::parallel_workers(false, 6, true, 400, 400, 4), 1u);
}

TEST(ParallelConfig, ValidateRejectsTooManyWorkers) {
  ParallelConfig c;
  c.max_workers = 256;
  EXPECT_NO_THROW(auralis::validate(c));
  c.max_workers = 257;
  EXPECT_EQ(thrown_field<auralis::InvalidSettings>([&] { auralis::validate(c); }), "max_workers");
  c.max_workers = std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(thrown_field<auralis::InvalidSettings>([&] { auralis::validate(c); }), "max_workers");
}

TEST(ParallelConfig, EveryProcessorConstructorRejectsTooManyWorkers) {
  ParallelConfig bad;
  bad.max_workers = 257;
  EXPECT_EQ(thrown_field<auralis::InvalidSettings>(
                [&] { const auralis::ParallelFFTProcessor<double> p(bad); }),
            "max_workers");
  EXPECT_EQ(thrown_field<auralis::InvalidSettings>(
                [&] { const auralis::ParallelFFTProcessor<float> p(bad); }),
            "max_workers");
  EXPECT_EQ(
      thrown_field<auralis::InvalidSettings>([&] { const auralis::ParallelBandProcessor p(bad); }),
      "max_workers");
  EXPECT_EQ(thrown_field<auralis::InvalidSettings>(
                [&] { const auralis::ParallelFeatureExtractor p(bad); }),
            "max_workers");
  EXPECT_EQ(
      thrown_field<auralis::InvalidSettings>([&] { const auralis::ParallelAudioProcessor p(bad); }),
      "max_workers");
  auralis::ParallelSpectrumSettings s;
  s.max_workers = 257;
  EXPECT_EQ(
      thrown_field<auralis::InvalidSettings>([&] { const auralis::ParallelSpectrumAnalyzer a(s); }),
      "max_workers");

  ParallelConfig good;
  good.max_workers = 256;
  EXPECT_EQ(auralis::ParallelFFTProcessor<double>(good).config().max_workers, 256u);
  EXPECT_EQ(auralis::ParallelBandProcessor(good).config().max_workers, 256u);
  EXPECT_EQ(auralis::ParallelFeatureExtractor(good).config().max_workers, 256u);
  EXPECT_EQ(auralis::ParallelAudioProcessor(good).config().max_workers, 256u);
}

// ------------------------------------------------------------------------------------------
// ParallelFFTProcessor
// ------------------------------------------------------------------------------------------

// Periodic (DFT-even) window of length N in long double, from its textbook closed form with
// the exact phase 2 pi j / N (not from the library's make_window).
long double reference_window(WindowType type, std::size_t j, std::size_t n,
                             const std::vector<long double>& cos_table) {
  const long double c1 = cos_table[j % n];
  const long double c2 = cos_table[(2 * j) % n];
  switch (type) {
    case WindowType::hann:
      return 0.5L - 0.5L * c1;
    case WindowType::hamming:
      return 0.54L - 0.46L * c1;
    case WindowType::blackman:
      return 0.42L - 0.5L * c1 + 0.08L * c2;
    case WindowType::rectangular:
      return 1.0L;
  }
  return std::numeric_limits<long double>::quiet_NaN();
}

// Naive long double DFT of frame `start` of `x` (zero-padded past its end), windowed with the
// closed-form window: X_k = sum_n w[n] x[start + n] e^{-2 pi i k n / N}, k = 0..N/2.
template <class Sample>
std::vector<std::complex<long double>> reference_dft(std::span<const Sample> x, std::size_t start,
                                                     std::size_t n, WindowType type) {
  // Twiddles e^{-2 pi i j / N}, j = 0..N-1, each from an exact index (k * m mod N).
  const long double two_pi = 2.0L * std::numbers::pi_v<long double>;
  std::vector<long double> cos_table(n);
  std::vector<long double> sin_table(n);
  for (std::size_t j = 0; j < n; ++j) {
    const long double angle = two_pi * static_cast<long double>(j) / static_cast<long double>(n);
    cos_table[j] = std::cos(angle);
    sin_table[j] = std::sin(angle);
  }
  std::vector<long double> frame(n, 0.0L);
  for (std::size_t i = 0; i < n && start + i < x.size(); ++i) {
    frame[i] = static_cast<long double>(x[start + i]) * reference_window(type, i, n, cos_table);
  }
  std::vector<std::complex<long double>> out(n / 2 + 1);
  for (std::size_t k = 0; k <= n / 2; ++k) {
    long double re = 0.0L;
    long double im = 0.0L;
    for (std::size_t m = 0; m < n; ++m) {
      const std::size_t j = (k * m) % n;
      re += frame[m] * cos_table[j];
      im -= frame[m] * sin_table[j];
    }
    out[k] = {re, im};
  }
  return out;
}

// Largest bin error relative to the largest reference magnitude.
template <class Vec>
double relative_error(const Vec& got, const std::vector<std::complex<long double>>& ref) {
  long double peak = 0.0L;
  long double err = 0.0L;
  for (std::size_t k = 0; k < ref.size(); ++k) {
    const auto g = got[static_cast<Eigen::Index>(k)];
    const std::complex<long double> gl(static_cast<long double>(g.real()),
                                       static_cast<long double>(g.imag()));
    peak = std::max(peak, std::abs(ref[k]));
    err = std::max(err, std::abs(gl - ref[k]));
  }
  return static_cast<double>(peak > 0.0L ? err / peak : err);
}

template <class M>
bool identical(const M& a, const M& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      if (a(i, j) != b(i, j)) return false;
    }
  }
  return true;
}

template <class Spectrum>
bool identical(const std::vector<Spectrum>& a, const std::vector<Spectrum>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t t = 0; t < a.size(); ++t) {
    if (!identical(a[t], b[t])) return false;
  }
  return true;
}

struct FftCase {
  std::size_t fft_size;
  std::size_t hop;
  WindowType window;
  std::size_t length;
};

const std::vector<FftCase> kFftCases = {
    {256, 64, WindowType::hann, 4000},      {480, 160, WindowType::hamming, 3000},
    {512, 512, WindowType::blackman, 5000}, {128, 100, WindowType::rectangular, 2000},
    {16, 3, WindowType::hann, 200},         {256, 64, WindowType::hann, 256},
    {300, 70, WindowType::blackman, 299},   {256, 64, WindowType::hamming, 100},
    {64, 16, WindowType::rectangular, 1},
};

template <class Real, class Sample>
void check_against_dft(double tol) {
  const std::vector<double> source = test_signal(6000, 21);
  std::vector<Sample> all(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) all[i] = static_cast<Sample>(source[i]);
  for (const FftCase& c : kFftCases) {
    std::map<std::size_t, std::vector<std::complex<long double>>> references;
    for (std::size_t workers : {1u, 3u}) {
      SCOPED_TRACE(::testing::Message() << "N=" << c.fft_size << " hop=" << c.hop
                                        << " window=" << auralis::to_string(c.window)
                                        << " len=" << c.length << " workers=" << workers);
      const auralis::ParallelFFTProcessor<Real> proc(config_with(workers, 0));
      const std::span<const Sample> x = std::span<const Sample>(all).first(c.length);
      const auto frames = proc.parallel_windowed_fft(x, c.fft_size, c.hop, c.window);
      const auto stft = proc.parallel_stft(x, c.fft_size, c.hop, c.window);
      const std::size_t expected_frames =
          c.length < c.fft_size ? 1 : (c.length - c.fft_size) / c.hop + 1;
      ASSERT_EQ(frames.size(), expected_frames);
      ASSERT_EQ(stft.cols(), static_cast<Eigen::Index>(expected_frames));
      ASSERT_EQ(stft.rows(), static_cast<Eigen::Index>(c.fft_size / 2 + 1));
      std::set<std::size_t> check = {0, expected_frames / 2, expected_frames - 1};
      if (expected_frames > 1) check.insert(1);
      for (std::size_t t : check) {
        ASSERT_EQ(frames[t].size(), static_cast<Eigen::Index>(c.fft_size / 2 + 1));
        if (references.count(t) == 0) {
          references[t] = reference_dft<Sample>(x, t * c.hop, c.fft_size, c.window);
        }
        const auto& ref = references[t];
        EXPECT_LE(relative_error(frames[t], ref), tol) << "frame " << t;
        EXPECT_LE(relative_error(stft.col(static_cast<Eigen::Index>(t)), ref), tol)
            << "stft column " << t;
      }
      // Column t of the STFT is frame t of windowed_fft, bit for bit.
      for (std::size_t t = 0; t < expected_frames; ++t) {
        EXPECT_TRUE(identical(frames[t], typename auralis::ParallelFFTProcessor<Real>::Spectrum(
                                             stft.col(static_cast<Eigen::Index>(t)))))
            << "frame " << t;
      }
    }
  }
}

TEST(ParallelFFTProcessor, DoubleMatchesNaiveDft) { check_against_dft<double, double>(1e-9); }
TEST(ParallelFFTProcessor, DoubleComputeFloatSamplesMatchesNaiveDft) {
  check_against_dft<double, float>(1e-9);
}
TEST(ParallelFFTProcessor, FloatMatchesNaiveDft) { check_against_dft<float, double>(1e-4); }
TEST(ParallelFFTProcessor, FloatComputeFloatSamplesMatchesNaiveDft) {
  check_against_dft<float, float>(1e-4);
}

TEST(ParallelFFTProcessor, ShortInputIsOneZeroPaddedFrame) {
  const auralis::ParallelFFTProcessor<double> proc(config_with(4, 0));
  const std::vector<double> x = {0.5, -0.25, 1.0};
  const auto frames =
      proc.parallel_windowed_fft(std::span<const double>(x), 32, 8, WindowType::rectangular);
  ASSERT_EQ(frames.size(), 1u);
  // Rectangular window: X_k = 0.5 - 0.25 e^{-2 pi i k / 32} + e^{-4 pi i k / 32}.
  for (Eigen::Index k = 0; k <= 16; ++k) {
    const double a = 2.0 * std::numbers::pi * static_cast<double>(k) / 32.0;
    const std::complex<double> expected =
        0.5 - 0.25 * std::polar(1.0, -a) + std::polar(1.0, -2 * a);
    EXPECT_NEAR(frames[0](k).real(), expected.real(), 1e-14) << k;
    EXPECT_NEAR(frames[0](k).imag(), expected.imag(), 1e-14) << k;
  }
}

// Frame-count boundaries: (len - N) / hop + 1 frames once len >= N.
TEST(ParallelFFTProcessor, FrameCountBoundaries) {
  const auralis::ParallelFFTProcessor<double> proc(config_with(3, 0));
  const std::vector<double> x = test_signal(2000, 3);
  const std::size_t n = 64;
  const std::size_t hop = 10;
  const std::vector<std::pair<std::size_t, std::size_t>> cases = {
      {1, 1}, {63, 1}, {64, 1}, {73, 1}, {74, 2}, {75, 2}, {84, 3}, {1000, (1000 - 64) / 10 + 1}};
  for (const auto& [len, frames] : cases) {
    const std::span<const double> s = std::span<const double>(x).first(len);
    EXPECT_EQ(proc.parallel_windowed_fft(s, n, hop).size(), frames) << len;
    EXPECT_EQ(proc.parallel_stft(s, n, hop).cols(), static_cast<Eigen::Index>(frames)) << len;
  }
}

// (workers, threshold) -> results identical to the sequential processor.
class FftInvariance : public ::testing::TestWithParam<std::tuple<std::size_t, Threshold>> {};

template <class Real>
void check_fft_invariance(std::size_t workers, Threshold thr) {
  const std::vector<double> x = test_signal(20000, 5);
  const std::span<const double> s(x);
  const auralis::ParallelFFTProcessor<Real> reference(sequential_config());
  const auralis::ParallelFFTProcessor<Real> proc(
      config_with(workers, threshold_for(thr, x.size())));
  for (const auto& [n, hop, window] : std::vector<std::tuple<std::size_t, std::size_t, WindowType>>{
           {512, 128, WindowType::hann}, {400, 123, WindowType::blackman}}) {
    const auto expected_frames = reference.parallel_windowed_fft(s, n, hop, window);
    const auto expected_stft = reference.parallel_stft(s, n, hop, window);
    ASSERT_EQ(expected_frames.size(), (x.size() - n) / hop + 1);
    EXPECT_TRUE(identical(proc.parallel_windowed_fft(s, n, hop, window), expected_frames)) << n;
    EXPECT_TRUE(identical(proc.parallel_stft(s, n, hop, window), expected_stft)) << n;
    // Disabled parallelism with many workers is the same too.
    ParallelConfig off = config_with(workers, 0);
    off.enable_parallel = false;
    EXPECT_TRUE(identical(auralis::ParallelFFTProcessor<Real>(off).parallel_stft(s, n, hop, window),
                          expected_stft))
        << n;
    // Non-adaptive workers (more workers than the frames of a short input).
    ParallelConfig fixed = config_with(workers, 0);
    fixed.adaptive_workers = false;
    const std::span<const double> shorter = s.first(n + 2 * hop);
    EXPECT_TRUE(
        identical(auralis::ParallelFFTProcessor<Real>(fixed).parallel_stft(shorter, n, hop, window),
                  reference.parallel_stft(shorter, n, hop, window)))
        << n;
  }
}

TEST_P(FftInvariance, DoubleBitIdentical) {
  const auto [workers, thr] = GetParam();
  check_fft_invariance<double>(workers, thr);
}
TEST_P(FftInvariance, FloatBitIdentical) {
  const auto [workers, thr] = GetParam();
  check_fft_invariance<float>(workers, thr);
}

std::string workers_threshold_name(
    const ::testing::TestParamInfo<std::tuple<std::size_t, Threshold>>& p) {
  return "w" + std::to_string(std::get<0>(p.param)) + "_" + threshold_name(std::get<1>(p.param));
}

INSTANTIATE_TEST_SUITE_P(Workers, FftInvariance,
                         ::testing::Combine(::testing::Range<std::size_t>(1, 9), kAllThresholds),
                         workers_threshold_name);

template <class Real>
void check_fft_errors() {
  const auralis::ParallelFFTProcessor<Real> proc(config_with(4, 0));
  const std::vector<double> x = test_signal(5000, 9);
  const std::span<const double> s(x);
  using auralis::InvalidAudio;
  using auralis::InvalidSettings;
  EXPECT_EQ(thrown_field<InvalidSettings>([&] { static_cast<void>(proc.parallel_stft(s, 8, 4)); }),
            "fft_size");
  EXPECT_EQ(thrown_field<InvalidSettings>(
                [&] { static_cast<void>(proc.parallel_windowed_fft(s, 8, 4)); }),
            "fft_size");
  EXPECT_EQ(thrown_field<InvalidSettings>([&] { static_cast<void>(proc.parallel_stft(s, 15, 4)); }),
            "fft_size");
  EXPECT_EQ(thrown_field<InvalidSettings>(
                [&] { static_cast<void>(proc.parallel_stft(s, auralis::max_fft_size + 1, 4)); }),
            "fft_size");
  EXPECT_EQ(thrown_field<InvalidSettings>([&] {
              static_cast<void>(proc.parallel_windowed_fft(s, auralis::max_fft_size + 1, 4));
            }),
            "fft_size");
  EXPECT_NO_THROW(static_cast<void>(proc.parallel_stft(s, 16, 4)));
  EXPECT_EQ(
      thrown_field<InvalidSettings>([&] { static_cast<void>(proc.parallel_stft(s, 512, 0)); }),
      "hop");
  EXPECT_EQ(thrown_field<InvalidSettings>(
                [&] { static_cast<void>(proc.parallel_windowed_fft(s, 512, 0)); }),
            "hop");
  EXPECT_THROW(static_cast<void>(proc.parallel_stft(s, 512, 128, static_cast<WindowType>(99))),
               InvalidSettings);

  const std::vector<double> empty;
  EXPECT_THROW(static_cast<void>(proc.parallel_stft(std::span<const double>(empty), 512, 128)),
               InvalidAudio);
  EXPECT_THROW(
      static_cast<void>(proc.parallel_windowed_fft(std::span<const double>(empty), 512, 128)),
      InvalidAudio);
  for (double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    std::vector<double> y = x;
    y[4321] = bad;
    EXPECT_THROW(static_cast<void>(proc.parallel_stft(std::span<const double>(y), 512, 128)),
                 InvalidAudio);
    EXPECT_THROW(
        static_cast<void>(proc.parallel_windowed_fft(std::span<const double>(y), 512, 128)),
        InvalidAudio);
  }
  std::vector<float> yf = to_float(x);
  yf[17] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(static_cast<void>(proc.parallel_stft(std::span<const float>(yf), 512, 128)),
               InvalidAudio);
}

TEST(ParallelFFTProcessor, DoubleErrors) { check_fft_errors<double>(); }
TEST(ParallelFFTProcessor, FloatErrors) { check_fft_errors<float>(); }

// 4 std::threads share one processor and call parallel_stft concurrently, 20 times each, on
// two different (size, window) pairs: every result equals the single-threaded one.
TEST(ParallelFFTProcessor, SharedProcessorUnderConcurrentCalls) {
  const std::vector<double> x = test_signal(30000, 12);
  const std::span<const double> s(x);
  const auralis::ParallelFFTProcessor<double> reference(sequential_config());
  const auto expected_a = reference.parallel_stft(s, 512, 128, WindowType::hann);
  const auto expected_b = reference.parallel_stft(s, 384, 96, WindowType::hamming);
  const auralis::ParallelFFTProcessor<double> shared(config_with(4, 0));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t rep = 0; rep < 20; ++rep) {
        if ((rep + t) % 2 == 0) {
          if (!identical(shared.parallel_stft(s, 512, 128, WindowType::hann), expected_a)) {
            ++mismatches[t];
          }
        } else if (!identical(shared.parallel_stft(s, 384, 96, WindowType::hamming), expected_b)) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

// ------------------------------------------------------------------------------------------
// ParallelBandProcessor
// ------------------------------------------------------------------------------------------

// Causal FIR y[n] = sum_k h[k] x[n - k] (zero initial state).
std::vector<double> fir_apply(const std::vector<double>& h, std::span<const double> x) {
  std::vector<double> y(x.size(), 0.0);
  for (std::size_t n = 0; n < x.size(); ++n) {
    double acc = 0.0;
    for (std::size_t k = 0; k < h.size() && k <= n; ++k) acc += h[k] * x[n - k];
    y[n] = acc;
  }
  return y;
}

BandFilter fir(std::vector<double> h) {
  return [h = std::move(h)](std::span<const double> x) { return fir_apply(h, x); };
}

// Band b: a scaled moving average (even b) or a scaled difference x[n] - x[n - d] (odd b),
// every band with its own length and scale.
std::vector<BandFilter> make_filter_bank(std::size_t bands) {
  std::vector<BandFilter> filters;
  for (std::size_t b = 0; b < bands; ++b) {
    const double scale = 1.0 + 0.1 * static_cast<double>(b);
    const std::size_t len = b % 7 + 2;
    std::vector<double> h(len, 0.0);
    if (b % 2 == 0) {
      for (double& v : h) v = scale / static_cast<double>(len);
    } else {
      h.front() = scale;
      h.back() = -scale;
    }
    filters.push_back(fir(std::move(h)));
  }
  return filters;
}

std::vector<double> make_gains(std::size_t bands) {
  std::vector<double> g(bands);
  for (std::size_t b = 0; b < bands; ++b) {
    g[b] = -18.0 + 1.5 * static_cast<double>(b) - 0.7 * static_cast<double>(b % 3);
  }
  return g;
}

// The documented result, computed sequentially: sum over bands in band order of
// 10^(g/20) * filter_b(x).
std::vector<double> reference_mix(std::span<const double> x, const std::vector<BandFilter>& f,
                                  const std::vector<double>& gains_db) {
  std::vector<double> out(x.size(), 0.0);
  for (std::size_t b = 0; b < f.size(); ++b) {
    const std::vector<double> y = f[b](x);
    const double gain = std::pow(10.0, gains_db[b] / 20.0);
    for (std::size_t n = 0; n < x.size(); ++n) out[n] += gain * y[n];
  }
  return out;
}

// Wraps filters to record the threads they run on and how often each is called.
std::vector<BandFilter> instrument(const std::vector<BandFilter>& filters, ThreadRecorder& recorder,
                                   std::vector<std::atomic<int>>& calls) {
  std::vector<BandFilter> out;
  for (std::size_t b = 0; b < filters.size(); ++b) {
    out.push_back([&recorder, &calls, f = filters[b], b](std::span<const double> x) {
      recorder.record();
      calls[b].fetch_add(1);
      return f(x);
    });
  }
  return out;
}

using Groups = std::vector<std::vector<std::size_t>>;

enum class Layout { none, contiguous, non_contiguous, reversed_singletons, one_group };

const char* layout_name(Layout l) {
  switch (l) {
    case Layout::none:
      return "noGroups";
    case Layout::contiguous:
      return "contiguous";
    case Layout::non_contiguous:
      return "nonContiguous";
    case Layout::reversed_singletons:
      return "reversedSingletons";
    case Layout::one_group:
      return "oneGroup";
  }
  return "invalid";
}

// Partitions of 26 bands.
Groups groups_for(Layout l) {
  switch (l) {
    case Layout::none:
      return {};
    case Layout::contiguous:
      return {{0, 1, 2},
              {3},
              {4, 5},
              {6, 7, 8, 9, 10, 11, 12},
              {13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25}};
    case Layout::non_contiguous: {
      Groups g = {{0, 25}, {5, 1, 2}, {3, 4}, {}, {}};
      for (std::size_t b = 6; b <= 24; b += 2) g[3].push_back(b);
      for (std::size_t b = 23; b >= 7; b -= 2) g[4].push_back(b);
      std::swap(g[1], g[4]);  // groups need not be listed in order of their first band
      return g;
    }
    case Layout::reversed_singletons: {
      Groups g;
      for (std::size_t b = 26; b-- > 0;) g.push_back({b});
      return g;
    }
    case Layout::one_group: {
      Groups g(1);
      for (std::size_t b = 26; b-- > 0;) g[0].push_back(b);
      return g;
    }
  }
  return {};
}

constexpr std::size_t kBands = 26;
constexpr std::size_t kBandLength = 3000;

std::string band_mix_name(
    const ::testing::TestParamInfo<std::tuple<std::size_t, bool, Layout, Threshold>>& p) {
  return "w" + std::to_string(std::get<0>(p.param)) +
         (std::get<1>(p.param) ? "_grouped_" : "_single_") + layout_name(std::get<2>(p.param)) +
         "_" + threshold_name(std::get<3>(p.param));
}

// (workers, band_grouping, layout, threshold)
class BandMix : public ::testing::TestWithParam<std::tuple<std::size_t, bool, Layout, Threshold>> {
};

TEST_P(BandMix, BitIdenticalToSequentialReference) {
  const auto [workers, grouping, layout, thr] = GetParam();
  static const std::vector<double> x = test_signal(kBandLength, 31);
  static const std::vector<BandFilter> filters = make_filter_bank(kBands);
  static const std::vector<double> gains = make_gains(kBands);
  static const std::vector<double> expected = reference_mix(x, filters, gains);

  ThreadRecorder recorder;
  std::vector<std::atomic<int>> calls(kBands);
  const std::vector<BandFilter> f = instrument(filters, recorder, calls);
  const auralis::ParallelBandProcessor proc(
      config_with(workers, threshold_for(thr, x.size()), grouping));
  const std::vector<double> y = proc.process_bands_parallel(x, f, gains, groups_for(layout));
  EXPECT_EQ(y, expected);
  for (std::size_t b = 0; b < kBands; ++b) EXPECT_EQ(calls[b].load(), 1) << "band " << b;
  if (workers == 1 || thr == Threshold::above_length) {
    // Sequential: every filter ran on the calling thread.
    const std::set<std::thread::id> ids = recorder.ids();
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_EQ(*ids.begin(), std::this_thread::get_id());
  }
  // Repeating the call gives the same bits.
  EXPECT_EQ(proc.process_bands_parallel(x, filters, gains, groups_for(layout)), expected);
}

INSTANTIATE_TEST_SUITE_P(
    Workers, BandMix,
    ::testing::Combine(::testing::Range<std::size_t>(1, 9), ::testing::Bool(),
                       ::testing::Values(Layout::none, Layout::contiguous, Layout::non_contiguous,
                                         Layout::reversed_singletons, Layout::one_group),
                       kAllThresholds),
    band_mix_name);

class BandWorkers : public ::testing::TestWithParam<std::size_t> {};

// Six bands with the partitions of the documentation's examples.
TEST_P(BandWorkers, SixBandsExplicitGroups) {
  const std::size_t workers = GetParam();
  const std::vector<double> x = test_signal(2500, 32);
  const std::vector<BandFilter> filters = make_filter_bank(6);
  const std::vector<double> gains = {-6.0, 0.0, 3.5, -40.0, 12.25, 1.0};
  const std::vector<double> expected = reference_mix(x, filters, gains);
  for (bool grouping : {false, true}) {
    const auralis::ParallelBandProcessor proc(config_with(workers, 0, grouping));
    for (const Groups& g : {Groups{}, Groups{{0, 1, 2}, {3}, {4, 5}}, Groups{{0, 5}, {1, 2, 3, 4}},
                            Groups{{4, 5}, {3}, {2, 0, 1}}, Groups{{5, 3, 1}, {4, 2, 0}}}) {
      EXPECT_EQ(proc.process_bands_parallel(x, filters, gains, g), expected)
          << "grouping " << grouping << " groups " << g.size();
    }
  }
}

// Telescoping filter bank: band 0 = x - ma_2(x), band b = ma_{b+1}(x) - ma_{b+2}(x),
// band 25 = ma_26(x). At 0 dB the bands add back to x.
TEST_P(BandWorkers, ComplementaryFiltersReconstructInput) {
  const std::size_t workers = GetParam();
  const std::vector<double> x = test_signal(4000, 33);
  auto ma = [](std::size_t len) {
    return std::vector<double>(len, 1.0 / static_cast<double>(len));
  };
  std::vector<BandFilter> filters;
  for (std::size_t b = 0; b < kBands; ++b) {
    std::vector<double> h(kBands + 1, 0.0);
    const std::vector<double> upper = b == 0 ? std::vector<double>{1.0} : ma(b + 1);
    for (std::size_t k = 0; k < upper.size(); ++k) h[k] += upper[k];
    if (b + 1 < kBands) {
      const std::vector<double> lower = ma(b + 2);
      for (std::size_t k = 0; k < lower.size(); ++k) h[k] -= lower[k];
    }
    filters.push_back(fir(std::move(h)));
  }
  const std::vector<double> zero_db(kBands, 0.0);
  for (bool grouping : {false, true}) {
    const auralis::ParallelBandProcessor proc(config_with(workers, 0, grouping));
    const std::vector<double> y = proc.process_bands_parallel(x, filters, zero_db);
    ASSERT_EQ(y.size(), x.size());
    for (std::size_t n = 0; n < x.size(); ++n) ASSERT_NEAR(y[n], x[n], 1e-12) << n;
  }
}

// Band b = x * w_b / 10^(g_b / 20) with weights summing to 1: the gains undo the attenuation
// only when applied as 10^(+g/20), so the sum is x again.
TEST_P(BandWorkers, GainsInDecibelsReconstructInput) {
  const std::size_t workers = GetParam();
  const std::vector<double> x = test_signal(4000, 34);
  const std::vector<double> gains = make_gains(kBands);
  std::vector<BandFilter> filters;
  for (std::size_t b = 0; b < kBands; ++b) {
    const double w = static_cast<double>(b + 1) / 351.0;  // sum of 1..26 = 351
    const double pre = w / std::pow(10.0, gains[b] / 20.0);
    filters.push_back([pre](std::span<const double> in) {
      std::vector<double> out(in.begin(), in.end());
      for (double& v : out) v *= pre;
      return out;
    });
  }
  const auralis::ParallelBandProcessor proc(config_with(workers, 0, workers % 2 == 0));
  const std::vector<double> y = proc.process_bands_parallel(x, filters, gains);
  ASSERT_EQ(y.size(), x.size());
  for (std::size_t n = 0; n < x.size(); ++n) ASSERT_NEAR(y[n], x[n], 1e-12) << n;
}

// A filter throwing in band 7 is reported as band 7 with its cause.
TEST_P(BandWorkers, ThrowingFilterIsReportedWithItsBand) {
  const std::size_t workers = GetParam();
  const std::vector<double> x = test_signal(1000, 35);
  std::vector<BandFilter> filters = make_filter_bank(kBands);
  filters[7] = [](std::span<const double>) -> std::vector<double> {
    throw std::runtime_error("coefficient overflow in test filter");
  };
  const std::vector<double> gains = make_gains(kBands);
  for (bool grouping : {false, true}) {
    for (const Groups& g :
         {Groups{}, groups_for(Layout::contiguous), groups_for(Layout::non_contiguous)}) {
      const auralis::ParallelBandProcessor proc(config_with(workers, 0, grouping));
      try {
        static_cast<void>(proc.process_bands_parallel(x, filters, gains, g));
        ADD_FAILURE() << "expected BandProcessingError";
      } catch (const auralis::BandProcessingError& e) {
        EXPECT_EQ(e.band(), 7u);
        const std::string what = e.what();
        EXPECT_NE(what.find('7'), std::string::npos) << what;
        EXPECT_NE(what.find("coefficient overflow in test filter"), std::string::npos) << what;
      }
    }
  }
  // A non-standard exception is still reported with its band.
  filters[7] = [](std::span<const double>) -> std::vector<double> { throw 42; };
  const auralis::ParallelBandProcessor proc(config_with(workers, 0));
  try {
    static_cast<void>(proc.process_bands_parallel(x, filters, gains));
    ADD_FAILURE() << "expected BandProcessingError";
  } catch (const auralis::BandProcessingError& e) {
    EXPECT_EQ(e.band(), 7u);
  }
}

// A filter returning the wrong number of samples is reported as that band's failure.
TEST_P(BandWorkers, WrongLengthOutputIsReportedWithItsBand) {
  const std::size_t workers = GetParam();
  const std::vector<double> x = test_signal(1000, 36);
  const std::vector<double> gains = make_gains(kBands);
  for (std::size_t wrong : {0u, 999u, 1001u}) {
    std::vector<BandFilter> filters = make_filter_bank(kBands);
    filters[11] = [wrong](std::span<const double>) { return std::vector<double>(wrong, 0.5); };
    const auralis::ParallelBandProcessor proc(config_with(workers, 0));
    try {
      static_cast<void>(proc.process_bands_parallel(x, filters, gains));
      ADD_FAILURE() << "expected BandProcessingError for length " << wrong;
    } catch (const auralis::BandProcessingError& e) {
      EXPECT_EQ(e.band(), 11u) << wrong;
      EXPECT_NE(std::string(e.what()).find("11"), std::string::npos) << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, BandWorkers, ::testing::Range<std::size_t>(1, 9), workers_name);

// Bands 3 and 9 fail; band 9 fails at once and band 3 only after a delay, and in some layouts
// band 9 is scheduled first: band 3 is always the one reported.
TEST(ParallelBandProcessor, LowestFailingBandIsReported) {
  const std::vector<double> x = test_signal(1000, 37);
  std::vector<BandFilter> filters = make_filter_bank(kBands);
  filters[3] = [](std::span<const double>) -> std::vector<double> {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    throw std::runtime_error("band three broke");
  };
  filters[9] = [](std::span<const double>) -> std::vector<double> {
    throw std::runtime_error("band nine broke");
  };
  const std::vector<double> gains = make_gains(kBands);
  Groups nine_first = {{0, 9}};
  for (std::size_t b = 1; b < kBands; ++b) {
    if (b != 9) nine_first.push_back({b});
  }
  for (int rep = 0; rep < 20; ++rep) {
    for (const Groups& g : {Groups{}, nine_first}) {
      for (bool grouping : {false, true}) {
        const auralis::ParallelBandProcessor proc(config_with(4, 0, grouping));
        try {
          static_cast<void>(proc.process_bands_parallel(x, filters, gains, g));
          ADD_FAILURE() << "expected BandProcessingError";
        } catch (const auralis::BandProcessingError& e) {
          EXPECT_EQ(e.band(), 3u) << "rep " << rep << ": " << e.what();
          EXPECT_NE(std::string(e.what()).find("band three broke"), std::string::npos);
        }
      }
    }
  }
}

TEST(ParallelBandProcessor, InvalidArgumentsNameTheirField) {
  const std::vector<double> x = test_signal(1000, 38);
  const std::vector<BandFilter> filters = make_filter_bank(6);
  const std::vector<double> gains = make_gains(6);
  const auralis::ParallelBandProcessor proc(config_with(4, 0));
  using auralis::InvalidSettings;
  auto field = [&](const std::vector<BandFilter>& f, const std::vector<double>& g,
                   const Groups& groups = {}) {
    return thrown_field<InvalidSettings>(
        [&] { static_cast<void>(proc.process_bands_parallel(x, f, g, groups)); });
  };
  EXPECT_EQ(field(filters, make_gains(5)), "band_gains_db");
  EXPECT_EQ(field(filters, make_gains(7)), "band_gains_db");
  EXPECT_EQ(field(filters, {}), "band_gains_db");
  for (double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    std::vector<double> g = gains;
    g[4] = bad;
    EXPECT_EQ(field(filters, g), "band_gains_db") << bad;
  }
  std::vector<BandFilter> with_empty = filters;
  with_empty[2] = nullptr;
  EXPECT_EQ(field(with_empty, gains), "band_filters");
  EXPECT_EQ(field({}, {}), "band_filters");
  EXPECT_EQ(field(filters, gains, {{0, 1, 2}, {2, 3, 4, 5}}), "band_groups");   // duplicate
  EXPECT_EQ(field(filters, gains, {{0, 1, 1}, {2, 3, 4, 5}}), "band_groups");   // duplicate in one
  EXPECT_EQ(field(filters, gains, {{0, 1, 2}, {3, 5}}), "band_groups");         // 4 missing
  EXPECT_EQ(field(filters, gains, {{0, 1, 2}, {3, 4, 5, 6}}), "band_groups");   // out of range
  EXPECT_EQ(field(filters, gains, {{0, 1, 2}, {}, {3, 4, 5}}), "band_groups");  // empty group
  EXPECT_EQ(field(filters, gains, {{}}), "band_groups");
  EXPECT_EQ(field(filters, gains, {{0, 1, 2, 3, 4, 5}}), "<none>");

  const std::vector<double> empty;
  EXPECT_THROW(static_cast<void>(
                   proc.process_bands_parallel(std::span<const double>(empty), filters, gains)),
               auralis::InvalidAudio);
  std::vector<double> nan_audio = x;
  nan_audio[500] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(static_cast<void>(proc.process_bands_parallel(nan_audio, filters, gains)),
               auralis::InvalidAudio);
}

// Two bands wait for each other: completes only if they really run at the same time.
TEST(ParallelBandProcessor, BandsRunConcurrentlyWhenAllowed) {
  if (auralis::available_workers() < 2) GTEST_SKIP() << "needs two threads";
  const std::vector<double> x = test_signal(1000, 39);
  Rendezvous meet(2);
  std::atomic<int> met{0};
  const BandFilter f = [&](std::span<const double> in) {
    if (meet.arrive()) met.fetch_add(1);
    return std::vector<double>(in.begin(), in.end());
  };
  const std::vector<BandFilter> filters = {f, f};
  const std::vector<double> gains = {0.0, 0.0};
  const auralis::ParallelBandProcessor proc(config_with(2, 0));
  const std::vector<double> y = proc.process_bands_parallel(x, filters, gains);
  EXPECT_EQ(met.load(), 2);
  for (std::size_t n = 0; n < x.size(); ++n) ASSERT_EQ(y[n], x[n] + x[n]);
}

// Below the threshold, or with parallelism disabled, bands run one after the other on the
// calling thread even with 8 workers: two bands waiting for each other never meet.
TEST(ParallelBandProcessor, BandsRunSequentiallyBelowThresholdOrDisabled) {
  const std::vector<double> x = test_signal(1000, 40);
  ParallelConfig below = config_with(8, x.size() + 1);
  ParallelConfig disabled = config_with(8, 0);
  disabled.enable_parallel = false;
  for (const ParallelConfig& c : {below, disabled}) {
    Rendezvous meet(2, std::chrono::milliseconds(100));
    ThreadRecorder recorder;
    std::atomic<int> met{0};
    const BandFilter f = [&](std::span<const double> in) {
      recorder.record();
      if (meet.arrive()) met.fetch_add(1);
      return std::vector<double>(in.begin(), in.end());
    };
    const std::vector<BandFilter> filters = {f, f};
    const std::vector<double> gains = {0.0, 0.0};
    static_cast<void>(auralis::ParallelBandProcessor(c).process_bands_parallel(x, filters, gains));
    // The second band arrives after the first gave up waiting, so it alone sees two arrivals.
    EXPECT_EQ(met.load(), 1) << "enable_parallel " << c.enable_parallel;
    EXPECT_EQ(recorder.ids(), std::set<std::thread::id>{std::this_thread::get_id()});
  }
}

// ------------------------------------------------------------------------------------------
// ParallelFeatureExtractor
// ------------------------------------------------------------------------------------------

template <class Sample>
double rms(std::span<const Sample> x) {
  double s = 0.0;
  for (Sample v : x) s += static_cast<double>(v) * static_cast<double>(v);
  return std::sqrt(s / static_cast<double>(x.size()));
}
template <class Sample>
double mean(std::span<const Sample> x) {
  double s = 0.0;
  for (Sample v : x) s += static_cast<double>(v);
  return s / static_cast<double>(x.size());
}
template <class Sample>
double peak(std::span<const Sample> x) {
  double p = 0.0;
  for (Sample v : x) p = std::max(p, std::abs(static_cast<double>(v)));
  return p;
}
template <class Sample>
double zero_crossings(std::span<const Sample> x) {
  double z = 0.0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    if ((x[i - 1] < 0) != (x[i] < 0)) z += 1.0;
  }
  return z;
}
template <class Sample>
std::vector<double> moments(std::span<const Sample> x) {
  const double m = mean(x);
  double var = 0.0;
  double lo = static_cast<double>(x[0]);
  double hi = lo;
  for (Sample v : x) {
    const double d = static_cast<double>(v) - m;
    var += d * d;
    lo = std::min(lo, static_cast<double>(v));
    hi = std::max(hi, static_cast<double>(v));
  }
  return {m, var / static_cast<double>(x.size()), lo, hi};
}
template <class Sample>
std::vector<double> histogram(std::span<const Sample> x) {
  std::vector<double> h(8, 0.0);
  for (Sample v : x) {
    const double u = (std::clamp(static_cast<double>(v), -1.0, 1.0) + 1.0) / 2.0;
    h[std::min<std::size_t>(7, static_cast<std::size_t>(u * 8.0))] += 1.0;
  }
  return h;
}

class FeatureWorkers : public ::testing::TestWithParam<std::tuple<std::size_t, Threshold>> {};

template <class Sample>
void check_features(std::size_t workers, Threshold thr) {
  const std::vector<double> source = test_signal(5000, 41);
  std::vector<Sample> data(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) data[i] = static_cast<Sample>(source[i]);
  const std::span<const Sample> x(data);
  ThreadRecorder recorder;
  auto rec = [&recorder](auto f) {
    return [&recorder, f](std::span<const Sample> s) {
      recorder.record();
      return f(s);
    };
  };
  const std::vector<auralis::FeatureExtractor<double, Sample>> scalar = {
      {"rms", rec(rms<Sample>)},
      {"mean", rec(mean<Sample>)},
      {"peak", rec(peak<Sample>)},
      {"zero_crossings", rec(zero_crossings<Sample>)},
  };
  const std::vector<auralis::FeatureExtractor<std::vector<double>, Sample>> vector_valued = {
      {"moments", rec(moments<Sample>)},
      {"histogram", rec(histogram<Sample>)},
      {"first_samples", rec([](std::span<const Sample> s) {
         std::vector<double> v;
         for (std::size_t i = 0; i < 5; ++i) v.push_back(static_cast<double>(s[i]));
         return v;
       })},
  };
  const auralis::ParallelFeatureExtractor proc(config_with(workers, threshold_for(thr, x.size())));
  const std::map<std::string, double> a = proc.extract_features_parallel(x, scalar);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a.at("rms"), rms(x));
  EXPECT_EQ(a.at("mean"), mean(x));
  EXPECT_EQ(a.at("peak"), peak(x));
  EXPECT_EQ(a.at("zero_crossings"), zero_crossings(x));
  EXPECT_GT(a.at("rms"), 0.1);
  EXPECT_GT(a.at("zero_crossings"), 10.0);
  const std::map<std::string, std::vector<double>> b =
      proc.extract_features_parallel(x, vector_valued);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.at("moments"), moments(x));
  EXPECT_EQ(b.at("histogram"), histogram(x));
  EXPECT_EQ(b.at("first_samples"),
            (std::vector<double>{static_cast<double>(x[0]), static_cast<double>(x[1]),
                                 static_cast<double>(x[2]), static_cast<double>(x[3]),
                                 static_cast<double>(x[4])}));
  if (workers == 1 || thr == Threshold::above_length) {
    const std::set<std::thread::id> ids = recorder.ids();
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_EQ(*ids.begin(), std::this_thread::get_id());
  }
  // No extractors: an empty map.
  EXPECT_TRUE(
      proc.extract_features_parallel(x, std::vector<auralis::FeatureExtractor<double, Sample>>{})
          .empty());
}

TEST_P(FeatureWorkers, DoubleSamplesMatchDirectCalls) {
  const auto [workers, thr] = GetParam();
  check_features<double>(workers, thr);
}
TEST_P(FeatureWorkers, FloatSamplesMatchDirectCalls) {
  const auto [workers, thr] = GetParam();
  check_features<float>(workers, thr);
}

// A throwing extractor is named; with two failing, the first in the given order (not in
// name order) is reported, even when it fails later than the other.
TEST_P(FeatureWorkers, FailuresNameTheFirstFailingExtractor) {
  const auto [workers, thr] = GetParam();
  const std::vector<double> x = test_signal(3000, 42);
  using Extractor = auralis::FeatureExtractor<double>;
  const auralis::ParallelFeatureExtractor proc(config_with(workers, threshold_for(thr, x.size())));
  const std::vector<Extractor> one_bad = {
      {"rms", rms<double>},
      {"spectral_flux",
       [](std::span<const double>) -> double {
         throw std::runtime_error("flux needs two frames");
       }},
      {"peak", peak<double>},
  };
  try {
    static_cast<void>(proc.extract_features_parallel(std::span<const double>(x), one_bad));
    ADD_FAILURE() << "expected FeatureExtractionError";
  } catch (const auralis::FeatureExtractionError& e) {
    EXPECT_EQ(e.feature(), "spectral_flux");
    EXPECT_NE(std::string(e.what()).find("flux needs two frames"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("spectral_flux"), std::string::npos);
  }
  const std::vector<Extractor> two_bad = {
      {"rms", rms<double>},
      {"zeta",
       [](std::span<const double>) -> double {
         std::this_thread::sleep_for(std::chrono::milliseconds(2));
         throw std::runtime_error("zeta failed");
       }},
      {"mean", mean<double>},
      {"alpha", [](std::span<const double>) -> double { throw 7; }},
  };
  for (int rep = 0; rep < 5; ++rep) {
    try {
      static_cast<void>(proc.extract_features_parallel(std::span<const double>(x), two_bad));
      ADD_FAILURE() << "expected FeatureExtractionError";
    } catch (const auralis::FeatureExtractionError& e) {
      EXPECT_EQ(e.feature(), "zeta") << e.what();
    }
  }
  const std::vector<Extractor> non_std = {
      {"mean", mean<double>}, {"odd", [](std::span<const double>) -> double { throw 7; }}};
  try {
    static_cast<void>(proc.extract_features_parallel(std::span<const double>(x), non_std));
    ADD_FAILURE() << "expected FeatureExtractionError";
  } catch (const auralis::FeatureExtractionError& e) {
    EXPECT_EQ(e.feature(), "odd");
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, FeatureWorkers,
                         ::testing::Combine(::testing::Range<std::size_t>(1, 9), kAllThresholds),
                         workers_threshold_name);

TEST(ParallelFeatureExtractor, InvalidArguments) {
  const std::vector<double> x = test_signal(1000, 43);
  const std::span<const double> s(x);
  using Extractor = auralis::FeatureExtractor<double>;
  const auralis::ParallelFeatureExtractor proc(config_with(4, 0));
  auto field = [&](const std::vector<Extractor>& e) {
    return thrown_field<auralis::InvalidSettings>(
        [&] { static_cast<void>(proc.extract_features_parallel(s, e)); });
  };
  EXPECT_EQ(field({{"rms", rms<double>}, {"peak", peak<double>}, {"rms", mean<double>}}),
            "extractors");
  EXPECT_EQ(field({{"rms", rms<double>}, {"", peak<double>}}), "extractors");
  EXPECT_EQ(field({{"rms", rms<double>}, {"peak", nullptr}}), "extractors");
  EXPECT_EQ(field({{"rms", rms<double>}, {"peak", peak<double>}}), "<none>");

  const std::vector<Extractor> ok = {{"rms", rms<double>}};
  const std::vector<double> empty;
  EXPECT_THROW(
      static_cast<void>(proc.extract_features_parallel(std::span<const double>(empty), ok)),
      auralis::InvalidAudio);
  std::vector<double> bad = x;
  bad[999] = -std::numeric_limits<double>::infinity();
  EXPECT_THROW(static_cast<void>(proc.extract_features_parallel(std::span<const double>(bad), ok)),
               auralis::InvalidAudio);
}

TEST(ParallelFeatureExtractor, ExtractorsRunConcurrentlyWhenAllowed) {
  if (auralis::available_workers() < 2) GTEST_SKIP() << "needs two threads";
  const std::vector<double> x = test_signal(1000, 44);
  Rendezvous meet(2);
  const std::vector<auralis::FeatureExtractor<double>> e = {
      {"a", [&](std::span<const double>) { return meet.arrive() ? 1.0 : 0.0; }},
      {"b", [&](std::span<const double>) { return meet.arrive() ? 1.0 : 0.0; }},
  };
  const auto r = auralis::ParallelFeatureExtractor(config_with(2, 0))
                     .extract_features_parallel(std::span<const double>(x), e);
  EXPECT_EQ(r.at("a"), 1.0);
  EXPECT_EQ(r.at("b"), 1.0);
}

TEST(ParallelFeatureExtractor, ExtractorsRunSequentiallyBelowThresholdOrDisabled) {
  const std::vector<double> x = test_signal(1000, 45);
  ParallelConfig below = config_with(8, x.size() + 1);
  ParallelConfig disabled = config_with(8, 0);
  disabled.enable_parallel = false;
  for (const ParallelConfig& c : {below, disabled}) {
    Rendezvous meet(2, std::chrono::milliseconds(100));
    ThreadRecorder recorder;
    auto probe = [&](std::span<const double>) {
      recorder.record();
      return meet.arrive() ? 1.0 : 0.0;
    };
    const std::vector<auralis::FeatureExtractor<double>> e = {{"a", probe}, {"b", probe}};
    const auto r = auralis::ParallelFeatureExtractor(c).extract_features_parallel(
        std::span<const double>(x), e);
    EXPECT_EQ(r.at("a"), 0.0) << "enable_parallel " << c.enable_parallel;  // waited in vain
    EXPECT_EQ(r.at("b"), 1.0);
    EXPECT_EQ(recorder.ids(), std::set<std::thread::id>{std::this_thread::get_id()});
  }
}

// ------------------------------------------------------------------------------------------
// ParallelAudioProcessor
// ------------------------------------------------------------------------------------------

// A deterministic per-input value: the energy of a short synthetic signal.
double input_value(int i) {
  double s = 0.0;
  for (int n = 0; n < 200; ++n) {
    const double v = std::sin(0.01 * static_cast<double>((i + 1) * n));
    s += v * v;
  }
  return s + static_cast<double>(i);
}

bool fails(int i) { return i % 20 == 13; }

std::string failure_message(int i) { return "input " + std::to_string(i) + " is corrupt"; }

class BatchWorkers : public ::testing::TestWithParam<std::size_t> {};

TEST_P(BatchWorkers, ProcessBatchIsolatesFailures) {
  const std::size_t workers = GetParam();
  std::vector<int> inputs(200);
  for (int i = 0; i < 200; ++i) inputs[static_cast<std::size_t>(i)] = i;
  std::vector<std::atomic<int>> calls(inputs.size());
  ThreadRecorder recorder;
  const auralis::ParallelAudioProcessor proc(config_with(workers, 0));
  const auto results = proc.process_batch(inputs, [&](const int& i) {
    recorder.record();
    calls[static_cast<std::size_t>(i)].fetch_add(1);
    if (fails(i)) throw std::runtime_error(failure_message(i));
    return input_value(i);
  });
  ASSERT_EQ(results.size(), 200u);
  int failed = 0;
  for (int i = 0; i < 200; ++i) {
    const auto& r = results[static_cast<std::size_t>(i)];
    EXPECT_EQ(calls[static_cast<std::size_t>(i)].load(), 1) << i;
    if (fails(i)) {
      ++failed;
      EXPECT_FALSE(r.ok()) << i;
      EXPECT_EQ(r.error_message(), failure_message(i));
      EXPECT_TRUE(r.error() != nullptr);
      try {
        static_cast<void>(r.value());
        ADD_FAILURE() << "value() of failed input " << i << " did not throw";
      } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), failure_message(i));
      }
    } else {
      ASSERT_TRUE(r.ok()) << i << ": " << r.error_message();
      EXPECT_EQ(r.value(), input_value(i)) << i;
      EXPECT_EQ(r.error_message(), "");
      EXPECT_TRUE(r.error() == nullptr);
    }
  }
  EXPECT_EQ(failed, 10);
  if (workers == 1) {
    const std::set<std::thread::id> ids = recorder.ids();
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_EQ(*ids.begin(), std::this_thread::get_id());
  }
}

TEST_P(BatchWorkers, ProcessBatchSpanAndNonStandardExceptions) {
  const std::size_t workers = GetParam();
  const std::vector<std::string> inputs = {"a", "bb", "", "dddd", "eeeee", "throw-int"};
  const auralis::ParallelAudioProcessor proc(config_with(workers, 0));
  const auto results =
      proc.process_batch(std::span<const std::string>(inputs), [](const std::string& s) {
        if (s == "throw-int") throw 5;
        if (s.empty()) throw std::invalid_argument("empty name");
        return s.size();
      });
  ASSERT_EQ(results.size(), inputs.size());
  EXPECT_EQ(results[0].value(), 1u);
  EXPECT_EQ(results[1].value(), 2u);
  EXPECT_FALSE(results[2].ok());
  EXPECT_EQ(results[2].error_message(), "empty name");
  EXPECT_THROW(static_cast<void>(results[2].value()), std::invalid_argument);
  EXPECT_EQ(results[3].value(), 4u);
  EXPECT_EQ(results[4].value(), 5u);
  EXPECT_FALSE(results[5].ok());
  EXPECT_EQ(results[5].error_message(), "unknown exception");
  EXPECT_THROW(static_cast<void>(results[5].value()), int);
  // An empty batch.
  EXPECT_TRUE(proc.process_batch(std::vector<int>{}, [](const int& i) { return i; }).empty());
}

TEST_P(BatchWorkers, ParallelMapKeepsOrderAndRethrowsLowestIndexFailure) {
  const std::size_t workers = GetParam();
  std::vector<int> inputs(100);
  for (int i = 0; i < 100; ++i) inputs[static_cast<std::size_t>(i)] = i;
  const auralis::ParallelAudioProcessor proc(config_with(workers, 0));
  const std::vector<double> values =
      proc.parallel_map(inputs, [](const int& i) { return input_value(i); });
  ASSERT_EQ(values.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(values[static_cast<std::size_t>(i)], input_value(i));

  for (int rep = 0; rep < 3; ++rep) {
    std::atomic<int> ran{0};
    try {
      static_cast<void>(proc.parallel_map(inputs, [&](const int& i) {
        ran.fetch_add(1);
        if (i == 37) {
          std::this_thread::sleep_for(std::chrono::milliseconds(3));
          throw std::runtime_error(failure_message(i));
        }
        if (i == 81 || i == 90) throw std::runtime_error(failure_message(i));
        return input_value(i);
      }));
      ADD_FAILURE() << "expected an exception";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), failure_message(37));
    }
    EXPECT_EQ(ran.load(), 100);  // every input ran before the rethrow
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, BatchWorkers, ::testing::Range<std::size_t>(1, 9), workers_name);

TEST(ParallelAudioProcessor, GlobalProcessorIsOneOptimalObject) {
  const auralis::ParallelAudioProcessor& a = auralis::get_parallel_processor();
  const auralis::ParallelAudioProcessor& b = auralis::get_parallel_processor();
  EXPECT_EQ(&a, &b);
  std::vector<const auralis::ParallelAudioProcessor*> from_threads(4, nullptr);
  {
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] { from_threads[t] = &auralis::get_parallel_processor(); });
    }
    for (auto& th : threads) th.join();
  }
  for (const auto* p : from_threads) EXPECT_EQ(p, &a);
  const ParallelConfig optimal = ParallelConfig::optimal();
  EXPECT_EQ(a.config().max_workers, optimal.max_workers);
  EXPECT_EQ(a.config().enable_parallel, optimal.enable_parallel);
  EXPECT_EQ(a.config().chunk_processing_threshold, optimal.chunk_processing_threshold);
  EXPECT_EQ(a.config().band_grouping, optimal.band_grouping);
  EXPECT_EQ(a.config().adaptive_workers, optimal.adaptive_workers);
}

TEST(ParallelAudioProcessor, FreeParallelMap) {
  std::vector<int> inputs(50);
  for (int i = 0; i < 50; ++i) inputs[static_cast<std::size_t>(i)] = 49 - i;
  const std::vector<double> values =
      auralis::parallel_map(inputs, [](const int& i) { return input_value(i); });
  ASSERT_EQ(values.size(), 50u);
  for (std::size_t k = 0; k < 50; ++k) EXPECT_EQ(values[k], input_value(inputs[k]));
  try {
    static_cast<void>(auralis::parallel_map(inputs, [](const int& i) {
      if (i == 10 || i == 40) throw std::out_of_range(failure_message(i));
      return i;
    }));
    ADD_FAILURE() << "expected std::out_of_range";
  } catch (const std::out_of_range& e) {
    // Input order: 40 comes before 10 (inputs are 49, 48, ..., 0).
    EXPECT_EQ(std::string(e.what()), failure_message(40));
  }
}

TEST(ParallelAudioProcessor, InputsRunConcurrentlyWhenAllowed) {
  if (auralis::available_workers() < 2) GTEST_SKIP() << "needs two threads";
  Rendezvous meet(2);
  const std::vector<int> inputs = {0, 1};
  const auto r =
      auralis::ParallelAudioProcessor(config_with(2, 0)).parallel_map(inputs, [&](const int&) {
        return meet.arrive();
      });
  EXPECT_TRUE(r[0]);
  EXPECT_TRUE(r[1]);
}

TEST(ParallelAudioProcessor, InputsRunSequentiallyWhenDisabledOrOneWorker) {
  ParallelConfig one = config_with(1, 0);
  ParallelConfig disabled = config_with(8, 0);
  disabled.enable_parallel = false;
  for (const ParallelConfig& c : {one, disabled}) {
    Rendezvous meet(2, std::chrono::milliseconds(100));
    ThreadRecorder recorder;
    const std::vector<int> inputs = {0, 1};
    const auto r = auralis::ParallelAudioProcessor(c).parallel_map(inputs, [&](const int&) {
      recorder.record();
      return meet.arrive();
    });
    EXPECT_FALSE(r[0]) << "enable_parallel " << c.enable_parallel;
    EXPECT_TRUE(r[1]);
    EXPECT_EQ(recorder.ids(), std::set<std::thread::id>{std::this_thread::get_id()});
  }
}

// Nested parallelism: a batch of 16 analyses, each itself parallel on 1..16 workers, finishes
// (no deadlock, guarded by a watchdog) with results identical to the sequential analyzer.
class NestedBatch : public ::testing::TestWithParam<std::size_t> {};

TEST_P(NestedBatch, ParallelAnalysesInsideABatch) {
  const std::size_t outer_workers = GetParam();
  constexpr std::size_t kInputs = 16;
  std::vector<std::vector<double>> signals;
  std::vector<auralis::SpectrumResult> expected;
  auralis::ParallelSpectrumSettings base;
  base.fft_size = 1024;
  base.overlap = 0.75;
  base.frequency_bands = 32;
  base.min_chunks_for_parallel = 4;
  for (std::size_t i = 0; i < kInputs; ++i) {
    signals.push_back(test_signal(88200 - 1000 * i, static_cast<unsigned>(100 + i)));
    auralis::ParallelSpectrumSettings s = base;
    s.metric_convention =
        i % 3 == 0 ? auralis::MetricConvention::standard : auralis::MetricConvention::auralis;
    expected.push_back(auralis::SpectrumAnalyzer(s).analyze_file(signals.back()));
  }
  std::vector<std::size_t> inputs(kInputs);
  for (std::size_t i = 0; i < kInputs; ++i) inputs[i] = i;
  std::vector<auralis::BatchResult<auralis::SpectrumResult>> results;
  auralis::test_support::run_with_watchdog("processors_test", std::chrono::seconds(120), [&] {
    const auralis::ParallelAudioProcessor proc(config_with(outer_workers, 0));
    results = proc.process_batch(inputs, [&](const std::size_t& i) {
      auralis::ParallelSpectrumSettings s = base;
      s.metric_convention =
          i % 3 == 0 ? auralis::MetricConvention::standard : auralis::MetricConvention::auralis;
      s.max_workers = i + 1;
      return auralis::ParallelSpectrumAnalyzer(s).analyze_file(signals[i]);
    });
  });
  ASSERT_EQ(results.size(), kInputs);
  for (std::size_t i = 0; i < kInputs; ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].error_message();
    const auralis::SpectrumResult& r = results[i].value();
    SCOPED_TRACE(::testing::Message() << "input " << i);
    auralis::test_support::expect_identical_values(r, expected[i]);
    EXPECT_GT(r.num_chunks_analyzed, 250u);
    EXPECT_EQ(r.parallel_processing, i > 0) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(OuterWorkers, NestedBatch, ::testing::Values<std::size_t>(1, 4, 16, 0),
                         workers_name);

}  // namespace
