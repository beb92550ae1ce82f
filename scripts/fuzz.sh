#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer harnesses (clang-14, ASan + UBSan, in build-fuzz), replays the committed
# reproducers of fuzz/regressions/, then fuzzes each harness for a bounded time starting from the
# seed corpus fuzz/corpus/<harness>. Nothing is written into the source tree: new corpus inputs
# go to build-fuzz/corpus/<harness>, logs and crash artifacts to build-fuzz/fuzz-run/.
# Exits non-zero when a reproducer or a fuzzer crashes, leaks, times out or breaks a contract.
#
# Usage: scripts/fuzz.sh [seconds per harness] [harness...]
#   seconds: default $AURALIS_FUZZ_SECONDS or 20; harnesses: default all three.
#   AURALIS_FUZZ_JOBS=N runs N fuzzer processes per harness (libFuzzer -fork=N; longer runs).
# See docs/fuzzing.md.
set -eu
cd "$(dirname "$0")/.."
start=$(date +%s)
seconds=${1:-${AURALIS_FUZZ_SECONDS:-20}}
[ $# -gt 0 ] && shift
harnesses=${*:-fuzz_audio_file fuzz_analyze_file fuzz_analyze_chunk}
jobs=${AURALIS_FUZZ_JOBS:-1}
[ "$seconds" -ge 1 ] || { echo "fuzz.sh: seconds must be >= 1 (libFuzzer reads 0 as no limit)" >&2; exit 2; }

sh scripts/deps.sh fuzz
# -O1 and line tables only: half the build time of -O2 -g, stacks keep file:line.
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DAURALIS_BUILD_FUZZERS=ON -DAURALIS_WERROR=ON -DAURALIS_BUILD_TESTS=OFF \
  -DAURALIS_BUILD_EXAMPLES=OFF -DAURALIS_BUILD_BENCH=OFF -DAURALIS_INSTALL=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target auralis_fuzzers
built=$(date +%s)

out=build-fuzz/fuzz-run
rm -rf "$out"
mkdir -p "$out"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}"
[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ] &&
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

status=0
total=0
for h in $harnesses; do
  bin=build-fuzz/fuzz/$h
  # 1. Every committed reproducer, once.
  if [ -d "fuzz/regressions/$h" ] && [ -n "$(ls "fuzz/regressions/$h")" ]; then
    if "$bin" "fuzz/regressions/$h"/* >"$out/$h.regressions.log" 2>&1; then
      echo "fuzz.sh: $h: $(ls "fuzz/regressions/$h" | wc -l) regression inputs pass"
    else
      echo "fuzz.sh: $h: a regression input FAILS:"
      grep -E 'ERROR|contract violated|input:|SUMMARY|Running:|#[0-9]+ 0x' \
        "$out/$h.regressions.log" | head -n 40
      status=1
    fi
  fi
  # 2. Fuzz. New inputs go to the first corpus directory (in build-fuzz), the seeds are read only.
  mkdir -p "build-fuzz/corpus/$h"
  fork=""
  [ "$jobs" -gt 1 ] && fork="-fork=$jobs -ignore_crashes=0"
  # shellcheck disable=SC2086
  if "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2560 \
    -max_len=16384 -artifact_prefix="$out/$h-" $fork "build-fuzz/corpus/$h" "fuzz/corpus/$h" \
    >"$out/$h.log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  execs=$(grep -h 'stat::number_of_executed_units' "$out/$h.log" | awk '{s += $2} END {print s + 0}')
  cov=$(grep -E '^#[0-9]+' "$out/$h.log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  total=$((total + execs))
  echo "fuzz.sh: $h: $result, $execs executions in ${seconds} s, coverage ${cov:-?} edges," \
    "corpus $(ls "build-fuzz/corpus/$h" | wc -l) new inputs"
  if [ "$result" = FAILED ]; then
    grep -E 'ERROR|contract violated|SUMMARY|Test unit written|#[0-9]+ 0x' "$out/$h.log" | head -n 60
    echo "fuzz.sh: reproduce with: $bin $out/$h-<crash file>   (log: $out/$h.log)"
  fi
done
echo "fuzz.sh: $total executions in all; build $((built - start)) s, total $(($(date +%s) - start)) s"
exit $status
