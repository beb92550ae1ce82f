// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Log-spaced frequency bands and the contiguous range of FFT bins each one holds.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace auralis::kernel {

/// Frequency of FFT bin k in Hz, evaluated exactly as the reference does:
/// `k * (1 / (N * (1 / sr)))` (numpy.fft.rfftfreq).
[[nodiscard]] inline double bin_frequency(std::size_t k, std::size_t fft_size,
                                          double sample_rate) noexcept {
  return static_cast<double>(k) * (1.0 / (static_cast<double>(fft_size) * (1.0 / sample_rate)));
}

/// The B band edges in Hz: `10^y_i` with `y_i = i * (log10(max) - log10(min)) / (B - 1) +
/// log10(min)` and `y_{B-1} = log10(max)` (numpy.logspace). Allocates.
[[nodiscard]] inline std::vector<double> band_edges(double min_frequency, double max_frequency,
                                                    std::size_t bands) {
  std::vector<double> edges(bands);
  const double lo = std::log10(min_frequency);
  const double hi = std::log10(max_frequency);
  if (bands == 1) {
    edges[0] = std::pow(10.0, lo);
    return edges;
  }
  const double step = (hi - lo) / static_cast<double>(bands - 1);
  for (std::size_t i = 0; i + 1 < bands; ++i) {
    edges[i] = std::pow(10.0, static_cast<double>(i) * step + lo);
  }
  edges[bands - 1] = std::pow(10.0, hi);
  return edges;
}

/// Assignment of FFT bins to bands: band i holds the bins k with `edge_i <= f_k < edge_{i+1}`,
/// the last band every bin with `f_k >= edge_{B-1}` up to Nyquist. Bins below the first edge
/// (DC included) belong to no band. Because bin frequencies increase with k, each band is the
/// contiguous range `[first[i], end[i])`; empty ranges are possible (narrow low bands, bands
/// above Nyquist).
struct BandMap {
  std::vector<double> edges;       ///< lower edge of each band, Hz
  std::vector<std::size_t> first;  ///< first bin of each band
  std::vector<std::size_t> end;    ///< one past the last bin of each band

  /// Builds the map for an N-point FFT at `sample_rate` (allocates; set-up only).
  BandMap(std::size_t fft_size, double sample_rate, double min_frequency, double max_frequency,
          std::size_t bands)
      : edges(band_edges(min_frequency, max_frequency, bands)), first(bands), end(bands) {
    const std::size_t bins = fft_size / 2 + 1;
    std::size_t k = 0;
    for (std::size_t i = 0; i < bands; ++i) {
      while (k < bins && bin_frequency(k, fft_size, sample_rate) < edges[i]) ++k;
      first[i] = k;
    }
    for (std::size_t i = 0; i + 1 < bands; ++i) end[i] = first[i + 1];
    end[bands - 1] = bins;
  }

  [[nodiscard]] std::size_t size() const noexcept { return edges.size(); }
};

}  // namespace auralis::kernel
