// SPDX-License-Identifier: GPL-3.0-or-later
// Writes the audio fixtures of the command-line tests into DIR/lib: a small music library of
// WAV (16-bit, 24-bit, float, 5.1), FLAC, Ogg/Vorbis and AIFF files in nested directories, at
// 22.05 to 96 kHz, one shorter than an FFT frame, one with an upper-case extension, a text file
// the batch must ignore, one file of random bytes named .wav and one WAV cut short; and into
// DIR/loudness the files of the --loudness tests: 1 kHz sines of -23 dBFS peak (stereo 48 kHz
// float WAV, mono 44.1 kHz 24-bit FLAC), stereo silence, and a 4-channel WAV (a layout
// BS.1770 does not define).
//
// Usage: make_cli_fixtures DIR
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "auralis/io/audio_file.hpp"

namespace {

namespace fs = std::filesystem;
using auralis::io::AudioFileFormat;

/// `seconds` of `channels` channels at `rate` Hz: channel c is a sine at `hz * (c + 1)` with its
/// third harmonic, amplitude 0.4 / (c + 1), so every file and channel has its own spectrum.
void write_tone(const fs::path& path, double hz, double seconds, std::size_t channels, double rate,
                AudioFileFormat format) {
  const auto frames = static_cast<std::size_t>(seconds * rate);
  std::vector<double> x(frames * channels);
  for (std::size_t n = 0; n < frames; ++n) {
    const double t = static_cast<double>(n) / rate;
    for (std::size_t c = 0; c < channels; ++c) {
      const double f = hz * static_cast<double>(c + 1);
      const double a = 0.4 / static_cast<double>(c + 1);
      x[n * channels + c] = a * (std::sin(2.0 * std::numbers::pi * f * t) +
                                 0.3 * std::sin(2.0 * std::numbers::pi * 3.0 * f * t));
    }
  }
  fs::create_directories(path.parent_path());
  auralis::io::write_audio_file(path, x, channels, rate, format);
}

/// `seconds` of a 1 kHz sine of peak `level_dbfs` on `channels` channels (0 = silence).
void write_sine(const fs::path& path, double level_dbfs, double seconds, std::size_t channels,
                double rate, AudioFileFormat format, bool silent = false) {
  const auto frames = static_cast<std::size_t>(seconds * rate);
  const double a = silent ? 0.0 : std::pow(10.0, level_dbfs / 20.0);
  std::vector<double> x(frames * channels);
  for (std::size_t n = 0; n < frames; ++n) {
    const double v = a * std::sin(2.0 * std::numbers::pi * 1000.0 * static_cast<double>(n) / rate);
    for (std::size_t c = 0; c < channels; ++c) x[n * channels + c] = v;
  }
  fs::create_directories(path.parent_path());
  auralis::io::write_audio_file(path, x, channels, rate, format);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_cli_fixtures DIR\n");
    return 2;
  }
  const fs::path lib = fs::path(argv[1]) / "lib";
  const fs::path loud = fs::path(argv[1]) / "loudness";
  try {
    fs::remove_all(lib);
    fs::remove_all(loud);
    write_sine(loud / "sine_-23_stereo_48k.wav", -23.0, 5.0, 2, 48000.0,
               AudioFileFormat::wav_float);
    write_sine(loud / "sine_-23_mono_44k.flac", -23.0, 4.0, 1, 44100.0,
               AudioFileFormat::flac_pcm24);
    write_sine(loud / "silence.wav", 0.0, 2.0, 2, 48000.0, AudioFileFormat::wav_pcm16, true);
    write_sine(loud / "quad.wav", -20.0, 1.0, 4, 48000.0, AudioFileFormat::wav_pcm16);

    write_tone(lib / "a_mono_22k.wav", 300.0, 1.0, 1, 22050.0, AudioFileFormat::wav_pcm16);
    write_tone(lib / "b_stereo_48k.flac", 440.0, 0.8, 2, 48000.0, AudioFileFormat::flac_pcm24);
    write_tone(lib / "album" / "01 tone.ogg", 523.25, 1.0, 2, 44100.0, AudioFileFormat::ogg_vorbis);
    write_tone(lib / "album" / "02_float.wav", 659.25, 0.6, 1, 44100.0, AudioFileFormat::wav_float);
    write_tone(lib / "album" / "03_surround.wav", 110.0, 0.5, 6, 48000.0,
               AudioFileFormat::wav_pcm16);
    write_tone(lib / "album" / "disc2" / "04_hires.aiff", 1000.0, 0.5, 1, 96000.0,
               AudioFileFormat::aiff_pcm16);
    write_tone(lib / "album" / "disc2" / "05_short.WAV", 2000.0, 0.05, 2, 44100.0,
               AudioFileFormat::wav_pcm24);
    std::ofstream(lib / "album" / "readme.txt") << "not audio, and not an audio extension\n";

    // Random bytes with a .wav name (fixed seed: the same bytes every time).
    std::ofstream corrupt(lib / "corrupt.wav", std::ios::binary);
    std::uint32_t seed = 2024;
    for (int i = 0; i < 3000; ++i) {
      seed = seed * 1664525u + 1013904223u;
      corrupt.put(static_cast<char>(seed >> 24));
    }
    corrupt.close();

    // A valid WAV header declaring 1 s of audio, with only 60% of the data present.
    write_tone(lib / "truncated.wav", 880.0, 1.0, 1, 44100.0, AudioFileFormat::wav_pcm16);
    fs::resize_file(lib / "truncated.wav", fs::file_size(lib / "truncated.wav") * 6 / 10);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_cli_fixtures: %s\n", e.what());
    return 1;
  }
  std::printf("fixtures written to %s\n", lib.string().c_str());
  return 0;
}
