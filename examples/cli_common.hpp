// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Pieces shared by the command-line programs auralis-analyze and auralis-batch: the analysis
/// options (one definition, so both programs accept and document them identically), the JSON
/// form of a result, the error classification, and the SVG plot of a band spectrum.
/// docs/cli.md is the user-facing description of everything here.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"
#include "auralis/io/audio_file.hpp"
#include "auralis/loudness.hpp"

namespace auralis_cli {

/// Exit codes shared by both programs (docs/cli.md).
inline constexpr int exit_ok = 0;
/// auralis-analyze: the file could not be analysed. auralis-batch: the output cannot be written.
inline constexpr int exit_failure = 1;
/// Bad command line: unknown option, malformed value, invalid analysis settings.
inline constexpr int exit_usage = 2;
/// auralis-batch: at least one file failed (its error line is in the output).
inline constexpr int exit_some_failed = 3;

/// The analysis options of both programs, with the library's defaults.
struct AnalysisOptions {
  std::size_t fft_size = 4096;
  double overlap = 0.75;
  std::size_t bands = 64;
  std::string weighting = "A";
  std::string convention = "auralis";
  std::string window = "hann";
  double smoothing = 0.8;
  double min_frequency = 20.0;
  double max_frequency = 20000.0;
  std::size_t workers = 0;
  /// --loudness: also measure the loudness (a second, streamed pass over the file).
  bool loudness = false;
};

/// Registers the analysis options on `app`, every one with its default shown by --help.
/// Numeric ranges are deliberately not checked here: make_settings lets the library's
/// validate() reject them, so the message is the library's (naming the field and the range).
inline void add_analysis_options(CLI::App& app, AnalysisOptions& o, const char* workers_help) {
  app.option_defaults()->always_capture_default();
  app.add_option("--fft-size", o.fft_size, "FFT length N in samples, 16..1048576")
      ->group("Analysis");
  app.add_option("--overlap", o.overlap, "fraction of a frame shared with the next, in [0, 1)")
      ->group("Analysis");
  app.add_option("--bands", o.bands, "number of log-spaced frequency bands, 1..65536")
      ->group("Analysis");
  app.add_option("--weighting", o.weighting, "frequency weighting: A, C or Z")
      ->check(CLI::IsMember({"A", "C", "Z"}, CLI::ignore_case))
      ->group("Analysis");
  app.add_option("--convention", o.convention,
                 "metric definitions: auralis (the reference's) or standard (librosa, IEC 61672)")
      ->check(CLI::IsMember({"auralis", "standard"}, CLI::ignore_case))
      ->group("Analysis");
  app.add_option("--window", o.window, "analysis window: hann, hamming, blackman, rectangular")
      ->check(CLI::IsMember({"hann", "hamming", "blackman", "rectangular"}, CLI::ignore_case))
      ->group("Analysis");
  app.add_option("--smoothing", o.smoothing,
                 "temporal smoothing factor in [0, 1) (auralis convention only)")
      ->group("Analysis");
  app.add_option("--min-freq", o.min_frequency, "lowest band edge in Hz")->group("Analysis");
  app.add_option("--max-freq", o.max_frequency, "highest band edge in Hz")->group("Analysis");
  app.add_option("--workers", o.workers, workers_help)->group("Analysis");
  app.add_flag("--loudness", o.loudness,
               "also measure loudness (ITU-R BS.1770-4, EBU R128): integrated loudness, loudness "
               "range, true peak; needs 1, 2, 5 or 6 channels")
      ->group("Loudness");
}

/// `text` in lower case (ASCII).
[[nodiscard]] inline std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

/// The analyzer settings for `o` (names compared case-insensitively, as the options accept
/// them). Throws auralis::InvalidSettings naming the first bad field.
[[nodiscard]] inline auralis::ParallelSpectrumSettings make_settings(const AnalysisOptions& opt) {
  AnalysisOptions o = opt;
  o.weighting = lower(o.weighting);
  o.convention = lower(o.convention);
  o.window = lower(o.window);
  auralis::ParallelSpectrumSettings s;
  s.fft_size = o.fft_size;
  s.overlap = o.overlap;
  s.frequency_bands = o.bands;
  s.frequency_weighting = o.weighting == "c"   ? auralis::Weighting::C
                          : o.weighting == "z" ? auralis::Weighting::Z
                                               : auralis::Weighting::A;
  s.metric_convention = o.convention == "standard" ? auralis::MetricConvention::standard
                                                   : auralis::MetricConvention::auralis;
  s.window_type = o.window == "hamming"       ? auralis::WindowType::hamming
                  : o.window == "blackman"    ? auralis::WindowType::blackman
                  : o.window == "rectangular" ? auralis::WindowType::rectangular
                                              : auralis::WindowType::hann;
  s.smoothing_factor = o.smoothing;
  s.min_frequency = o.min_frequency;
  s.max_frequency = o.max_frequency;
  s.max_workers = o.workers;
  auralis::validate(s);
  return s;
}

/// Parses the command line; returns -1 to go on, else the exit code (0 after --help or
/// --version, exit_usage after any parse error; CLI11 has printed the message or the help).
inline int parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  return -1;
}

/// A path as JSON text and as the key --resume matches on: its generic form. A name that is
/// not valid UTF-8 gets U+FFFD in place of each bad byte (JSON strings must be UTF-8).
[[nodiscard]] inline std::string path_string(const std::filesystem::path& p) {
  const std::string raw = p.generic_string();
  const std::string quoted =
      nlohmann::json(raw).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

/// The stable category of an analysis failure: an io::AudioFileErrorKind name ("missing",
/// "not_audio", "truncated", ...), "invalid_audio" (a NaN or infinite sample), "invalid_settings"
/// (the settings do not fit the file, e.g. min_frequency above its Nyquist frequency) or
/// "internal" (anything else, e.g. out of memory).
[[nodiscard]] inline std::string error_kind(const std::exception& e) {
  if (const auto* f = dynamic_cast<const auralis::io::AudioFileError*>(&e)) {
    return std::string(auralis::io::to_string(f->kind()));
  }
  if (dynamic_cast<const auralis::InvalidAudio*>(&e) != nullptr) return "invalid_audio";
  if (dynamic_cast<const auralis::InvalidSettings*>(&e) != nullptr) return "invalid_settings";
  return "internal";
}

/// The message of an analysis failure, always naming the file: AudioFileError's what() does
/// already ("auralis: <path>: <cause>"); other errors get "<path>: " in front.
[[nodiscard]] inline std::string error_message(const std::exception& e,
                                               const std::filesystem::path& path) {
  if (dynamic_cast<const auralis::io::AudioFileError*>(&e) != nullptr) return e.what();
  return path_string(path) + ": " + e.what();
}

/// One analysed file: what its header says, the result, and how many threads analysed it.
struct FileAnalysis {
  std::filesystem::path path;
  auralis::io::AudioFileInfo info;
  auralis::SpectrumResult result;
  std::size_t workers = 1;
  /// With --loudness only.
  std::optional<auralis::LoudnessStats> loudness;
};

/// Measures the loudness of `path` (channels as in the file; true peak on) with `meter`, reading
/// the file in blocks of 16384 frames (memory independent of its length).
[[nodiscard]] inline auralis::LoudnessStats measure_file_loudness(const std::filesystem::path& path,
                                                                  auralis::LoudnessMeter& meter) {
  auralis::io::AudioFileReader reader(path);
  const std::size_t channels = reader.info().channels;
  std::vector<double> block(16384 * channels);
  for (std::size_t n; (n = reader.read(std::span<double>(block))) > 0;) {
    meter.add(std::span<const double>(block.data(), n * channels));
  }
  return meter.stats();
}

/// Analyses `path` with `analyzer`, streamed (memory independent of the file's length). The
/// header is read first, for the file information of the report. With `loudness`, the file is
/// then read a second time, streamed, for measure_file_loudness (the meter is set up from the
/// header before the analysis, so a file it cannot measure fails at once). Throws what the
/// analysis throws (io::AudioFileError, InvalidAudio, InvalidSettings; with `loudness` also
/// InvalidSettings naming `channels` or `sample_rate` when the meter does not accept the file).
[[nodiscard]] inline FileAnalysis analyze_path(const auralis::ParallelSpectrumAnalyzer& analyzer,
                                               const std::filesystem::path& path,
                                               bool loudness = false) {
  FileAnalysis a;
  a.path = path;
  a.info = auralis::io::AudioFileReader(path).info();
  std::optional<auralis::LoudnessMeter> meter;
  if (loudness) meter.emplace(a.info.sample_rate, a.info.channels);
  a.result = analyzer.analyze_file(path);
  a.workers = a.result.parallel_processing ? analyzer.workers_for(a.result.num_chunks_analyzed) : 1;
  if (meter) a.loudness = measure_file_loudness(path, *meter);
  return a;
}

/// A level as JSON: the number, or null when it is -infinity (silence, too short to measure).
[[nodiscard]] inline nlohmann::ordered_json level_json(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

/// The "loudness" object of the JSON output (docs/cli.md).
[[nodiscard]] inline nlohmann::ordered_json loudness_json(const auralis::LoudnessStats& l) {
  nlohmann::ordered_json j;
  j["integrated_lufs"] = level_json(l.integrated_lufs);
  j["loudness_range_lu"] = l.loudness_range_lu;
  j["true_peak_dbtp"] = level_json(l.true_peak_dbtp);
  j["max_momentary_lufs"] = level_json(l.max_momentary_lufs);
  j["max_short_term_lufs"] = level_json(l.max_short_term_lufs);
  j["sample_peak_dbfs"] = level_json(l.sample_peak_dbfs);
  return j;
}

/// Adds the result to `j`, with the reference's dictionary keys (spectrum, frequency_bins,
/// peak_frequency, spectral_centroid, spectral_rolloff, total_energy, num_chunks_analyzed,
/// analysis_duration, settings{...}) plus a "file" object, and a "loudness" object after
/// --loudness. Doubles are written with the shortest text that reads back to the same bits.
inline void add_result_json(nlohmann::ordered_json& j, const FileAnalysis& a,
                            const auralis::ParallelSpectrumSettings& s) {
  const auralis::SpectrumResult& r = a.result;
  j["spectrum"] = r.spectrum;
  j["frequency_bins"] = r.frequency_bins;
  j["peak_frequency"] = r.peak_frequency;
  j["spectral_centroid"] = r.spectral_centroid;
  j["spectral_rolloff"] = r.spectral_rolloff;
  j["total_energy"] = r.total_energy;
  j["num_chunks_analyzed"] = r.num_chunks_analyzed;
  j["analysis_duration"] = r.analysis_duration;
  nlohmann::ordered_json& js = j["settings"];
  js["fft_size"] = s.fft_size;
  js["overlap"] = s.overlap;
  js["sample_rate"] = a.info.sample_rate;  // the file's: analyze_file(path) runs at its rate
  js["frequency_bands"] = s.frequency_bands;
  js["frequency_weighting"] = auralis::to_string(s.frequency_weighting);
  js["metric_convention"] = auralis::to_string(s.metric_convention);
  js["window_type"] = auralis::to_string(s.window_type);
  js["smoothing_factor"] = s.smoothing_factor;
  js["min_frequency"] = s.min_frequency;
  js["max_frequency"] = s.max_frequency;
  js["parallel_processing"] = r.parallel_processing;
  js["workers"] = a.workers;
  nlohmann::ordered_json& jf = j["file"];
  jf["path"] = path_string(a.path);
  jf["format"] = a.info.format;
  jf["channels"] = a.info.channels;
  jf["sample_rate"] = a.info.sample_rate;
  jf["frames"] = a.info.frames;
  jf["duration"] = a.info.duration();
  if (a.loudness) j["loudness"] = loudness_json(*a.loudness);
}

/// `text` with the five XML special characters escaped.
[[nodiscard]] inline std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// printf into a std::string (numbers in the SVG; the C locale's decimal point).
template <class... Args>
[[nodiscard]] std::string format(const char* fmt, Args... args) {
  char buf[256];
  const int n = std::snprintf(buf, sizeof buf, fmt, args...);
  return std::string(buf, static_cast<std::size_t>(std::clamp(n, 0, 255)));
}

/// "100 Hz", "1 kHz", "10 kHz".
[[nodiscard]] inline std::string frequency_label(double hz) {
  return hz >= 1000.0 ? format("%g kHz", hz / 1000.0) : format("%g Hz", hz);
}

/// A self-contained SVG of the band spectrum: one bar per band from its lower edge to the next
/// edge (the last one to Nyquist), level in dB on a linear axis over a logarithmic frequency
/// axis, gridlines at every decade (labelled) and at 2..9 times it, every 10/20/50 dB. Bands
/// without FFT bins are left out. `name` goes in the title.
[[nodiscard]] inline std::string spectrum_svg(const FileAnalysis& a,
                                              const auralis::ParallelSpectrumSettings& s,
                                              const std::string& name) {
  const std::vector<double>& edges = a.result.frequency_bins;
  const std::vector<double>& level = a.result.spectrum;
  const std::size_t b = edges.size();
  const double nyquist = 0.5 * a.info.sample_rate;
  // Upper end of each band: the next edge; the last band reaches Nyquist (or one more log step
  // when Nyquist lies below its edge, and then it holds no bin anyway).
  const double step = b > 1 ? edges[1] / edges[0] : 2.0;
  std::vector<double> upper(b);
  for (std::size_t i = 0; i < b; ++i) {
    upper[i] = i + 1 < b ? edges[i + 1] : std::max(nyquist, edges[i] * step);
  }
  // Bands that hold no FFT bin (narrow low bands, bands above Nyquist) read -200 dB plus the
  // weighting: they say nothing about the signal and are left out.
  const auralis::kernel::BandMap map(s.fft_size, a.info.sample_rate, s.min_frequency,
                                     s.max_frequency, s.frequency_bands);
  auto empty = [&](std::size_t i) { return map.first[i] == map.end[i]; };
  double lo = 0.0;
  double hi = 0.0;
  bool any = false;
  for (std::size_t i = 0; i < b; ++i) {
    if (empty(i)) continue;
    const double v = level[i];
    lo = any ? std::min(lo, v) : v;
    hi = any ? std::max(hi, v) : v;
    any = true;
  }
  if (!any) {
    lo = -100.0;
    hi = 0.0;
  }
  const double db_step = hi - lo <= 100.0 ? 10.0 : hi - lo <= 200.0 ? 20.0 : 50.0;
  const double y0 = std::floor(lo / db_step) * db_step - db_step;  // the lowest bar stays visible
  double y1 = std::ceil(hi / db_step) * db_step;
  if (y1 <= y0) y1 = y0 + db_step;
  const double f0 = edges.front();
  const double f1 = upper.back();

  constexpr double width = 900.0, height = 500.0;
  constexpr double left = 80.0, right = 30.0, top = 70.0, bottom = 70.0;
  const double pw = width - left - right;
  const double ph = height - top - bottom;
  auto px = [&](double f) { return left + pw * std::log10(f / f0) / std::log10(f1 / f0); };
  auto py = [&](double db) { return top + ph * (y1 - std::clamp(db, y0, y1)) / (y1 - y0); };

  std::string svg = format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"13\">\n",
      width, height, width, height);
  const std::string title = "Band spectrum of " + xml_escape(name);
  svg += "<title>" + title + "</title>\n";
  svg += format("<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", width,
                height);
  svg += format(
             "<text x=\"%.1f\" y=\"28\" text-anchor=\"middle\" font-size=\"17\" "
             "font-weight=\"bold\">",
             width / 2) +
         title + "</text>\n";
  svg += format("<text x=\"%.1f\" y=\"50\" text-anchor=\"middle\" fill=\"#555\">", width / 2) +
         xml_escape(format("%zu bands, %s weighting, %s convention, FFT %zu, overlap %g, %g Hz",
                           s.frequency_bands, std::string(to_string(s.frequency_weighting)).c_str(),
                           std::string(to_string(s.metric_convention)).c_str(), s.fft_size,
                           s.overlap, a.info.sample_rate)) +
         "</text>\n";

  // Grid: frequency decades (labelled) and their multiples 2..9; level every db_step dB.
  svg += "<g stroke=\"#ddd\" stroke-width=\"1\">\n";
  for (double d = std::pow(10.0, std::floor(std::log10(f0))); d <= f1; d *= 10.0) {
    for (int m = 2; m <= 9; ++m) {
      const double f = d * m;
      if (f > f0 && f < f1) {
        svg += format("<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", px(f), top,
                      px(f), top + ph);
      }
    }
  }
  svg += "</g>\n<g stroke=\"#999\" stroke-width=\"1\">\n";
  std::string labels;
  for (double d = std::pow(10.0, std::ceil(std::log10(f0))); d <= f1; d *= 10.0) {
    svg += format("<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", px(d), top, px(d),
                  top + ph);
    labels += format("<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">", px(d), top + ph + 20) +
              frequency_label(d) + "</text>\n";
  }
  for (double db = y0; db <= y1 + 1e-9; db += db_step) {
    svg += format("<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", left, py(db),
                  left + pw, py(db));
    labels += format("<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%g</text>\n", left - 8,
                     py(db) + 4, db);
  }
  svg += "</g>\n";

  // The bands, as bars from the bottom of the plot up to their level.
  svg += "<g fill=\"#4a7fb5\" fill-opacity=\"0.75\" stroke=\"#1f4e79\" stroke-width=\"0.8\">\n";
  for (std::size_t i = 0; i < b; ++i) {
    if (empty(i)) continue;
    const double x = px(edges[i]);
    const double y = py(level[i]);
    svg += format("<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n", x, y,
                  std::max(px(upper[i]) - x, 0.5), top + ph - y);
  }
  svg += "</g>\n";

  // Frame, tick labels and axis titles.
  svg += format(
      "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
      "stroke=\"black\"/>\n",
      left, top, pw, ph);
  svg += "<g fill=\"#222\">\n" + labels + "</g>\n";
  svg += format(
      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">Frequency (Hz, log "
      "scale)</text>\n",
      left + pw / 2, height - 22);
  svg += format(
      "<text transform=\"translate(24 %.1f) rotate(-90)\" text-anchor=\"middle\">"
      "Level (dB, %s-weighted)</text>\n",
      top + ph / 2, std::string(to_string(s.frequency_weighting)).c_str());
  svg += "</svg>\n";
  return svg;
}

}  // namespace auralis_cli
