// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// EnvelopeFollower: per-channel attack/release envelope of |x| (peak) or x^2 (mean square),
/// with the reference's coefficients. See docs/dynamics.md.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>

#include "auralis/error.hpp"

namespace auralis::dynamics {

/// What a level detector measures.
enum class Detector {
  /// The instantaneous magnitude |x| (the follower smooths it; the compressor uses it as is).
  peak,
  /// The mean square x^2 smoothed by a one-pole filter; its level is the RMS, sqrt of it.
  rms,
};

/// "peak" or "rms".
[[nodiscard]] constexpr std::string_view to_string(Detector d) noexcept {
  switch (d) {
    case Detector::peak:
      return "peak";
    case Detector::rms:
      return "rms";
  }
  return "invalid";
}

/// Largest channel count of the dynamics processors.
inline constexpr std::size_t max_dynamics_channels = 64;
/// Longest attack, release or averaging time accepted, in ms (one minute).
inline constexpr double max_time_constant_ms = 60000.0;

/// Settings of EnvelopeFollower.
struct EnvelopeFollowerSettings {
  /// Sample rate in Hz, (0, 1e9].
  double sample_rate = 44100.0;
  /// Interleaved channels, [1, 64]; each has its own envelope.
  std::size_t channels = 2;
  /// Attack time constant in ms, (0, 60000]: the coefficient while the input exceeds the
  /// envelope is exp(-1 / (attack_ms * 1e-3 * sample_rate)).
  double attack_ms = 10.0;
  /// Release time constant in ms, (0, 60000] (the coefficient otherwise).
  double release_ms = 100.0;
  /// peak: the envelope follows |x|; rms: it follows x^2 and the output is its square root.
  Detector detector = Detector::peak;
};

/// Throws InvalidSettings naming the first invalid field, in declaration order: sample_rate in
/// (0, 1e9]; channels in [1, 64]; attack_ms and release_ms in (0, 60000]; detector peak or rms.
void validate(const EnvelopeFollowerSettings& s);

/// One-pole coefficient of a time constant: exp(-1 / (time_ms * 1e-3 * sample_rate)), in
/// [0, 1). The reference's formula, computed once in the library.
[[nodiscard]] double time_constant_coefficient(double time_ms, double sample_rate) noexcept;

namespace detail {
template <class Real>
class EnvelopeEngine;
}

/// Attack/release envelope follower, one envelope per interleaved channel.
///
/// Per channel, with d = |x| (peak) or d = x^2 (rms), e_0 = 0 before the first sample:
///   e <- d + (e - d) a,   a = a_attack when d > e, else a_release,
///   a_t = exp(-1 / (t_ms 1e-3 fs))  (the reference's coefficients);
/// the output is e (peak) or sqrt(e) (rms). A unit step gives e_n = 1 - a^(n+1).
///
/// `process` runs a whole signal from the initial state (const, thread-safe); the streaming
/// `process_realtime_chunk` continues the envelope across calls and gives the same bits
/// (latency 0). The constructor allocates; process_realtime_chunk never allocates and takes
/// no lock. Samples are computed in double for both Real types.
template <class Real>
class BasicEnvelopeFollower {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "EnvelopeFollower computes float or double samples");

 public:
  /// Throws InvalidSettings naming the first invalid field.
  explicit BasicEnvelopeFollower(const EnvelopeFollowerSettings& settings = {});
  BasicEnvelopeFollower(BasicEnvelopeFollower&& other) noexcept;
  BasicEnvelopeFollower& operator=(BasicEnvelopeFollower&& other) noexcept;
  BasicEnvelopeFollower(const BasicEnvelopeFollower&) = delete;
  BasicEnvelopeFollower& operator=(const BasicEnvelopeFollower&) = delete;
  ~BasicEnvelopeFollower();

  [[nodiscard]] const EnvelopeFollowerSettings& settings() const noexcept;
  /// Attack and release coefficients (time_constant_coefficient of each time).
  [[nodiscard]] double attack_coefficient() const noexcept;
  [[nodiscard]] double release_coefficient() const noexcept;
  /// Always 0: the envelope of frame n is written at frame n.
  [[nodiscard]] std::size_t latency() const noexcept;

  /// Envelopes of interleaved `in` (settings().channels per frame) into `out` (same size, the
  /// same array as `in` or not overlapping it), starting from e = 0. Throws InvalidAudio("in")
  /// for a partial frame or a non-finite sample, InvalidArgument("out") for a wrong size or a
  /// partial overlap; nothing is written then.
  void process(std::span<const Real> in, std::span<Real> out) const;

  /// Continues the streaming envelopes over `chunk` (any number of whole frames). Same checks
  /// (field "chunk"); on a throw nothing is written and the state is unchanged. No allocation,
  /// no lock.
  void process_realtime_chunk(std::span<const Real> chunk, std::span<Real> out);

  /// The streaming envelope of `channel` after the last call: e for peak, sqrt(e) for rms.
  /// Throws InvalidArgument("channel") when channel >= settings().channels.
  [[nodiscard]] double envelope(std::size_t channel) const;

  /// Back to e = 0 on every channel. Never allocates.
  void reset() noexcept;

 private:
  std::unique_ptr<detail::EnvelopeEngine<Real>> impl_;
};

/// Double-precision samples.
using EnvelopeFollower = BasicEnvelopeFollower<double>;
/// Single-precision samples.
using EnvelopeFollowerF = BasicEnvelopeFollower<float>;

extern template class BasicEnvelopeFollower<float>;
extern template class BasicEnvelopeFollower<double>;

}  // namespace auralis::dynamics
