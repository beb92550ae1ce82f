// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness: sequences of analyze_chunk calls and smoothing resets on fuzzed settings,
// with fuzzed chunk lengths (empty, up to fft_size + 2 frames), channel counts (0 to 4), sample
// types and values (non-finite ones injected at fuzzed positions).
//
// Three analyzers see the sequence:
// - `seq`, a BasicSpectrumAnalyzer<Real>, every chunk through the returning overloads and every
//   reset through reset_smoothing();
// - `par`, a BasicParallelSpectrumAnalyzer<Real>, every chunk through the real-time overloads
//   that fill one reused SpectrumResult;
// - `ref`, a BasicSpectrumAnalyzer<Real> built afresh at each reset and fed only the chunks the
//   documentation says are valid (non-empty, at most fft_size frames, a whole number of frames
//   of >= 1 channels, all finite).
// Contract checked (abort otherwise): `seq` and `par` throw InvalidAudio exactly for the invalid
// chunks (so a rejected chunk leaves the smoothing state unchanged: `ref` never saw it), and
// otherwise return finite results of the documented shape, bit-identical across the three.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "fuzz_common.hpp"

namespace {

using namespace auralis;
using namespace auralis::fuzz;

/// One chunk: `frames * channels` samples (plus `extra` stray samples), 16-bit PCM values from
/// the input, with a NaN or an infinity at a fuzzed index when asked.
template <class T>
std::vector<T> decode_chunk(Bytes& in, std::size_t frames, std::size_t channels, std::size_t extra,
                            std::uint8_t poison) {
  std::vector<T> v(frames * channels + extra);
  for (T& x : v) x = static_cast<T>(static_cast<std::int16_t>(in.u16()) / 32768.0);
  if (poison != 0 && !v.empty()) {
    static constexpr T bad[] = {std::numeric_limits<T>::quiet_NaN(),
                                std::numeric_limits<T>::infinity(),
                                -std::numeric_limits<T>::infinity()};
    v[in.u16() % v.size()] = bad[poison % 3];
  }
  return v;
}

template <class T>
bool documented_valid(const std::vector<T>& v, std::size_t channels, std::size_t fft_size) {
  if (channels == 0 || v.empty() || v.size() % channels != 0) return false;
  if (v.size() / channels > fft_size) return false;
  for (T x : v) {
    if (!std::isfinite(x)) return false;
  }
  return true;
}

template <class Real>
class Sequence {
 public:
  explicit Sequence(const SpectrumSettings& s)
      : settings_(s),
        seq_(s),
        par_(ParallelSpectrumSettings{s}),
        ref_(std::make_unique<BasicSpectrumAnalyzer<Real>>(s)) {}

  void reset() {
    seq_.reset_smoothing();
    par_.reset_smoothing();
    ref_ = std::make_unique<BasicSpectrumAnalyzer<Real>>(settings_);
  }

  template <class T>
  void chunk(const std::vector<T>& v, std::size_t channels, bool interleaved) {
    const std::span<const T> view(v);
    const bool valid = documented_valid(v, channels, settings_.fft_size);
    Outcome a;
    Outcome b;
    if (!interleaved && channels == 1) {
      a = outcome_of([&] { return seq_.analyze_chunk(view); });
      b = outcome_of([&] {
        par_.analyze_chunk(view, out_);
        return out_;
      });
    } else {
      const InterleavedAudio<const T> audio{view, channels};
      a = outcome_of([&] { return seq_.analyze_chunk(audio); });
      b = outcome_of([&] {
        par_.analyze_chunk(audio, out_);
        return out_;
      });
    }
    AURALIS_FUZZ_CHECK(a.result.has_value() == valid,
                       valid ? "valid chunk rejected: " + a.field : "invalid chunk accepted");
    if (!valid) {
      AURALIS_FUZZ_CHECK(*a.error == typeid(InvalidAudio), "chunk error is not InvalidAudio");
    }
    check_same_outcome(a, b, settings_.frequency_bands, "analyze_chunk sequential vs parallel");
    if (!valid) return;
    const Outcome r = outcome_of([&] {
      return ref_->analyze_chunk(InterleavedAudio<const T>{view, channels});
    });
    check_same_outcome(a, r, settings_.frequency_bands, "analyze_chunk vs fresh reference");
    AURALIS_FUZZ_CHECK(a.result->num_chunks_analyzed == 1, "a chunk is one frame");
  }

 private:
  SpectrumSettings settings_;
  BasicSpectrumAnalyzer<Real> seq_;
  BasicParallelSpectrumAnalyzer<Real> par_;
  std::unique_ptr<BasicSpectrumAnalyzer<Real>> ref_;
  SpectrumResult out_;
};

template <class Real>
void run(const SpectrumSettings& settings, Bytes& in) {
  const Outcome made = outcome_of([&] {
    BasicSpectrumAnalyzer<Real> a(settings);
    return SpectrumResult{};
  });
  if (!made.result) {
    AURALIS_FUZZ_CHECK(*made.error == typeid(InvalidSettings), "settings error not typed");
    return;
  }
  Sequence<Real> s(settings);
  const std::size_t n = settings.fft_size;
  // About 2^18 FFT input samples per input at most.
  const std::size_t max_ops = std::clamp<std::size_t>((std::size_t{1} << 18) / n, 2, 64);
  for (std::size_t op = 0; op < max_ops && in.left() > 0; ++op) {
    const std::uint8_t code = in.u8();
    if ((code & 7) == 7) {
      input_context() += " | reset";
      s.reset();
      continue;
    }
    // Channels 1 to 4, or 0; frames 0 to fft_size + 2; now and then a stray sample.
    const std::size_t channels =
        (code & 0x18) == 0x18 && (code & 0x40) != 0 ? 0 : 1 + ((code >> 3) & 3);
    const std::size_t frames = in.u16() % (n + 3);
    const std::size_t extra = (code & 0x20) != 0 && (code & 1) != 0 ? 1 : 0;
    const std::uint8_t poison = (code & 6) == 6 ? static_cast<std::uint8_t>(1 + (code >> 6)) : 0;
    const bool interleaved = (code & 0x80) != 0;
    const std::size_t ch = std::max<std::size_t>(channels, 1);
    input_context() +=
        " | op" + std::to_string(op) + ": " + ((code & 1) != 0 ? "float" : "double") +
        " frames=" + std::to_string(frames) + " channels=" + std::to_string(channels) +
        (extra != 0 ? " +1 sample" : "") + (poison != 0 ? " poisoned" : "");
    if ((code & 1) != 0) {
      s.chunk(decode_chunk<float>(in, frames, ch, extra, poison), channels, interleaved);
    } else {
      s.chunk(decode_chunk<double>(in, frames, ch, extra, poison), channels, interleaved);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in({data, size});
  const std::uint8_t flags = in.u8();
  const SpectrumSettings settings = decode_settings(in);
  input_context() = describe(settings) + ((flags & 1) != 0 ? " compute=float" : " compute=double");
  if ((flags & 1) != 0) {
    run<float>(settings, in);
  } else {
    run<double>(settings, in);
  }
  return 0;
}
