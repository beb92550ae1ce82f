// SPDX-License-Identifier: GPL-3.0-or-later
// Shared by the test binaries: bit-for-bit comparison of two analysis results.
#pragma once

#include <gtest/gtest.h>

#include "auralis/settings.hpp"

namespace auralis::test_support {

/// Every value of two results equal with == (parallel_processing, which only says which path
/// ran, is left to the caller).
inline void expect_identical_values(const SpectrumResult& a, const SpectrumResult& b) {
  EXPECT_EQ(a.spectrum, b.spectrum);
  EXPECT_EQ(a.frequency_bins, b.frequency_bins);
  EXPECT_EQ(a.peak_frequency, b.peak_frequency);
  EXPECT_EQ(a.spectral_centroid, b.spectral_centroid);
  EXPECT_EQ(a.spectral_rolloff, b.spectral_rolloff);
  EXPECT_EQ(a.total_energy, b.total_energy);
  EXPECT_EQ(a.num_chunks_analyzed, b.num_chunks_analyzed);
  EXPECT_EQ(a.analysis_duration, b.analysis_duration);
}

}  // namespace auralis::test_support
