// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The one place the processor layer decides between sequential and oneTBB execution.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <cstddef>

#include "auralis/parallel/parallel_config.hpp"

namespace auralis::detail {

/// Calls `body(i)` for every i in [0, items): on the calling thread when `workers <= 1`, else
/// on a tbb::task_arena of `workers` threads (the caller included). Each index is processed
/// exactly once; the order across indices is unspecified, so `body` must write only to
/// per-index outputs. The first exception thrown by `body` propagates (oneTBB cancels the
/// remaining work).
template <class Body>
void for_each_index(std::size_t items, std::size_t workers, std::size_t grain, Body&& body) {
  if (items == 0) return;
  if (workers <= 1 || items == 1) {
    for (std::size_t i = 0; i < items; ++i) body(i);
    return;
  }
  tbb::task_arena arena(static_cast<int>(workers));
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, items, grain == 0 ? 1 : grain),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
                      });
  });
}

/// Workers for `items` work items over an input of `samples` samples under `config`:
/// 1 (sequential) when parallelism is disabled or the input is below the threshold.
[[nodiscard]] inline std::size_t workers_for(const ParallelConfig& config, std::size_t items,
                                             std::size_t samples) noexcept {
  if (samples < config.chunk_processing_threshold) return 1;
  return config.workers_for(items);
}

}  // namespace auralis::detail
