// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Run-time choice of the SIMD instruction set for the library's element-wise kernels
/// (kernel/magnitudes.hpp, kernel/vector_math.hpp). Each kernel is compiled once per level in
/// src/kernel/ and performs the same IEEE operations at every level (no FMA contraction, no
/// reduction whose order depends on the vector width), so every level returns bit-identical
/// results: the level changes speed, never a number.
#pragma once

#include <string_view>

namespace auralis::kernel {

/// Instruction-set levels the kernels are compiled for (x86-64; other architectures only have
/// `baseline`).
enum class SimdLevel {
  baseline,  ///< the compiler's default target (SSE2 on x86-64)
  avx2,      ///< 256-bit vectors
  avx512,    ///< 512-bit vectors (AVX-512F)
};

/// Every level, narrowest first.
inline constexpr SimdLevel kSimdLevels[] = {SimdLevel::baseline, SimdLevel::avx2,
                                            SimdLevel::avx512};

/// Name of a level ("baseline", "avx2", "avx512").
[[nodiscard]] std::string_view simd_level_name(SimdLevel level) noexcept;

/// Whether this CPU (and this build) can run `level`.
[[nodiscard]] bool simd_level_supported(SimdLevel level) noexcept;

/// The widest level this CPU supports: what the analyzers use.
[[nodiscard]] SimdLevel best_simd_level() noexcept;

}  // namespace auralis::kernel
