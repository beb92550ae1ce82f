// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// ParallelSpectrumAnalyzer: SpectrumAnalyzer's API and results, frames analysed on oneTBB.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "auralis/config.hpp"
#include "auralis/parallel/parallel_config.hpp"
#include "auralis/settings.hpp"
#include "auralis/spectrum_analyzer.hpp"

namespace auralis {

/// SpectrumSettings plus the parallel policy of ParallelSpectrumAnalyzer.
struct ParallelSpectrumSettings : SpectrumSettings {
  /// false: analyze_file always runs the sequential path.
  bool enable_parallel = true;
  /// Threads working on one analyze_file call, caller included; 0 = all. Capped at
  /// available_workers() (the hardware threads, or tbb::global_control's limit).
  std::size_t max_workers = 0;
  /// Inputs with fewer frames than this run the sequential path.
  std::size_t min_chunks_for_parallel = 4;
};

/// Throws InvalidSettings naming the first invalid field (SpectrumSettings rules, then
/// max_workers <= 256).
void validate(const ParallelSpectrumSettings& s);

/// Drop-in parallel SpectrumAnalyzer: the same methods and, for every setting, worker count and
/// sample type, results bit-identical (==) to BasicSpectrumAnalyzer<Real>.
///
/// analyze_file runs in parallel when enable_parallel is set, more than one worker is available
/// and the input has at least min_chunks_for_parallel frames; otherwise it runs the sequential
/// path. Frames flow through a oneTBB pipeline in tokens of 16 (extra memory independent of the
/// input length) on a tbb::task_arena limited to max_workers threads; nested inside other oneTBB
/// work (a batch of analyses) it shares oneTBB's global thread pool, so it neither oversubscribes
/// nor deadlocks. Both analyzers execute the same process-wide FFTW plan, so they round
/// identically.
///
/// Thread safety: analyze_file is const and may be called concurrently; analyze_chunk (the
/// streaming, sequential path) carries smoothing state and must not be.
///
/// Copies are independent analyzers with the same settings; a moved-from analyzer may only be
/// destroyed or assigned to. `Real` is float or double; both are compiled into the library.
template <class Real>
class BasicParallelSpectrumAnalyzer {
 public:
  using compute_type = Real;

  /// Validates `settings` (throws InvalidSettings naming the field) and prepares the analysis.
  explicit BasicParallelSpectrumAnalyzer(const ParallelSpectrumSettings& settings = {});
  BasicParallelSpectrumAnalyzer(const BasicParallelSpectrumAnalyzer& other);
  BasicParallelSpectrumAnalyzer(BasicParallelSpectrumAnalyzer&& other) noexcept;
  BasicParallelSpectrumAnalyzer& operator=(const BasicParallelSpectrumAnalyzer& other);
  BasicParallelSpectrumAnalyzer& operator=(BasicParallelSpectrumAnalyzer&& other) noexcept;
  ~BasicParallelSpectrumAnalyzer();

  /// The settings in use.
  [[nodiscard]] const ParallelSpectrumSettings& settings() const noexcept;

  /// Threads an analyze_file call of `frames` frames would use (1 = the sequential path):
  /// parallel_workers(enable_parallel, max_workers, true, frames, frames,
  /// min_chunks_for_parallel).
  [[nodiscard]] std::size_t workers_for(std::size_t frames) const noexcept {
    const ParallelSpectrumSettings& s = settings();
    return parallel_workers(s.enable_parallel, s.max_workers, true, frames, frames,
                            s.min_chunks_for_parallel);
  }

  /// See SpectrumAnalyzer::analyze_file; result.parallel_processing tells which path ran.
  [[nodiscard]] SpectrumResult analyze_file(std::span<const double> samples,
                                            std::optional<double> sample_rate = {}) const;
  /// As above, float samples.
  [[nodiscard]] SpectrumResult analyze_file(std::span<const float> samples,
                                            std::optional<double> sample_rate = {}) const;
  /// Interleaved multichannel audio; channels are averaged before analysis.
  [[nodiscard]] SpectrumResult analyze_file(InterleavedAudio<const double> audio,
                                            std::optional<double> sample_rate = {}) const;
  /// As above, float samples.
  [[nodiscard]] SpectrumResult analyze_file(InterleavedAudio<const float> audio,
                                            std::optional<double> sample_rate = {}) const;
#if AURALIS_HAS_AUDIO_FILES
  /// Analyses an audio file at its own sample rate, streamed (see SpectrumAnalyzer's
  /// analyze_file(path)): the pipeline's input filter reads each token's samples from the file,
  /// so extra memory is at most 4 * workers * (16 * hop + fft_size) * channels doubles and 32 MB
  /// (unless 4 * workers * fft_size * channels doubles exceed that), whatever the file's length.
  /// Bit-identical to SpectrumAnalyzer::analyze_file(path) and to the in-memory analysis of
  /// io::read_audio_file(path), for every worker count.
  [[nodiscard]] SpectrumResult analyze_file(const std::filesystem::path& path) const;
#endif

  /// Streaming analysis of one frame on the calling thread; see SpectrumAnalyzer::analyze_chunk.
  [[nodiscard]] SpectrumResult analyze_chunk(std::span<const double> chunk);
  [[nodiscard]] SpectrumResult analyze_chunk(std::span<const float> chunk);
  [[nodiscard]] SpectrumResult analyze_chunk(InterleavedAudio<const double> chunk);
  [[nodiscard]] SpectrumResult analyze_chunk(InterleavedAudio<const float> chunk);
  /// Real-time form: no allocation and no lock once `out` is sized.
  void analyze_chunk(std::span<const double> chunk, SpectrumResult& out);
  void analyze_chunk(std::span<const float> chunk, SpectrumResult& out);
  void analyze_chunk(InterleavedAudio<const double> chunk, SpectrumResult& out);
  void analyze_chunk(InterleavedAudio<const float> chunk, SpectrumResult& out);

  /// Restarts the smoothing recurrence of analyze_chunk.
  void reset_smoothing() noexcept;
  /// Band labels ("431Hz", "1.2kHz").
  [[nodiscard]] std::vector<std::string> get_frequency_band_names() const;
  /// Band lower edges in Hz.
  [[nodiscard]] std::span<const double> frequency_bins() const noexcept;

 private:
  friend struct detail::AnalyzerAccess;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The default parallel analyzer: double-precision compute.
using ParallelSpectrumAnalyzer = BasicParallelSpectrumAnalyzer<double>;
/// Single-precision compute.
using ParallelSpectrumAnalyzerF = BasicParallelSpectrumAnalyzer<float>;

// Every member is defined and instantiated in the library (compiled once, with its flags).
extern template class BasicParallelSpectrumAnalyzer<float>;
extern template class BasicParallelSpectrumAnalyzer<double>;

}  // namespace auralis
