// SPDX-License-Identifier: GPL-3.0-or-later
// Explicit instantiations: the per-frame kernels are compiled once, here, with
// the library's flags (-ffp-contract=off), so every program using auralis executes the same
// machine code and gets bit-identical results.
#include "auralis/kernel/frame_analyzer.hpp"

namespace auralis {
namespace kernel {
template class FrameAnalyzer<float>;
template class FrameAnalyzer<double>;
}  // namespace kernel
}  // namespace auralis
