// SPDX-License-Identifier: GPL-3.0-or-later
// FFTW plan creation, caching and execution. The only translation unit that includes <fftw3.h>.
#include "auralis/kernel/fft_plan.hpp"

#include <fftw3.h>

#include <cassert>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "auralis/error.hpp"
#include "auralis/kernel/aligned_buffer.hpp"

namespace auralis::kernel {
namespace {

// FFTW's planner is not thread-safe: every planner call of the process goes through this mutex.
// Never destroyed: plans held by static objects are destroyed at exit and take it.
std::mutex& planner_mutex() {
  static auto* m = new std::mutex;
  return *m;
}

std::size_t largest_prime_factor(std::size_t n) {
  std::size_t largest = 1;
  for (std::size_t p = 2; p * p <= n; ++p) {
    for (; n % p == 0; n /= p) largest = p;
  }
  return n > largest ? n : largest;
}

// FftPlan::footprint(): an upper estimate of FFTW's memory for the plan (see the header).
std::size_t fftw_footprint(std::size_t n, FftType type, std::size_t real_bytes) {
  const std::size_t input = n * real_bytes * (type == FftType::complex ? 2 : 1);
  return (std::size_t{128} << 10) + (largest_prime_factor(n) <= 64 ? 3 : 8) * input;
}

template <class Real>
const char* precision_name() {
  return sizeof(Real) == sizeof(float) ? "float" : "double";
}

template <class Real>
[[noreturn]] void throw_plan_failure(std::size_t n, FftType type, const char* why) {
  throw FftError("fft_size", std::string("FFTW could not plan a ") +
                                 (type == FftType::real ? "real-to-complex" : "complex") + " " +
                                 precision_name<Real>() + " transform of size " +
                                 std::to_string(n) + why);
}

unsigned flags_for(PlanRigor rigor) {
  return rigor == PlanRigor::measure ? FFTW_MEASURE : FFTW_ESTIMATE;
}

template <class Real>
struct Fftw;

template <>
struct Fftw<double> {
  static void* plan(int n, double* in, std::complex<double>* out, unsigned flags) {
    return fftw_plan_dft_r2c_1d(n, in, reinterpret_cast<fftw_complex*>(out), flags);
  }
  static void* plan(int n, std::complex<double>* in, std::complex<double>* out, unsigned flags) {
    return fftw_plan_dft_1d(n, reinterpret_cast<fftw_complex*>(in),
                            reinterpret_cast<fftw_complex*>(out), FFTW_FORWARD, flags);
  }
  static void execute(void* p, const double* in, std::complex<double>* out) {
    // The new-array interface takes a non-const input; out-of-place plans preserve it.
    fftw_execute_dft_r2c(static_cast<fftw_plan>(p), const_cast<double*>(in),
                         reinterpret_cast<fftw_complex*>(out));
  }
  static void execute(void* p, const std::complex<double>* in, std::complex<double>* out) {
    fftw_execute_dft(static_cast<fftw_plan>(p),
                     reinterpret_cast<fftw_complex*>(const_cast<std::complex<double>*>(in)),
                     reinterpret_cast<fftw_complex*>(out));
  }
  static void destroy(void* p) { fftw_destroy_plan(static_cast<fftw_plan>(p)); }
  static char* export_wisdom() { return fftw_export_wisdom_to_string(); }
  static void forget_wisdom() { fftw_forget_wisdom(); }
  static void import_wisdom(const char* w) { fftw_import_wisdom_from_string(w); }
};

template <>
struct Fftw<float> {
  static void* plan(int n, float* in, std::complex<float>* out, unsigned flags) {
    return fftwf_plan_dft_r2c_1d(n, in, reinterpret_cast<fftwf_complex*>(out), flags);
  }
  static void* plan(int n, std::complex<float>* in, std::complex<float>* out, unsigned flags) {
    return fftwf_plan_dft_1d(n, reinterpret_cast<fftwf_complex*>(in),
                             reinterpret_cast<fftwf_complex*>(out), FFTW_FORWARD, flags);
  }
  static void execute(void* p, const float* in, std::complex<float>* out) {
    fftwf_execute_dft_r2c(static_cast<fftwf_plan>(p), const_cast<float*>(in),
                          reinterpret_cast<fftwf_complex*>(out));
  }
  static void execute(void* p, const std::complex<float>* in, std::complex<float>* out) {
    fftwf_execute_dft(static_cast<fftwf_plan>(p),
                      reinterpret_cast<fftwf_complex*>(const_cast<std::complex<float>*>(in)),
                      reinterpret_cast<fftwf_complex*>(out));
  }
  static void destroy(void* p) { fftwf_destroy_plan(static_cast<fftwf_plan>(p)); }
  static char* export_wisdom() { return fftwf_export_wisdom_to_string(); }
  static void forget_wisdom() { fftwf_forget_wisdom(); }
  static void import_wisdom(const char* w) { fftwf_import_wisdom_from_string(w); }
};

}  // namespace

template <class Real>
FftPlan<Real>::FftPlan(std::size_t n, PlanRigor rigor, FftType type) : n_(n), type_(type) {
  if (n > static_cast<std::size_t>(INT_MAX)) {
    throw_plan_failure<Real>(n, type, " (above FFTW's limit of 2^31 - 1)");
  }
  footprint_ = fftw_footprint(n, type, sizeof(Real));
  // Planning buffers of the size and alignment the plan will execute on (FFTW_ESTIMATE and
  // FFTW_MEASURE may overwrite them).
  AlignedBuffer<Real> in_real(type == FftType::real ? n : 0);
  AlignedBuffer<std::complex<Real>> in_complex(type == FftType::complex ? n : 0);
  AlignedBuffer<std::complex<Real>> out(bins());
  const auto make = [&] {
    return type == FftType::real
               ? Fftw<Real>::plan(static_cast<int>(n), in_real.data(), out.data(), flags_for(rigor))
               : Fftw<Real>::plan(static_cast<int>(n), in_complex.data(), out.data(),
                                  flags_for(rigor));
  };
  // Caller holds planner_mutex().
  if (rigor == PlanRigor::estimate) {
    // FFTW_ESTIMATE reuses any wisdom in the process (from MEASURE plans, ours or the host
    // program's, or imported files), which would make the "deterministic" plan depend on what
    // ran before. Plan from empty wisdom, forget what this planning added (so wisdom does not
    // grow with every size ever planned), then put the process's wisdom back.
    char* saved = Fftw<Real>::export_wisdom();
    Fftw<Real>::forget_wisdom();
    plan_ = make();
    Fftw<Real>::forget_wisdom();
    if (saved != nullptr) {
      Fftw<Real>::import_wisdom(saved);
      std::free(saved);
    }
  } else {
    plan_ = make();
  }
  if (plan_ == nullptr) throw_plan_failure<Real>(n, type, "");
}

template <class Real>
FftPlan<Real>::~FftPlan() {
  std::lock_guard lock(planner_mutex());
  Fftw<Real>::destroy(plan_);
}

template <class Real>
std::shared_ptr<const FftPlan<Real>> FftPlan<Real>::shared(std::size_t n, PlanRigor rigor,
                                                           FftType type) {
  using Cache = BoundedCache<std::tuple<std::size_t, PlanRigor, FftType>, FftPlan>;
  // Never destroyed: the plans it holds at exit outlive every static object and thread that
  // may still execute them.
  static auto* cache = new Cache(plan_cache_budget);
  // Declared before the lock, so released after it (also when an allocation below throws):
  // destroying a plan takes the planner mutex.
  typename Cache::Evicted evicted;
  std::unique_ptr<const FftPlan> made;
  std::shared_ptr<const FftPlan> plan;
  std::lock_guard lock(planner_mutex());
  if ((plan = cache->find({n, rigor, type}))) return plan;
  made.reset(new FftPlan(n, rigor, type));
  const std::size_t bytes = made->footprint() + sizeof(FftPlan) + cache_entry_overhead;
  plan = std::move(made);
  cache->insert({n, rigor, type}, plan, bytes, evicted);
  return plan;
}

template <class Real>
std::unique_ptr<const FftPlan<Real>> FftPlan<Real>::create(std::size_t n, PlanRigor rigor,
                                                           FftType type) {
  std::lock_guard lock(planner_mutex());
  return std::unique_ptr<const FftPlan>(new FftPlan(n, rigor, type));
}

template <class Real>
void FftPlan<Real>::execute(const Real* in, Complex* out) const noexcept {
  assert(type_ == FftType::real);
  Fftw<Real>::execute(plan_, in, out);
}

template <class Real>
void FftPlan<Real>::execute(const Complex* in, Complex* out) const noexcept {
  assert(type_ == FftType::complex);
  Fftw<Real>::execute(plan_, in, out);
}

// Wisdom files hold both precisions: a line "auralis-wisdom double" then FFTW's double wisdom,
// and "auralis-wisdom float" then the float wisdom.
bool save_wisdom(const std::string& path) {
  std::lock_guard lock(planner_mutex());
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  std::fputs("auralis-wisdom double\n", f);
  fftw_export_wisdom_to_file(f);
  std::fputs("\nauralis-wisdom float\n", f);
  fftwf_export_wisdom_to_file(f);
  return std::fclose(f) == 0;
}

bool load_wisdom(const std::string& path) {
  std::lock_guard lock(planner_mutex());
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return false;
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  const std::string d = "auralis-wisdom double\n", fl = "\nauralis-wisdom float\n";
  const std::size_t split = text.find(fl);
  if (text.rfind(d, 0) != 0 || split == std::string::npos) return false;
  const std::string dbl = text.substr(d.size(), split - d.size());
  const std::string flt = text.substr(split + fl.size());
  return fftw_import_wisdom_from_string(dbl.c_str()) != 0 &&
         fftwf_import_wisdom_from_string(flt.c_str()) != 0;
}

template class FftPlan<float>;
template class FftPlan<double>;

}  // namespace auralis::kernel
