// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// A, C and Z frequency-weighting curves, in both metric conventions.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "auralis/settings.hpp"

namespace auralis::kernel {

/// IEC 61672-1 A-weighting magnitude response R_A(f) (linear, 1 kHz ~ -2 dB unnormalised).
[[nodiscard]] inline double response_a(double f) noexcept {
  const double f2 = f * f;
  return 12194.0 * 12194.0 * (f2 * f2) /
         ((f2 + 20.6 * 20.6) * std::sqrt((f2 + 107.7 * 107.7) * (f2 + 737.9 * 737.9)) *
          (f2 + 12194.0 * 12194.0));
}

/// IEC 61672-1 C-weighting magnitude response R_C(f) = 12194^2 f^2 / ((f^2+20.6^2)(f^2+12194^2)).
[[nodiscard]] inline double response_c(double f) noexcept {
  const double f2 = f * f;
  return 12194.0 * 12194.0 * f2 / ((f2 + 20.6 * 20.6) * (f2 + 12194.0 * 12194.0));
}

/// The reference's C curve, which has f^4 where IEC has f^2 (kept for the auralis convention).
[[nodiscard]] inline double response_c_auralis(double f) noexcept {
  const double f2 = f * f;
  return 12194.0 * 12194.0 * (f2 * f2) / ((f2 + 20.6 * 20.6) * (f2 + 12194.0 * 12194.0));
}

/// Weighting in dB at each frequency (allocates; set-up only).
///
/// auralis: A and C are `20 log10(R(f) / max_j R(f_j))`, normalised to their maximum over the
/// given frequencies (C with the reference's f^4 numerator); Z is +1 dB (sic).
/// standard: IEC 61672 A = `20 log10 R_A + 2.00`, C = `20 log10 R_C + 0.06`, Z = 0 dB.
/// Throws InvalidSettings for an unknown weighting or convention.
[[nodiscard]] inline std::vector<double> weighting_db(Weighting w, MetricConvention convention,
                                                      std::span<const double> frequencies) {
  std::vector<double> out(frequencies.size(), 0.0);
  if (to_string(w) == "invalid") {
    throw InvalidSettings("frequency_weighting", "must be A, C or Z");
  }
  if (convention == MetricConvention::standard) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      const double f = frequencies[i];
      if (w == Weighting::A) out[i] = 20.0 * std::log10(response_a(f)) + 2.00;
      if (w == Weighting::C) out[i] = 20.0 * std::log10(response_c(f)) + 0.062;
    }
    return out;
  }
  if (convention != MetricConvention::auralis) {
    throw InvalidSettings("metric_convention", "must be auralis or standard");
  }
  if (w == Weighting::Z) {
    std::fill(out.begin(), out.end(), 1.0);
    return out;
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = w == Weighting::A ? response_a(frequencies[i]) : response_c_auralis(frequencies[i]);
  }
  const double peak = out.empty() ? 1.0 : *std::max_element(out.begin(), out.end());
  for (double& r : out) r = 20.0 * std::log10(r / peak);
  return out;
}

}  // namespace auralis::kernel
