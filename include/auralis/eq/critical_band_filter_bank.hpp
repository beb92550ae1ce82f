// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// CriticalBandFilterBank: the EQ's critical bands as separate band filters that sum back to
/// the input, mixed with per-band gains by ParallelBandProcessor (bands filtered concurrently).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "auralis/eq/critical_bands.hpp"
#include "auralis/parallel/parallel_band_processor.hpp"
#include "auralis/parallel/parallel_config.hpp"

namespace auralis::eq {

/// 26 band filters on mono double signals: filter i < 25 passes critical band i, filter 25
/// (the residual) passes everything outside 20 Hz-20 kHz. Each filter is the EQ's WOLA filter
/// (Hann, hop N/2, output aligned with the input) with a 0/1 mask on the
/// bins, so the masks partition the bins and, the filter being linear in its gains, the 26
/// outputs sum to the input up to rounding (~1e-15). `process` mixes them with
/// ParallelBandProcessor: `y = sum_i 10^(g_i / 20) filter_i(x)` in band order, the residual at
/// 0 dB; the result equals `PsychoacousticEQ::apply_band_gains` with the same gains up to
/// rounding, at 26 times the FFT work, spread over the bands.
///
/// Allocates in the constructor (the kernel, the filters) and per call (each filter's output,
/// O(len)); const methods are thread-safe. Everything is compiled in the library: results do
/// not depend on the caller's compiler flags.
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
                                  const ParallelConfig& config = {});

  /// The 26 band filters (critical bands 0..24, then the residual), for ParallelBandProcessor.
  [[nodiscard]] std::span<const BandFilter> filters() const noexcept { return filters_; }

  /// `sum_i 10^(g_i / 20) filter_i(audio)` with `band_gains_db` (25 finite dB values) on the
  /// critical bands and 0 dB on the residual, bands filtered concurrently. Throws
  /// InvalidAudio("audio") / InvalidSettings("band_gains_db") for bad input.
  [[nodiscard]] std::vector<double> process(std::span<const double> audio,
                                            std::span<const double> band_gains_db) const;

 private:
  ParallelBandProcessor processor_;
  std::vector<BandFilter> filters_;
};

}  // namespace auralis::eq
