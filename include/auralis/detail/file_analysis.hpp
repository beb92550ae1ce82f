// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Pieces of analyze_file shared by the sequential and parallel analyzers (internal).
#pragma once

#include <cstddef>
#include <optional>

#include "auralis/kernel/frame_analyzer.hpp"
#include "auralis/kernel/metrics.hpp"
#include "auralis/settings.hpp"

namespace auralis::detail {

/// The sample rate of one analyze_file call: the argument when given, else the settings'.
/// Throws InvalidSettings if it is not finite and positive or puts min_frequency above Nyquist.
[[nodiscard]] inline double checked_rate(const SpectrumSettings& s,
                                         std::optional<double> sample_rate) {
  const double rate = sample_rate.value_or(s.sample_rate);
  validate_sample_rate(rate, "sample_rate");
  validate_against_sample_rate(s, rate);
  return rate;
}

/// `base` when it was built for `rate`, else a FrameAnalyzer for `rate` built into `storage`.
template <class Real>
[[nodiscard]] const kernel::FrameAnalyzer<Real>& frame_for_rate(
    const kernel::FrameAnalyzer<Real>& base, double rate,
    std::optional<kernel::FrameAnalyzer<Real>>& storage) {
  if (rate == base.sample_rate()) return base;
  storage.emplace(base.settings(), rate);
  return *storage;
}

/// The result of a whole-signal analysis from its accumulated frames.
template <class Real>
[[nodiscard]] SpectrumResult file_result(const kernel::MetricsAccumulator& acc,
                                         const kernel::FrameAnalyzer<Real>& frame,
                                         std::size_t sample_frames, bool parallel) {
  SpectrumResult result;
  acc.finish(result);
  result.frequency_bins.assign(frame.edges().begin(), frame.edges().end());
  result.analysis_duration = static_cast<double>(sample_frames) / frame.sample_rate();
  result.parallel_processing = parallel;
  return result;
}

}  // namespace auralis::detail
