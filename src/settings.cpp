// SPDX-License-Identifier: GPL-3.0-or-later
// Validation of the analysis settings (compiled once, with the library's flags).
#include "auralis/settings.hpp"

#include <string>

namespace auralis {

std::size_t hop_size(const SpectrumSettings& s) noexcept {
  const double h = static_cast<double>(s.fft_size) * (1.0 - s.overlap);
  if (!(h >= 1.0 && h < 0x1p63)) return 0;  // also NaN, and overlaps < 0 that would overflow
  return static_cast<std::size_t>(h);
}

void validate_sample_rate(double sample_rate, const char* field) {
  if (!(sample_rate > 0.0 && sample_rate <= max_analysis_frequency)) {
    throw InvalidSettings(field, "must be in (0, 1e9] Hz, got " + std::to_string(sample_rate));
  }
}

void validate(const SpectrumSettings& s) {
  auto fail = [](const char* field, const std::string& rule) {
    throw InvalidSettings(field, rule);
  };
  if (s.fft_size < min_fft_size || s.fft_size > max_fft_size) {
    fail("fft_size", "must be in [16, 1048576], got " + std::to_string(s.fft_size));
  }
  if (to_string(s.window_type) == "invalid") {
    fail("window_type", "must be hann, hamming, blackman or rectangular");
  }
  if (!(s.overlap >= 0.0 && s.overlap < 1.0)) {
    fail("overlap", "must be in [0, 1), got " + std::to_string(s.overlap));
  }
  if (hop_size(s) == 0) {
    fail("overlap", "gives a hop of 0 samples for fft_size " + std::to_string(s.fft_size) +
                        " (hop = floor(fft_size * (1 - overlap)) must be >= 1)");
  }
  validate_sample_rate(s.sample_rate);
  if (s.frequency_bands == 0 || s.frequency_bands > 65536) {
    fail("frequency_bands", "must be in [1, 65536], got " + std::to_string(s.frequency_bands));
  }
  if (to_string(s.frequency_weighting) == "invalid") {
    fail("frequency_weighting", "must be A, C or Z");
  }
  if (!(s.smoothing_factor >= 0.0 && s.smoothing_factor < 1.0)) {
    fail("smoothing_factor", "must be in [0, 1), got " + std::to_string(s.smoothing_factor));
  }
  if (!(s.min_frequency >= min_band_frequency && s.min_frequency <= max_analysis_frequency)) {
    fail("min_frequency", "must be in [1e-3, 1e9] Hz, got " + std::to_string(s.min_frequency));
  }
  if (!(s.max_frequency > s.min_frequency && s.max_frequency <= max_analysis_frequency)) {
    fail("max_frequency", "must be > min_frequency (" + std::to_string(s.min_frequency) +
                              " Hz) and <= 1e9 Hz, got " + std::to_string(s.max_frequency));
  }
  if (to_string(s.metric_convention) == "invalid") {
    fail("metric_convention", "must be auralis or standard");
  }
}

void validate_against_sample_rate(const SpectrumSettings& s, double sample_rate) {
  if (s.min_frequency >= 0.5 * sample_rate) {
    throw InvalidSettings("min_frequency", "must be below the Nyquist frequency " +
                                               std::to_string(0.5 * sample_rate) + " Hz, got " +
                                               std::to_string(s.min_frequency));
  }
}

}  // namespace auralis
