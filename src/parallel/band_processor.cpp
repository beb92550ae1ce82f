// SPDX-License-Identifier: GPL-3.0-or-later
// ParallelBandProcessor: compiled once, here, with the library's flags.
#include <algorithm>
#include <cmath>
#include <exception>
#include <string>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/parallel/executor.hpp"
#include "auralis/parallel/parallel_band_processor.hpp"

namespace auralis {
namespace {

void rethrow_if_failed(std::size_t band, const std::exception_ptr& error,
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
    const std::vector<std::vector<std::size_t>>& given, std::size_t bands, std::size_t workers,
    bool band_grouping) {
  std::vector<std::vector<std::size_t>> groups;
  if (!given.empty()) {
    std::vector<char> seen(bands, 0);
    for (const auto& g : given) {
      if (g.empty()) throw InvalidSettings("band_groups", "contains an empty group");
      for (std::size_t b : g) {
        if (b >= bands || seen[b]) {
          throw InvalidSettings("band_groups",
                                "must partition the band indices 0.." + std::to_string(bands - 1) +
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
  const std::size_t per_group = band_grouping ? (bands + workers - 1) / workers : std::size_t{1};
  for (std::size_t b = 0; b < bands; b += per_group) {
    std::vector<std::size_t> g;
    for (std::size_t i = b; i < std::min(bands, b + per_group); ++i) g.push_back(i);
    groups.push_back(std::move(g));
  }
  return groups;
}

}  // namespace

std::vector<double> ParallelBandProcessor::process_bands_parallel(
    std::span<const double> audio, std::span<const BandFilter> band_filters,
    std::span<const double> band_gains_db,
    const std::vector<std::vector<std::size_t>>& band_groups) const {
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
  const std::size_t workers = config_.workers_for(bands, len);
  const std::vector<std::vector<std::size_t>> groups =
      make_groups(band_groups, bands, workers, config_.band_grouping);

  // Groups in order of their first band; a wave is a run of consecutive groups. Every wave
  // runs on the same executor: the workers join once per call.
  detail::Executor executor(groups.size() > 1 ? workers : 1);
  std::vector<double> out(len, 0.0);
  std::vector<std::vector<double>> outputs(bands);
  std::vector<std::exception_ptr> errors(bands);
  std::vector<std::string> wrong_length(bands);
  const std::size_t wave = std::max<std::size_t>(1, 2 * workers);
  std::size_t next_to_add = 0;
  std::vector<char> ready(bands, 0);
  for (std::size_t g0 = 0; g0 < groups.size(); g0 += wave) {
    const std::size_t g1 = std::min(groups.size(), g0 + wave);
    executor.for_each(g1 - g0, 1, [&](std::size_t gi) {
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

}  // namespace auralis
