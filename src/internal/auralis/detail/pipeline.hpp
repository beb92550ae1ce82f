// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The parallel analysis pipeline of ParallelSpectrumAnalyzer (internal).
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

#include "auralis/config.hpp"
#include "auralis/detail/audio_checks.hpp"
#include "auralis/detail/file_analysis.hpp"
#include "auralis/detail/workspace_cache.hpp"
#if AURALIS_HAS_AUDIO_FILES
#include "auralis/io/audio_file.hpp"
#endif
#include "auralis/kernel/frame_analyzer.hpp"
#include "auralis/kernel/metrics.hpp"
#include "auralis/settings.hpp"

namespace auralis {
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
/// through five filters, the steps of FrameSequence:
///   1. serial, in order: take the next token; `load(slot, first, count)` returns the
///      TokenAudio of its frames [first, first + count);
///   2. parallel: `transform` (window, FFT, bands) of each of its frames;
///   3. serial, in order: `smooth`, the smoothing recurrence, in frame order;
///   4. parallel: `finalize`, the per-frame metrics;
///   5. serial, in order: `accumulate`, in frame order.
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
  const std::size_t frames = frame.frame_count(sample_frames);
  const std::size_t rs = frame.record_size();
  const std::size_t bands = frame.bands();
  const std::size_t hop = frame.hop();
  const std::size_t tokens = tokens_per_worker * workers;
  const std::size_t chunks = (frames + token_frames - 1) / token_frames;
  std::vector<double> ring(tokens * token_frames * rs);
  FrameSequence<Real> sequence(frame);
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
            sequence.transform(c.audio.audio, c.audio.start + i * hop, ws, record(c, i));
          }
          return c;
        }) & tbb::make_filter<Chunk, Chunk>(tbb::filter_mode::serial_in_order, [&](Chunk c) {
          for (std::size_t i = 0; i < c.count; ++i) {
            sequence.smooth(record(c, i));
          }
          return c;
        }) & tbb::make_filter<Chunk, Chunk>(tbb::filter_mode::parallel, [&](Chunk c) {
          for (std::size_t i = 0; i < c.count; ++i) {
            sequence.finalize(record(c, i));
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

#if AURALIS_HAS_AUDIO_FILES
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

/// analyze_file of an audio file on the threads of `arena`, streamed: the input filter reads each
/// token's samples from the file into the token's own slot of a ring of 4 * workers buffers of
/// ((token_frames - 1) * hop + fft_size) * channels doubles (see stream_token_frames: at most
/// 32 MB together unless even one-frame tokens need more). Bit-identical to
/// analyze_stream_sequential and to the in-memory analysis of the whole file; memory independent
/// of the file's length.
template <class Real>
[[nodiscard]] SpectrumResult analyze_stream_parallel(const kernel::FrameAnalyzer<Real>& frame,
                                                     WorkspaceCache<Real>& workspaces,
                                                     tbb::task_arena& arena,
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
  return run_pipeline(
      frame, workspaces, arena, total, workers, groups.group_frames(),
      [&](std::size_t slot, std::size_t first, std::size_t count) {
        return TokenAudio<double>{groups.fill(first, count, buffers.data() + slot * capacity), 0};
      });
}

#endif  // AURALIS_HAS_AUDIO_FILES

}  // namespace detail
}  // namespace auralis
