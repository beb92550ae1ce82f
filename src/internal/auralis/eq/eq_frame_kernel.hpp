// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// EqFrameKernel: the per-frame operations of the EQ's weighted overlap-add (WOLA) filter:
/// windowed FFT, critical-band levels, per-band gains, inverse FFT, synthesis window and the
/// normalised overlap-add. Every EQ path (offline, parallel, real-time, filter bank) calls these
/// same functions, which is what makes their outputs equal bit for bit.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "auralis/eq/critical_bands.hpp"
#include "auralis/error.hpp"
#include "auralis/kernel/aligned_buffer.hpp"
#include "auralis/kernel/band_map.hpp"
#include "auralis/kernel/fft_plan.hpp"
#include "auralis/kernel/window.hpp"

namespace auralis::eq {

/// Smallest and largest accepted EQ FFT size (powers of two only).
inline constexpr std::size_t min_eq_fft_size = 256;
inline constexpr std::size_t max_eq_fft_size = 32768;

/// Frame t of a signal covers the samples `[(t - 1) H, (t + 1) H)` with hop `H = N / 2`
/// (samples outside the signal read as 0), so every sample lies in exactly two frames, at
/// positions j + H (frame k) and j (frame k + 1) for `n = k H + j`.
///
/// Per frame and channel, with the periodic Hann window w of length N:
///   1. `transform`: `X = FFT(w . x)`, unscaled (FftPlan<Real>);
///   2. `band_levels` (analysis, once per frame): band i's level is the mean over its bins of
///      `10 log10(max(|M_k|^2, 1e-20))` dB, where M is the mean of the channels' spectra (the
///      spectrum of the mono downmix, by linearity). Unscaled: only level differences are used;
///   3. `synthesize`: `Y_k = a_i X_k` for the bins k of band i (linear amplitude a_i), `Y_k =
///      outside X_k` for bins below 20 Hz or at/above 20 kHz; `y = w . IDFT(Y)` (scaled by 1/N,
///      so a gain of 1 returns `w . w . x`);
///   4. `overlap_add`: `out[n] = (y_k[j + H] + y_{k+1}[j]) / (w[j + H]^2 + w[j]^2)`, the
///      overlap-add of two frames normalised by the accumulated (squared) window, >= 0.5.
/// With every a_i = outside = 1 the output equals the input up to FFT rounding (~1e-16
/// relative).
///
/// The inverse FFT uses the discrete Hartley transform, which is its own inverse up to 1/N:
/// `H_k = Re X_k - Im X_k` is transformed with the same forward r2c plan, so one cached FFTW
/// plan serves both directions.
///
/// Allocates in the constructor only (window, bin ranges, may plan an FFT); every other
/// method is const, noexcept, allocation-free and lock-free, and safe to call concurrently
/// with distinct Workspaces and outputs.
template <class Real>
class EqFrameKernel {
 public:
  using Complex = std::complex<Real>;

  /// Per-thread scratch: one time-domain frame and one spectrum, 64-byte aligned.
  struct Workspace {
    kernel::AlignedBuffer<Real> time;
    kernel::AlignedBuffer<Complex> spectrum;
  };

  /// Throws InvalidSettings for a sample rate outside (0, 768000] Hz or an fft_size that is not
  /// a power of two in [256, 32768].
  EqFrameKernel(double sample_rate, std::size_t fft_size);

  /// N, the frame length in samples.
  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  /// H = N / 2, the hop in samples.
  [[nodiscard]] std::size_t hop() const noexcept { return n_ / 2; }
  /// N / 2 + 1 FFT bins.
  [[nodiscard]] std::size_t bins() const noexcept { return n_ / 2 + 1; }
  /// Elements between two channels' spectra in a spectrum block (bins rounded up to 64 bytes).
  [[nodiscard]] std::size_t spectrum_stride() const noexcept { return stride_; }
  /// Sample rate in Hz.
  [[nodiscard]] double sample_rate() const noexcept { return sample_rate_; }
  /// First bin and one-past-last bin of band i (empty when the band lies above Nyquist or
  /// between two bins).
  [[nodiscard]] std::size_t band_first(std::size_t band) const noexcept { return first_[band]; }
  [[nodiscard]] std::size_t band_end(std::size_t band) const noexcept { return end_[band]; }

  /// Scratch for one thread (allocates 2 aligned buffers, O(N)).
  [[nodiscard]] Workspace make_workspace() const {
    return Workspace{kernel::AlignedBuffer<Real>(n_), kernel::AlignedBuffer<Complex>(stride_)};
  }

  /// `spectrum[0 .. N/2] = FFT(w . frame[0 .. N))`. `spectrum` must be aligned to 64 bytes
  /// (a slot of an AlignedBuffer at a multiple of spectrum_stride()).
  void transform(const Real* frame, Workspace& ws, Complex* spectrum) const noexcept;

  /// Band levels in dB of the mean of `channels` spectra stored `spectrum_stride()` apart.
  /// Writes critical_band_count values; a band without bins reads silent_level_db.
  void band_levels(const Complex* spectra, std::size_t channels,
                   std::span<double> levels) const noexcept;

  /// `y[0 .. N) = w . IDFT(G . spectrum)`, with `band_gains` (critical_band_count linear
  /// amplitudes) on the bands' bins and `outside_gain` on the others. Overwrites `ws`, reads
  /// `spectrum` only.
  void synthesize(const Complex* spectrum, const Real* band_gains, Real outside_gain, Workspace& ws,
                  Real* y) const noexcept;

  /// `out[j * stride] = (tail[j] + head[j]) / (w[j + H]^2 + w[j]^2)` for j in [0, H): `tail` is
  /// the second half of the older frame's output, `head` the first half of the newer one's.
  void overlap_add(const Real* tail, const Real* head, Real* out,
                   std::size_t stride) const noexcept;

  /// Linear amplitudes `10^(g / 20)` of critical_band_count dB gains (exactly 1 for 0 dB).
  static void to_linear(std::span<const double> gains_db, Real* amplitudes) noexcept {
    for (std::size_t i = 0; i < gains_db.size(); ++i) {
      amplitudes[i] = static_cast<Real>(std::pow(10.0, gains_db[i] / 20.0));
    }
  }

 private:
  double sample_rate_;
  std::size_t n_;
  std::size_t stride_;
  std::shared_ptr<const kernel::FftPlan<Real>> plan_;
  std::vector<Real> window_;
  std::vector<Real> norm_;  // w[j + H]^2 + w[j]^2, j in [0, H)
  std::vector<std::size_t> first_;
  std::vector<std::size_t> end_;
};

/// Throws InvalidSettings("sample_rate") unless it is in (0, 768000] Hz and
/// InvalidSettings("fft_size") unless it is a power of two in [256, 32768].
inline void validate_eq_frame(double sample_rate, std::size_t fft_size) {
  if (!(sample_rate > 0.0 && sample_rate <= 768000.0)) {
    throw InvalidSettings("sample_rate",
                          "must be in (0, 768000] Hz, got " + std::to_string(sample_rate));
  }
  if (fft_size < min_eq_fft_size || fft_size > max_eq_fft_size ||
      (fft_size & (fft_size - 1)) != 0) {
    throw InvalidSettings(
        "fft_size", "must be a power of two in [256, 32768], got " + std::to_string(fft_size));
  }
}

// Out of line and non-inline on purpose: with the extern template declarations below, programs
// call the library's one compiled copy (built with -ffp-contract=off).

template <class Real>
EqFrameKernel<Real>::EqFrameKernel(double sample_rate, std::size_t fft_size)
    : sample_rate_(sample_rate), n_(fft_size) {
  validate_eq_frame(sample_rate, fft_size);
  constexpr std::size_t per_line = kernel::buffer_alignment / sizeof(Complex);
  stride_ = (bins() + per_line - 1) / per_line * per_line;
  plan_ = kernel::FftPlan<Real>::shared(n_);
  const std::vector<double> w = kernel::make_window(WindowType::hann, n_);
  window_.resize(n_);
  for (std::size_t i = 0; i < n_; ++i) window_[i] = static_cast<Real>(w[i]);
  const std::size_t h = hop();
  norm_.resize(h);
  for (std::size_t j = 0; j < h; ++j) {
    norm_[j] = window_[j + h] * window_[j + h] + window_[j] * window_[j];
  }
  first_.resize(critical_band_count);
  end_.resize(critical_band_count);
  std::size_t k = 0;
  for (std::size_t i = 0; i < critical_band_count; ++i) {
    while (k < bins() && kernel::bin_frequency(k, n_, sample_rate_) < critical_band_edges[i]) ++k;
    first_[i] = k;
  }
  for (std::size_t i = 0; i + 1 < critical_band_count; ++i) end_[i] = first_[i + 1];
  while (k < bins() &&
         kernel::bin_frequency(k, n_, sample_rate_) < critical_band_edges[critical_band_count]) {
    ++k;
  }
  end_[critical_band_count - 1] = k;
}

template <class Real>
void EqFrameKernel<Real>::transform(const Real* frame, Workspace& ws,
                                    Complex* spectrum) const noexcept {
  Real* t = ws.time.data();
  for (std::size_t i = 0; i < n_; ++i) t[i] = frame[i] * window_[i];
  plan_->execute(t, spectrum);
}

template <class Real>
void EqFrameKernel<Real>::band_levels(const Complex* spectra, std::size_t channels,
                                      std::span<double> levels) const noexcept {
  const double inv_channels = 1.0 / static_cast<double>(channels);
  for (std::size_t b = 0; b < critical_band_count; ++b) {
    if (first_[b] == end_[b]) {
      levels[b] = silent_level_db;
      continue;
    }
    double sum_db = 0.0;
    for (std::size_t k = first_[b]; k < end_[b]; ++k) {
      double re = 0.0;
      double im = 0.0;
      for (std::size_t c = 0; c < channels; ++c) {
        re += static_cast<double>(spectra[c * stride_ + k].real());
        im += static_cast<double>(spectra[c * stride_ + k].imag());
      }
      re *= inv_channels;
      im *= inv_channels;
      sum_db += 10.0 * std::log10(std::max(re * re + im * im, 1e-20));
    }
    levels[b] = sum_db / static_cast<double>(end_[b] - first_[b]);
  }
}

template <class Real>
void EqFrameKernel<Real>::synthesize(const Complex* spectrum, const Real* band_gains,
                                     Real outside_gain, Workspace& ws, Real* y) const noexcept {
  // Hartley spectrum of Y = G X: s_m = Re Y_m - Im Y_m for m <= N/2 and, by Hermitian symmetry,
  // s_{N-m} = Re Y_m + Im Y_m.
  Real* s = ws.time.data();
  const std::size_t half = n_ / 2;
  auto put = [&](std::size_t m, Real g) {
    const Real re = g * spectrum[m].real();
    const Real im = g * spectrum[m].imag();
    s[m] = re - im;
    if (m != 0 && m != half) s[n_ - m] = re + im;
  };
  std::size_t k = 0;
  for (std::size_t b = 0; b < critical_band_count; ++b) {
    for (; k < first_[b]; ++k) put(k, outside_gain);
    const Real g = band_gains[b];
    for (; k < end_[b]; ++k) put(k, g);
  }
  for (; k <= half; ++k) put(k, outside_gain);

  // The DHT of s is N times the filtered frame: H'_n = Re C_n - Im C_n, C = FFT(s).
  Complex* c = ws.spectrum.data();
  plan_->execute(s, c);
  const Real inv_n = Real(1) / static_cast<Real>(n_);
  for (std::size_t m = 0; m <= half; ++m) {
    const Real re = c[m].real();
    const Real im = c[m].imag();
    y[m] = (re - im) * inv_n * window_[m];
    if (m != 0 && m != half) y[n_ - m] = (re + im) * inv_n * window_[n_ - m];
  }
}

template <class Real>
void EqFrameKernel<Real>::overlap_add(const Real* tail, const Real* head, Real* out,
                                      std::size_t stride) const noexcept {
  const std::size_t h = hop();
  for (std::size_t j = 0; j < h; ++j) out[j * stride] = (tail[j] + head[j]) / norm_[j];
}

extern template class EqFrameKernel<float>;
extern template class EqFrameKernel<double>;

}  // namespace auralis::eq
