// SPDX-License-Identifier: GPL-3.0-or-later
// Flag-independence consumer (tests/CMakeLists.txt, consumer_flags_*). The same program is built
// twice against the installed package, with `-O2 -ffp-contract=off` and with
// `-O3 -march=native -ffp-contract=fast`; both builds must produce the same bits from every
// public computation, since all of them are compiled once, in the library.
//
//   consumer_flags OUT            runs every public computation, writes the raw bytes of every
//                                 output to OUT
//   consumer_flags OUT REFERENCE  the same, then compares OUT with REFERENCE (written by the
//                                 other build): every output must be bit-identical and the
//                                 canary must differ. Exit code 0 on success.
//
// Inputs are exact under both flag sets: integers (an integer LCG and integer-periodic waves)
// scaled by a power of two, and user filters that only shift, negate, add or halve. The canary
// is the one computation of the consumer itself that depends on the flags: a * b + c with
// a = 1 + 2^-27, b = 1 - 2^-27, c = -1 gives 0 unfused (a * b rounds to 1) and -2^-54 fused.
#include <auralis/auralis.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if __has_include(<auralis/io/audio_file.hpp>)
#define AURALIS_CONSUMER_HAS_IO 1
#else
#define AURALIS_CONSUMER_HAS_IO 0
#endif

#ifndef AURALIS_CONSUMER_FLAGS
#define AURALIS_CONSUMER_FLAGS "unknown"
#endif

namespace {

// ---------------------------------------------------------------------------------------------
// Outputs: named byte strings. `compared` outputs must be equal between the builds, the canary
// must differ, `info` entries describe the build and are only printed.

enum class Kind : std::uint8_t { f64 = 0, f32 = 1, u64 = 2, text = 3, canary = 4, info = 5 };

struct Entry {
  std::string name;
  Kind kind = Kind::f64;
  std::vector<unsigned char> bytes;
};

class Recorder {
 public:
  void raw(std::string name, Kind kind, const void* data, std::size_t size) {
    Entry e{std::move(name), kind, {}};
    const auto* p = static_cast<const unsigned char*>(data);
    e.bytes.assign(p, p + size);
    entries_.push_back(std::move(e));
  }
  void f64(std::string name, std::span<const double> v) {
    raw(std::move(name), Kind::f64, v.data(), v.size_bytes());
  }
  void f32(std::string name, std::span<const float> v) {
    raw(std::move(name), Kind::f32, v.data(), v.size_bytes());
  }
  void scalar(std::string name, double v) { f64(std::move(name), std::span<const double>(&v, 1)); }
  void u64(std::string name, std::uint64_t v) { raw(std::move(name), Kind::u64, &v, sizeof v); }
  void text(std::string name, std::string_view v, Kind kind = Kind::text) {
    raw(std::move(name), kind, v.data(), v.size());
  }
  // Complex values as their real/imaginary parts.
  void complex(std::string name, const std::complex<double>* p, std::size_t n) {
    f64(std::move(name), std::span<const double>(reinterpret_cast<const double*>(p), 2 * n));
  }
  void complex(std::string name, const std::complex<float>* p, std::size_t n) {
    f32(std::move(name), std::span<const float>(reinterpret_cast<const float*>(p), 2 * n));
  }
  void samples(std::string name, std::span<const double> v) { f64(std::move(name), v); }
  void samples(std::string name, std::span<const float> v) { f32(std::move(name), v); }

  void result(const std::string& name, const auralis::SpectrumResult& r) {
    f64(name + "/spectrum", r.spectrum);
    f64(name + "/frequency_bins", r.frequency_bins);
    scalar(name + "/peak_frequency", r.peak_frequency);
    scalar(name + "/spectral_centroid", r.spectral_centroid);
    scalar(name + "/spectral_rolloff", r.spectral_rolloff);
    scalar(name + "/total_energy", r.total_energy);
    scalar(name + "/analysis_duration", r.analysis_duration);
    u64(name + "/num_chunks_analyzed", r.num_chunks_analyzed);
    u64(name + "/parallel_processing", r.parallel_processing ? 1 : 0);
    if (r.parallel_processing) ++parallel_results_;
  }

  [[nodiscard]] const std::vector<Entry>& entries() const noexcept { return entries_; }
  [[nodiscard]] std::size_t parallel_results() const noexcept { return parallel_results_; }

 private:
  std::vector<Entry> entries_;
  std::size_t parallel_results_ = 0;
};

constexpr char file_magic[] = "auralis-consumer-flags-1\n";

void write_entries(const std::filesystem::path& path, const std::vector<Entry>& entries) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(file_magic, sizeof file_magic - 1);
  for (const Entry& e : entries) {
    const auto name_size = static_cast<std::uint32_t>(e.name.size());
    const auto kind = static_cast<std::uint8_t>(e.kind);
    const auto size = static_cast<std::uint64_t>(e.bytes.size());
    f.write(reinterpret_cast<const char*>(&name_size), sizeof name_size);
    f.write(e.name.data(), static_cast<std::streamsize>(e.name.size()));
    f.write(reinterpret_cast<const char*>(&kind), sizeof kind);
    f.write(reinterpret_cast<const char*>(&size), sizeof size);
    f.write(reinterpret_cast<const char*>(e.bytes.data()), static_cast<std::streamsize>(size));
  }
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

std::vector<Entry> read_entries(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path.string());
  std::string magic(sizeof file_magic - 1, '\0');
  f.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  if (!f || magic != file_magic) throw std::runtime_error(path.string() + ": not an output file");
  std::vector<Entry> entries;
  std::uint32_t name_size = 0;
  while (f.read(reinterpret_cast<char*>(&name_size), sizeof name_size)) {
    Entry e;
    e.name.resize(name_size);
    std::uint8_t kind = 0;
    std::uint64_t size = 0;
    f.read(e.name.data(), name_size);
    f.read(reinterpret_cast<char*>(&kind), sizeof kind);
    f.read(reinterpret_cast<char*>(&size), sizeof size);
    e.kind = static_cast<Kind>(kind);
    e.bytes.resize(size);
    f.read(reinterpret_cast<char*>(e.bytes.data()), static_cast<std::streamsize>(size));
    if (!f) throw std::runtime_error(path.string() + ": truncated");
    entries.push_back(std::move(e));
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Comparison: integer operations on bit patterns only.

template <class Bits>
Bits load_bits(const std::vector<unsigned char>& bytes, std::size_t i) {
  Bits b{};
  std::memcpy(&b, bytes.data() + i * sizeof(Bits), sizeof(Bits));
  return b;
}

// Distance in units in the last place between two IEEE values given by their bit patterns
// (monotone mapping of the patterns onto unsigned integers).
template <class Bits>
Bits ulp_distance(Bits a, Bits b) {
  constexpr Bits sign = Bits{1} << (sizeof(Bits) * 8 - 1);
  auto ordered = [](Bits x) { return (x & sign) != 0 ? sign - (x & ~sign) : sign + x; };
  const Bits oa = ordered(a);
  const Bits ob = ordered(b);
  return oa > ob ? oa - ob : ob - oa;
}

template <class Value, class Bits>
std::string describe_float_difference(const Entry& a, const Entry& b) {
  const std::size_t n = a.bytes.size() / sizeof(Bits);
  std::size_t differing = 0;
  std::size_t first = n;
  Bits max_ulp = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Bits x = load_bits<Bits>(a.bytes, i);
    const Bits y = load_bits<Bits>(b.bytes, i);
    if (x == y) continue;
    if (first == n) first = i;
    ++differing;
    const Bits d = ulp_distance(x, y);
    if (d > max_ulp) max_ulp = d;
  }
  Value va{};
  Value vb{};
  std::memcpy(&va, a.bytes.data() + first * sizeof(Bits), sizeof(Bits));
  std::memcpy(&vb, b.bytes.data() + first * sizeof(Bits), sizeof(Bits));
  char text[256];
  std::snprintf(text, sizeof text, "%zu of %zu values differ, first [%zu] %a vs %a, max %llu ulp",
                differing, n, first, static_cast<double>(va), static_cast<double>(vb),
                static_cast<unsigned long long>(max_ulp));
  return text;
}

std::string describe_difference(const Entry& a, const Entry& b) {
  if (a.bytes.size() != b.bytes.size()) {
    return std::to_string(a.bytes.size()) + " bytes vs " + std::to_string(b.bytes.size());
  }
  if (a.kind == Kind::f64 && a.bytes.size() % 8 == 0) {
    return describe_float_difference<double, std::uint64_t>(a, b);
  }
  if (a.kind == Kind::f32 && a.bytes.size() % 4 == 0) {
    return describe_float_difference<float, std::uint32_t>(a, b);
  }
  return "contents differ";
}

std::string text_of(const Entry& e) { return std::string(e.bytes.begin(), e.bytes.end()); }

std::string canary_text(double v) {
  char text[96];
  std::snprintf(text, sizeof text, "%a (%s)", v, v == 0.0 ? "not fused" : "fused");
  return text;
}

std::string canary_text(const Entry& e) {
  double v = 0.0;
  if (e.bytes.size() == sizeof v) std::memcpy(&v, e.bytes.data(), sizeof v);
  return canary_text(v);
}

// Compares this build's outputs with the reference build's. Returns the exit code.
int compare(const std::vector<Entry>& mine, const std::filesystem::path& reference_path) {
  const std::vector<Entry> ref = read_entries(reference_path);
  if (ref.size() != mine.size()) {
    std::printf("FAIL: %zu outputs here, %zu in %s (not the same program?)\n", mine.size(),
                ref.size(), reference_path.string().c_str());
    return 1;
  }
  std::size_t compared = 0;
  std::size_t bytes = 0;
  std::size_t differing = 0;
  bool canary_differs = true;
  std::map<std::string, std::pair<std::size_t, std::size_t>> groups;  // differing, total
  constexpr std::size_t max_listed = 60;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    const Entry& a = ref[i];
    const Entry& b = mine[i];
    if (a.name != b.name || a.kind != b.kind) {
      std::printf("FAIL: output %zu is '%s' here and '%s' in the reference\n", i, b.name.c_str(),
                  a.name.c_str());
      return 1;
    }
    if (a.kind == Kind::info) {
      std::printf("  %-10s reference: %s\n  %-10s this build: %s\n", a.name.c_str(),
                  text_of(a).c_str(), "", text_of(b).c_str());
      continue;
    }
    if (a.kind == Kind::canary) {
      canary_differs = canary_differs && a.bytes != b.bytes;
      std::printf("  %-10s reference: %s\n  %-10s this build: %s\n", a.name.c_str(),
                  canary_text(a).c_str(), "", canary_text(b).c_str());
      continue;
    }
    ++compared;
    bytes += a.bytes.size();
    auto& group = groups[a.name.substr(0, a.name.find('/'))];
    ++group.second;
    if (a.bytes == b.bytes) continue;
    ++group.first;
    if (differing++ < max_listed) {
      std::printf("  DIFFERS %s: %s (reference vs this build)\n", a.name.c_str(),
                  describe_difference(a, b).c_str());
    }
  }
  if (differing > max_listed) std::printf("  ... and %zu more\n", differing - max_listed);
  std::printf("outputs by class (differing / compared):\n");
  for (const auto& [name, counts] : groups) {
    std::printf("  %-34s %4zu / %4zu%s\n", name.c_str(), counts.first, counts.second,
                counts.first != 0 ? "  <-- differ" : "");
  }
  std::printf("compared %zu outputs, %zu bytes: %zu differ\n", compared, bytes, differing);
  int status = 0;
  if (differing != 0) {
    std::printf(
        "FAIL: %zu outputs depend on the consumer's compiler flags: a computation behind the "
        "public API is compiled in the consumer's translation unit (header code) instead of "
        "once in the library\n",
        differing);
    status = 1;
  }
  if (!canary_differs) {
    std::printf(
        "FAIL: the canary a * b + c computed in this program has the same bits in both builds, "
        "so the '-O3 -march=native -ffp-contract=fast' build did not contract it into a fused "
        "multiply-add. Either this machine's CPU has no FMA instructions (-march=native then "
        "enables none; see the __FMA__ line above and 'grep -w fma /proc/cpuinfo') or the flags "
        "did not reach the compiler. Without a contracting build this test cannot show that the "
        "library's bits are independent of the consumer's flags: run it on an FMA machine "
        "(x86-64 since Haswell / Piledriver, or any AArch64).\n");
    status = 1;
  }
  if (status == 0) {
    std::printf("PASS: every output bit-identical; the canary proves the flags took effect\n");
  }
  return status;
}

// ---------------------------------------------------------------------------------------------
// Inputs: integers below 2^23 in magnitude scaled by 2^-24, exact in float and double and
// computed without any floating-point arithmetic but the exact scaling.

constexpr double sample_scale = 0x1p-24;

// Knuth's MMIX LCG; returns the top `bits` bits as a signed value in [-2^(bits-1), 2^(bits-1)).
class Lcg {
 public:
  explicit Lcg(std::uint64_t seed) : state_(seed) {}
  std::int64_t next(int bits) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int64_t>(state_ >> (64 - bits)) - (std::int64_t{1} << (bits - 1));
  }

 private:
  std::uint64_t state_;
};

// Noise below 2^20, a triangle wave (period `tri_period`) whose amplitude steps through 1..4
// times 2^20 every 4096 samples, and a square wave (period `square_period`) of 2^20: |x| < 2^23.
std::vector<std::int32_t> integer_signal(std::size_t n, std::uint64_t seed, std::int64_t tri_period,
                                         std::int64_t square_period) {
  Lcg lcg(seed);
  std::vector<std::int32_t> x(n);
  const std::int64_t half = tri_period / 2;
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::int64_t>(i);
    const std::int64_t p = k % tri_period;
    const std::int64_t v = p < half ? p : tri_period - p;  // 0..half
    const std::int64_t envelope = 1 + (k / 4096) % 4;
    const std::int64_t tri = (2 * v - half) * ((std::int64_t{1} << 20) / half) * envelope;
    const std::int64_t square = (k % square_period) < square_period / 2 ? (1 << 20) : -(1 << 20);
    x[i] = static_cast<std::int32_t>(lcg.next(21) + tri + square);
  }
  return x;
}

template <class T>
std::vector<T> scaled(const std::vector<std::int32_t>& x) {
  std::vector<T> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    y[i] = static_cast<T>(static_cast<double>(x[i]) * sample_scale);
  }
  return y;
}

struct Inputs {
  std::vector<double> mono_d;
  std::vector<float> mono_f;
  std::vector<double> stereo_d;  // interleaved L R
  std::vector<float> stereo_f;
  std::filesystem::path file;  // stereo_d as a 32-bit float WAV at 48 kHz (when io is available)
};

Inputs make_inputs(const std::filesystem::path& file) {
  Inputs in;
  const std::vector<std::int32_t> mono = integer_signal(40000, 1, 98, 37);
  const std::vector<std::int32_t> left = integer_signal(30000, 2, 180, 23);
  const std::vector<std::int32_t> right = integer_signal(30000, 3, 64, 11);
  std::vector<std::int32_t> stereo(2 * left.size());
  for (std::size_t i = 0; i < left.size(); ++i) {
    stereo[2 * i] = left[i];
    stereo[2 * i + 1] = right[i];
  }
  in.mono_d = scaled<double>(mono);
  in.mono_f = scaled<float>(mono);
  in.stereo_d = scaled<double>(stereo);
  in.stereo_f = scaled<float>(stereo);
  in.file = file;
#if AURALIS_CONSUMER_HAS_IO
  auralis::io::write_audio_file(file, in.stereo_d, 2, 48000.0,
                                auralis::io::AudioFileFormat::wav_float);
#endif
  return in;
}

// ---------------------------------------------------------------------------------------------
// The computations.

// The threading policy everywhere: two workers, parallel from small inputs.
auralis::ParallelConfig parallel_config() {
  auralis::ParallelConfig c;
  c.enable_parallel = true;
  c.max_workers = 2;
  c.chunk_processing_threshold = 1024;
  c.adaptive_workers = true;
  return c;
}

// Analyzer settings covering both conventions, every weighting and window, power-of-two and
// other FFT sizes.
std::vector<std::pair<std::string, auralis::SpectrumSettings>> analyzer_settings() {
  std::vector<std::pair<std::string, auralis::SpectrumSettings>> out;
  auralis::SpectrumSettings a;
  a.fft_size = 1024;
  a.overlap = 0.75;
  a.frequency_bands = 48;
  a.frequency_weighting = auralis::Weighting::A;
  a.window_type = auralis::WindowType::hann;
  a.metric_convention = auralis::MetricConvention::auralis;
  out.emplace_back("auralis-A-hann-1024", a);
  auralis::SpectrumSettings s;
  s.fft_size = 1000;
  s.overlap = 0.5;
  s.frequency_bands = 40;
  s.frequency_weighting = auralis::Weighting::C;
  s.window_type = auralis::WindowType::hamming;
  s.metric_convention = auralis::MetricConvention::standard;
  out.emplace_back("standard-C-hamming-1000", s);
  auralis::SpectrumSettings z;
  z.fft_size = 512;
  z.overlap = 0.5;
  z.frequency_bands = 24;
  z.frequency_weighting = auralis::Weighting::Z;
  z.window_type = auralis::WindowType::blackman;
  z.smoothing_factor = 0.6;
  z.min_frequency = 40.0;
  z.max_frequency = 16000.0;
  z.metric_convention = auralis::MetricConvention::auralis;
  out.emplace_back("auralis-Z-blackman-512", z);
  auralis::SpectrumSettings r;
  r.fft_size = 2048;
  r.overlap = 0.6;
  r.frequency_bands = 64;
  r.frequency_weighting = auralis::Weighting::A;
  r.window_type = auralis::WindowType::rectangular;
  r.metric_convention = auralis::MetricConvention::standard;
  out.emplace_back("standard-A-rectangular-2048", r);
  return out;
}

auralis::ParallelSpectrumSettings parallel_settings(const auralis::SpectrumSettings& s) {
  auralis::ParallelSpectrumSettings p;
  static_cast<auralis::SpectrumSettings&>(p) = s;
  p.enable_parallel = true;
  p.max_workers = 2;
  p.min_chunks_for_parallel = 4;
  return p;
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += n + '\n';
  return s;
}

// Every analyze_file and analyze_chunk form of one analyzer class.
template <class Analyzer, class Settings>
void run_analyzer(Recorder& rec, const std::string& cls, const Settings& settings,
                  const Inputs& in) {
  using auralis::InterleavedAudio;
  const std::string p = cls + "/" + std::string(auralis::to_string(settings.metric_convention)) +
                        "/" + std::to_string(settings.fft_size) + "/";
  const Analyzer a(settings);
  const std::span<const double> md(in.mono_d);
  const std::span<const float> mf(in.mono_f);
  const InterleavedAudio<const double> sd{in.stereo_d, 2};
  const InterleavedAudio<const float> sf{in.stereo_f, 2};
  rec.result(p + "analyze_file(mono double)", a.analyze_file(md));
  rec.result(p + "analyze_file(mono float)", a.analyze_file(mf));
  rec.result(p + "analyze_file(interleaved double)", a.analyze_file(sd));
  rec.result(p + "analyze_file(interleaved float)", a.analyze_file(sf));
  rec.result(p + "analyze_file(mono double, 48000)", a.analyze_file(md, 48000.0));
  rec.result(p + "analyze_file(mono float, 96000)", a.analyze_file(mf, 96000.0));
  rec.result(p + "analyze_file(interleaved double, 32000)", a.analyze_file(sd, 32000.0));
  rec.result(p + "analyze_file(interleaved float, 22050)", a.analyze_file(sf, 22050.0));
  // Shorter than one frame: zero-padded.
  rec.result(p + "analyze_file(short mono double)", a.analyze_file(md.first(300)));
#if AURALIS_CONSUMER_HAS_IO
  rec.result(p + "analyze_file(path)", a.analyze_file(in.file));
#endif
  rec.f64(p + "frequency_bins()", a.frequency_bins());
  rec.text(p + "get_frequency_band_names()", joined(a.get_frequency_band_names()));

  // Streaming: every analyze_chunk form in turn, continuing the smoothing recurrence.
  Analyzer s(settings);
  const std::size_t n = settings.fft_size;
  auralis::SpectrumResult out;  // the real-time form's, reused
  std::size_t chunk = 0;
  auto name = [&](const char* form) {
    return p + "analyze_chunk#" + std::to_string(chunk++) + form;
  };
  for (std::size_t i = 0; i < 3; ++i) {
    rec.result(name("(mono double)"), s.analyze_chunk(md.subspan(i * n, n)));
    s.analyze_chunk(mf.subspan((i + 3) * n, n), out);
    rec.result(name("(mono float, out)"), out);
    rec.result(name("(interleaved double)"), s.analyze_chunk(InterleavedAudio<const double>{
                                                 sd.samples.subspan(2 * i * n, 2 * n), 2}));
    s.analyze_chunk(InterleavedAudio<const float>{sf.samples.subspan(2 * (i + 3) * n, 2 * n), 2},
                    out);
    rec.result(name("(interleaved float, out)"), out);
    s.analyze_chunk(md.subspan((i + 6) * n, n), out);
    rec.result(name("(mono double, out)"), out);
    rec.result(name("(mono float)"), s.analyze_chunk(mf.subspan((i + 9) * n, n)));
    s.analyze_chunk(InterleavedAudio<const double>{sd.samples.subspan(2 * (i + 6) * n, 2 * n), 2},
                    out);
    rec.result(name("(interleaved double, out)"), out);
    rec.result(name("(interleaved float)"), s.analyze_chunk(InterleavedAudio<const float>{
                                                sf.samples.subspan(2 * (i + 9) * n, 2 * n), 2}));
  }
  // A short chunk (zero-padded), then a restart of the recurrence.
  s.analyze_chunk(md.subspan(5, n / 3), out);
  rec.result(name("(short mono double, out)"), out);
  s.reset_smoothing();
  rec.result(name("(mono double, after reset_smoothing)"), s.analyze_chunk(md.subspan(7, n)));
}

template <class Real>
void run_fft_processor(Recorder& rec, const std::string& cls, const Inputs& in) {
  using auralis::WindowType;
  const auralis::ParallelFFTProcessor<Real> fft(parallel_config());
  const std::span<const double> md(in.mono_d);
  const std::span<const float> mf(in.mono_f);
  auto frames = [&](const std::string& name, const auto& spectra) {
    std::vector<typename auralis::ParallelFFTProcessor<Real>::Complex> all;
    for (const auto& s : spectra) all.insert(all.end(), s.data(), s.data() + s.size());
    rec.u64(name + "/frames", spectra.size());
    rec.complex(name + "/bins", all.data(), all.size());
  };
  auto matrix = [&](const std::string& name, const auto& m) {
    rec.u64(name + "/shape",
            static_cast<std::uint64_t>(m.rows()) << 32 | static_cast<std::uint64_t>(m.cols()));
    rec.complex(name + "/values", m.data(), static_cast<std::size_t>(m.size()));
  };
  frames(cls + "/parallel_windowed_fft(double, 1024, 256, hann)",
         fft.parallel_windowed_fft(md, 1024, 256, WindowType::hann));
  frames(cls + "/parallel_windowed_fft(float, 1000, 300, hamming)",
         fft.parallel_windowed_fft(mf, 1000, 300, WindowType::hamming));
  frames(cls + "/parallel_windowed_fft(float, 512, 128, blackman)",
         fft.parallel_windowed_fft(mf, 512, 128, WindowType::blackman));
  frames(cls + "/parallel_windowed_fft(double, 2048, 2048, rectangular)",
         fft.parallel_windowed_fft(md, 2048, 2048, WindowType::rectangular));
  matrix(cls + "/parallel_stft(double, 2048, 512, blackman)",
         fft.parallel_stft(md, 2048, 512, WindowType::blackman));
  matrix(cls + "/parallel_stft(float, 1024, 256, hann)",
         fft.parallel_stft(mf, 1024, 256, WindowType::hann));
  matrix(cls + "/parallel_stft(double, 999, 333, hamming)",
         fft.parallel_stft(md, 999, 333, WindowType::hamming));
  matrix(cls + "/parallel_stft(float, 512, 100, rectangular)",
         fft.parallel_stft(mf, 512, 100, WindowType::rectangular));
  matrix(cls + "/parallel_stft(short double, 1024, 256, hann)",
         fft.parallel_stft(md.first(700), 1024, 256, WindowType::hann));
}

// Simple user filters: shifts, negation, sums and halving of samples that are multiples of
// 2^-24 below 1/2 in magnitude, all exact in double.
std::vector<auralis::BandFilter> user_filters() {
  using Out = std::vector<double>;
  std::vector<auralis::BandFilter> f;
  f.emplace_back([](std::span<const double> x) { return Out(x.begin(), x.end()); });
  f.emplace_back([](std::span<const double> x) {  // delay by 5 samples
    Out y(x.size(), 0.0);
    for (std::size_t n = 5; n < x.size(); ++n) y[n] = x[n - 5];
    return y;
  });
  f.emplace_back([](std::span<const double> x) {  // half
    Out y(x.size());
    for (std::size_t n = 0; n < x.size(); ++n) y[n] = x[n] * 0.5;
    return y;
  });
  f.emplace_back([](std::span<const double> x) {  // first difference (high pass)
    Out y(x.size());
    for (std::size_t n = 0; n < x.size(); ++n) y[n] = x[n] - (n > 0 ? x[n - 1] : 0.0);
    return y;
  });
  f.emplace_back([](std::span<const double> x) {  // two-tap mean (low pass)
    Out y(x.size());
    for (std::size_t n = 0; n < x.size(); ++n) y[n] = (x[n] + (n > 0 ? x[n - 1] : 0.0)) * 0.5;
    return y;
  });
  f.emplace_back([](std::span<const double> x) {  // time reversal, negated
    Out y(x.size());
    for (std::size_t n = 0; n < x.size(); ++n) y[n] = -x[x.size() - 1 - n];
    return y;
  });
  return f;
}

void run_band_processor(Recorder& rec, const Inputs& in) {
  const std::string cls = "ParallelBandProcessor";
  const std::vector<auralis::BandFilter> filters = user_filters();
  const std::vector<double> gains = {0.0, -6.0, 3.5, 1.25, -12.0, 20.0};
  const std::span<const double> md(in.mono_d);
  const auralis::ParallelBandProcessor p(parallel_config());
  rec.f64(cls + "/process_bands_parallel", p.process_bands_parallel(md, filters, gains));
  rec.f64(cls + "/process_bands_parallel(groups)",
          p.process_bands_parallel(md, filters, gains, {{0, 2}, {1}, {3, 4, 5}}));
  auralis::ParallelConfig grouped = parallel_config();
  grouped.band_grouping = true;
  rec.f64(cls + "/process_bands_parallel(band_grouping)",
          auralis::ParallelBandProcessor(grouped).process_bands_parallel(md, filters, gains));
  auralis::ParallelConfig sequential = parallel_config();
  sequential.enable_parallel = false;
  rec.f64(cls + "/process_bands_parallel(sequential)",
          auralis::ParallelBandProcessor(sequential).process_bands_parallel(md, filters, gains));
}

// 25 target gains in dB (EQ target curves and filter-bank gains).
const std::vector<double> curve_a = {3.0,  2.5,  2.0,  1.5,  1.0,  0.5, 0.0, -0.5, -1.0,
                                     -1.5, -2.0, -3.0, -4.0, -2.0, 0.0, 2.0, 4.0,  6.0,
                                     5.0,  4.0,  3.0,  2.0,  1.0,  0.0, -1.0};
const std::vector<double> curve_b = {-6.0, -4.0, -2.0, 0.0, 2.0, 4.0,  6.0,  8.0,  10.0,
                                     12.0, 9.0,  6.0,  3.0, 0.0, -3.0, -6.0, -9.0, -12.0,
                                     -9.0, -6.0, -3.0, 0.0, 3.0, 6.0,  9.0};

auralis::EqSettings eq_settings(std::size_t channels) {
  auralis::EqSettings s;
  s.sample_rate = 44100.0;
  s.fft_size = 2048;
  s.channels = channels;
  s.parallel = parallel_config();
  return s;
}

// Streams `audio` through process_realtime_chunk in blocks of varying size (64..8192 frames),
// switching the target curve halfway; a tail of fewer than 64 frames is left out.
template <class Real>
std::vector<Real> stream(auralis::BasicPsychoacousticEQ<Real>& eq, std::span<const Real> audio,
                         std::size_t channels) {
  static constexpr std::size_t block_frames[] = {64, 1000, 8192, 333, 4096, 1024, 2047, 65};
  std::vector<Real> out(audio.size(), Real(0));
  const std::size_t frames = audio.size() / channels;
  std::size_t done = 0;
  for (std::size_t b = 0;; ++b) {
    const std::size_t want = block_frames[b % std::size(block_frames)];
    const std::size_t take = std::min(want, frames - done);
    if (take < auralis::min_eq_block_size) break;
    const std::vector<double>& curve = done < frames / 2 ? curve_a : curve_b;
    eq.process_realtime_chunk(audio.subspan(done * channels, take * channels), curve,
                              std::span<Real>(out).subspan(done * channels, take * channels));
    done += take;
  }
  return out;
}

template <class Real>
void run_eq(Recorder& rec, const std::string& cls, std::span<const Real> mono,
            std::span<const Real> stereo) {
  const auralis::BasicPsychoacousticEQ<Real> eq(eq_settings(1));
  rec.samples(cls + "/process(mono)", eq.process(mono, curve_a));
  std::vector<Real> out(mono.size());
  eq.process(mono, curve_b, out);
  rec.samples(cls + "/process(mono, out)", out);
  const auralis::GainTrajectory g = eq.gain_trajectory(mono, curve_a);
  rec.u64(cls + "/gain_trajectory/frames", g.frames);
  rec.f64(cls + "/gain_trajectory/gains_db", g.gains_db);
  rec.samples(cls + "/apply_band_gains(mono)", eq.apply_band_gains(mono, curve_b));

  auralis::BasicPsychoacousticEQ<Real> rt(eq_settings(1));
  rec.samples(cls + "/process_realtime_chunk(mono)", stream(rt, mono, 1));
  rt.reset();
  rec.samples(cls + "/process_realtime_chunk(mono, after reset)",
              stream(rt, mono.subspan(1000), 1));

  const auralis::BasicPsychoacousticEQ<Real> eq2(eq_settings(2));
  rec.samples(cls + "/process(stereo)", eq2.process(stereo, curve_b));
  std::vector<Real> out2(stereo.size());
  eq2.process(stereo, curve_a, out2);
  rec.samples(cls + "/process(stereo, out)", out2);
  const auralis::GainTrajectory g2 = eq2.gain_trajectory(stereo, curve_b);
  rec.u64(cls + "/gain_trajectory(stereo)/frames", g2.frames);
  rec.f64(cls + "/gain_trajectory(stereo)/gains_db", g2.gains_db);
  rec.samples(cls + "/apply_band_gains(stereo)", eq2.apply_band_gains(stereo, curve_a));
  auralis::BasicPsychoacousticEQ<Real> rt2(eq_settings(2));
  rec.samples(cls + "/process_realtime_chunk(stereo)", stream(rt2, stereo, 2));
}

void run_filter_bank(Recorder& rec, const Inputs& in) {
  const std::string cls = "eq::CriticalBandFilterBank";
  const std::span<const double> md(in.mono_d);
  const auralis::eq::CriticalBandFilterBank bank(44100.0, 2048, parallel_config());
  rec.f64(cls + "/process(44100, 2048)", bank.process(md, curve_a));
  for (std::size_t i : {std::size_t{0}, std::size_t{7}, std::size_t{24}, std::size_t{25}}) {
    rec.f64(cls + "/filters()[" + std::to_string(i) + "]", bank.filters()[i](md));
  }
  const auralis::eq::CriticalBandFilterBank bank48(48000.0, 1024, parallel_config());
  rec.f64(cls + "/process(48000, 1024)", bank48.process(md.first(30000), curve_b));
  // The bank's filters through a user's ParallelBandProcessor.
  std::vector<double> gains(curve_b);
  gains.push_back(-3.0);
  rec.f64(cls + "/filters() through ParallelBandProcessor",
          auralis::ParallelBandProcessor(parallel_config())
              .process_bands_parallel(md.first(20000), bank.filters(), gains));
}

void run_feature_extractor(Recorder& rec, const Inputs& in) {
  const std::string cls = "ParallelFeatureExtractor";
  const auto settings = analyzer_settings();
  const auralis::SpectrumSettings s0 = settings[0].second;
  const auralis::SpectrumSettings s1 = settings[1].second;
  const auralis::ParallelFeatureExtractor fx(parallel_config());

  using auralis::FeatureExtractor;
  using auralis::SpectrumResult;
  const std::vector<FeatureExtractor<SpectrumResult, double>> analyses = {
      {"SpectrumAnalyzer",
       [&](std::span<const double> x) { return auralis::SpectrumAnalyzer(s0).analyze_file(x); }},
      {"SpectrumAnalyzerF",
       [&](std::span<const double> x) { return auralis::SpectrumAnalyzerF(s1).analyze_file(x); }},
      {"ParallelSpectrumAnalyzer",
       [&](std::span<const double> x) {
         return auralis::ParallelSpectrumAnalyzer(parallel_settings(s1)).analyze_file(x);
       }},
      {"ParallelSpectrumAnalyzerF", [&](std::span<const double> x) {
         return auralis::ParallelSpectrumAnalyzerF(parallel_settings(s0)).analyze_file(x, 48000.0);
       }}};
  for (const auto& [name, r] :
       fx.extract_features_parallel(std::span<const double>(in.mono_d), analyses)) {
    rec.result(cls + "/" + name, r);
  }

  const std::vector<FeatureExtractor<std::vector<double>, double>> processing = {
      {"PsychoacousticEQ::process",
       [&](std::span<const double> x) {
         return auralis::PsychoacousticEQ(eq_settings(1)).process(x, curve_a);
       }},
      {"eq::CriticalBandFilterBank::process",
       [&](std::span<const double> x) {
         return auralis::eq::CriticalBandFilterBank(44100.0, 2048, parallel_config())
             .process(x, curve_b);
       }},
      {"ParallelBandProcessor", [&](std::span<const double> x) {
         return auralis::ParallelBandProcessor(parallel_config())
             .process_bands_parallel(x, user_filters(), std::vector<double>(6, -1.5));
       }}};
  for (const auto& [name, y] :
       fx.extract_features_parallel(std::span<const double>(in.mono_d).first(25000), processing)) {
    rec.f64(cls + "/" + name, y);
  }

  const std::vector<FeatureExtractor<std::vector<float>, float>> processing_f = {
      {"PsychoacousticEQF::process",
       [&](std::span<const float> x) {
         return auralis::PsychoacousticEQF(eq_settings(1)).process(x, curve_b);
       }},
      {"PsychoacousticEQF::apply_band_gains", [&](std::span<const float> x) {
         return auralis::PsychoacousticEQF(eq_settings(1)).apply_band_gains(x, curve_a);
       }}};
  for (const auto& [name, y] :
       fx.extract_features_parallel(std::span<const float>(in.mono_f), processing_f)) {
    rec.f32(cls + "/" + name, y);
  }
}

void run_audio_processor(Recorder& rec, const Inputs& in) {
  const std::string cls = "ParallelAudioProcessor";
  const auto settings = analyzer_settings();
  const auralis::ParallelAudioProcessor ap(parallel_config());
  const std::span<const double> md(in.mono_d);
  const std::vector<std::span<const double>> tracks = {md.first(20000), md.subspan(5000),
                                                       md.subspan(123, 17000), md.first(0)};

  const auto batch = ap.process_batch(tracks, [&](std::span<const double> x) {
    return auralis::ParallelSpectrumAnalyzer(parallel_settings(settings[0].second)).analyze_file(x);
  });
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::string name = cls + "/process_batch(ParallelSpectrumAnalyzer)#" + std::to_string(i);
    rec.u64(name + "/ok", batch[i].ok() ? 1 : 0);  // the empty track fails
    if (batch[i].ok()) rec.result(name, batch[i].value());
  }
  const auto batch_f = ap.process_batch(tracks, [&](std::span<const double> x) {
    return auralis::SpectrumAnalyzerF(settings[1].second).analyze_file(x, 48000.0);
  });
  for (std::size_t i = 0; i < batch_f.size(); ++i) {
    const std::string name = cls + "/process_batch(SpectrumAnalyzerF)#" + std::to_string(i);
    rec.u64(name + "/ok", batch_f[i].ok() ? 1 : 0);
    if (batch_f[i].ok()) rec.result(name, batch_f[i].value());
  }

  const std::vector<std::span<const double>> valid(tracks.begin(), tracks.end() - 1);
  const auto eq_outputs = ap.parallel_map(valid, [&](std::span<const double> x) {
    return auralis::PsychoacousticEQ(eq_settings(1)).process(x, curve_a);
  });
  for (std::size_t i = 0; i < eq_outputs.size(); ++i) {
    rec.f64(cls + "/parallel_map(PsychoacousticEQ::process)#" + std::to_string(i), eq_outputs[i]);
  }
  const auto analyses = ap.parallel_map(valid, [&](std::span<const double> x) {
    return auralis::SpectrumAnalyzer(settings[2].second).analyze_file(x);
  });
  for (std::size_t i = 0; i < analyses.size(); ++i) {
    rec.result(cls + "/parallel_map(SpectrumAnalyzer)#" + std::to_string(i), analyses[i]);
  }
  // The process-wide processor.
  const auto free_map = auralis::parallel_map(valid, [&](std::span<const double> x) {
    return auralis::ParallelSpectrumAnalyzerF(parallel_settings(settings[3].second))
        .analyze_file(x);
  });
  for (std::size_t i = 0; i < free_map.size(); ++i) {
    rec.result("auralis::parallel_map/ParallelSpectrumAnalyzerF#" + std::to_string(i), free_map[i]);
  }
}

// The consumer's own contraction-sensitive computation (see the file comment).
double canary() {
  volatile double a = 1.0 + 0x1p-27;
  volatile double b = 1.0 - 0x1p-27;
  volatile double c = -1.0;
  const double x = a;
  const double y = b;
  const double z = c;
  return x * y + z;
}

// ---------------------------------------------------------------------------------------------
// Dynamics and loudness.

// Streams `audio` through process_realtime_chunk in blocks of varying size (1..8192 frames),
// then latency() frames of silence: the whole offline output, delayed.
template <class Processor, class Real>
std::vector<Real> stream_dynamics(Processor& p, std::span<const Real> audio, std::size_t channels) {
  static constexpr std::size_t block_frames[] = {1, 1000, 8192, 333, 4096, 64, 2047, 7};
  std::vector<Real> padded(audio.begin(), audio.end());
  padded.resize(audio.size() + p.latency() * channels, Real(0));
  std::vector<Real> out(padded.size());
  const std::size_t frames = padded.size() / channels;
  for (std::size_t done = 0, b = 0; done < frames; ++b) {
    const std::size_t take = std::min(block_frames[b % std::size(block_frames)], frames - done);
    p.process_realtime_chunk(
        std::span<const Real>(padded).subspan(done * channels, take * channels),
        std::span<Real>(out).subspan(done * channels, take * channels));
    done += take;
  }
  return out;
}

template <class Processor, class Real>
void run_processor(Recorder& rec, const std::string& name, Processor& p,
                   std::span<const Real> audio, std::size_t channels) {
  std::vector<Real> out(audio.size());
  p.process(audio, std::span<Real>(out));
  rec.samples(name + "/process", out);
  rec.samples(name + "/process_realtime_chunk", stream_dynamics(p, audio, channels));
}

template <class Real>
void run_dynamics(Recorder& rec, const std::string& suffix, std::span<const Real> mono,
                  std::span<const Real> stereo) {
  namespace dyn = auralis::dynamics;
  // Twice the inputs (exact): peaks near -2 dBFS, so every processor acts.
  std::vector<Real> loud(stereo.begin(), stereo.end());
  for (Real& x : loud) x *= Real(2);
  const std::span<const Real> st(loud);
  for (const dyn::Detector d : {dyn::Detector::peak, dyn::Detector::rms}) {
    dyn::EnvelopeFollowerSettings e;
    e.sample_rate = 44100.0;
    e.channels = 1;
    e.detector = d;
    dyn::BasicEnvelopeFollower<Real> follower(e);
    run_processor(rec, "EnvelopeFollower" + suffix + "/" + std::string(to_string(d)), follower,
                  mono, 1);
    for (const bool link : {true, false}) {
      dyn::CompressorSettings c;
      c.sample_rate = 44100.0;
      c.channels = 2;
      c.detector = d;
      c.stereo_link = link;
      c.makeup_db = 3.0;
      dyn::BasicCompressor<Real> comp(c);
      run_processor(rec,
                    "Compressor" + suffix + "/" + std::string(to_string(d)) +
                        (link ? "/linked" : "/unlinked"),
                    comp, st, 2);
      rec.scalar("Compressor" + suffix + "/gain_reduction_db", comp.gain_reduction_db(0));
    }
  }
  for (const bool tp : {false, true}) {
    dyn::LimiterSettings l;
    l.sample_rate = 48000.0;
    l.channels = 2;
    l.ceiling_db = -6.0;
    l.true_peak = tp;
    dyn::BasicBrickWallLimiter<Real> lim(l);
    run_processor(rec, "BrickWallLimiter" + suffix + (tp ? "/true_peak" : "/sample_peak"), lim, st,
                  2);
    rec.scalar("BrickWallLimiter" + suffix + "/max_gain_reduction_db", lim.max_gain_reduction_db());
  }
  for (const dyn::SoftClipCurve curve :
       {dyn::SoftClipCurve::tanh, dyn::SoftClipCurve::unity_knee}) {
    dyn::SoftClipperSettings sc;
    sc.channels = 2;
    sc.curve = curve;
    dyn::BasicSoftClipper<Real> clip(sc);
    run_processor(rec, "SoftClipper" + suffix + "/" + std::string(to_string(curve)), clip, st, 2);
  }
  dyn::CompressorSettings c;
  for (int i = -60; i <= 6; ++i) {
    rec.scalar("static_gain_db(" + std::to_string(i) + ")", dyn::static_gain_db(c, i));
  }
}

void record_loudness(Recorder& rec, const std::string& name, const auralis::LoudnessStats& s) {
  const double v[] = {s.integrated_lufs,     s.loudness_range_lu, s.max_momentary_lufs,
                      s.max_short_term_lufs, s.sample_peak_dbfs,  s.true_peak_dbtp};
  rec.f64(name, v);
}

template <class Real>
void run_loudness(Recorder& rec, const std::string& suffix, std::span<const Real> mono,
                  std::span<const Real> stereo) {
  record_loudness(
      rec, "measure_loudness" + suffix + "(mono)",
      auralis::measure_loudness(auralis::InterleavedAudio<const Real>{mono, 1}, 8000.0));
  record_loudness(
      rec, "measure_loudness" + suffix + "(stereo)",
      auralis::measure_loudness(auralis::InterleavedAudio<const Real>{stereo, 2}, 8000.0));
  auralis::LoudnessMeter meter(8000.0, 2);
  for (std::size_t pos = 0; pos < stereo.size(); pos += 2 * 777) {
    meter.add(stereo.subspan(pos, std::min<std::size_t>(2 * 777, stereo.size() - pos)));
  }
  record_loudness(rec, "LoudnessMeter" + suffix + "(stereo)", meter.stats());
}

int run(const std::filesystem::path& out_path, const char* reference) {
  Recorder rec;
#ifdef __FMA__
  const char* fma = "defined";
#else
  const char* fma = "not defined";
#endif
#ifdef __VERSION__
  const char* compiler = __VERSION__;
#else
  const char* compiler = "unknown";
#endif
  rec.text("flags", AURALIS_CONSUMER_FLAGS, Kind::info);
  rec.text("compiler", compiler, Kind::info);
  rec.text("__FMA__", fma, Kind::info);
  const double canary_value = canary();
  rec.raw("canary", Kind::canary, &canary_value, sizeof canary_value);

  std::filesystem::path wav = out_path;
  wav += ".wav";
  const Inputs in = make_inputs(wav);
  rec.samples("inputs/mono double", in.mono_d);
  rec.samples("inputs/mono float", in.mono_f);
  rec.samples("inputs/stereo double", in.stereo_d);
  rec.samples("inputs/stereo float", in.stereo_f);

  for (const auto& [label, s] : analyzer_settings()) {
    run_analyzer<auralis::SpectrumAnalyzer>(rec, "SpectrumAnalyzer", s, in);
    run_analyzer<auralis::SpectrumAnalyzerF>(rec, "SpectrumAnalyzerF", s, in);
    run_analyzer<auralis::ParallelSpectrumAnalyzer>(rec, "ParallelSpectrumAnalyzer",
                                                    parallel_settings(s), in);
    run_analyzer<auralis::ParallelSpectrumAnalyzerF>(rec, "ParallelSpectrumAnalyzerF",
                                                     parallel_settings(s), in);
  }
  run_fft_processor<double>(rec, "ParallelFFTProcessor<double>", in);
  run_fft_processor<float>(rec, "ParallelFFTProcessor<float>", in);
  run_band_processor(rec, in);
  run_feature_extractor(rec, in);
  run_audio_processor(rec, in);
  run_eq<double>(rec, "PsychoacousticEQ", in.mono_d, in.stereo_d);
  run_eq<float>(rec, "PsychoacousticEQF", in.mono_f, in.stereo_f);
  run_filter_bank(rec, in);
  run_dynamics<double>(rec, "", in.mono_d, in.stereo_d);
  run_dynamics<float>(rec, "F", in.mono_f, in.stereo_f);
  run_loudness<double>(rec, "", in.mono_d, in.stereo_d);
  run_loudness<float>(rec, "F", in.mono_f, in.stereo_f);

  write_entries(out_path, rec.entries());
  std::size_t bytes = 0;
  for (const Entry& e : rec.entries()) bytes += e.bytes.size();
  std::printf("consumer_flags [%s] %s, __FMA__ %s\n", AURALIS_CONSUMER_FLAGS, compiler, fma);
  std::printf("auralis %s: %zu outputs, %zu bytes written to %s (%zu analyses ran in parallel)\n",
              auralis::version_string, rec.entries().size(), bytes, out_path.string().c_str(),
              rec.parallel_results());
  std::printf("canary a * b + c = %s\n", canary_text(canary_value).c_str());
  if (reference == nullptr) return 0;
  std::printf("comparing with %s (reference):\n", reference);
  return compare(rec.entries(), reference);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: consumer_flags OUT [REFERENCE]\n");
    return 2;
  }
  try {
    return run(argv[1], argc == 3 ? argv[2] : nullptr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer_flags: %s\n", e.what());
    return 1;
  }
}
