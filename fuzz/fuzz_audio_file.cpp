// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness: auralis::io on arbitrary bytes. The reader only takes a path, so each input
// is written to one file per process (in /dev/shm when it exists, else $TMPDIR or /tmp; removed
// after each input), then:
// - AudioFileReader opens it and reads it all in odd-sized float blocks;
// - read_audio_file reads it as doubles;
// - for files of at most 2^18 samples, SpectrumAnalyzer::analyze_file(path) (streamed) and
//   ParallelSpectrumAnalyzer::analyze_file(path) are compared with the in-memory analysis of the
//   samples read_audio_file returned.
// Contract checked (abort otherwise): only io::AudioFileError or an auralis InvalidArgument is
// thrown; an opened file states >= 1 frame, >= 1 channel, a finite rate > 0 and a format name;
// reads return exactly the declared frames; both streamed analyses equal the in-memory one bit
// for bit, or all three fail the same way: the same error type naming the same field (the same
// kind for file errors). The analyses check the settings against the file's sample rate before
// the samples, so a file that breaks both (a NaN sample at a rate whose Nyquist frequency lies
// below min_frequency) fails for the settings on every path. ASan and UBSan check memory and
// arithmetic in auralis (libsndfile is not instrumented: ASan sees its heap use through the
// interceptors).
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "auralis/io/audio_file.hpp"
#include "fuzz_common.hpp"

namespace {

using namespace auralis;
using namespace auralis::fuzz;
namespace fs = std::filesystem;

fs::path scratch_path() {
  fs::path dir = "/dev/shm";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    const char* tmp = std::getenv("TMPDIR");
    dir = tmp != nullptr ? tmp : "/tmp";
  }
  return dir / ("auralis-fuzz-audio-" + std::to_string(::getpid()));
}

const fs::path& scratch() {
  static const fs::path path = scratch_path();
  return path;
}

void write_input(const std::uint8_t* data, std::size_t size) {
  const int fd = ::open(scratch().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) contract_violation("cannot create the scratch file " + scratch().string());
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) contract_violation("cannot write the scratch file");
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

/// Which documented type an io call threw, if any.
enum class ErrorType { nothing, file_error, invalid_settings, invalid_audio, invalid_argument };

/// What an io call ended with: nothing thrown, or the documented type and what it names (the
/// field of an argument error, the kind of a file error).
struct Thrown {
  ErrorType type = ErrorType::nothing;
  std::string field;
  bool operator==(const Thrown&) const = default;
  [[nodiscard]] bool ok() const noexcept { return type == ErrorType::nothing; }
  [[nodiscard]] std::string describe() const {
    static constexpr const char* names[] = {"nothing", "AudioFileError", "InvalidSettings",
                                            "InvalidAudio", "InvalidArgument"};
    return std::string(names[static_cast<int>(type)]) + (field.empty() ? "" : "(" + field + ")");
  }
};

template <class F>
Thrown thrown_by(F&& f) {
  try {
    f();
    return {};
  } catch (const io::AudioFileError& e) {
    AURALIS_FUZZ_CHECK(to_string(e.kind()) != "invalid", "unknown AudioFileErrorKind");
    return {ErrorType::file_error, std::string(to_string(e.kind()))};
  } catch (const InvalidSettings& e) {
    return {ErrorType::invalid_settings, e.field()};
  } catch (const InvalidAudio& e) {
    return {ErrorType::invalid_audio, e.field()};
  } catch (const InvalidArgument& e) {
    return {ErrorType::invalid_argument, e.field()};
  }
}

constexpr std::size_t kMaxAnalysedSamples = std::size_t{1} << 18;
constexpr std::size_t kMaxReadSamples = std::size_t{1} << 21;

void read_with_reader(std::size_t& declared) {
  io::AudioFileReader reader(scratch());
  const io::AudioFileInfo& info = reader.info();
  AURALIS_FUZZ_CHECK(info.frames >= 1 && info.channels >= 1, "opened file without audio");
  AURALIS_FUZZ_CHECK(std::isfinite(info.sample_rate) && info.sample_rate > 0.0, "bad rate");
  AURALIS_FUZZ_CHECK(!info.format.empty(), "no format name");
  declared = info.frames * info.channels;
  if (declared > kMaxReadSamples) return;  // a decoder may expand a tiny input a lot
  // Odd block sizes exercise partial reads; every block holds at least one frame.
  std::vector<float> block((info.channels * 997) % 8192 + info.channels);
  std::size_t total = 0;
  for (;;) {
    const std::size_t got = reader.read(std::span<float>(block));
    if (got == 0) break;
    AURALIS_FUZZ_CHECK(got * info.channels <= block.size(), "read more frames than fit");
    total += got;
    AURALIS_FUZZ_CHECK(total <= info.frames, "read past the declared length");
  }
  AURALIS_FUZZ_CHECK(total == info.frames, "end of file before the declared length, no error");
  AURALIS_FUZZ_CHECK(reader.frames_read() == total, "frames_read() wrong");
}

void analyse_file() {
  SpectrumSettings s;
  s.fft_size = 256;
  s.overlap = 0.5;
  s.frequency_bands = 16;
  s.min_frequency = 20.0;
  s.max_frequency = 20000.0;
  ParallelSpectrumSettings p;
  static_cast<SpectrumSettings&>(p) = s;
  p.max_workers = 2;
  p.min_chunks_for_parallel = 1;
  static const SpectrumAnalyzer seq(s);
  static const ParallelSpectrumAnalyzer par(p);

  io::AudioBuffer buffer;
  SpectrumResult memory;
  SpectrumResult streamed;
  SpectrumResult parallel;
  const Thrown loaded = thrown_by([&] {
    buffer = io::read_audio_file(scratch());
    AURALIS_FUZZ_CHECK(buffer.channels >= 1 && buffer.frames() >= 1, "empty buffer returned");
    AURALIS_FUZZ_CHECK(buffer.samples.size() == buffer.frames() * buffer.channels, "ragged");
    memory = seq.analyze_file(InterleavedAudio<const double>{buffer.samples, buffer.channels},
                              buffer.sample_rate);
  });
  const Thrown a = thrown_by([&] { streamed = seq.analyze_file(scratch()); });
  const Thrown b = thrown_by([&] { parallel = par.analyze_file(scratch()); });
  AURALIS_FUZZ_CHECK(a == b, "sequential and parallel analyze_file(path) disagree on failure: " +
                                 a.describe() + " / " + b.describe());
  if (loaded.ok()) {
    AURALIS_FUZZ_CHECK(a.ok(), "file loads and analyses in memory, not streamed: " + a.describe());
    check_result(streamed, s.frequency_bands, "analyze_file(path)");
    check_identical(memory, streamed, "streamed vs in-memory");
    check_identical(streamed, parallel, "parallel streamed vs sequential streamed");
  } else {
    AURALIS_FUZZ_CHECK(a == loaded,
                       "streamed analysis fails differently from loading: " + a.describe() +
                           " streamed, " + loaded.describe() + " in memory");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  write_input(data, size);
  std::size_t declared = 0;
  const Thrown opened = thrown_by([&] { read_with_reader(declared); });
  if (opened.ok() || opened.type == ErrorType::invalid_audio) {
    if (declared <= kMaxAnalysedSamples) analyse_file();
  } else {
    AURALIS_FUZZ_CHECK(opened.type == ErrorType::file_error,
                       "reader threw an unexpected auralis error: " + opened.describe());
  }
  // Removed after every input: libFuzzer may end the process with _Exit (no atexit handlers).
  ::unlink(scratch().c_str());
  return 0;
}
