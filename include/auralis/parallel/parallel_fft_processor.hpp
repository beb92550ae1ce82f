// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelFFTProcessor: windowed FFTs of every frame and the STFT matrix, on oneTBB.
#pragma once

#include <Eigen/Core>

#include <complex>
#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "auralis/parallel/parallel_config.hpp"
#include "auralis/settings.hpp"

namespace auralis {
namespace detail {

/// The caller's storage for the spectra of a ParallelFFTProcessor call. `prepare(context,
/// frames)` is called once, before any column; `column(context, t)` returns where frame t's
/// fft_size / 2 + 1 bins go. It is called from the worker threads, concurrently for distinct t,
/// so the containers are made by the caller's code (their layout follows the caller's flags).
template <class Real>
struct StftColumns {
  void (*prepare)(void* context, std::size_t frames);
  std::complex<Real>* (*column)(void* context, std::size_t t);
  void* context;
};

/// Checks the arguments (InvalidSettings "fft_size", "hop", "window"; InvalidAudio "audio"),
/// then computes every frame's spectrum into the columns of `out`.
template <class Real, class Sample>
void stft_into(const ParallelConfig& config, std::span<const Sample> audio, std::size_t fft_size,
               std::size_t hop, WindowType window, const StftColumns<Real>& out);

// Compiled once, in the library, for float and double compute and samples.
extern template void stft_into<double, double>(const ParallelConfig&, std::span<const double>,
                                               std::size_t, std::size_t, WindowType,
                                               const StftColumns<double>&);
extern template void stft_into<double, float>(const ParallelConfig&, std::span<const float>,
                                              std::size_t, std::size_t, WindowType,
                                              const StftColumns<double>&);
extern template void stft_into<float, double>(const ParallelConfig&, std::span<const double>,
                                              std::size_t, std::size_t, WindowType,
                                              const StftColumns<float>&);
extern template void stft_into<float, float>(const ParallelConfig&, std::span<const float>,
                                             std::size_t, std::size_t, WindowType,
                                             const StftColumns<float>&);

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
    struct Storage {
      Eigen::Index bins;
      std::vector<Spectrum> spectra;
    } storage{static_cast<Eigen::Index>(fft_size / 2 + 1), {}};
    const detail::StftColumns<Real> columns{
        [](void* context, std::size_t frames) {
          static_cast<Storage*>(context)->spectra.resize(frames);
        },
        [](void* context, std::size_t t) -> Complex* {
          Storage& st = *static_cast<Storage*>(context);
          st.spectra[t].resize(st.bins);
          return st.spectra[t].data();
        },
        &storage};
    detail::stft_into<Real>(config_, audio, fft_size, hop, window, columns);
    std::vector<Spectrum> out = std::move(storage.spectra);
    return out;
  }

  /// The STFT matrix (bins x frames), same framing, scaling and checks as
  /// parallel_windowed_fft.
  template <class Sample>
  requires std::is_same_v<Sample, float> || std::is_same_v<Sample, double>
  [[nodiscard]] StftMatrix parallel_stft(std::span<const Sample> audio, std::size_t fft_size,
                                         std::size_t hop,
                                         WindowType window = WindowType::hann) const {
    struct Storage {
      Eigen::Index bins;
      StftMatrix matrix;
    } storage{static_cast<Eigen::Index>(fft_size / 2 + 1), {}};
    const detail::StftColumns<Real> columns{
        [](void* context, std::size_t frames) {
          Storage& st = *static_cast<Storage*>(context);
          st.matrix.resize(st.bins, static_cast<Eigen::Index>(frames));
        },
        [](void* context, std::size_t t) -> Complex* {
          Storage& st = *static_cast<Storage*>(context);
          return st.matrix.data() + static_cast<Eigen::Index>(t) * st.bins;
        },
        &storage};
    detail::stft_into<Real>(config_, audio, fft_size, hop, window, columns);
    StftMatrix out = std::move(storage.matrix);
    return out;
  }

 private:
  ParallelConfig config_;
};

}  // namespace auralis
