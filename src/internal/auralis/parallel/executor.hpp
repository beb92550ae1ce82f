// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Executor: the one place the library decides between sequential and oneTBB execution
/// (internal).
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <cstddef>
#include <optional>

#include "auralis/parallel/parallel_config.hpp"

namespace auralis::detail {

/// The threads of one call: none (the calling thread only) for `workers <= 1`, else one oneTBB
/// arena of `workers` threads (the caller included) made once and used by every parallel step
/// of the call, so that workers join once per call and not once per block or wave. Nested
/// inside other oneTBB work it shares oneTBB's global thread pool (no oversubscription).
class Executor {
 public:
  explicit Executor(std::size_t workers) : workers_(workers < 1 ? 1 : workers) {
    if (workers_ > 1) arena_.emplace(static_cast<int>(workers_));
  }
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  [[nodiscard]] std::size_t workers() const noexcept { return workers_; }
  [[nodiscard]] bool parallel() const noexcept { return workers_ > 1; }

  /// Runs `f()` inside the arena (on the calling thread when sequential).
  template <class F>
  void run(F&& f) {
    if (arena_) {
      arena_->execute(f);
    } else {
      f();
    }
  }

  /// Calls `body(i)` for every i in [0, items), in chunks of at least `grain` indices. Each
  /// index is processed exactly once; the order across indices is unspecified, so `body` must
  /// write only to per-index outputs. The first exception thrown by `body` propagates.
  template <class Body>
  void for_each(std::size_t items, std::size_t grain, Body&& body) {
    if (items == 0) return;
    if (!arena_ || items == 1) {
      for (std::size_t i = 0; i < items; ++i) body(i);
      return;
    }
    arena_->execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, items, grain == 0 ? 1 : grain),
                        [&](const tbb::blocked_range<std::size_t>& r) {
                          for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
                        });
    });
  }

  /// The arena (parallel executors only), for oneTBB algorithms other than for_each.
  [[nodiscard]] tbb::task_arena* arena() noexcept { return arena_ ? &*arena_ : nullptr; }

 private:
  std::size_t workers_;
  std::optional<tbb::task_arena> arena_;
};

}  // namespace auralis::detail
