// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Real-to-complex FFT plans (FFTW behind a pimpl: <fftw3.h> never appears in a public header).
#pragma once

#include <complex>
#include <cstddef>
#include <iterator>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <utility>

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

/// A bounded, least-recently-used cache of immutable shared objects: the storage behind the
/// process-wide caches (FftPlan::shared, MagnitudeSpectrum::shared, shared_window).
///
/// Each entry is charged a number of bytes (an upper estimate of the heap memory its value
/// holds); the charges of the cached entries never sum to more than the budget. Inserting past
/// the budget evicts the least recently used entries; a value charged more than the whole
/// budget is not cached at all. Eviction only drops the cache's reference: users holding a
/// `shared_ptr` keep the value alive, and it is destroyed when the last of them lets go.
///
/// Not synchronised: the owner locks around every call. Evicted entries are handed back in an
/// `Evicted` list (spliced, so eviction cannot throw) for the owner to release *after*
/// unlocking, because destroying a value may take other locks (an FFTW plan takes the planner
/// mutex).
template <class Key, class Value>
class BoundedCache {
 public:
  using Ptr = std::shared_ptr<const Value>;
  struct Entry {
    Key key;
    Ptr value;
    std::size_t bytes;
  };
  using Evicted = std::list<Entry>;

  explicit BoundedCache(std::size_t budget_bytes) : budget_(budget_bytes) {}

  /// The cached value for `key` (now the most recently used), or null.
  [[nodiscard]] Ptr find(const Key& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
  }

  /// Caches `value` (not already cached) charged `bytes`, unless `bytes` exceeds the budget,
  /// then evicts least recently used entries into `evicted` until the charges fit the budget.
  /// Strong guarantee: if allocating the entry throws, the cache is unchanged.
  void insert(const Key& key, Ptr value, std::size_t bytes, Evicted& evicted) {
    if (bytes > budget_) return;
    lru_.push_front(Entry{key, std::move(value), bytes});
    try {
      index_.emplace(key, lru_.begin());
    } catch (...) {
      lru_.pop_front();
      throw;
    }
    bytes_ += bytes;
    while (bytes_ > budget_) {
      const auto last = std::prev(lru_.end());
      bytes_ -= last->bytes;
      index_.erase(last->key);
      evicted.splice(evicted.end(), lru_, last);
    }
  }

  /// Sum of the cached entries' charges (<= budget()).
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }
  [[nodiscard]] std::size_t size() const noexcept { return lru_.size(); }
  [[nodiscard]] std::size_t budget() const noexcept { return budget_; }

 private:
  std::list<Entry> lru_;  // most recently used first
  std::map<Key, typename std::list<Entry>::iterator> index_;
  std::size_t budget_;
  std::size_t bytes_ = 0;
};

/// Heap bytes a cache entry is charged on top of its value's own memory: the cache's list and
/// map nodes and the shared_ptr control block, rounded up.
inline constexpr std::size_t cache_entry_overhead = 256;

/// Budget of FftPlan<Real>::shared, per sample type: the FftPlan::footprint() charges of the
/// cached plans sum to at most 32 MiB. The largest plan the library makes for a smooth size
/// (r2c of 2^20 doubles, charged 24 MiB) fits; a plan charged more is returned uncached.
inline constexpr std::size_t plan_cache_budget = std::size_t{32} << 20;

/// An immutable FFTW plan of size n: r2c (n real samples -> n/2 + 1 complex bins, the default)
/// or c2c (n complex samples -> n bins), `X_k = sum_n x[n] e^{-2 pi i k n / N}` with **no
/// scaling**.
///
/// `shared()` hands out plans from a process-wide cache bounded by plan_cache_budget (least
/// recently used plans are evicted), under one mutex shared with every other FFTW planner call
/// in auralis: while a size is cached, analyzers with the same settings execute the very same
/// plan. A size planned again after eviction gets the same algorithm (PlanRigor::estimate plans
/// from empty wisdom; PlanRigor::measure finds its choice in the process's wisdom), so results
/// are bit-identical either way. Holders of a plan keep it alive after eviction; the last one
/// destroys it (under the planner mutex). Plans still cached at exit are never destroyed, so
/// they outlive every static object and thread that may execute them.
/// `execute` is const, noexcept, allocation-free and safe to call from many threads at once
/// on distinct buffers (FFTW's new-array execute interface).
///
/// Planning throws auralis::FftError (field "fft_size") when FFTW cannot plan the size (n = 0,
/// or n above FFTW's int range).
template <class Real>
class FftPlan {
 public:
  using Complex = std::complex<Real>;

  /// The process-wide plan for size `n` (>= 1). Thread-safe; may allocate and plan when `n` is
  /// not cached, and may then evict (and, if unused, destroy) least recently used plans.
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

  /// Upper estimate of the heap bytes FFTW holds for this plan (its twiddle tables and
  /// buffers, allocated with FFTW's own allocator): 128 KiB plus 3 times the input array's
  /// bytes, or 8 times when n has a prime factor above 64 (FFTW then uses Rader's or
  /// Bluestein's algorithm). Measured on FFTW 3.3.10 (FFTW_ESTIMATE, both precisions and both
  /// types, every n up to 8000 and about 400 sizes up to 2^20): plans hold at most 79% of it.
  /// The cache charges plans by it.
  [[nodiscard]] std::size_t footprint() const noexcept { return footprint_; }

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
  std::size_t footprint_ = 0;
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
