// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Pieces of analyze_file shared by the sequential and parallel analyzers (internal).
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "auralis/config.hpp"
#include "auralis/detail/audio_checks.hpp"
#if AURALIS_HAS_AUDIO_FILES
#include "auralis/io/audio_file.hpp"
#endif
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
/// Every analyze_file checks this before it looks at any sample (in memory and streamed alike):
/// settings against the rate first, then the samples.
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

/// The per-frame analysis sequence, written once. Every path (analyze_chunk, the sequential
/// analyze_file in memory and streamed, the parallel pipeline) runs these steps on each frame,
/// in this order:
///   1. `transform`: window, FFT, band levels, weighting (kernel::FrameAnalyzer; pure);
///   2. `smooth`: the auralis convention's recurrence, in frame order (stateful);
///   3. `finalize`: the frame's metrics from its smoothed record (pure);
///   4. `accumulate`: running sums over the frames of a file, in frame order (stateful).
/// `process` is steps 1 to 3 for one frame; the parallel pipeline calls the steps separately
/// (1 and 3 concurrently, 2 and 4 serially in frame order), which performs the same operations
/// in the same order and therefore gives the same bits.
template <class Real>
class FrameSequence {
 public:
  explicit FrameSequence(const kernel::FrameAnalyzer<Real>& frame)
      : frame_(&frame),
        smoother_(frame.bands(), frame.settings().smoothing_factor,
                  smoothing_enabled(frame.settings())) {}

  [[nodiscard]] const kernel::FrameAnalyzer<Real>& frame() const noexcept { return *frame_; }

  template <class T>
  void transform(const kernel::AudioView<T>& audio, std::size_t start,
                 typename kernel::FrameAnalyzer<Real>::Workspace& ws,
                 std::span<double> record) const noexcept {
    frame_->analyze(audio, start, ws, record);
  }
  void smooth(std::span<double> record) noexcept { smoother_.apply(record.first(frame_->bands())); }
  void finalize(std::span<double> record) const noexcept {
    kernel::finalize_frame(record, frame_->edges(), frame_->settings().metric_convention);
  }
  template <class T>
  void process(const kernel::AudioView<T>& audio, std::size_t start,
               typename kernel::FrameAnalyzer<Real>::Workspace& ws,
               std::span<double> record) noexcept {
    transform(audio, start, ws, record);
    smooth(record);
    finalize(record);
  }
  /// Restarts the smoothing recurrence.
  void reset() noexcept { smoother_.reset(); }
  /// Points the sequence at `frame` (same settings), keeping the smoothing state (copies).
  void rebind(const kernel::FrameAnalyzer<Real>& frame) noexcept { frame_ = &frame; }

 private:
  const kernel::FrameAnalyzer<Real>* frame_;
  kernel::Smoother smoother_;
};

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

/// Sequential analyze_file over `frames` analysis frames of a signal of `sample_frames` sample
/// frames, delivered in groups: `next_group(first)` returns {view, count} for frames
/// [first, first + count), frame first + i starting at sample frame i * hop of the view.
/// Allocates O(bands), independent of the input length; `workspace` comes from the caller.
template <class Real, class NextGroup>
[[nodiscard]] SpectrumResult analyze_frames(
    const kernel::FrameAnalyzer<Real>& frame,
    typename kernel::FrameAnalyzer<Real>::Workspace& workspace, std::size_t sample_frames,
    NextGroup&& next_group) {
  std::vector<double> record(frame.record_size());
  FrameSequence<Real> sequence(frame);
  kernel::MetricsAccumulator acc(frame.bands());
  const std::size_t frames = frame.frame_count(sample_frames);
  for (std::size_t first = 0; first < frames;) {
    const auto [audio, count] = next_group(first);
    for (std::size_t i = 0; i < count; ++i) {
      sequence.process(audio, i * frame.hop(), workspace, record);
      acc.add(record);
    }
    first += count;
  }
  return file_result(acc, frame, sample_frames, false);
}

/// Sequential analyze_file on a validated in-memory view: one group holding every frame.
template <class Real, class T>
[[nodiscard]] SpectrumResult analyze_sequential(
    const kernel::FrameAnalyzer<Real>& frame,
    typename kernel::FrameAnalyzer<Real>::Workspace& workspace, kernel::AudioView<T> audio) {
  const std::size_t frames = frame.frame_count(audio.frames);
  return analyze_frames(frame, workspace, audio.frames, [&](std::size_t) {
    return std::pair<kernel::AudioView<T>, std::size_t>{audio, frames};
  });
}

#if AURALIS_HAS_AUDIO_FILES
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
  const std::size_t total = reader.info().frames;
  const std::size_t frames = frame.frame_count(total);
  FileFrameGroups groups(reader, frame.fft_size(), frame.hop(), frames,
                         stream_group_frames(frame.hop(), stream_read_frames),
                         max_sample_magnitude<Real>);
  std::vector<double> buffer(groups.capacity());
  return analyze_frames(frame, workspace, total, [&](std::size_t first) {
    const std::size_t count = std::min(groups.group_frames(), frames - first);
    return std::pair<kernel::AudioView<double>, std::size_t>{
        groups.fill(first, count, buffer.data()), count};
  });
}

#endif  // AURALIS_HAS_AUDIO_FILES

}  // namespace auralis::detail
