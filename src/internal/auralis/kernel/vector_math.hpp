// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The library's own `log10` and `exp` over arrays, for the per-band level conversions of every
/// frame (dB of each band mean, and back to amplitude in the auralis metrics).
///
/// Why not `std::log10` / `std::exp`: called once per band and frame they cost about a tenth of
/// an analysis; these vectorise (compiled per SIMD level, kernel/simd.hpp) and, being plain IEEE
/// arithmetic in the library, give the same bits on every machine and every libm version,
/// which glibc's functions do not promise. Accuracy: within 4 ulp of the exact value over the
/// documented domains (tests/simd_kernels_test.cpp sweeps them against long double).
/// Allocation-free, thread-safe.
#pragma once

#include <cstddef>

#include "auralis/kernel/simd.hpp"

namespace auralis::kernel {

/// `out[i] = log10(in[i])` for positive, normal, finite inputs (the caller guarantees it;
/// other inputs give unspecified finite values). `in` and `out` may be the same array.
using Log10Kernel = void (*)(const double* in, double* out, std::size_t n) noexcept;

/// `out[i] = exp(in[i] * scale)`, with the product clamped to [-708, 709] (so the result is a
/// normal finite number for every non-NaN product; NaN gives NaN). `in` and `out` may be the same
/// array.
using ExpKernel = void (*)(const double* in, double scale, double* out, std::size_t n) noexcept;

/// The kernels compiled for `level` (which must be supported by this CPU).
[[nodiscard]] Log10Kernel log10_kernel(SimdLevel level) noexcept;
[[nodiscard]] ExpKernel exp_kernel(SimdLevel level) noexcept;

/// One value, bit-identical to the kernels (for the rare scalar caller).
[[nodiscard]] double log10_value(double x) noexcept;
[[nodiscard]] double exp_value(double x) noexcept;

}  // namespace auralis::kernel
