// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelSpectrumAnalyzer: SpectrumAnalyzer's API and results, frames analysed on oneTBB.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/detail/file_analysis.hpp"
#include "auralis/kernel/frame_analyzer.hpp"
#include "auralis/kernel/metrics.hpp"
#include "auralis/parallel/parallel_config.hpp"
#include "auralis/settings.hpp"
#include "auralis/spectrum_analyzer.hpp"

namespace auralis {

/// SpectrumSettings plus the parallel policy of ParallelSpectrumAnalyzer.
struct ParallelSpectrumSettings : SpectrumSettings {
  /// false: analyze_file always runs the sequential path.
  bool enable_parallel = true;
  /// Threads working on one analyze_file call, caller included; 0 = all. Capped at
  /// available_workers() (the hardware threads, or tbb::global_control's limit).
  std::size_t max_workers = 0;
  /// Inputs with fewer frames than this run the sequential path.
  std::size_t min_chunks_for_parallel = 4;
};

/// Throws InvalidSettings naming the first invalid field (SpectrumSettings rules, then
/// max_workers <= 256).
inline void validate(const ParallelSpectrumSettings& s) {
  validate(static_cast<const SpectrumSettings&>(s));
  if (s.max_workers > max_worker_limit) {
    throw InvalidSettings("max_workers", "must be in [0, 256] (0 = all hardware threads), got " +
                                             std::to_string(s.max_workers));
  }
}

namespace detail {

/// Frames analysed per block: bounds the extra memory to block_frames * (bands + 4) doubles
/// whatever the input length, and amortises the two synchronisation points per block.
inline constexpr std::size_t block_frames = 256;

/// analyze_file on `workers` threads of a private task_arena, bit-identical to
/// analyze_sequential: stage 1 (FFT and bands) and stage 3a (frame metrics) run in parallel
/// over the frames of a block; stage 2 (smoothing recurrence) and 3b (accumulation) run on the
/// calling thread in frame order.
template <class Real, class T>
[[nodiscard]] SpectrumResult analyze_parallel(const kernel::FrameAnalyzer<Real>& frame,
                                              kernel::AudioView<T> audio, std::size_t workers) {
  using Workspace = typename kernel::FrameAnalyzer<Real>::Workspace;
  const SpectrumSettings& s = frame.settings();
  const std::size_t frames = frame.frame_count(audio.frames);
  const std::size_t rs = frame.record_size();
  const std::size_t bands = frame.bands();
  const std::size_t hop = frame.hop();
  std::vector<double> block(std::min(frames, block_frames) * rs);
  kernel::Smoother smoother(bands, s.smoothing_factor, smoothing_enabled(s));
  kernel::MetricsAccumulator acc(bands);
  tbb::enumerable_thread_specific<Workspace> workspaces([&] { return frame.make_workspace(); });
  auto record = [&](std::size_t i) { return std::span<double>(block.data() + i * rs, rs); };

  tbb::task_arena arena(static_cast<int>(workers));
  arena.execute([&] {
    for (std::size_t first = 0; first < frames; first += block_frames) {
      const std::size_t count = std::min(block_frames, frames - first);
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, 4),
                        [&](const tbb::blocked_range<std::size_t>& r) {
                          Workspace& ws = workspaces.local();
                          for (std::size_t i = r.begin(); i != r.end(); ++i) {
                            frame.analyze(audio, (first + i) * hop, ws, record(i));
                          }
                        });
      for (std::size_t i = 0; i < count; ++i) smoother.apply(record(i).first(bands));
      if (s.metric_convention == MetricConvention::auralis) {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, 16),
                          [&](const tbb::blocked_range<std::size_t>& r) {
                            for (std::size_t i = r.begin(); i != r.end(); ++i) {
                              kernel::finalize_frame(record(i), frame.edges(), s.metric_convention);
                            }
                          });
      }
      for (std::size_t i = 0; i < count; ++i) acc.add(record(i));
    }
  });
  return file_result(acc, frame, audio.frames, true);
}

}  // namespace detail

/// Drop-in parallel SpectrumAnalyzer: the same methods and, for every setting, worker count and
/// sample type, results bit-identical (==) to BasicSpectrumAnalyzer<Real>.
///
/// analyze_file runs in parallel when enable_parallel is set, more than one worker is available
/// and the input has at least min_chunks_for_parallel frames; otherwise it runs the sequential
/// path. Frames are processed in blocks of 256 (extra memory independent of input length) on a
/// tbb::task_arena limited to max_workers threads; nested inside other oneTBB work (a batch of
/// analyses) it shares oneTBB's global thread pool, so it neither oversubscribes nor deadlocks.
/// Both analyzers execute the same process-wide FFTW plan, so they round identically.
///
/// Thread safety: analyze_file is const and may be called concurrently; analyze_chunk (the
/// streaming, sequential path) carries smoothing state and must not be.
template <class Real>
class BasicParallelSpectrumAnalyzer {
 public:
  using compute_type = Real;

  /// Validates `settings` (throws InvalidSettings naming the field) and prepares the analysis.
  explicit BasicParallelSpectrumAnalyzer(const ParallelSpectrumSettings& settings = {});

  /// The settings in use.
  [[nodiscard]] const ParallelSpectrumSettings& settings() const noexcept { return settings_; }

  /// Threads an analyze_file call of `frames` frames would use (1 = sequential path).
  [[nodiscard]] std::size_t workers_for(std::size_t frames) const noexcept {
    if (!settings_.enable_parallel || frames < settings_.min_chunks_for_parallel) return 1;
    const std::size_t w = resolve_workers(settings_.max_workers);
    return std::min(w, frames);
  }

  /// See SpectrumAnalyzer::analyze_file; result.parallel_processing tells which path ran.
  [[nodiscard]] SpectrumResult analyze_file(std::span<const double> samples,
                                            std::optional<double> sample_rate = {}) const;
  /// As above, float samples.
  [[nodiscard]] SpectrumResult analyze_file(std::span<const float> samples,
                                            std::optional<double> sample_rate = {}) const;
  /// Interleaved multichannel audio; channels are averaged before analysis.
  [[nodiscard]] SpectrumResult analyze_file(InterleavedAudio<const double> audio,
                                            std::optional<double> sample_rate = {}) const;
  /// As above, float samples.
  [[nodiscard]] SpectrumResult analyze_file(InterleavedAudio<const float> audio,
                                            std::optional<double> sample_rate = {}) const;

  /// Streaming analysis of one frame on the calling thread; see SpectrumAnalyzer::analyze_chunk.
  [[nodiscard]] SpectrumResult analyze_chunk(std::span<const double> chunk);
  [[nodiscard]] SpectrumResult analyze_chunk(std::span<const float> chunk);
  [[nodiscard]] SpectrumResult analyze_chunk(InterleavedAudio<const double> chunk);
  [[nodiscard]] SpectrumResult analyze_chunk(InterleavedAudio<const float> chunk);
  /// Real-time form: no allocation and no lock once `out` is sized.
  void analyze_chunk(std::span<const double> chunk, SpectrumResult& out);
  void analyze_chunk(std::span<const float> chunk, SpectrumResult& out);
  void analyze_chunk(InterleavedAudio<const double> chunk, SpectrumResult& out);
  void analyze_chunk(InterleavedAudio<const float> chunk, SpectrumResult& out);

  /// Restarts the smoothing recurrence of analyze_chunk.
  void reset_smoothing() noexcept { sequential_.reset_smoothing(); }
  /// Band labels ("431Hz", "1.2kHz").
  [[nodiscard]] std::vector<std::string> get_frequency_band_names() const {
    return sequential_.get_frequency_band_names();
  }
  /// Band lower edges in Hz.
  [[nodiscard]] std::span<const double> frequency_bins() const noexcept {
    return sequential_.frequency_bins();
  }

 private:
  static ParallelSpectrumSettings checked(const ParallelSpectrumSettings& s) {
    validate(s);
    return s;
  }

  template <class T>
  SpectrumResult file_impl(kernel::AudioView<T> audio, std::optional<double> sample_rate) const {
    const double rate = detail::checked_rate(settings_, sample_rate);
    std::optional<kernel::FrameAnalyzer<Real>> other_rate;
    const kernel::FrameAnalyzer<Real>& frame =
        detail::frame_for_rate(sequential_.frame_analyzer(), rate, other_rate);
    const std::size_t workers = workers_for(frame.frame_count(audio.frames));
    if (workers <= 1) return detail::analyze_sequential(frame, audio);
    return detail::analyze_parallel(frame, audio, workers);
  }

  ParallelSpectrumSettings settings_;
  BasicSpectrumAnalyzer<Real> sequential_;
};

// Out of line and non-inline on purpose: with the extern template declarations below, a
// program never compiles these itself, so every caller runs the library's one compiled
// copy (built with -ffp-contract=off) and gets the same bits whatever its own flags.

template <class Real>
BasicParallelSpectrumAnalyzer<Real>::BasicParallelSpectrumAnalyzer(
    const ParallelSpectrumSettings& settings)
    : settings_(checked(settings)), sequential_(settings_) {}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    std::span<const double> samples, std::optional<double> sample_rate) const {
  return file_impl(detail::checked_audio(samples, 1, "samples"), sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    std::span<const float> samples, std::optional<double> sample_rate) const {
  return file_impl(detail::checked_audio(samples, 1, "samples"), sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    InterleavedAudio<const double> audio, std::optional<double> sample_rate) const {
  return file_impl(detail::checked_audio(audio.samples, audio.channels, "samples"), sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    InterleavedAudio<const float> audio, std::optional<double> sample_rate) const {
  return file_impl(detail::checked_audio(audio.samples, audio.channels, "samples"), sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(std::span<const double> chunk) {
  return sequential_.analyze_chunk(chunk);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(std::span<const float> chunk) {
  return sequential_.analyze_chunk(chunk);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(
    InterleavedAudio<const double> chunk) {
  return sequential_.analyze_chunk(chunk);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(
    InterleavedAudio<const float> chunk) {
  return sequential_.analyze_chunk(chunk);
}

template <class Real>
void BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(std::span<const double> chunk,
                                                        SpectrumResult& out) {
  sequential_.analyze_chunk(chunk, out);
}

template <class Real>
void BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(std::span<const float> chunk,
                                                        SpectrumResult& out) {
  sequential_.analyze_chunk(chunk, out);
}

template <class Real>
void BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const double> chunk,
                                                        SpectrumResult& out) {
  sequential_.analyze_chunk(chunk, out);
}

template <class Real>
void BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const float> chunk,
                                                        SpectrumResult& out) {
  sequential_.analyze_chunk(chunk, out);
}

/// The default parallel analyzer: double-precision compute.
using ParallelSpectrumAnalyzer = BasicParallelSpectrumAnalyzer<double>;
/// Single-precision compute.
using ParallelSpectrumAnalyzerF = BasicParallelSpectrumAnalyzer<float>;

extern template class BasicParallelSpectrumAnalyzer<float>;
extern template class BasicParallelSpectrumAnalyzer<double>;

}  // namespace auralis
