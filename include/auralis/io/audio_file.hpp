// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Audio files: reading WAV, FLAC, Ogg/Vorbis, AIFF (and the other formats libsndfile decodes)
/// as samples scaled to [-1, 1), and writing them (fixtures, demos). libsndfile is an
/// implementation detail: `<sndfile.h>` is included only by src/io/audio_file.cpp.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "auralis/error.hpp"

namespace auralis::io {

/// Why an audio file could not be read (or written).
enum class AudioFileErrorKind {
  /// The path does not exist (or is a broken symbolic link).
  missing,
  /// The path exists but is a directory, device, FIFO or socket.
  not_a_file,
  /// The file exists but cannot be opened or read (permissions, I/O error).
  unreadable,
  /// The file is not audio: 0 bytes, random bytes, a damaged or truncated header.
  not_audio,
  /// A recognised container with an encoding libsndfile cannot decode (or, when writing,
  /// a format that cannot hold the requested channels or sample rate).
  unsupported,
  /// The audio data ends before the length its header declares.
  truncated,
  /// A valid header that declares zero sample frames.
  empty,
  /// write_audio_file could not create or write the file.
  unwritable
};

/// "missing", "not_a_file", "unreadable", "not_audio", "unsupported", "truncated", "empty" or
/// "unwritable" (stable names, e.g. for JSON error records).
[[nodiscard]] constexpr std::string_view to_string(AudioFileErrorKind kind) noexcept {
  switch (kind) {
    case AudioFileErrorKind::missing:
      return "missing";
    case AudioFileErrorKind::not_a_file:
      return "not_a_file";
    case AudioFileErrorKind::unreadable:
      return "unreadable";
    case AudioFileErrorKind::not_audio:
      return "not_audio";
    case AudioFileErrorKind::unsupported:
      return "unsupported";
    case AudioFileErrorKind::truncated:
      return "truncated";
    case AudioFileErrorKind::empty:
      return "empty";
    case AudioFileErrorKind::unwritable:
      return "unwritable";
  }
  return "invalid";
}

/// An audio file could not be read or written. `what()` is "auralis: <path>: <cause>", a
/// sentence naming the file and the cause; `field()` is the path as a string. Part of the
/// auralis::Error family (through RuntimeError, a std::runtime_error). Copying never throws
/// (the path is shared).
class AudioFileError : public RuntimeError {
 public:
  /// `cause` is the part of the message after the path, e.g. "does not exist".
  AudioFileError(const std::filesystem::path& path, AudioFileErrorKind kind,
                 const std::string& cause)
      : RuntimeError(path.string(), cause),
        path_(std::make_shared<const std::filesystem::path>(path)),
        kind_(kind) {}
  /// The file concerned.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return *path_; }
  /// The category of the failure.
  [[nodiscard]] AudioFileErrorKind kind() const noexcept { return kind_; }

 private:
  std::shared_ptr<const std::filesystem::path> path_;
  AudioFileErrorKind kind_;
};

/// What an audio file's header declares.
struct AudioFileInfo {
  /// Sample frames (one sample per channel each), >= 1 for a file AudioFileReader opened.
  std::size_t frames = 0;
  /// Interleaved channels, >= 1.
  std::size_t channels = 0;
  /// Sample rate in Hz (finite, > 0).
  double sample_rate = 0.0;
  /// Container and encoding, e.g. "WAV, PCM 16-bit", "FLAC, PCM 24-bit", "Ogg, Vorbis",
  /// "AIFF, PCM 16-bit", "WAV, float 32-bit".
  std::string format;
  /// frames / sample_rate, in seconds.
  [[nodiscard]] double duration() const noexcept {
    return sample_rate > 0.0 ? static_cast<double>(frames) / sample_rate : 0.0;
  }
};

/// Sequential reader of one audio file, RAII over a libsndfile handle.
///
/// Samples come interleaved (frame-major: L R L R ... for stereo). Integer PCM of b bits is
/// scaled by 2^-(b-1) (exact: 16-bit k reads as k / 32768, in [-1, 1)); float files are returned
/// as stored (values outside [-1, 1], NaN and infinities included); lossy formats (Vorbis,
/// Opus, MP3) as decoded.
///
/// The constructor opens the file and checks it: existence, type, permissions, a recognised
/// header, a positive sample rate and channel count, a known length, data present for the whole
/// declared length where the container lets this be checked before reading (WAV, AIFF, AU, RF64)
/// and at least one frame; each failure throws AudioFileError with its kind. read() throws
/// AudioFileError(truncated) when the data ends before info().frames (FLAC, Ogg, MP3 cut short).
/// A damaged file never crashes, hangs or makes the reader write past the caller's buffer.
///
/// Allocation: the constructor allocates the handle and libsndfile's buffers (a few KB; Ogg and
/// FLAC decoders somewhat more); read() allocates nothing in auralis (the decoders may).
/// Thread safety: one reader is used by one thread at a time; distinct readers may be used
/// concurrently (opening takes a process-wide mutex around libsndfile's global error state).
/// Move-only; a moved-from reader may only be destroyed or assigned to.
class AudioFileReader {
 public:
  /// Opens and checks `path`. Throws AudioFileError.
  explicit AudioFileReader(const std::filesystem::path& path);
  AudioFileReader(AudioFileReader&&) noexcept;
  AudioFileReader& operator=(AudioFileReader&&) noexcept;
  AudioFileReader(const AudioFileReader&) = delete;
  AudioFileReader& operator=(const AudioFileReader&) = delete;
  ~AudioFileReader();

  /// The header's description of the file.
  [[nodiscard]] const AudioFileInfo& info() const noexcept;
  /// The path given to the constructor.
  [[nodiscard]] const std::filesystem::path& path() const noexcept;
  /// Sample frames read so far (the position in the file).
  [[nodiscard]] std::size_t frames_read() const noexcept;

  /// Reads the next `min(interleaved.size() / channels, frames left)` frames into the front of
  /// `interleaved` and returns how many; 0 only at the end of the file. Throws
  /// AudioFileError(truncated) when the data ends early (the reader should then be discarded)
  /// and InvalidArgument when `interleaved` holds less than one frame before the end.
  std::size_t read(std::span<double> interleaved);
  /// As above, float samples (24- and 32-bit integer PCM rounded to float).
  std::size_t read(std::span<float> interleaved);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A whole audio file in memory.
struct AudioBuffer {
  /// Interleaved samples, `frames * channels` of them, scaled as AudioFileReader reads them.
  std::vector<double> samples;
  /// Channels, >= 1.
  std::size_t channels = 0;
  /// Sample rate in Hz.
  double sample_rate = 0.0;
  /// Sample frames: samples.size() / channels.
  [[nodiscard]] std::size_t frames() const noexcept {
    return channels == 0 ? 0 : samples.size() / channels;
  }
};

/// Reads a whole file (see AudioFileReader for scaling and errors). Allocates the samples
/// (8 bytes each); to analyse a long file in bounded memory use the analyzers'
/// `analyze_file(path)` instead. Reentrant.
[[nodiscard]] AudioBuffer read_audio_file(const std::filesystem::path& path);

/// Container and encoding written by write_audio_file.
enum class AudioFileFormat {
  wav_pcm16,   ///< WAV, 16-bit integer PCM
  wav_pcm24,   ///< WAV, 24-bit integer PCM
  wav_float,   ///< WAV, 32-bit IEEE float (non-finite samples are stored as given)
  flac_pcm16,  ///< FLAC, 16-bit (lossless; at most 8 channels)
  flac_pcm24,  ///< FLAC, 24-bit
  ogg_vorbis,  ///< Ogg/Vorbis (lossy, libvorbis' default quality)
  aiff_pcm16   ///< AIFF, 16-bit big-endian PCM
};

/// Writes interleaved samples (`channels` per frame) at `sample_rate` Hz, replacing any existing
/// file. Integer PCM of b bits stores `round(x * 2^(b-1))` clamped to [-2^(b-1), 2^(b-1) - 1],
/// so values written as k / 2^(b-1) read back exactly; wav_float stores `(float)x`; Vorbis encodes
/// `(float)x`.
///
/// Throws InvalidArgument for channels == 0, a sample count that is not a multiple of
/// `channels`, a sample rate that is not an integer in [1, 2^31) Hz, or (except for wav_float) a
/// NaN or infinite sample; AudioFileError(unsupported) when the format cannot hold these
/// channels or this rate (FLAC: at most 8 channels), AudioFileError(unwritable / not_a_file)
/// when the file cannot be created or written (a partial file is then removed). Zero frames
/// write a header-only file (a 0-byte file for FLAC, which readers reject as not audio).
/// Allocates a conversion buffer of 4096 frames. Reentrant.
void write_audio_file(const std::filesystem::path& path, std::span<const double> interleaved,
                      std::size_t channels, double sample_rate, AudioFileFormat format);

}  // namespace auralis::io
