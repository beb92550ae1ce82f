// SPDX-License-Identifier: GPL-3.0-or-later
// BasicSpectrumAnalyzer: compiled once, here, with the library's flags (-ffp-contract=off), so
// every program gets the same bits whatever its own flags.
#include "auralis/spectrum_analyzer.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "auralis/detail/analyzer_impl.hpp"
#include "auralis/detail/audio_checks.hpp"
#include "auralis/detail/file_analysis.hpp"
#if AURALIS_HAS_AUDIO_FILES
#include "auralis/io/audio_file.hpp"
#endif

namespace auralis {
namespace {

SpectrumSettings checked(const SpectrumSettings& s) {
  validate(s);
  validate_against_sample_rate(s, s.sample_rate);
  return s;
}

// analyze_file of interleaved samples: the rate first, then the samples (one error order for
// every path, streamed files included).
// (Impl is deduced: it is the analyzer's private state.)
template <class Real, class Impl, class T>
SpectrumResult file_impl(const Impl& impl, std::span<const T> samples, std::size_t channels,
                         std::optional<double> sample_rate) {
  const double rate = detail::checked_rate(impl.settings, sample_rate);
  const kernel::AudioView<T> audio =
      detail::checked_audio(samples, channels, "samples", detail::max_sample_magnitude<Real>);
  std::optional<kernel::FrameAnalyzer<Real>> other_rate;
  const kernel::FrameAnalyzer<Real>& frame = detail::frame_for_rate(impl.frame, rate, other_rate);
  return detail::analyze_sequential(frame, impl.workspaces.local(frame), audio);
}

template <class Real, class Impl, class T>
void chunk_impl(Impl& impl, std::span<const T> samples, std::size_t channels, SpectrumResult& out) {
  const kernel::AudioView<T> chunk =
      detail::checked_audio(samples, channels, "chunk", detail::max_sample_magnitude<Real>);
  const kernel::FrameAnalyzer<Real>& frame = impl.frame;
  if (chunk.frames > frame.fft_size()) {
    throw InvalidAudio(
        "chunk", "holds " + std::to_string(chunk.frames) + " sample frames, more than fft_size = " +
                     std::to_string(frame.fft_size()) + "; split it or use analyze_file");
  }
  std::span<double> record(impl.record);
  impl.sequence.process(chunk, 0, impl.workspace, record);
  const kernel::FrameMetrics m = kernel::record_metrics(record);
  const std::size_t b = frame.bands();
  out.spectrum.assign(record.begin(), record.begin() + static_cast<std::ptrdiff_t>(b));
  out.frequency_bins.assign(frame.edges().begin(), frame.edges().end());
  out.peak_frequency = m.peak_frequency;
  out.spectral_centroid = m.spectral_centroid;
  out.spectral_rolloff = m.spectral_rolloff;
  out.total_energy = m.total_energy;
  out.num_chunks_analyzed = 1;
  out.analysis_duration = static_cast<double>(chunk.frames) / impl.settings.sample_rate;
  out.parallel_processing = false;
}

}  // namespace

template <class Real>
BasicSpectrumAnalyzer<Real>::BasicSpectrumAnalyzer(const SpectrumSettings& settings)
    : impl_(std::make_unique<Impl>(checked(settings))) {}

template <class Real>
BasicSpectrumAnalyzer<Real>::BasicSpectrumAnalyzer(const BasicSpectrumAnalyzer& other)
    : impl_(std::make_unique<Impl>(*other.impl_)) {}

template <class Real>
BasicSpectrumAnalyzer<Real>::BasicSpectrumAnalyzer(BasicSpectrumAnalyzer&& other) noexcept =
    default;

template <class Real>
BasicSpectrumAnalyzer<Real>& BasicSpectrumAnalyzer<Real>::operator=(
    const BasicSpectrumAnalyzer& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}

template <class Real>
BasicSpectrumAnalyzer<Real>& BasicSpectrumAnalyzer<Real>::operator=(
    BasicSpectrumAnalyzer&& other) noexcept = default;

template <class Real>
BasicSpectrumAnalyzer<Real>::~BasicSpectrumAnalyzer() = default;

template <class Real>
const SpectrumSettings& BasicSpectrumAnalyzer<Real>::settings() const noexcept {
  return impl_->settings;
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_file(std::span<const double> samples,
                                                         std::optional<double> sample_rate) const {
  return file_impl<Real>(*impl_, samples, 1, sample_rate);
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_file(std::span<const float> samples,
                                                         std::optional<double> sample_rate) const {
  return file_impl<Real>(*impl_, samples, 1, sample_rate);
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_file(InterleavedAudio<const double> audio,
                                                         std::optional<double> sample_rate) const {
  return file_impl<Real>(*impl_, audio.samples, audio.channels, sample_rate);
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_file(InterleavedAudio<const float> audio,
                                                         std::optional<double> sample_rate) const {
  return file_impl<Real>(*impl_, audio.samples, audio.channels, sample_rate);
}

#if AURALIS_HAS_AUDIO_FILES
template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_file(const std::filesystem::path& path) const {
  io::AudioFileReader reader(path);
  const double rate = detail::checked_file_rate(impl_->settings, reader);
  std::optional<kernel::FrameAnalyzer<Real>> other_rate;
  const kernel::FrameAnalyzer<Real>& frame = detail::frame_for_rate(impl_->frame, rate, other_rate);
  return detail::analyze_stream_sequential(frame, impl_->workspaces.local(frame), reader);
}
#endif

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_chunk(std::span<const double> chunk) {
  SpectrumResult r;
  analyze_chunk(chunk, r);
  return r;
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_chunk(std::span<const float> chunk) {
  SpectrumResult r;
  analyze_chunk(chunk, r);
  return r;
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const double> chunk) {
  SpectrumResult r;
  analyze_chunk(chunk, r);
  return r;
}

template <class Real>
SpectrumResult BasicSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const float> chunk) {
  SpectrumResult r;
  analyze_chunk(chunk, r);
  return r;
}

template <class Real>
void BasicSpectrumAnalyzer<Real>::analyze_chunk(std::span<const double> chunk,
                                                SpectrumResult& out) {
  chunk_impl<Real>(*impl_, chunk, 1, out);
}

template <class Real>
void BasicSpectrumAnalyzer<Real>::analyze_chunk(std::span<const float> chunk, SpectrumResult& out) {
  chunk_impl<Real>(*impl_, chunk, 1, out);
}

template <class Real>
void BasicSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const double> chunk,
                                                SpectrumResult& out) {
  chunk_impl<Real>(*impl_, chunk.samples, chunk.channels, out);
}

template <class Real>
void BasicSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const float> chunk,
                                                SpectrumResult& out) {
  chunk_impl<Real>(*impl_, chunk.samples, chunk.channels, out);
}

template <class Real>
void BasicSpectrumAnalyzer<Real>::reset_smoothing() noexcept {
  impl_->sequence.reset();
}

template <class Real>
std::vector<std::string> BasicSpectrumAnalyzer<Real>::get_frequency_band_names() const {
  std::vector<std::string> names;
  names.reserve(impl_->frame.bands());
  for (double f : impl_->frame.edges()) names.push_back(detail::band_name(f));
  return names;
}

template <class Real>
std::span<const double> BasicSpectrumAnalyzer<Real>::frequency_bins() const noexcept {
  return impl_->frame.edges();
}

template class BasicSpectrumAnalyzer<float>;
template class BasicSpectrumAnalyzer<double>;

}  // namespace auralis
