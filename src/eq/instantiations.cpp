// SPDX-License-Identifier: GPL-3.0-or-later
// Explicit instantiations of the EQ: its per-frame kernel and the EQ itself are compiled once,
// here, with the library's flags (-ffp-contract=off), so the offline, parallel and real-time
// paths of every program execute the same machine code and give the same bits.
#include "auralis/eq/eq_frame_kernel.hpp"
#include "auralis/eq/psychoacoustic_eq.hpp"

namespace auralis {
namespace eq {
template class EqFrameKernel<float>;
template class EqFrameKernel<double>;
}  // namespace eq
template class BasicPsychoacousticEQ<float>;
template class BasicPsychoacousticEQ<double>;
}  // namespace auralis
