// SPDX-License-Identifier: GPL-3.0-or-later
// Custom settings: every field set, stereo float input, real-time streaming, a rejected setting.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <span>
#include <vector>

#include "auralis/auralis.hpp"

int main() {
  auralis::SpectrumSettings s;
  s.fft_size = 2048;                              // 42.7 ms frames at 48 kHz
  s.window_type = auralis::WindowType::hann;      // periodic Hann
  s.overlap = 0.5;                                // hop = 1024 samples
  s.sample_rate = 48000.0;                        // Hz
  s.frequency_bands = 96;                         // log-spaced bands
  s.frequency_weighting = auralis::Weighting::C;  // IEC 61672 C in the standard convention
  s.smoothing_factor = 0.5;                       // used by the auralis convention only
  s.min_frequency = 40.0;                         // lowest band edge, Hz
  s.max_frequency = 16000.0;                      // highest band edge, Hz
  s.metric_convention = auralis::MetricConvention::standard;  // bin-level, unsmoothed metrics
  auralis::SpectrumAnalyzer analyzer(s);  // validates, plans the FFT, allocates its buffers

  // 0.2 s of interleaved stereo float (L R L R ...): left 1 kHz at 0.5, right 5 kHz at 0.25.
  // Channels are averaged before analysis.
  std::vector<float> stereo(2 * 9600);
  for (std::size_t n = 0; n < stereo.size(); n += 2) {
    const double phase = 2.0 * std::numbers::pi * static_cast<double>(n / 2) / s.sample_rate;
    stereo[n] = static_cast<float>(0.5 * std::sin(1000.0 * phase));
    stereo[n + 1] = static_cast<float>(0.25 * std::sin(5000.0 * phase));
  }
  const auralis::SpectrumResult whole =
      analyzer.analyze_file(auralis::InterleavedAudio<const float>{stereo, 2});
  std::printf("file: %zu frames, peak %.1f Hz, centroid %.1f Hz\n", whole.num_chunks_analyzed,
              whole.peak_frequency, whole.spectral_centroid);

  // Streaming: blocks of up to fft_size sample frames arrive in turn (the short last one is
  // zero-padded). Reusing `out`, analyze_chunk neither allocates nor locks after the first call.
  auralis::SpectrumResult out;
  const std::span<const float> all(stereo);
  for (std::size_t first = 0; first < all.size(); first += 2 * s.fft_size) {
    const auto block = all.subspan(first, std::min(2 * s.fft_size, all.size() - first));
    analyzer.analyze_chunk(auralis::InterleavedAudio<const float>{block, 2}, out);
    std::printf("chunk at %5zu: %4zu frames, peak %7.1f Hz, rolloff %7.1f Hz\n", first / 2,
                block.size() / 2, out.peak_frequency, out.spectral_rolloff);
  }

  // Invalid settings throw auralis::InvalidSettings (a std::invalid_argument) naming the field.
  try {
    auralis::SpectrumSettings bad = s;
    bad.overlap = 1.0;  // would give a hop of 0 samples
    auralis::SpectrumAnalyzer rejected(bad);
  } catch (const auralis::InvalidSettings& e) {
    std::printf("rejected (field \"%s\"): %s\n", e.field().c_str(), e.what());
  }
  return 0;
}
