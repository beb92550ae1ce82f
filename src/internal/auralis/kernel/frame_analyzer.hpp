// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Stage 1 of the analysis pipeline: one frame of audio -> one frame record (weighted band
/// levels and bin-level metrics). Stateless and allocation-free per frame, so frames can be
/// processed in any order, on any thread, with bit-identical results.
#pragma once

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include "auralis/kernel/aligned_buffer.hpp"
#include "auralis/kernel/band_map.hpp"
#include "auralis/kernel/fft_plan.hpp"
#include "auralis/kernel/magnitude_spectrum.hpp"
#include "auralis/kernel/magnitudes.hpp"
#include "auralis/kernel/metrics.hpp"
#include "auralis/kernel/sample_kernels.hpp"
#include "auralis/kernel/vector_math.hpp"
#include "auralis/kernel/weighting.hpp"
#include "auralis/kernel/window.hpp"
#include "auralis/settings.hpp"

namespace auralis::kernel {

/// Read-only view of interleaved audio: `frames * channels` samples, frame-major.
template <class Sample>
struct AudioView {
  const Sample* data = nullptr;
  std::size_t frames = 0;
  std::size_t channels = 1;
};

/// Framing and windowing, shared by every path that cuts a signal into frames (the analyzers
/// and ParallelFFTProcessor): frame t covers sample frames [t * hop, t * hop + N), samples past
/// the end read as 0, channels are averaged (sum in double, divided by the channel count), and
/// the frame is multiplied by the window in compute precision, `Real(x) * w` (the SIMD kernels
/// of kernel/sample_kernels.hpp for mono float and double samples).
template <class Real>
class FrameWindower {
 public:
  /// `n` >= 1, `hop` >= 1. Allocates and computes the window (set-up only).
  FrameWindower(WindowType type, std::size_t n, std::size_t hop)
      : n_(n),
        hop_(hop),
        window_(n),
        window_float_(window_kernel(best_simd_level(), static_cast<const float*>(nullptr),
                                    static_cast<const Real*>(nullptr))),
        window_double_(window_kernel(best_simd_level(), static_cast<const double*>(nullptr),
                                     static_cast<const Real*>(nullptr))) {
    const std::vector<double> w = make_window(type, n);
    for (std::size_t i = 0; i < n; ++i) window_[i] = static_cast<Real>(w[i]);
  }

  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] std::size_t hop() const noexcept { return hop_; }
  [[nodiscard]] std::span<const Real> window() const noexcept { return window_.span(); }

  /// Frames in a signal of `frames` sample frames: `(frames - N) / hop + 1` when at least N,
  /// 1 for a shorter non-empty signal (zero-padded), 0 for an empty one.
  [[nodiscard]] std::size_t frame_count(std::size_t frames) const noexcept {
    if (frames == 0) return 0;
    if (frames < n_) return 1;
    return (frames - n_) / hop_ + 1;
  }

  /// Writes the windowed frame of `audio` starting at sample frame `start` into `out` (N values).
  template <class Sample>
  void load(const AudioView<Sample>& audio, std::size_t start, Real* out) const noexcept {
    const std::size_t n = n_;
    const std::size_t avail = start < audio.frames ? std::min(n, audio.frames - start) : 0;
    const Real* w = window_.data();
    const std::size_t ch = audio.channels;
    const Sample* x = audio.data + start * ch;
    if (ch == 1) {
      if constexpr (std::is_same_v<Sample, float>) {
        window_float_(x, w, out, avail);
      } else if constexpr (std::is_same_v<Sample, double>) {
        window_double_(x, w, out, avail);
      } else {
        for (std::size_t i = 0; i < avail; ++i) out[i] = static_cast<Real>(x[i]) * w[i];
      }
    } else {
      const double channel_count = static_cast<double>(ch);
      for (std::size_t i = 0; i < avail; ++i) {
        double sum = 0.0;
        for (std::size_t c = 0; c < ch; ++c) sum += static_cast<double>(x[i * ch + c]);
        out[i] = static_cast<Real>(sum / channel_count) * w[i];
      }
    }
    std::fill(out + avail, out + n, Real(0));
  }

 private:
  std::size_t n_;
  std::size_t hop_;
  AlignedBuffer<Real> window_;
  WindowKernel<float, Real> window_float_;
  WindowKernel<double, Real> window_double_;
};

/// Turns frames into frame records (see kernel/metrics.hpp) for fixed settings and sample rate.
///
/// Per frame: channels are averaged (sum in double, divided by the channel count), the window
/// is applied, the real FFT is executed (unscaled) together with the magnitudes `|X_k|`
/// (MagnitudeSpectrum), each band's
/// level is `20 log10(max(mean_{k in band} |X_k|, 1e-10))` (-200 dB for a band without bins)
/// plus the weighting of the convention; in the standard convention the record also gets the
/// bin-level centroid, rolloff, peak and Parseval energy of the frame.
///
/// `Real` (float or double) is the precision of the window and FFT; magnitudes, band sums,
/// levels and metrics are always double. Construction allocates and may plan an FFT; `analyze`
/// is const, noexcept and allocation-free, and may run concurrently from several threads as long
/// as each uses its own Workspace.
template <class Real>
class FrameAnalyzer {
 public:
  using Complex = std::complex<Real>;
  using RealArray = Eigen::Array<Real, Eigen::Dynamic, 1>;

  /// Per-thread scratch: the windowed frame, its spectrum and its magnitudes (aligned).
  /// Magnitudes are double in both precisions: squares of float bins would overflow or
  /// underflow float's range for loud or very quiet (denormal) signals.
  struct Workspace {
    AlignedBuffer<Real> time;
    AlignedBuffer<Complex> spectrum;
    AlignedBuffer<double> magnitude;
    AlignedBuffer<Real> scratch;  ///< float: bins() scaled magnitudes; double: empty
    AlignedBuffer<Real> split;    ///< MagnitudeSpectrum's scratch
  };

  /// `settings` must have passed validate(); `sample_rate` overrides settings.sample_rate.
  /// Allocates the window, band map and weights and fetches the shared FFT plan.
  FrameAnalyzer(const SpectrumSettings& settings, double sample_rate,
                PlanRigor rigor = PlanRigor::estimate);

  [[nodiscard]] const SpectrumSettings& settings() const noexcept { return settings_; }
  [[nodiscard]] double sample_rate() const noexcept { return sample_rate_; }
  [[nodiscard]] std::size_t fft_size() const noexcept { return settings_.fft_size; }
  [[nodiscard]] std::size_t hop() const noexcept { return framer_.hop(); }
  [[nodiscard]] std::size_t bins() const noexcept { return settings_.fft_size / 2 + 1; }
  [[nodiscard]] std::size_t bands() const noexcept { return bands_.size(); }
  /// Doubles per frame record: bands() + 4.
  [[nodiscard]] std::size_t record_size() const noexcept { return kernel::record_size(bands()); }
  /// Band lower edges in Hz.
  [[nodiscard]] std::span<const double> edges() const noexcept { return bands_.edges; }
  [[nodiscard]] const BandMap& band_map() const noexcept { return bands_; }
  /// Weighting in dB per band (convention-specific).
  [[nodiscard]] std::span<const double> weights() const noexcept { return weights_; }
  /// The window (length fft_size) in compute precision.
  [[nodiscard]] std::span<const Real> window() const noexcept { return framer_.window(); }
  /// The FFT and magnitude step.
  [[nodiscard]] const MagnitudeSpectrum<Real>& magnitude_spectrum() const noexcept {
    return *spectrum_;
  }

  /// Frames in a signal of `frames` sample frames: `(frames - N) / hop + 1` when at least N,
  /// 1 for a shorter non-empty signal (zero-padded), 0 for an empty one.
  [[nodiscard]] std::size_t frame_count(std::size_t frames) const noexcept {
    return framer_.frame_count(frames);
  }

  /// Allocates a workspace for this analyzer (set-up only).
  [[nodiscard]] Workspace make_workspace() const {
    return Workspace{AlignedBuffer<Real>(fft_size()),
                     AlignedBuffer<Complex>(spectrum_->spectrum_size()),
                     AlignedBuffer<double>(bins()), AlignedBuffer<Real>(scaled_size()),
                     AlignedBuffer<Real>(spectrum_->scratch_size())};
  }

  /// Whether `ws` has the sizes make_workspace() gives (workspaces of another fft_size do not).
  [[nodiscard]] bool fits(const Workspace& ws) const noexcept {
    return ws.time.size() == fft_size() && ws.spectrum.size() == spectrum_->spectrum_size() &&
           ws.magnitude.size() == bins() && ws.scratch.size() == scaled_size() &&
           ws.split.size() == spectrum_->scratch_size();
  }

  /// Analyses the frame of `audio` starting at sample frame `start` (samples past the end read
  /// as 0) into `record` (size record_size()). Samples must be finite.
  template <class Sample>
  void analyze(const AudioView<Sample>& audio, std::size_t start, Workspace& ws,
               std::span<double> record) const noexcept {
    framer_.load(audio, start, ws.time.data());
    analyze_windowed(ws, record);
  }

  /// Stage 1 after loading: `ws.time` holds the windowed frame; computes the record.
  void analyze_windowed(Workspace& ws, std::span<double> record) const noexcept;

 private:
  // Float keeps its magnitudes scaled in Workspace::scratch; double writes them to `magnitude`.
  [[nodiscard]] std::size_t scaled_size() const noexcept {
    return std::is_same_v<Real, float> ? bins() : 0;
  }

  // Bin-level metrics over all bins k = 0..N/2 with S_k = |X_k| (librosa definitions) and the
  // time-domain Parseval energy sum (w x)^2. Written as peak, centroid, rolloff, energy.
  template <class Mag>
  void standard_metrics(const Workspace& ws, const Mag& m, double* out) const noexcept {
    const std::size_t nb = bins();
    const double* mag = ws.magnitude.data();
    const Eigen::Map<const Eigen::ArrayXd> f(bin_frequency_.data(), static_cast<Eigen::Index>(nb));
    const double total = m.sum();
    const double moment = (m * f).sum();
    const std::size_t peak =
        static_cast<std::size_t>(std::max_element(mag, mag + nb) - mag);  // first maximum
    double rolloff = 0.0;
    if (total > 0.0) {
      // First bin where the running sum reaches 85%: coarse blocks, then bin by bin.
      const double threshold = 0.85 * total;
      constexpr std::size_t block = 64;
      double cumulative = 0.0;
      std::size_t k = 0;
      while (k + block < nb) {
        const double s = m.segment(static_cast<Eigen::Index>(k), block).sum();
        if (cumulative + s >= threshold) break;
        cumulative += s;
        k += block;
      }
      for (; k < nb; ++k) {
        cumulative += mag[k];
        if (cumulative >= threshold) break;
      }
      rolloff = bin_frequency_[std::min(k, nb - 1)];
    }
    const Eigen::Map<const RealArray, Eigen::Aligned64> t(ws.time.data(),
                                                          static_cast<Eigen::Index>(fft_size()));
    out[0] = bin_frequency_[peak];
    out[1] = total > 0.0 ? moment / total : 0.0;
    out[2] = rolloff;
    out[3] = t.template cast<double>().square().sum();
  }

  SpectrumSettings settings_;
  double sample_rate_;
  FrameWindower<Real> framer_;
  std::shared_ptr<const MagnitudeSpectrum<Real>> spectrum_;
  BandMap bands_;
  std::vector<double> weights_;
  std::vector<double> bin_frequency_;
  // Kernels for this CPU's widest SIMD level (all levels give bit-identical results).
  Log10Kernel log10_;
  BandSumKernel<Real> band_sums_;
};

// Out of line and non-inline: programs call the library's compiled copy (see docs/design.md).
template <class Real>
FrameAnalyzer<Real>::FrameAnalyzer(const SpectrumSettings& settings, double sample_rate,
                                   PlanRigor rigor)
    : settings_(settings),
      sample_rate_(sample_rate),
      framer_(settings.window_type, settings.fft_size, hop_size(settings)),
      spectrum_(MagnitudeSpectrum<Real>::shared(settings.fft_size, rigor)),
      bands_(settings.fft_size, sample_rate, settings.min_frequency, settings.max_frequency,
             settings.frequency_bands),
      weights_(
          weighting_db(settings.frequency_weighting, settings.metric_convention, bands_.edges)),
      bin_frequency_(settings.fft_size / 2 + 1),
      log10_(log10_kernel(best_simd_level())),
      band_sums_(band_sum_kernel(best_simd_level(), static_cast<const Real*>(nullptr))) {
  for (std::size_t k = 0; k < bin_frequency_.size(); ++k) {
    bin_frequency_[k] = bin_frequency(k, settings.fft_size, sample_rate);
  }
}

template <class Real>
void FrameAnalyzer<Real>::analyze_windowed(Workspace& ws, std::span<double> record) const noexcept {
  const std::size_t nb = bins();
  double* mag = ws.magnitude.data();
  const Eigen::Index n = static_cast<Eigen::Index>(nb);
  Eigen::Map<Eigen::ArrayXd, Eigen::Aligned64> m(mag, n);
  // Double: |X_k| into `mag`. Float: |X_k| / u as float in `scratch` (half the traffic), and
  // sums of them times u, which equal sums of the widened magnitudes exactly.
  double unscale = 1.0;
  if constexpr (std::is_same_v<Real, float>) {
    unscale =
        spectrum_->compute(ws.time.data(), ws.spectrum.data(), ws.split.data(), ws.scratch.data());
  } else {
    spectrum_->compute(ws.time.data(), ws.spectrum.data(), ws.split.data(), mag);
  }
  // Band means (floored at 1e-10) into the record, then their log10 in one vectorised pass.
  const std::size_t nbands = bands();
  if constexpr (std::is_same_v<Real, float>) {
    band_sums_(ws.scratch.data(), bands_.first.data(), bands_.end.data(), nbands, record.data());
  } else {
    band_sums_(mag, bands_.first.data(), bands_.end.data(), nbands, record.data());
  }
  for (std::size_t i = 0; i < nbands; ++i) {
    const std::size_t count = bands_.end[i] - bands_.first[i];
    record[i] =
        count > 0 ? std::max(record[i] * unscale / static_cast<double>(count), 1e-10) : 1e-10;
  }
  log10_(record.data(), record.data(), nbands);
  for (std::size_t i = 0; i < nbands; ++i) {
    const double level = bands_.end[i] > bands_.first[i] ? 20.0 * record[i] : -200.0;
    record[i] = level + weights_[i];
  }
  double* tail = record.data() + nbands;
  if (settings_.metric_convention == MetricConvention::standard) {
    if constexpr (std::is_same_v<Real, float>) {
      for (std::size_t k = 0; k < nb; ++k) mag[k] = static_cast<double>(ws.scratch[k]) * unscale;
    }
    standard_metrics(ws, m, tail);
  } else {
    std::fill(tail, tail + 4, 0.0);
  }
}

extern template class FrameAnalyzer<float>;
extern template class FrameAnalyzer<double>;

}  // namespace auralis::kernel
