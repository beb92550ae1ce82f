// SPDX-License-Identifier: GPL-3.0-or-later
// Loudness metering (ITU-R BS.1770-4, EBU Tech 3341/3342). See include/auralis/loudness.hpp
// and docs/loudness.md.
//
// Division of labour: libebur128 (in EBUR128_MODE_M, plus EBUR128_MODE_TRUE_PEAK when asked)
// runs the K-weighting filter into its 400 ms ring buffer and the true-peak interpolator; at
// each point of the 100 ms grid we read the energy of the last 100 ms from it
// (ebur128_loudness_window) and do everything else here: the 400 ms and 3 s window energies,
// their maxima, the BS.1770-4 gating and the EBU Tech 3342 loudness range, from histograms that
// keep per bin the count and the exact sum of the energies of the blocks (see GatingHistogram).
// libebur128's own gating (EBUR128_MODE_HISTOGRAM) counts each block at its 0.1 LU bin's centre
// and reads Tech 3341 test 1 0.043 LU high; its exact mode keeps every block (a malloc each).
//
// How the statistics stay independent of the caller's block sizes: every block is split at
// the 100 ms grid (multiples of libebur128's 100 ms step, round(fs / 10) frames, counted from
// the first frame), so libebur128 sees the same samples in the same order whatever the split
// (its K-weighting filter and true-peak interpolator carry their state from sample to sample
// and do not depend on how add_frames calls are cut), and everything derived at a grid point
// (the 100 ms energy, the window means, the histogram sums, accumulated per bin in block
// order) is computed at the same points, in the same order, with the same arithmetic.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <mutex>
#include <span>
#include <string>
#include <utility>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/dynamics/io_checks.hpp"
#include "auralis/error.hpp"
#include "auralis/loudness.hpp"
#include "auralis/loudness/ebur128_state.hpp"

namespace auralis {

namespace loudness::detail {

Ebur128Ptr make_ebur128(std::size_t channels, unsigned long sample_rate, int mode) {
  Ebur128Ptr st;
  {
    // ebur128_init rewrites libebur128's static tables (the same values every time).
    static std::mutex init_mutex;
    const std::lock_guard<std::mutex> lock(init_mutex);
    st.reset(ebur128_init(static_cast<unsigned int>(channels), sample_rate, mode));
  }
  if (!st) {
    throw RuntimeError("libebur128", "ebur128_init failed for " + std::to_string(channels) +
                                         " channels at " + std::to_string(sample_rate) +
                                         " Hz (out of memory)");
  }
  // BS.1770-4's channel weights: L, R, C 1.0; Ls, Rs 1.41; the LFE is not measured.
  static constexpr int mono[] = {EBUR128_LEFT};
  static constexpr int stereo[] = {EBUR128_LEFT, EBUR128_RIGHT};
  static constexpr int five[] = {EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_LEFT_SURROUND,
                                 EBUR128_RIGHT_SURROUND};
  static constexpr int six[] = {EBUR128_LEFT,   EBUR128_RIGHT,         EBUR128_CENTER,
                                EBUR128_UNUSED, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND};
  std::span<const int> map;
  switch (channels) {
    case 1:
      map = mono;
      break;
    case 2:
      map = stereo;
      break;
    case 5:
      map = five;
      break;
    case 6:
      map = six;
      break;
    default:
      throw InvalidSettings("channels", "no BS.1770 channel map for this count");
  }
  for (std::size_t c = 0; c < map.size(); ++c) {
    check_ebur128(ebur128_set_channel(st.get(), static_cast<unsigned int>(c), map[c]),
                  "ebur128_set_channel");
  }
  return st;
}

void check_ebur128(int code, const char* call) {
  if (code == EBUR128_SUCCESS) return;
  const char* why = code == EBUR128_ERROR_NOMEM                   ? "out of memory"
                    : code == EBUR128_ERROR_INVALID_MODE          ? "invalid mode"
                    : code == EBUR128_ERROR_INVALID_CHANNEL_INDEX ? "invalid channel index"
                                                                  : "error";
  throw RuntimeError(
      "libebur128", std::string(call) + " failed: " + why + " (code " + std::to_string(code) + ")");
}

}  // namespace loudness::detail

namespace {

using loudness::detail::check_ebur128;
using loudness::detail::Ebur128Ptr;
using loudness::detail::make_ebur128;

constexpr double kInf = std::numeric_limits<double>::infinity();
/// Sub-blocks (100 ms) in the short-term window (3 s) and the momentary window (400 ms).
constexpr std::size_t kShortTermSteps = 30;
constexpr std::size_t kMomentarySteps = 4;

void validate_loudness_sample_rate(double sample_rate) {
  dynamics::detail::require_range(sample_rate, min_loudness_sample_rate, max_loudness_sample_rate,
                                  "sample_rate", "Hz");
  if (sample_rate != std::floor(sample_rate)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "must be a whole number of Hz (libebur128), got %.17g",
                  sample_rate);
    throw InvalidSettings("sample_rate", buf);
  }
}

void validate_loudness_channels(std::size_t channels) {
  if (channels != 1 && channels != 2 && channels != 5 && channels != 6) {
    throw InvalidSettings("channels",
                          "must be 1 (mono), 2 (L R), 5 (L R C Ls Rs) or 6 (L R C LFE Ls Rs), "
                          "the layouts of ITU-R BS.1770-4, got " +
                              std::to_string(channels));
  }
}

/// Checks a block (whole frames, finite samples) and returns its largest |sample|.
template <class T>
double checked_block_peak(std::span<const T> samples, std::size_t channels) {
  if (samples.size() % channels != 0) {
    throw InvalidAudio("samples", std::to_string(samples.size()) +
                                      " samples is not a whole number of frames of " +
                                      std::to_string(channels) + " channels (interleaved)");
  }
  const std::size_t bad = auralis::detail::first_unanalysable(samples, max_loudness_sample);
  if (bad != samples.size()) {
    const auto v = static_cast<double>(samples[bad]);
    char what[160];
    if (std::isfinite(v)) {
      std::snprintf(what, sizeof what,
                    "%.6g, beyond %.6g, the largest magnitude the loudness meter measures", v,
                    max_loudness_sample);
    } else {
      std::snprintf(what, sizeof what, "%s; only finite samples can be measured",
                    std::isnan(v) ? "NaN" : (v > 0 ? "+inf" : "-inf"));
    }
    throw InvalidAudio("samples", "sample " + std::to_string(bad) + " (frame " +
                                      std::to_string(bad / channels) + ", channel " +
                                      std::to_string(bad % channels) + ") is " + what);
  }
  // Four independent maxima (the order of a maximum does not change it).
  T m0 = 0, m1 = 0, m2 = 0, m3 = 0;
  const T* x = samples.data();
  const std::size_t n = samples.size();
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    m0 = std::max(m0, std::fabs(x[i]));
    m1 = std::max(m1, std::fabs(x[i + 1]));
    m2 = std::max(m2, std::fabs(x[i + 2]));
    m3 = std::max(m3, std::fabs(x[i + 3]));
  }
  for (; i < n; ++i) m0 = std::max(m0, std::fabs(x[i]));
  return static_cast<double>(std::max(std::max(m0, m1), std::max(m2, m3)));
}

/// libebur128's energy-to-loudness mapping, so that our levels and its levels agree.
double energy_to_lufs(double energy) {
  return energy > 0.0 ? 10.0 * (std::log(energy) / std::log(10.0)) - 0.691 : -kInf;
}

double amplitude_to_db(double amplitude) {
  return amplitude > 0.0 ? 20.0 * std::log10(amplitude) : -kInf;
}

/// libebur128 only filters (a 400 ms ring buffer, from which the 100 ms window is read) and,
/// when asked, interpolates the true peak; the gating and the loudness range are ours.
int ebur128_mode(const LoudnessOptions& options) {
  int mode = EBUR128_MODE_M;
  if (options.true_peak) mode |= EBUR128_MODE_TRUE_PEAK;
  return mode;
}

/// The blocks (400 ms gating blocks, or 3 s short-term blocks) that passed the absolute gate,
/// binned by loudness with memory that does not depend on the programme's length: bin i holds
/// the blocks of loudness in [-70 + i w, -70 + (i + 1) w) LUFS, w = 0.01 LU, up to +20 LUFS,
/// and a last bin everything louder (only samples far beyond full scale get there: the loudest
/// signal within full scale, 5.1 with every channel at +-1 near Nyquist through the +4 dB
/// shelf, reads +11 LUFS). Each bin keeps the number of its blocks, the exact sum
/// of their energies (added in block order) and their smallest and largest energy. So every
/// mean over whole bins is exact, and so is a relative gate that falls in a bin whose blocks
/// all lie on one side of it; only when the gate's bin holds blocks on both sides is the bin
/// taken whole or left out, whichever moves the gate less: exact gating with the gate moved by
/// at most half the spread of that bin's blocks, less than w / 2 = 0.005 LU.
class GatingHistogram {
 public:
  static constexpr double lowest_lufs = -70.0;  // the absolute gate, BS.1770-4 and Tech 3342
  static constexpr double bins_per_lu = 100.0;
  static constexpr std::size_t fine_bins = 9000;  // -70 .. +20 LUFS
  static constexpr std::size_t bins = fine_bins + 1;

  GatingHistogram() { clear(); }

  /// Adds a block of energy `energy` (mean square, channel-weighted) if it passes the absolute
  /// gate: loudness > -70 LUFS (BS.1770-4 (5)).
  void add(double energy) {
    const double lufs = energy_to_lufs(energy);
    if (!(lufs > lowest_lufs)) return;
    const std::size_t i = bin_of(lufs);
    ++count_[i];
    sum_[i] += energy;
    min_[i] = std::min(min_[i], energy);
    max_[i] = std::max(max_[i], energy);
  }

  void clear() {
    count_.fill(0);
    sum_.fill(0.0);
    min_.fill(kInf);
    max_.fill(0.0);
  }

  /// The first bin of the blocks above a relative gate `below_lu` LU under the energy mean of
  /// all the blocks (the absolute-gated mean), see the class comment; the overflow bin is
  /// always in. Returns bins when there is no block.
  [[nodiscard]] std::size_t relative_gate_bin(double below_lu) const {
    std::uint64_t n = 0;
    double sum = 0.0;
    for (std::size_t i = 0; i < bins; ++i) {
      n += count_[i];
      sum += sum_[i];
    }
    if (n == 0) return bins;
    const double gate = sum / static_cast<double>(n) * std::pow(10.0, -below_lu / 10.0);
    const double gate_lufs = energy_to_lufs(gate);
    if (!(gate_lufs > lowest_lufs)) return 0;
    const std::size_t j = bin_of(gate_lufs);
    if (j == fine_bins || count_[j] == 0 || min_[j] > gate) return j;  // all of bin j above
    if (max_[j] <= gate) return j + 1;                                 // all at or below
    // Blocks on both sides: in whole when that moves the gate (down to the smallest) no more
    // than leaving the bin out moves it (up to the largest), in LU.
    const bool in = gate_lufs - energy_to_lufs(min_[j]) <= energy_to_lufs(max_[j]) - gate_lufs;
    return in ? j : j + 1;
  }

  /// Energy mean of the blocks in bins [first, bins), LUFS; -inf when there is none.
  [[nodiscard]] double mean_lufs_from(std::size_t first) const {
    std::uint64_t n = 0;
    double sum = 0.0;
    for (std::size_t i = first; i < bins; ++i) {
      n += count_[i];
      sum += sum_[i];
    }
    return n > 0 ? energy_to_lufs(sum / static_cast<double>(n)) : -kInf;
  }

  /// Number of blocks in bins [first, bins).
  [[nodiscard]] std::uint64_t count_from(std::size_t first) const {
    std::uint64_t n = 0;
    for (std::size_t i = first; i < bins; ++i) n += count_[i];
    return n;
  }

  /// The loudness of the block of 0-based rank `rank` (ascending) among the blocks in bins
  /// [first, bins), at the histogram's resolution: the energy mean of its bin (exact when the
  /// blocks of that bin have one level; otherwise inside the bin, so within w of the block's).
  /// `rank` must be below count_from(first).
  [[nodiscard]] double ranked_lufs(std::size_t first, std::uint64_t rank) const {
    std::uint64_t below = 0;
    std::size_t i = first;
    for (; i < fine_bins; ++i) {
      below += count_[i];
      if (below > rank) break;
    }
    return energy_to_lufs(sum_[i] / static_cast<double>(count_[i]));
  }

 private:
  /// The bin of a loudness above lowest_lufs.
  [[nodiscard]] static std::size_t bin_of(double lufs) {
    const double position = std::floor((lufs - lowest_lufs) * bins_per_lu);
    return position < static_cast<double>(fine_bins)
               ? static_cast<std::size_t>(std::max(position, 0.0))
               : fine_bins;
  }

  std::array<std::uint64_t, bins> count_{};
  std::array<double, bins> sum_{};
  std::array<double, bins> min_{};
  std::array<double, bins> max_{};
};

/// BS.1770-4 integrated loudness from the 400 ms blocks that passed the absolute gate: the
/// energy mean of those above the relative gate, 10 LU below their mean.
double integrated_from(const GatingHistogram& blocks) {
  return blocks.mean_lufs_from(blocks.relative_gate_bin(10.0));
}

/// EBU Tech 3342 loudness range from the short-term blocks that passed the absolute gate:
/// relative gate 20 LU below their energy mean, then the 95th minus the 10th percentile by
/// Tech 3342's nearest rank (0-based round((n - 1) p)). 0 with fewer than two blocks.
double loudness_range_from(const GatingHistogram& blocks) {
  const std::size_t first = blocks.relative_gate_bin(20.0);
  const std::uint64_t n = blocks.count_from(first);
  if (n < 2) return 0.0;
  const double last = static_cast<double>(n - 1);
  const auto low = static_cast<std::uint64_t>(last * 0.10 + 0.5);
  const auto high = static_cast<std::uint64_t>(last * 0.95 + 0.5);
  return blocks.ranked_lufs(first, high) - blocks.ranked_lufs(first, low);
}

}  // namespace

class LoudnessMeter::Impl {
 public:
  Impl(double sample_rate, std::size_t channels, const LoudnessOptions& options)
      : sample_rate_(sample_rate), channels_(channels), options_(options) {
    validate_loudness_sample_rate(sample_rate);
    validate_loudness_channels(channels);
    rate_ = static_cast<unsigned long>(sample_rate);
    step_ = (rate_ + 5) / 10;  // libebur128's samples_in_100ms
    st_ = make_ebur128(channels_, rate_, ebur128_mode(options_));
  }

  template <class T>
  void add(std::span<const T> samples) {
    const double peak = checked_block_peak(samples, channels_);
    const T* p = samples.data();
    std::size_t frames = samples.size() / channels_;
    while (frames > 0) {
      const std::size_t n = std::min(frames, step_ - in_step_);
      feed(p, n);
      p += n * channels_;
      frames -= n;
      frames_ += n;
      in_step_ += n;
      if (in_step_ == step_) {
        in_step_ = 0;
        grid_point();
      }
    }
    sample_peak_ = std::max(sample_peak_, peak);
  }

  [[nodiscard]] LoudnessStats stats() const {
    LoudnessStats s;
    ebur128_state* st = st_.get();
    s.integrated_lufs = integrated_from(gating_blocks_);
    s.loudness_range_lu = loudness_range_from(short_term_blocks_);
    s.max_momentary_lufs = steps_ >= kMomentarySteps ? energy_to_lufs(max_momentary_) : -kInf;
    s.max_short_term_lufs = steps_ >= kShortTermSteps ? energy_to_lufs(max_short_term_) : -kInf;
    s.sample_peak_dbfs = amplitude_to_db(sample_peak_);
    s.true_peak_measured = options_.true_peak;
    if (options_.true_peak) {
      double tp = sample_peak_;
      for (std::size_t c = 0; c < channels_; ++c) {
        double v = 0.0;
        check_ebur128(ebur128_true_peak(st, static_cast<unsigned int>(c), &v), "ebur128_true_peak");
        tp = std::max(tp, v);
      }
      s.true_peak_dbtp = amplitude_to_db(tp);
    }
    s.frames = frames_;
    s.channels = channels_;
    s.sample_rate = sample_rate_;
    return s;
  }

  void reset() {
    Ebur128Ptr fresh = make_ebur128(channels_, rate_, ebur128_mode(options_));
    st_ = std::move(fresh);
    frames_ = 0;
    in_step_ = 0;
    steps_ = 0;
    sub_.fill(0.0);
    max_momentary_ = 0.0;
    max_short_term_ = 0.0;
    sample_peak_ = 0.0;
    gating_blocks_.clear();
    short_term_blocks_.clear();
  }

  double sample_rate_;
  std::size_t channels_;
  LoudnessOptions options_;
  std::size_t frames_ = 0;

 private:
  void feed(const double* p, std::size_t n) {
    check_ebur128(ebur128_add_frames_double(st_.get(), p, n), "ebur128_add_frames_double");
  }
  void feed(const float* p, std::size_t n) {
    check_ebur128(ebur128_add_frames_float(st_.get(), p, n), "ebur128_add_frames_float");
  }

  /// At each multiple of the 100 ms step: the energy of the last 100 ms (libebur128's K-weighted,
  /// channel-weighted mean square over floor(fs / 10) frames, through its loudness mapping and
  /// back), then the momentary (4 sub-blocks) and short-term (30 sub-blocks) means, oldest first:
  /// the 400 ms gating block (75% overlap) and the 3 s short-term block (one every 100 ms, as
  /// Tech 3342 asks: at least 10 per second) ending here, into their maxima and histograms.
  void grid_point() {
    double lufs = 0.0;
    check_ebur128(ebur128_loudness_window(st_.get(), 100, &lufs), "ebur128_loudness_window");
    const double energy = lufs > -kInf ? std::pow(10.0, (lufs + 0.691) / 10.0) : 0.0;
    sub_[steps_ % kShortTermSteps] = energy;
    ++steps_;
    if (steps_ >= kMomentarySteps) {
      const double block = window_mean(kMomentarySteps);
      max_momentary_ = std::max(max_momentary_, block);
      gating_blocks_.add(block);
    }
    if (steps_ >= kShortTermSteps) {
      const double block = window_mean(kShortTermSteps);
      max_short_term_ = std::max(max_short_term_, block);
      short_term_blocks_.add(block);
    }
  }

  [[nodiscard]] double window_mean(std::size_t count) const {
    double sum = 0.0;
    for (std::size_t k = steps_ - count; k < steps_; ++k) sum += sub_[k % kShortTermSteps];
    return sum / static_cast<double>(count);
  }

  unsigned long rate_ = 0;
  std::size_t step_ = 0;
  Ebur128Ptr st_;
  std::size_t in_step_ = 0;  // frames since the last grid point
  std::size_t steps_ = 0;    // grid points passed
  std::array<double, kShortTermSteps> sub_{};
  double max_momentary_ = 0.0;
  double max_short_term_ = 0.0;
  double sample_peak_ = 0.0;
  GatingHistogram gating_blocks_;      // 400 ms blocks past the absolute gate
  GatingHistogram short_term_blocks_;  // 3 s blocks past the absolute gate
};

LoudnessMeter::LoudnessMeter(double sample_rate, std::size_t channels,
                             const LoudnessOptions& options)
    : impl_(std::make_unique<Impl>(sample_rate, channels, options)) {}
LoudnessMeter::~LoudnessMeter() = default;
LoudnessMeter::LoudnessMeter(LoudnessMeter&&) noexcept = default;
LoudnessMeter& LoudnessMeter::operator=(LoudnessMeter&&) noexcept = default;

void LoudnessMeter::add(std::span<const double> samples) { impl_->add(samples); }
void LoudnessMeter::add(std::span<const float> samples) { impl_->add(samples); }
LoudnessStats LoudnessMeter::stats() const { return impl_->stats(); }
void LoudnessMeter::reset() { impl_->reset(); }
double LoudnessMeter::sample_rate() const noexcept { return impl_->sample_rate_; }
std::size_t LoudnessMeter::channels() const noexcept { return impl_->channels_; }
const LoudnessOptions& LoudnessMeter::options() const noexcept { return impl_->options_; }
std::size_t LoudnessMeter::frames() const noexcept { return impl_->frames_; }

namespace {
template <class T>
LoudnessStats measure(InterleavedAudio<const T> audio, double sample_rate,
                      const LoudnessOptions& options) {
  // Validation order: sample_rate, channels, then the samples (in add).
  validate_loudness_sample_rate(sample_rate);
  validate_loudness_channels(audio.channels);
  LoudnessMeter meter(sample_rate, audio.channels, options);
  meter.add(audio.samples);
  return meter.stats();
}
}  // namespace

LoudnessStats measure_loudness(InterleavedAudio<const double> audio, double sample_rate,
                               const LoudnessOptions& options) {
  return measure(audio, sample_rate, options);
}
LoudnessStats measure_loudness(InterleavedAudio<const float> audio, double sample_rate,
                               const LoudnessOptions& options) {
  return measure(audio, sample_rate, options);
}

}  // namespace auralis
