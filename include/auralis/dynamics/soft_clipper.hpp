// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// SoftClipper: memoryless saturation, the reference's tanh curve or a curve that is unity
/// gain below its knee. See docs/dynamics.md.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>

#include "auralis/error.hpp"

namespace auralis::dynamics {

/// The transfer curve of SoftClipper (t = threshold, c = ceiling).
enum class SoftClipCurve {
  /// The reference's y = c tanh(x / t): slope c / t at 0 (1.1 with the defaults: it amplifies
  /// quiet signals), |y| < c.
  tanh,
  /// Unity below the knee t, then a tanh shoulder towards the ceiling c > t:
  /// y = x for |x| <= t, else sign(x) (t + (c - t) tanh((|x| - t) / (c - t))).
  /// Value, slope and curvature are continuous at the knee (C2); |y| < c.
  unity_knee,
};

/// "tanh" or "unity_knee".
[[nodiscard]] constexpr std::string_view to_string(SoftClipCurve c) noexcept {
  switch (c) {
    case SoftClipCurve::tanh:
      return "tanh";
    case SoftClipCurve::unity_knee:
      return "unity_knee";
  }
  return "invalid";
}

/// Settings of SoftClipper. Defaults: the reference's curve and constants.
struct SoftClipperSettings {
  /// Interleaved channels, [1, 64] (every channel gets the same curve).
  std::size_t channels = 2;
  /// Curve.
  SoftClipCurve curve = SoftClipCurve::tanh;
  /// t: the tanh curve's input scale, or the unity_knee curve's knee; linear amplitude in
  /// (0, 1e6].
  double threshold = 0.9;
  /// c: the output's bound, linear amplitude in (0, 1e6]; the unity_knee curve needs c > t.
  double ceiling = 0.99;
};

/// Throws InvalidSettings naming the first invalid field: channels in [1, 64]; curve; threshold
/// in (0, 1e6]; ceiling in (0, 1e6], and above threshold for the unity_knee curve.
void validate(const SoftClipperSettings& s);

/// The curve of `s` at one value x (computed in double, as the processor does).
[[nodiscard]] double soft_clip(const SoftClipperSettings& s, double x) noexcept;

namespace detail {
template <class Real>
class SoftClipperEngine;
}

/// Memoryless soft clipper: out = soft_clip(settings, in) sample by sample, computed in double
/// and rounded once to Real. No state, latency 0: process and process_realtime_chunk give the
/// same bits. Allocates only in the constructor; thread-safe (every method is const but reset).
template <class Real>
class BasicSoftClipper {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "SoftClipper computes float or double samples");

 public:
  /// Throws InvalidSettings naming the first invalid field.
  explicit BasicSoftClipper(const SoftClipperSettings& settings = {});
  BasicSoftClipper(BasicSoftClipper&& other) noexcept;
  BasicSoftClipper& operator=(BasicSoftClipper&& other) noexcept;
  BasicSoftClipper(const BasicSoftClipper&) = delete;
  BasicSoftClipper& operator=(const BasicSoftClipper&) = delete;
  ~BasicSoftClipper();

  [[nodiscard]] const SoftClipperSettings& settings() const noexcept;
  /// Always 0.
  [[nodiscard]] std::size_t latency() const noexcept;

  /// Clips interleaved `in` into `out` (same size; the same array as `in` or not overlapping
  /// it). Throws InvalidAudio("in") for a partial frame or a non-finite sample,
  /// InvalidArgument("out") for a wrong size or a partial overlap; nothing is written then.
  void process(std::span<const Real> in, std::span<Real> out) const;

  /// The same on a real-time block (field "chunk"). No allocation, no lock.
  void process_realtime_chunk(std::span<const Real> chunk, std::span<Real> out);

  /// Nothing to reset (memoryless); present for the processors' common life cycle.
  void reset() noexcept;

 private:
  std::unique_ptr<detail::SoftClipperEngine<Real>> impl_;
};

/// Double-precision samples.
using SoftClipper = BasicSoftClipper<double>;
/// Single-precision samples.
using SoftClipperF = BasicSoftClipper<float>;

extern template class BasicSoftClipper<float>;
extern template class BasicSoftClipper<double>;

}  // namespace auralis::dynamics
