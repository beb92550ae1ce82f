// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Loudness metering after ITU-R BS.1770-4 and EBU R128 (Tech 3341, Tech 3342): integrated
/// loudness, loudness range, maximum momentary and short-term loudness, sample peak and true
/// peak, offline (`measure_loudness`) or streamed (`LoudnessMeter`), with the same bits either
/// way. The K-weighting filter and the true-peak interpolator are libebur128's; the windows,
/// the gating and the loudness range are computed here, from histograms that keep the exact
/// energy sum of each bin. See docs/loudness.md.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <span>

#include "auralis/error.hpp"
#include "auralis/settings.hpp"

namespace auralis {

/// Smallest and largest sample rate (Hz) the loudness meter accepts; it must be a whole number
/// of Hz. The meter keeps 400 ms of K-weighted audio per channel (libebur128's ring buffer),
/// so the upper limit also bounds its memory (384 kHz x 6 channels x 0.4 s of doubles: 7.4 MB,
/// plus the true-peak buffers).
inline constexpr double min_loudness_sample_rate = 8000.0;
inline constexpr double max_loudness_sample_rate = 384000.0;

/// Largest |sample| the loudness meter accepts: 2^100 (about 1.27e30). libebur128's
/// true-peak interpolator works in float, which must not overflow; audio is near 1.
inline constexpr double max_loudness_sample = 0x1p100;

/// What to measure. Integrated loudness, loudness range, maximum momentary and short-term
/// loudness and sample peak are always measured.
struct LoudnessOptions {
  /// Measure the true peak (BS.1770-4 Annex 2: the signal oversampled 4x below 96 kHz, 2x
  /// below 192 kHz, not oversampled above; libebur128's interpolator). It costs several times
  /// the rest of the measurement; off, `LoudnessStats::true_peak_dbtp` is NaN.
  bool true_peak = true;
};

/// The loudness of a programme. Levels that cannot be measured (silence, or input shorter
/// than the window they need) are -infinity; a JSON writer should emit them as `null`.
struct LoudnessStats {
  /// Integrated (programme) loudness, LUFS: the energy mean of the 400 ms blocks (75% overlap,
  /// on the 100 ms grid) that pass the absolute gate (-70 LUFS) and the relative gate (10 LU
  /// below the mean of the blocks passing the absolute gate), ITU-R BS.1770-4. The blocks are
  /// kept in a histogram of 0.01 LU bins holding each bin's count, exact energy sum and
  /// smallest and largest energy, so memory does not grow with the input's length and the
  /// result is exact unless the bin of the relative gate holds blocks on both sides of it;
  /// then the bin is taken whole or left out, whichever moves the gate less: exact gating with
  /// the gate moved by less than 0.005 LU. -inf when no block passes (silence, or less than
  /// 400 ms).
  double integrated_lufs = -std::numeric_limits<double>::infinity();
  /// Loudness range (LRA), LU, EBU Tech 3342: the spread between the 10th and 95th
  /// percentiles of the short-term (3 s) loudness of blocks passing the absolute gate
  /// (-70 LUFS) and a relative gate 20 LU below their mean, short-term blocks every 100 ms,
  /// percentiles by nearest rank. Same histogram as the integrated loudness: the gate moves by
  /// less than 0.005 LU, and each percentile is its bin's energy mean (exact when the bin holds
  /// one level, within 0.01 LU always, so the range within 0.02 LU). 0 when fewer than two
  /// short-term blocks pass (silence, input shorter than 3 s), and when both percentiles fall
  /// in one bin (a steady level).
  double loudness_range_lu = 0.0;
  /// Largest momentary loudness (400 ms window), LUFS, over the windows ending on the 100 ms
  /// grid (after 400 ms, 500 ms, ...). -inf for silence or input shorter than 400 ms.
  double max_momentary_lufs = -std::numeric_limits<double>::infinity();
  /// Largest short-term loudness (3 s window), LUFS, over the windows ending on the 100 ms
  /// grid (after 3.0 s, 3.1 s, ...). -inf for silence or input shorter than 3 s.
  double max_short_term_lufs = -std::numeric_limits<double>::infinity();
  /// Largest |sample| over all channels, in dBFS (20 log10; 0 dBFS = 1.0). -inf for silence or
  /// no input.
  double sample_peak_dbfs = -std::numeric_limits<double>::infinity();
  /// Largest magnitude of the oversampled signal over all channels, dBTP (20 log10), never
  /// below the sample peak. -inf for silence; NaN when `true_peak_measured` is false.
  double true_peak_dbtp = std::numeric_limits<double>::quiet_NaN();
  /// Whether the true peak was measured (LoudnessOptions::true_peak).
  bool true_peak_measured = false;
  /// Sample frames measured.
  std::size_t frames = 0;
  /// Channels of the input (1, 2, 5 or 6).
  std::size_t channels = 0;
  /// Sample rate of the input, Hz.
  double sample_rate = 0.0;
};

/// Measures a whole programme. `audio.samples` is interleaved with `audio.channels` channels:
/// 1 = mono (one channel, weight 1: a mono signal reads 3 dB below the same signal on both
/// channels of a stereo file, as BS.1770 specifies), 2 = L R, 5 = L R C Ls Rs, 6 = L R C LFE
/// Ls Rs (LFE excluded from the loudness, still in the peaks); surround channels weigh 1.41
/// (+1.5 dB). Equal, bit for bit, to a LoudnessMeter fed the same samples in any blocks.
/// Empty input is allowed (every level -inf, frames 0).
/// Throws InvalidSettings naming `sample_rate` (a whole number of Hz in
/// [min_loudness_sample_rate, max_loudness_sample_rate]) or `channels` (1, 2, 5 or 6), and
/// InvalidAudio naming `samples` (not a whole number of frames, or a NaN, infinite or larger
/// than max_loudness_sample sample: the message gives its index), RuntimeError naming `libebur128`
/// if libebur128 fails (out of memory). Allocates (400 ms of audio per channel and 576 kB of
/// histograms); thread-safe (no shared state).
[[nodiscard]] LoudnessStats measure_loudness(InterleavedAudio<const double> audio,
                                             double sample_rate,
                                             const LoudnessOptions& options = {});
/// Single-precision input; each sample is converted to double exactly, so the result equals
/// that of the same samples as doubles.
[[nodiscard]] LoudnessStats measure_loudness(InterleavedAudio<const float> audio,
                                             double sample_rate,
                                             const LoudnessOptions& options = {});

/// A streaming loudness meter: feed interleaved blocks of any size with add(), read the
/// statistics so far with stats() at any time. Its statistics equal measure_loudness's on the
/// concatenated input, bit for bit, whatever the block sizes. Memory is bounded (400 ms of
/// audio per channel, the true-peak buffers and two histograms of 288 kB) however long the
/// stream.
///
/// Life cycle: the constructor validates and allocates; add() allocates nothing; reset()
/// forgets everything measured. Not thread-safe: use one meter from one thread at a time
/// (different meters may run concurrently). A moved-from meter may only be destroyed or
/// assigned to.
class LoudnessMeter {
 public:
  /// Throws InvalidSettings naming `sample_rate` or `channels` (see measure_loudness), or
  /// RuntimeError naming `libebur128` when libebur128 cannot allocate its state.
  LoudnessMeter(double sample_rate, std::size_t channels, const LoudnessOptions& options = {});
  ~LoudnessMeter();
  LoudnessMeter(LoudnessMeter&&) noexcept;
  LoudnessMeter& operator=(LoudnessMeter&&) noexcept;
  LoudnessMeter(const LoudnessMeter&) = delete;
  LoudnessMeter& operator=(const LoudnessMeter&) = delete;

  /// Adds interleaved samples (`channels()` per frame; any number of frames, 0 included).
  /// Throws InvalidAudio naming `samples` (not a whole number of frames, or a NaN, infinite or
  /// larger than max_loudness_sample sample) before measuring anything: a rejected block
  /// leaves the meter unchanged.
  void add(std::span<const double> samples);
  void add(std::span<const float> samples);

  /// The statistics of everything added since construction or the last reset().
  [[nodiscard]] LoudnessStats stats() const;

  /// Forgets everything measured; the meter is as newly constructed. Allocates a fresh
  /// libebur128 state first (RuntimeError naming `libebur128` if it cannot; the meter is then
  /// unchanged).
  void reset();

  [[nodiscard]] double sample_rate() const noexcept;
  [[nodiscard]] std::size_t channels() const noexcept;
  [[nodiscard]] const LoudnessOptions& options() const noexcept;
  /// Sample frames added since construction or the last reset().
  [[nodiscard]] std::size_t frames() const noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auralis
