// SPDX-License-Identifier: GPL-3.0-or-later
// SoftClipper: the curves, compiled once, here, with the library's flags.
#include "auralis/dynamics/soft_clipper.hpp"

#include <cmath>
#include <cstdio>

#include "auralis/dynamics/envelope_follower.hpp"
#include "auralis/dynamics/envelope_io.hpp"
#include "auralis/dynamics/io_checks.hpp"

namespace auralis::dynamics {

namespace {
constexpr double kMaxAmplitude = 1e6;
}

void validate(const SoftClipperSettings& s) {
  detail::require_channels(s.channels, max_dynamics_channels);
  if (s.curve != SoftClipCurve::tanh && s.curve != SoftClipCurve::unity_knee) {
    throw InvalidSettings("curve", "must be SoftClipCurve::tanh or SoftClipCurve::unity_knee");
  }
  if (!(s.threshold > 0.0 && s.threshold <= kMaxAmplitude)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "must be in (0, 1e6], got %.6g", s.threshold);
    throw InvalidSettings("threshold", buf);
  }
  if (!(s.ceiling > 0.0 && s.ceiling <= kMaxAmplitude)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "must be in (0, 1e6], got %.6g", s.ceiling);
    throw InvalidSettings("ceiling", buf);
  }
  if (s.curve == SoftClipCurve::unity_knee && !(s.ceiling > s.threshold)) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "must be above threshold (%.6g) for the unity_knee curve, got %.6g", s.threshold,
                  s.ceiling);
    throw InvalidSettings("ceiling", buf);
  }
}

double soft_clip(const SoftClipperSettings& s, double x) noexcept {
  const double t = s.threshold;
  const double c = s.ceiling;
  if (s.curve == SoftClipCurve::tanh) return c * std::tanh(x / t);
  const double a = std::fabs(x);
  if (a <= t) return x;
  const double w = c - t;
  const double y = t + w * std::tanh((a - t) / w);
  return x < 0.0 ? -y : y;
}

namespace detail {

template <class Real>
class SoftClipperEngine {
 public:
  explicit SoftClipperEngine(const SoftClipperSettings& s) : settings_((validate(s), s)) {}
  const SoftClipperSettings& settings() const noexcept { return settings_; }
  void process(std::span<const Real> in, std::span<Real> out, const char* field) const {
    check_io<Real>(in, out, settings_.channels, field);
    check_overlap<Real>(in, out, true);
    for (std::size_t i = 0; i < in.size(); ++i) {
      out[i] = static_cast<Real>(soft_clip(settings_, static_cast<double>(in[i])));
    }
  }

 private:
  SoftClipperSettings settings_;
};

}  // namespace detail

template <class Real>
BasicSoftClipper<Real>::BasicSoftClipper(const SoftClipperSettings& settings)
    : impl_(std::make_unique<detail::SoftClipperEngine<Real>>(settings)) {}
template <class Real>
BasicSoftClipper<Real>::BasicSoftClipper(BasicSoftClipper&& other) noexcept = default;
template <class Real>
BasicSoftClipper<Real>& BasicSoftClipper<Real>::operator=(BasicSoftClipper&& other) noexcept =
    default;
template <class Real>
BasicSoftClipper<Real>::~BasicSoftClipper() = default;
template <class Real>
const SoftClipperSettings& BasicSoftClipper<Real>::settings() const noexcept {
  return impl_->settings();
}
template <class Real>
std::size_t BasicSoftClipper<Real>::latency() const noexcept {
  return 0;
}
template <class Real>
void BasicSoftClipper<Real>::process(std::span<const Real> in, std::span<Real> out) const {
  impl_->process(in, out, "in");
}
template <class Real>
void BasicSoftClipper<Real>::process_realtime_chunk(std::span<const Real> chunk,
                                                    std::span<Real> out) {
  impl_->process(chunk, out, "chunk");
}
template <class Real>
void BasicSoftClipper<Real>::reset() noexcept {}

template class BasicSoftClipper<float>;
template class BasicSoftClipper<double>;

}  // namespace auralis::dynamics
