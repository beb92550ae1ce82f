// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Per-bin magnitudes `|X_k| = sqrt(re^2 + im^2)` of an r2c spectrum, the hottest loop of the
/// analysis after the FFT itself. Compiled in the library (src/kernel/magnitudes.cpp) once per
/// SIMD level and chosen at run time (kernel/simd.hpp): multiply, add and the correctly rounded
/// square root at every level, so every level gives the same bits (tests/simd_kernels_test.cpp
/// checks each level this CPU supports).
#pragma once

#include <complex>
#include <cstddef>
#include <span>

#include "auralis/kernel/simd.hpp"

namespace auralis::kernel {

/// Writes `out[k] = |spectrum[k]|` for k < spectrum.size(), in double.
///
/// Double: the squares are formed after scaling by a power of two only when the largest
/// component exceeds 2^500 or is below 2^-500 (exact; the plain formula is used, bit for bit,
/// everywhere else). Float: components are scaled by the power of two that brings the largest
/// into [1, 2), squared and rooted in float, then widened and unscaled in double (exact
/// scaling; no overflow, no underflow for bins within ~110 dB of the peak). `scratch` holds at
/// least spectrum.size() values of the compute type (used by the float variant only).
/// `level` must be supported (see simd_level_supported). Allocation-free, thread-safe.
using MagnitudeKernel = void (*)(const double* interleaved, std::size_t bins, double* out,
                                 double* scratch) noexcept;
using MagnitudeKernelF = void (*)(const float* interleaved, std::size_t bins, double* out,
                                  float* scratch) noexcept;

/// The kernel compiled for `level` (which must be supported by this CPU).
[[nodiscard]] MagnitudeKernel magnitude_kernel(SimdLevel level, const double*) noexcept;
[[nodiscard]] MagnitudeKernelF magnitude_kernel(SimdLevel level, const float*) noexcept;

/// Float spectra without widening: writes the magnitudes scaled by a power of two into
/// `scaled` (float, each `|X_k| / u`) and returns `u` (0 for an all-zero spectrum). Sums of
/// the scaled values times `u` equal sums of the widened magnitudes exactly (power-of-two
/// scaling commutes with rounding), at half the memory traffic: the float analyzers use it.
using ScaledMagnitudeKernel = double (*)(const float* interleaved, std::size_t bins,
                                         float* scaled) noexcept;
[[nodiscard]] ScaledMagnitudeKernel scaled_magnitude_kernel(SimdLevel level) noexcept;

/// Band sums: `out[i] = sum of mags[k] for k in [first[i], end[i])`, accumulated in double in
/// eight interleaved partial sums (k mod 8) combined pairwise: one fixed order of additions,
/// whatever the SIMD level, so every level gives the same bits.
template <class T>
using BandSumKernel = void (*)(const T* mags, const std::size_t* first, const std::size_t* end,
                               std::size_t bands, double* out) noexcept;
[[nodiscard]] BandSumKernel<double> band_sum_kernel(SimdLevel level, const double*) noexcept;
[[nodiscard]] BandSumKernel<float> band_sum_kernel(SimdLevel level, const float*) noexcept;

/// Convenience: `|spectrum[k]|` into `out` with the best kernel for this CPU.
template <class Real>
void magnitudes(std::span<const std::complex<Real>> spectrum, std::span<double> out,
                std::span<Real> scratch) noexcept {
  const Real* c = reinterpret_cast<const Real*>(spectrum.data());
  magnitude_kernel(best_simd_level(), c)(c, spectrum.size(), out.data(), scratch.data());
}

}  // namespace auralis::kernel
