// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Pieces of analyze_file shared by the sequential and parallel analyzers (internal).
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "auralis/io/audio_file.hpp"
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
/// Allocates O(bands), independent of the input length; `workspace` comes from the caller.
template <class Real, class T>
[[nodiscard]] SpectrumResult analyze_sequential(
    const kernel::FrameAnalyzer<Real>& frame,
    typename kernel::FrameAnalyzer<Real>::Workspace& workspace, kernel::AudioView<T> audio) {
  const SpectrumSettings& s = frame.settings();
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

/// Sample frames analyze_file(path) aims to read from the file per call (one group of frames).
inline constexpr std::size_t stream_read_frames = 65536;

/// Analysis frames per group when streaming a file with hop `hop`: about stream_read_frames of
/// new samples per group, between 1 and `upper`; or the value set by set_stream_group_frames.
[[nodiscard]] std::size_t stream_group_frames(std::size_t hop, std::size_t upper) noexcept;

/// Test hook: forces the analysis frames per group of every later analyze_file(path) call (0
/// restores the default). Process-wide; changes memory use and speed, never results.
void set_stream_group_frames(std::size_t frames) noexcept;

/// Cuts an audio file, read front to back, into groups of consecutive analysis frames.
///
/// Group g holds frames [first, first + count); their samples, sample frames
/// [first * hop, min(first * hop + (count - 1) * hop + fft_size, total)), are copied interleaved
/// into a caller's buffer of capacity() doubles, so frame first + i starts at sample frame
/// i * hop of the returned view and samples past the end of the file read as 0, exactly as in the
/// view of the whole file. The fft_size - hop sample frames two consecutive groups share are kept
/// in a carry buffer, so every sample is read once. Groups must be filled in order; the last
/// one also reads (and checks) the trailing samples no frame reaches.
///
/// Every sample is checked on arrival: a NaN or infinity throws InvalidAudio naming the file
/// (field()) and the sample index, frame and channel, like the in-memory analysis; a file ending
/// early throws io::AudioFileError(truncated). Memory: the carry, (fft_size - hop) * channels
/// doubles, plus 4096 frames while reading the trailing samples; independent of the file length.
/// Not thread-safe: one thread at a time (a serial pipeline filter).
class FileFrameGroups {
 public:
  /// `analysis_frames` is FrameAnalyzer::frame_count(reader.info().frames); `group_frames` >= 1
  /// is the frames per group; samples beyond `sample_limit` in magnitude (or non-finite) are
  /// rejected with InvalidAudio (see checked_audio).
  FileFrameGroups(io::AudioFileReader& reader, std::size_t fft_size, std::size_t hop,
                  std::size_t analysis_frames, std::size_t group_frames, double sample_limit);

  /// Analysis frames per group.
  [[nodiscard]] std::size_t group_frames() const noexcept { return group_frames_; }
  /// Doubles a group's buffer must hold: ((group_frames - 1) * hop + fft_size) * channels.
  [[nodiscard]] std::size_t capacity() const noexcept;

  /// Reads the samples of frames [first, first + count) into `buffer` (capacity() doubles) and
  /// returns them as a view; `first` must be the end of the previous group (0 at first).
  kernel::AudioView<double> fill(std::size_t first, std::size_t count, double* buffer);

 private:
  void read_checked(double* out, std::size_t frames);
  void skip(std::size_t frames);

  io::AudioFileReader& reader_;
  std::size_t channels_;
  std::size_t total_;
  std::size_t fft_size_;
  std::size_t hop_;
  std::size_t frames_;
  std::size_t group_frames_;
  double limit_;
  std::size_t next_ = 0;  // sample frames read so far
  std::vector<double> carry_;
};

/// The sample rate of the file behind `reader`, checked like analyze_file's sample_rate
/// argument (InvalidSettings when min_frequency lies above its Nyquist frequency).
[[nodiscard]] inline double checked_file_rate(const SpectrumSettings& s,
                                              const io::AudioFileReader& reader) {
  return checked_rate(s, reader.info().sample_rate);
}

/// Sequential analyze_file of a whole audio file, streamed: bit-identical to reading the file
/// with io::read_audio_file and calling analyze_sequential on it, but holding only one group of
/// about stream_read_frames sample frames (plus fft_size) at a time.
template <class Real>
[[nodiscard]] SpectrumResult analyze_stream_sequential(
    const kernel::FrameAnalyzer<Real>& frame,
    typename kernel::FrameAnalyzer<Real>::Workspace& workspace, io::AudioFileReader& reader) {
  const SpectrumSettings& s = frame.settings();
  const std::size_t total = reader.info().frames;
  const std::size_t frames = frame.frame_count(total);
  const std::size_t hop = frame.hop();
  FileFrameGroups groups(reader, frame.fft_size(), hop, frames,
                         stream_group_frames(hop, stream_read_frames), max_sample_magnitude<Real>);
  std::vector<double> buffer(groups.capacity());
  std::vector<double> record(frame.record_size());
  kernel::Smoother smoother(frame.bands(), s.smoothing_factor, smoothing_enabled(s));
  kernel::MetricsAccumulator acc(frame.bands());
  for (std::size_t first = 0; first < frames; first += groups.group_frames()) {
    const std::size_t count = std::min(groups.group_frames(), frames - first);
    const kernel::AudioView<double> audio = groups.fill(first, count, buffer.data());
    for (std::size_t i = 0; i < count; ++i) {
      frame.analyze(audio, i * hop, workspace, record);
      smoother.apply(std::span<double>(record).first(frame.bands()));
      kernel::finalize_frame(record, frame.edges(), s.metric_convention);
      acc.add(record);
    }
  }
  return file_result(acc, frame, total, false);
}

}  // namespace auralis::detail
