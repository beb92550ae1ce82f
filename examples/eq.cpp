// SPDX-License-Identifier: GPL-3.0-or-later
// Psychoacoustic EQ: applies a target curve to an audio file and writes the result.
//
//   eq [input [output]]
//
// Without arguments it writes a generated 6 s stereo test file (eq-input.wav), EQs that, and
// writes eq-output.wav, so it runs standalone (ctest does this). It then streams the same audio
// through the real-time path in 512-sample blocks and checks that it matches the offline result
// once the latency is taken into account.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include "auralis/auralis.hpp"

namespace {

// 6 s of a bass line, a tone with a presence partial and some hiss, in stereo at 44.1 kHz.
std::vector<double> make_test_audio(double sample_rate) {
  const auto frames = static_cast<std::size_t>(6.0 * sample_rate);
  std::vector<double> x(frames * 2);
  unsigned noise = 12345u;
  for (std::size_t n = 0; n < frames; ++n) {
    const double t = static_cast<double>(n) / sample_rate;
    noise = noise * 1664525u + 1013904223u;
    const double hiss = 0.01 * (static_cast<double>(noise >> 8) / 16777216.0 - 0.5);
    const double bass = 0.3 * std::sin(2.0 * std::numbers::pi * 55.0 * t);
    const double melody = (0.15 + 0.05 * std::sin(2.0 * std::numbers::pi * 3.0 * t)) *
                          (std::sin(2.0 * std::numbers::pi * 440.0 * t) +
                           0.5 * std::sin(2.0 * std::numbers::pi * 3300.0 * t));
    x[2 * n] = bass + melody + hiss;
    x[2 * n + 1] = bass + 0.8 * melody - hiss;
  }
  return x;
}

double rms(std::span<const double> x) {
  double s = 0.0;
  for (double v : x) s += v * v;
  return std::sqrt(s / static_cast<double>(x.size()));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::filesystem::path input = argc > 1 ? argv[1] : "eq-input.wav";
    const std::filesystem::path output = argc > 2 ? argv[2] : "eq-output.wav";
    if (argc <= 1) {
      // Write the generated test audio first, so the rest reads a file like any other input.
      auralis::io::write_audio_file(input, make_test_audio(44100.0), 2, 44100.0,
                                    auralis::io::AudioFileFormat::wav_float);
      std::printf("wrote generated test audio to %s\n", input.string().c_str());
    }
    const auralis::io::AudioBuffer audio = auralis::io::read_audio_file(input);
    std::printf("%s: %zu frames, %zu channels, %.0f Hz\n", input.string().c_str(), audio.frames(),
                audio.channels, audio.sample_rate);

    // The target curve: one relative gain in dB per critical band (25 bands, 20 Hz-20 kHz).
    // Here a "smile": +4 dB below 200 Hz, -3 dB in the presence region, +3 dB of air.
    std::vector<double> target(auralis::eq::critical_band_count, 0.0);
    for (std::size_t b = 0; b < target.size(); ++b) {
      const double centre = auralis::eq::critical_band_center(b);
      if (centre < 200.0) target[b] = 4.0;
      if (centre > 2000.0 && centre < 5000.0) target[b] = -3.0;
      if (centre > 10000.0) target[b] = 3.0;
    }

    // One EQ per file: its settings fix the sample rate and the channel count. Offline calls
    // use every hardware thread and give the same bits as a sequential run.
    auralis::EqSettings settings;
    settings.sample_rate = audio.sample_rate;
    settings.channels = audio.channels;
    const auralis::PsychoacousticEQ eq(settings);
    const auto start = std::chrono::steady_clock::now();
    const std::vector<double> y = eq.process(audio.samples, target);
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    const double seconds = static_cast<double>(audio.frames()) / audio.sample_rate;
    std::printf("offline EQ: %.1f ms, realtime factor %.0fx, rms %.4f -> %.4f\n",
                wall.count() * 1e3, seconds / wall.count(), rms(audio.samples), rms(y));

    // The gains actually applied: the target, halved where a band is masked (20 dB below the
    // loudest band), times the band's perceptual weight, clipped to +/-12 dB, smoothed.
    const auralis::GainTrajectory g = eq.gain_trajectory(audio.samples, target);
    std::printf("band  centre Hz  target dB  weight  applied dB (middle frame)\n");
    for (std::size_t b = 0; b < target.size(); ++b) {
      std::printf("%4zu %10.0f %10.1f %7.1f %10.2f\n", b, auralis::eq::critical_band_center(b),
                  target[b], eq.weights()[b], g.at(g.frames / 2, b));
    }
    auralis::io::write_audio_file(output, y, audio.channels, audio.sample_rate,
                                  auralis::io::AudioFileFormat::wav_float);
    std::printf("wrote %s\n", output.string().c_str());

    // The same audio in 512-frame blocks, as a real-time host would deliver it: the stream is
    // the offline result delayed by eq.latency() frames (N - 1 = 2047), bit for bit.
    auralis::PsychoacousticEQ live(settings);
    const std::size_t block = 512 * audio.channels;
    std::vector<double> in(block);
    std::vector<double> out(block);
    std::size_t differ = 0;
    const std::size_t delay = live.latency() * audio.channels;
    for (std::size_t pos = 0; pos < audio.samples.size(); pos += block) {
      std::fill(in.begin(), in.end(), 0.0);
      std::copy_n(audio.samples.begin() + static_cast<std::ptrdiff_t>(pos),
                  std::min(block, audio.samples.size() - pos), in.begin());
      live.process_realtime_chunk(in, target, out);
      for (std::size_t i = 0; i < block; ++i) {
        const std::size_t m = pos + i;
        if (m >= delay && m - delay < y.size()) differ += out[i] != y[m - delay];
      }
    }
    std::printf("real-time path: latency %zu frames, %zu samples differ from offline\n",
                live.latency(), differ);
    return differ == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
