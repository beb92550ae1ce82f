// SPDX-License-Identifier: GPL-3.0-or-later
// Replays the 14 golden cases of the reference analyzer (tests/golden/, and ../shared/golden/
// when present) through SpectrumAnalyzer in both conventions, file-level and frame by frame.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "auralis/auralis.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct GoldenCase {
  fs::path file;
  std::string label;  // "<source>/<case>", the test name
};

std::vector<GoldenCase> find_cases() {
  std::vector<GoldenCase> cases;
  const std::pair<const char*, const char*> dirs[] = {{"vendored", AURALIS_VENDORED_GOLDEN_DIR},
                                                      {"shared", AURALIS_SHARED_GOLDEN_DIR}};
  for (const auto& [source, dir] : dirs) {
    if (!fs::is_directory(dir)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      cases.push_back({f, std::string(source) + "_" + f.stem().string()});
    }
  }
  return cases;
}

json load(const fs::path& file) {
  std::ifstream in(file);
  return json::parse(in);
}

// One channel of a closed-form golden signal, evaluated exactly as the golden README writes it
// (this file is compiled with -ffp-contract=off, so no FMA changes the rounding).
double sample(const json& sig, double n, double sr) {
  const std::string kind = sig.at("kind");
  const double pi = std::numbers::pi;
  if (kind == "sine") {
    return sig.at("amplitude").get<double>() *
           std::sin(2.0 * pi * sig.at("frequency").get<double>() * n / sr +
                    sig.at("phase").get<double>());
  }
  if (kind == "dc_plus_sine") {
    return sig.at("dc").get<double>() +
           sig.at("amplitude").get<double>() *
               std::sin(2.0 * pi * sig.at("frequency").get<double>() * n / sr);
  }
  if (kind == "two_tone") {
    return sig.at("a1").get<double>() * std::sin(2.0 * pi * sig.at("f1").get<double>() * n / sr) +
           sig.at("a2").get<double>() * std::sin(2.0 * pi * sig.at("f2").get<double>() * n / sr);
  }
  if (kind == "silence") return 0.0;
  if (kind == "impulse") {
    for (const auto& p : sig.at("positions")) {
      if (p.get<double>() == n) return sig.at("amplitude").get<double>();
    }
    return 0.0;
  }
  if (kind == "impulse_train") {
    const auto i = static_cast<long long>(n);
    const auto offset = sig.at("offset").get<long long>();
    const auto period = sig.at("period").get<long long>();
    return (i >= offset && (i - offset) % period == 0) ? sig.at("amplitude").get<double>() : 0.0;
  }
  if (kind == "log_chirp") {
    const double f0 = sig.at("f0"), f1 = sig.at("f1"), sweep = sig.at("sweep_seconds");
    const double k = std::log(f1 / f0);
    const double c = 2.0 * pi * f0 * sweep / k;
    const double t = n / sr;
    return sig.at("amplitude").get<double>() * std::sin(c * (std::exp(t * k / sweep) - 1.0));
  }
  if (kind == "multitone") {
    const double t = n / sr;
    const double fundamental = sig.at("fundamental"), phase = sig.at("phase");
    double acc = 0.0;
    for (int i = 0; i < sig.at("harmonics").get<int>(); ++i) {
      const double h = static_cast<double>(i + 1);
      acc = acc + (0.2 / h) * std::sin(2.0 * pi * (fundamental * h) * t + phase);
    }
    const double env = 0.5 + 0.5 * std::sin(2.0 * pi * sig.at("env_hz").get<double>() * t);
    return sig.at("gain").get<double>() * env * acc;
  }
  if (kind == "saw_bandlimited") {
    const double t = n / sr;
    const double f = sig.at("frequency");
    double acc = 0.0;
    for (int k = 1; k <= sig.at("harmonics").get<int>(); ++k) {
      const double kk = static_cast<double>(k);
      const double s = (k % 2 == 1) ? 1.0 : -1.0;
      acc = acc + s * (2.0 / (pi * kk)) * std::sin(2.0 * pi * (f * kk) * t);
    }
    return sig.at("amplitude").get<double>() * acc;
  }
  ADD_FAILURE() << "unknown signal kind " << kind;
  return 0.0;
}

// The interleaved input of a case: regenerated from its formula or read from its .bin file.
std::vector<double> input_of(const json& g, const fs::path& dir) {
  const auto frames = g.at("num_samples").get<std::size_t>();
  const auto channels = g.at("channels").get<std::size_t>();
  const double sr = g.at("sample_rate");
  std::vector<double> x(frames * channels);
  if (g.contains("samples_file")) {
    std::ifstream in(dir / g.at("samples_file").get<std::string>(), std::ios::binary);
    in.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(x.size() * 8));
    EXPECT_TRUE(in.good()) << "cannot read " << g.at("samples_file");
    return x;
  }
  for (std::size_t i = 0; i < frames; ++i) {
    for (std::size_t c = 0; c < channels; ++c) {
      x[i * channels + c] = sample(g.at("channel_signals").at(c), static_cast<double>(i), sr);
    }
  }
  return x;
}

auralis::SpectrumSettings settings_of(const json& s, auralis::MetricConvention convention) {
  auralis::SpectrumSettings out;
  out.fft_size = s.at("fft_size");
  out.overlap = s.at("overlap");
  out.sample_rate = s.at("sample_rate");
  out.frequency_bands = s.at("frequency_bands");
  const std::string w = s.at("frequency_weighting");
  out.frequency_weighting = w == "A"   ? auralis::Weighting::A
                            : w == "C" ? auralis::Weighting::C
                                       : auralis::Weighting::Z;
  out.smoothing_factor = s.at("smoothing_factor");
  out.min_frequency = s.at("min_frequency");
  out.max_frequency = s.at("max_frequency");
  out.window_type = auralis::WindowType::hann;
  out.metric_convention = convention;
  return out;
}

// Largest |got - expected| over a scalar or an array field.
double max_error(const json& expected, const std::vector<double>& got) {
  double err = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    err = std::max(err, std::abs(got[i] - expected.at(i).get<double>()));
  }
  return err;
}

// Compares one result with its expected values under `tolerance[prefix + field]`, tracking the
// largest error / tolerance ratio seen.
void compare(const auralis::SpectrumResult& got, const json& expected, const json& tolerance,
             const std::string& prefix, const std::string& where, double& worst_ratio) {
  auto check = [&](const std::string& field, double err) {
    const json& tol = tolerance.at(prefix + field);
    if (tol.is_null()) return;
    const double t = tol.get<double>();
    EXPECT_LE(err, t) << where << " " << prefix << field << ": error " << err << " > tolerance "
                      << t;
    if (t > 0) worst_ratio = std::max(worst_ratio, err / t);
  };
  ASSERT_EQ(got.spectrum.size(), expected.at("spectrum").size()) << where;
  check("spectrum", max_error(expected.at("spectrum"), got.spectrum));
  check("peak_frequency",
        std::abs(got.peak_frequency - expected.at("peak_frequency").get<double>()));
  check("spectral_centroid",
        std::abs(got.spectral_centroid - expected.at("spectral_centroid").get<double>()));
  check("spectral_rolloff",
        std::abs(got.spectral_rolloff - expected.at("spectral_rolloff").get<double>()));
  check("total_energy", std::abs(got.total_energy - expected.at("total_energy").get<double>()));
  if (prefix.empty()) {
    check("frequency_bins", max_error(expected.at("frequency_bins"), got.frequency_bins));
    EXPECT_EQ(got.num_chunks_analyzed, expected.at("num_chunks_analyzed").get<std::size_t>())
        << where;
    check("analysis_duration",
          std::abs(got.analysis_duration - expected.at("analysis_duration").get<double>()));
  }
}

// The golden data's standard convention adds +0.06 dB to the C curve; IEC 61672-1 normalises
// C to 0 dB at 1 kHz with C1000 = -0.062 dB, which auralis uses (the 0.06 rounding put the curve
// 0.051 dB off the standard's Table 3 at 12.5 Hz and 20 kHz; iec61672_test). The difference is
// one exact constant per band level: it is removed before comparing, nothing else changes.
constexpr double kGoldenCOffsetDb = 0.062 - 0.06;
auralis::SpectrumResult as_golden(auralis::SpectrumResult r, const auralis::SpectrumSettings& s) {
  if (s.metric_convention == auralis::MetricConvention::standard &&
      s.frequency_weighting == auralis::Weighting::C) {
    for (double& level : r.spectrum) level -= kGoldenCOffsetDb;
  }
  return r;
}

// Channel 0 of interleaved samples (the reference analysed only the first channel).
std::vector<double> first_channel(const std::vector<double>& x, std::size_t channels) {
  std::vector<double> out(x.size() / channels);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = x[i * channels];
  return out;
}

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, InputMatchesStoredStatistics) {
  const json doc = load(GetParam().file);
  const json& g = doc.at("generator");
  const std::vector<double> x = input_of(g, GetParam().file.parent_path());
  const json& stats = g.at("input_stats");
  double sum = 0.0, sum_sq = 0.0;
  for (double v : x) {
    sum += v;
    sum_sq += v * v;
  }
  EXPECT_NEAR(sum, stats.at("sum").get<double>(), 1e-9 * (1.0 + std::abs(sum_sq)));
  EXPECT_NEAR(sum_sq, stats.at("sum_sq").get<double>(), 1e-9 * (1.0 + sum_sq));
  for (std::size_t i = 0; i < 4 && i < x.size(); ++i) {
    // Bit-exact regeneration: per-sample glibc sin/exp, left to right, no FMA.
    EXPECT_EQ(x[i], stats.at("first").at(i).get<double>()) << "first[" << i << "]";
    EXPECT_EQ(x[x.size() - 4 + i], stats.at("last").at(i).get<double>()) << "last[" << i << "]";
  }
}

TEST_P(GoldenTest, FileAndFrameTraceWithinTolerance) {
  const json doc = load(GetParam().file);
  const json& g = doc.at("generator");
  const auto channels = g.at("channels").get<std::size_t>();
  const std::vector<double> x = input_of(g, GetParam().file.parent_path());
  const std::vector<double> mono = first_channel(x, channels);
  double worst = 0.0;

  for (const char* name : {"auralis", "standard"}) {
    const auto convention = std::string(name) == "auralis" ? auralis::MetricConvention::auralis
                                                           : auralis::MetricConvention::standard;
    const auralis::SpectrumSettings s = settings_of(doc.at("settings"), convention);
    const json& expected = doc.at("expected").at(name);
    const json& tolerance = doc.at("tolerance").at(name);
    auralis::SpectrumAnalyzer analyzer(s);
    const auralis::SpectrumResult file = analyzer.analyze_file(mono);

    if (expected.empty()) {
      // The reference returns {} when no full frame fits; auralis analyses one zero-padded
      // frame instead (docs/conventions.md), equal to analyze_chunk on the same samples.
      ASSERT_LT(mono.size(), s.fft_size);
      EXPECT_EQ(file.num_chunks_analyzed, 1u);
      auralis::SpectrumAnalyzer streaming(s);
      const auralis::SpectrumResult chunk = streaming.analyze_chunk(mono);
      EXPECT_EQ(file.spectrum, chunk.spectrum);
      EXPECT_EQ(file.spectral_centroid, chunk.spectral_centroid);
      EXPECT_EQ(file.total_energy, chunk.total_energy);
      continue;
    }
    compare(as_golden(file, s), expected, tolerance, "", std::string(name) + " file", worst);

    // frame_trace: analyze_chunk on frames 0, 1, 2, ... of one analyzer, smoothing carried on.
    const json& trace = doc.at("frame_trace").at(name);
    const std::size_t hop = auralis::hop_size(s);
    const std::size_t last = trace.back().at("frame");
    std::size_t next = 0;
    auralis::SpectrumResult frame;
    for (std::size_t t = 0; t <= last; ++t) {
      analyzer.analyze_chunk(std::span<const double>(mono).subspan(t * hop, s.fft_size), frame);
      if (trace.at(next).at("frame").get<std::size_t>() != t) continue;
      compare(as_golden(frame, s), trace.at(next), tolerance, "frame_trace.",
              std::string(name) + " frame " + std::to_string(t), worst);
      ++next;
    }
    EXPECT_EQ(next, trace.size());
  }

  if (doc.at("expected").contains("auralis_mean_channels")) {
    const auralis::SpectrumSettings s =
        settings_of(doc.at("settings"), auralis::MetricConvention::auralis);
    auralis::SpectrumAnalyzer analyzer(s);
    const auralis::SpectrumResult r =
        analyzer.analyze_file(auralis::InterleavedAudio<const double>{x, channels});
    compare(r, doc.at("expected").at("auralis_mean_channels"),
            doc.at("tolerance").at("auralis_mean_channels"), "", "auralis_mean_channels", worst);
  }
  RecordProperty("worst_error_to_tolerance", std::to_string(worst));
  std::printf("[ golden   ] %s: worst error = %.3g of tolerance\n", GetParam().label.c_str(),
              worst);
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(find_cases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& param_info) {
                           return param_info.param.label;
                         });

TEST(GoldenData, VendoredCopyIsPresent) {
  EXPECT_TRUE(fs::exists(fs::path(AURALIS_VENDORED_GOLDEN_DIR) / "sine440_default.json"));
}

}  // namespace
