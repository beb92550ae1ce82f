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

/// The split step of a real DFT of even length N = 2M, fused with the magnitudes.
///
/// `z` (M interleaved complex values) is the unscaled complex DFT of the packed samples
/// `x[2m] + i x[2m+1]`; `twr[k] + i twi[k] = e^{-2 pi i k / N}` for k <= M/2. With
/// `A_k = Z_k + conj(Z_{M-k})` and `B_k = -i (Z_k - conj(Z_{M-k}))` (Z_M = Z_0), the real DFT is
/// `X_k = (A_k + W^k B_k) / 2` and `X_{M-k} = conj(A_k - W^k B_k) / 2`, so each pair of bins
/// costs one complex multiplication. Writes `out[k]` for k = 0..M and returns `u` such that
/// `|X_k| = out[k] * u`:
///  - double: `u = 1` and `out` holds the magnitudes (components scaled by a power of two first
///    only when the largest exceeds 2^498 or is below 2^-500, so squares never overflow);
///  - float: `out` holds magnitudes scaled by a power of two (the largest component of `z`
///    brought into [1, 2)) and `u` is that power of two halved (0 for an all-zero spectrum).
/// Every operation is an add, subtract, multiply or correctly rounded square root in a fixed
/// order, so every SIMD level gives the same bits. `scratch` holds split_scratch_size(M)
/// values. M must be >= 1. Allocation-free, thread-safe.
template <class Real>
using SplitMagnitudeKernel = double (*)(const Real* z, std::size_t half, const Real* twr,
                                        const Real* twi, Real* scratch, Real* out) noexcept;
[[nodiscard]] SplitMagnitudeKernel<double> split_magnitude_kernel(SimdLevel level,
                                                                  const double*) noexcept;
[[nodiscard]] SplitMagnitudeKernel<float> split_magnitude_kernel(SimdLevel level,
                                                                 const float*) noexcept;
namespace detail {
/// `n` rounded up to a multiple of 16 values (keeps every scratch array 64-byte aligned).
[[nodiscard]] constexpr std::size_t split_padded(std::size_t n) noexcept {
  return (n + 15) / 16 * 16;
}
}  // namespace detail

/// Values of scratch the split kernel needs for half-length `half` (M): Z_k for k = 0..M
/// (real and imaginary parts), Z_{M-k} and |X_{M-k}| for k = 0..M/2.
[[nodiscard]] constexpr std::size_t split_scratch_size(std::size_t half) noexcept {
  return 2 * detail::split_padded(half + 1) + 3 * detail::split_padded(half / 2 + 1);
}

/// Convenience: `|spectrum[k]|` into `out` with the best kernel for this CPU.
template <class Real>
void magnitudes(std::span<const std::complex<Real>> spectrum, std::span<double> out,
                std::span<Real> scratch) noexcept {
  const Real* c = reinterpret_cast<const Real*>(spectrum.data());
  magnitude_kernel(best_simd_level(), c)(c, spectrum.size(), out.data(), scratch.data());
}

}  // namespace auralis::kernel
