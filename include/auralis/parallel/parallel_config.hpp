// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelConfig: how the oneTBB processor layer uses threads, and its auto-detection.
#pragma once

#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <cstddef>
#include <string>

#include "auralis/error.hpp"

namespace auralis {

/// Largest accepted worker count.
inline constexpr std::size_t max_worker_limit = 256;

/// Number of hardware threads oneTBB may use in this process (respects CPU affinity masks).
[[nodiscard]] inline std::size_t hardware_workers() noexcept {
  return static_cast<std::size_t>(std::max(1, tbb::info::default_concurrency()));
}

/// Threads oneTBB will actually run at once in this process: hardware_workers() unless the
/// application set tbb::global_control::max_allowed_parallelism. Worker requests are capped at
/// this value (asking oneTBB for more only prints a warning and changes nothing).
[[nodiscard]] inline std::size_t available_workers() noexcept {
  return std::max<std::size_t>(
      1, tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

/// `requested` (0 = all) capped at available_workers().
[[nodiscard]] inline std::size_t resolve_workers(std::size_t requested) noexcept {
  const std::size_t available = available_workers();
  return requested == 0 ? available : std::min(requested, available);
}

/// Threading policy of the processor layer (ParallelFFTProcessor, ParallelBandProcessor,
/// ParallelFeatureExtractor, ParallelAudioProcessor). Every processor gives identical results
/// with any setting: these fields change only speed.
///
/// There is no `use_multiprocessing`: the Python reference needed processes to escape the GIL;
/// native threads run concurrently, so a process pool would only add copies.
struct ParallelConfig {
  /// false: every processor runs sequentially on the calling thread.
  bool enable_parallel = true;
  /// Upper bound on threads working for one call, including the caller; 0 = all. Capped at
  /// available_workers().
  std::size_t max_workers = 0;
  /// Inputs with fewer samples than this run sequentially (threading overhead would dominate).
  std::size_t chunk_processing_threshold = 22050;
  /// ParallelBandProcessor: process contiguous groups of bands per task instead of one band per
  /// task (fewer, larger tasks when filters are cheap).
  bool band_grouping = false;
  /// Use no more workers than there are work items (frames, bands, features, inputs).
  bool adaptive_workers = true;

  /// Auto-detected configuration for this machine: every hardware thread (no GIL, so no reason
  /// to hold cores back), parallel from 0.5 s of 44.1 kHz audio (22050 samples), band grouping
  /// when there are fewer than 4 hardware threads, adaptive workers on.
  [[nodiscard]] static ParallelConfig optimal() {
    ParallelConfig c;
    c.max_workers = hardware_workers();
    c.chunk_processing_threshold = 22050;
    c.band_grouping = c.max_workers < 4;
    c.adaptive_workers = true;
    return c;
  }

  /// Workers for `items` work items under this policy (>= 1).
  [[nodiscard]] std::size_t workers_for(std::size_t items) const noexcept {
    if (!enable_parallel) return 1;
    std::size_t w = resolve_workers(max_workers);
    if (adaptive_workers) w = std::min(w, std::max<std::size_t>(items, 1));
    return std::max<std::size_t>(w, 1);
  }
};

/// Throws InvalidSettings when max_workers exceeds max_worker_limit.
inline void validate(const ParallelConfig& c) {
  if (c.max_workers > max_worker_limit) {
    throw InvalidSettings("max_workers", "must be in [0, 256] (0 = all available threads), got " +
                                             std::to_string(c.max_workers));
  }
}

}  // namespace auralis
