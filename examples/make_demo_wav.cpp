// SPDX-License-Identifier: GPL-3.0-or-later
// make_demo_wav: writes the demo track that scripts/run.sh analyses, so the main job needs no
// download: an A major chord with harmonics, spread over two channels, under a slow tremolo,
// with a faint noise floor. 44.1 kHz stereo 16-bit WAV, 8 s unless told otherwise.
//
// Usage: make_demo_wav OUT.wav [SECONDS]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <numbers>
#include <string>
#include <vector>

#include "auralis/io/audio_file.hpp"

int main(int argc, char** argv) {
  const double seconds = argc == 3 ? std::atof(argv[2]) : 8.0;
  if (argc < 2 || argc > 3 || !(seconds > 0.0 && seconds <= 3600.0)) {
    std::fprintf(stderr, "usage: make_demo_wav OUT.wav [SECONDS (default 8, at most 3600)]\n");
    return 2;
  }
  constexpr double rate = 44100.0;
  constexpr double two_pi = 2.0 * std::numbers::pi;
  const auto frames = static_cast<std::size_t>(seconds * rate);

  // Left: A3 (220 Hz) and C#4 (277.18 Hz); right: C#4 and E4 (329.63 Hz); each note with
  // harmonics 1..6 at amplitude 1/h. A 0.25 Hz tremolo, and a faint noise floor from a
  // fixed-seed generator, so every run writes the same file.
  const double notes[3] = {220.0, 277.18, 329.63};
  const double left_gain[3] = {1.0, 0.6, 0.0};
  const double right_gain[3] = {0.0, 0.6, 1.0};
  std::vector<double> stereo(2 * frames);
  std::uint32_t seed = 12345;
  auto noise = [&] {
    seed = seed * 1664525u + 1013904223u;
    return static_cast<double>(seed) / 4294967296.0 - 0.5;
  };
  for (std::size_t n = 0; n < frames; ++n) {
    const double t = static_cast<double>(n) / rate;
    const double tremolo = 0.75 + 0.25 * std::sin(two_pi * 0.25 * t);
    double left = 0.0;
    double right = 0.0;
    for (int k = 0; k < 3; ++k) {
      double note = 0.0;
      for (int h = 1; h <= 6; ++h) note += std::sin(two_pi * notes[k] * h * t) / h;
      left += left_gain[k] * note;
      right += right_gain[k] * note;
    }
    stereo[2 * n] = tremolo * left + 0.001 * noise();
    stereo[2 * n + 1] = tremolo * right + 0.001 * noise();
  }
  // Scale to a peak of 0.8 (about -2 dBFS).
  double peak = 0.0;
  for (double v : stereo) peak = std::max(peak, std::abs(v));
  for (double& v : stereo) v *= 0.8 / peak;

  try {
    auralis::io::write_audio_file(argv[1], stereo, 2, rate,
                                  auralis::io::AudioFileFormat::wav_pcm16);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_demo_wav: %s\n", e.what());
    return 1;
  }
  std::printf("wrote %s: %.1f s, 44.1 kHz stereo 16-bit WAV\n", argv[1], seconds);
  return 0;
}
