// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// SpectrumAnalyzer: sequential spectrum analysis of whole signals (analyze_file) and of a
/// stream of frames (analyze_chunk).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/detail/file_analysis.hpp"
#include "auralis/detail/workspace_cache.hpp"
#include "auralis/io/audio_file.hpp"
#include "auralis/kernel/frame_analyzer.hpp"
#include "auralis/kernel/metrics.hpp"
#include "auralis/settings.hpp"

namespace auralis {

/// Short-time spectrum analysis into log-spaced bands, with the reference's metrics.
///
/// The signal is cut into frames of `fft_size` samples every hop samples, windowed, transformed
/// (unscaled r2c FFT), reduced to B band levels in dB, weighted, smoothed over time (auralis
/// convention) and summarised by peak frequency, spectral centroid, 85% rolloff and total
/// energy; analyze_file returns their means over all frames. See docs/conventions.md for the
/// exact definitions of both MetricConvention values.
///
/// `Real` is the compute precision of the window and FFT (double by default; float agrees with
/// double to about 1e-5 dB on bands well above the float rounding floor, see
/// docs/precision.md). Samples may be float or double in either case.
///
/// Life cycle and guarantees:
/// - The constructor validates the settings (throws InvalidSettings), plans the FFT (shared
///   process-wide) and allocates every buffer analyze_chunk needs.
/// - analyze_file is const and stateless (smoothing starts afresh on every call): concurrent
///   calls on one analyzer are safe. It allocates O(bands) per call, independent of the input
///   length, plus one O(fft_size) workspace per calling thread on its first call, which the
///   analyzer keeps for later calls (detail::WorkspaceCache).
/// - analyze_chunk carries the smoothing state from call to call, so it must not be called
///   concurrently on one analyzer. Its output-parameter form performs no heap allocation and
///   takes no lock once `out` has been sized by a first call.
template <class Real>
class BasicSpectrumAnalyzer {
 public:
  using compute_type = Real;

  /// Validates `settings` (throws InvalidSettings naming the field) and prepares the analysis.
  explicit BasicSpectrumAnalyzer(const SpectrumSettings& settings = {});

  /// The settings in use.
  [[nodiscard]] const SpectrumSettings& settings() const noexcept { return settings_; }

  /// Analyses a whole mono signal. `sample_rate` (Hz) overrides settings().sample_rate for this
  /// call only, with bin frequencies recomputed for it. Signals shorter than fft_size are
  /// zero-padded into one frame; trailing samples that do not fill a frame are ignored.
  /// Throws InvalidAudio (empty, NaN/inf sample) or InvalidSettings (bad sample_rate).
  [[nodiscard]] SpectrumResult analyze_file(std::span<const double> samples,
                                            std::optional<double> sample_rate = {}) const;
  /// As above, float samples.
  [[nodiscard]] SpectrumResult analyze_file(std::span<const float> samples,
                                            std::optional<double> sample_rate = {}) const;
  /// Interleaved multichannel audio; channels are averaged before analysis.
  [[nodiscard]] SpectrumResult analyze_file(InterleavedAudio<const double> audio,
                                            std::optional<double> sample_rate = {}) const;
  /// As above, float samples.
  [[nodiscard]] SpectrumResult analyze_file(InterleavedAudio<const float> audio,
                                            std::optional<double> sample_rate = {}) const;
  /// Analyses an audio file (WAV, FLAC, Ogg/Vorbis, AIFF, ...; see io::AudioFileReader) at its
  /// own sample rate, channels averaged, integer PCM scaled to [-1, 1). The file is streamed:
  /// read once, front to back, in groups of about 64k sample frames, so the extra memory is
  /// O((65536 + fft_size) * channels) doubles whatever the file's length. The result equals,
  /// bit for bit, `analyze_file(InterleavedAudio<const double>{b.samples, b.channels},
  /// b.sample_rate)` with `b = io::read_audio_file(path)`. Throws io::AudioFileError (missing,
  /// unreadable, not audio, unsupported, truncated, empty), InvalidAudio naming the file and the
  /// sample index for a NaN or infinite sample, InvalidSettings when min_frequency is above the
  /// file's Nyquist frequency. Const: concurrent calls are safe.
  [[nodiscard]] SpectrumResult analyze_file(const std::filesystem::path& path) const;

  /// Analyses one frame of at most fft_size samples (zero-padded when shorter), continuing the
  /// smoothing recurrence of the previous calls. Returns that frame's values.
  [[nodiscard]] SpectrumResult analyze_chunk(std::span<const double> chunk);
  /// As above, float samples.
  [[nodiscard]] SpectrumResult analyze_chunk(std::span<const float> chunk);
  /// As above, interleaved multichannel (channels averaged).
  [[nodiscard]] SpectrumResult analyze_chunk(InterleavedAudio<const double> chunk);
  /// As above, interleaved float.
  [[nodiscard]] SpectrumResult analyze_chunk(InterleavedAudio<const float> chunk);

  /// Real-time form: fills `out`, reusing its vectors' storage (no allocation once they hold
  /// `frequency_bands` elements). Throws InvalidAudio for an empty chunk, one longer than
  /// fft_size or a NaN/inf sample; the smoothing state is left unchanged then.
  void analyze_chunk(std::span<const double> chunk, SpectrumResult& out);
  /// As above, float samples.
  void analyze_chunk(std::span<const float> chunk, SpectrumResult& out);
  /// As above, interleaved multichannel.
  void analyze_chunk(InterleavedAudio<const double> chunk, SpectrumResult& out);
  /// As above, interleaved float.
  void analyze_chunk(InterleavedAudio<const float> chunk, SpectrumResult& out);

  /// Restarts the smoothing recurrence of analyze_chunk (noexcept, no allocation).
  void reset_smoothing() noexcept { smoother_.reset(); }

  /// Labels of the bands from their lower edges: "431Hz" below 1 kHz, "1.2kHz" above.
  [[nodiscard]] std::vector<std::string> get_frequency_band_names() const {
    std::vector<std::string> names;
    names.reserve(frame_.bands());
    for (double f : frame_.edges()) names.push_back(detail::band_name(f));
    return names;
  }

  /// Band lower edges in Hz (the result's frequency_bins).
  [[nodiscard]] std::span<const double> frequency_bins() const noexcept { return frame_.edges(); }

  /// The stage-1 kernel at settings().sample_rate.
  [[nodiscard]] const kernel::FrameAnalyzer<Real>& frame_analyzer() const noexcept {
    return frame_;
  }

 private:
  static SpectrumSettings checked(const SpectrumSettings& s) {
    validate(s);
    validate_against_sample_rate(s, s.sample_rate);
    return s;
  }

  template <class T>
  SpectrumResult file_impl(kernel::AudioView<T> audio, std::optional<double> sample_rate) const {
    const double rate = detail::checked_rate(settings_, sample_rate);
    std::optional<kernel::FrameAnalyzer<Real>> other_rate;
    const kernel::FrameAnalyzer<Real>& frame = detail::frame_for_rate(frame_, rate, other_rate);
    return detail::analyze_sequential(frame, workspaces_.local(frame), audio);
  }

  template <class T>
  void chunk_impl(kernel::AudioView<T> chunk, SpectrumResult& out) {
    if (chunk.frames > frame_.fft_size()) {
      throw InvalidAudio(
          "chunk", "holds " + std::to_string(chunk.frames) +
                       " sample frames, more than fft_size = " + std::to_string(frame_.fft_size()) +
                       "; split it or use analyze_file");
    }
    frame_.analyze(chunk, 0, workspace_, record_);
    const std::size_t b = frame_.bands();
    smoother_.apply(std::span<double>(record_).first(b));
    kernel::finalize_frame(record_, frame_.edges(), settings_.metric_convention);
    const kernel::FrameMetrics m = kernel::record_metrics(record_);
    out.spectrum.assign(record_.begin(), record_.begin() + static_cast<std::ptrdiff_t>(b));
    out.frequency_bins.assign(frame_.edges().begin(), frame_.edges().end());
    out.peak_frequency = m.peak_frequency;
    out.spectral_centroid = m.spectral_centroid;
    out.spectral_rolloff = m.spectral_rolloff;
    out.total_energy = m.total_energy;
    out.num_chunks_analyzed = 1;
    out.analysis_duration = static_cast<double>(chunk.frames) / settings_.sample_rate;
    out.parallel_processing = false;
  }

  SpectrumSettings settings_;
  kernel::FrameAnalyzer<Real> frame_;
  typename kernel::FrameAnalyzer<Real>::Workspace workspace_;  // analyze_chunk's
  mutable detail::WorkspaceCache<Real> workspaces_;            // analyze_file's, per thread
  std::vector<double> record_;
  kernel::Smoother smoother_;
};

// Out of line and non-inline on purpose: with the extern template declarations below, a
// program never compiles these itself, so every caller runs the library's one compiled
// copy (built with -ffp-contract=off) and gets the same bits whatever its own flags.

template <class Real>
BasicSpectrumAnalyzer<Real>::BasicSpectrumAnalyzer(const SpectrumSettings& settings)
    : settings_(checked(settings)),
      frame_(settings_, settings_.sample_rate),
      workspace_(frame_.make_workspace()),
      record_(frame_.record_size(), 0.0),
      smoother_(frame_.bands(), settings_.smoothing_factor, detail::smoothing_enabled(settings_)) {}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_file(std::span<const double> samples,
                                                         std::optional<double> sample_rate) const {
  return file_impl(detail::checked_audio(samples, 1, "samples", detail::max_sample_magnitude<Real>),
                   sample_rate);
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_file(std::span<const float> samples,
                                                         std::optional<double> sample_rate) const {
  return file_impl(detail::checked_audio(samples, 1, "samples", detail::max_sample_magnitude<Real>),
                   sample_rate);
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_file(InterleavedAudio<const double> audio,
                                                         std::optional<double> sample_rate) const {
  return file_impl(detail::checked_audio(audio.samples, audio.channels, "samples",
                                         detail::max_sample_magnitude<Real>),
                   sample_rate);
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_file(InterleavedAudio<const float> audio,
                                                         std::optional<double> sample_rate) const {
  return file_impl(detail::checked_audio(audio.samples, audio.channels, "samples",
                                         detail::max_sample_magnitude<Real>),
                   sample_rate);
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_file(const std::filesystem::path& path) const {
  io::AudioFileReader reader(path);
  const double rate = detail::checked_file_rate(settings_, reader);
  std::optional<kernel::FrameAnalyzer<Real>> other_rate;
  const kernel::FrameAnalyzer<Real>& frame = detail::frame_for_rate(frame_, rate, other_rate);
  return detail::analyze_stream_sequential(frame, workspaces_.local(frame), reader);
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_chunk(std::span<const double> chunk) {
  SpectrumResult r;
  analyze_chunk(chunk, r);
  return r;
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_chunk(std::span<const float> chunk) {
  SpectrumResult r;
  analyze_chunk(chunk, r);
  return r;
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const double> chunk) {
  SpectrumResult r;
  analyze_chunk(chunk, r);
  return r;
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const float> chunk) {
  SpectrumResult r;
  analyze_chunk(chunk, r);
  return r;
}

template <class Real>
void BasicSpectrumAnalyzer<Real>::analyze_chunk(std::span<const double> chunk,
                                                SpectrumResult& out) {
  chunk_impl(detail::checked_audio(chunk, 1, "chunk", detail::max_sample_magnitude<Real>), out);
}

template <class Real>
void BasicSpectrumAnalyzer<Real>::analyze_chunk(std::span<const float> chunk, SpectrumResult& out) {
  chunk_impl(detail::checked_audio(chunk, 1, "chunk", detail::max_sample_magnitude<Real>), out);
}

template <class Real>
void BasicSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const double> chunk,
                                                SpectrumResult& out) {
  chunk_impl(detail::checked_audio(chunk.samples, chunk.channels, "chunk",
                                   detail::max_sample_magnitude<Real>),
             out);
}

template <class Real>
void BasicSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const float> chunk,
                                                SpectrumResult& out) {
  chunk_impl(detail::checked_audio(chunk.samples, chunk.channels, "chunk",
                                   detail::max_sample_magnitude<Real>),
             out);
}

/// The default analyzer: double-precision compute.
using SpectrumAnalyzer = BasicSpectrumAnalyzer<double>;
/// Single-precision window and FFT; magnitudes, levels and metrics in double.
using SpectrumAnalyzerF = BasicSpectrumAnalyzer<float>;

extern template class BasicSpectrumAnalyzer<float>;
extern template class BasicSpectrumAnalyzer<double>;

}  // namespace auralis
