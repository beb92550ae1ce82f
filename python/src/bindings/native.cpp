// SPDX-License-Identifier: GPL-3.0-or-later
// auralis_native._native: the nanobind extension under the Python package. It binds the public
// C++ API only (include/auralis/); the Python modules around it (analysis/, optimization/,
// dsp/eq/, io.py) give it the reference's module paths, dataclasses and result dictionaries.
//
// Rules followed by every function here:
// - numpy arrays arrive C-contiguous float32/float64 (the Python layer converts anything else
//   once) and are read in place: no copy;
// - every call into the library runs with the GIL released; Python objects are created or
//   destroyed only with the GIL held;
// - long calls (files) re-acquire the GIL between blocks of about 64k sample frames and call
//   PyErr_CheckSignals, so Ctrl-C becomes KeyboardInterrupt;
// - auralis errors become the exception classes of auralis_native.errors (ValueError subclasses
//   for invalid settings and audio, OSError for files), with `field` (and `kind`) attributes.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auralis/auralis.hpp"

namespace nb = nanobind;
using namespace nb::literals;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// Errors

/// Raises `cls(message, field, **extra)` from auralis_native.errors.
void raise_error(const char* cls, const char* message, const std::string& field,
                 nb::dict extra = {}) {
  nb::object errors = nb::module_::import_("auralis_native.errors");
  nb::object type = errors.attr(cls);
  nb::object value = type(message, field, **extra);
  PyErr_SetObject(type.ptr(), value.ptr());
}

void translate(const std::exception_ptr& p, void*) {
  try {
    std::rethrow_exception(p);
  } catch (const auralis::io::AudioFileError& e) {
    nb::dict extra;
    extra["kind"] = std::string(auralis::io::to_string(e.kind()));
    raise_error("AudioFileError", e.what(), e.field(), extra);
  } catch (const auralis::BandProcessingError& e) {
    nb::dict extra;
    extra["band"] = e.band();
    raise_error("BandProcessingError", e.what(), e.field(), extra);
  } catch (const auralis::FeatureExtractionError& e) {
    nb::dict extra;
    extra["feature"] = e.feature();
    raise_error("FeatureExtractionError", e.what(), e.field(), extra);
  } catch (const auralis::FftError& e) {
    raise_error("FftError", e.what(), e.field());
  } catch (const auralis::InvalidSettings& e) {
    raise_error("InvalidSettings", e.what(), e.field());
  } catch (const auralis::InvalidAudio& e) {
    raise_error("InvalidAudio", e.what(), e.field());
  } catch (const auralis::InvalidArgument& e) {
    raise_error("InvalidArgument", e.what(), e.field());
  } catch (const auralis::RuntimeError& e) {
    raise_error("AuralisRuntimeError", e.what(), e.field());
  }
  // Anything else (std::bad_alloc, ...) falls through to nanobind's default translators.
}

[[noreturn]] void throw_settings(const std::string& field, const std::string& message) {
  throw auralis::InvalidSettings(field, message);
}

/// Re-acquires the GIL and turns a pending signal (Ctrl-C) into a Python exception.
void check_signals() {
  nb::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw nb::python_error();
}

// ---------------------------------------------------------------------------------------------
// Settings: strings and signed integers from Python, checked here so that every bad value is an
// InvalidSettings naming its field (a negative size is a ValueError, not an OverflowError).

std::size_t count(std::int64_t v, const char* field) {
  if (v < 0) throw_settings(field, "must be >= 0, got " + std::to_string(v));
  return static_cast<std::size_t>(v);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

auralis::WindowType window_of(std::string_view name) {
  const std::string w = lower(name);
  if (w == "hann" || w == "hanning") return auralis::WindowType::hann;
  if (w == "hamming") return auralis::WindowType::hamming;
  if (w == "blackman") return auralis::WindowType::blackman;
  if (w == "rectangular" || w == "boxcar" || w == "rect") return auralis::WindowType::rectangular;
  throw_settings("window_type", "unknown window '" + std::string(name) +
                                    "'; expected hann, hamming, blackman or rectangular");
}

auralis::Weighting weighting_of(std::string_view name) {
  const std::string w = lower(name);
  if (w == "a") return auralis::Weighting::A;
  if (w == "c") return auralis::Weighting::C;
  if (w == "z") return auralis::Weighting::Z;
  throw_settings("frequency_weighting",
                 "unknown weighting '" + std::string(name) + "'; expected 'A', 'C' or 'Z'");
}

auralis::MetricConvention convention_of(std::string_view name) {
  const std::string c = lower(name);
  if (c == "auralis") return auralis::MetricConvention::auralis;
  if (c == "standard") return auralis::MetricConvention::standard;
  throw_settings("metric_convention", "unknown convention '" + std::string(name) +
                                          "'; expected 'auralis' or 'standard'");
}

bool float32_of(std::string_view name) {
  const std::string d = lower(name);
  if (d == "float64" || d == "double") return false;
  if (d == "float32" || d == "float" || d == "single") return true;
  throw_settings("compute_dtype",
                 "unknown dtype '" + std::string(name) + "'; expected 'float64' or 'float32'");
}

/// The spectrum settings from the dataclass fields (any object with those attributes).
auralis::ParallelSpectrumSettings spectrum_settings(nb::handle s, bool parallel) {
  auralis::ParallelSpectrumSettings out;
  out.fft_size = count(nb::cast<std::int64_t>(s.attr("fft_size")), "fft_size");
  out.window_type = window_of(nb::cast<std::string>(s.attr("window_type")));
  out.overlap = nb::cast<double>(s.attr("overlap"));
  out.sample_rate = nb::cast<double>(s.attr("sample_rate"));
  out.frequency_bands = count(nb::cast<std::int64_t>(s.attr("frequency_bands")), "frequency_bands");
  out.frequency_weighting = weighting_of(nb::cast<std::string>(s.attr("frequency_weighting")));
  out.smoothing_factor = nb::cast<double>(s.attr("smoothing_factor"));
  out.min_frequency = nb::cast<double>(s.attr("min_frequency"));
  out.max_frequency = nb::cast<double>(s.attr("max_frequency"));
  out.metric_convention = convention_of(nb::cast<std::string>(s.attr("metric_convention")));
  if (parallel) {
    out.enable_parallel = nb::cast<bool>(s.attr("enable_parallel"));
    out.max_workers = count(nb::cast<std::int64_t>(s.attr("max_workers")), "max_workers");
    out.min_chunks_for_parallel =
        count(nb::cast<std::int64_t>(s.attr("min_chunks_for_parallel")), "min_chunks_for_parallel");
  }
  return out;
}

/// ParallelConfig from the dataclass (use_multiprocessing and shared_memory_threshold_mb have
/// no native meaning: native threads need no process pool).
auralis::ParallelConfig parallel_config(nb::handle c) {
  auralis::ParallelConfig out;
  if (c.is_none()) return out;
  out.enable_parallel = nb::cast<bool>(c.attr("enable_parallel"));
  out.max_workers = count(nb::cast<std::int64_t>(c.attr("max_workers")), "max_workers");
  out.chunk_processing_threshold = count(
      nb::cast<std::int64_t>(c.attr("chunk_processing_threshold")), "chunk_processing_threshold");
  out.band_grouping = nb::cast<bool>(c.attr("band_grouping"));
  out.adaptive_workers = nb::cast<bool>(c.attr("adaptive_workers"));
  auralis::validate(out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Arrays

/// Any C-contiguous CPU array, read-only; dtype and shape are checked by `Audio`.
using InArray = nb::ndarray<nb::ro, nb::c_contig, nb::device::cpu>;

/// A validated view of a float32/float64 array of shape (frames,) or (frames, channels).
struct Audio {
  const void* data = nullptr;
  bool is_float = false;
  std::size_t frames = 0;
  std::size_t channels = 1;

  [[nodiscard]] std::size_t size() const noexcept { return frames * channels; }
  [[nodiscard]] std::span<const double> f64() const {
    return {static_cast<const double*>(data), size()};
  }
  [[nodiscard]] std::span<const float> f32() const {
    return {static_cast<const float*>(data), size()};
  }
};

Audio audio_of(const InArray& a, const char* field) {
  Audio out;
  if (a.dtype() == nb::dtype<double>()) {
    out.is_float = false;
  } else if (a.dtype() == nb::dtype<float>()) {
    out.is_float = true;
  } else {
    throw auralis::InvalidAudio(field, "must hold float32 or float64 samples");
  }
  if (a.ndim() == 1) {
    out.frames = a.shape(0);
  } else if (a.ndim() == 2) {
    out.frames = a.shape(0);
    out.channels = a.shape(1);
    if (out.channels == 0) throw auralis::InvalidAudio(field, "has 0 channels (shape (n, 0))");
  } else {
    throw auralis::InvalidAudio(field, "must have shape (frames,) or (frames, channels), got " +
                                           std::to_string(a.ndim()) + " dimensions");
  }
  out.data = a.data();
  return out;
}

/// A new numpy array owning `v`'s storage (moved, not copied).
template <class T>
nb::ndarray<nb::numpy, T> to_numpy(std::vector<T>&& v, std::initializer_list<std::size_t> shape) {
  auto* owned = new std::vector<T>(std::move(v));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T>(owned->data(), shape, owner);
}

/// A new, uninitialised numpy array of `shape` and its data pointer.
template <class T>
std::pair<nb::ndarray<nb::numpy, T>, T*> new_numpy(std::size_t ndim, const std::size_t* shape) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < ndim; ++i) n *= shape[i];
  T* data = new T[std::max<std::size_t>(n, 1)];
  nb::capsule owner(data, [](void* p) noexcept { delete[] static_cast<T*>(p); });
  return {nb::ndarray<nb::numpy, T>(data, ndim, shape, owner), data};
}

nb::list float_list(std::span<const double> v) {
  nb::list out;
  for (double x : v) out.append(nb::float_(x));
  return out;
}

/// Every field of a SpectrumResult (the Python layer picks the reference's keys per method).
nb::dict result_dict(const auralis::SpectrumResult& r) {
  nb::dict d;
  d["spectrum"] = float_list(r.spectrum);
  d["frequency_bins"] = float_list(r.frequency_bins);
  d["peak_frequency"] = r.peak_frequency;
  d["spectral_centroid"] = r.spectral_centroid;
  d["spectral_rolloff"] = r.spectral_rolloff;
  d["total_energy"] = r.total_energy;
  d["num_chunks_analyzed"] = r.num_chunks_analyzed;
  d["analysis_duration"] = r.analysis_duration;
  d["parallel_processing"] = r.parallel_processing;
  return d;
}

// ---------------------------------------------------------------------------------------------
// Streaming a file through analyze_chunk, block by block, so the GIL can be taken between
// blocks. The sums below are MetricsAccumulator's, in frame order, so the result has the same
// bits as the analyzers' analyze_file(path) (analyze_chunk runs the same per-frame sequence).

struct FileResult {
  auralis::SpectrumResult result;
  auralis::io::AudioFileInfo info;
};

constexpr std::size_t block_frames = 65536;

/// Reads `frames` sample frames (or up to the end) into `out`, checking each sample; returns
/// how many were read.
std::size_t read_checked(auralis::io::AudioFileReader& reader, double* out, std::size_t frames,
                         std::size_t channels, const std::string& where) {
  std::size_t got = 0;
  while (got < frames) {
    const std::size_t n =
        reader.read(std::span<double>(out + got * channels, (frames - got) * channels));
    if (n == 0) break;
    const std::size_t first_frame = reader.frames_read() - n;
    // Branch-free scan (vectorised); the slow search for the index runs only on failure.
    const double* block = out + got * channels;
    bool finite = true;
    for (std::size_t i = 0; i < n * channels; ++i) {
      finite &= std::fabs(block[i]) <= std::numeric_limits<double>::max();
    }
    if (!finite) {
      for (std::size_t i = 0; i < n * channels; ++i) {
        const double x = block[i];
        if (std::isfinite(x)) continue;
        const std::size_t index = (first_frame * channels) + i;
        throw auralis::InvalidAudio(where, "sample " + std::to_string(index) + " (frame " +
                                               std::to_string(index / channels) + ", channel " +
                                               std::to_string(index % channels) + ") is " +
                                               (std::isnan(x) ? "NaN" : "infinite"));
      }
    }
    got += n;
  }
  return got;
}

template <class Real>
FileResult stream_file(const auralis::SpectrumSettings& base, const fs::path& path) {
  const std::string where = path.string();
  std::optional<auralis::io::AudioFileReader> reader;
  std::optional<auralis::BasicSpectrumAnalyzer<Real>> analyzer;
  FileResult out;
  std::size_t hop = 0;
  {
    nb::gil_scoped_release release;
    reader.emplace(path);
    out.info = reader->info();
    auralis::SpectrumSettings s = base;
    s.sample_rate = out.info.sample_rate;
    analyzer.emplace(s);  // InvalidSettings when min_frequency lies above the file's Nyquist
    hop = auralis::hop_size(s);
  }
  const std::size_t n = base.fft_size;
  const std::size_t channels = out.info.channels;
  const std::size_t total = out.info.frames;
  const std::size_t frames = total < n ? 1 : (total - n) / hop + 1;
  const std::size_t group = std::max<std::size_t>(1, block_frames / hop);
  std::vector<double> buffer(((std::min(group, frames) - 1) * hop + n) * channels);
  std::vector<double> sums(base.frequency_bands, 0.0);
  double peak = 0.0, centroid = 0.0, rolloff = 0.0, energy = 0.0;
  auralis::SpectrumResult frame;
  std::size_t have = 0;  // sample frames in `buffer`, starting at sample frame first * hop
  for (std::size_t first = 0; first < frames;) {
    {
      nb::gil_scoped_release release;
      const std::size_t count = std::min(group, frames - first);
      const std::size_t start = first * hop;
      const std::size_t want = std::min((count - 1) * hop + n, total - start);
      if (have < want) {
        have +=
            read_checked(*reader, buffer.data() + have * channels, want - have, channels, where);
        if (have < want) {
          throw auralis::io::AudioFileError(path, auralis::io::AudioFileErrorKind::truncated,
                                            "the audio data ends before its declared length");
        }
      }
      for (std::size_t i = 0; i < count; ++i) {
        const std::size_t offset = i * hop;
        const std::size_t len = std::min(n, have - offset);
        try {
          analyzer->analyze_chunk(
              auralis::InterleavedAudio<const double>{
                  std::span<const double>(buffer.data() + offset * channels, len * channels),
                  channels},
              frame);
        } catch (const auralis::InvalidAudio& e) {
          throw auralis::InvalidAudio(where, e.what());
        }
        for (std::size_t b = 0; b < sums.size(); ++b) sums[b] += frame.spectrum[b];
        peak += frame.peak_frequency;
        centroid += frame.spectral_centroid;
        rolloff += frame.spectral_rolloff;
        energy += frame.total_energy;
      }
      // Keep the samples the next group's frames share with this one.
      const std::size_t used = std::min(count * hop, have);
      std::memmove(buffer.data(), buffer.data() + used * channels,
                   (have - used) * channels * sizeof(double));
      have -= used;
      first += count;
    }
    check_signals();
  }
  {
    // Samples no frame reaches are still read and checked, as analyze_file(path) does.
    nb::gil_scoped_release release;
    std::vector<double> rest(std::min<std::size_t>(4096, std::max<std::size_t>(total, 1)) *
                             channels);
    while (reader->frames_read() < total) {
      const std::size_t want = std::min(rest.size() / channels, total - reader->frames_read());
      if (read_checked(*reader, rest.data(), want, channels, where) < want) {
        throw auralis::io::AudioFileError(path, auralis::io::AudioFileErrorKind::truncated,
                                          "the audio data ends before its declared length");
      }
    }
  }
  const double count_d = static_cast<double>(frames);
  auralis::SpectrumResult& r = out.result;
  r.spectrum.resize(sums.size());
  for (std::size_t b = 0; b < sums.size(); ++b) r.spectrum[b] = sums[b] / count_d;
  r.peak_frequency = peak / count_d;
  r.spectral_centroid = centroid / count_d;
  r.spectral_rolloff = rolloff / count_d;
  r.total_energy = energy / count_d;
  r.num_chunks_analyzed = frames;
  const auto bins = analyzer->frequency_bins();
  r.frequency_bins.assign(bins.begin(), bins.end());
  r.analysis_duration = static_cast<double>(total) / out.info.sample_rate;
  r.parallel_processing = false;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Analyzers: one Python class over the four C++ analyzers (sequential/parallel x float/double).

struct AnalyzerBase {
  virtual ~AnalyzerBase() = default;
  [[nodiscard]] virtual auralis::SpectrumResult file(const Audio& a,
                                                     std::optional<double> rate) const = 0;
  virtual void chunk(const Audio& a, auralis::SpectrumResult& out) = 0;
  virtual void reset() noexcept = 0;
  [[nodiscard]] virtual std::vector<std::string> names() const = 0;
  [[nodiscard]] virtual std::vector<double> bins() const = 0;
  [[nodiscard]] virtual std::size_t workers_for(std::size_t frames) const = 0;
  [[nodiscard]] virtual FileResult stream(const fs::path& path) const = 0;
};

template <class A>
struct AnalyzerImpl final : AnalyzerBase {
  using Real = typename A::compute_type;
  template <class S>
  explicit AnalyzerImpl(const S& s) : analyzer(s), settings(s) {}

  auralis::SpectrumResult file(const Audio& a, std::optional<double> rate) const override {
    if (a.channels == 1) {
      return a.is_float ? analyzer.analyze_file(a.f32(), rate)
                        : analyzer.analyze_file(a.f64(), rate);
    }
    return a.is_float ? analyzer.analyze_file(
                            auralis::InterleavedAudio<const float>{a.f32(), a.channels}, rate)
                      : analyzer.analyze_file(
                            auralis::InterleavedAudio<const double>{a.f64(), a.channels}, rate);
  }
  void chunk(const Audio& a, auralis::SpectrumResult& out) override {
    if (a.channels == 1) {
      a.is_float ? analyzer.analyze_chunk(a.f32(), out) : analyzer.analyze_chunk(a.f64(), out);
    } else if (a.is_float) {
      analyzer.analyze_chunk(auralis::InterleavedAudio<const float>{a.f32(), a.channels}, out);
    } else {
      analyzer.analyze_chunk(auralis::InterleavedAudio<const double>{a.f64(), a.channels}, out);
    }
  }
  void reset() noexcept override { analyzer.reset_smoothing(); }
  std::vector<std::string> names() const override { return analyzer.get_frequency_band_names(); }
  std::vector<double> bins() const override {
    const auto b = analyzer.frequency_bins();
    return {b.begin(), b.end()};
  }
  std::size_t workers_for(std::size_t frames) const override {
    if constexpr (requires { analyzer.workers_for(frames); }) {
      return analyzer.workers_for(frames);
    } else {
      return 1;
    }
  }
  FileResult stream(const fs::path& path) const override {
    return stream_file<Real>(settings, path);
  }

  A analyzer;
  auralis::SpectrumSettings settings;
};

/// The native analyzer behind SpectrumAnalyzer and ParallelSpectrumAnalyzer.
class NativeAnalyzer {
 public:
  NativeAnalyzer(nb::handle settings, bool parallel) {
    const auralis::ParallelSpectrumSettings s = spectrum_settings(settings, parallel);
    const bool f32 = float32_of(nb::cast<std::string>(settings.attr("compute_dtype")));
    nb::gil_scoped_release release;
    if (parallel) {
      if (f32) {
        impl_ = std::make_unique<AnalyzerImpl<auralis::ParallelSpectrumAnalyzerF>>(s);
      } else {
        impl_ = std::make_unique<AnalyzerImpl<auralis::ParallelSpectrumAnalyzer>>(s);
      }
    } else {
      const auralis::SpectrumSettings& base = s;
      if (f32) {
        impl_ = std::make_unique<AnalyzerImpl<auralis::SpectrumAnalyzerF>>(base);
      } else {
        impl_ = std::make_unique<AnalyzerImpl<auralis::SpectrumAnalyzer>>(base);
      }
    }
  }

  nb::dict analyze_file(const InArray& samples, std::optional<double> sample_rate) const {
    const Audio a = audio_of(samples, "samples");
    auralis::SpectrumResult r;
    {
      nb::gil_scoped_release release;
      r = impl_->file(a, sample_rate);
    }
    return result_dict(r);
  }

  /// analyze_chunk carries the smoothing state: calls on one analyzer are serialised by a
  /// mutex (taken with the GIL released, so two Python threads cannot deadlock on it).
  nb::dict analyze_chunk(const InArray& chunk) {
    const Audio a = audio_of(chunk, "chunk");
    auralis::SpectrumResult r;
    {
      nb::gil_scoped_release release;
      const std::lock_guard lock(chunk_mutex_);
      impl_->chunk(a, r);
    }
    return result_dict(r);
  }

  void reset_smoothing() {
    nb::gil_scoped_release release;
    const std::lock_guard lock(chunk_mutex_);
    impl_->reset();
  }

  nb::dict analyze_path(const std::string& path) const {
    const fs::path p(path);
    const FileResult f = impl_->stream(p);
    nb::dict d = result_dict(f.result);
    nb::dict file;
    file["format"] = f.info.format;
    file["channels"] = f.info.channels;
    file["sample_rate"] = f.info.sample_rate;
    file["frames"] = f.info.frames;
    file["duration"] = f.info.duration();
    d["file"] = file;
    return d;
  }

  std::vector<std::string> band_names() const { return impl_->names(); }
  std::vector<double> frequency_bins() const { return impl_->bins(); }
  std::size_t workers_for(std::size_t frames) const { return impl_->workers_for(frames); }

 private:
  std::unique_ptr<AnalyzerBase> impl_;
  std::mutex chunk_mutex_;
};

// ---------------------------------------------------------------------------------------------
// Threads

std::optional<tbb::global_control>& thread_limit() {
  static std::optional<tbb::global_control> limit;  // kept alive until changed
  return limit;
}

void set_max_threads(std::int64_t n) {
  if (n < 0) throw_settings("max_threads", "must be >= 0 (0 = no limit), got " + std::to_string(n));
  // With the GIL held: it serialises concurrent set_max_threads calls on the static.
  thread_limit().reset();
  if (n > 0) {
    thread_limit().emplace(tbb::global_control::max_allowed_parallelism,
                           static_cast<std::size_t>(n));
  }
}

// ---------------------------------------------------------------------------------------------
// Python callables run from oneTBB workers: each call takes the GIL, the first Python exception
// (in input order) is kept and re-raised as it was.

struct PyCallError {
  nb::object exception;  // written and destroyed with the GIL held
};

/// Calls `fn(arg)` with the GIL; on a Python exception stores it in `slot` and throws a C++
/// error carrying its message.
nb::object call_python(nb::handle fn, nb::handle arg, PyCallError& slot) {
  try {
    return fn(arg);
  } catch (nb::python_error& e) {
    const std::string message = e.what();
    slot.exception = nb::borrow(e.value());
    throw std::runtime_error(message);
  }
}

/// Re-raises the first stored Python exception, if any (GIL held).
void reraise_first(std::vector<PyCallError>& errors) {
  for (PyCallError& e : errors) {
    if (e.exception.is_valid()) {
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(e.exception.ptr())), e.exception.ptr());
      throw nb::python_error();
    }
  }
}

nb::ndarray<nb::numpy, double> process_bands(
    nb::handle config, const InArray& audio, const nb::list& filters,
    const std::vector<double>& gains_db,
    std::optional<std::vector<std::vector<std::size_t>>> groups) {
  const Audio a = audio_of(audio, "audio");
  if (a.channels != 1 || a.is_float) throw auralis::InvalidAudio("audio", "must be 1-D float64");
  const auralis::ParallelBandProcessor processor(parallel_config(config));
  std::vector<PyCallError> errors(filters.size());
  std::vector<PyObject*> fns;
  for (nb::handle f : filters) fns.push_back(f.ptr());
  std::vector<auralis::BandFilter> band_filters;
  for (std::size_t i = 0; i < fns.size(); ++i) {
    PyObject* fn = fns[i];
    PyCallError* slot = &errors[i];
    band_filters.emplace_back([fn, slot](std::span<const double> x) -> std::vector<double> {
      nb::gil_scoped_acquire gil;
      auto [arr, data] = new_numpy<double>(1, std::array<std::size_t, 1>{x.size()}.data());
      std::copy(x.begin(), x.end(), data);
      nb::object y = call_python(nb::handle(fn), arr.cast(), *slot);
      nb::object np = nb::module_::import_("numpy");
      nb::object flat =
          np.attr("ascontiguousarray")(y, "dtype"_a = np.attr("float64")).attr("ravel")();
      const auto view = nb::cast<nb::ndarray<const double, nb::c_contig>>(flat);
      return {view.data(), view.data() + view.size()};
    });
  }
  std::vector<double> out;
  {
    nb::gil_scoped_release release;
    out = processor.process_bands_parallel(
        a.f64(), band_filters, gains_db, groups.value_or(std::vector<std::vector<std::size_t>>{}));
  }
  const std::size_t n = out.size();
  return to_numpy(std::move(out), {n});
}

nb::dict extract_features(nb::handle config, nb::handle audio_obj, const nb::dict& extractors) {
  const InArray audio = nb::cast<InArray>(audio_obj, false);
  const Audio a = audio_of(audio, "audio");
  if (a.channels != 1) throw auralis::InvalidAudio("audio", "must be 1-D");
  const auralis::ParallelFeatureExtractor processor(parallel_config(config));
  std::vector<std::string> names;
  std::vector<PyObject*> fns;
  for (auto [k, v] : extractors) {
    names.push_back(nb::cast<std::string>(nb::str(k)));
    fns.push_back(v.ptr());
  }
  std::vector<PyCallError> errors(names.size());
  std::vector<nb::object> values(names.size());
  PyObject* arr = audio_obj.ptr();
  std::vector<auralis::FeatureExtractor<std::size_t, double>> f64;
  std::vector<auralis::FeatureExtractor<std::size_t, float>> f32;
  for (std::size_t i = 0; i < names.size(); ++i) {
    PyObject* fn = fns[i];
    auto body = [fn, arr, i, &errors, &values]() -> std::size_t {
      nb::gil_scoped_acquire gil;
      values[i] = call_python(nb::handle(fn), nb::handle(arr), errors[i]);
      return i;
    };
    f64.push_back({names[i], [body](std::span<const double>) { return body(); }});
    f32.push_back({names[i], [body](std::span<const float>) { return body(); }});
  }
  {
    nb::gil_scoped_release release;
    if (a.is_float) {
      (void)processor.extract_features_parallel(a.f32(), f32);
    } else {
      (void)processor.extract_features_parallel(a.f64(), f64);
    }
  }
  nb::dict out;
  for (std::size_t i = 0; i < names.size(); ++i) out[names[i].c_str()] = values[i];
  return out;
}

nb::list process_batch(nb::handle config, const nb::list& items, nb::handle fn) {
  const auralis::ParallelAudioProcessor processor(parallel_config(config));
  const std::size_t n = items.size();
  std::vector<PyObject*> inputs;
  for (nb::handle h : items) inputs.push_back(h.ptr());
  std::vector<PyCallError> errors(n);
  std::vector<nb::object> values(n);
  std::vector<std::size_t> indices(n);
  for (std::size_t i = 0; i < n; ++i) indices[i] = i;
  PyObject* f = fn.ptr();
  {
    nb::gil_scoped_release release;
    const auto results = processor.process_batch(indices, [&](std::size_t i) {
      nb::gil_scoped_acquire gil;
      values[i] = call_python(nb::handle(f), nb::handle(inputs[i]), errors[i]);
      return i;
    });
    (void)results;
  }
  reraise_first(errors);
  nb::list out;
  for (auto& v : values) out.append(v);
  return out;
}

nb::object stft(nb::handle config, const InArray& audio, std::int64_t fft_size, std::int64_t hop,
                const std::string& window, bool f32) {
  const Audio a = audio_of(audio, "audio");
  if (a.channels != 1) throw auralis::InvalidAudio("audio", "must be 1-D (frames,)");
  const std::size_t n = count(fft_size, "fft_size");
  const std::size_t h = count(hop, "hop_size");
  const auralis::WindowType w = window_of(window);
  const auralis::ParallelConfig c = parallel_config(config);
  auto run = [&](auto tag) -> nb::object {
    using Real = decltype(tag);
    using Matrix = typename auralis::ParallelFFTProcessor<Real>::StftMatrix;
    auto* m = new Matrix();
    nb::capsule owner(m, [](void* p) noexcept { delete static_cast<Matrix*>(p); });
    {
      nb::gil_scoped_release release;
      const auralis::ParallelFFTProcessor<Real> proc(c);
      *m = a.is_float ? proc.parallel_stft(a.f32(), n, h, w) : proc.parallel_stft(a.f64(), n, h, w);
    }
    const std::size_t shape[2] = {static_cast<std::size_t>(m->rows()),
                                  static_cast<std::size_t>(m->cols())};
    const std::int64_t strides[2] = {1, static_cast<std::int64_t>(m->rows())};
    return nb::ndarray<nb::numpy, std::complex<Real>>(m->data(), 2, shape, owner, strides).cast();
  };
  return f32 ? run(float{}) : run(double{});
}

// ---------------------------------------------------------------------------------------------
// EQ

template <class Real>
class NativeEq {
 public:
  explicit NativeEq(const auralis::EqSettings& s) : eq_(s) {}

  using Out = nb::ndarray<nb::numpy, Real>;

  Out process(const InArray& audio, const std::vector<double>& curve) const {
    const auto [in, shape, ndim] = view(audio, "audio");
    auto [out, data] = new_numpy<Real>(ndim, shape.data());
    {
      nb::gil_scoped_release release;
      eq_.process(in, curve, std::span<Real>(data, in.size()));
    }
    return out;
  }
  Out apply_band_gains(const InArray& audio, const std::vector<double>& gains) const {
    const auto [in, shape, ndim] = view(audio, "audio");
    std::vector<Real> r;
    {
      nb::gil_scoped_release release;
      r = eq_.apply_band_gains(in, gains);
    }
    auto [out, data] = new_numpy<Real>(ndim, shape.data());
    std::copy(r.begin(), r.end(), data);
    return out;
  }
  nb::ndarray<nb::numpy, double> gain_trajectory(const InArray& audio,
                                                 const std::vector<double>& curve) const {
    const auto [in, shape, ndim] = view(audio, "audio");
    (void)shape;
    (void)ndim;
    auralis::GainTrajectory t;
    {
      nb::gil_scoped_release release;
      t = eq_.gain_trajectory(in, curve);
    }
    const std::size_t frames = t.frames;
    return to_numpy(std::move(t.gains_db), {frames, auralis::eq::critical_band_count});
  }
  Out process_realtime_chunk(const InArray& chunk, const std::vector<double>& curve) {
    const auto [in, shape, ndim] = view(chunk, "chunk");
    auto [out, data] = new_numpy<Real>(ndim, shape.data());
    {
      nb::gil_scoped_release release;
      const std::lock_guard lock(mutex_);
      eq_.process_realtime_chunk(in, curve, std::span<Real>(data, in.size()));
    }
    return out;
  }
  void reset() {
    nb::gil_scoped_release release;
    const std::lock_guard lock(mutex_);
    eq_.reset();
  }
  std::size_t latency() const { return eq_.latency(); }
  std::vector<double> weights() const {
    const auto w = eq_.weights();
    return {w.begin(), w.end()};
  }

 private:
  struct View {
    std::span<const Real> samples;
    std::array<std::size_t, 2> shape;
    std::size_t ndim;
  };
  View view(const InArray& a, const char* field) const {
    const Audio audio = audio_of(a, field);
    if (audio.is_float != std::is_same_v<Real, float>) {
      throw auralis::InvalidAudio(field, std::is_same_v<Real, float>
                                             ? "must be float32 for a float32 EQ"
                                             : "must be float64 for a float64 EQ");
    }
    return {std::span<const Real>(static_cast<const Real*>(audio.data), audio.size()),
            {audio.frames, audio.channels},
            a.ndim()};
  }

  auralis::BasicPsychoacousticEQ<Real> eq_;
  std::mutex mutex_;
};

auralis::EqSettings eq_settings(nb::handle s) {
  auralis::EqSettings out;
  out.sample_rate = nb::cast<double>(s.attr("sample_rate"));
  out.fft_size = count(nb::cast<std::int64_t>(s.attr("fft_size")), "fft_size");
  out.channels = count(nb::cast<std::int64_t>(s.attr("channels")), "channels");
  out.parallel = parallel_config(s.attr("parallel"));
  return out;
}

template <class Real>
void bind_eq(nb::module_& m, const char* name) {
  using E = NativeEq<Real>;
  nb::class_<E>(m, name)
      .def("__init__",
           [](E* self, nb::handle settings) {
             const auralis::EqSettings s = eq_settings(settings);
             nb::gil_scoped_release release;
             new (self) E(s);
           })
      .def("process", &E::process, "audio"_a.noconvert(), "target_curve"_a)
      .def("apply_band_gains", &E::apply_band_gains, "audio"_a.noconvert(), "band_gains_db"_a)
      .def("gain_trajectory", &E::gain_trajectory, "audio"_a.noconvert(), "target_curve"_a)
      .def("process_realtime_chunk", &E::process_realtime_chunk, "chunk"_a.noconvert(),
           "target_curve"_a)
      .def("reset", &E::reset)
      .def_prop_ro("latency", &E::latency)
      .def_prop_ro("weights", &E::weights);
}

// ---------------------------------------------------------------------------------------------
// Audio files

auralis::io::AudioFileFormat format_of(std::string_view name) {
  using F = auralis::io::AudioFileFormat;
  const std::string f = lower(name);
  if (f == "wav_pcm16") return F::wav_pcm16;
  if (f == "wav_pcm24") return F::wav_pcm24;
  if (f == "wav_float") return F::wav_float;
  if (f == "flac_pcm16") return F::flac_pcm16;
  if (f == "flac_pcm24") return F::flac_pcm24;
  if (f == "ogg_vorbis") return F::ogg_vorbis;
  if (f == "aiff_pcm16") return F::aiff_pcm16;
  throw auralis::InvalidArgument("format", "unknown format '" + std::string(name) +
                                               "'; expected wav_pcm16, wav_pcm24, wav_float, "
                                               "flac_pcm16, flac_pcm24, ogg_vorbis or aiff_pcm16");
}

nb::dict info_dict(const auralis::io::AudioFileInfo& info) {
  nb::dict d;
  d["frames"] = info.frames;
  d["channels"] = info.channels;
  d["sample_rate"] = info.sample_rate;
  d["format"] = info.format;
  d["duration"] = info.duration();
  return d;
}

nb::dict audio_file_info(const std::string& path) {
  auralis::io::AudioFileInfo info;
  {
    nb::gil_scoped_release release;
    info = auralis::io::AudioFileReader(fs::path(path)).info();
  }
  return info_dict(info);
}

/// The whole file as a (frames, channels) float64 array, read in blocks with signal checks.
nb::tuple read_audio_file(const std::string& path) {
  std::optional<auralis::io::AudioFileReader> reader;
  {
    nb::gil_scoped_release release;
    reader.emplace(fs::path(path));
  }
  const auralis::io::AudioFileInfo info = reader->info();
  const std::size_t shape[2] = {info.frames, info.channels};
  auto [out, data] = new_numpy<double>(2, shape);
  std::size_t done = 0;
  while (done < info.frames) {
    {
      nb::gil_scoped_release release;
      const std::size_t want = std::min(block_frames, info.frames - done);
      const std::size_t got =
          reader->read(std::span<double>(data + done * info.channels, want * info.channels));
      if (got == 0) {
        throw auralis::io::AudioFileError(fs::path(path),
                                          auralis::io::AudioFileErrorKind::truncated,
                                          "the audio data ends before its declared length");
      }
      done += got;
    }
    check_signals();
  }
  return nb::make_tuple(out, info.sample_rate);
}

/// AudioFileReader for Python: read(frames) returns the next (n, channels) float64 block.
class NativeReader {
 public:
  explicit NativeReader(const std::string& path) {
    nb::gil_scoped_release release;
    reader_.emplace(fs::path(path));
  }
  // The mutex may be taken with the GIL held: nobody waits for the GIL while holding it.
  [[nodiscard]] nb::dict info() {
    const std::lock_guard lock(mutex_);
    return info_dict(reader().info());
  }
  [[nodiscard]] std::size_t frames_read() {
    const std::lock_guard lock(mutex_);
    return reader().frames_read();
  }
  nb::ndarray<nb::numpy, double> read(std::int64_t max_frames) {
    const std::size_t want = count(max_frames, "max_frames");
    std::vector<double> buf;
    std::size_t got = 0;
    std::size_t channels = 1;
    {
      nb::gil_scoped_release release;
      const std::lock_guard lock(mutex_);
      auralis::io::AudioFileReader& r = reader();
      channels = r.info().channels;
      buf.resize(std::min(want, r.info().frames - r.frames_read()) * channels);
      if (!buf.empty()) got = r.read(std::span<double>(buf));
    }
    buf.resize(got * channels);
    return to_numpy(std::move(buf), {got, channels});
  }
  void close() {
    nb::gil_scoped_release release;
    const std::lock_guard lock(mutex_);
    reader_.reset();
  }

 private:
  [[nodiscard]] auralis::io::AudioFileReader& reader() {
    if (!reader_) throw auralis::InvalidArgument("reader", "is closed");
    return *reader_;
  }
  std::optional<auralis::io::AudioFileReader> reader_;
  std::mutex mutex_;
};

void write_audio_file(const std::string& path, const InArray& audio, double sample_rate,
                      const std::string& format) {
  const Audio a = audio_of(audio, "audio");
  if (a.is_float) throw auralis::InvalidAudio("audio", "must be float64");
  const auralis::io::AudioFileFormat f = format_of(format);
  nb::gil_scoped_release release;
  auralis::io::write_audio_file(fs::path(path), a.f64(), a.channels, sample_rate, f);
}

}  // namespace

NB_MODULE(_native, m) {
  m.doc() = "Native core of auralis_native (nanobind bindings of the auralis C++ library).";
  nb::register_exception_translator(&translate);

  m.attr("version") = auralis::version_string;
  m.attr("has_audio_files") = AURALIS_HAS_AUDIO_FILES != 0;
  m.attr("max_fft_size") = auralis::max_fft_size;
  m.attr("min_fft_size") = auralis::min_fft_size;
  m.attr("max_worker_limit") = auralis::max_worker_limit;

  m.def("set_max_threads", &set_max_threads, "n"_a,
        "Caps the threads oneTBB uses in this process (tbb::global_control); 0 removes the cap.");
  m.def("available_workers", &auralis::available_workers);
  m.def("hardware_workers", &auralis::hardware_workers);

  nb::class_<NativeAnalyzer>(m, "NativeAnalyzer")
      .def(nb::init<nb::handle, bool>(), "settings"_a, "parallel"_a)
      .def("analyze_file", &NativeAnalyzer::analyze_file, "samples"_a.noconvert(),
           "sample_rate"_a = nb::none())
      .def("analyze_chunk", &NativeAnalyzer::analyze_chunk, "chunk"_a.noconvert())
      .def("analyze_path", &NativeAnalyzer::analyze_path, "path"_a)
      .def("reset_smoothing", &NativeAnalyzer::reset_smoothing)
      .def("band_names", &NativeAnalyzer::band_names)
      .def("frequency_bins", &NativeAnalyzer::frequency_bins)
      .def("workers_for", &NativeAnalyzer::workers_for, "frames"_a);

  m.def("stft", &stft, "config"_a.none(), "audio"_a.noconvert(), "fft_size"_a, "hop_size"_a,
        "window"_a, "float32"_a);
  m.def("process_bands", &process_bands, "config"_a.none(), "audio"_a.noconvert(), "filters"_a,
        "gains_db"_a, "groups"_a.none());
  m.def("extract_features", &extract_features, "config"_a.none(), "audio"_a, "extractors"_a);
  m.def("process_batch", &process_batch, "config"_a.none(), "items"_a, "fn"_a);

  bind_eq<double>(m, "NativeEq");
  bind_eq<float>(m, "NativeEqF");
  nb::class_<auralis::eq::CriticalBandFilterBank>(m, "NativeFilterBank")
      .def(
          "__init__",
          [](auralis::eq::CriticalBandFilterBank* self, double rate, std::int64_t fft_size,
             nb::handle config) {
            const std::size_t n = count(fft_size, "fft_size");
            const auralis::ParallelConfig c = parallel_config(config);
            nb::gil_scoped_release release;
            new (self) auralis::eq::CriticalBandFilterBank(rate, n, c);
          },
          "sample_rate"_a, "fft_size"_a, "config"_a.none())
      .def(
          "process",
          [](const auralis::eq::CriticalBandFilterBank& bank, const InArray& audio,
             const std::vector<double>& gains) {
            const Audio a = audio_of(audio, "audio");
            if (a.channels != 1 || a.is_float) {
              throw auralis::InvalidAudio("audio", "must be 1-D float64");
            }
            std::vector<double> out;
            {
              nb::gil_scoped_release release;
              out = bank.process(a.f64(), gains);
            }
            const std::size_t n = out.size();
            return to_numpy(std::move(out), {n});
          },
          "audio"_a.noconvert(), "band_gains_db"_a);
  m.attr("critical_band_edges") = std::vector<double>(auralis::eq::critical_band_edges.begin(),
                                                      auralis::eq::critical_band_edges.end());
  m.def("critical_band_center", [](std::int64_t band) {
    if (band < 0 || static_cast<std::size_t>(band) >= auralis::eq::critical_band_count) {
      throw auralis::InvalidArgument("band", "must be in [0, 25), got " + std::to_string(band));
    }
    return auralis::eq::critical_band_center(static_cast<std::size_t>(band));
  });
  m.def("perceptual_weight", &auralis::eq::perceptual_weight, "center_hz"_a);

  nb::class_<NativeReader>(m, "AudioFileReader")
      .def(nb::init<const std::string&>(), "path"_a)
      .def_prop_ro("info", &NativeReader::info)
      .def_prop_ro("frames_read", &NativeReader::frames_read)
      .def("read", &NativeReader::read, "max_frames"_a)
      .def("close", &NativeReader::close);
  m.def("audio_file_info", &audio_file_info, "path"_a);
  m.def("read_audio_file", &read_audio_file, "path"_a);
  m.def("write_audio_file", &write_audio_file, "path"_a, "audio"_a.noconvert(), "sample_rate"_a,
        "format"_a);
}
