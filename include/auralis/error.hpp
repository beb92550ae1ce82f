// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Error types. Every error auralis throws derives from auralis::Error (catch that to handle
/// any auralis failure) and from exactly one standard exception: invalid settings and input
/// from std::invalid_argument, failures of files, filters, extractors and the FFT planner from
/// std::runtime_error. Every `what()` names the offending field or path and the rule broken.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace auralis {

/// Mixin base of every exception auralis throws. It does not derive from std::exception, so
/// each concrete error keeps exactly one std::exception base and `catch (const
/// std::exception&)` still catches it unambiguously.
class Error {
 public:
  virtual ~Error() = default;
  /// "auralis: <field or path>: <what is wrong and the rule>".
  [[nodiscard]] virtual const char* what() const noexcept = 0;
  /// What the error is about: a setting or argument ("fft_size", "samples", "band_filters",
  /// ...), or a file's path for file errors.
  [[nodiscard]] const std::string& field() const noexcept { return *field_; }

 protected:
  explicit Error(std::string field)
      : field_(std::make_shared<const std::string>(std::move(field))) {}
  // Copies share the field: copying an exception never throws.
  Error(const Error&) noexcept = default;
  Error& operator=(const Error&) noexcept = default;

 private:
  std::shared_ptr<const std::string> field_;
};

/// A setting or argument is invalid. `field()` names it; `what()` is a full sentence naming it
/// and the rule.
class InvalidArgument : public std::invalid_argument, public Error {
 public:
  InvalidArgument(std::string field, const std::string& message)
      : std::invalid_argument("auralis: " + field + ": " + message), Error(std::move(field)) {}
  [[nodiscard]] const char* what() const noexcept override { return std::invalid_argument::what(); }
};

/// A setting (SpectrumSettings, ParallelSpectrumSettings, ParallelConfig, EqSettings) is out of
/// range, or an argument is inconsistent with the settings.
class InvalidSettings : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// Audio passed to a call is unusable: empty, wrongly shaped, too long for a chunk, or holding
/// a NaN, infinite or out-of-range sample (the message gives the sample index, and the file
/// for audio streamed from a file).
class InvalidAudio : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// Something failed while running: a file, a user's filter or extractor, the FFT planner.
/// Concrete types: io::AudioFileError, BandProcessingError, FeatureExtractionError, FftError.
class RuntimeError : public std::runtime_error, public Error {
 public:
  RuntimeError(std::string field, const std::string& message)
      : std::runtime_error("auralis: " + field + ": " + message), Error(std::move(field)) {}
  [[nodiscard]] const char* what() const noexcept override { return std::runtime_error::what(); }
};

/// FFTW could not create a plan (out of memory inside the planner). `field()` is "fft_size".
class FftError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

}  // namespace auralis
