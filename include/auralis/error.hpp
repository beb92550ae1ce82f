// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Error types. Every invalid setting or argument throws a type derived from
/// std::invalid_argument whose message names the offending field and its allowed range.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace auralis {

/// Base of every auralis argument error. `field()` is the name of the offending setting or
/// argument ("fft_size", "samples", ...); `what()` is a full sentence naming it and the rule.
class InvalidArgument : public std::invalid_argument {
 public:
  InvalidArgument(std::string field, const std::string& message)
      : std::invalid_argument("auralis: " + field + ": " + message), field_(std::move(field)) {}
  /// Name of the offending field or argument.
  [[nodiscard]] const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

/// A setting (SpectrumSettings, ParallelSpectrumSettings, ParallelConfig) is out of range.
class InvalidSettings : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// Audio passed to an analysis call is unusable: empty, wrongly shaped, too long for a chunk,
/// or containing a NaN or infinite sample (the message gives the sample index).
class InvalidAudio : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

}  // namespace auralis
