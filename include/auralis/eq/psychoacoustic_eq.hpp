// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// PsychoacousticEQ: an adaptive critical-band EQ (offline, parallel and real-time paths that
/// give the same bits), after the reference's design with its bugs fixed. See docs/eq.md.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include "auralis/eq/critical_bands.hpp"
#include "auralis/error.hpp"
#include "auralis/parallel/parallel_config.hpp"

namespace auralis {
namespace detail {
template <class Real>
class EqEngine;
}

/// Largest channel count the EQ accepts.
inline constexpr std::size_t max_eq_channels = 64;
/// Smallest and largest sample frames per process_realtime_chunk call.
inline constexpr std::size_t min_eq_block_size = 64;
inline constexpr std::size_t max_eq_block_size = 8192;

/// Settings of PsychoacousticEQ. Defaults: 44.1 kHz, N = 2048 (hop 1024, 23 ms frames, 21.5 Hz
/// bins: the 80 Hz-wide lowest band holds 4 bins), mono, the processor layer's default policy.
struct EqSettings {
  /// Sample rate in Hz, (0, 768000].
  double sample_rate = 44100.0;
  /// FFT (frame) size N: a power of two in [256, 32768]; hop N / 2; real-time latency N - 1.
  std::size_t fft_size = 2048;
  /// Interleaved channels of the audio given to process() and process_realtime_chunk(),
  /// [1, 64]. One gain trajectory, computed from the channels' mean, is applied to every channel.
  std::size_t channels = 1;
  /// Threads of the offline calls (process, apply_band_gains, gain_trajectory). Results do not
  /// depend on it. The real-time path always runs on the calling thread.
  ParallelConfig parallel{};
};

/// Throws InvalidSettings naming the first invalid field: sample_rate in (0, 768000], fft_size a
/// power of two in [256, 32768], channels in [1, 64], then the ParallelConfig's fields.
void validate(const EqSettings& s);

/// Smoothed per-frame gains of an offline call: `gains_db[t * 25 + i]` is the gain of band i
/// applied to frame t (frame t is centred on sample t * N/2).
struct GainTrajectory {
  std::size_t frames = 0;
  std::vector<double> gains_db;
  [[nodiscard]] double at(std::size_t frame, std::size_t band) const noexcept {
    return gains_db[frame * eq::critical_band_count + band];
  }
};

/// An adaptive EQ on the 25 critical bands (20 Hz-20 kHz; everything else passes unchanged).
///
/// Signal processing, per frame (N samples, Hann window, hop N/2, frame t centred on sample
/// t N/2; see docs/eq.md):
///   - analysis of the channels' mean spectrum: band level = mean dB of the band's bins;
///     masking threshold = the loudest band's level - 20 dB;
///   - gains: the target curve's dB value for each band, halved in bands below the masking
///     threshold, times the band's perceptual weight (eq::perceptual_weight of its geometric
///     centre), clipped to +/-12 dB, then smoothed: each frame moves 20% of the way from the
///     previous gain (0 dB before the first frame) to this target;
///   - filtering: each channel's spectrum times the band's linear gain, inverse FFT, Hann
///     synthesis window, overlap-add normalised by the accumulated squared window (weighted
///     overlap-add, WOLA). With all gains at 0 dB the output equals the input (to ~1e-16).
///
/// Three ways to run it, all with the same per-frame code:
///   - `process`: a whole buffer, output aligned with the input (no latency), same length;
///     frames, and frames x channels, run concurrently through the processor layer;
///     bit-identical for every worker count (the smoothing recurrence runs in frame order);
///   - `process_realtime_chunk`: blocks of 64..8192 sample frames, latency `latency()` = N - 1:
///     output sample m of the stream equals `process(...)`'s sample m - (N - 1), bit for bit
///     (0 before that);
///   - `apply_band_gains`: fixed per-band gains, no analysis, masking, weights or smoothing: the
///     frequency-domain counterpart of eq::CriticalBandFilterBank.
///
/// The constructor allocates everything the real-time path needs (and may plan an FFT).
/// Offline methods are const and safe to call concurrently; they allocate their output and at
/// most about 2^21 samples of scratch per call, whatever the length.
/// process_realtime_chunk and reset change the streaming state: one thread at a time.
template <class Real>
class BasicPsychoacousticEQ {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "PsychoacousticEQ computes in float or double");

 public:
  /// Throws InvalidSettings naming the first invalid field.
  explicit BasicPsychoacousticEQ(const EqSettings& settings = {});
  BasicPsychoacousticEQ(BasicPsychoacousticEQ&& other) noexcept;
  BasicPsychoacousticEQ& operator=(BasicPsychoacousticEQ&& other) noexcept;
  BasicPsychoacousticEQ(const BasicPsychoacousticEQ&) = delete;
  BasicPsychoacousticEQ& operator=(const BasicPsychoacousticEQ&) = delete;
  ~BasicPsychoacousticEQ();

  [[nodiscard]] const EqSettings& settings() const noexcept;
  /// Real-time latency in sample frames: N - 1 (the samples of one frame less one).
  [[nodiscard]] std::size_t latency() const noexcept;
  /// The 25 perceptual weights, band by band.
  [[nodiscard]] std::span<const double> weights() const noexcept;

  /// EQs interleaved `audio` (settings().channels per frame) towards `target_curve` (25
  /// relative gains in dB, band by band). Returns as many samples as given, aligned with the
  /// input. Throws InvalidAudio("audio") for empty, misshaped or non-finite audio,
  /// InvalidSettings("target_curve") for a wrong length or a non-finite value.
  [[nodiscard]] std::vector<Real> process(std::span<const Real> audio,
                                          std::span<const double> target_curve) const;

  /// process() into a caller-owned buffer of audio.size() samples, which must not overlap
  /// `audio`: bit-identical output, without allocating (and zero-filling, and faulting in) a
  /// new output per call, which for long inputs costs as much as the filtering itself. Same
  /// checks, plus InvalidAudio("out") for a wrong size or an overlap.
  void process(std::span<const Real> audio, std::span<const double> target_curve,
               std::span<Real> out) const;

  /// The smoothed gains process() applies to each frame (same checks).
  [[nodiscard]] GainTrajectory gain_trajectory(std::span<const Real> audio,
                                               std::span<const double> target_curve) const;

  /// Fixed gains (25 dB values, band by band) applied with the same WOLA filter, without
  /// analysis, masking, weights, clipping or smoothing (same checks, field "band_gains_db").
  [[nodiscard]] std::vector<Real> apply_band_gains(std::span<const Real> audio,
                                                   std::span<const double> band_gains_db) const;

  /// Streams one block: `chunk` holds 64..8192 interleaved sample frames, `out` the same
  /// number of samples; out receives the stream delayed by latency(). Frames completed by this
  /// chunk use this call's `target_curve`. No allocation and no lock unless it throws:
  /// InvalidAudio("chunk") for a bad block size, misshaped or non-finite samples,
  /// InvalidAudio("out") for a wrong output size, InvalidSettings("target_curve"); on a throw
  /// the state is unchanged.
  void process_realtime_chunk(std::span<const Real> chunk, std::span<const double> target_curve,
                              std::span<Real> out);

  /// Back to the state after construction (silence history, 0 dB gains). Never allocates.
  void reset() noexcept;

 private:
  std::unique_ptr<detail::EqEngine<Real>> impl_;
};

/// The default EQ: double-precision compute.
using PsychoacousticEQ = BasicPsychoacousticEQ<double>;
/// Single-precision compute (float samples).
using PsychoacousticEQF = BasicPsychoacousticEQ<float>;

// Every member is defined and instantiated in the library (compiled once, with its flags).
extern template class BasicPsychoacousticEQ<float>;
extern template class BasicPsychoacousticEQ<double>;

}  // namespace auralis
