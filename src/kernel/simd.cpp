// SPDX-License-Identifier: GPL-3.0-or-later
#include "auralis/kernel/simd.hpp"

#include "simd_targets.hpp"

namespace auralis::kernel {

std::string_view simd_level_name(SimdLevel level) noexcept {
  switch (level) {
    case SimdLevel::avx2:
      return "avx2";
    case SimdLevel::avx512:
      return "avx512";
    case SimdLevel::baseline:
      break;
  }
  return "baseline";
}

bool simd_level_supported(SimdLevel level) noexcept {
  switch (level) {
    case SimdLevel::baseline:
      return true;
#if AURALIS_X86_DISPATCH
    case SimdLevel::avx2:
      return __builtin_cpu_supports("avx2");
    case SimdLevel::avx512:
      return __builtin_cpu_supports("avx512f");
#else
    case SimdLevel::avx2:
    case SimdLevel::avx512:
      return false;
#endif
  }
  return false;
}

SimdLevel best_simd_level() noexcept {
  static const SimdLevel best = simd_level_supported(SimdLevel::avx512) ? SimdLevel::avx512
                                : simd_level_supported(SimdLevel::avx2) ? SimdLevel::avx2
                                                                        : SimdLevel::baseline;
  return best;
}

}  // namespace auralis::kernel
