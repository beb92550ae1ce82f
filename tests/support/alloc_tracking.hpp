// SPDX-License-Identifier: GPL-3.0-or-later
// Heap accounting for the test and benchmark binaries: alloc_tracking.cpp replaces the global
// operator new/delete (plain and aligned) and counts allocations and live bytes.
#pragma once

#include <cstddef>

namespace auralis::testing {

/// Allocations since the start of the process.
long long allocation_count() noexcept;
/// Bytes currently allocated through operator new.
long long live_bytes() noexcept;
/// Highest live_bytes() since the last reset_peak().
long long peak_bytes() noexcept;
/// Sets the peak to the current live bytes.
void reset_peak() noexcept;

}  // namespace auralis::testing
