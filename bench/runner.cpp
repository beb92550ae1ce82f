// SPDX-License-Identifier: GPL-3.0-or-later
// auralis-bench: the seed's benchmark runner. Times sequential and parallel analyze_file on
// short, medium and long audio next to the raw FFT floor measured in the same run, prints a
// table and writes benchmark_results/benchmark_YYYYMMDD_HHMMSS.json in the seed's format.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
constexpr double kRate = 44100.0;

struct Length {
  std::string label;  // short | medium | long
  double seconds;
};

// The seed's benchmark signal: 5 harmonics of 440 Hz under a 0.5 Hz envelope.
std::vector<double> benchmark_signal(double seconds) {
  std::vector<double> x(static_cast<std::size_t>(seconds * kRate));
  for (std::size_t n = 0; n < x.size(); ++n) {
    const double t = static_cast<double>(n) / kRate;
    double acc = 0.0;
    for (int i = 0; i < 5; ++i) {
      acc += (0.2 / (i + 1)) * std::sin(2.0 * std::numbers::pi * 440.0 * (i + 1) * t);
    }
    x[n] = (0.5 + 0.5 * std::sin(2.0 * std::numbers::pi * 0.5 * t)) * acc;
  }
  return x;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

double time_ms(const std::function<void()>& f) {
  const auto start = Clock::now();
  f();
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Windowing (the analyzers' kernel) + FFTW's r2c of every frame (FFTW_ESTIMATE, as the
// analyzers), on one thread: what a plain FFTW loop over the frames costs. (The analyzers run a
// complex FFT of N/2 and their own split step instead, which costs less; docs/benchmarks.md.)
double floor_once(const std::vector<double>& x, const auralis::SpectrumSettings& s) {
  const std::size_t n = s.fft_size, hop = auralis::hop_size(s);
  const auto plan = auralis::kernel::FftPlan<double>::shared(n);
  const std::vector<double> w = auralis::kernel::make_window(s.window_type, n);
  auralis::kernel::AlignedBuffer<double> in(n);
  auralis::kernel::AlignedBuffer<std::complex<double>> out(n / 2 + 1);
  const std::size_t frames = x.size() < n ? 1 : (x.size() - n) / hop + 1;
  return time_ms([&] {
    for (std::size_t t = 0; t < frames; ++t) {
      const double* src = x.data() + t * hop;
      auralis::kernel::window_mono(src, w.data(), in.data(), n);
      plan->execute(in.data(), out.data());
    }
  });
}

std::string timestamp(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"auralis-bench: sequential vs parallel spectrum analysis, next to the FFT floor"};
  bool quick = false;
  std::size_t workers = 0;
  std::size_t repetitions = 0;
  std::string output_dir = "benchmark_results";
  bool write = true;
  app.add_flag("--quick", quick, "Smoke run: 1, 2 and 5 s of audio, 3 repetitions (< 20 s)");
  app.add_option("--workers", workers, "Parallel workers (0 = all available)")
      ->capture_default_str();
  app.add_option("--repetitions", repetitions,
                 "Timed repetitions per measurement; the median is reported (default 15 for "
                 "short inputs, 7 for long ones, 3 with --quick)");
  app.add_option("--output-dir", output_dir, "Directory of the JSON result")->capture_default_str();
  app.add_flag("!--no-write", write, "Print the table only");
  CLI11_PARSE(app, argc, argv);

  const std::vector<Length> lengths =
      quick ? std::vector<Length>{{"short", 1.0}, {"medium", 2.0}, {"long", 5.0}}
            : std::vector<Length>{{"short", 5.0}, {"medium", 30.0}, {"long", 180.0}};
  const auralis::SpectrumSettings settings;  // the seed's defaults: 4096 / 0.75 / 64 bands / A
  auralis::ParallelSpectrumSettings psettings;
  static_cast<auralis::SpectrumSettings&>(psettings) = settings;
  psettings.max_workers = workers;
  const auralis::SpectrumAnalyzer sequential(settings);
  const auralis::ParallelSpectrumAnalyzer parallel(psettings);

  json doc;
  doc["format_version"] = 1;
  doc["timestamp"] = timestamp("%Y-%m-%dT%H:%M:%S%z");
  doc["machine"] = {{"cpu", cpu_model()},
                    {"hardware_threads", std::thread::hardware_concurrency()},
                    {"available_workers", auralis::available_workers()}};
  doc["auralis_version"] = auralis::version_string;
  doc["settings"] = {{"fft_size", settings.fft_size},
                     {"overlap", settings.overlap},
                     {"sample_rate", settings.sample_rate},
                     {"frequency_bands", settings.frequency_bands},
                     {"frequency_weighting", auralis::to_string(settings.frequency_weighting)},
                     {"precision", "double"},
                     {"quick", quick}};
  doc["sequential"] = json::array();
  doc["parallel"] = json::array();
  doc["floor"] = json::array();
  doc["speedups"] = json::object();
  doc["ratios_to_floor"] = json::object();

  std::printf("auralis %s benchmark (%s), %s\n", auralis::version_string, quick ? "quick" : "full",
              cpu_model().c_str());
  std::printf("%-7s %8s %7s | %9s | %9s %7s | %9s %7s %7s | %8s %8s\n", "length", "audio s",
              "frames", "floor ms", "seq ms", "/floor", "par ms", "/floor", "workers", "speedup",
              "RT par");
  for (const Length& len : lengths) {
    const std::vector<double> x = benchmark_signal(len.seconds);
    const std::size_t reps = repetitions != 0 ? repetitions : quick ? 3 : len.seconds > 60 ? 7 : 15;
    // Warm-up (plans, page faults), then the three measurements interleaved so that drift in
    // the machine's speed affects them alike.
    const auralis::SpectrumResult seq_result = sequential.analyze_file(x);
    const auralis::SpectrumResult par_result = parallel.analyze_file(x);
    if (seq_result.spectrum != par_result.spectrum ||
        seq_result.spectral_centroid != par_result.spectral_centroid) {
      std::fprintf(stderr, "auralis-bench: parallel result differs from sequential\n");
      return 2;
    }
    std::vector<double> floor_ms, seq_ms, par_ms;
    for (std::size_t r = 0; r < reps; ++r) {
      floor_ms.push_back(floor_once(x, settings));
      seq_ms.push_back(time_ms([&] { (void)sequential.analyze_file(x); }));
      par_ms.push_back(time_ms([&] { (void)parallel.analyze_file(x); }));
    }
    const double fl = median(floor_ms), sq = median(seq_ms), pa = median(par_ms);
    const std::size_t frames = seq_result.num_chunks_analyzed;
    const std::size_t used = parallel.workers_for(frames);
    const double speedup = sq / pa;
    std::printf("%-7s %8.1f %7zu | %9.2f | %9.2f %7.2f | %9.2f %7.2f %7zu | %7.2fx %8.0f\n",
                len.label.c_str(), len.seconds, frames, fl, sq, sq / fl, pa, pa / fl, used, speedup,
                len.seconds * 1000.0 / pa);
    doc["floor"].push_back({{"name", "fft_floor"},
                            {"length", len.label},
                            {"duration_ms", fl},
                            {"audio_duration_sec", len.seconds},
                            {"frames", frames}});
    doc["sequential"].push_back({{"name", "spectrum_analysis"},
                                 {"length", len.label},
                                 {"duration_ms", sq},
                                 {"realtime_factor", len.seconds * 1000.0 / sq},
                                 {"audio_duration_sec", len.seconds},
                                 {"frames", frames}});
    doc["parallel"].push_back({{"name", "spectrum_analysis"},
                               {"length", len.label},
                               {"duration_ms", pa},
                               {"realtime_factor", len.seconds * 1000.0 / pa},
                               {"audio_duration_sec", len.seconds},
                               {"frames", frames},
                               {"workers", used},
                               {"parallel_processing", par_result.parallel_processing}});
    doc["speedups"][len.label + "_spectrum_analysis"] = speedup;
    doc["ratios_to_floor"][len.label + "_sequential"] = sq / fl;
    doc["ratios_to_floor"][len.label + "_parallel"] = pa / fl;
    doc["repetitions"] = reps;
  }

  if (write) {
    std::filesystem::create_directories(output_dir);
    const std::filesystem::path out =
        std::filesystem::path(output_dir) / ("benchmark_" + timestamp("%Y%m%d_%H%M%S") + ".json");
    std::ofstream f(out);
    f << doc.dump(2) << "\n";
    if (!f) {
      std::fprintf(stderr, "auralis-bench: cannot write %s\n", out.c_str());
      return 1;
    }
    std::printf("results: %s\n", out.c_str());
  }
  return 0;
}
