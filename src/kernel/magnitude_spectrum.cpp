// SPDX-License-Identifier: GPL-3.0-or-later
#include "auralis/kernel/magnitude_spectrum.hpp"

#include <cmath>
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
  using Cache = BoundedCache<std::pair<std::size_t, PlanRigor>, MagnitudeSpectrum>;
  // Never destroyed: the instances it holds at exit outlive every static object and thread
  // that may still use them. The lock is held while constructing, which takes the planner
  // mutex (never the other way round).
  static auto* cache = new Cache(spectrum_cache_budget);
  static auto* mutex = new std::mutex;
  // Declared before the lock, so released after it: dropping an instance may destroy its plan.
  typename Cache::Evicted evicted;
  std::shared_ptr<const MagnitudeSpectrum> spectrum;
  std::lock_guard lock(*mutex);
  if ((spectrum = cache->find({n, rigor}))) return spectrum;
  spectrum = std::make_shared<const MagnitudeSpectrum>(n, rigor);
  cache->insert({n, rigor}, spectrum, spectrum->footprint() + cache_entry_overhead, evicted);
  return spectrum;
}

template <class Real>
std::size_t MagnitudeSpectrum<Real>::footprint() const noexcept {
  return sizeof(MagnitudeSpectrum) + (twiddle_re_.size() + twiddle_im_.size()) * sizeof(Real) +
         sizeof(FftPlan<Real>) + plan_->footprint();
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
