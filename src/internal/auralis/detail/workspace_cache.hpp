// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Per-thread frame workspaces kept by the analyzers between calls (internal).
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <memory>
#include <optional>

#include "auralis/kernel/frame_analyzer.hpp"

namespace auralis::detail {

/// Per-thread workspaces an analyzer keeps from one analyze_file call to the next: scratch only,
/// no state carries over. Allocating them anew in every call cost 10% of a 5 s sequential
/// analysis and up to 15% of a 30 s one on two workers (the heap trimmed and re-faulted them,
/// with TLB shoot-downs between the cores).
///
/// Safe because the code holding a workspace never waits on oneTBB nor calls user code: the
/// sequential loop (which holds the calling thread's workspace for the whole call) and each
/// pipeline filter body run to completion on their thread, so no thread can start a second use
/// of its workspace before the first ends. Adding oneTBB calls inside those loops would break
/// this.
///
/// Memory: one workspace (about 38 * fft_size bytes in double, 20 * fft_size in float) per
/// thread that ever analysed with this analyzer, until the analyzer is destroyed or assigned:
/// with a pool of threads, as many as the pool has. Copies, moves and assignments of an analyzer
/// start with an empty cache, and a workspace whose sizes do not fit the frame analyzer is
/// rebuilt.
template <class Real>
class WorkspaceCache {
 public:
  using Workspace = typename kernel::FrameAnalyzer<Real>::Workspace;

  WorkspaceCache() = default;
  WorkspaceCache(const WorkspaceCache&) {}
  WorkspaceCache(WorkspaceCache&&) noexcept {}
  WorkspaceCache& operator=(const WorkspaceCache&) {
    slots_.clear();
    return *this;
  }
  WorkspaceCache& operator=(WorkspaceCache&&) noexcept {
    slots_.clear();
    return *this;
  }
  ~WorkspaceCache() = default;

  /// The calling thread's workspace for `frame`, made on its first use or when its sizes do
  /// not fit `frame` (every FrameAnalyzer of one analyzer's settings needs the same sizes,
  /// whatever its sample rate, so that happens only on the first use).
  Workspace& local(const kernel::FrameAnalyzer<Real>& frame) {
    std::optional<Workspace>& slot = slots_.local();
    if (!slot || !frame.fits(*slot)) slot.emplace(frame.make_workspace());
    return *slot;
  }

 private:
  // std::allocator, not oneTBB's default cache_aligned_allocator: that one takes memory from
  // libtbbmalloc's own pools, which LeakSanitizer does not scan, so the workspaces of a static
  // analyzer were reported as leaked (found by the fuzzers). ETS pads each slot to a cache line
  // whatever the allocator.
  tbb::enumerable_thread_specific<std::optional<Workspace>,
                                  std::allocator<std::optional<Workspace>>>
      slots_;
};

}  // namespace auralis::detail
