// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Per-thread frame workspaces kept by the analyzers between calls (internal).
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <optional>

#include "auralis/kernel/frame_analyzer.hpp"

namespace auralis::detail {

/// Per-thread workspaces an analyzer keeps from one analyze_file call to the next: scratch only,
/// no state carries over. Allocating them anew in every call cost 10% of a 5 s sequential
/// analysis and up to 15% of a 30 s one on two workers (the heap trimmed and re-faulted them,
/// with TLB shoot-downs between the cores). Safe because neither the sequential loop nor a
/// pipeline filter body waits on oneTBB or calls back into user code, so a thread uses its
/// workspace for one frame at a time.
/// Memory: one workspace (about 30 * fft_size bytes) per thread that ever ran a body, until the
/// analyzer is destroyed. Copies and moves of an analyzer start with an empty cache.
template <class Real>
class WorkspaceCache {
 public:
  using Workspace = typename kernel::FrameAnalyzer<Real>::Workspace;

  WorkspaceCache() = default;
  WorkspaceCache(const WorkspaceCache&) {}
  WorkspaceCache& operator=(const WorkspaceCache&) { return *this; }
  ~WorkspaceCache() = default;

  /// The calling thread's workspace, made by `frame` on its first use (every FrameAnalyzer of
  /// one analyzer's settings makes workspaces of the same sizes, whatever its sample rate).
  Workspace& local(const kernel::FrameAnalyzer<Real>& frame) {
    std::optional<Workspace>& slot = slots_.local();
    if (!slot) slot.emplace(frame.make_workspace());
    return *slot;
  }

 private:
  tbb::enumerable_thread_specific<std::optional<Workspace>> slots_;
};

}  // namespace auralis::detail
