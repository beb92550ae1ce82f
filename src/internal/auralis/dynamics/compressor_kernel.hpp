// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The compressor's per-block kernel (internal): level detection, dB conversion, static curve,
/// gain smoothing, gain conversion and application, run in blocks of up to kBlock frames. The
/// offline and real-time paths both call CompressorKernel::run on consecutive frames, in
/// order, so they execute the same operations on every frame: their outputs are bit-identical
/// whatever the block boundaries. The element-wise stages (compressor_math.cpp) are compiled
/// per SIMD level and perform the same IEEE operations at every level.
#pragma once

#include <cstddef>
#include <vector>

#include "auralis/dynamics/compressor.hpp"
#include "auralis/kernel/simd.hpp"

namespace auralis::dynamics::detail {

/// The static curve's constants (see static_gain_db).
struct StaticCurve {
  double threshold = 0.0;
  double slope = 0.0;      ///< 1/R - 1
  double half_knee = 0.0;  ///< K / 2
  double knee = 0.0;       ///< K
  double two_knee = 0.0;   ///< 2 K
};

[[nodiscard]] StaticCurve make_static_curve(const CompressorSettings& s) noexcept;

/// The gain computer: exactly the expression documented at static_gain_db, branch-free so that
/// it vectorises (the unselected branches may be inf or NaN; they are discarded).
[[gnu::always_inline]] inline double static_gain(const StaticCurve& c, double level_db) noexcept {
  const double d = level_db - c.threshold;
  const double d2 = 2.0 * d;
  const double q = d + c.half_knee;
  const double knee = c.slope * q * q / c.two_knee;
  const double above = c.slope * d;
  const double r = d2 >= c.knee ? above : knee;
  return d2 <= -c.knee ? 0.0 : r;
}

/// Detector level (|x| or mean square) to static gain in dB, for n values:
/// gain[i] = static_gain(curve, ln(clamp(level[i], lo, hi)) * db_per_neper).
struct LevelToGain {
  StaticCurve curve;
  double lo = 0.0;
  double hi = 0.0;
  double db_per_neper = 0.0;  ///< 20 / ln 10 (peak) or 10 / ln 10 (rms)
};
using LevelToGainKernel = void (*)(const LevelToGain& p, const double* level, double* gain,
                                   std::size_t n) noexcept;
/// gain[i] = exp(clamp((smoothed[i] + makeup_db) * ln(10) / 20, -708, 709)).
using DbToGainKernel = void (*)(const double* smoothed_db, double makeup_db, double* gain,
                                std::size_t n) noexcept;

[[nodiscard]] LevelToGainKernel level_to_gain_kernel(kernel::SimdLevel level) noexcept;
[[nodiscard]] DbToGainKernel db_to_gain_kernel(kernel::SimdLevel level) noexcept;

/// Natural logarithm (positive normal finite x) and exponential (argument clamped to
/// [-708, 709]) as the kernels compute them, for tests and scalar callers.
[[nodiscard]] double compressor_ln(double x) noexcept;
[[nodiscard]] double compressor_exp(double y) noexcept;

/// The smooth decoupled peak detector over n static gains, in place: g[i] becomes y.
/// y1 <- min(g, a_r y1 + b_r g); y <- a_a y + b_a y1.
struct Smoother {
  double a_attack = 0.0, b_attack = 0.0, a_release = 0.0, b_release = 0.0;
};
inline void smooth_gain(const Smoother& s, double* g, std::size_t n, double& y1,
                        double& y) noexcept {
  double p = y1;
  double q = y;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = g[i];
    const double r = s.a_release * p + s.b_release * x;
    p = x < r ? x : r;
    q = s.a_attack * q + s.b_attack * p;
    g[i] = q;
  }
  y1 = p;
  y = q;
}

/// smooth_gain on two independent tracks at once (the same operations on each, interleaved so
/// that the two serial chains overlap): unlinked stereo pays for one chain, not two.
inline void smooth_gain2(const Smoother& s, double* g0, double* g1, std::size_t n, double& y1_0,
                         double& y_0, double& y1_1, double& y_1) noexcept {
  double p0 = y1_0, q0 = y_0, p1 = y1_1, q1 = y_1;
  for (std::size_t i = 0; i < n; ++i) {
    const double x0 = g0[i];
    const double x1 = g1[i];
    const double r0 = s.a_release * p0 + s.b_release * x0;
    const double r1 = s.a_release * p1 + s.b_release * x1;
    p0 = x0 < r0 ? x0 : r0;
    p1 = x1 < r1 ? x1 : r1;
    q0 = s.a_attack * q0 + s.b_attack * p0;
    q1 = s.a_attack * q1 + s.b_attack * p1;
    g0[i] = q0;
    g1[i] = q1;
  }
  y1_0 = p0;
  y_0 = q0;
  y1_1 = p1;
  y_1 = q1;
}

/// Streaming state of the recursions (per channel mean squares, per gain track y1 and y).
struct CompressorState {
  std::vector<double> mean_square;  ///< channels
  std::vector<double> y1;           ///< tracks (1 when linked, else channels)
  std::vector<double> y;            ///< tracks
  void reset() noexcept;
};

/// Everything derived from the settings, and the block kernel.
template <class Real>
class CompressorKernel {
 public:
  static constexpr std::size_t kBlock = 256;

  explicit CompressorKernel(const CompressorSettings& s);

  [[nodiscard]] std::size_t channels() const noexcept { return channels_; }
  [[nodiscard]] std::size_t tracks() const noexcept { return tracks_; }
  [[nodiscard]] CompressorState make_state() const;
  /// Scratch doubles run() needs: kBlock * tracks.
  [[nodiscard]] std::size_t scratch_size() const noexcept { return kBlock * tracks_; }

  /// Runs `frames` consecutive frames. level_in: the frames whose levels drive the gain (nullptr
  /// = zeros); delayed: the frames the gain is applied to (nullptr = zeros); out: where the
  /// products go (nullptr = discarded). `scratch` holds scratch_size() doubles.
  void run(const Real* level_in, const Real* delayed, Real* out, std::size_t frames,
           CompressorState& state, double* scratch) const noexcept;

 private:
  void block(const Real* level_in, const Real* delayed, Real* out, std::size_t frames,
             CompressorState& state, double* scratch) const noexcept;

  std::size_t channels_;
  std::size_t tracks_;
  bool rms_;
  double rms_a_;
  LevelToGain level_to_gain_;
  Smoother smoother_;
  double makeup_db_;
  LevelToGainKernel level_kernel_;
  DbToGainKernel gain_kernel_;
};

extern template class CompressorKernel<float>;
extern template class CompressorKernel<double>;

}  // namespace auralis::dynamics::detail
