// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The psychoacoustic EQ's critical bands and its per-frame gain rules (masking, weighting,
/// clipping, smoothing), as small pure functions shared by every EQ path.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

namespace auralis::eq {

/// Number of critical bands the EQ controls (the 26 edges below delimit 25 bands).
inline constexpr std::size_t critical_band_count = 25;

/// Critical-band edges in Hz: band i covers `[edges[i], edges[i + 1])`. Frequencies below
/// 20 Hz (DC included) and from 20 kHz up to Nyquist belong to no band and pass unchanged.
inline constexpr std::array<double, critical_band_count + 1> critical_band_edges{
    20.0,   100.0,  200.0,  300.0,  400.0,  510.0,   630.0,   770.0,  920.0,
    1080.0, 1270.0, 1480.0, 1720.0, 2000.0, 2320.0,  2700.0,  3150.0, 3700.0,
    4400.0, 5300.0, 6400.0, 7700.0, 9500.0, 12000.0, 15500.0, 20000.0};

/// Centre of band i in Hz: the geometric mean `sqrt(edge_i * edge_{i+1})` of its edges.
[[nodiscard]] double critical_band_center(std::size_t band) noexcept;

/// Perceptual weight of a band centred at `center_hz`: 1.0 in [1, 4] kHz, else 0.8 in
/// [300 Hz, 8 kHz], else 0.6 in [100, 300) Hz or (8, 16] kHz, else 0.3. No band centre lies
/// on a boundary, so the closedness of the intervals changes nothing for the 25 bands.
[[nodiscard]] double perceptual_weight(double center_hz) noexcept;

/// The 25 perceptual weights, band by band (allocates).
[[nodiscard]] std::vector<double> perceptual_weights();

/// dB below the loudest band at which the masking threshold lies.
inline constexpr double masking_offset_db = 20.0;
/// Largest boost or cut the EQ applies, in dB.
inline constexpr double max_gain_db = 12.0;
/// Fraction of the way from the previous gain to the new target covered per frame.
inline constexpr double smoothing_step = 0.2;
/// Band level of a band without FFT bins (or of silence): 10 log10(1e-20).
inline constexpr double silent_level_db = -200.0;

}  // namespace auralis::eq
