// SPDX-License-Identifier: GPL-3.0-or-later
// CriticalBandFilterBank: compiled once, here, with the library's flags.
#include "auralis/eq/critical_band_filter_bank.hpp"

#include <limits>
#include <memory>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/eq/eq_engine.hpp"
#include "auralis/eq/eq_frame_kernel.hpp"

namespace auralis::eq {

CriticalBandFilterBank::CriticalBandFilterBank(double sample_rate, std::size_t fft_size,
                                               const ParallelConfig& config)
    : processor_(config) {
  const auto kernel = std::make_shared<const EqFrameKernel<double>>(sample_rate, fft_size);
  filters_.reserve(filter_count);
  for (std::size_t band = 0; band < filter_count; ++band) {
    filters_.emplace_back([k = kernel, band](std::span<const double> x) {
      // Callable on its own (e.g. by a ParallelBandProcessor): validates like process().
      (void)auralis::detail::checked_audio(x, 1, "audio",
                                           auralis::detail::max_sample_magnitude<double>);
      std::vector<double> mask(critical_band_count, 0.0);
      if (band < critical_band_count) mask[band] = 1.0;
      const double outside = band < critical_band_count ? 0.0 : 1.0;
      // One band per task already occupies the workers: each filter runs sequentially.
      return auralis::detail::eq_offline<double>(
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

std::vector<double> CriticalBandFilterBank::process(std::span<const double> audio,
                                                    std::span<const double> band_gains_db) const {
  (void)auralis::detail::checked_audio(audio, 1, "audio",
                                       auralis::detail::max_sample_magnitude<double>);
  auralis::detail::check_target_curve(band_gains_db, "band_gains_db",
                                      auralis::detail::max_fixed_gain_db);
  std::vector<double> gains(band_gains_db.begin(), band_gains_db.end());
  gains.push_back(0.0);
  return processor_.process_bands_parallel(audio, filters_, gains);
}

}  // namespace auralis::eq
