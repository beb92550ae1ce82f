// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelFeatureExtractor: independent feature extractors run concurrently on one signal.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "auralis/error.hpp"
#include "auralis/parallel/parallel_config.hpp"

namespace auralis {

/// A named feature extractor returning `Value` (a scalar, a vector, a SpectrumResult, ...).
template <class Value, class Sample = double>
struct FeatureExtractor {
  std::string name;
  std::function<Value(std::span<const Sample>)> extract;
};

/// Thrown when an extractor throws; `feature()` is its name (the first failing extractor in
/// the given order, whatever the scheduling); `field()` is "extractors"; `what()` is
/// "auralis: extractors: feature '<name>' failed: <the extractor's message>".
class FeatureExtractionError : public RuntimeError {
 public:
  FeatureExtractionError(std::string feature, const std::string& cause)
      : RuntimeError("extractors", "feature '" + feature + "' failed: " + cause),
        feature_(std::move(feature)) {}
  [[nodiscard]] const std::string& feature() const noexcept { return feature_; }

 private:
  std::string feature_;
};

/// Runs several extractors over the same signal concurrently (one task per extractor) and
/// returns their results by name; sequentially when the signal has fewer than
/// config().chunk_processing_threshold samples. Each extractor sees the whole signal; extractors
/// must be safe to run concurrently with each other. Results do not depend on the configuration.
/// const; thread-safe.
class ParallelFeatureExtractor {
 public:
  /// Throws InvalidSettings for an invalid config.
  explicit ParallelFeatureExtractor(const ParallelConfig& config = {}) : config_(config) {
    validate(config_);
  }

  [[nodiscard]] const ParallelConfig& config() const noexcept { return config_; }

  /// Throws InvalidAudio for empty or non-finite audio, InvalidSettings for an empty or
  /// duplicate name or an empty function, FeatureExtractionError naming the feature when an
  /// extractor throws.
  template <class Value, class Sample>
  requires std::is_same_v<Sample, float> || std::is_same_v<Sample, double>
  [[nodiscard]] std::map<std::string, Value> extract_features_parallel(
      std::span<const Sample> audio,
      const std::vector<FeatureExtractor<Value, Sample>>& extractors) const {
    const std::size_t len = detail::checked_frames(audio, 1, "audio");
    std::set<std::string> names;
    for (const auto& e : extractors) {
      if (e.name.empty()) throw InvalidSettings("extractors", "an extractor has an empty name");
      if (!e.extract) throw InvalidSettings("extractors", "extractor '" + e.name + "' is empty");
      if (!names.insert(e.name).second) {
        throw InvalidSettings("extractors", "the name '" + e.name + "' is used twice");
      }
    }
    std::vector<std::optional<Value>> values(extractors.size());
    std::vector<std::exception_ptr> errors(extractors.size());
    detail::for_each_index(extractors.size(), config_.workers_for(extractors.size(), len), 1,
                           [&](std::size_t i) {
                             try {
                               values[i].emplace(extractors[i].extract(audio));
                             } catch (...) {
                               errors[i] = std::current_exception();
                             }
                           });
    std::map<std::string, Value> out;
    for (std::size_t i = 0; i < extractors.size(); ++i) {
      if (errors[i]) {
        try {
          std::rethrow_exception(errors[i]);
        } catch (const std::exception& e) {
          throw FeatureExtractionError(extractors[i].name, e.what());
        } catch (...) {
          throw FeatureExtractionError(extractors[i].name, "unknown exception");
        }
      }
      out.emplace(extractors[i].name, std::move(*values[i]));
    }
    return out;
  }

 private:
  ParallelConfig config_;
};

}  // namespace auralis
