// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelFFTProcessor: windowed FFTs of every frame and the STFT matrix, on oneTBB.
#pragma once

#include <tbb/enumerable_thread_specific.h>
#include <Eigen/Core>

#include <complex>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/kernel/aligned_buffer.hpp"
#include "auralis/kernel/fft_plan.hpp"
#include "auralis/kernel/window.hpp"
#include "auralis/parallel/executor.hpp"
#include "auralis/parallel/parallel_config.hpp"

namespace auralis {

/// Short-time Fourier transforms computed frame-parallel.
///
/// Framing: frame t covers samples `[t*hop, t*hop + fft_size)`; `(len - fft_size) / hop + 1`
/// frames when len >= fft_size, else one zero-padded frame. Each frame is multiplied by the
/// periodic window and transformed with the shared FFTW r2c plan: `fft_size / 2 + 1` complex
/// bins, **unscaled** (`X_k = sum_n w[n] x[n] e^{-2 pi i k n / N}`). Results are identical
/// whatever the configuration (each frame is computed by the same code, independently).
///
/// Windows are cached per (size, type) for the processor's lifetime (thread-safe). Both methods
/// are const and may be called concurrently. They allocate the result (frames x bins) and
/// per-thread scratch.
template <class Real = double>
class ParallelFFTProcessor {
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
  /// outside [16, 2^20], hop 0 or an unknown window; InvalidAudio for empty or non-finite audio.
  template <class Sample>
  [[nodiscard]] std::vector<Spectrum> parallel_windowed_fft(
      std::span<const Sample> audio, std::size_t fft_size, std::size_t hop,
      WindowType window = WindowType::hann) const {
    std::vector<Spectrum> out;
    run(
        audio, fft_size, hop, window, [&](std::size_t frames) { out.resize(frames); },
        [&](std::size_t t, const Complex* bins, std::size_t n) {
          out[t] = Eigen::Map<const Spectrum>(bins, static_cast<Eigen::Index>(n));
        });
    return out;
  }

  /// The STFT matrix (bins x frames), same framing and scaling as parallel_windowed_fft.
  template <class Sample>
  [[nodiscard]] StftMatrix parallel_stft(std::span<const Sample> audio, std::size_t fft_size,
                                         std::size_t hop,
                                         WindowType window = WindowType::hann) const {
    StftMatrix out;
    run(
        audio, fft_size, hop, window,
        [&](std::size_t frames) {
          out.resize(static_cast<Eigen::Index>(fft_size / 2 + 1),
                     static_cast<Eigen::Index>(frames));
        },
        [&](std::size_t t, const Complex* bins, std::size_t n) {
          out.col(static_cast<Eigen::Index>(t)) =
              Eigen::Map<const Spectrum>(bins, static_cast<Eigen::Index>(n));
        });
    return out;
  }

  /// The cached window of `fft_size` samples (built on first use).
  [[nodiscard]] std::shared_ptr<const std::vector<Real>> window(std::size_t fft_size,
                                                                WindowType type) const {
    std::lock_guard lock(cache_mutex_);
    auto& slot = window_cache_[{fft_size, type}];
    if (!slot) {
      const std::vector<double> w = kernel::make_window(type, fft_size);
      slot = std::make_shared<const std::vector<Real>>(w.begin(), w.end());
    }
    return slot;
  }

  /// Number of windows currently cached.
  [[nodiscard]] std::size_t cached_windows() const {
    std::lock_guard lock(cache_mutex_);
    return window_cache_.size();
  }

 private:
  template <class Sample, class Resize, class Store>
  void run(std::span<const Sample> audio, std::size_t fft_size, std::size_t hop, WindowType type,
           Resize&& resize, Store&& store) const {
    if (fft_size < min_fft_size || fft_size > max_fft_size) {
      throw InvalidSettings("fft_size",
                            "must be in [16, 1048576], got " + std::to_string(fft_size));
    }
    if (hop == 0) throw InvalidSettings("hop", "must be >= 1 sample, got 0");
    if (to_string(type) == "invalid") {
      throw InvalidSettings("window", "must be hann, hamming, blackman or rectangular");
    }
    const kernel::AudioView<Sample> view =
        detail::checked_audio(audio, 1, "audio", detail::max_sample_magnitude<Real>);
    const std::size_t frames = view.frames < fft_size ? 1 : (view.frames - fft_size) / hop + 1;
    const auto w = window(fft_size, type);
    const auto plan = kernel::FftPlan<Real>::shared(fft_size);
    resize(frames);
    struct Scratch {
      kernel::AlignedBuffer<Real> time;
      kernel::AlignedBuffer<Complex> bins;
    };
    const std::size_t workers = detail::workers_for(config_, frames, view.frames);
    tbb::enumerable_thread_specific<Scratch> scratch([&] {
      return Scratch{kernel::AlignedBuffer<Real>(fft_size),
                     kernel::AlignedBuffer<Complex>(fft_size / 2 + 1)};
    });
    detail::for_each_index(frames, workers, 4, [&](std::size_t t) {
      Scratch& s = scratch.local();
      const std::size_t start = t * hop;
      const std::size_t avail = start < view.frames ? std::min(fft_size, view.frames - start) : 0;
      for (std::size_t i = 0; i < avail; ++i) {
        s.time[i] = static_cast<Real>(audio[start + i]) * (*w)[i];
      }
      for (std::size_t i = avail; i < fft_size; ++i) s.time[i] = Real(0);
      plan->execute(s.time.data(), s.bins.data());
      store(t, s.bins.data(), fft_size / 2 + 1);
    });
  }

  ParallelConfig config_;
  mutable std::mutex cache_mutex_;
  mutable std::map<std::pair<std::size_t, WindowType>, std::shared_ptr<const std::vector<Real>>>
      window_cache_;
};

}  // namespace auralis
