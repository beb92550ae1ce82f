// SPDX-License-Identifier: GPL-3.0-or-later
// Audio file input and output through libsndfile, and the file streaming behind the analyzers'
// analyze_file(path). The only translation unit that includes <sndfile.h>.
#include "auralis/io/audio_file.hpp"

#include <fcntl.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include "auralis/detail/audio_checks.hpp"
#include "auralis/detail/file_analysis.hpp"
#include "auralis/error.hpp"

namespace auralis::io {
namespace {

namespace fs = std::filesystem;
using Kind = AudioFileErrorKind;

// libsndfile reports the failure of sf_open through process-wide state (sf_error(NULL),
// sf_strerror(NULL)); opening under one mutex keeps concurrent opens from reading each other's.
std::mutex& open_mutex() {
  static std::mutex m;
  return m;
}

[[noreturn]] void fail(const fs::path& path, Kind kind, const std::string& cause) {
  throw AudioFileError(path, kind, cause);
}

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

// A file descriptor closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) noexcept : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  [[nodiscard]] int get() const noexcept { return fd_; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// libsndfile reads and writes through these callbacks (sf_open_virtual) on a descriptor we own.
// sf_open_fd would do, except that libsndfile 1.2 closes the descriptor when opening fails even
// when told not to, after which closing ours could close an unrelated file of another thread.
// Positioned I/O (pread/pwrite) with our own offset; I/O errors are remembered so that a read
// error is reported as such, not as a file that ends early.
struct VirtualFile {
  int fd = -1;
  sf_count_t offset = 0;
  int error = 0;  // errno of the first failed read or write

  static VirtualFile& of(void* user) noexcept { return *static_cast<VirtualFile*>(user); }

  static sf_count_t length(void* user) noexcept {
    struct stat sb {};
    return ::fstat(of(user).fd, &sb) == 0 ? static_cast<sf_count_t>(sb.st_size) : -1;
  }
  static sf_count_t seek(sf_count_t offset, int whence, void* user) noexcept {
    VirtualFile& f = of(user);
    sf_count_t base = 0;
    if (whence == SEEK_CUR) base = f.offset;
    if (whence == SEEK_END) {
      base = length(user);
      if (base < 0) return -1;
    }
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) return -1;
    if ((offset > 0 && base > std::numeric_limits<sf_count_t>::max() - offset) ||
        base + offset < 0) {
      return -1;
    }
    f.offset = base + offset;
    return f.offset;
  }
  static sf_count_t read(void* ptr, sf_count_t count, void* user) noexcept {
    VirtualFile& f = of(user);
    sf_count_t done = 0;
    while (done < count) {
      const ssize_t n = ::pread(f.fd, static_cast<char*>(ptr) + done,
                                static_cast<std::size_t>(count - done), f.offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && f.error == 0) f.error = errno;
      if (n <= 0) break;
      done += n;
      f.offset += n;
    }
    return done;
  }
  static sf_count_t write(const void* ptr, sf_count_t count, void* user) noexcept {
    VirtualFile& f = of(user);
    sf_count_t done = 0;
    while (done < count) {
      const ssize_t n = ::pwrite(f.fd, static_cast<const char*>(ptr) + done,
                                 static_cast<std::size_t>(count - done), f.offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && f.error == 0) f.error = errno;
      if (n <= 0) break;
      done += n;
      f.offset += n;
    }
    return done;
  }
  static sf_count_t tell(void* user) noexcept { return of(user).offset; }

  SNDFILE* open(int mode, SF_INFO* info) {
    static SF_VIRTUAL_IO io{&VirtualFile::length, &VirtualFile::seek, &VirtualFile::read,
                            &VirtualFile::write, &VirtualFile::tell};
    return sf_open_virtual(&io, mode, info, this);
  }
};

// Human-readable container and encoding of a libsndfile format word.
std::string describe_format(int format) {
  const int major = format & SF_FORMAT_TYPEMASK;
  const int sub = format & SF_FORMAT_SUBMASK;
  struct Name {
    int id;
    const char* name;
  };
  static constexpr std::array majors{
      Name{SF_FORMAT_WAV, "WAV"},   Name{SF_FORMAT_WAVEX, "WAV"}, Name{SF_FORMAT_AIFF, "AIFF"},
      Name{SF_FORMAT_FLAC, "FLAC"}, Name{SF_FORMAT_OGG, "Ogg"},   Name{SF_FORMAT_AU, "AU"},
      Name{SF_FORMAT_W64, "W64"},   Name{SF_FORMAT_RF64, "RF64"}, Name{SF_FORMAT_CAF, "CAF"},
      Name{SF_FORMAT_MPEG, "MPEG"}, Name{SF_FORMAT_RAW, "raw"},
  };
  static constexpr std::array subs{
      Name{SF_FORMAT_PCM_S8, "PCM 8-bit"},
      Name{SF_FORMAT_PCM_U8, "PCM 8-bit unsigned"},
      Name{SF_FORMAT_PCM_16, "PCM 16-bit"},
      Name{SF_FORMAT_PCM_24, "PCM 24-bit"},
      Name{SF_FORMAT_PCM_32, "PCM 32-bit"},
      Name{SF_FORMAT_FLOAT, "float 32-bit"},
      Name{SF_FORMAT_DOUBLE, "float 64-bit"},
      Name{SF_FORMAT_ULAW, "u-law"},
      Name{SF_FORMAT_ALAW, "A-law"},
      Name{SF_FORMAT_IMA_ADPCM, "IMA ADPCM"},
      Name{SF_FORMAT_MS_ADPCM, "MS ADPCM"},
      Name{SF_FORMAT_GSM610, "GSM 6.10"},
      Name{SF_FORMAT_VORBIS, "Vorbis"},
      Name{SF_FORMAT_OPUS, "Opus"},
      Name{SF_FORMAT_ALAC_16, "ALAC 16-bit"},
      Name{SF_FORMAT_ALAC_20, "ALAC 20-bit"},
      Name{SF_FORMAT_ALAC_24, "ALAC 24-bit"},
      Name{SF_FORMAT_ALAC_32, "ALAC 32-bit"},
      Name{SF_FORMAT_MPEG_LAYER_I, "MPEG layer I"},
      Name{SF_FORMAT_MPEG_LAYER_II, "MPEG layer II"},
      Name{SF_FORMAT_MPEG_LAYER_III, "MP3"},
  };
  auto lookup = [](const auto& table, int id) -> std::string {
    for (const Name& n : table) {
      if (n.id == id) return n.name;
    }
    SF_FORMAT_INFO info{};
    info.format = id;
    if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof info) == 0 && info.name != nullptr) {
      return info.name;
    }
    char hex[32];
    std::snprintf(hex, sizeof hex, "format 0x%x", static_cast<unsigned>(id));
    return hex;
  };
  return lookup(majors, major) + ", " + lookup(subs, sub);
}

// Containers whose first bytes identify them, with the size of their smallest complete header:
// a recognised file shorter than that has a truncated header.
struct Container {
  const char* name;
  std::size_t min_header;
};

Container sniff(int fd) {
  std::array<unsigned char, 12> head{};
  const ssize_t n = ::pread(fd, head.data(), head.size(), 0);
  if (n < 4) return {nullptr, 0};
  const auto is = [&](std::size_t at, const char* magic) {
    const std::size_t len = std::strlen(magic);
    return static_cast<std::size_t>(n) >= at + len &&
           std::memcmp(head.data() + at, magic, len) == 0;
  };
  if (is(0, "RIFF") && is(8, "WAVE")) return {"WAV", 44};
  if (is(0, "FORM") && (is(8, "AIFF") || is(8, "AIFC"))) return {"AIFF", 54};
  if (is(0, "fLaC")) return {"FLAC", 42};
  if (is(0, "OggS")) return {"Ogg", 58};
  return {nullptr, 0};
}

// libsndfile error numbers (sndfile.h names the first five; the others are internal but stable
// since libsndfile 1.0): 2 system error, 4 unsupported encoding, 18 unimplemented format.
constexpr int sf_err_system = SF_ERR_SYSTEM;
constexpr int sf_err_unsupported_encoding = SF_ERR_UNSUPPORTED_ENCODING;
constexpr int sf_err_unimplemented = 18;

[[noreturn]] void fail_open(const fs::path& path, int fd, std::uintmax_t size, int code,
                            const std::string& message) {
  const std::string lib = " (libsndfile: " + message + ")";
  if (code == sf_err_system) fail(path, Kind::unreadable, "cannot be read" + lib);
  const Container c = sniff(fd);
  if (c.name != nullptr && size < c.min_header) {
    fail(path, Kind::not_audio,
         std::string("has a truncated ") + c.name + " header (" + std::to_string(size) +
             " bytes; a complete one needs at least " + std::to_string(c.min_header) + ")" + lib);
  }
  const std::string container = c.name != nullptr ? std::string(c.name) + " " : "";
  if (code == sf_err_unsupported_encoding || code == sf_err_unimplemented) {
    fail(path, Kind::unsupported,
         "is " + container + "audio in an unsupported format or encoding" + lib);
  }
  if (code == SF_ERR_UNRECOGNISED_FORMAT && c.name == nullptr) {
    fail(path, Kind::not_audio, "is not an audio file (no known audio format recognised)" + lib);
  }
  fail(path, Kind::not_audio,
       "is not a readable audio file: its " + container + "header is damaged or incomplete" + lib);
}

// libsndfile clamps the length of a WAV/AIFF/AU data chunk that runs past the end of the file
// and notes it in its log as "data : <declared> (should be <present>)"; RF64 notes a frame
// count that differs from its ds64 chunk. Returns the cause when the file is cut short.
// Declared sizes from 0x7FFFF000 up are the placeholders streaming writers leave, not lengths.
std::string truncation_in_log(SNDFILE* sf) {
  std::string log(16384, '\0');
  sf_command(sf, SFC_GET_LOG_INFO, log.data(), static_cast<int>(log.size()));
  log.resize(std::strlen(log.c_str()));
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    const std::string_view l = std::string_view(line).substr(first);
    // "<label> : <declared> (should be <present>)", the label padded with spaces in AU logs.
    const std::size_t colon = l.find(':');
    if (colon != std::string_view::npos) {
      std::string_view label = l.substr(0, colon);
      label = label.substr(0, label.find_last_not_of(' ') + 1);
      unsigned long long declared = 0;
      unsigned long long present = 0;
      if ((label == "data" || label == "SSND" || label == "Data Size") &&
          std::sscanf(std::string(l.substr(colon + 1)).c_str(), " %llu (should be %llu)", &declared,
                      &present) == 2 &&
          declared > present + 1 && declared < 0x7FFFF000ULL) {
        return "is truncated: its " + std::string(label == "SSND" ? "SSND" : "data") +
               " chunk declares " + std::to_string(declared) + " bytes but only " +
               std::to_string(present) + " are present";
      }
    }
    unsigned long long calculated = 0;
    unsigned long long declared = 0;
    if (std::sscanf(std::string(l).c_str(),
                    "*** Calculated frame count %llu does not match value from 'ds64' chunk of "
                    "%llu",
                    &calculated, &declared) == 2 &&
        calculated < declared) {
      return "is truncated: its header declares " + std::to_string(declared) +
             " sample frames but the data holds " + std::to_string(calculated);
    }
  }
  return {};
}

sf_count_t readf(SNDFILE* sf, double* out, sf_count_t frames) {
  return sf_readf_double(sf, out, frames);
}
sf_count_t readf(SNDFILE* sf, float* out, sf_count_t frames) {
  return sf_readf_float(sf, out, frames);
}

}  // namespace

struct AudioFileReader::Impl {
  fs::path path;
  Fd fd;
  VirtualFile file;
  SNDFILE* sf = nullptr;
  AudioFileInfo info;
  std::size_t position = 0;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (sf != nullptr) sf_close(sf);
  }

  template <class T>
  std::size_t read(std::span<T> out) {
    const std::size_t channels = info.channels;
    const std::size_t left = info.frames - position;
    if (left == 0) return 0;
    if (out.size() < channels) {
      throw InvalidArgument("interleaved", "holds " + std::to_string(out.size()) +
                                               " samples, less than one frame of " +
                                               std::to_string(channels) + " channels");
    }
    const std::size_t want = std::min(out.size() / channels, left);
    const sf_count_t got = readf(sf, out.data(), static_cast<sf_count_t>(want));
    const std::size_t n = got > 0 ? static_cast<std::size_t>(got) : 0;
    position += std::min(n, want);
    if (n < want && file.error != 0) {
      fail(path, Kind::unreadable,
           "cannot be read after " + std::to_string(position) +
               " sample frames: " + errno_text(file.error));
    }
    if (n < want) {
      std::string cause = "is truncated or corrupt: the audio data ends after " +
                          std::to_string(position) + " of the " + std::to_string(info.frames) +
                          " sample frames its header declares";
      if (sf_error(sf) != SF_ERR_NO_ERROR) {
        cause += std::string(" (libsndfile: ") + sf_strerror(sf) + ")";
      }
      fail(path, Kind::truncated, cause);
    }
    return n;
  }
};

AudioFileReader::AudioFileReader(const fs::path& path) : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.path = path;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) {
    std::error_code lec;
    if (fs::is_symlink(fs::symlink_status(path, lec))) {
      fail(path, Kind::missing, "does not exist (a symbolic link to a missing file)");
    }
    fail(path, Kind::missing, "does not exist");
  }
  if (ec) fail(path, Kind::unreadable, "cannot be examined: " + ec.message());
  if (st.type() == fs::file_type::directory) {
    fail(path, Kind::not_a_file, "is a directory, not an audio file");
  }
  if (st.type() != fs::file_type::regular) {
    fail(path, Kind::not_a_file, "is not a regular file (a device, FIFO or socket)");
  }

  // O_NONBLOCK: should the path be swapped for a FIFO after the check, open() does not block.
  const int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (raw < 0) {
    const int err = errno;
    if (err == ENOENT) fail(path, Kind::missing, "does not exist");
    if (err == EACCES || err == EPERM) {
      fail(path, Kind::unreadable, "cannot be read: permission denied");
    }
    fail(path, Kind::unreadable, "cannot be opened: " + errno_text(err));
  }
  d.fd = Fd(raw);
  struct stat sb {};
  if (::fstat(raw, &sb) != 0) {
    fail(path, Kind::unreadable, "cannot be examined: " + errno_text(errno));
  }
  if (!S_ISREG(sb.st_mode)) {
    fail(path, Kind::not_a_file, "is not a regular file (a device, FIFO or socket)");
  }
  const auto size = static_cast<std::uintmax_t>(sb.st_size);
  if (size == 0) fail(path, Kind::not_audio, "is empty (0 bytes), not an audio file");

  SF_INFO sfi{};
  {
    std::lock_guard lock(open_mutex());
    d.file.fd = raw;
    d.sf = d.file.open(SFM_READ, &sfi);
    if (d.sf == nullptr) {
      const int code = sf_error(nullptr);
      const std::string message = sf_strerror(nullptr);
      if (d.file.error != 0) {
        fail(path, Kind::unreadable, "cannot be read: " + errno_text(d.file.error));
      }
      fail_open(path, raw, size, code, message);
    }
  }
  sf_command(d.sf, SFC_SET_NORM_DOUBLE, nullptr, SF_TRUE);
  sf_command(d.sf, SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);
  sf_command(d.sf, SFC_SET_SCALE_FLOAT_INT_READ, nullptr, SF_FALSE);

  if (sfi.channels <= 0) {
    fail(path, Kind::not_audio,
         "declares " + std::to_string(sfi.channels) + " channels; at least 1 is required");
  }
  if (sfi.samplerate <= 0) {
    fail(path, Kind::not_audio,
         "declares a sample rate of " + std::to_string(sfi.samplerate) +
             " Hz; it must be finite and > 0");
  }
  if (sfi.frames < 0 || sfi.frames == SF_COUNT_MAX) {
    fail(path, Kind::truncated,
         "does not state its length and its end cannot be found (truncated, or still being "
         "written)");
  }
  if (const std::string cut = truncation_in_log(d.sf); !cut.empty()) {
    fail(path, Kind::truncated, cut);
  }
  if (sfi.frames == 0) fail(path, Kind::empty, "contains no audio (0 sample frames)");
  const auto frames = static_cast<std::uint64_t>(sfi.frames);
  const auto channels = static_cast<std::uint64_t>(sfi.channels);
  if (frames > std::numeric_limits<std::size_t>::max() / channels) {
    fail(path, Kind::not_audio,
         "declares an impossible length of " + std::to_string(frames) + " sample frames");
  }
  d.info.frames = static_cast<std::size_t>(frames);
  d.info.channels = static_cast<std::size_t>(channels);
  d.info.sample_rate = static_cast<double>(sfi.samplerate);
  d.info.format = describe_format(sfi.format);
}

AudioFileReader::AudioFileReader(AudioFileReader&&) noexcept = default;
AudioFileReader& AudioFileReader::operator=(AudioFileReader&&) noexcept = default;
AudioFileReader::~AudioFileReader() = default;

const AudioFileInfo& AudioFileReader::info() const noexcept { return impl_->info; }
const fs::path& AudioFileReader::path() const noexcept { return impl_->path; }
std::size_t AudioFileReader::frames_read() const noexcept { return impl_->position; }

std::size_t AudioFileReader::read(std::span<double> interleaved) {
  return impl_->read(interleaved);
}
std::size_t AudioFileReader::read(std::span<float> interleaved) { return impl_->read(interleaved); }

AudioBuffer read_audio_file(const fs::path& path) {
  AudioFileReader reader(path);
  const AudioFileInfo& info = reader.info();
  AudioBuffer out;
  out.channels = info.channels;
  out.sample_rate = info.sample_rate;
  const std::size_t total = info.frames * info.channels;
  // Reserve what the header declares, but no more than a generous multiple of the file size:
  // a damaged header claiming 2^40 frames must fail with `truncated`, not allocate terabytes.
  std::error_code ec;
  const std::uintmax_t bytes = fs::file_size(path, ec);
  const std::uintmax_t plausible = ec ? 0 : bytes * 16 + (std::uintmax_t{1} << 20);
  out.samples.reserve(static_cast<std::size_t>(std::min<std::uintmax_t>(total, plausible)));
  constexpr std::size_t block_frames = 65536;
  while (out.samples.size() < total) {
    const std::size_t done = out.samples.size();
    const std::size_t n = std::min(block_frames * info.channels, total - done);
    out.samples.resize(done + n);
    const std::size_t got = reader.read(std::span<double>(out.samples).subspan(done, n));
    out.samples.resize(done + got * info.channels);
    if (got == 0) break;  // unreachable: read() throws when the data ends early
  }
  return out;
}

namespace {

struct WriteFormat {
  int sf_format;
  int bits;  // integer PCM bits, 0 for float and lossy formats
  const char* name;
};

WriteFormat write_format(AudioFileFormat f) {
  switch (f) {
    case AudioFileFormat::wav_pcm16:
      return {SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16, "WAV, PCM 16-bit"};
    case AudioFileFormat::wav_pcm24:
      return {SF_FORMAT_WAV | SF_FORMAT_PCM_24, 24, "WAV, PCM 24-bit"};
    case AudioFileFormat::wav_float:
      return {SF_FORMAT_WAV | SF_FORMAT_FLOAT, 0, "WAV, float 32-bit"};
    case AudioFileFormat::flac_pcm16:
      return {SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16, "FLAC, PCM 16-bit"};
    case AudioFileFormat::flac_pcm24:
      return {SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 24, "FLAC, PCM 24-bit"};
    case AudioFileFormat::ogg_vorbis:
      return {SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0, "Ogg, Vorbis"};
    case AudioFileFormat::aiff_pcm16:
      return {SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 16, "AIFF, PCM 16-bit"};
  }
  throw InvalidArgument("format", "is not an AudioFileFormat value");
}

// Closes the handle and removes the file unless committed.
class PendingFile {
 public:
  explicit PendingFile(fs::path path) : path_(std::move(path)) {}
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;
  ~PendingFile() {
    if (sf != nullptr) sf_close(sf);
    fd.reset();
    if (!committed_) {
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  void commit() noexcept { committed_ = true; }
  Fd fd;
  VirtualFile file;
  SNDFILE* sf = nullptr;

 private:
  fs::path path_;
  bool committed_ = false;
};

}  // namespace

void write_audio_file(const fs::path& path, std::span<const double> interleaved,
                      std::size_t channels, double sample_rate, AudioFileFormat format) {
  const WriteFormat wf = write_format(format);
  if (channels == 0) throw InvalidArgument("channels", "must be >= 1, got 0");
  if (interleaved.size() % channels != 0) {
    throw InvalidArgument("interleaved",
                          "holds " + std::to_string(interleaved.size()) +
                              " samples, not a multiple of channels = " + std::to_string(channels));
  }
  if (!(sample_rate >= 1.0 && sample_rate < 2147483648.0) ||
      sample_rate != std::floor(sample_rate)) {
    throw InvalidArgument("sample_rate", "must be an integer number of Hz in [1, 2^31), got " +
                                             std::to_string(sample_rate));
  }
  if (format != AudioFileFormat::wav_float) {
    const std::size_t bad = detail::first_non_finite(interleaved);
    if (bad != interleaved.size()) {
      throw InvalidAudio("interleaved", "sample " + std::to_string(bad) +
                                            " is not finite; only wav_float can store it");
    }
  }
  if (channels > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    fail(path, Kind::unsupported, "cannot hold " + std::to_string(channels) + " channels");
  }
  SF_INFO sfi{};
  sfi.channels = static_cast<int>(channels);
  sfi.samplerate = static_cast<int>(sample_rate);
  sfi.format = wf.sf_format;
  if (sf_format_check(&sfi) == SF_FALSE) {
    fail(path, Kind::unsupported,
         std::string("cannot be written as ") + wf.name + " with " + std::to_string(channels) +
             " channels at " + std::to_string(sfi.samplerate) + " Hz");
  }

  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(path, Kind::not_a_file, "is a directory");
  const int raw = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (raw < 0) {
    const int err = errno;
    fail(path, err == EISDIR ? Kind::not_a_file : Kind::unwritable,
         "cannot be created: " + errno_text(err));
  }
  PendingFile file(path);
  file.fd = Fd(raw);
  {
    std::lock_guard lock(open_mutex());
    file.file.fd = raw;
    file.sf = file.file.open(SFM_WRITE, &sfi);
    if (file.sf == nullptr) {
      fail(path, Kind::unsupported,
           std::string("cannot be written as ") + wf.name +
               " (libsndfile: " + sf_strerror(nullptr) + ")");
    }
  }
  sf_command(file.sf, SFC_SET_NORM_DOUBLE, nullptr, SF_TRUE);
  sf_command(file.sf, SFC_SET_CLIPPING, nullptr, SF_FALSE);

  const std::size_t frames = interleaved.size() / channels;
  constexpr std::size_t block_frames = 4096;
  std::vector<int> ints(wf.bits != 0 ? block_frames * channels : 0);
  // libsndfile's int interface holds the sample in the top bits of a 32-bit int.
  const double scale = wf.bits != 0 ? std::ldexp(1.0, wf.bits - 1) : 1.0;
  const double lo = -scale;
  const double hi = scale - 1.0;
  const int shift = 32 - wf.bits;
  for (std::size_t f = 0; f < frames; f += block_frames) {
    const std::size_t n = std::min(block_frames, frames - f);
    const double* src = interleaved.data() + f * channels;
    sf_count_t written = 0;
    if (wf.bits != 0) {
      for (std::size_t i = 0; i < n * channels; ++i) {
        const double q = std::clamp(std::nearbyint(src[i] * scale), lo, hi);
        ints[i] = static_cast<int>(static_cast<std::int64_t>(q) * (std::int64_t{1} << shift));
      }
      written = sf_writef_int(file.sf, ints.data(), static_cast<sf_count_t>(n));
    } else {
      written = sf_writef_double(file.sf, src, static_cast<sf_count_t>(n));
    }
    if (written != static_cast<sf_count_t>(n) || file.file.error != 0) {
      fail(path, Kind::unwritable,
           "cannot be written: " + (file.file.error != 0 ? errno_text(file.file.error)
                                                         : std::string(sf_strerror(file.sf))));
    }
  }
  SNDFILE* sf = std::exchange(file.sf, nullptr);
  if (const int err = sf_close(sf); err != 0 || file.file.error != 0) {
    fail(path, Kind::unwritable,
         "cannot be completed: " + (file.file.error != 0 ? errno_text(file.file.error)
                                                         : std::string(sf_error_number(err))));
  }
  file.commit();
}

}  // namespace auralis::io

namespace auralis::detail {
namespace {
std::atomic<std::size_t> group_frames_override{0};
}  // namespace

std::size_t stream_group_frames(std::size_t hop, std::size_t upper) noexcept {
  const std::size_t forced = group_frames_override.load(std::memory_order_relaxed);
  if (forced != 0) return forced;
  return std::clamp<std::size_t>(stream_read_frames / std::max<std::size_t>(hop, 1), 1, upper);
}

void set_stream_group_frames(std::size_t frames) noexcept {
  group_frames_override.store(frames, std::memory_order_relaxed);
}

FileFrameGroups::FileFrameGroups(io::AudioFileReader& reader, std::size_t fft_size, std::size_t hop,
                                 std::size_t analysis_frames, std::size_t group_frames,
                                 double sample_limit)
    : reader_(reader),
      channels_(reader.info().channels),
      total_(reader.info().frames),
      fft_size_(fft_size),
      hop_(hop),
      frames_(analysis_frames),
      group_frames_(std::max<std::size_t>(group_frames, 1)),
      limit_(sample_limit) {
  // The next group starts (group_frames * hop) after this one and this one ends
  // ((group_frames - 1) * hop + fft_size) after its start: the overlap is fft_size - hop.
  carry_.resize((fft_size_ > hop_ ? fft_size_ - hop_ : 0) * channels_);
}

std::size_t FileFrameGroups::capacity() const noexcept {
  return ((group_frames_ - 1) * hop_ + fft_size_) * channels_;
}

kernel::AudioView<double> FileFrameGroups::fill(std::size_t first, std::size_t count,
                                                double* buffer) {
  const std::size_t ch = channels_;
  const std::size_t s0 = first * hop_;
  const std::size_t s1 = std::min(s0 + (count - 1) * hop_ + fft_size_, total_);
  // Samples [s0, next_) were read with the previous group and kept in carry_.
  if (s0 < next_) {
    std::copy(carry_.begin(), carry_.begin() + static_cast<std::ptrdiff_t>((next_ - s0) * ch),
              buffer);
  } else if (s0 > next_) {
    skip(s0 - next_);
  }
  const std::size_t have = next_ - s0;
  read_checked(buffer + have * ch, s1 - s0 - have);
  if (first + count >= frames_) {
    skip(total_ - next_);  // frames no analysis frame reaches: still read, to check them
  } else {
    const std::size_t next_start = (first + count) * hop_;
    if (next_start < s1) {
      std::copy(buffer + (next_start - s0) * ch, buffer + (s1 - s0) * ch, carry_.begin());
    }
  }
  return {buffer, s1 - s0, ch};
}

void FileFrameGroups::read_checked(double* out, std::size_t frames) {
  const std::size_t ch = channels_;
  std::size_t done = 0;
  while (done < frames) {
    const std::size_t got = reader_.read(std::span<double>(out + done * ch, (frames - done) * ch));
    if (got == 0) {
      throw io::AudioFileError(reader_.path(), io::AudioFileErrorKind::truncated,
                               "is truncated: the audio data ends after " +
                                   std::to_string(next_ + done) + " sample frames");
    }
    const std::span<const double> fresh(out + done * ch, got * ch);
    const std::size_t bad = first_unanalysable(fresh, limit_);
    if (bad != fresh.size()) {
      const std::size_t index = (next_ + done) * ch + bad;
      // The field is "samples", as for audio in memory; the message names the file.
      throw InvalidAudio("samples", "sample " + std::to_string(index) + " (frame " +
                                        std::to_string(index / ch) + ", channel " +
                                        std::to_string(index % ch) + ") of " +
                                        reader_.path().string() + " is " +
                                        unanalysable_reason(fresh[bad], limit_));
    }
    done += got;
  }
  next_ += frames;
}

void FileFrameGroups::skip(std::size_t frames) {
  if (frames == 0) return;
  std::vector<double> scratch(std::min(frames, std::size_t{4096}) * channels_);
  while (frames > 0) {
    const std::size_t n = std::min(frames, scratch.size() / channels_);
    read_checked(scratch.data(), n);
    frames -= n;
  }
}

}  // namespace auralis::detail
