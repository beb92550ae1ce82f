// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelSpectrumAnalyzer: SpectrumAnalyzer's API and results, frames analysed on oneTBB.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/detail/file_analysis.hpp"
#include "auralis/detail/workspace_cache.hpp"
#include "auralis/io/audio_file.hpp"
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

/// Tokens in flight per worker: enough to keep every thread busy while the serial filters run.
inline constexpr std::size_t tokens_per_worker = 4;

/// The audio of one pipeline token: frame `first + i` of the token starts at sample frame
/// `start + i * hop` of `audio`.
template <class T>
struct TokenAudio {
  kernel::AudioView<T> audio;
  std::size_t start = 0;
};

/// analyze_file on `workers` threads of a private task_arena, bit-identical to
/// analyze_sequential. A oneTBB pipeline carries tokens of `token_frames` consecutive frames
/// through five filters:
///   1. serial, in order: take the next token; `load(slot, first, count)` returns the
///      TokenAudio of its frames [first, first + count);
///   2. parallel: stage 1 (window, FFT, bands) of each of its frames;
///   3. serial, in order: stage 2, the smoothing recurrence, in frame order;
///   4. parallel: stage 3a, the per-frame metrics;
///   5. serial, in order: stage 3b, the accumulation, in frame order.
/// Filters 3 and 5 perform exactly the operations of the sequential loop in the same order, and
/// 2 and 4 are pure per-frame functions, so the results equal the sequential ones bit for bit.
/// At most tokens_per_worker * workers tokens are in flight, each with its own `slot` in
/// [0, tokens_per_worker * workers) of a ring buffer: extra memory is 4 * workers * token_frames
/// * (bands + 4) doubles (plus what `load` keeps per slot), whatever the input length; the
/// per-thread workspaces come from the analyzer's WorkspaceCache. (Tokens
/// leave filter 5 in order, so a slot is free again before its next token can start.)
template <class Real, class Load>
[[nodiscard]] SpectrumResult run_pipeline(const kernel::FrameAnalyzer<Real>& frame,
                                          WorkspaceCache<Real>& workspaces, tbb::task_arena& arena,
                                          std::size_t sample_frames, std::size_t workers,
                                          std::size_t token_frames, Load&& load) {
  using Workspace = typename kernel::FrameAnalyzer<Real>::Workspace;
  using Audio = std::invoke_result_t<Load&, std::size_t, std::size_t, std::size_t>;
  const SpectrumSettings& s = frame.settings();
  const std::size_t frames = frame.frame_count(sample_frames);
  const std::size_t rs = frame.record_size();
  const std::size_t bands = frame.bands();
  const std::size_t hop = frame.hop();
  const std::size_t tokens = tokens_per_worker * workers;
  const std::size_t chunks = (frames + token_frames - 1) / token_frames;
  std::vector<double> ring(tokens * token_frames * rs);
  kernel::Smoother smoother(bands, s.smoothing_factor, smoothing_enabled(s));
  kernel::MetricsAccumulator acc(bands);

  struct Chunk {
    std::size_t count = 0;  // frames in this chunk
    double* records = nullptr;
    Audio audio{};
  };
  auto record = [&](const Chunk& c, std::size_t i) {
    return std::span<double>(c.records + i * rs, rs);
  };
  std::size_t next = 0;
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
          const std::size_t slot = c % tokens;
          const std::size_t first = c * token_frames;
          const std::size_t count = std::min(token_frames, frames - first);
          return Chunk{count, ring.data() + slot * token_frames * rs, load(slot, first, count)};
        }) & tbb::make_filter<Chunk, Chunk>(tbb::filter_mode::parallel, [&](Chunk c) {
          Workspace& ws = workspaces.local(frame);
          for (std::size_t i = 0; i < c.count; ++i) {
            frame.analyze(c.audio.audio, c.audio.start + i * hop, ws, record(c, i));
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
  return file_result(acc, frame, sample_frames, true);
}

/// Samples per block of the parallel input scan (512 KB of doubles).
inline constexpr std::size_t scan_block = std::size_t{1} << 16;

/// first_unanalysable on the threads of `arena` (the analysis' own, so that its workers join
/// once): the least index over blocks of scan_block samples, so the same sample is reported
/// whatever the scheduling. The scan reads every sample once, at memory bandwidth: done before
/// a parallel analysis, sequentially it would cost a tenth of the analysis' time on two workers.
template <class T>
[[nodiscard]] std::size_t parallel_first_unanalysable(std::span<const T> samples, double limit,
                                                      tbb::task_arena& arena) {
  const std::size_t n = samples.size();
  if (n <= scan_block) return first_unanalysable(samples, limit);
  const std::size_t blocks = (n + scan_block - 1) / scan_block;
  std::size_t first = n;
  arena.execute([&] {
    first = tbb::parallel_reduce(
        tbb::blocked_range<std::size_t>(0, blocks), n,
        [&](const tbb::blocked_range<std::size_t>& r, std::size_t best) {
          for (std::size_t b = r.begin(); b != r.end() && b * scan_block < best; ++b) {
            const std::size_t begin = b * scan_block;
            const std::size_t count = std::min(scan_block, n - begin);
            const std::size_t i = first_unanalysable(samples.subspan(begin, count), limit);
            if (i != count) return std::min(best, begin + i);
          }
          return best;
        },
        [](std::size_t a, std::size_t b) { return std::min(a, b); });
  });
  return first;
}

/// analyze_file of an in-memory view on `workers` threads (see run_pipeline).
template <class Real, class T>
[[nodiscard]] SpectrumResult analyze_parallel(const kernel::FrameAnalyzer<Real>& frame,
                                              WorkspaceCache<Real>& workspaces,
                                              tbb::task_arena& arena, kernel::AudioView<T> audio,
                                              std::size_t workers) {
  const std::size_t hop = frame.hop();
  return run_pipeline(frame, workspaces, arena, audio.frames, workers, frames_per_token,
                      [&](std::size_t, std::size_t first, std::size_t) {
                        return TokenAudio<T>{audio, first * hop};
                      });
}

/// Bytes analyze_stream_parallel aims to spend on its token buffers, all tokens together.
inline constexpr std::size_t stream_token_budget = std::size_t{32} << 20;

/// Frames per token when streaming a file: 16 (frames_per_token), fewer when the hop exceeds 4096
/// or when `tokens` buffers of ((frames - 1) * hop + fft_size) * channels doubles would exceed
/// stream_token_budget; at least 1.
[[nodiscard]] inline std::size_t stream_token_frames(std::size_t fft_size, std::size_t hop,
                                                     std::size_t channels, std::size_t tokens) {
  const std::size_t per_token = stream_token_budget / (tokens * channels * sizeof(double));
  const std::size_t fit = per_token > fft_size ? 1 + (per_token - fft_size) / hop : 1;
  return stream_group_frames(hop, std::clamp<std::size_t>(fit, 1, frames_per_token));
}

/// analyze_file of an audio file on `workers` threads, streamed: the input filter reads each
/// token's samples from the file into the token's own slot of a ring of 4 * workers buffers of
/// ((token_frames - 1) * hop + fft_size) * channels doubles (see stream_token_frames: at most
/// 32 MB together unless even one-frame tokens need more). Bit-identical to
/// analyze_stream_sequential and to the in-memory analysis of the whole file; memory independent
/// of the file's length.
template <class Real>
[[nodiscard]] SpectrumResult analyze_stream_parallel(const kernel::FrameAnalyzer<Real>& frame,
                                                     WorkspaceCache<Real>& workspaces,
                                                     io::AudioFileReader& reader,
                                                     std::size_t workers) {
  const std::size_t total = reader.info().frames;
  const std::size_t hop = frame.hop();
  const std::size_t tokens = tokens_per_worker * workers;
  FileFrameGroups groups(reader, frame.fft_size(), hop, frame.frame_count(total),
                         stream_token_frames(frame.fft_size(), hop, reader.info().channels, tokens),
                         max_sample_magnitude<Real>);
  const std::size_t capacity = groups.capacity();
  std::vector<double> buffers(tokens * capacity);
  tbb::task_arena arena(static_cast<int>(workers));
  return run_pipeline(
      frame, workspaces, arena, total, workers, groups.group_frames(),
      [&](std::size_t slot, std::size_t first, std::size_t count) {
        return TokenAudio<double>{groups.fill(first, count, buffers.data() + slot * capacity), 0};
      });
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
  /// Analyses an audio file at its own sample rate, streamed (see SpectrumAnalyzer's
  /// analyze_file(path)): the pipeline's input filter reads each token's samples from the file,
  /// so extra memory is at most 4 * workers * (16 * hop + fft_size) * channels doubles and 32 MB
  /// (unless 4 * workers * fft_size * channels doubles exceed that), whatever the file's length.
  /// Bit-identical to SpectrumAnalyzer::analyze_file(path) and to the in-memory analysis of
  /// io::read_audio_file(path), for every worker count.
  [[nodiscard]] SpectrumResult analyze_file(const std::filesystem::path& path) const;

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

  // analyze_file of interleaved samples: validation, then the sequential path or the pipeline.
  // A parallel call creates one task_arena for both its input scan and its pipeline (a second
  // arena would make the workers join twice).
  template <class T>
  SpectrumResult analyze_samples(std::span<const T> samples, std::size_t channels,
                                 std::optional<double> sample_rate) const {
    std::optional<tbb::task_arena> arena;
    const auto scan = [&](std::span<const T> checked, double limit) {
      const std::size_t w =
          workers_for(sequential_.frame_analyzer().frame_count(checked.size() / channels));
      if (w <= 1) return detail::first_unanalysable(checked, limit);
      arena.emplace(static_cast<int>(w));
      return detail::parallel_first_unanalysable(checked, limit, *arena);
    };
    const kernel::AudioView<T> audio = detail::checked_audio(
        samples, channels, "samples", detail::max_sample_magnitude<Real>, scan);
    const double rate = detail::checked_rate(settings_, sample_rate);
    std::optional<kernel::FrameAnalyzer<Real>> other_rate;
    const kernel::FrameAnalyzer<Real>& frame =
        detail::frame_for_rate(sequential_.frame_analyzer(), rate, other_rate);
    // The frame count, hence the worker count, does not depend on the sample rate.
    const std::size_t workers = workers_for(frame.frame_count(audio.frames));
    if (workers <= 1) return detail::analyze_sequential(frame, workspaces_.local(frame), audio);
    if (!arena) arena.emplace(static_cast<int>(workers));
    return detail::analyze_parallel(frame, workspaces_, *arena, audio, workers);
  }

  ParallelSpectrumSettings settings_;
  BasicSpectrumAnalyzer<Real> sequential_;
  mutable detail::WorkspaceCache<Real> workspaces_;
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
  return analyze_samples(samples, 1, sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    std::span<const float> samples, std::optional<double> sample_rate) const {
  return analyze_samples(samples, 1, sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    InterleavedAudio<const double> audio, std::optional<double> sample_rate) const {
  return analyze_samples(audio.samples, audio.channels, sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    InterleavedAudio<const float> audio, std::optional<double> sample_rate) const {
  return analyze_samples(audio.samples, audio.channels, sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    const std::filesystem::path& path) const {
  io::AudioFileReader reader(path);
  const double rate = detail::checked_file_rate(settings_, reader);
  std::optional<kernel::FrameAnalyzer<Real>> other_rate;
  const kernel::FrameAnalyzer<Real>& frame =
      detail::frame_for_rate(sequential_.frame_analyzer(), rate, other_rate);
  const std::size_t workers = workers_for(frame.frame_count(reader.info().frames));
  if (workers <= 1) {
    return detail::analyze_stream_sequential(frame, workspaces_.local(frame), reader);
  }
  return detail::analyze_stream_parallel(frame, workspaces_, reader, workers);
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
