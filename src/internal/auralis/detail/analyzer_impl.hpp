// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The state behind BasicSpectrumAnalyzer (internal): shared by the sequential and parallel
/// analyzers' sources and by the project's tests.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "auralis/detail/file_analysis.hpp"
#include "auralis/detail/workspace_cache.hpp"
#include "auralis/kernel/frame_analyzer.hpp"
#include "auralis/spectrum_analyzer.hpp"

namespace auralis {

template <class Real>
struct BasicSpectrumAnalyzer<Real>::Impl {
  /// `settings` must have passed validate() and validate_against_sample_rate().
  explicit Impl(const SpectrumSettings& s)
      : settings(s),
        frame(settings, settings.sample_rate),
        workspace(frame.make_workspace()),
        record(frame.record_size(), 0.0),
        sequence(frame) {}
  // A copy has its own buffers and the same smoothing state.
  Impl(const Impl& o)
      : settings(o.settings),
        frame(settings, settings.sample_rate),
        workspace(frame.make_workspace()),
        record(o.record),
        sequence(o.sequence) {
    sequence.rebind(frame);
  }
  Impl& operator=(const Impl&) = delete;

  SpectrumSettings settings;
  kernel::FrameAnalyzer<Real> frame;
  typename kernel::FrameAnalyzer<Real>::Workspace workspace;  // analyze_chunk's
  mutable detail::WorkspaceCache<Real> workspaces;            // analyze_file's, per thread
  std::vector<double> record;                                 // analyze_chunk's
  detail::FrameSequence<Real> sequence;                       // analyze_chunk's smoothing
};

namespace detail {

/// The internals of an analyzer, for the library's own code and tests.
struct AnalyzerAccess {
  template <class Real>
  [[nodiscard]] static const kernel::FrameAnalyzer<Real>& frame(
      const BasicSpectrumAnalyzer<Real>& a) noexcept {
    return a.impl_->frame;
  }
  template <class Real>
  [[nodiscard]] static typename BasicSpectrumAnalyzer<Real>::Impl& impl(
      const BasicSpectrumAnalyzer<Real>& a) noexcept {
    return *a.impl_;
  }
};

}  // namespace detail
}  // namespace auralis
