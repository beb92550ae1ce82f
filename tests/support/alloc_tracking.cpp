// SPDX-License-Identifier: GPL-3.0-or-later
// Replaced global operator new/delete that count allocations and track live and peak bytes.
// Each block carries a 64-byte header holding its size and the offset back to malloc's pointer.
#include "alloc_tracking.hpp"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

std::atomic<long long> g_count{0};
std::atomic<long long> g_live{0};
std::atomic<long long> g_peak{0};

constexpr std::size_t kHeader = 64;

struct Header {
  std::size_t size;
  std::size_t offset;  // from malloc's pointer to the user pointer
};

void* allocate(std::size_t n, std::size_t align) {
  if (align < alignof(std::max_align_t)) align = alignof(std::max_align_t);
  const std::size_t pad = kHeader > align ? kHeader : align;
  void* raw = std::malloc(n + pad + align);
  if (raw == nullptr) throw std::bad_alloc();
  auto base = reinterpret_cast<std::uintptr_t>(raw) + pad;
  base = (base + align - 1) / align * align;
  auto* h = reinterpret_cast<Header*>(base - sizeof(Header));
  h->size = n;
  h->offset = base - reinterpret_cast<std::uintptr_t>(raw);
  g_count.fetch_add(1, std::memory_order_relaxed);
  const long long live = g_live.fetch_add(static_cast<long long>(n)) + static_cast<long long>(n);
  long long peak = g_peak.load(std::memory_order_relaxed);
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
  return reinterpret_cast<void*>(base);
}

void release(void* p) noexcept {
  if (p == nullptr) return;
  const auto base = reinterpret_cast<std::uintptr_t>(p);
  const auto* h = reinterpret_cast<const Header*>(base - sizeof(Header));
  g_live.fetch_sub(static_cast<long long>(h->size));
  std::free(reinterpret_cast<void*>(base - h->offset));
}

}  // namespace

void* operator new(std::size_t n) { return allocate(n, alignof(std::max_align_t)); }
void* operator new[](std::size_t n) { return allocate(n, alignof(std::max_align_t)); }
void* operator new(std::size_t n, std::align_val_t a) {
  return allocate(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return allocate(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }

namespace auralis::testing {
long long allocation_count() noexcept { return g_count.load(); }
long long live_bytes() noexcept { return g_live.load(); }
long long peak_bytes() noexcept { return g_peak.load(); }
void reset_peak() noexcept { g_peak.store(g_live.load()); }
}  // namespace auralis::testing
