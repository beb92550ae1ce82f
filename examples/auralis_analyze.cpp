// SPDX-License-Identifier: GPL-3.0-or-later
// auralis-analyze: analyses one audio file, prints a readable summary and optionally writes the
// full result as JSON (--json) and the band spectrum as an SVG plot (--svg). docs/cli.md
// describes every option, the JSON keys and the exit codes.
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "cli_common.hpp"

namespace {

using auralis_cli::exit_failure;
using auralis_cli::exit_ok;
using auralis_cli::exit_usage;

/// Writes `text` to `path`; false (after a message on stderr) when the file cannot be written.
bool write_text(const std::string& path, const std::string& text, const char* what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "auralis-analyze: error: %s: cannot write the %s file\n", path.c_str(),
                 what);
    return false;
  }
  return true;
}

/// The human-readable summary (to stdout, or stderr when the JSON goes to stdout).
void print_summary(std::FILE* out, const auralis_cli::FileAnalysis& a,
                   const auralis::ParallelSpectrumSettings& s, double wall) {
  const auralis::SpectrumResult& r = a.result;
  const bool standard = s.metric_convention == auralis::MetricConvention::standard;
  std::fprintf(out, "file               %s\n", auralis_cli::path_string(a.path).c_str());
  std::fprintf(out, "format             %s, %zu channel%s, %g Hz\n", a.info.format.c_str(),
               a.info.channels, a.info.channels == 1 ? "" : "s", a.info.sample_rate);
  std::fprintf(out, "duration           %.3f s (%zu sample frames)\n", a.info.duration(),
               a.info.frames);
  std::fprintf(out,
               "settings           FFT %zu, overlap %g (hop %zu), %zu bands, %s weighting, %s "
               "convention\n",
               s.fft_size, s.overlap, auralis::hop_size(s), s.frequency_bands,
               std::string(to_string(s.frequency_weighting)).c_str(),
               std::string(to_string(s.metric_convention)).c_str());
  std::fprintf(out, "frames analysed    %zu\n", r.num_chunks_analyzed);
  std::fprintf(out, "peak frequency     %.2f Hz\n", r.peak_frequency);
  std::fprintf(out, "spectral centroid  %.2f Hz\n", r.spectral_centroid);
  std::fprintf(out, "spectral rolloff   %.2f Hz\n", r.spectral_rolloff);
  std::fprintf(out, "total energy       %.6g (%s)\n", r.total_energy,
               standard ? "windowed frame energy" : "sum of band levels in dB");
  if (a.loudness) {
    const auralis::LoudnessStats& l = *a.loudness;
    std::fprintf(out, "integrated         %.2f LUFS\n", l.integrated_lufs);
    std::fprintf(out, "loudness range     %.2f LU\n", l.loudness_range_lu);
    std::fprintf(out, "true peak          %.2f dBTP\n", l.true_peak_dbtp);
    std::fprintf(out, "max momentary      %.2f LUFS\n", l.max_momentary_lufs);
    std::fprintf(out, "max short-term     %.2f LUFS\n", l.max_short_term_lufs);
    std::fprintf(out, "sample peak        %.2f dBFS\n", l.sample_peak_dbfs);
  }
  std::fprintf(out, "time taken         %.2f ms\n", wall * 1e3);
  std::fprintf(out, "realtime factor    %.0fx\n", wall > 0.0 ? r.analysis_duration / wall : 0.0);
  if (r.parallel_processing) {
    std::fprintf(out, "parallel           yes, %zu workers\n", a.workers);
  } else {
    std::fprintf(out, "parallel           no (sequential path)\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Analyses the spectrum of one audio file (WAV, FLAC, Ogg/Vorbis, AIFF, ...) and "
      "prints a summary. Exit codes: 0 ok, 1 the file could not be analysed, 2 usage "
      "error.",
      "auralis-analyze"};
  std::string file;
  std::string json_path;
  std::string svg_path;
  auralis_cli::AnalysisOptions options;
  app.add_option("file", file, "the audio file to analyse")->required();
  auralis_cli::add_analysis_options(app, options,
                                    "threads for the analysis, 0 = all hardware threads");
  app.add_option("--json", json_path, "write the full result as JSON to this file, '-' = stdout")
      ->group("Output");
  app.add_option("--svg", svg_path, "draw the band spectrum as an SVG image into this file")
      ->group("Output");
  app.set_version_flag("--version", auralis::version_string);
  if (const int rc = auralis_cli::parse_command_line(app, argc, argv); rc >= 0) return rc;

  // Settings errors (--overlap 1.5, --bands 0, ...) are usage errors, reported with the
  // library's message naming the field and its range.
  auralis::ParallelSpectrumSettings settings;
  std::optional<auralis::ParallelSpectrumAnalyzer> analyzer;
  try {
    settings = auralis_cli::make_settings(options);
    analyzer.emplace(settings);
  } catch (const auralis::InvalidSettings& e) {
    std::fprintf(stderr, "auralis-analyze: invalid settings: %s\n", e.what());
    return exit_usage;
  }

  // The file is streamed: memory stays bounded whatever its length. Every failure (missing,
  // not audio, truncated, a NaN sample, ...) is reported with the file's name and the cause.
  auralis_cli::FileAnalysis a;
  double wall = 0.0;
  try {
    const auto start = std::chrono::steady_clock::now();
    a = auralis_cli::analyze_path(*analyzer, file, options.loudness);
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "auralis-analyze: error: %s\n",
                 auralis_cli::error_message(e, file).c_str());
    return exit_failure;
  }

  const bool json_to_stdout = json_path == "-";
  print_summary(json_to_stdout ? stderr : stdout, a, settings, wall);
  if (!json_path.empty()) {
    nlohmann::ordered_json j;
    auralis_cli::add_result_json(j, a, settings);
    j["timing"] = {{"wall_time", wall},
                   {"realtime_factor", wall > 0.0 ? a.result.analysis_duration / wall : 0.0}};
    const std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (json_to_stdout) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
    } else if (!write_text(json_path, text, "JSON")) {
      return exit_failure;
    }
  }
  if (!svg_path.empty()) {
    const std::string name = auralis_cli::path_string(std::filesystem::path(file).filename());
    if (!write_text(svg_path, auralis_cli::spectrum_svg(a, settings, name), "SVG")) {
      return exit_failure;
    }
  }
  return exit_ok;
}
