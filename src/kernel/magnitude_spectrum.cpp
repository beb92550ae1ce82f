// SPDX-License-Identifier: GPL-3.0-or-later
#include "auralis/kernel/magnitude_spectrum.hpp"

#include <cmath>
#include <map>
#include <mutex>
#include <numbers>
#include <type_traits>
#include <utility>

#include "auralis/kernel/simd.hpp"

namespace auralis::kernel {

template <class Real>
MagnitudeSpectrum<Real>::MagnitudeSpectrum(std::size_t n, PlanRigor rigor)
    : n_(n),
      plan_(n % 2 == 0 ? FftPlan<Real>::shared(n / 2, rigor, FftType::complex)
                       : FftPlan<Real>::shared(n, rigor, FftType::real)),
      twiddle_re_(n % 2 == 0 ? n / 4 + 1 : 0),
      twiddle_im_(n % 2 == 0 ? n / 4 + 1 : 0),
      level_(best_simd_level()),
      split_(split_magnitude_kernel(level_, static_cast<const Real*>(nullptr))) {
  // Twiddles from long double (64-bit significand on x86-64), then rounded once: within half
  // an ulp of the compute type, with the exact values at k = 0 and k = n/4.
  const std::size_t h = twiddle_re_.size();
  for (std::size_t k = 0; k < h; ++k) {
    const long double angle = -2.0L * std::numbers::pi_v<long double> *
                              static_cast<long double>(k) / static_cast<long double>(n);
    twiddle_re_[k] = static_cast<Real>(std::cos(angle));
    twiddle_im_[k] = static_cast<Real>(std::sin(angle));
  }
  if (h > 0) {
    twiddle_re_[0] = Real(1);
    twiddle_im_[0] = Real(0);
    if (n % 4 == 0) {
      twiddle_re_[n / 4] = Real(0);
      twiddle_im_[n / 4] = Real(-1);
    }
  }
}

template <class Real>
std::shared_ptr<const MagnitudeSpectrum<Real>> MagnitudeSpectrum<Real>::shared(std::size_t n,
                                                                               PlanRigor rigor) {
  // Never destroyed: instances outlive every static object and thread that may still use them.
  // The lock is held while constructing, which takes the planner mutex (never the other way).
  static auto* cache =
      new std::map<std::pair<std::size_t, PlanRigor>, std::shared_ptr<const MagnitudeSpectrum>>;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  auto& slot = (*cache)[{n, rigor}];
  if (!slot) slot = std::make_shared<const MagnitudeSpectrum>(n, rigor);
  return slot;
}

template <class Real>
std::size_t MagnitudeSpectrum<Real>::scratch_size() const noexcept {
  return n_ % 2 == 0 ? split_scratch_size(n_ / 2) : 0;
}

template <class Real>
double MagnitudeSpectrum<Real>::compute(const Real* time, Complex* spectrum, Real* scratch,
                                        Real* out) const noexcept {
  if (n_ % 2 != 0) {
    plan_->execute(time, spectrum);
    const Real* c = reinterpret_cast<const Real*>(spectrum);
    if constexpr (std::is_same_v<Real, float>) {
      return scaled_magnitude_kernel(level_)(c, bins(), out);
    } else {
      magnitude_kernel(level_, c)(c, bins(), out, nullptr);
      return 1.0;
    }
  }
  // Even n: the samples as n/2 complex values (std::complex is layout-compatible with Real[2]).
  plan_->execute(reinterpret_cast<const Complex*>(time), spectrum);
  return split_(reinterpret_cast<const Real*>(spectrum), n_ / 2, twiddle_re_.data(),
                twiddle_im_.data(), scratch, out);
}

template class MagnitudeSpectrum<float>;
template class MagnitudeSpectrum<double>;

}  // namespace auralis::kernel
