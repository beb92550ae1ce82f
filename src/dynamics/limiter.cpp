// SPDX-License-Identifier: GPL-3.0-or-later
// BrickWallLimiter: compiled once, here, with the library's flags (-ffp-contract=off), so the
// offline and the real-time paths of every program execute the same code and give the same
// bits. The algorithm is documented in include/auralis/dynamics/limiter.hpp and
// docs/dynamics.md.
#include "auralis/dynamics/limiter.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "auralis/dynamics/io_checks.hpp"
#include "auralis/dynamics/limiter_engine.hpp"
#include "auralis/dynamics/true_peak_filter.hpp"
#include "auralis/kernel/simd.hpp"

namespace auralis::dynamics {

void validate(const LimiterSettings& s) {
  detail::require_range(s.sample_rate, min_limiter_sample_rate, max_limiter_sample_rate,
                        "sample_rate", "Hz");
  detail::require_channels(s.channels, max_limiter_channels);
  detail::require_range(s.ceiling_db, min_limiter_ceiling_db, max_limiter_ceiling_db, "ceiling_db",
                        "dB");
  detail::require_range(s.lookahead_ms, 0.0, max_limiter_lookahead_ms, "lookahead_ms", "ms");
  detail::require_range(s.release_ms, min_limiter_release_ms, max_limiter_release_ms, "release_ms",
                        "ms");
}

std::size_t lookahead_frames(const LimiterSettings& s) noexcept {
  const double frames = s.lookahead_ms * s.sample_rate / 1000.0;
  return frames >= 0.0 && frames < 1e9 ? static_cast<std::size_t>(frames) : 0;
}

namespace detail {

static_assert(limiter_true_peak_reach == true_peak_reach);

namespace {

// Frames of history the true-peak interpolator reads before the newest frame.
constexpr std::size_t kInterpolatorHistory = true_peak_taps - 1;

template <class A, class B>
bool overlap(std::span<A> a, std::span<B> b) noexcept {
  if (a.empty() || b.empty()) return false;
  const std::less<const void*> less;
  const void* a0 = a.data();
  const void* a1 = a.data() + a.size();
  const void* b0 = b.data();
  const void* b1 = b.data() + b.size();
  return less(a0, b1) && less(b0, a1);
}

// The ceiling rounded down to Real, so that clamping to it keeps |y| <= c.
template <class Real>
Real round_down(double c) noexcept {
  Real r = static_cast<Real>(c);
  if (static_cast<double>(r) > c) r = std::nextafter(r, Real{0});
  return r;
}

}  // namespace

// ---- LimiterGainCore ----------------------------------------------------------------------

LimiterGainCore::LimiterGainCore(std::size_t lookahead, double rc)
    : w_(lookahead + 1),
      rc_(rc),
      omc_(1.0 - rc),
      targets_(lookahead + 1),
      suffix_min_(lookahead + 1),
      quanta_(lookahead + 1) {
  // K = 63 - bit_width(L + 1): (L + 1) 2^K < 2^63, so the sum of L + 1 quanta fits int64.
  const int k = 63 - static_cast<int>(std::bit_width(w_));
  unit_ = std::ldexp(1.0, k);
  full_ = static_cast<std::int64_t>(w_) << k;
  // 1 / ((L + 1) 2^K), rounded once: g = sum * inv_denom_ is within 2 ulp of the mean.
  inv_denom_ = 1.0 / static_cast<double>(full_);
  reset();
}

void LimiterGainCore::reset() noexcept {
  std::fill(targets_.begin(), targets_.end(), 1.0);
  std::fill(suffix_min_.begin(), suffix_min_.end(), 1.0);
  std::fill(quanta_.begin(), quanta_.end(), static_cast<std::int64_t>(unit_));
  pos_ = 0;
  prefix_min_ = 1.0;
  r_ = 1.0;
  sum_ = full_;
}

namespace {

// suffix[j] = min(t[j .. n - 1]) for j < n: four independent backward scans over quarters of
// the block (four dependency chains in flight instead of one), then each quarter's minima are
// capped by the first minimum of the quarter after it. min is exact: the same values as one
// backward scan.
void suffix_minima(const double* t, double* suffix, std::size_t n) noexcept {
  const std::size_t q = (n + 3) / 4;
  std::size_t end[4];
  for (std::size_t k = 0; k < 4; ++k) end[k] = std::min(n, (k + 1) * q);
  double s[4];
  for (std::size_t k = 0; k < 4; ++k) s[k] = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < q; ++j) {
    for (std::size_t k = 0; k < 4; ++k) {
      // Element j from the end of quarter k (quarters before the last are full).
      const std::size_t begin = k * q;
      if (begin + j >= end[k]) continue;
      const std::size_t idx = end[k] - 1 - j;
      s[k] = std::min(s[k], t[idx]);
      suffix[idx] = s[k];
    }
  }
  for (std::size_t k = 3; k-- > 0;) {
    if (end[k] >= n) continue;
    const double carry = suffix[end[k]];
    for (std::size_t idx = k * q; idx < end[k]; ++idx) suffix[idx] = std::min(suffix[idx], carry);
  }
}

}  // namespace

void LimiterGainCore::push(const double* t, double* g, std::size_t m) noexcept {
  double* targets = targets_.data();
  double* suffix = suffix_min_.data();
  std::int64_t* quanta = quanta_.data();
  // Locals: the stores below may alias members as far as the compiler knows.
  const std::size_t w = w_;
  const double rc = rc_;
  const double omc = omc_;
  const double unit = unit_;
  const double inv_denom = inv_denom_;
  const std::int64_t full = full_;
  std::size_t pos = pos_;
  double prefix = prefix_min_;
  double r = r_;
  std::int64_t sum = sum_;
  for (std::size_t k = 0; k < m; ++k) {
    // Hold: the minimum of t over [i, i + L] (i = the frame L before t[k]) is the minimum of
    // the suffix of i's block (blocks of L + 1 targets) and the prefix of t[k]'s block.
    const double tk = t[k];
    targets[pos] = tk;
    prefix = pos == 0 ? tk : std::min(prefix, tk);
    std::size_t next = pos + 1;
    if (next == w) {
      suffix_minima(targets, suffix, w);
      next = 0;
    }
    const double h = std::min(suffix[next], prefix);
    // Release.
    r = std::min(h, rc * r + omc * h);
    // Attack: exact moving sum of floor(r 2^K) over the last L + 1 frames; a full sum is a
    // gain of exactly 1.
    const auto q = static_cast<std::int64_t>(r * unit);
    sum += q - quanta[pos];
    quanta[pos] = q;
    g[k] = sum == full ? 1.0 : static_cast<double>(sum) * inv_denom;
    pos = next;
  }
  pos_ = pos;
  prefix_min_ = prefix;
  r_ = r;
  sum_ = sum;
}

// ---- LimiterEngine ------------------------------------------------------------------------

template <class Real>
LimiterEngine<Real>::Scratch::Scratch(std::size_t channels)
    : peaks(limiter_block_frames),
      intervals(limiter_block_frames + 1),
      values(limiter_block_frames * channels),
      targets(limiter_block_frames),
      gains(limiter_block_frames) {}

template <class Real>
LimiterEngine<Real>::LimiterEngine(const LimiterSettings& settings)
    : settings_((validate(settings), settings)),
      channels_(settings.channels),
      lookahead_(lookahead_frames(settings)),
      reach_(settings.true_peak ? true_peak_reach : 0),
      latency_(lookahead_ + reach_),
      history_(std::max(latency_, settings.true_peak ? kInterpolatorHistory : std::size_t{0})),
      ceiling_(std::pow(10.0, settings.ceiling_db / 20.0)),
      ceiling_real_(round_down<Real>(ceiling_)),
      // The interpolator's coefficients sum to at most 2.11 in magnitude per phase, so samples
      // within c / 2.2 cannot interpolate above c (with room for rounding).
      quiet_(round_down<Real>(ceiling_ / 2.2)),
      kernels_(limiter_kernels<Real>(kernel::best_simd_level())),
      pristine_(lookahead_,
                std::exp(-1.0 / static_cast<double>(static_cast<std::size_t>(
                                    settings.release_ms * settings.sample_rate / 1000.0)))),
      core_(pristine_),
      delay_((2 * history_ + limiter_block_frames) * channels_, Real{0}),
      end_(history_),
      scratch_(channels_) {}

template <class Real>
void LimiterEngine<Real>::step(const Real* xn, std::size_t m, LimiterGainCore& core,
                               Real& last_interval, Scratch& scratch) const noexcept {
  const std::size_t c = channels_;
  if (reach_ == 0) {
    kernels_.sample_targets(xn, m, c, ceiling_, scratch.targets.data());
  } else {
    // Target of frame i = n - 8 from its sample peak and the interval peaks of (i - 1, i)
    // and (i, i + 1); the latter is computed from frames up to n = i + 8.
    scratch.intervals[0] = last_interval;
    kernels_.interval_peaks(xn, m, c, quiet_, scratch.values.data(), scratch.intervals.data() + 1);
    last_interval = scratch.intervals[m];
    kernels_.frame_peaks(xn - reach_ * c, m, c, scratch.peaks.data());
    kernels_.true_peak_targets(scratch.peaks.data(), scratch.intervals.data(), m, ceiling_,
                               scratch.targets.data());
  }
  core.push(scratch.targets.data(), scratch.gains.data(), m);
}

template <class Real>
void LimiterEngine<Real>::process(std::span<const Real> in, std::span<Real> out,
                                  double* gain) const {
  const std::size_t c = channels_;
  const std::size_t frames = in.size() / c;
  if (frames == 0) return;
  LimiterGainCore core(pristine_);
  Real last_interval = 0;
  Scratch scratch(c);
  std::vector<Real> padded((history_ + limiter_block_frames) * c);
  // Frame n0 + k of the stream yields the gain of frame n0 + k - latency: run the stream
  // latency frames past the end (zeros) to reach the last frame's gain.
  const std::size_t total = frames + latency_;
  for (std::size_t n0 = 0; n0 < total; n0 += limiter_block_frames) {
    const std::size_t m = std::min(limiter_block_frames, total - n0);
    const Real* xn;
    if (n0 >= history_ && n0 + m <= frames) {
      xn = in.data() + n0 * c;
    } else {
      // Frames n0 - history .. n0 + m - 1, zeros outside the input.
      const auto first = static_cast<std::ptrdiff_t>(n0) - static_cast<std::ptrdiff_t>(history_);
      const std::size_t count = history_ + m;
      for (std::size_t j = 0; j < count; ++j) {
        const std::ptrdiff_t src = first + static_cast<std::ptrdiff_t>(j);
        Real* dst = padded.data() + j * c;
        if (src >= 0 && static_cast<std::size_t>(src) < frames) {
          std::copy_n(in.data() + static_cast<std::size_t>(src) * c, c, dst);
        } else {
          std::fill_n(dst, c, Real{0});
        }
      }
      xn = padded.data() + history_ * c;
    }
    step(xn, m, core, last_interval, scratch);
    // Gains k0 .. k1 - 1 belong to frames 0 .. frames - 1.
    const std::size_t k0 = n0 >= latency_ ? 0 : std::min(m, latency_ - n0);
    const std::size_t k1 = std::min(m, frames + latency_ - n0);
    if (k0 >= k1) continue;
    const std::size_t frame = n0 + k0 - latency_;
    kernels_.apply_gain(xn - (latency_ - k0) * c, scratch.gains.data() + k0, k1 - k0, c,
                        ceiling_real_, out.data() + frame * c);
    if (gain != nullptr)
      std::copy(scratch.gains.data() + k0, scratch.gains.data() + k1, gain + frame);
  }
}

template <class Real>
void LimiterEngine<Real>::process_realtime_chunk(std::span<const Real> chunk, std::span<Real> out) {
  const std::size_t c = channels_;
  const std::size_t frames = chunk.size() / c;
  const std::size_t capacity = delay_.size() / c;
  double min_gain = 1.0;
  for (std::size_t off = 0; off < frames; off += limiter_block_frames) {
    const std::size_t m = std::min(limiter_block_frames, frames - off);
    if (end_ + m > capacity) {
      // Move the newest history_ frames to the front (at most once per history_ + block
      // frames, so the cost per frame stays O(1) for long look-aheads).
      std::copy(delay_.data() + (end_ - history_) * c, delay_.data() + end_ * c, delay_.data());
      end_ = history_;
    }
    Real* newest = delay_.data() + end_ * c;
    std::copy_n(chunk.data() + off * c, m * c, newest);
    step(newest, m, core_, last_interval_, scratch_);
    kernels_.apply_gain(newest - latency_ * c, scratch_.gains.data(), m, c, ceiling_real_,
                        out.data() + off * c);
    for (std::size_t k = 0; k < m; ++k) min_gain = std::min(min_gain, scratch_.gains[k]);
    last_gain_ = scratch_.gains[m - 1];
    end_ += m;
  }
  min_gain_ = min_gain;
}

namespace {
double reduction_db(double g) noexcept { return g >= 1.0 ? 0.0 : -20.0 * std::log10(g); }
}  // namespace

template <class Real>
double LimiterEngine<Real>::gain_reduction_db() const noexcept {
  return reduction_db(last_gain_);
}

template <class Real>
double LimiterEngine<Real>::max_gain_reduction_db() const noexcept {
  return reduction_db(min_gain_);
}

template <class Real>
void LimiterEngine<Real>::reset() noexcept {
  core_.reset();
  std::fill(delay_.begin(), delay_.end(), Real{0});
  end_ = history_;
  last_interval_ = 0;
  last_gain_ = 1.0;
  min_gain_ = 1.0;
}

template class LimiterEngine<float>;
template class LimiterEngine<double>;

}  // namespace detail

// ---- BasicBrickWallLimiter ----------------------------------------------------------------

template <class Real>
BasicBrickWallLimiter<Real>::BasicBrickWallLimiter(const LimiterSettings& settings)
    : impl_(std::make_unique<detail::LimiterEngine<Real>>(settings)) {}

template <class Real>
BasicBrickWallLimiter<Real>::BasicBrickWallLimiter(BasicBrickWallLimiter&& other) noexcept =
    default;

template <class Real>
BasicBrickWallLimiter<Real>& BasicBrickWallLimiter<Real>::operator=(
    BasicBrickWallLimiter&& other) noexcept = default;

template <class Real>
BasicBrickWallLimiter<Real>::~BasicBrickWallLimiter() = default;

template <class Real>
const LimiterSettings& BasicBrickWallLimiter<Real>::settings() const noexcept {
  return impl_->settings();
}

template <class Real>
std::size_t BasicBrickWallLimiter<Real>::latency() const noexcept {
  return impl_->latency();
}

template <class Real>
Real BasicBrickWallLimiter<Real>::ceiling() const noexcept {
  return impl_->ceiling();
}

namespace {

template <class Real>
void check_offline(std::span<const Real> in, std::span<Real> out, std::size_t channels) {
  detail::check_io<Real>(in, out, channels, "in");
  if (detail::overlap(in, out)) {
    throw InvalidArgument("out", "must not overlap the input `in` (process writes a new buffer)");
  }
}

}  // namespace

template <class Real>
void BasicBrickWallLimiter<Real>::process(std::span<const Real> in, std::span<Real> out) const {
  check_offline(in, out, impl_->settings().channels);
  impl_->process(in, out, nullptr);
}

template <class Real>
void BasicBrickWallLimiter<Real>::process(std::span<const Real> in, std::span<Real> out,
                                          std::span<double> gain) const {
  const std::size_t channels = impl_->settings().channels;
  check_offline(in, out, channels);
  const std::size_t frames = in.size() / channels;
  if (gain.size() != frames) {
    throw InvalidArgument("gain", "must hold one value per frame, " + std::to_string(frames) +
                                      ", got " + std::to_string(gain.size()));
  }
  if (detail::overlap(gain, in) || detail::overlap(gain, out)) {
    throw InvalidArgument("gain", "must not overlap `in` or `out`");
  }
  impl_->process(in, out, gain.data());
}

template <class Real>
void BasicBrickWallLimiter<Real>::process_realtime_chunk(std::span<const Real> chunk,
                                                         std::span<Real> out) {
  detail::check_io<Real>(chunk, out, impl_->settings().channels, "chunk");
  if (out.data() != chunk.data() && detail::overlap(chunk, out)) {
    throw InvalidArgument("out", "must be the chunk itself or not overlap it");
  }
  impl_->process_realtime_chunk(chunk, out);
}

template <class Real>
double BasicBrickWallLimiter<Real>::gain_reduction_db() const noexcept {
  return impl_->gain_reduction_db();
}

template <class Real>
double BasicBrickWallLimiter<Real>::max_gain_reduction_db() const noexcept {
  return impl_->max_gain_reduction_db();
}

template <class Real>
void BasicBrickWallLimiter<Real>::reset() noexcept {
  impl_->reset();
}

template class BasicBrickWallLimiter<float>;
template class BasicBrickWallLimiter<double>;

}  // namespace auralis::dynamics
