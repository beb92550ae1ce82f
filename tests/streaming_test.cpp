// SPDX-License-Identifier: GPL-3.0-or-later
// analyze_file(path) streams the file and must equal, bit for bit (== on every field), reading
// the whole file and analysing the buffer: both analyzers (parallel with 1 to 4 workers), both
// conventions, float and double compute, every format, mono to 5.1, 22.05 to 96 kHz, lengths
// from 1 sample frame to several read groups, group sizes forced from 1 frame up; errors (NaN
// samples, damaged files) surface with the file's name; and a long file is analysed in bounded
// memory (peak RSS measured by the process itself).
#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "auralis/auralis.hpp"
#include "auralis/internal.hpp"
#include "auralis/io/audio_file.hpp"
#include "support/result_equality.hpp"

namespace {

namespace fs = std::filesystem;
using auralis::MetricConvention;
using auralis::io::AudioFileFormat;

// Let oneTBB run up to 16 threads even on a 2-core machine, so every worker count really runs.
const tbb::global_control allow_sixteen_threads(tbb::global_control::max_allowed_parallelism, 16);

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("auralis_streaming_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  [[nodiscard]] fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// Forces the analysis frames per read group for the scope (0 = default).
class GroupFrames {
 public:
  explicit GroupFrames(std::size_t frames) { auralis::detail::set_stream_group_frames(frames); }
  GroupFrames(const GroupFrames&) = delete;
  GroupFrames& operator=(const GroupFrames&) = delete;
  ~GroupFrames() { auralis::detail::set_stream_group_frames(0); }
};

// Music-like signal: partials per channel, a slow envelope and a little noise, within +-0.9.
std::vector<double> test_signal(std::size_t frames, std::size_t channels, double rate,
                                unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.02);
  std::vector<double> x(frames * channels);
  for (std::size_t n = 0; n < frames; ++n) {
    const double t = static_cast<double>(n) / rate;
    for (std::size_t c = 0; c < channels; ++c) {
      const double f = 220.0 * static_cast<double>(c + 1);
      x[n * channels + c] = (0.5 + 0.3 * std::sin(2.0 * std::numbers::pi * 0.7 * t)) *
                                (0.5 * std::sin(2.0 * std::numbers::pi * f * t) +
                                 0.2 * std::sin(2.0 * std::numbers::pi * 3.1 * f * t)) +
                            noise(rng);
    }
  }
  return x;
}

void expect_identical(const auralis::SpectrumResult& a, const auralis::SpectrumResult& b) {
  auralis::test_support::expect_identical_values(a, b);
  EXPECT_EQ(a.parallel_processing, b.parallel_processing);
}

// In-memory reference: the whole file read, then analysed at its own rate.
template <class Analyzer>
auralis::SpectrumResult in_memory(const Analyzer& analyzer, const fs::path& p) {
  const auralis::io::AudioBuffer b = auralis::io::read_audio_file(p);
  return analyzer.analyze_file(auralis::InterleavedAudio<const double>{b.samples, b.channels},
                               b.sample_rate);
}

struct FileCase {
  AudioFileFormat format;
  std::size_t channels;
  double rate;
};

const std::vector<FileCase>& file_cases() {
  static const std::vector<FileCase> cases = {
      {AudioFileFormat::wav_pcm16, 1, 44100.0},  {AudioFileFormat::wav_pcm24, 2, 48000.0},
      {AudioFileFormat::wav_float, 6, 96000.0},  {AudioFileFormat::flac_pcm16, 2, 22050.0},
      {AudioFileFormat::flac_pcm24, 1, 96000.0}, {AudioFileFormat::ogg_vorbis, 2, 44100.0},
      {AudioFileFormat::aiff_pcm16, 6, 48000.0},
  };
  return cases;
}

// fft_size 512, hop 128: lengths around one frame and across many groups.
const std::vector<std::size_t>& lengths() {
  static const std::vector<std::size_t> l = {1, 100, 511, 512, 513, 640, 1000, 5000, 23456};
  return l;
}

auralis::ParallelSpectrumSettings settings(MetricConvention convention, std::size_t workers) {
  auralis::ParallelSpectrumSettings s;
  s.fft_size = 512;
  s.overlap = 0.75;
  s.frequency_bands = 40;
  s.min_frequency = 30.0;
  s.metric_convention = convention;
  s.max_workers = workers;
  s.min_chunks_for_parallel = 2;
  return s;
}

// (convention, forced group frames: 0 = default)
class StreamingEquivalence
    : public ::testing::TestWithParam<std::tuple<MetricConvention, std::size_t>> {};

template <class Real>
void check_all_files(MetricConvention convention) {
  const TempDir dir;
  const auralis::BasicSpectrumAnalyzer<Real> sequential(settings(convention, 1));
  for (const FileCase& fc : file_cases()) {
    for (const std::size_t frames : lengths()) {
      const fs::path p = dir / "f";
      auralis::io::write_audio_file(p, test_signal(frames, fc.channels, fc.rate, 3), fc.channels,
                                    fc.rate, fc.format);
      SCOPED_TRACE(auralis::io::AudioFileReader(p).info().format + ", " +
                   std::to_string(fc.channels) + " ch, " + std::to_string(fc.rate) + " Hz, " +
                   std::to_string(frames) + " frames");
      const auralis::SpectrumResult want = in_memory(sequential, p);
      EXPECT_EQ(want.analysis_duration, static_cast<double>(frames) / fc.rate);
      expect_identical(sequential.analyze_file(p), want);
      for (std::size_t workers = 1; workers <= 4; ++workers) {
        const auralis::BasicParallelSpectrumAnalyzer<Real> parallel(settings(convention, workers));
        auralis::SpectrumResult ps = parallel.analyze_file(p);
        expect_identical(ps, in_memory(parallel, p));
        // The parallel path agrees with the sequential one apart from the flag.
        EXPECT_EQ(ps.parallel_processing, workers > 1 && want.num_chunks_analyzed >= 2);
        ps.parallel_processing = false;
        expect_identical(ps, want);
      }
    }
  }
}

TEST_P(StreamingEquivalence, DoubleCompute) {
  const auto [convention, group] = GetParam();
  const GroupFrames forced(group);
  check_all_files<double>(convention);
}

TEST_P(StreamingEquivalence, FloatCompute) {
  const auto [convention, group] = GetParam();
  const GroupFrames forced(group);
  check_all_files<float>(convention);
}

INSTANTIATE_TEST_SUITE_P(
    Groups, StreamingEquivalence,
    ::testing::Combine(::testing::Values(MetricConvention::auralis, MetricConvention::standard),
                       ::testing::Values(std::size_t{0}, std::size_t{1}, std::size_t{3})));

// Overlaps whose hop does not divide the frame (and none at all), default settings on a file
// spanning several 64k-frame read groups, and a file rate that differs from the settings'.
TEST(Streaming, OtherHopsAndDefaultSettings) {
  const TempDir dir;
  const fs::path p = dir / "long.flac";
  const std::size_t frames = 44100 * 5 + 123;
  auralis::io::write_audio_file(p, test_signal(frames, 2, 48000.0, 8), 2, 48000.0,
                                AudioFileFormat::flac_pcm16);
  std::vector<auralis::ParallelSpectrumSettings> all(5);
  all[1].fft_size = 1000;
  all[1].overlap = 0.33;  // hop 670
  all[2].fft_size = 256;
  all[2].overlap = 0.0;  // no carry
  all[3].fft_size = 2048;
  all[3].overlap = 0.9;  // hop 204
  all[4].fft_size = 16384;
  all[4].overlap = 0.5;
  all[4].metric_convention = MetricConvention::standard;
  for (auto& s : all) {
    SCOPED_TRACE(std::to_string(s.fft_size) + " / " + std::to_string(s.overlap));
    const auralis::SpectrumAnalyzer sequential(s);
    const auralis::SpectrumResult want = in_memory(sequential, p);
    expect_identical(sequential.analyze_file(p), want);
    for (const std::size_t workers : {std::size_t{2}, std::size_t{3}, std::size_t{4}}) {
      s.max_workers = workers;
      const auralis::ParallelSpectrumAnalyzer parallel(s);
      expect_identical(parallel.analyze_file(p), in_memory(parallel, p));
    }
    for (const std::size_t group : {std::size_t{1}, std::size_t{2}, std::size_t{7}}) {
      const GroupFrames forced(group);
      expect_identical(sequential.analyze_file(p), want);
      const auralis::ParallelSpectrumAnalyzer parallel(s);
      expect_identical(parallel.analyze_file(p), in_memory(parallel, p));
    }
  }
}

// Long frames and many channels: the parallel path shrinks its tokens to keep its buffers
// within budget (here to one frame each), still bit-identical.
TEST(Streaming, TokensShrinkToTheMemoryBudget) {
  using auralis::detail::stream_token_frames;
  EXPECT_EQ(stream_token_frames(4096, 1024, 2, 16), 16u);
  EXPECT_EQ(stream_token_frames(4096, 1024, 6, 64), 7u);
  EXPECT_EQ(stream_token_frames(65536, 16384, 6, 16), 1u);
  EXPECT_EQ(stream_token_frames(1u << 20, 1u << 18, 1, 4), 1u);
  const TempDir dir;
  const fs::path p = dir / "wide.wav";
  auralis::io::write_audio_file(p, test_signal(300000, 6, 48000.0, 4), 6, 48000.0,
                                AudioFileFormat::wav_pcm24);
  auralis::ParallelSpectrumSettings s;
  s.fft_size = 65536;
  s.overlap = 0.75;
  const auralis::SpectrumAnalyzer sequential(s);
  const auralis::SpectrumResult want = in_memory(sequential, p);
  EXPECT_EQ(want.num_chunks_analyzed, (300000u - 65536u) / 16384u + 1u);
  expect_identical(sequential.analyze_file(p), want);
  for (const std::size_t workers : {std::size_t{3}, std::size_t{4}}) {
    s.max_workers = workers;
    const auralis::ParallelSpectrumAnalyzer parallel(s);
    expect_identical(parallel.analyze_file(p), in_memory(parallel, p));
  }
}

TEST(Streaming, OneSharedAnalyzerManyThreads) {
  const TempDir dir;
  std::vector<fs::path> files;
  for (std::size_t i = 0; i < file_cases().size(); ++i) {
    const FileCase& fc = file_cases()[i];
    files.push_back(dir / ("f" + std::to_string(i)));
    auralis::io::write_audio_file(files.back(),
                                  test_signal(20000 + 777 * i, fc.channels, fc.rate, 5),
                                  fc.channels, fc.rate, fc.format);
  }
  const auralis::ParallelSpectrumAnalyzer parallel(settings(MetricConvention::auralis, 3));
  const auralis::SpectrumAnalyzer sequential(settings(MetricConvention::auralis, 1));
  std::vector<auralis::SpectrumResult> want;
  for (const auto& f : files) want.push_back(in_memory(parallel, f));
  std::vector<int> mismatches(6, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 4; ++rep) {
        for (std::size_t i = 0; i < files.size(); ++i) {
          const std::size_t f = (i + t) % files.size();
          auralis::SpectrumResult r =
              t % 2 == 0 ? parallel.analyze_file(files[f]) : sequential.analyze_file(files[f]);
          r.parallel_processing = want[f].parallel_processing;
          if (r.spectrum != want[f].spectrum || r.total_energy != want[f].total_energy ||
              r.spectral_centroid != want[f].spectral_centroid) {
            ++mismatches[t];
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const int m : mismatches) EXPECT_EQ(m, 0);
}

// The part of an InvalidAudio message after "auralis: <field>: ".
std::string after_field(const auralis::InvalidAudio& e) {
  const std::string w = e.what();
  return w.substr(std::string("auralis: ").size() + e.field().size() + 2);
}

TEST(StreamingErrors, NonFiniteSampleNamesFileAndIndex) {
  const TempDir dir;
  const std::size_t channels = 2;
  const std::size_t frames = 30000;
  std::vector<double> x = test_signal(frames, channels, 44100.0, 1);
  // Positions: in the first frame, deep inside, and in the trailing samples no frame reaches
  // (fft 512, hop 128: the last frame ends at 29824).
  for (const std::size_t bad : {std::size_t{3}, std::size_t{2 * 17001 + 1}, std::size_t{59990}}) {
    for (const double value :
         {std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::infinity()}) {
      std::vector<double> y = x;
      y[bad] = value;
      const fs::path p = dir / "nan.wav";
      auralis::io::write_audio_file(p, y, channels, 44100.0, AudioFileFormat::wav_float);
      const auralis::io::AudioBuffer b = auralis::io::read_audio_file(p);
      std::string want;
      const auralis::SpectrumAnalyzer sequential(settings(MetricConvention::auralis, 1));
      try {
        (void)sequential.analyze_file(
            auralis::InterleavedAudio<const double>{b.samples, b.channels}, b.sample_rate);
        ADD_FAILURE() << "in-memory analysis accepted a non-finite sample";
      } catch (const auralis::InvalidAudio& e) {
        want = after_field(e);
      }
      EXPECT_NE(want.find("sample " + std::to_string(bad) + " "), std::string::npos) << want;
      for (const std::size_t workers : {std::size_t{1}, std::size_t{2}, std::size_t{4}}) {
        for (const std::size_t group : {std::size_t{0}, std::size_t{1}}) {
          const GroupFrames forced(group);
          const auralis::ParallelSpectrumAnalyzer parallel(
              settings(MetricConvention::auralis, workers));
          for (int which = 0; which < 2; ++which) {
            try {
              if (which == 0) {
                (void)sequential.analyze_file(p);
              } else {
                (void)parallel.analyze_file(p);
              }
              ADD_FAILURE() << "accepted a non-finite sample";
            } catch (const auralis::InvalidAudio& e) {
              // Same field and sentence as in memory, with the file named after the index.
              EXPECT_EQ(e.field(), "samples");
              std::string got = after_field(e);
              const std::string of_file = " of " + p.string();
              const std::size_t at = got.find(of_file);
              ASSERT_NE(at, std::string::npos) << got;
              got.erase(at, of_file.size());
              EXPECT_EQ(got, want);
            }
          }
        }
      }
    }
  }
}

TEST(StreamingErrors, DamagedFilesThrowAudioFileError) {
  const TempDir dir;
  const auralis::SpectrumAnalyzer sequential(settings(MetricConvention::auralis, 1));
  const auralis::ParallelSpectrumAnalyzer parallel(settings(MetricConvention::auralis, 4));
  auto expect_kind = [&](const fs::path& p, auralis::io::AudioFileErrorKind kind) {
    for (int which = 0; which < 2; ++which) {
      try {
        (void)(which == 0 ? sequential.analyze_file(p) : parallel.analyze_file(p));
        ADD_FAILURE() << p << " was analysed";
      } catch (const auralis::io::AudioFileError& e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        EXPECT_EQ(e.path(), p);
      }
    }
  };
  expect_kind(dir / "missing.wav", auralis::io::AudioFileErrorKind::missing);
  // A FLAC file cut in half: noticed while streaming, inside the parallel pipeline.
  const fs::path whole = dir / "whole.flac";
  auralis::io::write_audio_file(whole, test_signal(100000, 2, 44100.0, 2), 2, 44100.0,
                                AudioFileFormat::flac_pcm16);
  std::ifstream in(whole, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const fs::path half = dir / "half.flac";
  std::ofstream(half, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  expect_kind(half, auralis::io::AudioFileErrorKind::truncated);
  const fs::path nothing = dir / "nothing.wav";
  auralis::io::write_audio_file(nothing, {}, 1, 44100.0, AudioFileFormat::wav_pcm16);
  expect_kind(nothing, auralis::io::AudioFileErrorKind::empty);
}

TEST(StreamingErrors, FileRateBelowTheBands) {
  const TempDir dir;
  const fs::path p = dir / "low.wav";
  auralis::io::write_audio_file(p, test_signal(4000, 1, 8000.0, 1), 1, 8000.0,
                                AudioFileFormat::wav_pcm16);
  auralis::SpectrumSettings s;
  s.min_frequency = 5000.0;  // above the file's 4 kHz Nyquist frequency
  const auralis::SpectrumAnalyzer analyzer(s);
  EXPECT_THROW((void)analyzer.analyze_file(p), auralis::InvalidSettings);
}

// ---------------------------------------------------------------------------------------------
// Bounded memory

// Peak resident set size of this process in bytes (VmHWM), after optionally resetting it.
std::size_t peak_rss(bool reset) {
  if (reset) std::ofstream("/proc/self/clear_refs") << "5";
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// Writes a 16-bit mono WAV of `frames` frames without holding it in memory: a 44-byte header,
// then a sine with a slow sweep, block by block.
void write_long_wav(const fs::path& p, std::size_t frames, std::uint32_t rate) {
  std::ofstream out(p, std::ios::binary);
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.put(static_cast<char>(v >> (8 * i)));
  };
  auto u16 = [&](std::uint16_t v) {
    out.put(static_cast<char>(v));
    out.put(static_cast<char>(v >> 8));
  };
  const auto data_bytes = static_cast<std::uint32_t>(frames * 2);
  out.write("RIFF", 4);
  u32(36 + data_bytes);
  out.write("WAVEfmt ", 8);
  u32(16);
  u16(1);
  u16(1);
  u32(rate);
  u32(rate * 2);
  u16(2);
  u16(16);
  out.write("data", 4);
  u32(data_bytes);
  std::vector<std::int16_t> block(1 << 16);
  double phase = 0.0;
  for (std::size_t done = 0; done < frames; done += block.size()) {
    const std::size_t n = std::min(block.size(), frames - done);
    for (std::size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(done + i) / rate;
      phase += 2.0 * std::numbers::pi * (200.0 + 50.0 * std::sin(0.01 * t)) / rate;
      block[i] = static_cast<std::int16_t>(std::lrint(12000.0 * std::sin(phase)));
    }
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n * 2));
  }
}

TEST(StreamingMemory, TenMinuteFileInBoundedMemory) {
  if (!fs::exists("/proc/self/clear_refs")) GTEST_SKIP() << "needs Linux /proc";
  const TempDir dir;
  const fs::path p = dir / "ten_minutes.wav";
  const std::size_t frames = std::size_t{44100} * 600;  // 26.5 M samples: 212 MB as doubles
  write_long_wav(p, frames, 44100);
  ASSERT_EQ(auralis::io::AudioFileReader(p).info().frames, frames);
  auralis::ParallelSpectrumSettings s;  // defaults: 4096, 0.75
  s.max_workers = 4;
  const auralis::SpectrumAnalyzer sequential(s);
  const auralis::ParallelSpectrumAnalyzer parallel(s);
  // Warm up (plans, thread pool, libsndfile) on a short file, then measure.
  const fs::path warm = dir / "warm.wav";
  write_long_wav(warm, 44100, 44100);
  (void)sequential.analyze_file(warm);
  (void)parallel.analyze_file(warm);

  const std::size_t base = peak_rss(true);
  const auralis::SpectrumResult rs = sequential.analyze_file(p);
  const std::size_t seq_growth = peak_rss(false) - base;
  const std::size_t base2 = peak_rss(true);
  const auralis::SpectrumResult rp = parallel.analyze_file(p);
  const std::size_t par_growth = peak_rss(false) - base2;
  // The probe itself: loading the file must show up as ~212 MB.
  const std::size_t base3 = peak_rss(true);
  const std::size_t loaded = auralis::io::read_audio_file(p).samples.size();
  const std::size_t load_growth = peak_rss(false) - base3;
  std::printf(
      "10 min mono 16-bit: peak RSS growth %.1f MB sequential, %.1f MB parallel (4 workers); "
      "%.1f MB to load it whole\n",
      static_cast<double>(seq_growth) / 1e6, static_cast<double>(par_growth) / 1e6,
      static_cast<double>(load_growth) / 1e6);
  EXPECT_EQ(loaded, frames);
  EXPECT_GT(load_growth, std::size_t{150} << 20);

  EXPECT_EQ(rs.num_chunks_analyzed, (frames - 4096) / 1024 + 1);
  EXPECT_EQ(rs.analysis_duration, 600.0);
  EXPECT_EQ(rs.spectrum, rp.spectrum);
  EXPECT_EQ(rs.spectral_centroid, rp.spectral_centroid);
  EXPECT_TRUE(rp.parallel_processing);
  // The whole file as doubles would be 212 MB.
  EXPECT_LT(seq_growth, std::size_t{32} << 20);
  EXPECT_LT(par_growth, std::size_t{32} << 20);
}

}  // namespace
