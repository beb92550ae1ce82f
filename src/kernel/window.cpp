// SPDX-License-Identifier: GPL-3.0-or-later
// The process-wide, bounded window cache.
#include "auralis/kernel/window.hpp"

#include <mutex>
#include <utility>

#include "auralis/kernel/fft_plan.hpp"

namespace auralis::kernel {

template <class Real>
std::shared_ptr<const AlignedBuffer<Real>> shared_window(WindowType type, std::size_t n) {
  using Cache = BoundedCache<std::pair<WindowType, std::size_t>, AlignedBuffer<Real>>;
  // Never destroyed: the windows it holds at exit outlive every static object and thread that
  // may still read them.
  static auto* cache = new Cache(window_cache_budget);
  static auto* mutex = new std::mutex;
  // Declared before the lock, so released after it (freeing memory takes no lock of ours, but
  // the cache's rule is to release evicted entries unlocked).
  typename Cache::Evicted evicted;
  std::shared_ptr<const AlignedBuffer<Real>> window;
  std::lock_guard lock(*mutex);
  if ((window = cache->find({type, n}))) return window;
  const std::vector<double> w = make_window(type, n);
  auto built = std::make_shared<AlignedBuffer<Real>>(n);
  for (std::size_t i = 0; i < n; ++i) (*built)[i] = static_cast<Real>(w[i]);
  window = std::move(built);
  cache->insert({type, n}, window, n * sizeof(Real) + cache_entry_overhead, evicted);
  return window;
}

template std::shared_ptr<const AlignedBuffer<float>> shared_window<float>(WindowType, std::size_t);
template std::shared_ptr<const AlignedBuffer<double>> shared_window<double>(WindowType,
                                                                            std::size_t);

}  // namespace auralis::kernel
