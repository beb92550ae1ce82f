// SPDX-License-Identifier: GPL-3.0-or-later
// BasicParallelSpectrumAnalyzer: compiled once, here, with the library's flags.
#include "auralis/parallel/parallel_spectrum_analyzer.hpp"

#include <tbb/task_arena.h>

#include <optional>
#include <utility>

#include "auralis/detail/analyzer_impl.hpp"
#include "auralis/detail/audio_checks.hpp"
#include "auralis/detail/file_analysis.hpp"
#include "auralis/detail/pipeline.hpp"
#include "auralis/detail/workspace_cache.hpp"
#if AURALIS_HAS_AUDIO_FILES
#include "auralis/io/audio_file.hpp"
#endif

namespace auralis {

void validate(const ParallelSpectrumSettings& s) {
  validate(static_cast<const SpectrumSettings&>(s));
  validate_max_workers(s.max_workers);
}

template <class Real>
struct BasicParallelSpectrumAnalyzer<Real>::Impl {
  explicit Impl(const ParallelSpectrumSettings& s) : settings(s), sequential(settings) {}
  Impl(const Impl& o) : settings(o.settings), sequential(o.sequential) {}
  Impl& operator=(const Impl&) = delete;

  [[nodiscard]] const kernel::FrameAnalyzer<Real>& frame() const noexcept {
    return detail::AnalyzerAccess::frame(sequential);
  }

  ParallelSpectrumSettings settings;
  BasicSpectrumAnalyzer<Real> sequential;           // analyze_chunk, and the frame analyzer
  mutable detail::WorkspaceCache<Real> workspaces;  // analyze_file's, per thread
};

namespace {

ParallelSpectrumSettings checked(const ParallelSpectrumSettings& s) {
  validate(s);
  return s;
}

// analyze_file of interleaved samples: the rate, then the samples, then the sequential path or
// the pipeline. A parallel call creates one task_arena for both its input scan and its pipeline
// (a second arena would make the workers join twice).
template <class Real, class Impl, class T>
SpectrumResult analyze_samples(const BasicParallelSpectrumAnalyzer<Real>& analyzer,
                               const Impl& impl, std::span<const T> samples, std::size_t channels,
                               std::optional<double> sample_rate) {
  const double rate = detail::checked_rate(impl.settings, sample_rate);
  std::optional<tbb::task_arena> arena;
  const auto scan = [&](std::span<const T> checked, double limit) {
    const std::size_t w = analyzer.workers_for(impl.frame().frame_count(checked.size() / channels));
    if (w <= 1) return detail::first_unanalysable(checked, limit);
    arena.emplace(static_cast<int>(w));
    return detail::parallel_first_unanalysable(checked, limit, *arena);
  };
  const kernel::AudioView<T> audio =
      detail::checked_audio(samples, channels, "samples", detail::max_sample_magnitude<Real>, scan);
  std::optional<kernel::FrameAnalyzer<Real>> other_rate;
  const kernel::FrameAnalyzer<Real>& frame = detail::frame_for_rate(impl.frame(), rate, other_rate);
  // The frame count, hence the worker count, does not depend on the sample rate.
  const std::size_t workers = analyzer.workers_for(frame.frame_count(audio.frames));
  if (workers <= 1) return detail::analyze_sequential(frame, impl.workspaces.local(frame), audio);
  if (!arena) arena.emplace(static_cast<int>(workers));
  return detail::analyze_parallel(frame, impl.workspaces, *arena, audio, workers);
}

}  // namespace

template <class Real>
BasicParallelSpectrumAnalyzer<Real>::BasicParallelSpectrumAnalyzer(
    const ParallelSpectrumSettings& settings)
    : impl_(std::make_unique<Impl>(checked(settings))) {}

template <class Real>
BasicParallelSpectrumAnalyzer<Real>::BasicParallelSpectrumAnalyzer(
    const BasicParallelSpectrumAnalyzer& other)
    : impl_(std::make_unique<Impl>(*other.impl_)) {}

template <class Real>
BasicParallelSpectrumAnalyzer<Real>::BasicParallelSpectrumAnalyzer(
    BasicParallelSpectrumAnalyzer&& other) noexcept = default;

template <class Real>
BasicParallelSpectrumAnalyzer<Real>& BasicParallelSpectrumAnalyzer<Real>::operator=(
    const BasicParallelSpectrumAnalyzer& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}

template <class Real>
BasicParallelSpectrumAnalyzer<Real>& BasicParallelSpectrumAnalyzer<Real>::operator=(
    BasicParallelSpectrumAnalyzer&& other) noexcept = default;

template <class Real>
BasicParallelSpectrumAnalyzer<Real>::~BasicParallelSpectrumAnalyzer() = default;

template <class Real>
const ParallelSpectrumSettings& BasicParallelSpectrumAnalyzer<Real>::settings() const noexcept {
  return impl_->settings;
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    std::span<const double> samples, std::optional<double> sample_rate) const {
  return analyze_samples(*this, *impl_, samples, 1, sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    std::span<const float> samples, std::optional<double> sample_rate) const {
  return analyze_samples(*this, *impl_, samples, 1, sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    InterleavedAudio<const double> audio, std::optional<double> sample_rate) const {
  return analyze_samples(*this, *impl_, audio.samples, audio.channels, sample_rate);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    InterleavedAudio<const float> audio, std::optional<double> sample_rate) const {
  return analyze_samples(*this, *impl_, audio.samples, audio.channels, sample_rate);
}

#if AURALIS_HAS_AUDIO_FILES
template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_file(
    const std::filesystem::path& path) const {
  io::AudioFileReader reader(path);
  const double rate = detail::checked_file_rate(impl_->settings, reader);
  std::optional<kernel::FrameAnalyzer<Real>> other_rate;
  const kernel::FrameAnalyzer<Real>& frame =
      detail::frame_for_rate(impl_->frame(), rate, other_rate);
  const std::size_t workers = workers_for(frame.frame_count(reader.info().frames));
  if (workers <= 1) {
    return detail::analyze_stream_sequential(frame, impl_->workspaces.local(frame), reader);
  }
  tbb::task_arena arena(static_cast<int>(workers));
  return detail::analyze_stream_parallel(frame, impl_->workspaces, arena, reader, workers);
}
#endif

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(std::span<const double> chunk) {
  return impl_->sequential.analyze_chunk(chunk);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(std::span<const float> chunk) {
  return impl_->sequential.analyze_chunk(chunk);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(
    InterleavedAudio<const double> chunk) {
  return impl_->sequential.analyze_chunk(chunk);
}

template <class Real>
SpectrumResult BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(
    InterleavedAudio<const float> chunk) {
  return impl_->sequential.analyze_chunk(chunk);
}

template <class Real>
void BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(std::span<const double> chunk,
                                                        SpectrumResult& out) {
  impl_->sequential.analyze_chunk(chunk, out);
}

template <class Real>
void BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(std::span<const float> chunk,
                                                        SpectrumResult& out) {
  impl_->sequential.analyze_chunk(chunk, out);
}

template <class Real>
void BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const double> chunk,
                                                        SpectrumResult& out) {
  impl_->sequential.analyze_chunk(chunk, out);
}

template <class Real>
void BasicParallelSpectrumAnalyzer<Real>::analyze_chunk(InterleavedAudio<const float> chunk,
                                                        SpectrumResult& out) {
  impl_->sequential.analyze_chunk(chunk, out);
}

template <class Real>
void BasicParallelSpectrumAnalyzer<Real>::reset_smoothing() noexcept {
  impl_->sequential.reset_smoothing();
}

template <class Real>
std::vector<std::string> BasicParallelSpectrumAnalyzer<Real>::get_frequency_band_names() const {
  return impl_->sequential.get_frequency_band_names();
}

template <class Real>
std::span<const double> BasicParallelSpectrumAnalyzer<Real>::frequency_bins() const noexcept {
  return impl_->sequential.frequency_bins();
}

template class BasicParallelSpectrumAnalyzer<float>;
template class BasicParallelSpectrumAnalyzer<double>;

}  // namespace auralis
