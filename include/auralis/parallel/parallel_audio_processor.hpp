// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelAudioProcessor: batches of independent inputs (files, tracks) processed concurrently.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "auralis/error.hpp"
#include "auralis/parallel/parallel_config.hpp"

namespace auralis {
namespace detail {

/// The samples of a batch for ParallelConfig::chunk_processing_threshold: the sum of the
/// inputs' sizes when the inputs are sized ranges of numbers (buffers of samples), else
/// std::size_t(-1): inputs of unknown size (paths, handles, ...) always count as long enough.
template <class Input>
[[nodiscard]] std::size_t batch_samples(std::span<const Input> inputs) noexcept {
  if constexpr (std::ranges::sized_range<const Input>) {
    if constexpr (std::is_arithmetic_v<std::ranges::range_value_t<const Input>>) {
      std::size_t total = 0;
      for (const Input& in : inputs) {
        const auto n = static_cast<std::size_t>(std::ranges::size(in));
        total = n > std::size_t(-1) - total ? std::size_t(-1) : total + n;
      }
      return total;
    }
  }
  return std::size_t(-1);
}

}  // namespace detail

/// The outcome of one batch input: its value, or the error that input raised.
template <class Value>
class BatchResult {
 public:
  static BatchResult success(Value v) {
    BatchResult r;
    r.value_.emplace(std::move(v));
    return r;
  }
  static BatchResult failure(std::exception_ptr e, std::string message) {
    BatchResult r;
    r.error_ = std::move(e);
    r.message_ = std::move(message);
    return r;
  }
  /// True when the input was processed without an exception.
  [[nodiscard]] bool ok() const noexcept { return value_.has_value(); }
  /// The value; rethrows the input's exception when it failed.
  [[nodiscard]] const Value& value() const& {
    if (!ok()) std::rethrow_exception(error_);
    return *value_;
  }
  /// The value, moved out (for move-only results); rethrows the input's exception on failure.
  [[nodiscard]] Value&& value() && {
    if (!ok()) std::rethrow_exception(error_);
    return std::move(*value_);
  }
  /// what() of the input's exception ("" when ok()).
  [[nodiscard]] const std::string& error_message() const noexcept { return message_; }
  /// The input's exception (null when ok()).
  [[nodiscard]] std::exception_ptr error() const noexcept { return error_; }

 private:
  BatchResult() = default;
  std::optional<Value> value_;
  std::exception_ptr error_;
  std::string message_;
};

/// Processes many independent inputs concurrently, one task per input, results in input order.
/// A batch whose inputs are buffers of samples (vectors, spans, ... of numbers) runs
/// sequentially when they hold fewer than config().chunk_processing_threshold samples in all;
/// a batch of other inputs (paths, ...) is not subject to the threshold.
///
/// `process_batch` isolates failures: an input whose function throws yields a failed
/// BatchResult and every other input is still processed. `parallel_map` is the strict form
/// (replaces the Python decorator): it rethrows the exception of the first failing input (in
/// input order). Functions may themselves use auralis' parallel analyzers: nested oneTBB work
/// shares one thread pool, so it neither oversubscribes nor deadlocks. const; thread-safe.
class ParallelAudioProcessor {
 public:
  /// Throws InvalidSettings for an invalid config.
  explicit ParallelAudioProcessor(const ParallelConfig& config = {}) : config_(config) {
    validate(config_);
  }

  [[nodiscard]] const ParallelConfig& config() const noexcept { return config_; }

  /// `func(input)` for every input, each failure kept to its own result.
  template <class Input, class Func>
  [[nodiscard]] auto process_batch(std::span<const Input> inputs, Func&& func) const
      -> std::vector<BatchResult<std::invoke_result_t<Func&, const Input&>>> {
    using Value = std::invoke_result_t<Func&, const Input&>;
    std::vector<std::optional<BatchResult<Value>>> slots(inputs.size());
    detail::for_each_index(
        inputs.size(), config_.workers_for(inputs.size(), detail::batch_samples(inputs)), 1,
        [&](std::size_t i) {
          try {
            slots[i].emplace(BatchResult<Value>::success(func(inputs[i])));
          } catch (const std::exception& e) {
            slots[i].emplace(BatchResult<Value>::failure(std::current_exception(), e.what()));
          } catch (...) {
            slots[i].emplace(
                BatchResult<Value>::failure(std::current_exception(), "unknown exception"));
          }
        });
    std::vector<BatchResult<Value>> out;
    out.reserve(inputs.size());
    for (auto& s : slots) out.push_back(std::move(*s));
    return out;
  }
  /// Convenience overload for vectors.
  template <class Input, class Func>
  [[nodiscard]] auto process_batch(const std::vector<Input>& inputs, Func&& func) const {
    return process_batch(std::span<const Input>(inputs), std::forward<Func>(func));
  }

  /// `func(input)` for every input, in input order; rethrows the first failing input's
  /// exception (lowest index) after all inputs ran.
  template <class Input, class Func>
  [[nodiscard]] auto parallel_map(const std::vector<Input>& inputs, Func&& func) const
      -> std::vector<std::invoke_result_t<Func&, const Input&>> {
    using Value = std::invoke_result_t<Func&, const Input&>;
    auto results = process_batch(std::span<const Input>(inputs), std::forward<Func>(func));
    std::vector<Value> out;
    out.reserve(results.size());
    for (auto& r : results) out.push_back(std::move(r).value());
    return out;
  }

 private:
  ParallelConfig config_;
};

/// The process-wide processor, configured with ParallelConfig::optimal() on first use.
[[nodiscard]] inline const ParallelAudioProcessor& get_parallel_processor() {
  static const ParallelAudioProcessor processor(ParallelConfig::optimal());
  return processor;
}

/// `func(input)` for every input on the process-wide processor, results in input order.
template <class Input, class Func>
[[nodiscard]] auto parallel_map(const std::vector<Input>& inputs, Func&& func) {
  return get_parallel_processor().parallel_map(inputs, std::forward<Func>(func));
}

}  // namespace auralis
