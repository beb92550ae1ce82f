// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Input validation shared by the analyzers (internal).
#pragma once

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "auralis/error.hpp"
#include "auralis/kernel/frame_analyzer.hpp"
#include "auralis/kernel/sample_kernels.hpp"

namespace auralis::detail {

/// Index of the first NaN or infinite value, or `samples.size()` when all are finite.
template <class T>
[[nodiscard]] std::size_t first_non_finite(std::span<const T> samples) noexcept {
  return kernel::first_beyond(samples.data(), samples.size(), std::numeric_limits<T>::infinity());
}

/// Largest |sample| an analysis in compute precision `Real` accepts: 2^100 (about 1.27e30) in
/// float, so that a frame's FFT (at most N 2^100 <= 2^120) cannot overflow float; 2^500 (about
/// 3.3e150) in double, so that squares (Parseval energy) cannot overflow double.
template <class Real>
inline constexpr double max_sample_magnitude = sizeof(Real) == sizeof(float) ? 0x1p100 : 0x1p500;

/// Index of the first sample that is NaN, infinite or larger than `limit` in magnitude, or
/// `samples.size()` when there is none.
template <class T>
[[nodiscard]] std::size_t first_unanalysable(std::span<const T> samples, double limit) noexcept {
  // A limit beyond T's range becomes infinity: only NaN and infinities are then caught.
  const T t = limit < static_cast<double>(std::numeric_limits<T>::max())
                  ? static_cast<T>(limit)
                  : std::numeric_limits<T>::infinity();
  return kernel::first_beyond(samples.data(), samples.size(), t);
}

/// Why `v` (a sample found by first_unanalysable) cannot be analysed.
[[nodiscard]] inline std::string unanalysable_reason(double v, double limit) {
  if (std::isnan(v)) return "NaN; only finite samples can be analysed";
  if (std::isinf(v))
    return std::string(v > 0 ? "+inf" : "-inf") + "; only finite samples can be analysed";
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "%.6g, beyond %.6g, the largest magnitude this compute precision analyses "
                "without overflow%s",
                v, limit, limit < 0x1p200 ? " (use double compute for such values)" : "");
  return buf;
}

/// The sequential scan checked_audio uses unless told otherwise.
struct SequentialScan {
  template <class T>
  [[nodiscard]] std::size_t operator()(std::span<const T> samples, double limit) const noexcept {
    return first_unanalysable(samples, limit);
  }
};

/// Validates interleaved audio and returns a view of it. Throws InvalidAudio naming `field`
/// when it is empty, `channels` is 0, its size is not a multiple of `channels`, or a sample is
/// NaN, infinite or beyond `limit` in magnitude (the message gives the sample index, frame and
/// channel; analyzers pass max_sample_magnitude<Real>). `scan(samples, limit)` must return what
/// first_unanalysable returns (the parallel analyzer passes a parallel scan); it runs only on
/// audio whose layout passed.
template <class T, class Scan = SequentialScan>
[[nodiscard]] kernel::AudioView<T> checked_audio(
    std::span<const T> samples, std::size_t channels, const char* field,
    double limit = std::numeric_limits<double>::infinity(), const Scan& scan = {}) {
  if (channels == 0) throw InvalidAudio("channels", "must be >= 1, got 0");
  if (samples.empty()) {
    throw InvalidAudio(field, "is empty; at least one sample frame is required");
  }
  if (samples.size() % channels != 0) {
    throw InvalidAudio(field,
                       "holds " + std::to_string(samples.size()) +
                           " samples, not a multiple of channels = " + std::to_string(channels));
  }
  const std::size_t bad = scan(samples, limit);
  if (bad != samples.size()) {
    throw InvalidAudio(field, "sample " + std::to_string(bad) + " (frame " +
                                  std::to_string(bad / channels) + ", channel " +
                                  std::to_string(bad % channels) + ") is " +
                                  unanalysable_reason(static_cast<double>(samples[bad]), limit));
  }
  return {samples.data(), samples.size() / channels, channels};
}

/// "431Hz" below 1 kHz, "1.2kHz" above (the reference's band labels).
[[nodiscard]] inline std::string band_name(double hz) {
  char buf[64];
  if (hz < 1000.0) {
    std::snprintf(buf, sizeof buf, "%.0fHz", hz);
  } else {
    std::snprintf(buf, sizeof buf, "%.1fkHz", hz / 1000.0);
  }
  return buf;
}

}  // namespace auralis::detail
