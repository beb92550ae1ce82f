// SPDX-License-Identifier: GPL-3.0-or-later
// Explicit instantiations: the per-frame kernels and the analyzers are compiled once, here, with
// the library's flags (-ffp-contract=off), so every program using auralis executes the same
// machine code and gets bit-identical results.
#include "auralis/kernel/frame_analyzer.hpp"
#include "auralis/parallel/parallel_spectrum_analyzer.hpp"
#include "auralis/spectrum_analyzer.hpp"

namespace auralis {
namespace kernel {
template class FrameAnalyzer<float>;
template class FrameAnalyzer<double>;
}  // namespace kernel
template class BasicSpectrumAnalyzer<float>;
template class BasicSpectrumAnalyzer<double>;
template class BasicParallelSpectrumAnalyzer<float>;
template class BasicParallelSpectrumAnalyzer<double>;
}  // namespace auralis
