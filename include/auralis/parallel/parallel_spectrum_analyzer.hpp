// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelSpectrumAnalyzer: SpectrumAnalyzer's API and results, frames analysed on oneTBB.
#pragma once

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
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
    throw InvalidSettings("max_workers", "must be in [0, 256] (0 = all available threads), got " +
                                             std::to_string(s.max_workers));
  }
}

namespace detail {

/// Frames per pipeline token: large enough to amortise scheduling (~0.1 ms of work at N = 4096),
/// small enough to balance load across workers.
inline constexpr std::size_t frames_per_token = 16;

/// analyze_file on `workers` threads of a private task_arena, bit-identical to
/// analyze_sequential. A oneTBB pipeline carries tokens of frames_per_token consecutive frames
/// through five filters:
///   1. serial, in order: take the next token;
///   2. parallel: stage 1 (window, FFT, bands) of each of its frames;
///   3. serial, in order: stage 2, the smoothing recurrence, in frame order;
///   4. parallel: stage 3a, the per-frame metrics;
///   5. serial, in order: stage 3b, the accumulation, in frame order.
/// Filters 3 and 5 perform exactly the operations of the sequential loop in the same order, and
/// 2 and 4 are pure per-frame functions, so the results equal the sequential ones bit for bit.
/// At most 4 * workers tokens are in flight, each with its own slot of a ring buffer: extra
/// memory is 4 * workers * frames_per_token * (bands + 4) doubles plus one workspace per
/// thread, whatever the input length. (Tokens leave filter 5 in order, so a slot is free again
/// before its next token can start.)
template <class Real, class T>
[[nodiscard]] SpectrumResult analyze_parallel(const kernel::FrameAnalyzer<Real>& frame,
                                              kernel::AudioView<T> audio, std::size_t workers) {
  using Workspace = typename kernel::FrameAnalyzer<Real>::Workspace;
  const SpectrumSettings& s = frame.settings();
  const std::size_t frames = frame.frame_count(audio.frames);
  const std::size_t rs = frame.record_size();
  const std::size_t bands = frame.bands();
  const std::size_t hop = frame.hop();
  const std::size_t tokens = 4 * workers;
  const std::size_t chunks = (frames + frames_per_token - 1) / frames_per_token;
  std::vector<double> ring(tokens * frames_per_token * rs);
  kernel::Smoother smoother(bands, s.smoothing_factor, smoothing_enabled(s));
  kernel::MetricsAccumulator acc(bands);
  tbb::enumerable_thread_specific<Workspace> workspaces([&] { return frame.make_workspace(); });

  struct Chunk {
    std::size_t first = 0;  // first frame
    std::size_t count = 0;  // frames in this chunk
    double* records = nullptr;
  };
  auto record = [&](const Chunk& c, std::size_t i) {
    return std::span<double>(c.records + i * rs, rs);
  };
  std::size_t next = 0;
  tbb::task_arena arena(static_cast<int>(workers));
  arena.execute([&] {
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, Chunk>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control&
                                                                                 fc) {
          if (next == chunks) {
            fc.stop();
            return Chunk{};
          }
          const std::size_t c = next++;
          const std::size_t first = c * frames_per_token;
          return Chunk{first, std::min(frames_per_token, frames - first),
                       ring.data() + (c % tokens) * frames_per_token * rs};
        }) & tbb::make_filter<Chunk, Chunk>(tbb::filter_mode::parallel, [&](Chunk c) {
          Workspace& ws = workspaces.local();
          for (std::size_t i = 0; i < c.count; ++i) {
            frame.analyze(audio, (c.first + i) * hop, ws, record(c, i));
          }
          return c;
        }) & tbb::make_filter<Chunk, Chunk>(tbb::filter_mode::serial_in_order, [&](Chunk c) {
          for (std::size_t i = 0; i < c.count; ++i) {
            smoother.apply(record(c, i).first(bands));
          }
          return c;
        }) & tbb::make_filter<Chunk, Chunk>(tbb::filter_mode::parallel, [&](Chunk c) {
          for (std::size_t i = 0; i < c.count; ++i) {
            kernel::finalize_frame(record(c, i), frame.edges(), s.metric_convention);
          }
          return c;
        }) & tbb::make_filter<Chunk, void>(tbb::filter_mode::serial_in_order, [&](Chunk c) {
          for (std::size_t i = 0; i < c.count; ++i) acc.add(record(c, i));
        }));
  });
  return file_result(acc, frame, audio.frames, true);
}

}  // namespace detail

/// Drop-in parallel SpectrumAnalyzer: the same methods and, for every setting, worker count and
/// sample type, results bit-identical (==) to BasicSpectrumAnalyzer<Real>.
///
/// analyze_file runs in parallel when enable_parallel is set, more than one worker is available
/// and the input has at least min_chunks_for_parallel frames; otherwise it runs the sequential
/// path. Frames flow through a oneTBB pipeline in tokens of 16 (extra memory independent of the
/// input length) on a tbb::task_arena limited to max_workers threads; nested inside other oneTBB
/// work (a batch of analyses) it shares oneTBB's global thread pool, so it neither oversubscribes
/// nor deadlocks. Both analyzers execute the same process-wide FFTW plan, so they round
/// identically.
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
