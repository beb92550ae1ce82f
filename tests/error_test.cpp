// SPDX-License-Identifier: GPL-3.0-or-later
// Every error type the library throws, thrown by the library itself, is caught both as
// auralis::Error and as std::exception (a catch of an ambiguous base would not match: this also
// proves each has exactly one std::exception base), and its what() names the field or path and
// the rule.
#include <gtest/gtest.h>

#include <exception>
#include <filesystem>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"

namespace {

static_assert(!std::is_base_of_v<std::exception, auralis::Error>,
              "auralis::Error is a mixin, not a second std::exception base");
static_assert(std::is_base_of_v<std::invalid_argument, auralis::InvalidSettings>);
static_assert(std::is_base_of_v<std::invalid_argument, auralis::InvalidAudio>);
static_assert(std::is_base_of_v<std::runtime_error, auralis::io::AudioFileError>);
static_assert(std::is_base_of_v<std::runtime_error, auralis::BandProcessingError>);
static_assert(std::is_base_of_v<std::runtime_error, auralis::FeatureExtractionError>);
static_assert(std::is_base_of_v<std::runtime_error, auralis::FftError>);
static_assert(std::is_nothrow_copy_constructible_v<auralis::InvalidSettings>);
static_assert(std::is_nothrow_copy_constructible_v<auralis::io::AudioFileError>);

// Runs `thrower` three times: the error must be caught as E, as auralis::Error and as
// std::exception, with the same message each time. Returns {field, what}.
template <class E>
std::pair<std::string, std::string> check(const std::function<void()>& thrower) {
  std::string field;
  std::string what;
  try {
    thrower();
    ADD_FAILURE() << "nothing thrown";
  } catch (const E& e) {
    field = e.field();
    what = e.what();
  }
  try {
    thrower();
  } catch (const auralis::Error& e) {
    EXPECT_EQ(e.field(), field);
    EXPECT_EQ(std::string(e.what()), what);
    EXPECT_NE(dynamic_cast<const E*>(&e), nullptr);
  }
  try {
    thrower();
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string(e.what()), what);
    const auto* as_error = dynamic_cast<const auralis::Error*>(&e);
    EXPECT_NE(as_error, nullptr);
    if (as_error != nullptr) {
      EXPECT_EQ(as_error->field(), field);
    }
  } catch (...) {
    ADD_FAILURE() << "not caught as std::exception";
  }
  // "auralis: <field>: <rule>": the field (or path) first, then a non-empty rule.
  const std::string head = "auralis: " + field + ": ";
  EXPECT_EQ(what.rfind(head, 0), 0u) << what;
  EXPECT_GT(what.size(), head.size() + 8) << what;
  return {field, what};
}

TEST(Errors, InvalidSettingsNamesFieldAndRange) {
  auralis::SpectrumSettings s;
  s.fft_size = 3;
  const auto [field, what] =
      check<auralis::InvalidSettings>([&] { auralis::SpectrumAnalyzer a(s); });
  EXPECT_EQ(field, "fft_size");
  EXPECT_NE(what.find("[16, 1048576]"), std::string::npos) << what;
}

TEST(Errors, InvalidAudioNamesFieldAndSample) {
  const auralis::SpectrumAnalyzer a;
  std::vector<double> x(8192, 0.0);
  x[77] = std::numeric_limits<double>::quiet_NaN();
  const auto [field, what] = check<auralis::InvalidAudio>([&] { (void)a.analyze_file(x); });
  EXPECT_EQ(field, "samples");
  EXPECT_NE(what.find("sample 77 "), std::string::npos) << what;
  EXPECT_NE(what.find("NaN"), std::string::npos) << what;
}

TEST(Errors, InvalidArgumentOfTheWriter) {
  const std::vector<double> x(4, 0.0);
  const auto [field, what] = check<auralis::InvalidArgument>([&] {
    auralis::io::write_audio_file(std::filesystem::temp_directory_path() / "auralis-never.wav", x,
                                  0, 44100.0, auralis::io::AudioFileFormat::wav_pcm16);
  });
  EXPECT_EQ(field, "channels");
}

TEST(Errors, AudioFileErrorNamesPathAndCause) {
  const std::filesystem::path missing =
      std::filesystem::temp_directory_path() / "auralis-error-test-no-such-file.wav";
  const auto [field, what] =
      check<auralis::io::AudioFileError>([&] { auralis::io::AudioFileReader r(missing); });
  EXPECT_EQ(field, missing.string());
  EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
  try {
    auralis::io::AudioFileReader r(missing);
  } catch (const auralis::io::AudioFileError& e) {
    EXPECT_EQ(e.kind(), auralis::io::AudioFileErrorKind::missing);
    EXPECT_EQ(e.path(), missing);
  }
}

TEST(Errors, BandProcessingErrorNamesBandAndCause) {
  const auralis::ParallelBandProcessor p;
  const std::vector<double> x(1000, 0.25);
  const std::vector<auralis::BandFilter> filters{
      [](std::span<const double> in) { return std::vector<double>(in.begin(), in.end()); },
      [](std::span<const double>) -> std::vector<double> {
        throw std::runtime_error("filter exploded");
      }};
  const std::vector<double> gains{0.0, 0.0};
  const auto [field, what] = check<auralis::BandProcessingError>(
      [&] { (void)p.process_bands_parallel(x, filters, gains); });
  EXPECT_EQ(field, "band_filters");
  EXPECT_NE(what.find("filter 1 failed: filter exploded"), std::string::npos) << what;
}

TEST(Errors, FeatureExtractionErrorNamesFeature) {
  const auralis::ParallelFeatureExtractor p;
  const std::vector<double> x(1000, 0.25);
  const std::vector<auralis::FeatureExtractor<double>> extractors{
      {"fine", [](std::span<const double> in) { return in[0]; }},
      {"broken", [](std::span<const double>) -> double { throw std::logic_error("no luck"); }}};
  const auto [field, what] = check<auralis::FeatureExtractionError>(
      [&] { (void)p.extract_features_parallel(std::span<const double>(x), extractors); });
  EXPECT_EQ(field, "extractors");
  EXPECT_NE(what.find("feature 'broken' failed: no luck"), std::string::npos) << what;
}

TEST(Errors, FftErrorNamesSize) {
  const auto [field, what] =
      check<auralis::FftError>([] { (void)auralis::kernel::FftPlan<double>::shared(0); });
  EXPECT_EQ(field, "fft_size");
  EXPECT_NE(what.find('0'), std::string::npos) << what;
}

}  // namespace
