// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder: the compressor benchmarks are being written.
#include <benchmark/benchmark.h>
BENCHMARK_MAIN();
