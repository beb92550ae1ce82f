// SPDX-License-Identifier: GPL-3.0-or-later
// EnvelopeFollower: one per-sample recursion shared by the offline and real-time paths.
// Compiled once, here, with the library's flags.
#include "auralis/dynamics/envelope_follower.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "auralis/dynamics/envelope_io.hpp"
#include "auralis/dynamics/io_checks.hpp"

namespace auralis::dynamics {

namespace {
constexpr double kMaxSquare = std::numeric_limits<double>::max();
}

void validate(const EnvelopeFollowerSettings& s) {
  detail::require_sample_rate(s.sample_rate);
  detail::require_channels(s.channels, max_dynamics_channels);
  detail::require_time(s.attack_ms, max_time_constant_ms, "attack_ms");
  detail::require_time(s.release_ms, max_time_constant_ms, "release_ms");
  if (s.detector != Detector::peak && s.detector != Detector::rms) {
    throw InvalidSettings("detector", "must be Detector::peak or Detector::rms");
  }
}

double time_constant_coefficient(double time_ms, double sample_rate) noexcept {
  return std::exp(-1.0 / (time_ms * 1e-3 * sample_rate));
}

namespace detail {

template <class Real>
class EnvelopeEngine {
 public:
  explicit EnvelopeEngine(const EnvelopeFollowerSettings& s)
      : settings_((validate(s), s)),
        attack_(time_constant_coefficient(s.attack_ms, s.sample_rate)),
        release_(time_constant_coefficient(s.release_ms, s.sample_rate)),
        state_(s.channels, 0.0) {}

  const EnvelopeFollowerSettings& settings() const noexcept { return settings_; }
  double attack() const noexcept { return attack_; }
  double release() const noexcept { return release_; }

  void process(std::span<const Real> in, std::span<Real> out) const {
    check_io<Real>(in, out, settings_.channels, "in");
    check_overlap<Real>(in, out, true);
    std::vector<double> state(settings_.channels, 0.0);
    run(in, out, state.data());
  }

  void process_realtime_chunk(std::span<const Real> chunk, std::span<Real> out) {
    check_io<Real>(chunk, out, settings_.channels, "chunk");
    check_overlap<Real>(chunk, out, true);
    run(chunk, out, state_.data());
  }

  double envelope(std::size_t channel) const {
    if (channel >= settings_.channels) {
      throw InvalidArgument("channel", "must be below the channel count " +
                                           std::to_string(settings_.channels) + ", got " +
                                           std::to_string(channel));
    }
    const double e = state_[channel];
    return settings_.detector == Detector::rms ? std::sqrt(e) : e;
  }

  void reset() noexcept { std::fill(state_.begin(), state_.end(), 0.0); }

 private:
  // e <- d + (e - d) a, a = attack when d > e; d = |x| or x^2. Channel by channel (the
  // recursions are independent), so the order of frames within a channel is the only order.
  void run(std::span<const Real> in, std::span<Real> out, double* state) const noexcept {
    const std::size_t c = settings_.channels;
    const std::size_t n = in.size() / c;
    const bool rms = settings_.detector == Detector::rms;
    const Real* x = in.data();
    Real* y = out.data();
    for (std::size_t ch = 0; ch < c; ++ch) {
      double e = state[ch];
      if (rms) {
        for (std::size_t k = 0; k < n; ++k) {
          const double v = static_cast<double>(x[k * c + ch]);
          // The square saturates at the largest double (|x| > 1.3e154 would give inf - inf).
          const double sq = v * v;
          const double d = sq < kMaxSquare ? sq : kMaxSquare;
          e = d + (e - d) * (d > e ? attack_ : release_);
          y[k * c + ch] = static_cast<Real>(std::sqrt(e));
        }
      } else {
        for (std::size_t k = 0; k < n; ++k) {
          const double d = std::fabs(static_cast<double>(x[k * c + ch]));
          e = d + (e - d) * (d > e ? attack_ : release_);
          y[k * c + ch] = static_cast<Real>(e);
        }
      }
      state[ch] = e;
    }
  }

  EnvelopeFollowerSettings settings_;
  double attack_;
  double release_;
  std::vector<double> state_;
};

}  // namespace detail

template <class Real>
BasicEnvelopeFollower<Real>::BasicEnvelopeFollower(const EnvelopeFollowerSettings& settings)
    : impl_(std::make_unique<detail::EnvelopeEngine<Real>>(settings)) {}
template <class Real>
BasicEnvelopeFollower<Real>::BasicEnvelopeFollower(BasicEnvelopeFollower&& other) noexcept =
    default;
template <class Real>
BasicEnvelopeFollower<Real>& BasicEnvelopeFollower<Real>::operator=(
    BasicEnvelopeFollower&& other) noexcept = default;
template <class Real>
BasicEnvelopeFollower<Real>::~BasicEnvelopeFollower() = default;

template <class Real>
const EnvelopeFollowerSettings& BasicEnvelopeFollower<Real>::settings() const noexcept {
  return impl_->settings();
}
template <class Real>
double BasicEnvelopeFollower<Real>::attack_coefficient() const noexcept {
  return impl_->attack();
}
template <class Real>
double BasicEnvelopeFollower<Real>::release_coefficient() const noexcept {
  return impl_->release();
}
template <class Real>
std::size_t BasicEnvelopeFollower<Real>::latency() const noexcept {
  return 0;
}
template <class Real>
void BasicEnvelopeFollower<Real>::process(std::span<const Real> in, std::span<Real> out) const {
  impl_->process(in, out);
}
template <class Real>
void BasicEnvelopeFollower<Real>::process_realtime_chunk(std::span<const Real> chunk,
                                                         std::span<Real> out) {
  impl_->process_realtime_chunk(chunk, out);
}
template <class Real>
double BasicEnvelopeFollower<Real>::envelope(std::size_t channel) const {
  return impl_->envelope(channel);
}
template <class Real>
void BasicEnvelopeFollower<Real>::reset() noexcept {
  impl_->reset();
}

template class BasicEnvelopeFollower<float>;
template class BasicEnvelopeFollower<double>;

}  // namespace auralis::dynamics
