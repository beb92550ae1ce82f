// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness: the dynamics processors (EnvelopeFollower, Compressor, BrickWallLimiter,
// SoftClipper) and the loudness meter on fuzzed settings, fuzzed samples (16-bit values scaled
// by a fuzzed power of two, non-finite values injected at fuzzed positions) and fuzzed block
// splits, in float and double.
//
// Contract checked (abort otherwise):
// - a constructor either succeeds or throws InvalidSettings naming a field;
// - `process` on invalid input (non-finite samples, a partial frame, a wrong output size) throws
//   an InvalidArgument naming a field and leaves the output untouched; on valid input the output
//   is finite, and a limiter without true peak never exceeds its ceiling;
// - `process_realtime_chunk` over the fuzzed block split, then `latency()` frames of zeros,
//   gives the offline output delayed by `latency()` frames, bit for bit; a rejected chunk
//   changes nothing (the stream continues as if it had not been offered);
// - LoudnessMeter over the block split gives measure_loudness's statistics, bit for bit.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "auralis/dynamics/compressor.hpp"
#include "auralis/dynamics/envelope_follower.hpp"
#include "auralis/dynamics/limiter.hpp"
#include "auralis/dynamics/soft_clipper.hpp"
#include "auralis/loudness.hpp"
#include "fuzz_common.hpp"

namespace {

using namespace auralis;
using namespace auralis::fuzz;

double decode_ms(Bytes& in) {
  static constexpr double table[] = {0.0, 0.01, 0.1,   1.0,  2.0,  5.0,  10.0, 50.0,    100.0,
                                     1e3, 6e4,  6.1e4, -1.0, kNaN, kInf, -0.0, kDenorm, 1e300};
  const std::uint8_t k = in.u8();
  if (k == 255) return in.f64();
  if (k >= 128) return (k - 127) * 0.25;
  return table[k % std::size(table)];
}

double decode_db(Bytes& in) {
  static constexpr double table[] = {-18.0, -1.0, -0.3, 0.0,  -60.0, -61.0, 0.1,  -200.0, 50.0,
                                     2.0,   -6.0, 100., kNaN, kInf,  -kInf, -0.0, -300.0, 1e300};
  const std::uint8_t k = in.u8();
  if (k == 255) return in.f64();
  if (k >= 128) return -static_cast<double>(k - 127) * 0.5;
  return table[k % std::size(table)];
}

double decode_rate(Bytes& in) {
  static constexpr double table[] = {44100.0, 48000.0, 8000.0, 96000.0, 7999.0, 1.0,
                                     0.0,     -1.0,    kNaN,   kInf,    1e9,    22050.0};
  const std::uint8_t k = in.u8();
  if (k == 255) return in.f64();
  if (k >= 200) return (k - 199) * 1000.0;
  return table[k % std::size(table)];
}

std::size_t decode_channels(Bytes& in) {
  const std::uint8_t k = in.u8();
  if (k >= 250) return k == 255 ? kSizeMax : (k == 254 ? 0 : 65);
  return 1 + k % 8;
}

/// Samples: 16-bit values times 2^(scale - 15), a non-finite value at a fuzzed index if asked.
template <class T>
std::vector<T> decode_samples(Bytes& in, std::size_t count) {
  const int scale = static_cast<int>(in.u8() % 24) - 8;  // peaks from 2^-8 to 2^15
  const std::uint8_t poison = in.u8();
  std::vector<T> v(count);
  for (T& x : v) x = static_cast<T>(std::ldexp(static_cast<std::int16_t>(in.u16()), scale - 15));
  if (poison >= 240 && !v.empty()) {
    static constexpr T bad[] = {std::numeric_limits<T>::quiet_NaN(),
                                std::numeric_limits<T>::infinity(),
                                -std::numeric_limits<T>::infinity()};
    v[in.u16() % v.size()] = bad[poison % 3];
  }
  return v;
}

template <class T>
bool all_finite(std::span<const T> v) {
  return std::all_of(v.begin(), v.end(), [](T x) { return std::isfinite(x); });
}

template <class T>
bool same_bits(std::span<const T> a, std::span<const T> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

/// Block lengths (in frames) covering `frames`, from the input.
std::vector<std::size_t> decode_split(Bytes& in, std::size_t frames) {
  std::vector<std::size_t> split;
  std::size_t done = 0;
  while (done < frames) {
    const std::uint8_t k = in.u8();
    std::size_t n = k == 0 ? frames - done : 1 + (k < 200 ? k % 64 : (k - 199) * 97);
    n = std::min(n, frames - done);
    split.push_back(n);
    done += n;
  }
  return split;
}

/// Settings accepted, or rejected with InvalidSettings naming a field; anything else aborts.
template <class Make>
auto construct(Make make) -> decltype(make()) {
  try {
    return make();
  } catch (const InvalidSettings& e) {
    AURALIS_FUZZ_CHECK(!e.field().empty(), "InvalidSettings without a field");
    throw;
  } catch (const std::exception& e) {
    contract_violation(std::string("constructor threw a non-InvalidSettings error: ") + e.what());
  }
}

/// Offline and streamed processing of one processor type; `ceiling` > 0 checks max |y| <= it.
template <class Processor, class T>
void check_processor(Processor& offline, Processor& stream, std::span<const T> x,
                     std::size_t channels, const std::vector<std::size_t>& split, bool bad_out,
                     T ceiling) {
  const bool valid_input = x.size() % channels == 0 && all_finite(x);
  // A wrong output size is rejected before anything is written.
  if (bad_out) {
    std::vector<T> wrong(x.size() + 1, T(7));
    try {
      offline.process(x, std::span<T>(wrong));
      contract_violation("process accepted an output of the wrong size");
    } catch (const InvalidArgument& e) {
      AURALIS_FUZZ_CHECK(!e.field().empty(), "error without a field");
    }
    AURALIS_FUZZ_CHECK(std::all_of(wrong.begin(), wrong.end(), [](T v) { return v == T(7); }),
                       "a rejected call wrote to the output");
  }
  std::vector<T> y(x.size(), T(7));
  try {
    offline.process(x, std::span<T>(y));
    AURALIS_FUZZ_CHECK(valid_input, "process accepted invalid input");
  } catch (const InvalidArgument& e) {
    AURALIS_FUZZ_CHECK(!valid_input, std::string("process rejected valid input: ") + e.what());
    AURALIS_FUZZ_CHECK(!e.field().empty(), "error without a field");
    AURALIS_FUZZ_CHECK(std::all_of(y.begin(), y.end(), [](T v) { return v == T(7); }),
                       "a rejected call wrote to the output");
  }
  // Streaming: valid blocks of the split (a rejected block is skipped, as if never offered).
  std::vector<T> fed;
  std::vector<T> streamed;
  std::vector<T> block_out;
  std::size_t pos = 0;
  for (const std::size_t frames : split) {
    const std::size_t n = std::min(frames * channels, x.size() - pos);
    const std::span<const T> block = x.subspan(pos, n);
    pos += n;
    block_out.assign(n, T(7));
    try {
      stream.process_realtime_chunk(block, std::span<T>(block_out));
    } catch (const InvalidArgument& e) {
      AURALIS_FUZZ_CHECK(!(n % channels == 0 && all_finite(block)),
                         std::string("a valid block was rejected: ") + e.what());
      AURALIS_FUZZ_CHECK(
          std::all_of(block_out.begin(), block_out.end(), [](T v) { return v == T(7); }),
          "a rejected block wrote to the output");
      continue;
    }
    AURALIS_FUZZ_CHECK(n % channels == 0 && all_finite(block), "an invalid block was accepted");
    fed.insert(fed.end(), block.begin(), block.end());
    streamed.insert(streamed.end(), block_out.begin(), block_out.end());
  }
  const std::size_t latency = stream.latency();
  const std::vector<T> tail(latency * channels, T(0));
  block_out.assign(tail.size(), T(7));
  stream.process_realtime_chunk(std::span<const T>(tail), std::span<T>(block_out));
  streamed.insert(streamed.end(), block_out.begin(), block_out.end());

  // The offline output of exactly what the stream accepted.
  std::vector<T> expected(fed.size());
  offline.process(std::span<const T>(fed), std::span<T>(expected));
  AURALIS_FUZZ_CHECK(all_finite(std::span<const T>(expected)), "non-finite output");
  AURALIS_FUZZ_CHECK(
      std::all_of(streamed.begin(), streamed.begin() + static_cast<std::ptrdiff_t>(tail.size()),
                  [](T v) { return v == T(0); }),
      "the stream's first latency() frames are not silent");
  AURALIS_FUZZ_CHECK(
      same_bits(std::span<const T>(streamed).subspan(tail.size()), std::span<const T>(expected)),
      "streamed output differs from the offline output delayed by latency()");
  if (ceiling > T(0)) {
    for (const T v : expected) AURALIS_FUZZ_CHECK(std::abs(v) <= ceiling, "limiter overshoot");
  }
}

template <class T>
void fuzz_dynamics(Bytes& in) {
  const std::uint8_t which = in.u8() % 5;
  const std::size_t channels = decode_channels(in);
  const double rate = decode_rate(in);
  const std::size_t frames = in.u16() % 3000;
  const bool partial = in.u8() >= 250;
  const bool bad_out = in.u8() >= 240;
  const std::size_t ch = channels >= 1 && channels <= 8 ? channels : 1;
  const std::vector<T> x = decode_samples<T>(in, frames * ch + (partial ? 1 : 0));
  const std::vector<std::size_t> split = decode_split(in, frames + (partial ? 1 : 0));
  const std::span<const T> xs(x);
  input_context() = "which=" + std::to_string(which) + " channels=" + std::to_string(channels) +
                    " rate=" + std::to_string(rate) + " frames=" + std::to_string(frames);
  try {
    switch (which) {
      case 0: {
        dynamics::EnvelopeFollowerSettings s;
        s.sample_rate = rate;
        s.channels = channels;
        s.attack_ms = decode_ms(in);
        s.release_ms = decode_ms(in);
        s.detector = in.u8() % 2 ? dynamics::Detector::rms : dynamics::Detector::peak;
        auto a = construct([&] { return dynamics::BasicEnvelopeFollower<T>(s); });
        auto b = construct([&] { return dynamics::BasicEnvelopeFollower<T>(s); });
        check_processor(a, b, xs, ch, split, bad_out, T(0));
        break;
      }
      case 1: {
        dynamics::CompressorSettings s;
        s.sample_rate = rate;
        s.channels = channels;
        s.threshold_db = decode_db(in);
        s.ratio = in.u8() % 2 ? 1.0 + in.u8() / 8.0 : decode_db(in);
        s.knee_db = std::abs(decode_db(in));
        s.attack_ms = decode_ms(in);
        s.release_ms = decode_ms(in);
        s.makeup_db = decode_db(in) + 18.0;
        s.lookahead_ms = decode_ms(in);
        s.detector = in.u8() % 2 ? dynamics::Detector::rms : dynamics::Detector::peak;
        s.rms_window_ms = decode_ms(in);
        s.stereo_link = in.u8() % 2 == 0;
        auto a = construct([&] { return dynamics::BasicCompressor<T>(s); });
        auto b = construct([&] { return dynamics::BasicCompressor<T>(s); });
        check_processor(a, b, xs, ch, split, bad_out, T(0));
        break;
      }
      case 2: {
        dynamics::LimiterSettings s;
        s.sample_rate = rate;
        s.channels = channels;
        s.ceiling_db = decode_db(in);
        s.lookahead_ms = decode_ms(in);
        s.release_ms = decode_ms(in);
        s.true_peak = in.u8() % 2 == 0;
        auto a = construct([&] { return dynamics::BasicBrickWallLimiter<T>(s); });
        auto b = construct([&] { return dynamics::BasicBrickWallLimiter<T>(s); });
        check_processor(a, b, xs, ch, split, bad_out, s.true_peak ? T(0) : a.ceiling());
        break;
      }
      case 3: {
        dynamics::SoftClipperSettings s;
        s.channels = channels;
        s.curve = in.u8() % 2 ? dynamics::SoftClipCurve::unity_knee : dynamics::SoftClipCurve::tanh;
        s.threshold = std::abs(decode_db(in)) / 20.0;
        s.ceiling = std::abs(decode_db(in)) / 20.0;
        auto a = construct([&] { return dynamics::BasicSoftClipper<T>(s); });
        auto b = construct([&] { return dynamics::BasicSoftClipper<T>(s); });
        check_processor(a, b, xs, ch, split, bad_out, T(0));
        break;
      }
      default: {
        LoudnessOptions options;
        options.true_peak = in.u8() % 2 == 0;
        LoudnessStats offline;
        bool offline_ok = true;
        try {
          offline = measure_loudness(InterleavedAudio<const T>{xs, channels}, rate, options);
        } catch (const InvalidArgument& e) {
          AURALIS_FUZZ_CHECK(!e.field().empty(), "error without a field");
          offline_ok = false;
        }
        LoudnessMeter meter = construct([&] { return LoudnessMeter(rate, channels, options); });
        AURALIS_FUZZ_CHECK(offline_ok || !all_finite(xs) || partial,
                           "measure_loudness rejected what the meter accepts");
        if (!offline_ok) break;
        std::size_t pos = 0;
        for (const std::size_t f : split) {
          const std::size_t n = std::min(f * channels, x.size() - pos);
          meter.add(xs.subspan(pos, n));
          pos += n;
        }
        const LoudnessStats s = meter.stats();
        const double a[] = {offline.integrated_lufs,    offline.loudness_range_lu,
                            offline.max_momentary_lufs, offline.max_short_term_lufs,
                            offline.sample_peak_dbfs,   offline.true_peak_dbtp};
        const double b[] = {s.integrated_lufs,     s.loudness_range_lu, s.max_momentary_lufs,
                            s.max_short_term_lufs, s.sample_peak_dbfs,  s.true_peak_dbtp};
        AURALIS_FUZZ_CHECK(std::memcmp(a, b, sizeof a) == 0,
                           "LoudnessMeter differs from measure_loudness");
        break;
      }
    }
  } catch (const InvalidSettings&) {
    // Rejected settings: checked in construct().
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(std::span<const std::uint8_t>(data, size));
  if (in.u8() % 2) {
    fuzz_dynamics<float>(in);
  } else {
    fuzz_dynamics<double>(in);
  }
  return 0;
}
