// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Real-to-complex FFT plans (FFTW behind a pimpl: <fftw3.h> never appears in a public header).
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <string>

namespace auralis::kernel {

/// How hard FFTW searches for a fast plan. `estimate` (the default) is deterministic: the same
/// FFTW build picks the same algorithm in every process, so results repeat bit for bit across
/// runs. `measure` times candidate algorithms (5-10% faster execution, ~0.2 s of planning per
/// size) and may pick a different plan in each process.
enum class PlanRigor { estimate, measure };

/// What a plan computes (both forward, unscaled).
enum class FftType {
  real,     ///< r2c: n real samples -> n/2 + 1 complex bins
  complex,  ///< c2c: n complex samples -> n complex bins
};

/// An immutable FFTW plan of size n: r2c (n real samples -> n/2 + 1 complex bins, the default)
/// or c2c (n complex samples -> n bins), `X_k = sum_n x[n] e^{-2 pi i k n / N}` with **no
/// scaling**.
///
/// Plans are created once per (size, rigor, precision) and cached for the life of the process
/// (`shared()`), under one mutex shared with every other FFTW planner call in auralis, so two
/// analyzers with the same settings execute the very same plan and round identically.
/// `execute` is const, noexcept, allocation-free and safe to call from many threads at once
/// on distinct buffers (FFTW's new-array execute interface).
template <class Real>
class FftPlan {
 public:
  using Complex = std::complex<Real>;

  /// The process-wide plan for size `n` (>= 1). Thread-safe; may allocate and plan on first use.
  [[nodiscard]] static std::shared_ptr<const FftPlan> shared(std::size_t n,
                                                             PlanRigor rigor = PlanRigor::estimate,
                                                             FftType type = FftType::real);

  /// A new, uncached plan (plans under the planner mutex). For measuring planning cost or for
  /// callers that manage plan lifetimes themselves; analyzers use shared().
  [[nodiscard]] static std::unique_ptr<const FftPlan> create(std::size_t n,
                                                             PlanRigor rigor = PlanRigor::estimate,
                                                             FftType type = FftType::real);

  FftPlan(const FftPlan&) = delete;
  FftPlan& operator=(const FftPlan&) = delete;
  ~FftPlan();

  /// Transform length n.
  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] FftType type() const noexcept { return type_; }
  /// Number of output bins: n/2 + 1 (real), n (complex).
  [[nodiscard]] std::size_t bins() const noexcept {
    return type_ == FftType::real ? n_ / 2 + 1 : n_;
  }

  /// Real plans: computes the unscaled forward DFT of `in[0..n)` into `out[0..n/2]`. Both
  /// pointers must be aligned to kernel::buffer_alignment (use AlignedBuffer) and must not
  /// overlap. Calling it on a complex plan is a precondition violation (asserted in debug).
  void execute(const Real* in, Complex* out) const noexcept;

  /// Complex plans: the unscaled forward DFT of `in[0..n)` into `out[0..n)`, same alignment
  /// and overlap rules; `in` is not modified.
  void execute(const Complex* in, Complex* out) const noexcept;

 private:
  FftPlan(std::size_t n, PlanRigor rigor, FftType type);
  std::size_t n_ = 0;
  FftType type_ = FftType::real;
  void* plan_ = nullptr;
};

/// Writes the process's FFTW wisdom (both precisions) to `path`, so that later processes can
/// load it and create PlanRigor::measure plans without timing them again. Returns false when
/// the file cannot be written. Thread-safe (takes the planner mutex).
bool save_wisdom(const std::string& path);

/// Loads wisdom written by save_wisdom into this process: later PlanRigor::measure plans of the
/// sizes it covers are created in microseconds. PlanRigor::estimate plans ignore wisdom (they
/// stay deterministic). Returns false when the file is missing or not FFTW wisdom.
/// Thread-safe (takes the planner mutex).
bool load_wisdom(const std::string& path);

extern template class FftPlan<float>;
extern template class FftPlan<double>;

}  // namespace auralis::kernel
