// SPDX-License-Identifier: GPL-3.0-or-later
// PsychoacousticEQ and the critical-band tables: compiled once, here, with the library's flags
// (-ffp-contract=off), so the offline, parallel and real-time paths of every program execute the
// same machine code and give the same bits.
#include <cmath>
#include <string>

#include "auralis/eq/critical_bands.hpp"
#include "auralis/eq/eq_engine.hpp"
#include "auralis/eq/eq_frame_kernel.hpp"
#include "auralis/eq/psychoacoustic_eq.hpp"

namespace auralis {
namespace eq {

double critical_band_center(std::size_t band) noexcept {
  return std::sqrt(critical_band_edges[band] * critical_band_edges[band + 1]);
}

double perceptual_weight(double center_hz) noexcept {
  if (center_hz >= 1000.0 && center_hz <= 4000.0) return 1.0;
  if (center_hz >= 300.0 && center_hz <= 8000.0) return 0.8;
  if ((center_hz >= 100.0 && center_hz < 300.0) || (center_hz > 8000.0 && center_hz <= 16000.0)) {
    return 0.6;
  }
  return 0.3;
}

std::vector<double> perceptual_weights() {
  std::vector<double> w(critical_band_count);
  for (std::size_t i = 0; i < critical_band_count; ++i) {
    w[i] = perceptual_weight(critical_band_center(i));
  }
  return w;
}

template class EqFrameKernel<float>;
template class EqFrameKernel<double>;

}  // namespace eq

void validate(const EqSettings& s) {
  eq::validate_eq_frame(s.sample_rate, s.fft_size);
  if (s.channels == 0 || s.channels > max_eq_channels) {
    throw InvalidSettings("channels", "must be in [1, 64], got " + std::to_string(s.channels));
  }
  validate(s.parallel);
}

template <class Real>
BasicPsychoacousticEQ<Real>::BasicPsychoacousticEQ(const EqSettings& settings)
    : impl_(std::make_unique<detail::EqEngine<Real>>(settings)) {}

template <class Real>
BasicPsychoacousticEQ<Real>::BasicPsychoacousticEQ(BasicPsychoacousticEQ&& other) noexcept =
    default;

template <class Real>
BasicPsychoacousticEQ<Real>& BasicPsychoacousticEQ<Real>::operator=(
    BasicPsychoacousticEQ&& other) noexcept = default;

template <class Real>
BasicPsychoacousticEQ<Real>::~BasicPsychoacousticEQ() = default;

template <class Real>
const EqSettings& BasicPsychoacousticEQ<Real>::settings() const noexcept {
  return impl_->settings();
}

template <class Real>
std::size_t BasicPsychoacousticEQ<Real>::latency() const noexcept {
  return impl_->latency();
}

template <class Real>
std::span<const double> BasicPsychoacousticEQ<Real>::weights() const noexcept {
  return impl_->weights();
}

template <class Real>
std::vector<Real> BasicPsychoacousticEQ<Real>::process(std::span<const Real> audio,
                                                       std::span<const double> target_curve) const {
  return impl_->process(audio, target_curve);
}

template <class Real>
void BasicPsychoacousticEQ<Real>::process(std::span<const Real> audio,
                                          std::span<const double> target_curve,
                                          std::span<Real> out) const {
  impl_->process(audio, target_curve, out);
}

template <class Real>
GainTrajectory BasicPsychoacousticEQ<Real>::gain_trajectory(
    std::span<const Real> audio, std::span<const double> target_curve) const {
  return impl_->gain_trajectory(audio, target_curve);
}

template <class Real>
std::vector<Real> BasicPsychoacousticEQ<Real>::apply_band_gains(
    std::span<const Real> audio, std::span<const double> band_gains_db) const {
  return impl_->apply_band_gains(audio, band_gains_db);
}

template <class Real>
void BasicPsychoacousticEQ<Real>::process_realtime_chunk(std::span<const Real> chunk,
                                                         std::span<const double> target_curve,
                                                         std::span<Real> out) {
  impl_->process_realtime_chunk(chunk, target_curve, out);
}

template <class Real>
void BasicPsychoacousticEQ<Real>::reset() noexcept {
  impl_->reset();
}

template class BasicPsychoacousticEQ<float>;
template class BasicPsychoacousticEQ<double>;

}  // namespace auralis
