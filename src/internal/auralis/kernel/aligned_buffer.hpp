// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// A fixed-size, zero-initialised, 64-byte aligned array: the scratch memory FFTW executes on.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <span>

namespace auralis::kernel {

/// Alignment of every FFT scratch buffer, in bytes (enough for AVX-512 loads).
inline constexpr std::size_t buffer_alignment = 64;

/// Owning, move-only array of `T` aligned to buffer_alignment. Allocates once, in the
/// constructor; element access never allocates. Not thread-safe to write concurrently.
template <class T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  /// Allocates `n` zero-initialised elements (may throw std::bad_alloc).
  explicit AlignedBuffer(std::size_t n)
      : data_(n == 0 ? nullptr
                     : static_cast<T*>(
                           ::operator new (n * sizeof(T), std::align_val_t{buffer_alignment}))),
        size_(n) {
    std::fill_n(data_.get(), n, T{});
  }

  [[nodiscard]] T* data() noexcept { return data_.get(); }
  [[nodiscard]] const T* data() const noexcept { return data_.get(); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] T& operator[](std::size_t i) noexcept { return data_.get()[i]; }
  [[nodiscard]] const T& operator[](std::size_t i) const noexcept { return data_.get()[i]; }
  [[nodiscard]] std::span<T> span() noexcept { return {data_.get(), size_}; }
  [[nodiscard]] std::span<const T> span() const noexcept { return {data_.get(), size_}; }

 private:
  struct Free {
    void operator()(T* p) const noexcept {
      ::operator delete (static_cast<void*>(p), std::align_val_t{buffer_alignment});
    }
  };
  std::unique_ptr<T, Free> data_;
  std::size_t size_ = 0;
};

}  // namespace auralis::kernel
