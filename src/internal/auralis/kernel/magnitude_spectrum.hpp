// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Magnitudes of the real DFT of one windowed frame: the FFT and `|X_k|` in one step.
#pragma once

#include <complex>
#include <cstddef>
#include <memory>

#include "auralis/kernel/aligned_buffer.hpp"
#include "auralis/kernel/fft_plan.hpp"
#include "auralis/kernel/magnitudes.hpp"

namespace auralis::kernel {

/// Budget of MagnitudeSpectrum<Real>::shared, per sample type: the footprint() charges of the
/// cached instances (twiddles and the plans they hold) sum to at most 32 MiB. The largest
/// (N = 2^20 doubles: 4 MiB of twiddles and a plan charged 24 MiB) fits.
inline constexpr std::size_t spectrum_cache_budget = std::size_t{32} << 20;

/// `|X_k|`, k = 0..N/2, of the unscaled real DFT of N samples.
///
/// For even N the N real samples are read as N/2 complex ones, transformed by FFTW's complex
/// plan of N/2 and split into the real spectrum by our own vectorised step, fused with the
/// magnitudes (split_magnitude_kernel): about a third less time than FFTW's r2c plan followed by
/// the magnitudes, whose FFTW_ESTIMATE post-processing is a strided SSE2 loop (see
/// docs/benchmarks.md). Odd N use FFTW's r2c plan and the magnitude kernels. Both are accurate
/// to a few units in the last place of the compute type times log2 N, like FFTW itself.
///
/// Results are deterministic: the same plan (FftPlan::shared), twiddles and kernel bits on
/// every call and thread. Construction allocates and may plan; compute() is const, noexcept,
/// allocation-free and may run concurrently on distinct buffers.
template <class Real>
class MagnitudeSpectrum {
 public:
  using Complex = std::complex<Real>;

  /// `n` >= 2. Plans (or fetches the cached plan) and computes the twiddles.
  explicit MagnitudeSpectrum(std::size_t n, PlanRigor rigor = PlanRigor::estimate);

  /// The process-wide instance for (n, rigor), from a cache bounded by spectrum_cache_budget
  /// (least recently used instances are evicted; like FftPlan::shared): analyzers with the same
  /// fft_size share one while it is cached, so building an analyzer costs no trigonometry after
  /// the first. An instance rebuilt after eviction has the same twiddles and the same plan
  /// algorithm, hence the same bits. Holders keep an instance alive after eviction; instances
  /// still cached at exit are never destroyed. Thread-safe; may allocate and plan.
  [[nodiscard]] static std::shared_ptr<const MagnitudeSpectrum> shared(
      std::size_t n, PlanRigor rigor = PlanRigor::estimate);

  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] std::size_t bins() const noexcept { return n_ / 2 + 1; }
  /// Complex values of `spectrum` compute() needs (n/2 + 1).
  [[nodiscard]] std::size_t spectrum_size() const noexcept { return n_ / 2 + 1; }
  /// Values of `scratch` compute() needs.
  [[nodiscard]] std::size_t scratch_size() const noexcept;
  /// Upper estimate of the heap bytes this instance keeps alive: its twiddles and its plan
  /// (FftPlan::footprint()). The cache charges instances by it.
  [[nodiscard]] std::size_t footprint() const noexcept;

  /// Computes the magnitudes of the DFT of `time[0..n)` into `out[0..n/2]` and returns `u`
  /// with `|X_k| = out[k] * u`: double writes the magnitudes themselves (u = 1); float writes
  /// them scaled by a power of two (exact; no overflow or underflow for bins within ~110 dB of
  /// the loudest) and u is 0 for an all-zero frame. `time` and `spectrum` must be aligned to
  /// buffer_alignment (AlignedBuffer); `time` is not modified; no two buffers may overlap.
  double compute(const Real* time, Complex* spectrum, Real* scratch, Real* out) const noexcept;

 private:
  std::size_t n_;
  std::shared_ptr<const FftPlan<Real>> plan_;  // c2c of n/2 (even n) or r2c of n (odd n)
  AlignedBuffer<Real> twiddle_re_;             // e^{-2 pi i k / n}, k = 0..n/4 (even n)
  AlignedBuffer<Real> twiddle_im_;
  SimdLevel level_;  // this CPU's widest level (every level gives the same bits)
  SplitMagnitudeKernel<Real> split_;
};

extern template class MagnitudeSpectrum<float>;
extern template class MagnitudeSpectrum<double>;

}  // namespace auralis::kernel
