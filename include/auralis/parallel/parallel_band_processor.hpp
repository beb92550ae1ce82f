// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelBandProcessor: a filter bank with per-band gains, bands filtered concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "auralis/error.hpp"
#include "auralis/parallel/parallel_config.hpp"

namespace auralis {

/// A band filter: maps the whole input to the band's output, of the same length.
using BandFilter = std::function<std::vector<double>(std::span<const double>)>;

/// Thrown when a band filter throws or returns an output of the wrong length. `band()` is the
/// index of the failing band (the lowest one when several fail, whatever the scheduling);
/// `field()` is "band_filters"; `what()` is "auralis: band_filters: filter <band> failed:
/// <the filter's message>".
class BandProcessingError : public RuntimeError {
 public:
  BandProcessingError(std::size_t band, const std::string& cause)
      : RuntimeError("band_filters", "filter " + std::to_string(band) + " failed: " + cause),
        band_(band) {}
  [[nodiscard]] std::size_t band() const noexcept { return band_; }

 private:
  std::size_t band_;
};

/// Applies B band filters to one signal and mixes them with gains:
/// `y = sum_i 10^(g_i / 20) * filter_i(x)`, added **in band order** (i = 0, 1, ...), so the
/// result is bit-identical whatever the worker count, grouping or scheduling.
///
/// Bands (or groups of bands) are filtered concurrently in waves of two groups per worker (all
/// waves of a call on one set of threads), and each wave is added to the output before the
/// next starts: with contiguous groups the extra
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
  /// Runs sequentially when the input has fewer than config().chunk_processing_threshold
  /// samples. Throws InvalidArgument (InvalidAudio / InvalidSettings) for empty or non-finite
  /// audio,
  /// no bands, a gain count differing from the filter count, a non-finite gain, an empty
  /// filter, or groups that are not a partition of the bands; BandProcessingError naming the
  /// band when a filter throws or returns a wrong-length output.
  [[nodiscard]] std::vector<double> process_bands_parallel(
      std::span<const double> audio, std::span<const BandFilter> band_filters,
      std::span<const double> band_gains_db,
      const std::vector<std::vector<std::size_t>>& band_groups = {}) const;

 private:
  ParallelConfig config_;
};

}  // namespace auralis
