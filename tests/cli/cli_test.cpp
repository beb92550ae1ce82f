// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of the command-line programs: each test runs auralis-analyze or auralis-batch as a
// separate process on the fixtures of make_cli_fixtures and checks exit codes, messages, the
// JSON / JSON Lines output (values compared bit for bit with a direct library analysis of the
// same file), the SVG, --resume and --shard. By default the programs of the build are run;
// AURALIS_CLI_BIN_DIR=<dir> runs the copies in <dir> instead (the installed ones).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"
#include "auralis/loudness.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// The program `name` ("auralis-analyze", "auralis-batch") under test.
std::string program(const std::string& name) {
  if (const char* dir = std::getenv("AURALIS_CLI_BIN_DIR")) return (fs::path(dir) / name).string();
  return name == "auralis-analyze" ? AURALIS_CLI_ANALYZE : AURALIS_CLI_BATCH;
}

/// The fixture library written by make_cli_fixtures.
fs::path lib() { return fs::path(AURALIS_CLI_FIXTURES) / "lib"; }
/// The --loudness fixtures (not part of the library above).
fs::path loud() { return fs::path(AURALIS_CLI_FIXTURES) / "loudness"; }

/// A fresh directory for the current test's outputs (separate for installed-program runs, so
/// both may run at once).
fs::path work_dir() {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::path(AURALIS_CLI_FIXTURES).parent_path() /
                       (std::getenv("AURALIS_CLI_BIN_DIR") ? "work-installed" : "work-build") /
                       (std::string(info->test_suite_name()) + "." + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> read_lines(const fs::path& p) {
  std::vector<std::string> lines;
  std::istringstream in(read_text(p));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Appends `s` to `cmd` as one single-quoted shell word.
void append_quoted(std::string& cmd, const std::string& s) {
  cmd.push_back('\'');
  for (char c : s) {
    if (c == '\'') {
      cmd.append("'\\''");
    } else {
      cmd.push_back(c);
    }
  }
  cmd.push_back('\'');
}

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

/// The shell command running `prog args...`.
std::string command_line(const std::string& prog, const std::vector<std::string>& args) {
  std::string cmd;
  append_quoted(cmd, program(prog));
  for (const std::string& a : args) {
    cmd.push_back(' ');
    append_quoted(cmd, a);
  }
  return cmd;
}

/// Runs `prog args...` with stdout and stderr captured in files of `dir`.
Outcome run(const std::string& prog, const std::vector<std::string>& args, const fs::path& dir) {
  std::string cmd = command_line(prog, args);
  const fs::path out = dir / "stdout.txt";
  const fs::path err = dir / "stderr.txt";
  cmd.append(" >");
  append_quoted(cmd, out.string());
  cmd.append(" 2>");
  append_quoted(cmd, err.string());
  cmd.append(" </dev/null");
  const int status = std::system(cmd.c_str());
  Outcome r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The files of the fixture library as auralis-batch lists them: sorted path text, byte order.
std::vector<std::string> library_paths() {
  std::vector<std::string> names = {
      "a_mono_22k.wav",           "b_stereo_48k.flac",     "album/01 tone.ogg",
      "album/02_float.wav",       "album/03_surround.wav", "album/disc2/04_hires.aiff",
      "album/disc2/05_short.WAV", "corrupt.wav",           "truncated.wav"};
  std::vector<std::string> paths;
  for (const auto& n : names) paths.push_back((lib() / n).lexically_normal().generic_string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

const std::vector<std::string> good_files = {"a_mono_22k.wav",          "b_stereo_48k.flac",
                                             "album/01 tone.ogg",       "album/02_float.wav",
                                             "album/03_surround.wav",   "album/disc2/04_hires.aiff",
                                             "album/disc2/05_short.WAV"};

/// Checks the result part of a JSON object against a direct analysis of `path` with `s`,
/// bit for bit: the programs print doubles so that they read back to the same value.
void expect_matches_library(const json& j, const fs::path& path,
                            const auralis::SpectrumSettings& s) {
  SCOPED_TRACE(path.string());
  const auralis::SpectrumResult r = auralis::SpectrumAnalyzer(s).analyze_file(path);
  for (const char* key :
       {"spectrum", "frequency_bins", "peak_frequency", "spectral_centroid", "spectral_rolloff",
        "total_energy", "num_chunks_analyzed", "analysis_duration", "settings", "file"}) {
    ASSERT_TRUE(j.contains(key)) << key;
  }
  ASSERT_EQ(j["spectrum"].size(), s.frequency_bands);
  EXPECT_EQ(j["spectrum"].get<std::vector<double>>(), r.spectrum);
  EXPECT_EQ(j["frequency_bins"].get<std::vector<double>>(), r.frequency_bins);
  EXPECT_EQ(j["peak_frequency"].get<double>(), r.peak_frequency);
  EXPECT_EQ(j["spectral_centroid"].get<double>(), r.spectral_centroid);
  EXPECT_EQ(j["spectral_rolloff"].get<double>(), r.spectral_rolloff);
  EXPECT_EQ(j["total_energy"].get<double>(), r.total_energy);
  EXPECT_EQ(j["num_chunks_analyzed"].get<std::size_t>(), r.num_chunks_analyzed);
  EXPECT_EQ(j["analysis_duration"].get<double>(), r.analysis_duration);
  const json& js = j["settings"];
  for (const char* key :
       {"fft_size", "overlap", "sample_rate", "frequency_bands", "frequency_weighting",
        "metric_convention", "parallel_processing", "workers"}) {
    EXPECT_TRUE(js.contains(key)) << key;
  }
  EXPECT_EQ(js["fft_size"].get<std::size_t>(), s.fft_size);
  EXPECT_EQ(js["overlap"].get<double>(), s.overlap);
  EXPECT_EQ(js["frequency_bands"].get<std::size_t>(), s.frequency_bands);
  EXPECT_EQ(js["frequency_weighting"].get<std::string>(), to_string(s.frequency_weighting));
  EXPECT_EQ(js["metric_convention"].get<std::string>(), to_string(s.metric_convention));
  const auralis::io::AudioFileInfo info = auralis::io::AudioFileReader(path).info();
  EXPECT_EQ(js["sample_rate"].get<double>(), info.sample_rate);
  EXPECT_EQ(j["file"]["channels"].get<std::size_t>(), info.channels);
  EXPECT_EQ(j["file"]["frames"].get<std::size_t>(), info.frames);
  EXPECT_EQ(j["file"]["format"].get<std::string>(), info.format);
}

/// A batch line without the fields that depend on how threads were shared out.
json without_schedule(json j) {
  if (j.contains("settings")) {
    j["settings"].erase("workers");
    j["settings"].erase("parallel_processing");
  }
  return j;
}

/// Parses every line; fails the test on a line that is not a JSON object with a path.
std::vector<json> parse_lines(const std::vector<std::string>& lines) {
  std::vector<json> out;
  for (const auto& line : lines) {
    json j = json::parse(line, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("path")) << line;
    out.push_back(std::move(j));
  }
  return out;
}

/// path -> line (schedule fields removed); fails on a duplicate path.
std::map<std::string, json> by_path(const std::vector<std::string>& lines) {
  std::map<std::string, json> m;
  for (const json& j : parse_lines(lines)) {
    const auto path = j["path"].get<std::string>();
    EXPECT_TRUE(m.emplace(path, without_schedule(j)).second) << "duplicate line for " << path;
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// auralis-analyze

TEST(Analyze, HelpListsEveryOptionWithItsDefault) {
  const fs::path dir = work_dir();
  const Outcome r = run("auralis-analyze", {"--help"}, dir);
  EXPECT_EQ(r.code, 0);
  for (const char* part :
       {"--fft-size",  "4096",         "--overlap", "0.75",       "--bands",    "64",
        "--weighting", "--convention", "auralis",   "--window",   "hann",       "--smoothing",
        "0.8",         "--min-freq",   "20",        "--max-freq", "20000",      "--workers",
        "--json",      "--svg",        "--version", "--help",     "Exit codes", "--loudness"}) {
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  }
  EXPECT_TRUE(contains(r.out, "=A ")) << r.out;  // the weighting default
}

TEST(Analyze, JsonMatchesLibraryBitForBit) {
  const fs::path dir = work_dir();
  const fs::path file = lib() / "b_stereo_48k.flac";
  const Outcome r = run(
      "auralis-analyze",
      {file.string(), "--fft-size", "2048", "--overlap", "0.5", "--bands", "32", "--weighting", "c",
       "--convention", "standard", "--workers", "2", "--json", (dir / "out.json").string()},
      dir);
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part :
       {"file", "format", "FLAC", "2 channels", "48000 Hz", "duration", "frames analysed",
        "peak frequency", "spectral centroid", "spectral rolloff", "total energy", "time taken",
        "realtime factor", "parallel"}) {
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  }
  const json j = json::parse(read_text(dir / "out.json"));
  auralis::SpectrumSettings s;
  s.fft_size = 2048;
  s.overlap = 0.5;
  s.frequency_bands = 32;
  s.frequency_weighting = auralis::Weighting::C;
  s.metric_convention = auralis::MetricConvention::standard;
  expect_matches_library(j, file, s);
  EXPECT_EQ(j["settings"]["sample_rate"].get<double>(), 48000.0);
  EXPECT_EQ(j["file"]["duration"].get<double>(), 0.8);
  EXPECT_EQ(j["file"]["path"].get<std::string>(), file.generic_string());
  EXPECT_TRUE(j.contains("timing"));
  // 0.8 s at hop 1024 gives 36 frames >= min_chunks_for_parallel: the parallel path ran.
  EXPECT_TRUE(j["settings"]["parallel_processing"].get<bool>());
  EXPECT_EQ(j["settings"]["workers"].get<std::size_t>(), 2u);
}

TEST(Analyze, JsonToStdoutForEveryFormatMatchesLibrary) {
  const fs::path dir = work_dir();
  for (const std::string& name : good_files) {
    const fs::path file = lib() / name;
    const Outcome r = run("auralis-analyze", {file.string(), "--json", "-"}, dir);
    ASSERT_EQ(r.code, 0) << name << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "spectral centroid")) << "summary goes to stderr";
    expect_matches_library(json::parse(r.out), file, auralis::SpectrumSettings{});
  }
}

/// Checks that every tag of `xml` is closed in order and that there is one root element.
void expect_well_formed(const std::string& xml) {
  std::vector<std::string> open;
  int roots = 0;
  for (std::size_t i = xml.find('<'); i != std::string::npos; i = xml.find('<', i + 1)) {
    const std::size_t end = xml.find('>', i);
    ASSERT_NE(end, std::string::npos) << "unterminated tag at " << i;
    const std::string tag = xml.substr(i + 1, end - i - 1);
    ASSERT_FALSE(tag.empty());
    if (tag[0] == '/') {
      ASSERT_FALSE(open.empty()) << "</" << tag << "> closes nothing";
      EXPECT_EQ(open.back(), tag.substr(1));
      open.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \n/"));
    if (open.empty()) ++roots;
    if (tag.back() != '/') open.push_back(name);
  }
  EXPECT_TRUE(open.empty()) << open.size() << " unclosed elements";
  EXPECT_EQ(roots, 1);
  // No bare '&' outside an entity.
  for (std::size_t i = xml.find('&'); i != std::string::npos; i = xml.find('&', i + 1)) {
    EXPECT_NE(xml.find(';', i), std::string::npos);
  }
}

TEST(Analyze, SvgIsAWellFormedLabelledPlot) {
  const fs::path dir = work_dir();
  const fs::path file = lib() / "a_mono_22k.wav";
  const fs::path svg = dir / "spectrum.svg";
  const Outcome r = run("auralis-analyze", {file.string(), "--svg", svg.string()}, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string text = read_text(svg);
  ASSERT_EQ(text.rfind("<svg", 0), 0u) << text.substr(0, 80);
  EXPECT_TRUE(contains(text, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(contains(text, "</svg>"));
  expect_well_formed(text);
  for (const char* part :
       {"Frequency (Hz", "Level (dB", "a_mono_22k.wav", "100 Hz", "1 kHz", "10 kHz", "64 bands"}) {
    EXPECT_TRUE(contains(text, part)) << part;
  }
  // One bar per band holding FFT bins: at 22.05 kHz the bands above 11.025 kHz hold none, nor
  // do some narrow low bands.
  const auralis::kernel::BandMap map(4096, 22050.0, 20.0, 20000.0, 64);
  std::size_t drawn = 0;
  for (std::size_t i = 0; i < map.size(); ++i) drawn += map.first[i] < map.end[i] ? 1 : 0;
  EXPECT_LT(drawn, 64u);
  std::size_t rects = 0;
  for (std::size_t i = text.find("<rect"); i != std::string::npos; i = text.find("<rect", i + 1)) {
    ++rects;
  }
  EXPECT_EQ(rects, drawn + 2);  // + background + frame
}

TEST(Analyze, UsageErrorsExitWith2) {
  const fs::path dir = work_dir();
  const std::string file = (lib() / "a_mono_22k.wav").string();
  const std::vector<std::vector<std::string>> cases = {{},
                                                       {file, "--bogus"},
                                                       {file, "--fft-size", "abc"},
                                                       {file, "--fft-size", "-4"},
                                                       {file, "--weighting", "Q"},
                                                       {file, "--convention", "librosa"},
                                                       {file, "--window", "kaiser"},
                                                       {file, file},
                                                       {file, "--json"}};
  for (const auto& args : cases) {
    const Outcome r = run("auralis-analyze", args, dir);
    EXPECT_EQ(r.code, 2) << testing::PrintToString(args) << "\n" << r.err;
    EXPECT_FALSE(r.err.empty());
  }
}

TEST(Analyze, InvalidSettingsExitWith2AndNameTheField) {
  const fs::path dir = work_dir();
  const std::string file = (lib() / "a_mono_22k.wav").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{file, "--overlap", "1.5"}, "overlap: must be in [0, 1)"},
      {{file, "--overlap", "0.9999"}, "overlap"},
      {{file, "--bands", "0"}, "frequency_bands"},
      {{file, "--fft-size", "8"}, "fft_size"},
      {{file, "--smoothing", "1"}, "smoothing_factor"},
      {{file, "--min-freq", "500", "--max-freq", "100"}, "max_frequency"},
      {{file, "--workers", "1000"}, "max_workers"},
      {{"/no/such/file.wav", "--overlap", "-0.1"}, "overlap"}};
  for (const auto& [args, message] : cases) {
    const Outcome r = run("auralis-analyze", args, dir);
    EXPECT_EQ(r.code, 2) << testing::PrintToString(args);
    EXPECT_TRUE(contains(r.err, "invalid settings")) << r.err;
    EXPECT_TRUE(contains(r.err, message)) << r.err;
  }
}

TEST(Analyze, FileErrorsExitWith1AndNameFileAndCause) {
  const fs::path dir = work_dir();
  struct Case {
    fs::path path;
    std::string cause;
  };
  const std::vector<Case> cases = {{dir / "no_such_track.flac", ""},
                                   {lib() / "corrupt.wav", ""},
                                   {lib() / "truncated.wav", ""},
                                   {lib() / "album", ""}};
  for (const auto& c : cases) {
    const Outcome r =
        run("auralis-analyze", {c.path.string(), "--json", (dir / "x.json").string()}, dir);
    EXPECT_EQ(r.code, 1) << c.path;
    EXPECT_TRUE(contains(r.err, c.path.string())) << r.err;
    EXPECT_EQ(r.err.rfind("auralis-analyze: error: ", 0), 0u) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(fs::exists(dir / "x.json"));
  }
  // A file the Nyquist frequency of which lies below --min-freq: an analysis error, exit 1.
  const Outcome r =
      run("auralis-analyze", {(lib() / "a_mono_22k.wav").string(), "--min-freq", "15000"}, dir);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "a_mono_22k.wav") && contains(r.err, "min_frequency")) << r.err;
}

// ---------------------------------------------------------------------------------------------
// auralis-batch

TEST(Batch, HelpListsEveryOptionWithItsDefault) {
  const fs::path dir = work_dir();
  const Outcome r = run("auralis-batch", {"--help"}, dir);
  EXPECT_EQ(r.code, 0);
  for (const char* part :
       {"--out", "--resume", "--shard", "1/1", "1-based", "--workers", "--fft-size", "4096",
        "--overlap", "--bands", "--weighting", "--convention", "--window", "--smoothing",
        "--min-freq", "--max-freq", ".flac", "Exit codes", "--loudness"}) {
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  }
}

TEST(Batch, OneLinePerFileInSortedOrder) {
  const fs::path dir = work_dir();
  const fs::path out = dir / "results.jsonl";
  const Outcome r =
      run("auralis-batch", {lib().string(), "--out", out.string(), "--workers", "2"}, dir);
  EXPECT_EQ(r.code, 3) << r.err;  // two files fail
  EXPECT_TRUE(contains(r.err, "7 ok, 2 failed")) << r.err;
  EXPECT_FALSE(contains(r.err, "\r")) << "no progress bar when stderr is not a terminal";
  const std::vector<json> lines = parse_lines(read_lines(out));
  const std::vector<std::string> expected = library_paths();
  ASSERT_EQ(lines.size(), expected.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const json& j = lines[i];
    const std::string path = j["path"].get<std::string>();
    EXPECT_EQ(path, expected[i]) << "line " << i;
    if (path.ends_with("corrupt.wav")) {
      EXPECT_FALSE(j["ok"].get<bool>());
      EXPECT_EQ(j["kind"], "not_audio");
      EXPECT_TRUE(contains(j["error"].get<std::string>(), "corrupt.wav"));
      EXPECT_FALSE(j.contains("spectrum"));
    } else if (path.ends_with("truncated.wav")) {
      EXPECT_FALSE(j["ok"].get<bool>());
      EXPECT_EQ(j["kind"], "truncated");
      EXPECT_TRUE(contains(j["error"].get<std::string>(), "truncated.wav"));
    } else {
      EXPECT_TRUE(j["ok"].get<bool>()) << path;
      EXPECT_FALSE(j.contains("timing"));
      expect_matches_library(j, path, auralis::SpectrumSettings{});
    }
  }
  // Each failure is also reported on stderr, with the file's name.
  EXPECT_TRUE(contains(r.err, "corrupt.wav")) << r.err;
}

TEST(Batch, ProgressBarOnATerminal) {
  // script(1) runs the program with a pseudo-terminal as stdin, stdout and stderr.
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "no script(1)";
  const fs::path dir = work_dir();
  const fs::path out = dir / "results.jsonl";
  std::string cmd = "script -qec ";
  append_quoted(cmd, command_line("auralis-batch", {lib().string(), "--out", out.string()}));
  cmd += " /dev/null >";
  append_quoted(cmd, (dir / "terminal.txt").string());
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  const std::string terminal = read_text(dir / "terminal.txt");
  for (const char* part : {"\r[", "9/9 files", "files/s", "ETA", "2 failed", "7 ok"}) {
    EXPECT_TRUE(contains(terminal, part)) << part << "\n" << terminal;
  }
  EXPECT_EQ(read_lines(out).size(), 9u);  // the bar never goes into the output
}

TEST(Batch, AnalysisOptionsApplyToEveryFile) {
  const fs::path dir = work_dir();
  const fs::path out = dir / "results.jsonl";
  const Outcome r = run("auralis-batch",
                        {(lib() / "album").string(), "--out", out.string(), "--bands", "24",
                         "--weighting", "Z", "--convention", "standard", "--fft-size", "1024"},
                        dir);
  EXPECT_EQ(r.code, 0) << r.err;
  auralis::SpectrumSettings s;
  s.frequency_bands = 24;
  s.frequency_weighting = auralis::Weighting::Z;
  s.metric_convention = auralis::MetricConvention::standard;
  s.fft_size = 1024;
  const std::vector<json> lines = parse_lines(read_lines(out));
  ASSERT_EQ(lines.size(), 5u);  // readme.txt is not an audio file
  for (const json& j : lines) expect_matches_library(j, j["path"].get<std::string>(), s);
}

TEST(Batch, FilesAreDeduplicatedAndStdoutWorks) {
  const fs::path dir = work_dir();
  const fs::path disc2 = lib() / "album" / "disc2";
  // The same file named twice (once through "./"-free and once through its directory).
  const Outcome r = run("auralis-batch",
                        {(disc2 / "04_hires.aiff").string(), disc2.string() + "/",
                         (disc2 / "." / "05_short.WAV").string(), "--out", "-"},
                        dir);
  EXPECT_EQ(r.code, 0) << r.err;
  const std::vector<json> lines = parse_lines(read_lines(dir / "stdout.txt"));
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0]["path"], (disc2 / "04_hires.aiff").generic_string());
  EXPECT_EQ(lines[1]["path"], (disc2 / "05_short.WAV").generic_string());
  EXPECT_EQ(lines[1]["num_chunks_analyzed"], 1);  // shorter than one FFT frame: zero-padded
}

TEST(Batch, ResumeProcessesOnlyTheMissingFiles) {
  const fs::path dir = work_dir();
  const fs::path full = dir / "full.jsonl";
  ASSERT_EQ(
      run("auralis-batch", {lib().string(), "--out", full.string(), "--workers", "2"}, dir).code,
      3);
  const std::vector<std::string> reference = read_lines(full);
  ASSERT_EQ(reference.size(), 9u);

  // 1. Lines deleted: keep lines 0, 3 and 7 (7 is the corrupt file's error line).
  const fs::path partial = dir / "partial.jsonl";
  {
    std::ofstream o(partial, std::ios::binary);
    o << reference[0] << '\n' << reference[3] << '\n' << reference[7] << '\n';
  }
  Outcome r = run("auralis-batch",
                  {lib().string(), "--out", partial.string(), "--workers", "2", "--resume"}, dir);
  EXPECT_EQ(r.code, 3) << r.err;  // truncated.wav fails again; corrupt.wav had failed before
  EXPECT_TRUE(contains(r.err, "3 already in")) << r.err;
  EXPECT_TRUE(contains(r.err, "analysed 6: 5 ok, 1 failed")) << r.err;
  std::vector<std::string> lines = read_lines(partial);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[0], reference[0]);  // kept lines stay first, untouched
  EXPECT_EQ(lines[1], reference[3]);
  EXPECT_EQ(lines[2], reference[7]);
  EXPECT_EQ(by_path(lines), by_path(reference));
  // The appended lines are the missing files in sorted order.
  const std::vector<json> parsed = parse_lines(lines);
  for (std::size_t i = 4; i < parsed.size(); ++i) {
    EXPECT_LT(parsed[i - 1]["path"].get<std::string>(), parsed[i]["path"].get<std::string>());
  }

  // 2. An interrupted run: four complete lines and half of the fifth, without its newline.
  {
    std::ofstream o(partial, std::ios::binary | std::ios::trunc);
    for (int i = 0; i < 4; ++i) o << reference[static_cast<std::size_t>(i)] << '\n';
    o << reference[4].substr(0, reference[4].size() / 2);
  }
  r = run("auralis-batch",
          {lib().string(), "--out", partial.string(), "--workers", "2", "--resume"}, dir);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, "incomplete last line")) << r.err;
  lines = read_lines(partial);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(by_path(lines), by_path(reference));

  // 3. Nothing left to do: no line is added.
  r = run("auralis-batch",
          {lib().string(), "--out", partial.string(), "--workers", "2", "--resume"}, dir);
  EXPECT_EQ(r.code, 3) << r.err;  // the earlier failures still count
  EXPECT_TRUE(contains(r.err, "analysed 0")) << r.err;
  EXPECT_EQ(read_lines(partial).size(), 9u);

  // 4. --resume without an output yet: a complete fresh run.
  const fs::path fresh = dir / "fresh.jsonl";
  r = run("auralis-batch", {lib().string(), "--out", fresh.string(), "--resume"}, dir);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(by_path(read_lines(fresh)), by_path(reference));
}

TEST(Batch, ShardsPartitionTheLibraryExactlyOnce) {
  const fs::path dir = work_dir();
  const fs::path full = dir / "full.jsonl";
  ASSERT_EQ(
      run("auralis-batch", {lib().string(), "--out", full.string(), "--workers", "2"}, dir).code,
      3);
  const std::vector<std::string> reference = read_lines(full);
  const std::vector<std::string> expected = library_paths();
  std::vector<std::string> all;
  for (int k = 1; k <= 3; ++k) {
    const fs::path out = dir / ("shard" + std::to_string(k) + ".jsonl");
    const Outcome r = run("auralis-batch",
                          {lib().string(), "--out", out.string(), "--workers", "2", "--shard",
                           std::to_string(k) + "/3"},
                          dir);
    EXPECT_TRUE(r.code == 0 || r.code == 3) << r.err;
    const std::vector<std::string> lines = read_lines(out);
    // Shard k holds files k, k + 3, k + 6 of the sorted list (1-based).
    const std::vector<json> parsed = parse_lines(lines);
    ASSERT_EQ(parsed.size(), 3u);
    for (std::size_t i = 0; i < parsed.size(); ++i) {
      EXPECT_EQ(parsed[i]["path"], expected[static_cast<std::size_t>(k - 1) + 3 * i]);
    }
    all.insert(all.end(), lines.begin(), lines.end());
  }
  EXPECT_EQ(by_path(all), by_path(reference));  // disjoint (no duplicate) and complete
  EXPECT_EQ(all.size(), reference.size());
}

TEST(Batch, UsageErrorsExitWith2) {
  const fs::path dir = work_dir();
  const std::string out = (dir / "o.jsonl").string();
  const std::string l = lib().string();
  const std::vector<std::vector<std::string>> cases = {
      {l},                                    // --out missing
      {"--out", out},                         // no input
      {l, "--out", out, "--shard", "0/3"},    // K is 1-based
      {l, "--out", out, "--shard", "4/3"},    // K > N
      {l, "--out", out, "--shard", "1/0"},    // N = 0
      {l, "--out", out, "--shard", "2"},      // not K/N
      {l, "--out", out, "--shard", "a/b"},    // not numbers
      {l, "--out", "-", "--resume"},          // nothing to resume from
      {l, "--out", out, "--overlap", "1.5"},  // invalid settings
      {l, "--out", out, "--bogus"},           // unknown option
      {(dir / "no_such_dir").string(), "--out", out}};
  for (const auto& args : cases) {
    const Outcome r = run("auralis-batch", args, dir);
    EXPECT_EQ(r.code, 2) << testing::PrintToString(args) << "\n" << r.err;
    EXPECT_FALSE(r.err.empty());
  }
  EXPECT_FALSE(fs::exists(out)) << "a usage error writes nothing";
  EXPECT_TRUE(contains(run("auralis-batch", {l, "--out", out, "--overlap", "1.5"}, dir).err,
                       "overlap: must be in [0, 1)"));
}

TEST(Batch, UnwritableOutputExitsWith1) {
  const fs::path dir = work_dir();
  const Outcome r = run(
      "auralis-batch",
      {(lib() / "a_mono_22k.wav").string(), "--out", (dir / "no_such_dir" / "o.jsonl").string()},
      dir);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "no_such_dir")) << r.err;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// --loudness (both programs)

namespace {

/// A level read from the JSON: null stands for -infinity.
double level(const json& v) {
  return v.is_null() ? -std::numeric_limits<double>::infinity() : v.get<double>();
}

/// Checks a "loudness" object against auralis::measure_loudness of the whole file, bit for bit
/// (the programs stream the file; the meter gives the same bits for any block sizes).
void expect_loudness_matches_library(const json& j, const fs::path& path) {
  SCOPED_TRACE(path.string());
  ASSERT_TRUE(j.contains("loudness")) << j.dump();
  const json& l = j["loudness"];
  const auralis::io::AudioBuffer b = auralis::io::read_audio_file(path);
  const auralis::LoudnessStats s = auralis::measure_loudness(
      auralis::InterleavedAudio<const double>{b.samples, b.channels}, b.sample_rate);
  for (const char* key : {"integrated_lufs", "loudness_range_lu", "true_peak_dbtp",
                          "max_momentary_lufs", "max_short_term_lufs", "sample_peak_dbfs"}) {
    EXPECT_TRUE(l.contains(key)) << key;
  }
  EXPECT_EQ(level(l["integrated_lufs"]), s.integrated_lufs);
  EXPECT_EQ(l["loudness_range_lu"].get<double>(), s.loudness_range_lu);
  EXPECT_EQ(level(l["true_peak_dbtp"]), s.true_peak_dbtp);
  EXPECT_EQ(level(l["max_momentary_lufs"]), s.max_momentary_lufs);
  EXPECT_EQ(level(l["max_short_term_lufs"]), s.max_short_term_lufs);
  EXPECT_EQ(level(l["sample_peak_dbfs"]), s.sample_peak_dbfs);
}

}  // namespace

TEST(Loudness, AnalyzeSummaryAndJsonOfAMinus23DbfsSine) {
  const fs::path dir = work_dir();
  const fs::path file = loud() / "sine_-23_stereo_48k.wav";
  const Outcome r = run("auralis-analyze",
                        {file.string(), "--loudness", "--json", (dir / "out.json").string()}, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part :
       {"integrated", "LUFS", "loudness range", " LU\n", "true peak", "dBTP", "max momentary",
        "max short-term", "sample peak", "dBFS", "spectral centroid"}) {
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  }
  const json j = json::parse(read_text(dir / "out.json"));
  // A -23 dBFS (peak) 1 kHz stereo sine is -23.0 LUFS (EBU Tech 3341 test 1), +-0.1 LU.
  const json& l = j["loudness"];
  EXPECT_NEAR(l["integrated_lufs"].get<double>(), -23.0, 0.1);
  EXPECT_NEAR(l["max_momentary_lufs"].get<double>(), -23.0, 0.1);
  EXPECT_NEAR(l["max_short_term_lufs"].get<double>(), -23.0, 0.1);
  EXPECT_NEAR(l["true_peak_dbtp"].get<double>(), -23.0, 0.1);
  EXPECT_NEAR(l["sample_peak_dbfs"].get<double>(), -23.0, 1e-5);
  EXPECT_LT(l["loudness_range_lu"].get<double>(), 0.5);
  expect_loudness_matches_library(j, file);
  // The spectral part is unchanged by --loudness, and "timing" still comes last.
  expect_matches_library(j, file, auralis::SpectrumSettings{});
  const auto ordered = nlohmann::ordered_json::parse(read_text(dir / "out.json"));
  EXPECT_EQ(std::prev(ordered.end()).key(), "timing");
  EXPECT_EQ(std::prev(ordered.end(), 2).key(), "loudness");
}

TEST(Loudness, MonoReadsThreeDbBelowDualMonoAndJsonGoesToStdout) {
  const fs::path dir = work_dir();
  const fs::path file = loud() / "sine_-23_mono_44k.flac";
  const Outcome r = run("auralis-analyze", {file.string(), "--loudness", "--json", "-"}, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "integrated")) << "summary goes to stderr";
  const json j = json::parse(r.out);
  EXPECT_NEAR(j["loudness"]["integrated_lufs"].get<double>(), -26.0, 0.1);
  expect_loudness_matches_library(j, file);
}

TEST(Loudness, SilenceGivesNull) {
  const fs::path dir = work_dir();
  const Outcome r =
      run("auralis-analyze", {(loud() / "silence.wav").string(), "--loudness", "--json", "-"}, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const json l = json::parse(r.out)["loudness"];
  for (const char* key : {"integrated_lufs", "true_peak_dbtp", "max_momentary_lufs",
                          "max_short_term_lufs", "sample_peak_dbfs"}) {
    ASSERT_TRUE(l.contains(key)) << key;
    EXPECT_TRUE(l[key].is_null()) << key << " " << l.dump();
  }
  EXPECT_EQ(l["loudness_range_lu"].get<double>(), 0.0);
  EXPECT_TRUE(contains(r.err, "-inf LUFS")) << r.err;
}

TEST(Loudness, WithoutTheFlagNothingChanges) {
  const fs::path dir = work_dir();
  const fs::path file = loud() / "sine_-23_stereo_48k.wav";
  const Outcome r = run("auralis-analyze", {file.string(), "--json", "-"}, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(json::parse(r.out).contains("loudness"));
  for (const char* part : {"integrated", "LUFS", "true peak"}) {
    EXPECT_FALSE(contains(r.err, part)) << part;
  }
  // The quad file is analysed as usual without --loudness.
  EXPECT_EQ(run("auralis-analyze", {(loud() / "quad.wav").string()}, dir).code, 0);
}

TEST(Loudness, UnsupportedLayoutIsAFileError) {
  const fs::path dir = work_dir();
  const fs::path file = loud() / "quad.wav";
  const Outcome r = run("auralis-analyze",
                        {file.string(), "--loudness", "--json", (dir / "x.json").string()}, dir);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "quad.wav") && contains(r.err, "channels")) << r.err;
  EXPECT_FALSE(fs::exists(dir / "x.json"));
}

TEST(Loudness, BatchLinesCarryLoudness) {
  const fs::path dir = work_dir();
  const fs::path out = dir / "results.jsonl";
  const Outcome r =
      run("auralis-batch", {loud().string(), "--out", out.string(), "--loudness"}, dir);
  EXPECT_EQ(r.code, 3) << r.err;  // quad.wav fails
  EXPECT_TRUE(contains(r.err, "3 ok, 1 failed")) << r.err;
  const std::vector<json> lines = parse_lines(read_lines(out));
  ASSERT_EQ(lines.size(), 4u);
  for (const json& j : lines) {
    const std::string path = j["path"].get<std::string>();
    if (path.ends_with("quad.wav")) {
      EXPECT_FALSE(j["ok"].get<bool>());
      EXPECT_EQ(j["kind"], "invalid_settings");
      EXPECT_TRUE(contains(j["error"].get<std::string>(), "channels")) << j.dump();
      continue;
    }
    ASSERT_TRUE(j["ok"].get<bool>()) << j.dump();
    expect_loudness_matches_library(j, path);
    expect_matches_library(j, path, auralis::SpectrumSettings{});
    if (path.ends_with("sine_-23_stereo_48k.wav")) {
      EXPECT_NEAR(j["loudness"]["integrated_lufs"].get<double>(), -23.0, 0.1);
    }
  }
  // Without the flag: no loudness key, and the quad file is fine.
  const Outcome plain = run("auralis-batch", {loud().string(), "--out", out.string()}, dir);
  EXPECT_EQ(plain.code, 0) << plain.err;
  for (const json& j : parse_lines(read_lines(out))) EXPECT_FALSE(j.contains("loudness"));
}
