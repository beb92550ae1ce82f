// SPDX-License-Identifier: GPL-3.0-or-later
// Writes the seed corpora of fuzz/corpus/ (run once; the output is checked in):
//   fuzz_make_seeds <fuzz/corpus>
// Audio files come from io::write_audio_file; the settings blobs follow the byte layouts that
// fuzz_common.hpp, fuzz_analyze_file.cpp and fuzz_analyze_chunk.cpp decode.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <vector>

#include "auralis/io/audio_file.hpp"

namespace {

namespace fs = std::filesystem;
using auralis::io::AudioFileFormat;

std::vector<double> tone(std::size_t frames, std::size_t channels, double hz, double rate) {
  std::vector<double> v(frames * channels);
  for (std::size_t i = 0; i < frames; ++i) {
    for (std::size_t c = 0; c < channels; ++c) {
      const double x = 0.5 * std::sin(2.0 * std::numbers::pi * hz * static_cast<double>(c + 1) *
                                      static_cast<double>(i) / rate);
      v[i * channels + c] = std::round(x * 32768.0) / 32768.0;
    }
  }
  return v;
}

void blob(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

void append_pcm16(std::vector<std::uint8_t>& b, const std::vector<double>& v) {
  for (double x : v) {
    const auto s = static_cast<std::uint16_t>(static_cast<std::int16_t>(x * 32767.0));
    b.push_back(static_cast<std::uint8_t>(s & 0xff));
    b.push_back(static_cast<std::uint8_t>(s >> 8));
  }
}

// Settings bytes (fuzz_common.hpp decode_settings): fft index, window, overlap, rate, bands,
// weighting, smoothing, min Hz, max Hz, convention.
std::vector<std::uint8_t> settings(std::uint8_t fft_index, std::uint8_t window,
                                   std::uint8_t overlap, std::uint8_t rate, std::uint8_t bands,
                                   std::uint8_t weighting, std::uint8_t smoothing,
                                   std::uint8_t convention) {
  return {fft_index, window,    overlap,     rate,         bands,
          weighting, smoothing, 4 /*20 Hz*/, 5 /*20 kHz*/, convention};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds <corpus dir>\n");
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path audio = root / "fuzz_audio_file";
  const fs::path file = root / "fuzz_analyze_file";
  const fs::path chunk = root / "fuzz_analyze_chunk";
  for (const fs::path& d : {audio, file, chunk}) fs::create_directories(d);

  using auralis::io::write_audio_file;
  write_audio_file(audio / "mono_pcm16.wav", tone(300, 1, 440.0, 8000.0), 1, 8000.0,
                   AudioFileFormat::wav_pcm16);
  write_audio_file(audio / "stereo_pcm24.wav", tone(200, 2, 1000.0, 48000.0), 2, 48000.0,
                   AudioFileFormat::wav_pcm24);
  std::vector<double> with_nan = tone(100, 2, 300.0, 22050.0);
  with_nan[77] = std::nan("");
  write_audio_file(audio / "stereo_float_nan.wav", with_nan, 2, 22050.0,
                   AudioFileFormat::wav_float);
  write_audio_file(audio / "mono_pcm16.flac", tone(600, 1, 440.0, 44100.0), 1, 44100.0,
                   AudioFileFormat::flac_pcm16);
  write_audio_file(audio / "three_ch_pcm24.flac", tone(300, 3, 200.0, 16000.0), 3, 16000.0,
                   AudioFileFormat::flac_pcm24);
  write_audio_file(audio / "mono_pcm16.aiff", tone(300, 1, 100.0, 11025.0), 1, 11025.0,
                   AudioFileFormat::aiff_pcm16);
  write_audio_file(audio / "mono.ogg", tone(400, 1, 880.0, 8000.0), 1, 8000.0,
                   AudioFileFormat::ogg_vorbis);

  // analyze_file: flags, settings, parallel (workers 2, min chunks 1), layout, samples.
  {
    std::vector<std::uint8_t> b{0};
    const auto s = settings(11 /*256*/, 0, 64 /*0.5*/, 0 /*44.1k*/, 31 /*32*/, 0, 102, 0);
    b.insert(b.end(), s.begin(), s.end());
    b.insert(b.end(), {2, 1, 0 /*mono, int16*/});
    append_pcm16(b, tone(1024, 1, 440.0, 44100.0));
    blob(file / "mono_double_256.bin", b);
  }
  {
    std::vector<std::uint8_t> b{2 /*float compute, float samples*/};
    const auto s = settings(17 /*1024*/, 1, 96 /*0.75*/, 1 /*48k*/, 63 /*64*/, 1, 0, 1);
    b.insert(b.end(), s.begin(), s.end());
    b.insert(b.end(), {2, 1, 1 /*stereo, int16*/});
    append_pcm16(b, tone(1500, 2, 1000.0, 48000.0));
    blob(file / "stereo_float_1024.bin", b);
  }
  {
    std::vector<std::uint8_t> b{4 | 1 /*rate override, double compute float samples*/};
    const auto s = settings(8 /*100*/, 2, 0, 0, 15, 2, 64, 0);
    b.insert(b.end(), s.begin(), s.end());
    b.insert(b.end(), {0 /*all workers*/, 0});
    b.push_back(3 /*96 kHz override*/);
    b.push_back(0x10 /*mono, 8-bit scaled*/);
    for (int i = 0; i < 400; ++i) b.push_back(static_cast<std::uint8_t>((i * 37) & 0xff));
    blob(file / "mono_8bit_override.bin", b);
  }
  // analyze_chunk: flags, settings, then ops (code byte, u16 frames, samples).
  {
    std::vector<std::uint8_t> b{0};
    const auto s = settings(11 /*256*/, 0, 64, 0, 31, 0, 102, 0);
    b.insert(b.end(), s.begin(), s.end());
    const auto pcm = tone(256, 1, 440.0, 44100.0);
    for (int op = 0; op < 3; ++op) {
      b.insert(b.end(), {0x00, 0x00, 0x01});  // double mono, 256 frames
      append_pcm16(b, pcm);
    }
    b.push_back(7);                         // reset
    b.insert(b.end(), {0x08, 0x80, 0x00});  // double stereo, 128 frames
    append_pcm16(b, tone(128, 2, 440.0, 44100.0));
    blob(chunk / "mono_stereo_reset.bin", b);
  }
  {
    std::vector<std::uint8_t> b{1 /*float compute*/};
    const auto s = settings(10 /*128*/, 3, 96, 1, 7, 1, 120, 1);
    b.insert(b.end(), s.begin(), s.end());
    b.insert(b.end(), {0x81, 0x40, 0x00});  // float interleaved mono, 64 frames
    append_pcm16(b, tone(64, 1, 3000.0, 48000.0));
    b.insert(b.end(), {0x06, 0x20, 0x00});  // double, 32 frames, then a NaN at index 5
    append_pcm16(b, tone(32, 1, 3000.0, 48000.0));
    b.insert(b.end(), {0x05, 0x00});
    b.insert(b.end(), {0x01, 0x90, 0x00});  // float mono, 144 frames: longer than fft_size
    append_pcm16(b, tone(144, 1, 3000.0, 48000.0));
    blob(chunk / "float_nan_too_long.bin", b);
  }
  return 0;
}
