// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// BrickWallLimiter: a look-ahead peak limiter whose output never exceeds its ceiling (sample
/// peaks exactly; true peaks, measured on an 8x-oversampled signal, optionally). See
/// docs/dynamics.md.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <type_traits>

#include "auralis/error.hpp"

namespace auralis::dynamics {

/// Ranges of LimiterSettings (see validate(const LimiterSettings&)).
inline constexpr double min_limiter_sample_rate = 8000.0;
inline constexpr double max_limiter_sample_rate = 768000.0;
inline constexpr std::size_t max_limiter_channels = 64;
inline constexpr double min_limiter_ceiling_db = -60.0;
inline constexpr double max_limiter_ceiling_db = 0.0;
inline constexpr double max_limiter_lookahead_ms = 100.0;
inline constexpr double min_limiter_release_ms = 1.0;
inline constexpr double max_limiter_release_ms = 60000.0;

/// Frames the true-peak detector reads beyond a frame (the reach of its interpolation filter):
/// with `true_peak` the latency is lookahead_frames + 8.
inline constexpr std::size_t limiter_true_peak_reach = 8;

/// Settings of BrickWallLimiter. Defaults: a -1 dBFS true-peak ceiling (the reference has
/// -0.3 dB and sample peaks), the reference's 2 ms look-ahead and 50 ms release.
struct LimiterSettings {
  /// Sample rate in Hz, [8000, 768000].
  double sample_rate = 44100.0;
  /// Interleaved channels, [1, 64]. One gain is applied to every channel (linked).
  std::size_t channels = 2;
  /// Ceiling c = 10^(ceiling_db / 20) in dBFS, [-60, 0]: no output sample (with `true_peak`,
  /// no 8x-oversampled output value, to the detector's accuracy) exceeds it.
  double ceiling_db = -1.0;
  /// Look-ahead in ms, [0, 100]: L = floor(lookahead_ms * sample_rate / 1000) frames (the
  /// reference's int()), over which the gain ramps down before a peak.
  double lookahead_ms = 2.0;
  /// Release in ms, [1, 60000]: the gain recovers with rc = exp(-1 / floor(release_ms *
  /// sample_rate / 1000)) per frame (the reference's coefficient).
  double release_ms = 50.0;
  /// true: peaks are the largest magnitudes of the 8x-oversampled signal (inter-sample peaks,
  /// as a true-peak meter sees them); false: sample peaks, and |output| <= c holds exactly.
  bool true_peak = true;
};

/// Throws InvalidSettings naming the first invalid field, in declaration order, with its rule:
/// sample_rate in [8000, 768000] Hz; channels in [1, 64]; ceiling_db in [-60, 0] dB;
/// lookahead_ms in [0, 100] ms; release_ms in [1, 60000] ms. NaN and infinities are invalid.
void validate(const LimiterSettings& s);

/// L: the look-ahead in whole frames, floor(lookahead_ms * sample_rate / 1000) (computed in
/// that order, in double, as the reference's int(lookahead_ms * fs / 1000)). Valid settings only.
[[nodiscard]] std::size_t lookahead_frames(const LimiterSettings& s) noexcept;

namespace detail {
template <class Real>
class LimiterEngine;
}

/// Look-ahead brick-wall limiter: the gain reaches each reduction linearly across the
/// look-ahead, is at most c / peak at every peak, and recovers exponentially.
///
/// For every frame i (channels linked; L look-ahead frames; c the ceiling; the signal is
/// taken as zero before its start and past its end):
///   - peak p[i]: max over channels of |x_ch[i]|; with `true_peak` also of the magnitudes of
///     the 8x-oversampled signal strictly between frames i - 1 and i + 1 (the interpolation
///     filter is a Kaiser-windowed sinc, beta 5, 16 taps per phase: see docs/dynamics.md);
///   - target t[i] = min(1, c / p[i]), computed as c / max(p[i], c) (exactly 1 below c);
///   - hold h[i] = min t[i .. i + L] (sliding minimum, van Herk/Gil-Werman, O(1) per frame);
///   - release r[i] = min(h[i], rc r[i-1] + (1 - rc) h[i]), r = 1 before the start;
///   - attack g[i] = mean r[i - L .. i], the moving average of L + 1 values, exact: each r is
///     rounded down to a multiple of 2^-K (K = 63 - bit_width(L + 1) >= 46) and summed in
///     64-bit integers, so the running sum never drifts;
///   - y = x * g, clamped to [-c, c] (so that |y| <= c despite rounding; c rounded down to
///     Real). A gain of exactly 1 (every peak within L frames at most c) returns the input
///     bit for bit.
/// The gain is computed in double for both Real types.
///
/// `process` aligns the output with the input: the look-ahead reads ahead of the frame.
/// `process_realtime_chunk` delays its output by latency() = L (+ 8 with `true_peak`) frames:
/// its stream equals `process`'s output delayed by latency(), bit for bit (zeros first).
///
/// The constructor allocates (rings of L + 1 values and an input buffer of about
/// 2 latency() + 1024 frames); process_realtime_chunk and reset never allocate and take no lock,
/// and cost O(1) per frame whatever the look-ahead. `process` is const and safe to call
/// concurrently; it allocates scratch of about latency() + 1024 frames per call.
/// process_realtime_chunk and reset change the streaming state: one thread at a time.
template <class Real>
class BasicBrickWallLimiter {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "BrickWallLimiter processes float or double samples");

 public:
  /// Throws InvalidSettings naming the first invalid field.
  explicit BasicBrickWallLimiter(const LimiterSettings& settings = {});
  BasicBrickWallLimiter(BasicBrickWallLimiter&& other) noexcept;
  BasicBrickWallLimiter& operator=(BasicBrickWallLimiter&& other) noexcept;
  BasicBrickWallLimiter(const BasicBrickWallLimiter&) = delete;
  BasicBrickWallLimiter& operator=(const BasicBrickWallLimiter&) = delete;
  ~BasicBrickWallLimiter();

  [[nodiscard]] const LimiterSettings& settings() const noexcept;
  /// Real-time latency in frames: lookahead_frames(settings()), plus limiter_true_peak_reach
  /// (8) with `true_peak`.
  [[nodiscard]] std::size_t latency() const noexcept;
  /// The ceiling applied to samples: 10^(ceiling_db / 20) rounded down to Real.
  [[nodiscard]] Real ceiling() const noexcept;

  /// Limits interleaved `in` (settings().channels per frame) into `out` (same size, not
  /// overlapping `in`), aligned with the input, from the initial state (silence before).
  /// Throws InvalidAudio("in") for a partial frame or a non-finite sample,
  /// InvalidArgument("out") for a wrong size or an overlap; nothing is written then.
  void process(std::span<const Real> in, std::span<Real> out) const;

  /// process() that also writes the gain g applied to each frame (linear, in [0, 1]) into
  /// `gain`, one value per frame. Same checks, plus InvalidArgument("gain") for a wrong size.
  void process(std::span<const Real> in, std::span<Real> out, std::span<double> gain) const;

  /// Streams `chunk` (any number of whole frames, 0 included) into `out` (same size; `out` may
  /// be `chunk` itself, but may not overlap it otherwise): the output is delayed by latency()
  /// frames. Same checks as process (field "chunk"); on a throw nothing is written and the
  /// state is unchanged. No allocation, no lock.
  void process_realtime_chunk(std::span<const Real> chunk, std::span<Real> out);

  /// Gain reduction in dB (>= 0) applied to the last frame output by process_realtime_chunk
  /// (0 after construction and reset), for metering.
  [[nodiscard]] double gain_reduction_db() const noexcept;
  /// The largest gain reduction in dB (>= 0) among the frames output by the last
  /// process_realtime_chunk call (0 after construction, reset, or an empty chunk).
  [[nodiscard]] double max_gain_reduction_db() const noexcept;

  /// Back to the initial state (silence history, gain 1). Never allocates.
  void reset() noexcept;

 private:
  std::unique_ptr<detail::LimiterEngine<Real>> impl_;
};

/// Double-precision samples.
using BrickWallLimiter = BasicBrickWallLimiter<double>;
/// Single-precision samples (the gain is still computed in double).
using BrickWallLimiterF = BasicBrickWallLimiter<float>;

// Every member is defined and instantiated in the library (compiled once, with its flags).
extern template class BasicBrickWallLimiter<float>;
extern template class BasicBrickWallLimiter<double>;

}  // namespace auralis::dynamics
