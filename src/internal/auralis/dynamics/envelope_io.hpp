// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Checks shared by the envelope follower, the compressor and the soft clipper (internal):
/// output aliasing and time-constant ranges. Each throws before anything is written.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <span>

#include "auralis/error.hpp"

namespace auralis::dynamics::detail {

/// `out` must not overlap `in`; when `allow_same`, exactly the same array is accepted too
/// (processors that read each sample before writing it).
template <class Real>
void check_overlap(std::span<const Real> in, std::span<const Real> out, bool allow_same) {
  if (in.empty() || out.empty()) return;
  const Real* a = in.data();
  const Real* b = out.data();
  if (allow_same && a == b && in.size() == out.size()) return;
  const std::less<const Real*> less;
  const bool disjoint = !less(b, a + in.size()) || !less(a, b + out.size());
  if (!disjoint) {
    throw InvalidArgument("out", allow_same ? "must be the input array itself or not overlap it"
                                            : "must not overlap the input");
  }
}

/// A time constant in ms: finite, > 0 and <= hi.
inline void require_time(double value, double hi, const char* field) {
  if (!(value > 0.0 && value <= hi)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "must be in (0, %.6g] ms, got %.6g", hi, value);
    throw InvalidSettings(field, buf);
  }
}

/// A sample rate: (0, 1e9] Hz.
inline void require_sample_rate(double value) {
  if (!(value > 0.0 && value <= 1e9)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "must be in (0, 1e9] Hz, got %.6g", value);
    throw InvalidSettings("sample_rate", buf);
  }
}

}  // namespace auralis::dynamics::detail
