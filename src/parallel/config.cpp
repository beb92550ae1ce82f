// SPDX-License-Identifier: GPL-3.0-or-later
// The worker rule, the thread counts and the executor entry point of the public headers.
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <string>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/parallel/executor.hpp"
#include "auralis/parallel/parallel_config.hpp"

namespace auralis {

std::size_t hardware_workers() noexcept {
  return static_cast<std::size_t>(std::max(1, tbb::info::default_concurrency()));
}

std::size_t available_workers() noexcept {
  return std::max<std::size_t>(
      1, tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

std::size_t parallel_workers(bool enable_parallel, std::size_t max_workers, bool adaptive,
                             std::size_t items, std::size_t size, std::size_t threshold) noexcept {
  if (!enable_parallel || size < threshold) return 1;
  const std::size_t available = available_workers();
  std::size_t w = max_workers == 0 ? available : std::min(max_workers, available);
  if (adaptive) w = std::min(w, std::max<std::size_t>(items, 1));
  return std::max<std::size_t>(w, 1);
}

void validate_max_workers(std::size_t max_workers) {
  if (max_workers > max_worker_limit) {
    throw InvalidSettings("max_workers", "must be in [0, 256] (0 = all available threads), got " +
                                             std::to_string(max_workers));
  }
}

ParallelConfig ParallelConfig::optimal() {
  ParallelConfig c;
  c.max_workers = hardware_workers();
  c.chunk_processing_threshold = 22050;
  c.band_grouping = c.max_workers < 4;
  c.adaptive_workers = true;
  return c;
}

namespace detail {

std::size_t checked_frames(std::span<const double> samples, std::size_t channels,
                           const char* field) {
  return checked_audio(samples, channels, field).frames;
}

std::size_t checked_frames(std::span<const float> samples, std::size_t channels,
                           const char* field) {
  return checked_audio(samples, channels, field).frames;
}

void for_each_index(std::size_t items, std::size_t workers, std::size_t grain,
                    void (*body)(void* context, std::size_t index), void* context) {
  Executor executor(items > 1 ? workers : 1);
  executor.for_each(items, grain, [&](std::size_t i) { body(context, i); });
}

}  // namespace detail
}  // namespace auralis
