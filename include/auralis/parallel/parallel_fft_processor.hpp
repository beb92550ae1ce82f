// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelFFTProcessor: windowed FFTs of every frame and the STFT matrix, on oneTBB.
#pragma once

#include <Eigen/Core>

#include <complex>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

#include "auralis/parallel/parallel_config.hpp"
#include "auralis/settings.hpp"

namespace auralis {
namespace detail {

/// ParallelFFTProcessor's checks of its arguments; returns the number of frames. Throws
/// InvalidSettings ("fft_size", "hop", "window") or InvalidAudio ("audio").
template <class Real, class Sample>
[[nodiscard]] std::size_t stft_frame_count(std::span<const Sample> audio, std::size_t fft_size,
                                           std::size_t hop, WindowType window);

/// Writes the fft_size / 2 + 1 bins of frame t to `frames[t]`, for every frame (same checks).
template <class Real, class Sample>
void stft_into(const ParallelConfig& config, std::span<const Sample> audio, std::size_t fft_size,
               std::size_t hop, WindowType window, std::complex<Real>* const* frames);

// Compiled once, in the library, for float and double compute and samples.
extern template std::size_t stft_frame_count<double, double>(std::span<const double>, std::size_t,
                                                             std::size_t, WindowType);
extern template std::size_t stft_frame_count<double, float>(std::span<const float>, std::size_t,
                                                            std::size_t, WindowType);
extern template std::size_t stft_frame_count<float, double>(std::span<const double>, std::size_t,
                                                            std::size_t, WindowType);
extern template std::size_t stft_frame_count<float, float>(std::span<const float>, std::size_t,
                                                           std::size_t, WindowType);
extern template void stft_into<double, double>(const ParallelConfig&, std::span<const double>,
                                               std::size_t, std::size_t, WindowType,
                                               std::complex<double>* const*);
extern template void stft_into<double, float>(const ParallelConfig&, std::span<const float>,
                                              std::size_t, std::size_t, WindowType,
                                              std::complex<double>* const*);
extern template void stft_into<float, double>(const ParallelConfig&, std::span<const double>,
                                              std::size_t, std::size_t, WindowType,
                                              std::complex<float>* const*);
extern template void stft_into<float, float>(const ParallelConfig&, std::span<const float>,
                                             std::size_t, std::size_t, WindowType,
                                             std::complex<float>* const*);

}  // namespace detail

/// Short-time Fourier transforms computed frame-parallel.
///
/// Framing: frame t covers samples `[t*hop, t*hop + fft_size)`; `(len - fft_size) / hop + 1`
/// frames when len >= fft_size, else one zero-padded frame, the analyzers' framing. Each frame is
/// multiplied by the periodic window (in `Real`, `Real(x) * w`, as the analyzers window) and
/// transformed with FFTW's real-to-complex transform: `fft_size / 2 + 1` complex bins,
/// **unscaled** (`X_k = sum_n w[n] x[n] e^{-2 pi i k n / N}`). Results are identical whatever the
/// configuration (each frame is computed by the same code, independently) and whatever the
/// caller's compiler flags: the spectra are computed in the library; only the Eigen containers
/// are made in the caller's code (their memory layout depends on the caller's flags).
///
/// `Real` (the compute precision) and the sample type are float or double. Both methods are
/// const and may be called concurrently. They allocate the result (frames x bins), the window
/// and per-thread scratch; the FFT plan comes from the library's process-wide plan cache.
template <class Real = double>
class ParallelFFTProcessor {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "ParallelFFTProcessor computes in float or double");

 public:
  using Complex = std::complex<Real>;
  /// One frame's spectrum, fft_size / 2 + 1 bins.
  using Spectrum = Eigen::Matrix<Complex, Eigen::Dynamic, 1>;
  /// STFT: bins x frames (column t is frame t), as librosa.stft lays it out.
  using StftMatrix = Eigen::Matrix<Complex, Eigen::Dynamic, Eigen::Dynamic>;

  /// Throws InvalidSettings for an invalid config.
  explicit ParallelFFTProcessor(const ParallelConfig& config = {}) : config_(config) {
    validate(config_);
  }

  [[nodiscard]] const ParallelConfig& config() const noexcept { return config_; }

  /// Every frame's complex spectrum, in frame order. Throws InvalidSettings for fft_size
  /// outside [16, 2^20], hop 0 or an unknown window; InvalidAudio for empty or non-finite audio
  /// (or samples beyond the compute range: 2^100 in float, 2^500 in double). Runs
  /// sequentially below config().chunk_processing_threshold samples.
  template <class Sample>
  requires std::is_same_v<Sample, float> || std::is_same_v<Sample, double>
  [[nodiscard]] std::vector<Spectrum> parallel_windowed_fft(
      std::span<const Sample> audio, std::size_t fft_size, std::size_t hop,
      WindowType window = WindowType::hann) const {
    const std::size_t frames = detail::stft_frame_count<Real>(audio, fft_size, hop, window);
    std::vector<Spectrum> out(frames, Spectrum(static_cast<Eigen::Index>(fft_size / 2 + 1)));
    std::vector<Complex*> columns(frames);
    for (std::size_t t = 0; t < frames; ++t) columns[t] = out[t].data();
    detail::stft_into<Real>(config_, audio, fft_size, hop, window, columns.data());
    return out;
  }

  /// The STFT matrix (bins x frames), same framing, scaling and checks as
  /// parallel_windowed_fft.
  template <class Sample>
  requires std::is_same_v<Sample, float> || std::is_same_v<Sample, double>
  [[nodiscard]] StftMatrix parallel_stft(std::span<const Sample> audio, std::size_t fft_size,
                                         std::size_t hop,
                                         WindowType window = WindowType::hann) const {
    const std::size_t frames = detail::stft_frame_count<Real>(audio, fft_size, hop, window);
    const std::size_t bins = fft_size / 2 + 1;
    StftMatrix out(static_cast<Eigen::Index>(bins), static_cast<Eigen::Index>(frames));
    std::vector<Complex*> columns(frames);
    for (std::size_t t = 0; t < frames; ++t) columns[t] = out.data() + t * bins;
    detail::stft_into<Real>(config_, audio, fft_size, hop, window, columns.data());
    return out;
  }

 private:
  ParallelConfig config_;
};

}  // namespace auralis
