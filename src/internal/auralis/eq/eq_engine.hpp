// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// The engine behind PsychoacousticEQ (internal): the offline WOLA filter and the EQ's state.
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/eq/critical_bands.hpp"
#include "auralis/eq/eq_frame_kernel.hpp"
#include "auralis/eq/eq_rules.hpp"
#include "auralis/eq/psychoacoustic_eq.hpp"
#include "auralis/error.hpp"
#include "auralis/kernel/aligned_buffer.hpp"
#include "auralis/parallel/executor.hpp"
#include "auralis/parallel/parallel_config.hpp"

namespace auralis {

namespace detail {

/// Largest |gain| accepted by the fixed-gain paths (apply_band_gains, the filter bank): +120 dB
/// keeps samples within each precision's range (2^100 * 10^6 < 2^128 in float).
inline constexpr double max_fixed_gain_db = 120.0;

/// Throws InvalidSettings(field) unless `curve` holds 25 finite dB values of magnitude at most
/// `max_abs_db`.
inline void check_target_curve(std::span<const double> curve, const char* field,
                               double max_abs_db = std::numeric_limits<double>::infinity()) {
  if (curve.size() != eq::critical_band_count) {
    throw InvalidSettings(field, "holds " + std::to_string(curve.size()) +
                                     " values; one dB gain per critical band (25) is required");
  }
  for (std::size_t i = 0; i < curve.size(); ++i) {
    if (!std::isfinite(curve[i])) {
      throw InvalidSettings(
          field, "value " + std::to_string(i) + " is not finite; gains are finite dB values");
    }
    if (std::fabs(curve[i]) > max_abs_db) {
      throw InvalidSettings(field, "value " + std::to_string(i) + " (" + std::to_string(curve[i]) +
                                       " dB) is beyond +/-" + std::to_string(max_abs_db) + " dB");
    }
  }
}

/// Frames of the WOLA grid for `len` >= 1 sample frames: frames 0 .. floor((len - 1) / H) + 1.
[[nodiscard]] inline std::size_t eq_frame_count(std::size_t len, std::size_t hop) noexcept {
  return len == 0 ? 0 : (len - 1) / hop + 2;
}

/// Frames per block of the offline path: as many as fit 2^20 samples of frame output
/// (`frames * channels * N`), between 4 and 256. This bounds the per-call memory (frame
/// outputs plus spectra: about 2^21 * sizeof(Real) bytes, 16 MB in double) and keeps the
/// barriers between stages few (3 per block).
[[nodiscard]] inline std::size_t eq_block_frames(std::size_t channels, std::size_t n) noexcept {
  return std::clamp<std::size_t>((std::size_t{1} << 20) / (channels * n), 4, 256);
}

/// The offline WOLA filter over interleaved `audio` (validated, `len` frames of `channels`),
/// on `workers` threads, bit-identical for every worker count and block size. Per block of
/// `block_frames` frames (0: eq_block_frames):
///   1. parallel over frames: each channel's windowed FFT; with `analyze`, the band levels;
///   2. serial, in frame order: `gain_stage(levels, gains_db)` (the smoothing recurrence);
///   3. parallel over (frame, channel): gains, inverse FFT, synthesis window;
///   4. parallel over (frame, channel): the normalised overlap-add into the output.
/// Stages 1, 3 and 4 are pure functions of their inputs and stage 2 runs in frame order, so the
/// operations and their order do not depend on `workers`.
/// Writes every sample of `out` (audio.size() samples, not overlapping `audio`).
template <class Real, class GainStage>
void eq_offline_into(const eq::EqFrameKernel<Real>& k, std::span<const Real> audio,
                     std::span<Real> out, std::size_t channels, std::size_t workers, bool analyze,
                     Real outside_gain, GainStage&& gain_stage, std::size_t block_frames = 0) {
  using Complex = typename eq::EqFrameKernel<Real>::Complex;
  using Workspace = typename eq::EqFrameKernel<Real>::Workspace;
  constexpr std::size_t nb = eq::critical_band_count;
  const std::size_t len = audio.size() / channels;
  const std::size_t n = k.size();
  const std::size_t h = k.hop();
  const std::size_t stride = k.spectrum_stride();
  const std::size_t frames = eq_frame_count(len, h);
  const std::size_t block =
      std::min(block_frames == 0 ? eq_block_frames(channels, n) : block_frames, frames);

  kernel::AlignedBuffer<Complex> spectra(block * channels * stride);
  std::vector<Real> y(block * channels * n);
  std::vector<Real> tail(channels * h, Real(0));
  std::vector<double> levels(block * nb, 0.0);
  std::vector<double> gains_db(nb, 0.0);
  std::vector<Real> amplitudes(block * nb);
  tbb::enumerable_thread_specific<Workspace> workspaces([&] { return k.make_workspace(); });
  tbb::enumerable_thread_specific<std::vector<Real>> frames_in(
      [&] { return std::vector<Real>(n); });
  Executor executor(workers);  // one set of threads for every block and stage of the call

  for (std::size_t f0 = 0; f0 < frames; f0 += block) {
    const std::size_t count = std::min(block, frames - f0);
    // Stage 1: spectra (and levels) of each frame.
    executor.for_each(count, 1, [&](std::size_t i) {
      Workspace& ws = workspaces.local();
      std::vector<Real>& frame = frames_in.local();
      const std::size_t f = f0 + i;
      for (std::size_t c = 0; c < channels; ++c) {
        for (std::size_t m = 0; m < n; ++m) {
          // Sample (f - 1) H + m, zero outside [0, len).
          const std::size_t pos = f * h + m;
          frame[m] = (pos >= h && pos - h < len) ? audio[(pos - h) * channels + c] : Real(0);
        }
        k.transform(frame.data(), ws, spectra.data() + (i * channels + c) * stride);
      }
      if (analyze) {
        k.band_levels(spectra.data() + i * channels * stride, channels,
                      std::span<double>(levels.data() + i * nb, nb));
      }
    });
    // Stage 2: the gain recurrence, in frame order.
    for (std::size_t i = 0; i < count; ++i) {
      gain_stage(std::span<const double>(levels.data() + i * nb, nb), std::span<double>(gains_db));
      eq::EqFrameKernel<Real>::to_linear(gains_db, amplitudes.data() + i * nb);
    }
    // Stage 3: filtered frames.
    executor.for_each(count * channels, 1, [&](std::size_t item) {
      const std::size_t i = item / channels;
      k.synthesize(spectra.data() + item * stride, amplitudes.data() + i * nb, outside_gain,
                   workspaces.local(), y.data() + item * n);
    });
    // Stage 4: frame f completes the samples [(f - 1) H, f H).
    executor.for_each(count * channels, 1, [&](std::size_t item) {
      const std::size_t i = item / channels;
      const std::size_t c = item % channels;
      const std::size_t f = f0 + i;
      if (f == 0) return;
      const Real* older =
          i == 0 ? tail.data() + c * h : y.data() + ((i - 1) * channels + c) * n + h;
      const std::size_t start = (f - 1) * h;
      if (start >= len) return;
      const std::size_t valid = std::min(h, len - start);
      Real* dst = out.data() + start * channels + c;
      if (valid == h) {
        k.overlap_add(older, y.data() + item * n, dst, channels);
      } else {
        // The last, partial hop: through scratch (the frame buffer is free in this stage).
        std::vector<Real>& scratch = frames_in.local();
        k.overlap_add(older, y.data() + item * n, scratch.data(), 1);
        for (std::size_t j = 0; j < valid; ++j) dst[j * channels] = scratch[j];
      }
    });
    for (std::size_t c = 0; c < channels; ++c) {
      const Real* last = y.data() + ((count - 1) * channels + c) * n + h;
      std::copy(last, last + h, tail.begin() + static_cast<std::ptrdiff_t>(c * h));
    }
  }
}

/// eq_offline_into with a newly allocated output.
template <class Real, class GainStage>
[[nodiscard]] std::vector<Real> eq_offline(const eq::EqFrameKernel<Real>& k,
                                           std::span<const Real> audio, std::size_t channels,
                                           std::size_t workers, bool analyze, Real outside_gain,
                                           GainStage&& gain_stage, std::size_t block_frames = 0) {
  std::vector<Real> out(audio.size());
  eq_offline_into<Real>(k, audio, std::span<Real>(out), channels, workers, analyze, outside_gain,
                        std::forward<GainStage>(gain_stage), block_frames);
  return out;
}

/// An adaptive EQ on the 25 critical bands (20 Hz-20 kHz; everything else passes unchanged).
///
/// Signal processing, per frame (N samples, Hann window, hop N/2, frame t centred on sample
/// t N/2; see eq::EqFrameKernel):
///   - analysis of the channels' mean spectrum: band level = mean dB of the band's bins;
///     masking threshold = the loudest band's level - 20 dB;
///   - gains: the target curve's dB value for each band, halved in bands below the masking
///     threshold, times the band's perceptual weight (eq::perceptual_weight of its geometric
///     centre), clipped to +/-12 dB, then smoothed: each frame moves 20% of the way from the
///     previous gain (0 dB before the first frame) to this target (eq::GainSmoother);
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
/// most about 2^21 samples of scratch per call (detail::eq_block_frames), whatever the length.
/// process_realtime_chunk and reset change the streaming state: one thread at a time.
template <class Real>
class EqEngine {
 public:
  using Kernel = eq::EqFrameKernel<Real>;

  /// Throws InvalidSettings naming the first invalid field.
  explicit EqEngine(const EqSettings& settings);

  [[nodiscard]] const EqSettings& settings() const noexcept { return settings_; }
  /// The per-frame kernel (frame size, bins of each band).
  [[nodiscard]] const Kernel& kernel() const noexcept { return kernel_; }
  /// Real-time latency in sample frames: N - 1 (the samples of one frame less one).
  [[nodiscard]] std::size_t latency() const noexcept { return kernel_.size() - 1; }
  /// The 25 perceptual weights, band by band.
  [[nodiscard]] std::span<const double> weights() const noexcept { return weights_; }

  // The members below do what BasicPsychoacousticEQ documents for them
  // (include/auralis/eq/psychoacoustic_eq.hpp), which forwards to them.
  [[nodiscard]] std::vector<Real> process(std::span<const Real> audio,
                                          std::span<const double> target_curve) const;

  void process(std::span<const Real> audio, std::span<const double> target_curve,
               std::span<Real> out) const;

  [[nodiscard]] GainTrajectory gain_trajectory(std::span<const Real> audio,
                                               std::span<const double> target_curve) const;

  [[nodiscard]] std::vector<Real> apply_band_gains(std::span<const Real> audio,
                                                   std::span<const double> band_gains_db) const;

  void process_realtime_chunk(std::span<const Real> chunk, std::span<const double> target_curve,
                              std::span<Real> out);

  void reset() noexcept;

 private:
  [[nodiscard]] std::size_t offline_workers(std::size_t len) const noexcept {
    return settings_.parallel.workers_for(detail::eq_frame_count(len, kernel_.hop()), len);
  }
  void realtime_frame(std::span<const double> target_curve) noexcept;

  EqSettings settings_;
  Kernel kernel_;
  std::vector<double> weights_;
  // Real-time state.
  typename Kernel::Workspace ws_;
  kernel::AlignedBuffer<typename Kernel::Complex> spectra_;
  std::vector<Real> in_;    // channels x N: the frame being filled
  std::vector<Real> y_;     // channels x N: the last frame's output
  std::vector<Real> tail_;  // channels x H: second half of the previous frame's output
  std::vector<Real> done_;  // channels x H: finished samples waiting to be output
  std::vector<double> levels_;
  std::vector<double> targets_;
  std::vector<Real> amplitudes_;
  eq::GainSmoother smoother_;
  std::size_t fill_ = 0;    // samples in the second half of in_
  std::size_t read_ = 0;    // next sample of done_
  std::size_t frames_ = 0;  // frames processed since reset
};

// Out of line and non-inline on purpose (see EqFrameKernel).

template <class Real>
EqEngine<Real>::EqEngine(const EqSettings& settings)
    : settings_((validate(settings), settings)),
      kernel_(settings.sample_rate, settings.fft_size),
      weights_(eq::perceptual_weights()),
      ws_(kernel_.make_workspace()),
      spectra_(settings.channels * kernel_.spectrum_stride()),
      in_(settings.channels * kernel_.size(), Real(0)),
      y_(settings.channels * kernel_.size(), Real(0)),
      tail_(settings.channels * kernel_.hop(), Real(0)),
      done_(settings.channels * kernel_.hop(), Real(0)),
      levels_(eq::critical_band_count, 0.0),
      targets_(eq::critical_band_count, 0.0),
      amplitudes_(eq::critical_band_count, Real(1)),
      smoother_(eq::critical_band_count) {}

template <class Real>
std::vector<Real> EqEngine<Real>::process(std::span<const Real> audio,
                                          std::span<const double> target_curve) const {
  std::vector<Real> out(audio.size());  // the overload below validates everything
  process(audio, target_curve, std::span<Real>(out));
  return out;
}

template <class Real>
void EqEngine<Real>::process(std::span<const Real> audio, std::span<const double> target_curve,
                             std::span<Real> out) const {
  const std::size_t len =
      detail::checked_audio(audio, settings_.channels, "audio", detail::max_sample_magnitude<Real>)
          .frames;
  detail::check_target_curve(target_curve, "target_curve");
  if (out.size() != audio.size()) {
    throw InvalidAudio("out", "holds " + std::to_string(out.size()) + " samples; " +
                                  std::to_string(audio.size()) + " (as many as audio) required");
  }
  if (out.data() < audio.data() + audio.size() && audio.data() < out.data() + out.size()) {
    throw InvalidAudio("out", "overlaps audio; offline processing needs a separate buffer");
  }
  eq::GainSmoother smoother;
  std::vector<double> targets(eq::critical_band_count);
  detail::eq_offline_into<Real>(
      kernel_, audio, out, settings_.channels, offline_workers(len), true, Real(1),
      [&](std::span<const double> levels, std::span<double> gains) {
        eq::adaptive_target_gains(levels, target_curve, weights_, targets);
        const std::span<const double> g = smoother.apply(targets);
        std::copy(g.begin(), g.end(), gains.begin());
      });
}

template <class Real>
GainTrajectory EqEngine<Real>::gain_trajectory(std::span<const Real> audio,
                                               std::span<const double> target_curve) const {
  const kernel::AudioView<Real> view =
      detail::checked_audio(audio, settings_.channels, "audio", detail::max_sample_magnitude<Real>);
  detail::check_target_curve(target_curve, "target_curve");
  constexpr std::size_t nb = eq::critical_band_count;
  const std::size_t channels = settings_.channels;
  const std::size_t n = kernel_.size();
  const std::size_t h = kernel_.hop();
  const std::size_t stride = kernel_.spectrum_stride();
  GainTrajectory r;
  r.frames = detail::eq_frame_count(view.frames, h);
  r.gains_db.resize(r.frames * nb);
  std::vector<double> levels(r.frames * nb);
  using Workspace = typename Kernel::Workspace;
  struct Scratch {
    Workspace ws;
    kernel::AlignedBuffer<typename Kernel::Complex> spectra;
    std::vector<Real> frame;
  };
  tbb::enumerable_thread_specific<Scratch> scratch([&] {
    return Scratch{kernel_.make_workspace(),
                   kernel::AlignedBuffer<typename Kernel::Complex>(channels * stride),
                   std::vector<Real>(n)};
  });
  Executor(offline_workers(view.frames)).for_each(r.frames, 1, [&](std::size_t f) {
    Scratch& s = scratch.local();
    for (std::size_t c = 0; c < channels; ++c) {
      for (std::size_t m = 0; m < n; ++m) {
        const std::size_t pos = f * h + m;
        s.frame[m] =
            (pos >= h && pos - h < view.frames) ? audio[(pos - h) * channels + c] : Real(0);
      }
      kernel_.transform(s.frame.data(), s.ws, s.spectra.data() + c * stride);
    }
    kernel_.band_levels(s.spectra.data(), channels, std::span<double>(levels.data() + f * nb, nb));
  });
  eq::GainSmoother smoother;
  std::vector<double> targets(nb);
  for (std::size_t f = 0; f < r.frames; ++f) {
    eq::adaptive_target_gains(std::span<const double>(levels.data() + f * nb, nb), target_curve,
                              weights_, targets);
    const std::span<const double> g = smoother.apply(targets);
    std::copy(g.begin(), g.end(), r.gains_db.begin() + static_cast<std::ptrdiff_t>(f * nb));
  }
  return r;
}

template <class Real>
std::vector<Real> EqEngine<Real>::apply_band_gains(std::span<const Real> audio,
                                                   std::span<const double> band_gains_db) const {
  const std::size_t len =
      detail::checked_audio(audio, settings_.channels, "audio", detail::max_sample_magnitude<Real>)
          .frames;
  detail::check_target_curve(band_gains_db, "band_gains_db", detail::max_fixed_gain_db);
  return detail::eq_offline<Real>(kernel_, audio, settings_.channels, offline_workers(len), false,
                                  Real(1), [&](std::span<const double>, std::span<double> gains) {
                                    std::copy(band_gains_db.begin(), band_gains_db.end(),
                                              gains.begin());
                                  });
}

template <class Real>
void EqEngine<Real>::process_realtime_chunk(std::span<const Real> chunk,
                                            std::span<const double> target_curve,
                                            std::span<Real> out) {
  const std::size_t channels = settings_.channels;
  if (chunk.size() % channels != 0 || chunk.size() / channels < min_eq_block_size ||
      chunk.size() / channels > max_eq_block_size) {
    throw InvalidAudio("chunk", "holds " + std::to_string(chunk.size()) + " samples; a block is " +
                                    std::to_string(min_eq_block_size) + ".." +
                                    std::to_string(max_eq_block_size) +
                                    " sample frames of channels = " + std::to_string(channels));
  }
  if (out.size() != chunk.size()) {
    throw InvalidAudio("out", "holds " + std::to_string(out.size()) + " samples for a chunk of " +
                                  std::to_string(chunk.size()));
  }
  (void)detail::checked_audio(chunk, channels, "chunk", detail::max_sample_magnitude<Real>);
  detail::check_target_curve(target_curve, "target_curve");

  const std::size_t n = kernel_.size();
  const std::size_t h = kernel_.hop();
  const std::size_t frames = chunk.size() / channels;
  std::size_t i = 0;
  while (i < frames) {
    const std::size_t run = std::min(frames - i, h - fill_);
    const bool completes = fill_ + run == h;
    // Outputs before the frame boundary come from the finished samples already waiting.
    const std::size_t from_old = completes ? run - 1 : run;
    for (std::size_t c = 0; c < channels; ++c) {
      Real* in = in_.data() + c * n + h + fill_;
      const Real* done = done_.data() + c * h + read_;
      for (std::size_t j = 0; j < run; ++j) in[j] = chunk[(i + j) * channels + c];
      for (std::size_t j = 0; j < from_old; ++j) out[(i + j) * channels + c] = done[j];
    }
    if (completes) {
      realtime_frame(target_curve);
      for (std::size_t c = 0; c < channels; ++c) {
        out[(i + run - 1) * channels + c] = done_[c * h];
      }
      read_ = 1;
      fill_ = 0;
    } else {
      read_ += run;
      fill_ += run;
    }
    i += run;
  }
}

template <class Real>
void EqEngine<Real>::realtime_frame(std::span<const double> target_curve) noexcept {
  const std::size_t channels = settings_.channels;
  const std::size_t n = kernel_.size();
  const std::size_t h = kernel_.hop();
  const std::size_t stride = kernel_.spectrum_stride();
  for (std::size_t c = 0; c < channels; ++c) {
    kernel_.transform(in_.data() + c * n, ws_, spectra_.data() + c * stride);
  }
  kernel_.band_levels(spectra_.data(), channels, levels_);
  eq::adaptive_target_gains(levels_, target_curve, weights_, targets_);
  Kernel::to_linear(smoother_.apply(targets_), amplitudes_.data());
  for (std::size_t c = 0; c < channels; ++c) {
    Real* y = y_.data() + c * n;
    Real* tail = tail_.data() + c * h;
    kernel_.synthesize(spectra_.data() + c * stride, amplitudes_.data(), Real(1), ws_, y);
    // Frame f finishes the samples [(f - 1) H, f H); frame 0 finishes only samples before 0.
    if (frames_ > 0) {
      kernel_.overlap_add(tail, y, done_.data() + c * h, 1);
    }
    std::copy(y + h, y + n, tail);
    Real* in = in_.data() + c * n;
    std::copy(in + h, in + n, in);
  }
  ++frames_;
}

template <class Real>
void EqEngine<Real>::reset() noexcept {
  std::fill(in_.begin(), in_.end(), Real(0));
  std::fill(y_.begin(), y_.end(), Real(0));
  std::fill(tail_.begin(), tail_.end(), Real(0));
  std::fill(done_.begin(), done_.end(), Real(0));
  smoother_.reset();
  fill_ = 0;
  read_ = 0;
  frames_ = 0;
}

}  // namespace detail

}  // namespace auralis
