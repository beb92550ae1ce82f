// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Stages 2 and 3 of the analysis pipeline: temporal smoothing of band levels (a recurrence,
/// applied in frame order) and the per-frame metrics with their file-level means.
///
/// Stage 1 (kernel/frame_analyzer.hpp) turns a frame into a *frame record*: B weighted band
/// levels followed by four metric slots (filled with the bin-level metrics in the standard
/// convention). Stage 2 (Smoother) runs strictly in frame order; stage 3a (finalize_frame) is
/// per frame and stateless; stage 3b (MetricsAccumulator) sums in frame order. Any scheduler
/// that keeps stage 2 and 3b in frame order yields bit-identical results.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <span>
#include <vector>

#include "auralis/kernel/vector_math.hpp"
#include "auralis/settings.hpp"

namespace auralis::kernel {

/// The four scalar metrics of one frame (Hz, Hz, Hz, and dB-sum or energy).
struct FrameMetrics {
  double peak_frequency = 0.0;
  double spectral_centroid = 0.0;
  double spectral_rolloff = 0.0;
  double total_energy = 0.0;
};

/// Number of doubles in a frame record for B bands: B levels + 4 standard metrics.
[[nodiscard]] constexpr std::size_t record_size(std::size_t bands) noexcept { return bands + 4; }

/// The standard-convention metrics stored at the end of a record.
[[nodiscard]] inline FrameMetrics record_metrics(std::span<const double> record) noexcept {
  const std::size_t b = record.size() - 4;
  return {record[b], record[b + 1], record[b + 2], record[b + 3]};
}

/// `ln(10) / 20`: `10^(db / 20) = exp(db * kDbToNeper)`.
inline constexpr double kDbToNeper = std::numbers::ln10 / 20.0;

/// `10^(db / 20)` with the library's exp (kernel/vector_math.hpp): bit-identical to the batch
/// conversion inside auralis_metrics.
[[nodiscard]] inline double db_to_amplitude(double db) noexcept {
  return exp_value(db * kDbToNeper);
}

/// Metrics of the auralis convention, from the (smoothed) band levels `s` in dB and the band
/// edges in Hz. peak: edge of the first maximum; centroid: `sum edge_i s_i / sum s_i` over dB
/// values (the reference's definition; 0 when the dB sum is exactly 0); rolloff: first edge
/// where the cumulative sum of `10^(s_i/20)` reaches 85% of its total; total_energy: `sum s_i`.
/// Allocation-free.
[[nodiscard]] inline FrameMetrics auralis_metrics(std::span<const double> s,
                                                  std::span<const double> edges) noexcept {
  FrameMetrics m;
  const std::size_t b = s.size();
  // 10^(s/20) is needed twice (total, then cumulative): converted in one vectorised pass and
  // kept on the stack for usual band counts, recomputed (bit-identically) beyond.
  constexpr std::size_t cached = 512;
  double amplitude[cached];
  exp_kernel(best_simd_level())(s.data(), kDbToNeper, amplitude, std::min(b, cached));
  auto amp = [&](std::size_t i) { return i < cached ? amplitude[i] : db_to_amplitude(s[i]); };
  std::size_t arg = 0;
  double weighted = 0.0;
  double sum = 0.0;
  double amplitude_total = 0.0;
  for (std::size_t i = 0; i < b; ++i) {
    if (s[i] > s[arg]) arg = i;
    weighted += edges[i] * s[i];
    sum += s[i];
    amplitude_total += amp(i);
  }
  m.peak_frequency = edges[arg];
  m.spectral_centroid = sum != 0.0 ? weighted / sum : 0.0;
  m.total_energy = sum;
  const double threshold = 0.85 * amplitude_total;
  double cumulative = 0.0;
  m.spectral_rolloff = edges[b - 1];
  for (std::size_t i = 0; i < b; ++i) {
    cumulative += amp(i);
    if (cumulative >= threshold) {
      m.spectral_rolloff = edges[i];
      break;
    }
  }
  return m;
}

/// Stage 3a: completes a (smoothed) record with its frame metrics. In the auralis convention
/// the metrics derive from the smoothed band levels and are written into the record's last four
/// slots; standard records already carry their bin-level metrics. Stateless and
/// allocation-free: frames may be finalised in any order once smoothed.
inline void finalize_frame(std::span<double> record, std::span<const double> edges,
                           MetricConvention convention) noexcept {
  if (convention == MetricConvention::standard) return;
  const FrameMetrics m = auralis_metrics(record.first(edges.size()), edges);
  double* tail = record.data() + edges.size();
  tail[0] = m.peak_frequency;
  tail[1] = m.spectral_centroid;
  tail[2] = m.spectral_rolloff;
  tail[3] = m.total_energy;
}

/// Stage 2: exponential smoothing `S_0 = L_0`, `S_t = a S_{t-1} + (1 - a) L_t` over band levels,
/// applied in place, in frame order. A factor of 0 (or the standard convention, which passes
/// `enabled = false`) leaves levels unchanged. Allocates only in the constructor.
class Smoother {
 public:
  Smoother(std::size_t bands, double factor, bool enabled)
      : state_(bands, 0.0), factor_(factor), enabled_(enabled) {}

  /// Smooths `levels` (size B) in place and remembers them as the new state.
  void apply(std::span<double> levels) noexcept {
    if (!enabled_) return;
    if (!primed_) {
      std::copy(levels.begin(), levels.end(), state_.begin());
      primed_ = true;
      return;
    }
    const double a = factor_;
    const double b = 1.0 - factor_;
    for (std::size_t i = 0; i < levels.size(); ++i) {
      state_[i] = a * state_[i] + b * levels[i];
      levels[i] = state_[i];
    }
  }
  /// Forgets the state: the next frame starts a new recurrence.
  void reset() noexcept { primed_ = false; }

 private:
  std::vector<double> state_;
  double factor_;
  bool enabled_;
  bool primed_ = false;
};

/// Stage 3b: the file-level means of finalised records, accumulated in frame order.
class MetricsAccumulator {
 public:
  explicit MetricsAccumulator(std::size_t bands) : spectrum_sum_(bands, 0.0) {}

  /// Adds one finalised record (see finalize_frame) to the running sums.
  void add(std::span<const double> record) noexcept {
    const FrameMetrics m = record_metrics(record);
    for (std::size_t i = 0; i < spectrum_sum_.size(); ++i) spectrum_sum_[i] += record[i];
    sum_.peak_frequency += m.peak_frequency;
    sum_.spectral_centroid += m.spectral_centroid;
    sum_.spectral_rolloff += m.spectral_rolloff;
    sum_.total_energy += m.total_energy;
    ++frames_;
  }

  [[nodiscard]] std::size_t frames() const noexcept { return frames_; }

  /// Writes the means over all added frames into `out` (spectrum, metrics, frame count).
  void finish(SpectrumResult& out) const {
    const double n = static_cast<double>(frames_);
    out.spectrum.resize(spectrum_sum_.size());
    for (std::size_t i = 0; i < spectrum_sum_.size(); ++i) out.spectrum[i] = spectrum_sum_[i] / n;
    out.peak_frequency = sum_.peak_frequency / n;
    out.spectral_centroid = sum_.spectral_centroid / n;
    out.spectral_rolloff = sum_.spectral_rolloff / n;
    out.total_energy = sum_.total_energy / n;
    out.num_chunks_analyzed = frames_;
  }

 private:
  std::vector<double> spectrum_sum_;
  FrameMetrics sum_;
  std::size_t frames_ = 0;
};

}  // namespace auralis::kernel
