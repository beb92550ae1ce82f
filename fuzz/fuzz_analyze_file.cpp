// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness: analyze_file on fuzzed settings (every field, invalid and non-finite values
// included) and fuzzed samples (float or double, 0 to 8 channels, NaN/inf/denormal/huge values),
// on SpectrumAnalyzer<Real> and ParallelSpectrumAnalyzer<Real>, Real = double or float.
//
// Contract checked (abort otherwise): both analyzers either throw the same auralis error type
// (InvalidSettings or InvalidAudio) naming the same field, or return results of the documented
// shape, every value finite, bit-identical to each other; errors come in the documented order
// (a sample rate, or a min_frequency at or above its Nyquist frequency, before the audio).
//
// Input layout: flags byte (bits 0-1: compute and sample types, 2: sample-rate override present,
// 3-5: scale of the 8-bit sample encoding, 7: mono overloads), settings (fuzz_common.hpp),
// parallel settings, the override, the audio layout byte (bits 0-2: channels - 1, 3-4: sample
// encoding, 5-7 all set: 0 channels), then the samples.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_common.hpp"

namespace {

using namespace auralis;
using namespace auralis::fuzz;

/// Samples decoded from the rest of the input in one of four encodings.
template <class T>
std::vector<T> decode_samples(Bytes& in, std::uint8_t mode, std::size_t cap) {
  static constexpr double scales[] = {1.0, 1e-300, 1e30, 1e300, kDenorm, 1e-40, 3e38, 1e-6};
  std::vector<T> out;
  switch (mode & 3) {
    case 0:  // 16-bit PCM scaled to [-1, 1)
      while (in.left() >= 2 && out.size() < cap) {
        out.push_back(static_cast<T>(static_cast<std::int16_t>(in.u16()) / 32768.0));
      }
      break;
    case 1:  // raw IEEE values of the sample type: NaN, inf, denormals, anything
      while (in.left() >= sizeof(T) && out.size() < cap) {
        if constexpr (sizeof(T) == 8) {
          out.push_back(in.f64());
        } else {
          out.push_back(in.f32());
        }
      }
      break;
    default: {  // 8-bit values times a scale from tiny to huge (overflowing to inf for float)
      const double scale = scales[(mode >> 2) % std::size(scales)];
      while (in.left() >= 1 && out.size() < cap) {
        out.push_back(static_cast<T>(static_cast<std::int8_t>(in.u8()) * scale));
      }
      break;
    }
  }
  return out;
}

template <class Real, class T>
void run(const SpectrumSettings& settings, const ParallelSpectrumSettings& psettings,
         std::optional<double> rate, std::size_t channels, std::uint8_t mode, Bytes& in) {
  // Enough samples for the frame budget (channels of them per frame), never more than 2^16.
  const std::size_t frames = frame_budget(settings, std::size_t{1} << 16);
  const std::size_t cap =
      std::min<std::size_t>(std::size_t{1} << 16, frames * std::max<std::size_t>(channels, 1));
  const std::vector<T> samples = decode_samples<T>(in, mode, cap);
  input_context() = describe(settings) + " max_workers=" + std::to_string(psettings.max_workers) +
                    " min_chunks=" + std::to_string(psettings.min_chunks_for_parallel) +
                    " parallel=" + std::to_string(psettings.enable_parallel) +
                    " rate=" + (rate ? std::to_string(*rate) : "none") +
                    " channels=" + std::to_string(channels) +
                    " samples=" + std::to_string(samples.size()) +
                    " compute=" + (sizeof(Real) == 8 ? "double" : "float") +
                    " sample_type=" + (sizeof(T) == 8 ? "double" : "float");

  const Outcome made_seq = outcome_of([&] {
    BasicSpectrumAnalyzer<Real> a(settings);
    return SpectrumResult{};
  });
  const Outcome made_par = outcome_of([&] {
    BasicParallelSpectrumAnalyzer<Real> a(psettings);
    return SpectrumResult{};
  });
  if (psettings.max_workers <= max_worker_limit) {
    check_same_failure(made_seq, made_par, "construction");
  } else {
    AURALIS_FUZZ_CHECK(!made_par.result && *made_par.error == typeid(InvalidSettings),
                       "max_workers > 256 accepted");
  }
  if (!made_seq.result || !made_par.result) return;

  const BasicSpectrumAnalyzer<Real> seq(settings);
  const BasicParallelSpectrumAnalyzer<Real> par(psettings);
  const std::span<const T> view(samples);
  Outcome a;
  Outcome b;
  if (channels == 1 && (mode & 0x80) != 0) {  // the mono overloads
    a = outcome_of([&] { return seq.analyze_file(view, rate); });
    b = outcome_of([&] { return par.analyze_file(view, rate); });
  } else {
    const InterleavedAudio<const T> audio{view, channels};
    a = outcome_of([&] { return seq.analyze_file(audio, rate); });
    b = outcome_of([&] { return par.analyze_file(audio, rate); });
  }
  check_same_outcome(a, b, settings.frequency_bands, "analyze_file sequential vs parallel");
  // The documented error order: the call's sample rate (the override, else the settings') and
  // the settings that depend on it (min_frequency below its Nyquist frequency) are checked
  // before the audio, so a bad rate is reported whatever the samples hold.
  const Outcome rate_check = outcome_of([&] {
    const double r = rate.value_or(settings.sample_rate);
    validate_sample_rate(r, "sample_rate");
    validate_against_sample_rate(settings, r);
    return SpectrumResult{};
  });
  if (!rate_check.result) {
    AURALIS_FUZZ_CHECK(!a.result && *a.error == *rate_check.error && a.field == rate_check.field,
                       "sample rate not checked first: " + rate_check.field + " expected, got " +
                           (a.result ? std::string("a result") : a.field));
  } else if (a.result) {
    AURALIS_FUZZ_CHECK(a.result->parallel_processing == false, "sequential says parallel");
  } else {
    // Exactly the documented causes.
    const bool bad_audio = samples.empty() || channels == 0 || samples.size() % channels != 0;
    if (bad_audio) {
      AURALIS_FUZZ_CHECK(*a.error == typeid(InvalidAudio), "bad audio not reported as such");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in({data, size});
  const std::uint8_t flags = in.u8();
  const SpectrumSettings settings = decode_settings(in);
  const ParallelSpectrumSettings psettings = decode_parallel(settings, in);
  std::optional<double> rate;
  if ((flags & 4) != 0) rate = decode_hz(in);
  const std::uint8_t layout = in.u8();
  // 1 to 8 channels; 0 (rejected) when the top bits are all set.
  const std::size_t channels = (layout & 0xe0) == 0xe0 ? 0 : 1 + (layout & 7);
  // Bits 0-1: sample encoding; 2-4: scale of the 8-bit encoding; 7: mono overloads.
  const auto mode =
      static_cast<std::uint8_t>(((layout >> 3) & 3) | (((flags >> 3) & 7) << 2) | (flags & 0x80));
  switch (flags & 3) {
    case 0:
      run<double, double>(settings, psettings, rate, channels, mode, in);
      break;
    case 1:
      run<double, float>(settings, psettings, rate, channels, mode, in);
      break;
    case 2:
      run<float, float>(settings, psettings, rate, channels, mode, in);
      break;
    default:
      run<float, double>(settings, psettings, rate, channels, mode, in);
      break;
  }
  return 0;
}
