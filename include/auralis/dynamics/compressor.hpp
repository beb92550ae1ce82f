// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Compressor: the log-domain feed-forward compressor of Giannoulis, Massberg and Reiss
/// (J. Audio Eng. Soc. 60(6), 2012) with a true look-ahead. See docs/dynamics.md.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <type_traits>

#include "auralis/dynamics/envelope_follower.hpp"
#include "auralis/error.hpp"

namespace auralis::dynamics {

/// Limits of the compressor's level settings, in dB.
inline constexpr double min_threshold_db = -200.0;
inline constexpr double max_threshold_db = 50.0;
inline constexpr double max_knee_db = 100.0;
inline constexpr double max_makeup_db = 100.0;
/// Longest look-ahead, in ms; the look-ahead delay line (frames x channels) is further limited
/// to 2^24 samples.
inline constexpr double max_lookahead_ms = 1000.0;
inline constexpr std::size_t max_lookahead_samples = std::size_t{1} << 24;

/// Settings of Compressor. Defaults: the reference's threshold, ratio, knee, attack, release
/// and look-ahead; makeup 0 dB (the reference adds |T| (1 - 1/R) = 13.5 dB: see the docs).
struct CompressorSettings {
  /// Sample rate in Hz, (0, 1e9].
  double sample_rate = 44100.0;
  /// Interleaved channels, [1, 64].
  std::size_t channels = 2;
  /// Threshold T in dBFS, [-200, 50].
  double threshold_db = -18.0;
  /// Ratio R, >= 1; +infinity is allowed (a limiter's curve: flat above the knee).
  double ratio = 4.0;
  /// Knee width K in dB, [0, 100]; 0 is a hard knee.
  double knee_db = 2.0;
  /// Attack time constant in ms, (0, 60000]: how fast the gain reduction grows.
  double attack_ms = 10.0;
  /// Release time constant in ms, (0, 60000]: how fast it decays.
  double release_ms = 100.0;
  /// Gain added after the reduction, in dB, [-100, 100].
  double makeup_db = 0.0;
  /// Look-ahead in ms, [0, 1000]: the gain computed from sample n is applied to sample
  /// n - lookahead_frames(settings) (see lookahead_frames). Also the real-time latency.
  double lookahead_ms = 5.0;
  /// Level detector: peak |x|, or rms (one-pole mean square over rms_window_ms).
  Detector detector = Detector::peak;
  /// Time constant of the rms detector's mean square, in ms, (0, 60000] (checked for both
  /// detectors).
  double rms_window_ms = 10.0;
  /// true: one gain for all channels, from the largest channel level; false: each channel is
  /// compressed on its own level.
  bool stereo_link = true;
};

/// Throws InvalidSettings naming the first invalid field, in declaration order, with its rule:
/// sample_rate in (0, 1e9]; channels in [1, 64]; threshold_db in [-200, 50]; ratio >= 1
/// (+infinity allowed, NaN not); knee_db in [0, 100]; attack_ms, release_ms in (0, 60000];
/// makeup_db in [-100, 100]; lookahead_ms in [0, 1000] with lookahead_frames * channels <=
/// 2^24; detector peak or rms; rms_window_ms in (0, 60000].
void validate(const CompressorSettings& s);

/// The look-ahead in whole frames: floor(lookahead_ms * sample_rate / 1000) (as the
/// reference's limiter rounds). The compressor's latency().
[[nodiscard]] std::size_t lookahead_frames(const CompressorSettings& s) noexcept;

/// The static curve (gain computer) as a gain in dB (<= 0) for an input level L in dB, with
/// T = threshold_db, R = ratio, K = knee_db:
///   0                                 when 2 (L - T) <= -K,
///   (1/R - 1) (L - T + K/2)^2 / (2K)  when |2 (L - T)| < K  (the quadratic knee),
///   (1/R - 1) (L - T)                 when 2 (L - T) >= K.
/// Continuous with a continuous slope; -infinity gives 0. The compressor evaluates exactly this
/// expression (the same bits) for every frame's level.
[[nodiscard]] double static_gain_db(const CompressorSettings& s, double level_db) noexcept;

namespace detail {
template <class Real>
class CompressorEngine;
}

/// Feed-forward log-domain compressor with look-ahead (Giannoulis, Massberg and Reiss 2012).
///
/// For every frame n (D = lookahead_frames):
///   - level: v_c = |x_c| (peak) or the mean square m_c <- x_c^2 + (m_c - x_c^2) a_rms
///     (a_rms = exp(-1 / (rms_window_ms 1e-3 fs)), m = 0 at the start), per channel; linked
///     channels take the maximum over channels; L = 20 log10 v (10 log10 m), with v clamped to
///     [1e-20, 1e150] (m to [1e-40, 1e300]): below -400 dB every setting gives 0 dB of gain;
///   - static gain g_s = static_gain_db(L) <= 0;
///   - smooth decoupled peak detector on the gain (Giannoulis eq. 17, in the gain domain):
///       y1 <- min(g_s, a_R y1 + (1 - a_R) g_s),   y <- a_A y + (1 - a_A) y1,
///     y1 = y = 0 at the start: a growing reduction is followed with the attack time, a
///     shrinking one with the release time (then smoothed by the attack filter);
///   - gain 10^((y + makeup_db) / 20), applied to the input of frame n - D.
/// `process` aligns the output with the input: out[n] = x[n] * gain[n + D], the gain of a frame
/// D frames later (past the end the input counts as zeros), so a loud onset is reduced before
/// it arrives. `process_realtime_chunk` delays the output by latency() = D frames instead:
/// its stream equals `process`'s output delayed by D frames, bit for bit (zeros first).
///
/// Levels, gains and products are computed in double for both Real types (float output is
/// rounded once). The constructor allocates; process_realtime_chunk never allocates and takes
/// no lock. `process` is const and thread-safe; it allocates a few kB of scratch.
template <class Real>
class BasicCompressor {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "Compressor computes float or double samples");

 public:
  /// Throws InvalidSettings naming the first invalid field.
  explicit BasicCompressor(const CompressorSettings& settings = {});
  BasicCompressor(BasicCompressor&& other) noexcept;
  BasicCompressor& operator=(BasicCompressor&& other) noexcept;
  BasicCompressor(const BasicCompressor&) = delete;
  BasicCompressor& operator=(const BasicCompressor&) = delete;
  ~BasicCompressor();

  [[nodiscard]] const CompressorSettings& settings() const noexcept;
  /// Real-time latency in frames: lookahead_frames(settings()).
  [[nodiscard]] std::size_t latency() const noexcept;

  /// Compresses interleaved `in` (settings().channels per frame) into `out` (same size, not
  /// overlapping `in`), aligned with the input, from the initial state. Throws
  /// InvalidAudio("in") for a partial frame or a non-finite sample, InvalidArgument("out") for
  /// a wrong size or an overlap; nothing is written then.
  void process(std::span<const Real> in, std::span<Real> out) const;

  /// Streams `chunk` (any number of whole frames, 0 included) into `out` (same size, not
  /// overlapping): the output is delayed by latency() frames. Same checks (field "chunk"); on
  /// a throw nothing is written and the state is unchanged. No allocation, no lock.
  void process_realtime_chunk(std::span<const Real> chunk, std::span<Real> out);

  /// Gain reduction in dB (>= 0, makeup not included) of the streaming state after the last
  /// call, for metering: -y of `channel`'s gain (every channel has the same when linked), as
  /// computed from the newest input frame; it reaches the output latency() frames later.
  /// Throws InvalidArgument("channel") when channel >= settings().channels.
  [[nodiscard]] double gain_reduction_db(std::size_t channel = 0) const;

  /// Back to the initial state (zero levels, no reduction, silent look-ahead). Never allocates.
  void reset() noexcept;

 private:
  std::unique_ptr<detail::CompressorEngine<Real>> impl_;
};

/// Double-precision samples.
using Compressor = BasicCompressor<double>;
/// Single-precision samples.
using CompressorF = BasicCompressor<float>;

extern template class BasicCompressor<float>;
extern template class BasicCompressor<double>;

}  // namespace auralis::dynamics
