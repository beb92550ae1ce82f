// SPDX-License-Identifier: GPL-3.0-or-later
// Shared by the libFuzzer harnesses: a front-to-back byte reader, the decoding of fuzz bytes into
// SpectrumSettings / ParallelSpectrumSettings (every field, valid, boundary and invalid values),
// and the contract checks (typed error or finite result, bit-identical results).
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <typeinfo>

#include "auralis/error.hpp"
#include "auralis/parallel/parallel_spectrum_analyzer.hpp"
#include "auralis/settings.hpp"

namespace auralis::fuzz {

/// What the current input decoded to (settings, audio layout), printed with a violation.
inline std::string& input_context() {
  static std::string context;
  return context;
}

/// Prints `what` and the decoded input, then aborts: libFuzzer records the input as a crash.
[[noreturn]] inline void contract_violation(const std::string& what) {
  std::fprintf(stderr, "auralis fuzz contract violated: %s\n  input: %s\n", what.c_str(),
               input_context().c_str());
  std::fflush(stderr);
  std::abort();
}

#define AURALIS_FUZZ_CHECK(cond, what)                                                        \
  do {                                                                                        \
    if (!(cond))                                                                              \
      ::auralis::fuzz::contract_violation(std::string(what) + " [" #cond "] at " + __FILE__ + \
                                          ":" + std::to_string(__LINE__));                    \
  } while (0)

/// Reads fuzz bytes front to back; past the end every read returns zeros.
class Bytes {
 public:
  explicit Bytes(std::span<const std::uint8_t> data) : data_(data) {}
  [[nodiscard]] std::size_t left() const noexcept { return data_.size() - pos_; }
  std::uint8_t u8() noexcept { return pos_ < data_.size() ? data_[pos_++] : 0; }
  std::uint16_t u16() noexcept {
    const std::uint16_t lo = u8();
    return static_cast<std::uint16_t>(lo | (u8() << 8));
  }
  /// Eight raw bytes as a double: any bit pattern, NaN payloads and infinities included.
  double f64() noexcept {
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= std::uint64_t{u8()} << (8 * i);
    return std::bit_cast<double>(bits);
  }
  float f32() noexcept {
    std::uint32_t bits = 0;
    for (int i = 0; i < 4; ++i) bits |= std::uint32_t{u8()} << (8 * i);
    return std::bit_cast<float>(bits);
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kDenorm = std::numeric_limits<double>::denorm_min();
inline constexpr double kMax = std::numeric_limits<double>::max();
inline constexpr std::size_t kSizeMax = std::numeric_limits<std::size_t>::max();

/// Valid FFT sizes the harnesses use: a fixed set, so that the process-wide plan cache (never
/// evicted) stays small, and at most 8192 but for 2^16 and 2^20 (rare, selected by one value).
inline constexpr std::size_t kValidFftSizes[] = {
    16,  17,  18,  24,   31,   32,   48,   64,   100,  127,  128,  256,  257,
    384, 500, 512, 1000, 1024, 1536, 2048, 3000, 4096, 4097, 6144, 8191, 8192};
/// Rejected FFT sizes (outside [16, 2^20]).
inline constexpr std::size_t kInvalidFftSizes[] = {
    0,       1, 15, (std::size_t{1} << 20) + 1, std::size_t{1} << 32, (std::size_t{1} << 32) + 16,
    kSizeMax};

inline std::size_t decode_fft_size(Bytes& in) {
  const std::uint8_t k = in.u8();
  if (k == 255) return std::size_t{1} << 20;
  if (k == 254) return std::size_t{1} << 16;
  if (k >= 240) return kInvalidFftSizes[k % std::size(kInvalidFftSizes)];
  return kValidFftSizes[k % std::size(kValidFftSizes)];
}

/// A fraction in [0, 1) most of the time; else a boundary, out-of-range or non-finite value, or
/// raw bits.
inline double decode_fraction(Bytes& in) {
  static constexpr double special[] = {
      kNaN,     kInf, -kInf, -0.1,  1.0,    -0.0,  0.99999999999999989, 1e-300, kDenorm,
      -kDenorm, 0.5,  0.75,  0.875, 0.9375, 0.999, 1.0000000000000002,  2.0,    -kMax};
  const std::uint8_t k = in.u8();
  if (k < 128) return k / 128.0;
  if (k == 255) return in.f64();
  return special[k % std::size(special)];
}

/// A rate or frequency in Hz: common values, boundaries, invalid and non-finite ones, raw bits.
inline double decode_hz(Bytes& in) {
  static constexpr double table[] = {
      44100.0, 48000.0, 8000.0, 96000.0, 20.0,    20000.0, 1000.0, 100.0, 22050.0, 22049.99,
      24000.0, 1.0,     0.5,    1e-300,  kDenorm, 0.0,     -0.0,   -1.0,  kNaN,    kInf,
      -kInf,   1e6,     1e9,    1e300,   kMax,    22050.5, 16.0,   40.0,  11025.0, 4000.0};
  const std::uint8_t k = in.u8();
  if (k == 255) return in.f64();
  if (k >= 200) return (k - 199) * 250.0;
  return table[k % std::size(table)];
}

inline std::size_t decode_bands(Bytes& in) {
  static constexpr std::size_t special[] = {0, 65536, 65537, kSizeMax, 4096, 1, 2, 1024};
  const std::uint8_t k = in.u8();
  if (k < 224) return 1 + k % 128;
  return special[k % std::size(special)];
}

/// Every SpectrumSettings field, in declaration order. Enum values include unnamed ones.
inline SpectrumSettings decode_settings(Bytes& in) {
  SpectrumSettings s;
  s.fft_size = decode_fft_size(in);
  s.window_type = static_cast<WindowType>(in.u8() % 6);
  s.overlap = decode_fraction(in);
  s.sample_rate = decode_hz(in);
  s.frequency_bands = decode_bands(in);
  s.frequency_weighting = static_cast<Weighting>(in.u8() % 5);
  s.smoothing_factor = decode_fraction(in);
  s.min_frequency = decode_hz(in);
  s.max_frequency = decode_hz(in);
  s.metric_convention = static_cast<MetricConvention>(in.u8() % 4);
  return s;
}

inline std::string describe(const SpectrumSettings& s) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "fft_size=%zu window=%d overlap=%.17g sample_rate=%.17g bands=%zu weighting=%d "
                "smoothing=%.17g min_hz=%.17g max_hz=%.17g convention=%d",
                s.fft_size, static_cast<int>(s.window_type), s.overlap, s.sample_rate,
                s.frequency_bands, static_cast<int>(s.frequency_weighting), s.smoothing_factor,
                s.min_frequency, s.max_frequency, static_cast<int>(s.metric_convention));
  return buf;
}

inline ParallelSpectrumSettings decode_parallel(const SpectrumSettings& base, Bytes& in) {
  static constexpr std::size_t workers[] = {0, 1, 2, 3, 4, 16, 256, 257, kSizeMax, 2, 0, 2};
  static constexpr std::size_t min_chunks[] = {0, 1, 2, 4, 8, 1, kSizeMax, 4};
  ParallelSpectrumSettings p;
  static_cast<SpectrumSettings&>(p) = base;
  const std::uint8_t k = in.u8();
  p.enable_parallel = (k & 0x80) == 0;
  p.max_workers = workers[(k & 0x7f) % std::size(workers)];
  p.min_chunks_for_parallel = min_chunks[in.u8() % std::size(min_chunks)];
  return p;
}

/// Frames of audio worth analysing for these settings, so that one input stays in the
/// milliseconds: at most 256 analysis frames and about 2^21 FFT input samples in all.
inline std::size_t frame_budget(const SpectrumSettings& s, std::size_t cap) {
  // hop_size() only for settings validate() accepts so far: when fft_size * (1 - overlap) >= 2^64
  // (fft_size near SIZE_MAX, overlap = -inf or below about -2^64 / fft_size) it converts an
  // out-of-range double to size_t, undefined behaviour (reported, settings.hpp).
  if (!(s.overlap >= 0.0 && s.overlap < 1.0)) return cap;
  if (s.fft_size < min_fft_size || s.fft_size > max_fft_size) return cap;
  const std::size_t hop = hop_size(s);
  if (hop == 0) return cap;
  const std::size_t frames =
      std::max<std::size_t>(1, std::min<std::size_t>(256, (std::size_t{1} << 21) / s.fft_size));
  return std::min(cap, s.fft_size + (frames - 1) * hop);
}

/// Either the result of an analysis, or the auralis error type and field it threw.
struct Outcome {
  std::optional<SpectrumResult> result;
  const std::type_info* error = nullptr;
  std::string field;
};

/// Runs `f`; auralis argument errors become an Outcome, any other exception escapes (libFuzzer
/// then reports the input).
template <class F>
Outcome outcome_of(F&& f) {
  Outcome o;
  try {
    o.result = f();
  } catch (const InvalidSettings& e) {
    o.error = &typeid(InvalidSettings);
    o.field = e.field();
    AURALIS_FUZZ_CHECK(std::string(e.what()).find(e.field()) != std::string::npos,
                       "error message does not name its field");
  } catch (const InvalidAudio& e) {
    o.error = &typeid(InvalidAudio);
    o.field = e.field();
    AURALIS_FUZZ_CHECK(std::string(e.what()).find(e.field()) != std::string::npos,
                       "error message does not name its field");
  }
  return o;
}

inline bool all_finite(std::span<const double> v) {
  for (double x : v) {
    if (!std::isfinite(x)) return false;
  }
  return true;
}

/// "[i]=value" of the first non-finite value, for the violation message.
inline std::string first_bad(std::span<const double> v) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) return " ([" + std::to_string(i) + "]=" + std::to_string(v[i]) + ")";
  }
  return "";
}

/// The documented shape of a successful result: one value per band, every value finite.
inline void check_result(const SpectrumResult& r, std::size_t bands, const char* where) {
  const std::string w = where;
  AURALIS_FUZZ_CHECK(r.spectrum.size() == bands, w + ": spectrum size != frequency_bands");
  AURALIS_FUZZ_CHECK(r.frequency_bins.size() == bands, w + ": frequency_bins size != bands");
  AURALIS_FUZZ_CHECK(all_finite(r.spectrum),
                     w + ": non-finite spectrum value" + first_bad(r.spectrum));
  AURALIS_FUZZ_CHECK(all_finite(r.frequency_bins),
                     w + ": non-finite band frequency" + first_bad(r.frequency_bins));
  AURALIS_FUZZ_CHECK(std::isfinite(r.peak_frequency), w + ": non-finite peak_frequency");
  AURALIS_FUZZ_CHECK(std::isfinite(r.spectral_centroid), w + ": non-finite spectral_centroid");
  AURALIS_FUZZ_CHECK(std::isfinite(r.spectral_rolloff), w + ": non-finite spectral_rolloff");
  AURALIS_FUZZ_CHECK(std::isfinite(r.total_energy), w + ": non-finite total_energy");
  AURALIS_FUZZ_CHECK(std::isfinite(r.analysis_duration) && r.analysis_duration >= 0.0,
                     w + ": analysis_duration not finite and >= 0");
  AURALIS_FUZZ_CHECK(r.num_chunks_analyzed >= 1, w + ": no frame analysed");
}

inline bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

inline bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

/// Every value of `a` and `b` bit for bit (parallel_processing only says which path ran).
inline void check_identical(const SpectrumResult& a, const SpectrumResult& b, const char* where) {
  const std::string w = where;
  AURALIS_FUZZ_CHECK(same_bits(a.spectrum, b.spectrum), w + ": spectrum differs");
  AURALIS_FUZZ_CHECK(same_bits(a.frequency_bins, b.frequency_bins), w + ": bins differ");
  AURALIS_FUZZ_CHECK(same_bits(a.peak_frequency, b.peak_frequency), w + ": peak differs");
  AURALIS_FUZZ_CHECK(same_bits(a.spectral_centroid, b.spectral_centroid), w + ": centroid differs");
  AURALIS_FUZZ_CHECK(same_bits(a.spectral_rolloff, b.spectral_rolloff), w + ": rolloff differs");
  AURALIS_FUZZ_CHECK(same_bits(a.total_energy, b.total_energy), w + ": energy differs");
  AURALIS_FUZZ_CHECK(a.num_chunks_analyzed == b.num_chunks_analyzed, w + ": frame count differs");
  AURALIS_FUZZ_CHECK(same_bits(a.analysis_duration, b.analysis_duration), w + ": duration differs");
}

/// Both calls succeeded, or both threw the same error type naming the same field.
inline void check_same_failure(const Outcome& a, const Outcome& b, const char* where) {
  const std::string w = where;
  AURALIS_FUZZ_CHECK(a.result.has_value() == b.result.has_value(),
                     w + ": one threw (" + a.field + b.field + "), the other did not");
  if (!a.result) {
    AURALIS_FUZZ_CHECK(*a.error == *b.error && a.field == b.field,
                       w + ": different errors: " + a.field + " / " + b.field);
  }
}

/// Both outcomes the same: the same error type and field, or bit-identical finite results.
inline void check_same_outcome(const Outcome& a, const Outcome& b, std::size_t bands,
                               const char* where) {
  const std::string w = where;
  AURALIS_FUZZ_CHECK(a.result.has_value() == b.result.has_value(),
                     w + ": one analyzer threw (" + a.field + b.field + "), the other did not");
  if (a.result) {
    check_result(*a.result, bands, where);
    check_result(*b.result, bands, where);
    check_identical(*a.result, *b.result, where);
  } else {
    AURALIS_FUZZ_CHECK(*a.error == *b.error && a.field == b.field,
                       w + ": different errors: " + a.field + " / " + b.field);
  }
}

}  // namespace auralis::fuzz
