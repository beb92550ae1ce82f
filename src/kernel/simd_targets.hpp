// SPDX-License-Identifier: GPL-3.0-or-later
// Private to src/kernel: whether the x86-64 variants are compiled, and a macro that defines a
// kernel's variants from one always-inlined body. GCC and clang vectorise the same source for
// the width of each function's target attribute.
#pragma once

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AURALIS_X86_DISPATCH 1
#else
#define AURALIS_X86_DISPATCH 0
#endif

#define AURALIS_INLINE_KERNEL [[gnu::always_inline]] inline

// Picks the variant `name##_baseline/_avx2/_avx512` for `level`.
#if AURALIS_X86_DISPATCH
#define AURALIS_SELECT_VARIANT(name, level)                         \
  ((level) == ::auralis::kernel::SimdLevel::avx512 ? &name##_avx512 \
   : (level) == ::auralis::kernel::SimdLevel::avx2 ? &name##_avx2   \
                                                   : &name##_baseline)
#else
#define AURALIS_SELECT_VARIANT(name, level) (static_cast<void>(level), &name##_baseline)
#endif
