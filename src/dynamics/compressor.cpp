// SPDX-License-Identifier: GPL-3.0-or-later
// Compressor: settings, the block kernel shared by the offline and real-time paths, and the
// look-ahead delay line. Compiled once, here, with the library's flags.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "auralis/dynamics/compressor.hpp"
#include "auralis/dynamics/compressor_kernel.hpp"
#include "auralis/dynamics/envelope_io.hpp"
#include "auralis/dynamics/io_checks.hpp"

namespace auralis::dynamics {

namespace {
// Detector level clamps: 1e-20 = -400 dB is below every threshold - knee / 2 (>= -250 dB).
constexpr double kPeakFloor = 1e-20;
constexpr double kPeakCeiling = 1e150;
constexpr double kMeanSquareFloor = 1e-40;
constexpr double kMeanSquareCeiling = 1e300;
// 20 / ln 10 and 10 / ln 10.
constexpr double kDbPerNeperAmplitude = 0x1.15f2ced384f28p+3;
constexpr double kDbPerNeperPower = 0x1.15f2ced384f28p+2;
}  // namespace

void validate(const CompressorSettings& s) {
  detail::require_sample_rate(s.sample_rate);
  detail::require_channels(s.channels, max_dynamics_channels);
  detail::require_range(s.threshold_db, min_threshold_db, max_threshold_db, "threshold_db", "dB");
  if (!(s.ratio >= 1.0)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "must be >= 1 (+infinity allowed), got %.6g", s.ratio);
    throw InvalidSettings("ratio", buf);
  }
  detail::require_range(s.knee_db, 0.0, max_knee_db, "knee_db", "dB");
  detail::require_time(s.attack_ms, max_time_constant_ms, "attack_ms");
  detail::require_time(s.release_ms, max_time_constant_ms, "release_ms");
  detail::require_range(s.makeup_db, -max_makeup_db, max_makeup_db, "makeup_db", "dB");
  detail::require_range(s.lookahead_ms, 0.0, max_lookahead_ms, "lookahead_ms", "ms");
  const double frames = std::floor(s.lookahead_ms * s.sample_rate / 1000.0);
  if (frames * static_cast<double>(s.channels) > static_cast<double>(max_lookahead_samples)) {
    throw InvalidSettings("lookahead_ms", "the look-ahead delay line (" + std::to_string(frames) +
                                              " frames x " + std::to_string(s.channels) +
                                              " channels) must hold at most 2^24 samples");
  }
  if (s.detector != Detector::peak && s.detector != Detector::rms) {
    throw InvalidSettings("detector", "must be Detector::peak or Detector::rms");
  }
  detail::require_time(s.rms_window_ms, max_time_constant_ms, "rms_window_ms");
}

std::size_t lookahead_frames(const CompressorSettings& s) noexcept {
  const double frames = std::floor(s.lookahead_ms * s.sample_rate / 1000.0);
  if (!(frames >= 0.0 && frames <= static_cast<double>(max_lookahead_samples))) return 0;
  return static_cast<std::size_t>(frames);
}

double static_gain_db(const CompressorSettings& s, double level_db) noexcept {
  return detail::static_gain(detail::make_static_curve(s), level_db);
}

namespace detail {

StaticCurve make_static_curve(const CompressorSettings& s) noexcept {
  StaticCurve c;
  c.threshold = s.threshold_db;
  c.slope = 1.0 / s.ratio - 1.0;
  c.knee = s.knee_db;
  c.half_knee = s.knee_db * 0.5;
  // With a hard knee the quadratic branch is never selected: divide by 1 instead of 0 there.
  c.two_knee = s.knee_db > 0.0 ? 2.0 * s.knee_db : 1.0;
  return c;
}

void CompressorState::reset() noexcept {
  std::fill(mean_square.begin(), mean_square.end(), 0.0);
  std::fill(y1.begin(), y1.end(), 0.0);
  std::fill(y.begin(), y.end(), 0.0);
}

template <class Real>
CompressorKernel<Real>::CompressorKernel(const CompressorSettings& s)
    : channels_(s.channels),
      tracks_(s.stereo_link ? 1 : s.channels),
      rms_(s.detector == Detector::rms),
      rms_a_(time_constant_coefficient(s.rms_window_ms, s.sample_rate)),
      makeup_db_(s.makeup_db) {
  level_to_gain_.curve = make_static_curve(s);
  level_to_gain_.lo = rms_ ? kMeanSquareFloor : kPeakFloor;
  level_to_gain_.hi = rms_ ? kMeanSquareCeiling : kPeakCeiling;
  level_to_gain_.db_per_neper = rms_ ? kDbPerNeperPower : kDbPerNeperAmplitude;
  smoother_.a_attack = time_constant_coefficient(s.attack_ms, s.sample_rate);
  smoother_.b_attack = 1.0 - smoother_.a_attack;
  smoother_.a_release = time_constant_coefficient(s.release_ms, s.sample_rate);
  smoother_.b_release = 1.0 - smoother_.a_release;
  const kernel::SimdLevel level = kernel::best_simd_level();
  level_kernel_ = level_to_gain_kernel(level);
  gain_kernel_ = db_to_gain_kernel(level);
}

template <class Real>
CompressorState CompressorKernel<Real>::make_state() const {
  CompressorState st;
  st.mean_square.assign(channels_, 0.0);
  st.y1.assign(tracks_, 0.0);
  st.y.assign(tracks_, 0.0);
  return st;
}

template <class Real>
void CompressorKernel<Real>::run(const Real* level_in, const Real* delayed, Real* out,
                                 std::size_t frames, CompressorState& state,
                                 double* scratch) const noexcept {
  const std::size_t c = channels_;
  for (std::size_t k = 0; k < frames; k += kBlock) {
    const std::size_t n = std::min(kBlock, frames - k);
    block(level_in != nullptr ? level_in + k * c : nullptr,
          delayed != nullptr ? delayed + k * c : nullptr, out != nullptr ? out + k * c : nullptr, n,
          state, scratch);
  }
}

namespace {

inline double mag(double x) noexcept { return std::fabs(x); }
inline double larger(double a, double b) noexcept { return a < b ? b : a; }

// x * gain rounded to Real. With kSaturate, saturated at Real's largest finite value: a makeup
// gain above 0 dB may push a huge but finite sample beyond it; the output stays finite and the
// float conversion defined. Without makeup the gain is <= 1 and no product can overflow, so
// the clamp (which costs ~15% of the kernel) is skipped: the values are the same either way.
template <bool kSaturate, class Real>
inline Real product(Real x, double gain) noexcept {
  double p = static_cast<double>(x) * gain;
  if constexpr (kSaturate) {
    constexpr double top = static_cast<double>(std::numeric_limits<Real>::max());
    p = p > top ? top : p;
    p = p < -top ? -top : p;
  }
  return static_cast<Real>(p);
}

// Linked peak levels: the largest |x| of each frame.
template <class Real>
void linked_peaks(const Real* x, std::size_t channels, double* level, std::size_t n) noexcept {
  if (channels == 1) {
    for (std::size_t k = 0; k < n; ++k) level[k] = mag(static_cast<double>(x[k]));
  } else if (channels == 2) {
    for (std::size_t k = 0; k < n; ++k) {
      level[k] = larger(mag(static_cast<double>(x[2 * k])), mag(static_cast<double>(x[2 * k + 1])));
    }
  } else {
    for (std::size_t k = 0; k < n; ++k) {
      const Real* f = x + k * channels;
      double m = mag(static_cast<double>(f[0]));
      for (std::size_t ch = 1; ch < channels; ++ch) m = larger(m, mag(static_cast<double>(f[ch])));
      level[k] = m;
    }
  }
}

// out = delayed * gain: one gain per frame (linked), or per channel and frame (unlinked, the
// gains of channel ch at gain + ch * stride).
template <bool kSaturate, class Real>
void apply_gains(const Real* x, std::size_t channels, bool linked, const double* gain,
                 std::size_t stride, Real* out, std::size_t n) noexcept {
  if (linked && channels == 1) {
    for (std::size_t k = 0; k < n; ++k) out[k] = product<kSaturate>(x[k], gain[k]);
  } else if (linked && channels == 2) {
    for (std::size_t k = 0; k < n; ++k) {
      out[2 * k] = product<kSaturate>(x[2 * k], gain[k]);
      out[2 * k + 1] = product<kSaturate>(x[2 * k + 1], gain[k]);
    }
  } else if (linked) {
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t ch = 0; ch < channels; ++ch) {
        out[k * channels + ch] = product<kSaturate>(x[k * channels + ch], gain[k]);
      }
    }
  } else {
    for (std::size_t ch = 0; ch < channels; ++ch) {
      const double* g = gain + ch * stride;
      for (std::size_t k = 0; k < n; ++k) {
        out[k * channels + ch] = product<kSaturate>(x[k * channels + ch], g[k]);
      }
    }
  }
}

}  // namespace

template <class Real>
void CompressorKernel<Real>::block(const Real* level_in, const Real* delayed, Real* out,
                                   std::size_t n, CompressorState& state,
                                   double* scratch) const noexcept {
  const std::size_t c = channels_;
  const bool linked = tracks_ == 1;
  // 1. Detector levels, per gain track.
  if (!rms_) {
    if (level_in == nullptr) {
      std::fill(scratch, scratch + tracks_ * kBlock, 0.0);
    } else if (linked) {
      linked_peaks(level_in, c, scratch, n);
    } else {
      for (std::size_t ch = 0; ch < c; ++ch) {
        double* lv = scratch + ch * kBlock;
        for (std::size_t k = 0; k < n; ++k) lv[k] = mag(static_cast<double>(level_in[k * c + ch]));
      }
    }
  } else {
    const double a = rms_a_;
    for (std::size_t ch = 0; ch < c; ++ch) {
      double m = state.mean_square[ch];
      double* lv = scratch + (linked ? 0 : ch * kBlock);
      for (std::size_t k = 0; k < n; ++k) {
        const double x = level_in != nullptr ? static_cast<double>(level_in[k * c + ch]) : 0.0;
        const double sq = x * x;
        const double d = sq < kMeanSquareCeiling ? sq : kMeanSquareCeiling;  // no inf - inf
        m = d + (m - d) * a;
        lv[k] = (linked && ch > 0) ? larger(lv[k], m) : m;
      }
      state.mean_square[ch] = m;
    }
  }
  // 2.-4. Static gain in dB, smoothing, linear gain (with makeup).
  for (std::size_t t = 0; t < tracks_; ++t) {
    double* g = scratch + t * kBlock;
    level_kernel_(level_to_gain_, g, g, n);
  }
  std::size_t t = 0;
  for (; t + 1 < tracks_; t += 2) {
    smooth_gain2(smoother_, scratch + t * kBlock, scratch + (t + 1) * kBlock, n, state.y1[t],
                 state.y[t], state.y1[t + 1], state.y[t + 1]);
  }
  if (t < tracks_) smooth_gain(smoother_, scratch + t * kBlock, n, state.y1[t], state.y[t]);
  for (t = 0; t < tracks_; ++t) {
    double* g = scratch + t * kBlock;
    gain_kernel_(g, makeup_db_, g, n);
  }
  // 5. Gain applied to the delayed input.
  if (out == nullptr) return;
  if (delayed == nullptr) {
    std::fill(out, out + n * c, Real(0));
  } else if (makeup_db_ > 0.0) {
    apply_gains<true>(delayed, c, linked, scratch, kBlock, out, n);
  } else {
    apply_gains<false>(delayed, c, linked, scratch, kBlock, out, n);
  }
}

template class CompressorKernel<float>;
template class CompressorKernel<double>;

// The look-ahead delay line and the streaming state around the kernel.
template <class Real>
class CompressorEngine {
 public:
  explicit CompressorEngine(const CompressorSettings& s)
      : settings_((validate(s), s)),
        kernel_(s),
        lookahead_(lookahead_frames(s)),
        state_(kernel_.make_state()),
        ring_(lookahead_ * s.channels, Real(0)),
        scratch_(kernel_.scratch_size()) {}

  const CompressorSettings& settings() const noexcept { return settings_; }
  std::size_t latency() const noexcept { return lookahead_; }

  void process(std::span<const Real> in, std::span<Real> out) const {
    const std::size_t c = settings_.channels;
    check_io<Real>(in, out, c, "in");
    check_overlap<Real>(in, out, false);
    CompressorState st = kernel_.make_state();
    std::vector<double> scratch(kernel_.scratch_size());
    const std::size_t n = in.size() / c;
    const std::size_t d = lookahead_;
    const Real* x = in.data();
    Real* y = out.data();
    // Frames k in [0, n + d): levels of x[k] (zeros from n on); frame k's gain goes to output
    // frame k - d when k >= d.
    const std::size_t a = std::min(d, n);
    kernel_.run(x, nullptr, nullptr, a, st, scratch.data());
    if (n < d) kernel_.run(nullptr, nullptr, nullptr, d - n, st, scratch.data());
    if (d < n) kernel_.run(x + d * c, x, y, n - d, st, scratch.data());
    const std::size_t k0 = std::max(d, n);
    kernel_.run(nullptr, x + (k0 - d) * c, y + (k0 - d) * c, n + d - k0, st, scratch.data());
  }

  void process_realtime_chunk(std::span<const Real> chunk, std::span<Real> out) {
    const std::size_t c = settings_.channels;
    check_io<Real>(chunk, out, c, "chunk");
    check_overlap<Real>(chunk, out, false);
    const std::size_t m = chunk.size() / c;
    const std::size_t d = lookahead_;
    const Real* x = chunk.data();
    Real* y = out.data();
    double* s = scratch_.data();
    if (m == 0) return;
    if (d == 0) {
      kernel_.run(x, x, y, m, state_, s);
      return;
    }
    Real* ring = ring_.data();
    if (m >= d) {
      // The oldest d frames come from the ring (in two pieces when it wraps), the rest from
      // the chunk itself; the ring then holds the chunk's last d frames.
      const std::size_t first = d - pos_;
      kernel_.run(x, ring + pos_ * c, y, first, state_, s);
      kernel_.run(x + first * c, ring, y + first * c, pos_, state_, s);
      kernel_.run(x + d * c, x, y + d * c, m - d, state_, s);
      std::memcpy(ring, x + (m - d) * c, d * c * sizeof(Real));
      pos_ = 0;
    } else {
      const std::size_t first = std::min(m, d - pos_);
      kernel_.run(x, ring + pos_ * c, y, first, state_, s);
      std::memcpy(ring + pos_ * c, x, first * c * sizeof(Real));
      const std::size_t rest = m - first;
      kernel_.run(x + first * c, ring, y + first * c, rest, state_, s);
      std::memcpy(ring, x + first * c, rest * c * sizeof(Real));
      pos_ = (pos_ + m) % d;
    }
  }

  double gain_reduction_db(std::size_t channel) const {
    if (channel >= settings_.channels) {
      throw InvalidArgument("channel", "must be below the channel count " +
                                           std::to_string(settings_.channels) + ", got " +
                                           std::to_string(channel));
    }
    return 0.0 - state_.y[kernel_.tracks() == 1 ? 0 : channel];
  }

  void reset() noexcept {
    state_.reset();
    std::fill(ring_.begin(), ring_.end(), Real(0));
    pos_ = 0;
  }

 private:
  CompressorSettings settings_;
  CompressorKernel<Real> kernel_;
  std::size_t lookahead_;
  CompressorState state_;
  std::vector<Real> ring_;
  std::size_t pos_ = 0;  // oldest frame of the ring
  std::vector<double> scratch_;
};

}  // namespace detail

template <class Real>
BasicCompressor<Real>::BasicCompressor(const CompressorSettings& settings)
    : impl_(std::make_unique<detail::CompressorEngine<Real>>(settings)) {}
template <class Real>
BasicCompressor<Real>::BasicCompressor(BasicCompressor&& other) noexcept = default;
template <class Real>
BasicCompressor<Real>& BasicCompressor<Real>::operator=(BasicCompressor&& other) noexcept = default;
template <class Real>
BasicCompressor<Real>::~BasicCompressor() = default;

template <class Real>
const CompressorSettings& BasicCompressor<Real>::settings() const noexcept {
  return impl_->settings();
}
template <class Real>
std::size_t BasicCompressor<Real>::latency() const noexcept {
  return impl_->latency();
}
template <class Real>
void BasicCompressor<Real>::process(std::span<const Real> in, std::span<Real> out) const {
  impl_->process(in, out);
}
template <class Real>
void BasicCompressor<Real>::process_realtime_chunk(std::span<const Real> chunk,
                                                   std::span<Real> out) {
  impl_->process_realtime_chunk(chunk, out);
}
template <class Real>
double BasicCompressor<Real>::gain_reduction_db(std::size_t channel) const {
  return impl_->gain_reduction_db(channel);
}
template <class Real>
void BasicCompressor<Real>::reset() noexcept {
  impl_->reset();
}

template class BasicCompressor<float>;
template class BasicCompressor<double>;

}  // namespace auralis::dynamics
