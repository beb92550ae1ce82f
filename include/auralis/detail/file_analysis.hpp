// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Pieces of analyze_file shared by the sequential and parallel analyzers (internal).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "auralis/kernel/frame_analyzer.hpp"
#include "auralis/kernel/metrics.hpp"
#include "auralis/settings.hpp"

namespace auralis::detail {

/// Temporal smoothing belongs to the auralis convention only.
[[nodiscard]] inline bool smoothing_enabled(const SpectrumSettings& s) noexcept {
  return s.metric_convention == MetricConvention::auralis;
}

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

/// Sequential analyze_file on a validated view: stage 1, 2, 3a and 3b frame after frame.
/// Allocates O(fft_size + bands), independent of the input length.
template <class Real, class T>
[[nodiscard]] SpectrumResult analyze_sequential(const kernel::FrameAnalyzer<Real>& frame,
                                                kernel::AudioView<T> audio) {
  const SpectrumSettings& s = frame.settings();
  auto workspace = frame.make_workspace();
  std::vector<double> record(frame.record_size());
  kernel::Smoother smoother(frame.bands(), s.smoothing_factor, smoothing_enabled(s));
  kernel::MetricsAccumulator acc(frame.bands());
  const std::size_t frames = frame.frame_count(audio.frames);
  for (std::size_t t = 0; t < frames; ++t) {
    frame.analyze(audio, t * frame.hop(), workspace, record);
    smoother.apply(std::span<double>(record).first(frame.bands()));
    kernel::finalize_frame(record, frame.edges(), s.metric_convention);
    acc.add(record);
  }
  return file_result(acc, frame, audio.frames, false);
}

}  // namespace auralis::detail
