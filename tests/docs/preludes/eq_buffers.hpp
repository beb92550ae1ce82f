// SPDX-License-Identifier: GPL-3.0-or-later
// Prelude of docs/eq.md: `x`, a whole interleaved stereo signal; `block`, one block of a live
// stream (64..8192 sample frames); `out`, the caller's output buffer of block.size() samples.
#pragma once
#include <vector>

extern const std::vector<double> x;
extern const std::vector<double> block;
extern std::vector<double> out;
