// SPDX-License-Identifier: GPL-3.0-or-later
// Batch: the seed's Example 3 in C++. The process-wide ParallelAudioProcessor analyses several
// signals concurrently; results come back in input order, and a bad input fails on its own.
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "auralis/auralis.hpp"

struct Track {
  std::string name;
  std::vector<double> samples;  // mono, 44.1 kHz
};

/// `seconds` of a sine at `hz` Hz, amplitude 0.5, sampled at 44.1 kHz.
std::vector<double> tone(double hz, double seconds) {
  std::vector<double> x(static_cast<std::size_t>(seconds * 44100.0));
  for (std::size_t n = 0; n < x.size(); ++n) {
    x[n] = 0.5 * std::sin(2.0 * std::numbers::pi * hz * static_cast<double>(n) / 44100.0);
  }
  return x;
}

int main() {
  std::vector<Track> tracks = {{"A2, 110 Hz, 2 s", tone(110.0, 2.0)},
                               {"A4, 440 Hz, 3 s", tone(440.0, 3.0)},
                               {"A6, 1760 Hz, 1 s", tone(1760.0, 1.0)},
                               {"silence, 0.5 s", std::vector<double>(22050, 0.0)},
                               {"damaged: a NaN sample", tone(440.0, 1.0)}};
  tracks.back().samples[1000] = std::numeric_limits<double>::quiet_NaN();

  // One analyzer for every task: analyze_file is const, so concurrent calls are safe. Each call
  // may itself run in parallel; nested oneTBB work shares one thread pool (no oversubscription).
  const auralis::ParallelSpectrumAnalyzer analyzer;
  const auto results = auralis::get_parallel_processor().process_batch(
      tracks, [&](const Track& t) { return analyzer.analyze_file(t.samples); });

  // One BatchResult per input, in input order: the value, or the error that input raised
  // (here auralis::InvalidAudio naming the sample index). The other inputs are unaffected.
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    if (results[i].ok()) {
      const auralis::SpectrumResult& r = results[i].value();
      std::printf("%-22s peak %7.1f Hz, centroid %7.1f Hz, %3zu frames, parallel: %s\n",
                  tracks[i].name.c_str(), r.peak_frequency, r.spectral_centroid,
                  r.num_chunks_analyzed, r.parallel_processing ? "yes" : "no");
    } else {
      std::printf("%-22s error: %s\n", tracks[i].name.c_str(), results[i].error_message().c_str());
    }
  }
  return 0;
}
