// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// CriticalBandFilterBank: the EQ's critical bands as separate band filters that sum back to
/// the input, mixed with per-band gains by ParallelBandProcessor (bands filtered concurrently).
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "auralis/eq/critical_bands.hpp"
#include "auralis/eq/eq_frame_kernel.hpp"
#include "auralis/eq/psychoacoustic_eq.hpp"
#include "auralis/parallel/parallel_band_processor.hpp"
#include "auralis/parallel/parallel_config.hpp"

namespace auralis::eq {

/// 26 band filters on mono double signals: filter i < 25 passes critical band i, filter 25
/// (the residual) passes everything outside 20 Hz-20 kHz. Each filter is the EQ's WOLA filter
/// (eq::EqFrameKernel: Hann, hop N/2, output aligned with the input) with a 0/1 mask on the
/// bins, so the masks partition the bins and, the filter being linear in its gains, the 26
/// outputs sum to the input up to rounding (~1e-15). `process` mixes them with
/// ParallelBandProcessor: `y = sum_i 10^(g_i / 20) filter_i(x)` in band order, the residual at
/// 0 dB; the result equals `PsychoacousticEQ::apply_band_gains` with the same gains up to
/// rounding, at 26 times the FFT work, spread over the bands.
///
/// Allocates in the constructor (the kernel, the filters) and per call (each filter's output,
/// O(len)); const methods are thread-safe.
class CriticalBandFilterBank {
 public:
  /// Frames per block inside each band filter: small, so that 26 concurrent filters do not
  /// each allocate (and page-fault) megabytes of scratch; a filter runs on one thread, so
  /// it has no barriers to amortise.
  static constexpr std::size_t filter_block_frames = 16;

  /// Band filters of critical bands plus the residual.
  static constexpr std::size_t filter_count = critical_band_count + 1;

  /// Throws InvalidSettings for a sample rate, fft_size or config out of range (see
  /// EqSettings).
  explicit CriticalBandFilterBank(double sample_rate = 44100.0, std::size_t fft_size = 2048,
                                  const ParallelConfig& config = {})
      : kernel_(std::make_shared<const EqFrameKernel<double>>(sample_rate, fft_size)),
        processor_(config) {
    filters_.reserve(filter_count);
    for (std::size_t band = 0; band < filter_count; ++band) {
      filters_.emplace_back([k = kernel_, band](std::span<const double> x) {
        // Callable on its own (e.g. by a ParallelBandProcessor): validates like process().
        (void)auralis::detail::checked_audio(x, 1, "audio",
                                             auralis::detail::max_sample_magnitude<double>);
        std::vector<double> mask(critical_band_count, 0.0);
        if (band < critical_band_count) mask[band] = 1.0;
        const double outside = band < critical_band_count ? 0.0 : 1.0;
        // One band per task already occupies the workers: each filter runs sequentially.
        return detail::eq_offline<double>(
            *k, x, 1, 1, false, outside,
            [&](std::span<const double>, std::span<double> gains_db) {
              // 0 dB passes the band (amplitude exactly 1); -inf dB gives exactly 0.
              for (std::size_t i = 0; i < critical_band_count; ++i) {
                gains_db[i] = mask[i] == 1.0 ? 0.0 : -std::numeric_limits<double>::infinity();
              }
            },
            filter_block_frames);
      });
    }
  }

  /// The 26 band filters (critical bands 0..24, then the residual), for ParallelBandProcessor.
  [[nodiscard]] std::span<const BandFilter> filters() const noexcept { return filters_; }

  /// `sum_i 10^(g_i / 20) filter_i(audio)` with `band_gains_db` (25 finite dB values) on the
  /// critical bands and 0 dB on the residual, bands filtered concurrently. Throws
  /// InvalidAudio("audio") / InvalidSettings("band_gains_db") for bad input.
  [[nodiscard]] std::vector<double> process(std::span<const double> audio,
                                            std::span<const double> band_gains_db) const {
    (void)auralis::detail::checked_audio(audio, 1, "audio",
                                         auralis::detail::max_sample_magnitude<double>);
    auralis::detail::check_target_curve(band_gains_db, "band_gains_db",
                                        auralis::detail::max_fixed_gain_db);
    std::vector<double> gains(band_gains_db.begin(), band_gains_db.end());
    gains.push_back(0.0);
    return processor_.process_bands_parallel(audio, filters_, gains);
  }

 private:
  std::shared_ptr<const EqFrameKernel<double>> kernel_;
  ParallelBandProcessor processor_;
  std::vector<BandFilter> filters_;
};

}  // namespace auralis::eq
