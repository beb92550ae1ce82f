// SPDX-License-Identifier: GPL-3.0-or-later
// auralis-batch: analyses every audio file of a music library in parallel and writes one JSON
// line per file, in the sorted order of the files, as soon as the line and all lines before it
// are ready. Interrupted runs keep their finished lines and continue with --resume; --shard K/N
// splits a library across machines. docs/cli.md and docs/scaling.md describe it in full.
#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cli_common.hpp"

namespace {

namespace fs = std::filesystem;
using auralis_cli::exit_failure;
using auralis_cli::exit_ok;
using auralis_cli::exit_some_failed;
using auralis_cli::exit_usage;
using Clock = std::chrono::steady_clock;

/// A command-line problem found after parsing (a missing input, a bad --shard): exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Extensions searched for in directories (compared case-insensitively). Files named on the
/// command line are analysed whatever their extension.
constexpr std::array<std::string_view, 7> audio_extensions = {".wav",  ".flac", ".ogg", ".oga",
                                                              ".aiff", ".aif",  ".aifc"};

bool has_audio_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(audio_extensions.begin(), audio_extensions.end(), ext) != audio_extensions.end();
}

/// One file to analyse: its path and the text under which it appears in the output (the key
/// --resume matches and the sort key).
struct Input {
  std::string key;
  fs::path path;
};

/// Expands the arguments: directories recursively (audio extensions only, directory symlinks not
/// followed, unreadable subdirectories skipped with a warning), files as given. Returns the
/// files sorted by their path text (byte order, so every machine agrees) without duplicates.
std::vector<Input> collect_inputs(const std::vector<std::string>& args) {
  std::vector<Input> inputs;
  auto add = [&](const fs::path& p) {
    const fs::path normal = p.lexically_normal();
    inputs.push_back({auralis_cli::path_string(normal), normal});
  };
  for (const std::string& arg : args) {
    const fs::path root(arg);
    std::error_code ec;
    const fs::file_status st = fs::status(root, ec);
    if (!fs::exists(st)) throw UsageError(arg + ": no such file or directory");
    if (!fs::is_directory(st)) {
      add(root);
      continue;
    }
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code type_ec;
      if (it->is_regular_file(type_ec) && has_audio_extension(it->path())) add(it->path());
    }
    if (ec) {
      std::fprintf(stderr, "auralis-batch: warning: %s: listing stopped: %s\n", arg.c_str(),
                   ec.message().c_str());
    }
  }
  std::sort(inputs.begin(), inputs.end(),
            [](const Input& a, const Input& b) { return a.key < b.key; });
  inputs.erase(std::unique(inputs.begin(), inputs.end(),
                           [](const Input& a, const Input& b) { return a.key == b.key; }),
               inputs.end());
  return inputs;
}

/// --shard K/N, 1-based: 1 <= K <= N.
struct Shard {
  std::size_t k = 1;
  std::size_t n = 1;
};

Shard parse_shard(const std::string& text) {
  static const std::regex form(R"(([0-9]{1,9})/([0-9]{1,9}))");
  std::smatch m;
  if (!std::regex_match(text, m, form)) {
    throw UsageError("--shard: expected K/N with 1 <= K <= N, e.g. 2/8, got \"" + text + "\"");
  }
  const Shard s{std::stoul(m[1].str()), std::stoul(m[2].str())};
  if (s.n < 1 || s.k < 1 || s.k > s.n) {
    throw UsageError("--shard: K is 1-based and needs 1 <= K <= N, got " + text);
  }
  return s;
}

/// The lines of an earlier run: path -> ok. An incomplete last line (the previous run was killed
/// while writing it) is cut off the file so appended lines start on a line of their own.
std::unordered_map<std::string, bool> read_previous(const fs::path& out) {
  std::unordered_map<std::string, bool> done;
  std::ifstream in(out, std::ios::binary);
  if (!in) return done;  // nothing to resume from
  std::string line;
  std::uintmax_t complete_end = 0;
  std::size_t number = 0;
  bool incomplete = false;
  while (std::getline(in, line)) {
    if (in.eof()) {  // no '\n' after this line
      incomplete = true;
      break;
    }
    ++number;
    complete_end += line.size() + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("path") && j["path"].is_string()) {
      done[j["path"].get<std::string>()] = j.value("ok", false);
    } else {
      std::fprintf(stderr, "auralis-batch: warning: %s:%zu is not a result line; ignored\n",
                   out.string().c_str(), number);
    }
  }
  in.close();
  if (incomplete) {
    std::fprintf(stderr, "auralis-batch: %s: dropping an incomplete last line\n",
                 out.string().c_str());
    fs::resize_file(out, complete_end);
  }
  return done;
}

/// "1:02:03" or "2:03".
std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char buf[48];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  }
  return buf;
}

/// Progress on stderr: a bar redrawn in place (at most 10 times a second) when stderr is a
/// terminal, nothing otherwise; failures are always reported, one line each. Thread-safe.
class Progress {
 public:
  Progress(std::size_t total, bool bar) : total_(total), bar_(bar) {}

  void file_done(bool ok) {
    const std::lock_guard lock(mutex_);
    ++done_;
    if (!ok) ++failed_;
    draw(done_ == total_);
  }
  void report(const std::string& text) {
    const std::lock_guard lock(mutex_);
    std::fprintf(stderr, "%sauralis-batch: %s\n", bar_ ? "\r\033[K" : "", text.c_str());
    draw(true);
  }
  void finish() {
    const std::lock_guard lock(mutex_);
    if (bar_) std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }

 private:
  void draw(bool force) {
    if (!bar_) return;
    const Clock::time_point now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    constexpr std::size_t width = 30;
    const std::size_t filled = total_ == 0 ? width : width * done_ / total_;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0.0 ? static_cast<double>(done_) / elapsed : 0.0;
    const std::string eta =
        rate > 0.0 ? clock_text(static_cast<double>(total_ - done_) / rate) : "?";
    std::fprintf(stderr, "\r[%s%s] %zu/%zu files  %.1f files/s  ETA %s",
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), done_,
                 total_, rate, eta.c_str());
    if (failed_ > 0) std::fprintf(stderr, "  %zu failed", failed_);
    std::fprintf(stderr, "\033[K");
    std::fflush(stderr);
  }

  std::mutex mutex_;
  std::size_t total_;
  bool bar_;
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_{};
};

/// One finished file, on its way to the output.
struct Line {
  std::string text;
  bool ok = false;
  double duration = 0.0;  // seconds of audio
  std::string error;      // the message, when !ok
};

/// The output line of one file: {"path", "ok": true, <the auralis-analyze JSON>} or
/// {"path", "ok": false, "error", "kind"}. Never throws for a bad file.
Line analyze_line(const auralis::ParallelSpectrumAnalyzer& analyzer,
                  const auralis::ParallelSpectrumSettings& settings, const Input& input,
                  bool loudness) {
  nlohmann::ordered_json j;
  j["path"] = input.key;
  Line line;
  try {
    const auralis_cli::FileAnalysis a = auralis_cli::analyze_path(analyzer, input.path, loudness);
    j["ok"] = true;
    auralis_cli::add_result_json(j, a, settings);
    line.ok = true;
    line.duration = a.info.duration();
  } catch (const std::exception& e) {
    j["ok"] = false;
    line.error = auralis_cli::error_message(e, input.path);
    j["error"] = line.error;
    j["kind"] = auralis_cli::error_kind(e);
  }
  line.text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Analyses every audio file found in the given files and directories (recursively) "
      "in parallel and writes one JSON line per file, in sorted path order. Exit codes: "
      "0 all files ok, 1 the output cannot be written, 2 usage error, 3 some files failed.",
      "auralis-batch"};
  std::vector<std::string> args;
  std::string out_path;
  bool resume = false;
  std::string shard_text = "1/1";
  auralis_cli::AnalysisOptions options;
  app.add_option("inputs", args,
                 "audio files and directories; directories are searched recursively for .wav "
                 ".flac .ogg .oga .aiff .aif .aifc (any case)")
      ->required();
  app.add_option("--out", out_path, "JSON Lines output, one line per file, '-' = stdout")
      ->required()
      ->group("Batch");
  app.add_flag("--resume", resume,
               "keep the lines already in --out, skip their files and append the others")
      ->group("Batch");
  app.add_option("--shard", shard_text,
                 "process shard K of N (K is 1-based, 1 <= K <= N): files K, K+N, K+2N, ... of "
                 "the sorted list")
      ->capture_default_str()
      ->group("Batch");
  auralis_cli::add_analysis_options(
      app, options, "threads in total (files in parallel, and within a file), 0 = all");
  app.set_version_flag("--version", auralis::version_string);
  if (const int rc = auralis_cli::parse_command_line(app, argc, argv); rc >= 0) return rc;

  auralis::ParallelSpectrumSettings settings;
  Shard shard;
  std::vector<Input> selected;
  try {
    settings = auralis_cli::make_settings(options);
    shard = parse_shard(shard_text);
    if (resume && out_path == "-") throw UsageError("--resume needs --out to name a file");
    // Every N-th file of the sorted list, starting at the K-th: N shards cover it exactly once.
    const std::vector<Input> all = collect_inputs(args);
    for (std::size_t i = shard.k - 1; i < all.size(); i += shard.n) selected.push_back(all[i]);
  } catch (const auralis::InvalidSettings& e) {
    std::fprintf(stderr, "auralis-batch: invalid settings: %s\n", e.what());
    return exit_usage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "auralis-batch: %s\nRun with --help for more information.\n", e.what());
    return exit_usage;
  }

  // --workers W caps every thread of the process at W (0, or more than the hardware threads:
  // all hardware threads): files are analysed W at a time, and each file gets max(1, W / files)
  // threads of its own, so a few long files still use the whole machine while a large library
  // runs one file per thread.
  std::optional<tbb::global_control> thread_limit;
  if (options.workers > 0 && options.workers < auralis::hardware_workers()) {
    thread_limit.emplace(tbb::global_control::max_allowed_parallelism, options.workers);
  }
  const std::size_t workers = auralis::available_workers();

  std::unordered_map<std::string, bool> previous;
  std::size_t previous_failed = 0;
  std::vector<Input> todo;
  try {
    if (resume) previous = read_previous(out_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "auralis-batch: error: %s: cannot resume: %s\n", out_path.c_str(),
                 e.what());
    return exit_failure;
  }
  for (Input& in : selected) {
    const auto it = previous.find(in.key);
    if (it == previous.end()) {
      todo.push_back(std::move(in));
    } else if (!it->second) {
      ++previous_failed;
    }
  }
  const std::size_t skipped = selected.size() - todo.size();
  if (!previous.empty() && skipped == 0 && !todo.empty()) {
    std::fprintf(stderr,
                 "auralis-batch: warning: none of the %zu lines in %s names one of these files; "
                 "--resume matches paths as written, so give the inputs as in the first run\n",
                 previous.size(), out_path.c_str());
  }
  settings.max_workers = std::max<std::size_t>(1, workers / std::max<std::size_t>(1, todo.size()));
  const auralis::ParallelSpectrumAnalyzer analyzer(settings);

  // Lines are appended and flushed one by one, so an interrupted run keeps every line written.
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (out_path != "-") {
    file.open(out_path, std::ios::binary | (resume ? std::ios::app : std::ios::trunc));
    if (!file) {
      std::fprintf(stderr, "auralis-batch: error: %s: cannot open the output for writing\n",
                   out_path.c_str());
      return exit_failure;
    }
    out = &file;
  }

  // A oneTBB pipeline: take the next file (in order), analyse it (any thread, up to 2 * W files
  // in flight), write its line (in order). Memory is bounded by the files in flight, not by the
  // library's size.
  Progress progress(todo.size(), isatty(STDERR_FILENO) == 1);
  std::size_t next = 0;
  std::size_t ok = 0;
  std::size_t failed = 0;
  double audio_seconds = 0.0;
  const Clock::time_point start = Clock::now();
  try {
    tbb::parallel_pipeline(
        2 * workers,
        tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                            [&](tbb::flow_control& fc) -> std::size_t {
                                              if (next == todo.size()) fc.stop();
                                              return next < todo.size() ? next++ : 0;
                                            }) &
            tbb::make_filter<std::size_t, Line>(
                tbb::filter_mode::parallel,
                [&](std::size_t i) {
                  Line line = analyze_line(analyzer, settings, todo[i], options.loudness);
                  if (!line.ok) progress.report(line.error);
                  progress.file_done(line.ok);
                  return line;
                }) &
            tbb::make_filter<Line, void>(tbb::filter_mode::serial_in_order, [&](const Line& line) {
              *out << line.text << '\n';
              out->flush();
              if (!*out) throw std::runtime_error("write failed");
              line.ok ? ++ok : ++failed;
              audio_seconds += line.duration;
            }));
  } catch (const std::exception& e) {
    progress.finish();
    std::fprintf(stderr, "auralis-batch: error: %s: %s\n", out_path.c_str(), e.what());
    return exit_failure;
  }
  progress.finish();
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();

  std::fprintf(stderr, "auralis-batch: %zu files", selected.size());
  if (shard.n > 1) std::fprintf(stderr, " (shard %zu/%zu)", shard.k, shard.n);
  if (resume) std::fprintf(stderr, ", %zu already in %s", skipped, out_path.c_str());
  std::fprintf(stderr, "; analysed %zu: %zu ok, %zu failed\n", todo.size(), ok, failed);
  std::fprintf(stderr,
               "auralis-batch: %.1f s of audio (%s) in %.2f s, realtime factor %.0fx, "
               "%zu worker%s\n",
               audio_seconds, clock_text(audio_seconds).c_str(), wall,
               wall > 0.0 ? audio_seconds / wall : 0.0, workers, workers == 1 ? "" : "s");
  if (previous_failed > 0) {
    std::fprintf(stderr, "auralis-batch: %zu files already failed in an earlier run\n",
                 previous_failed);
  }
  return failed + previous_failed > 0 ? exit_some_failed : exit_ok;
}
