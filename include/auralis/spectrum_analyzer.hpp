// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// SpectrumAnalyzer: sequential spectrum analysis of whole signals (analyze_file) and of a
/// stream of frames (analyze_chunk).
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "auralis/config.hpp"
#include "auralis/settings.hpp"

namespace auralis {

template <class Real>
class BasicParallelSpectrumAnalyzer;
namespace detail {
struct AnalyzerAccess;
}

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
///   analyzer keeps for later calls.
/// - analyze_chunk carries the smoothing state from call to call, so it must not be called
///   concurrently on one analyzer. Its output-parameter form `analyze_chunk(chunk, out)`
///   performs no heap allocation and takes no lock once `out` has been sized by a first call
///   (the forms returning a SpectrumResult allocate that result).
/// - Copies are independent analyzers with the same settings. A moved-from analyzer may only be
///   destroyed or assigned to.
///
/// `Real` is float or double; both are compiled into the library.
template <class Real>
class BasicSpectrumAnalyzer {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "auralis analyzers compute in float or double");

 public:
  using compute_type = Real;

  /// Validates `settings` (throws InvalidSettings naming the field) and prepares the analysis.
  explicit BasicSpectrumAnalyzer(const SpectrumSettings& settings = {});
  BasicSpectrumAnalyzer(const BasicSpectrumAnalyzer& other);
  BasicSpectrumAnalyzer(BasicSpectrumAnalyzer&& other) noexcept;
  BasicSpectrumAnalyzer& operator=(const BasicSpectrumAnalyzer& other);
  BasicSpectrumAnalyzer& operator=(BasicSpectrumAnalyzer&& other) noexcept;
  ~BasicSpectrumAnalyzer();

  /// The settings in use.
  [[nodiscard]] const SpectrumSettings& settings() const noexcept;

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
#if AURALIS_HAS_AUDIO_FILES
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
#endif

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
  void reset_smoothing() noexcept;

  /// Labels of the bands from their lower edges: "431Hz" below 1 kHz, "1.2kHz" above.
  [[nodiscard]] std::vector<std::string> get_frequency_band_names() const;

  /// Band lower edges in Hz (the result's frequency_bins).
  [[nodiscard]] std::span<const double> frequency_bins() const noexcept;

 private:
  friend class BasicParallelSpectrumAnalyzer<Real>;
  friend struct detail::AnalyzerAccess;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The default analyzer: double-precision compute.
using SpectrumAnalyzer = BasicSpectrumAnalyzer<double>;
/// Single-precision window and FFT; magnitudes, levels and metrics in double.
using SpectrumAnalyzerF = BasicSpectrumAnalyzer<float>;

// Every member is defined and instantiated in the library (compiled once, with its flags).
extern template class BasicSpectrumAnalyzer<float>;
extern template class BasicSpectrumAnalyzer<double>;

}  // namespace auralis
