// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The brick-wall limiter's engine (internal): the gain recursion shared by the offline and the
/// real-time paths, and the streaming state. The public class is documented in
/// include/auralis/dynamics/limiter.hpp; the algorithm in docs/dynamics.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "auralis/dynamics/limiter.hpp"
#include "auralis/dynamics/limiter_kernels.hpp"

namespace auralis::dynamics::detail {

/// Sample frames per internal block (scratch sizes): calls of any length run in blocks of at
/// most this many frames.
inline constexpr std::size_t limiter_block_frames = 1024;

/// From targets t to gains g (double): hold (sliding minimum over L + 1 targets, van Herk /
/// Gil-Werman), release recursion, attack (exact moving average of L + 1 released gains).
/// State: as if an endless run of targets 1 had been pushed (silence).
class LimiterGainCore {
 public:
  LimiterGainCore(std::size_t lookahead, double rc);

  /// Back to the silent state. Never allocates.
  void reset() noexcept;

  /// Pushes the targets t[0 .. m) of consecutive frames; g[k] receives the gain of the frame
  /// L frames before the one of t[k].
  void push(const double* t, double* g, std::size_t m) noexcept;

  [[nodiscard]] std::size_t lookahead() const noexcept { return w_ - 1; }

 private:
  std::size_t w_;                     // L + 1: hold window, attack window
  double rc_;                         // release coefficient
  double omc_;                        // 1 - rc
  double unit_;                       // 2^K: released gains are summed as floor(r 2^K)
  double inv_denom_;                  // 1 / ((L + 1) 2^K)
  std::int64_t full_;                 // (L + 1) 2^K: the sum of L + 1 gains 1
  std::vector<double> targets_;       // t of the current hold block (w_ values)
  std::vector<double> suffix_min_;    // suffix minima of the last complete hold block
  std::vector<std::int64_t> quanta_;  // floor(r 2^K) of the last L + 1 frames
  std::size_t pos_ = 0;               // position in the hold block and in quanta_
  double prefix_min_ = 1.0;           // minimum of the current hold block so far
  double r_ = 1.0;                    // released gain of the previous frame
  std::int64_t sum_ = 0;              // sum of quanta_
};

/// Everything BasicBrickWallLimiter<Real> holds.
template <class Real>
class LimiterEngine {
 public:
  explicit LimiterEngine(const LimiterSettings& settings);

  [[nodiscard]] const LimiterSettings& settings() const noexcept { return settings_; }
  [[nodiscard]] std::size_t latency() const noexcept { return latency_; }
  [[nodiscard]] Real ceiling() const noexcept { return ceiling_real_; }

  void process(std::span<const Real> in, std::span<Real> out, double* gain) const;
  void process_realtime_chunk(std::span<const Real> chunk, std::span<Real> out);
  [[nodiscard]] double gain_reduction_db() const noexcept;
  [[nodiscard]] double max_gain_reduction_db() const noexcept;
  void reset() noexcept;

 private:
  // Scratch of one block (limiter_block_frames frames).
  struct Scratch {
    explicit Scratch(std::size_t channels);
    std::vector<Real> peaks;      // frame peaks
    std::vector<Real> intervals;  // q: interval peaks, one more than the block's frames
    std::vector<Real> values;     // interpolated magnitudes, frames x channels
    std::vector<double> targets;  // t
    std::vector<double> gains;    // g
  };

  // One block of m frames n0 .. n0 + m - 1: `xn` points at frame n0, with history_ frames of
  // history readable before it. Pushes the targets of frames n0 - D .. and leaves in
  // scratch.gains the gains of frames n0 - latency_ .. n0 - latency_ + m - 1.
  void step(const Real* xn, std::size_t m, LimiterGainCore& core, Real& last_interval,
            Scratch& scratch) const noexcept;

  LimiterSettings settings_;
  std::size_t channels_;
  std::size_t lookahead_;  // L
  std::size_t reach_;      // D: 8 with true_peak, else 0
  std::size_t latency_;    // L + D
  std::size_t history_;    // frames kept before the newest block: max(latency, 15 with TP)
  double ceiling_;         // c
  Real ceiling_real_;      // c rounded down to Real
  Real quiet_;             // c / 2.2 rounded down: no interpolation needed below it
  LimiterKernels<Real> kernels_;
  LimiterGainCore pristine_;  // the initial gain state, copied by process()

  // Streaming state.
  LimiterGainCore core_;
  // The input's newest frames, linear: frames [end_ - history_, end_) are the history before
  // the next block, which is appended at end_; 2 history_ + block frames.
  std::vector<Real> delay_;
  std::size_t end_;
  Real last_interval_ = 0;  // interval peak q of the frame before the next target
  Scratch scratch_;
  double last_gain_ = 1.0;
  double min_gain_ = 1.0;
};

}  // namespace auralis::dynamics::detail
