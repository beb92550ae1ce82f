// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelConfig: how the processor layer uses threads; the one worker rule shared with
/// ParallelSpectrumAnalyzer; the thread counts oneTBB offers this process.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>

#include "auralis/error.hpp"

namespace auralis {

/// Largest accepted worker count.
inline constexpr std::size_t max_worker_limit = 256;

/// Number of hardware threads oneTBB may use in this process (respects CPU affinity masks).
[[nodiscard]] std::size_t hardware_workers() noexcept;

/// Threads oneTBB will actually run at once in this process: hardware_workers() unless the
/// application set tbb::global_control::max_allowed_parallelism. Worker requests are capped at
/// this value.
[[nodiscard]] std::size_t available_workers() noexcept;

/// The one worker rule of auralis (ParallelConfig and ParallelSpectrumSettings both apply it):
/// 1 (the sequential path) when `enable_parallel` is false or `size < threshold`; otherwise
/// `max_workers` (0 = all) capped at available_workers() and, with `adaptive`, at `items`
/// (there is no use for more threads than work items). Always >= 1.
[[nodiscard]] std::size_t parallel_workers(bool enable_parallel, std::size_t max_workers,
                                           bool adaptive, std::size_t items, std::size_t size,
                                           std::size_t threshold) noexcept;

/// Throws InvalidSettings("max_workers") unless `max_workers` <= max_worker_limit (0 = all).
void validate_max_workers(std::size_t max_workers);

/// Threading policy of the processor layer (ParallelFFTProcessor, ParallelBandProcessor,
/// ParallelFeatureExtractor, ParallelAudioProcessor) and of PsychoacousticEQ. Every processor
/// gives identical results with any setting: these fields change only speed.
///
/// There is no `use_multiprocessing`: the Python reference needed processes to escape the GIL;
/// native threads run concurrently, so a process pool would only add copies.
struct ParallelConfig {
  /// false: every processor runs sequentially on the calling thread.
  bool enable_parallel = true;
  /// Upper bound on threads working for one call, including the caller; 0 = all. Capped at
  /// available_workers(). At most max_worker_limit.
  std::size_t max_workers = 0;
  /// Inputs with fewer samples than this run sequentially (threading overhead would dominate).
  /// For ParallelAudioProcessor the count is the batch's total samples when its inputs are
  /// ranges of samples (see ParallelAudioProcessor).
  std::size_t chunk_processing_threshold = 22050;
  /// ParallelBandProcessor: process contiguous groups of bands per task instead of one band per
  /// task (fewer, larger tasks when filters are cheap).
  bool band_grouping = false;
  /// Use no more workers than there are work items (frames, bands, features, inputs).
  bool adaptive_workers = true;

  /// Auto-detected configuration for this machine: every hardware thread (no GIL, so no reason
  /// to hold cores back), parallel from 0.5 s of 44.1 kHz audio (22050 samples), band grouping
  /// when there are fewer than 4 hardware threads, adaptive workers on.
  [[nodiscard]] static ParallelConfig optimal();

  /// Workers for `items` work items over an input of `samples` samples (>= 1): parallel_workers
  /// with this policy. Without `samples`, the input counts as above the threshold.
  [[nodiscard]] std::size_t workers_for(std::size_t items,
                                        std::size_t samples = std::size_t(-1)) const noexcept {
    return parallel_workers(enable_parallel, max_workers, adaptive_workers, items, samples,
                            chunk_processing_threshold);
  }
};

/// Throws InvalidSettings naming the first invalid field (max_workers > max_worker_limit).
inline void validate(const ParallelConfig& c) { validate_max_workers(c.max_workers); }

namespace detail {

/// Validates audio given to a processor like the analyzers do and returns its sample frames:
/// throws InvalidAudio naming `field` when it is empty, `channels` is 0 or does not divide its
/// size, or a sample is NaN or infinite (the message gives the sample index).
[[nodiscard]] std::size_t checked_frames(std::span<const double> samples, std::size_t channels,
                                         const char* field);
[[nodiscard]] std::size_t checked_frames(std::span<const float> samples, std::size_t channels,
                                         const char* field);

/// Runs `body(context, i)` for every i in [0, items): on the calling thread when
/// `workers <= 1`, else on a oneTBB arena of `workers` threads (the caller included), created
/// once for the call. Each index runs exactly once, in unspecified order; the first exception
/// thrown propagates after oneTBB cancels the remaining work. Compiled in the library.
void for_each_index(std::size_t items, std::size_t workers, std::size_t grain,
                    void (*body)(void* context, std::size_t index), void* context);

/// for_each_index with any callable `f(i)`.
template <class F>
void for_each_index(std::size_t items, std::size_t workers, std::size_t grain, F&& f) {
  using Fn = std::remove_reference_t<F>;
  for_each_index(
      items, workers, grain, [](void* context, std::size_t i) { (*static_cast<Fn*>(context))(i); },
      const_cast<void*>(static_cast<const void*>(std::addressof(f))));
}

}  // namespace detail
}  // namespace auralis
