// SPDX-License-Identifier: GPL-3.0-or-later
// Consumer smoke test: a program outside the auralis tree analyses a 1 kHz sine and checks the
// peak lands in the band holding 1 kHz. Exit code 0 on success.
#include <auralis/auralis.hpp>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

int main() {
  auralis::SpectrumSettings s;
  s.metric_convention = auralis::MetricConvention::standard;
  auralis::SpectrumAnalyzer analyzer(s);
  std::vector<double> x(44100);
  for (std::size_t n = 0; n < x.size(); ++n) {
    x[n] = 0.5 * std::sin(2.0 * std::numbers::pi * 1000.0 * static_cast<double>(n) / 44100.0);
  }
  const auralis::SpectrumResult r = analyzer.analyze_file(x);
  std::printf("auralis %s: %zu frames, peak %.1f Hz, centroid %.1f Hz\n", auralis::version_string,
              r.num_chunks_analyzed, r.peak_frequency, r.spectral_centroid);
  const double bin = 44100.0 / 4096.0;
  return std::abs(r.peak_frequency - 1000.0) <= bin && r.num_chunks_analyzed == 40 ? 0 : 1;
}
