// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Analysis settings, their validation, the result type and the audio views accepted as input.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auralis/error.hpp"

namespace auralis {

/// Frequency weighting applied to the band levels (evaluated at each band's lower edge).
enum class Weighting { A, C, Z };

/// Analysis window, periodic (DFT-even) as scipy.signal.get_window builds it.
enum class WindowType { hann, hamming, blackman, rectangular };

/// Which definitions the metrics follow (see docs/conventions.md).
enum class MetricConvention {
  /// Reproduces the reference Python analyzer exactly, quirks included (default).
  auralis,
  /// Physically meaningful metrics: librosa centroid/rolloff on bin magnitudes, IEC 61672
  /// weighting, Parseval energy, no temporal smoothing.
  standard
};

/// "A", "C" or "Z".
[[nodiscard]] constexpr std::string_view to_string(Weighting w) noexcept {
  switch (w) {
    case Weighting::A:
      return "A";
    case Weighting::C:
      return "C";
    case Weighting::Z:
      return "Z";
  }
  return "invalid";
}
/// "hann", "hamming", "blackman" or "rectangular".
[[nodiscard]] constexpr std::string_view to_string(WindowType w) noexcept {
  switch (w) {
    case WindowType::hann:
      return "hann";
    case WindowType::hamming:
      return "hamming";
    case WindowType::blackman:
      return "blackman";
    case WindowType::rectangular:
      return "rectangular";
  }
  return "invalid";
}
/// "auralis" or "standard".
[[nodiscard]] constexpr std::string_view to_string(MetricConvention c) noexcept {
  switch (c) {
    case MetricConvention::auralis:
      return "auralis";
    case MetricConvention::standard:
      return "standard";
  }
  return "invalid";
}

/// Settings of SpectrumAnalyzer. Defaults are the reference analyzer's.
struct SpectrumSettings {
  /// FFT length N in samples, 16 <= N <= 2^20 (any size; powers of two are fastest).
  std::size_t fft_size = 4096;
  /// Window applied to each frame before the FFT.
  WindowType window_type = WindowType::hann;
  /// Fraction of a frame shared with the next one, in [0, 1). The hop is
  /// `(size_t)(fft_size * (1 - overlap))` samples (truncated, as the reference) and must be >= 1.
  double overlap = 0.75;
  /// Sample rate in Hz, (0, 1e9]; analyze_file may override it per call.
  double sample_rate = 44100.0;
  /// Number of log-spaced bands B >= 1.
  std::size_t frequency_bands = 64;
  /// Weighting curve applied to the band levels.
  Weighting frequency_weighting = Weighting::A;
  /// Exponential smoothing coefficient a in [0, 1) of the auralis convention:
  /// S_t = a S_{t-1} + (1 - a) L_t. Ignored by MetricConvention::standard.
  double smoothing_factor = 0.8;
  /// Lowest band edge in Hz, [1e-3, 1e9] (and < max_frequency, below Nyquist).
  double min_frequency = 20.0;
  /// Highest band edge in Hz, (min_frequency, 1e9]. Bands above Nyquist hold no bin
  /// and read -200 dB.
  double max_frequency = 20000.0;
  /// Metric definitions.
  MetricConvention metric_convention = MetricConvention::auralis;
};

/// Hop between frames in samples: `(size_t)(fft_size * (1 - overlap))`, or 0 when that is
/// below 1 or not representable (invalid settings).
[[nodiscard]] std::size_t hop_size(const SpectrumSettings& s) noexcept;

/// Largest accepted fft_size (2^20).
inline constexpr std::size_t max_fft_size = std::size_t{1} << 20;
/// Smallest accepted fft_size.
inline constexpr std::size_t min_fft_size = 16;

/// Frequency limits (Hz) of sample rates and band edges. Beyond them the weighting curves' powers
/// of f (f^4 and products of f^2 terms) would underflow or overflow double and turn levels
/// into -inf or NaN; no audio analysis needs edges below 1 mHz or rates above 1 GHz.
inline constexpr double min_band_frequency = 1e-3;
inline constexpr double max_analysis_frequency = 1e9;

/// Checks a sample rate: (0, 1e9] Hz. Throws InvalidSettings naming `field`.
void validate_sample_rate(double sample_rate, const char* field = "sample_rate");

/// Throws InvalidSettings naming the first field of `s` outside its allowed range, in
/// declaration order: fft_size in [16, 2^20]; window_type; overlap in [0, 1) with a hop of at
/// least one sample; sample_rate in (0, 1e9]; frequency_bands in [1, 65536];
/// frequency_weighting; smoothing_factor in [0, 1); min_frequency in [1e-3, 1e9];
/// max_frequency in (min_frequency, 1e9]; metric_convention.
void validate(const SpectrumSettings& s);

/// Checks that min_frequency lies below the Nyquist frequency of `sample_rate`, so at least
/// one band can hold a bin. Throws InvalidSettings("min_frequency").
void validate_against_sample_rate(const SpectrumSettings& s, double sample_rate);

/// Interleaved multichannel audio: `samples.size() == frames * channels`, frame-major
/// (L R L R ... for stereo). Channels are averaged before analysis.
template <class T>
struct InterleavedAudio {
  std::span<T> samples;
  std::size_t channels = 1;
};

/// Result of an analysis. For analyze_file the scalar metrics and the spectrum are means over
/// all frames; for analyze_chunk they describe that one frame.
struct SpectrumResult {
  /// Band levels in dB (weighted, and smoothed in the auralis convention), one per band.
  std::vector<double> spectrum;
  /// Band frequencies in Hz: the lower edge of each band (the reference's convention).
  std::vector<double> frequency_bins;
  /// Frequency of the loudest band (auralis) or bin (standard), Hz.
  double peak_frequency = 0.0;
  /// Spectral centroid, Hz (auralis: dB-weighted mean of band edges; standard: librosa).
  double spectral_centroid = 0.0;
  /// 85% roll-off frequency, Hz.
  double spectral_rolloff = 0.0;
  /// auralis: sum of the band levels in dB; standard: sum of squared windowed samples.
  double total_energy = 0.0;
  /// Frames analysed.
  std::size_t num_chunks_analyzed = 0;
  /// Duration of the analysed audio in seconds (sample frames / sample rate).
  double analysis_duration = 0.0;
  /// True when the parallel path ran.
  bool parallel_processing = false;
};

}  // namespace auralis
