// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelBandProcessor: a filter bank with per-band gains, bands filtered concurrently.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <exception>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/error.hpp"
#include "auralis/parallel/executor.hpp"
#include "auralis/parallel/parallel_config.hpp"

namespace auralis {

/// A band filter: maps the whole input to the band's output, of the same length.
using BandFilter = std::function<std::vector<double>(std::span<const double>)>;

/// Thrown when a band filter throws or returns an output of the wrong length. `band()` is the
/// index of the failing band (the lowest one when several fail, whatever the scheduling).
class BandProcessingError : public std::runtime_error {
 public:
  BandProcessingError(std::size_t band, const std::string& cause)
      : std::runtime_error("auralis: band filter " + std::to_string(band) + " failed: " + cause),
        band_(band) {}
  [[nodiscard]] std::size_t band() const noexcept { return band_; }

 private:
  std::size_t band_;
};

/// Applies B band filters to one signal and mixes them with gains:
/// `y = sum_i 10^(g_i / 20) * filter_i(x)`, added **in band order** (i = 0, 1, ...), so the
/// result is bit-identical whatever the worker count, grouping or scheduling.
///
/// Bands (or groups of bands) are filtered concurrently in waves of two groups per worker, and
/// each wave is added to the output before the next starts: with contiguous groups the extra
/// memory is bounded by `2 * workers * group size * len` doubles, not `B * len`. Filters must be
/// safe to call concurrently with each other (they usually are: pure functions of their input).
/// const methods; thread-safe.
class ParallelBandProcessor {
 public:
  /// Throws InvalidSettings for an invalid config.
  explicit ParallelBandProcessor(const ParallelConfig& config = {}) : config_(config) {
    validate(config_);
  }

  [[nodiscard]] const ParallelConfig& config() const noexcept { return config_; }

  /// Filters `audio` through every band, scales each by its gain and sums in band order.
  ///
  /// `band_groups` (optional) partitions the band indices into groups processed as one task
  /// each (bands of a group run one after the other); without it, each band is its own task,
  /// or, with config().band_grouping, contiguous groups of about B / workers bands.
  /// Throws InvalidArgument (InvalidAudio / InvalidSettings) for empty or non-finite audio,
  /// no bands, a gain count differing from the filter count, a non-finite gain, an empty
  /// filter, or groups that are not a partition of the bands; BandProcessingError naming the
  /// band when a filter throws or returns a wrong-length output.
  [[nodiscard]] std::vector<double> process_bands_parallel(
      std::span<const double> audio, std::span<const BandFilter> band_filters,
      std::span<const double> band_gains_db,
      const std::vector<std::vector<std::size_t>>& band_groups = {}) const {
    const std::size_t len = detail::checked_audio(audio, 1, "audio").frames;
    const std::size_t bands = band_filters.size();
    if (bands == 0) throw InvalidSettings("band_filters", "must hold at least one filter");
    if (band_gains_db.size() != bands) {
      throw InvalidSettings("band_gains_db", "holds " + std::to_string(band_gains_db.size()) +
                                                 " gains for " + std::to_string(bands) +
                                                 " band filters; one gain per band is required");
    }
    for (std::size_t i = 0; i < bands; ++i) {
      if (!std::isfinite(band_gains_db[i])) {
        throw InvalidSettings("band_gains_db", "gain " + std::to_string(i) +
                                                   " is not finite; gains are finite dB values");
      }
      if (!band_filters[i]) {
        throw InvalidSettings("band_filters", "filter " + std::to_string(i) + " is empty");
      }
    }
    const std::size_t workers = detail::workers_for(config_, bands, len);
    const std::vector<std::vector<std::size_t>> groups = make_groups(band_groups, bands, workers);

    // Groups in order of their first band; a wave is a run of consecutive groups.
    std::vector<double> out(len, 0.0);
    std::vector<std::vector<double>> outputs(bands);
    std::vector<std::exception_ptr> errors(bands);
    std::vector<std::string> wrong_length(bands);
    const std::size_t wave = std::max<std::size_t>(1, 2 * workers);
    std::size_t next_to_add = 0;
    std::vector<char> ready(bands, 0);
    for (std::size_t g0 = 0; g0 < groups.size(); g0 += wave) {
      const std::size_t g1 = std::min(groups.size(), g0 + wave);
      detail::for_each_index(g1 - g0, workers, 1, [&](std::size_t gi) {
        for (std::size_t band : groups[g0 + gi]) {
          try {
            outputs[band] = band_filters[band](audio);
            if (outputs[band].size() != len) {
              wrong_length[band] = "returned " + std::to_string(outputs[band].size()) +
                                   " samples for an input of " + std::to_string(len);
            }
          } catch (...) {
            errors[band] = std::current_exception();
          }
          ready[band] = 1;
        }
      });
      // Add every band that is ready, strictly in band order.
      while (next_to_add < bands && ready[next_to_add]) {
        const std::size_t b = next_to_add++;
        rethrow_if_failed(b, errors[b], wrong_length[b]);
        const double gain = std::pow(10.0, band_gains_db[b] / 20.0);
        const std::vector<double>& y = outputs[b];
        for (std::size_t n = 0; n < len; ++n) out[n] += gain * y[n];
        std::vector<double>().swap(outputs[b]);
      }
    }
    return out;
  }

 private:
  static void rethrow_if_failed(std::size_t band, const std::exception_ptr& error,
                                const std::string& wrong_length) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        throw BandProcessingError(band, e.what());
      } catch (...) {
        throw BandProcessingError(band, "unknown exception");
      }
    }
    if (!wrong_length.empty()) throw BandProcessingError(band, wrong_length);
  }

  // Validated groups sorted by first band, or the default grouping.
  std::vector<std::vector<std::size_t>> make_groups(
      const std::vector<std::vector<std::size_t>>& given, std::size_t bands,
      std::size_t workers) const {
    std::vector<std::vector<std::size_t>> groups;
    if (!given.empty()) {
      std::vector<char> seen(bands, 0);
      for (const auto& g : given) {
        if (g.empty()) throw InvalidSettings("band_groups", "contains an empty group");
        for (std::size_t b : g) {
          if (b >= bands || seen[b]) {
            throw InvalidSettings(
                "band_groups", "must partition the band indices 0.." + std::to_string(bands - 1) +
                                   "; band " + std::to_string(b) +
                                   (b >= bands ? " is out of range" : " appears twice"));
          }
          seen[b] = 1;
        }
        groups.push_back(g);
        std::sort(groups.back().begin(), groups.back().end());
      }
      for (std::size_t b = 0; b < bands; ++b) {
        if (!seen[b]) {
          throw InvalidSettings("band_groups", "must partition the band indices; band " +
                                                   std::to_string(b) + " is in no group");
        }
      }
      std::sort(groups.begin(), groups.end(),
                [](const auto& a, const auto& b) { return a.front() < b.front(); });
      return groups;
    }
    const std::size_t per_group =
        config_.band_grouping ? (bands + workers - 1) / workers : std::size_t{1};
    for (std::size_t b = 0; b < bands; b += per_group) {
      std::vector<std::size_t> g;
      for (std::size_t i = b; i < std::min(bands, b + per_group); ++i) g.push_back(i);
      groups.push_back(std::move(g));
    }
    return groups;
  }

  ParallelConfig config_;
};

}  // namespace auralis
