// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// RAII ownership of a libebur128 state (internal). Only src/loudness includes this header;
/// <ebur128.h> never reaches a public header.
#pragma once

#include <ebur128.h>

#include <cstddef>
#include <memory>

namespace auralis::loudness::detail {

struct Ebur128Deleter {
  void operator()(ebur128_state* st) const noexcept {
    if (st != nullptr) ebur128_destroy(&st);
  }
};

/// An owned libebur128 state; null when libebur128 could not allocate it.
using Ebur128Ptr = std::unique_ptr<ebur128_state, Ebur128Deleter>;

/// Creates a state for `channels` channels at `sample_rate` Hz in `mode` with the BS.1770
/// channel map of that channel count (1: mono; 2: L R; 5: L R C Ls Rs; 6: L R C LFE Ls Rs with
/// the LFE unused), and throws RuntimeError("libebur128") when it cannot. ebur128_init also
/// (re)writes libebur128's process-wide gating constants (unused by auralis, which asks only
/// for EBUR128_MODE_M and EBUR128_MODE_TRUE_PEAK and gates itself); the calls are serialised so
/// that two threads never write them at once.
[[nodiscard]] Ebur128Ptr make_ebur128(std::size_t channels, unsigned long sample_rate, int mode);

/// Throws RuntimeError("libebur128") naming `call` when a libebur128 call returned `code` != 0.
void check_ebur128(int code, const char* call);

}  // namespace auralis::loudness::detail
