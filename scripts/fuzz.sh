#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer harnesses (clang-14, ASan + UBSan, in build-fuzz), replays the committed
# reproducers of fuzz/regressions/, then fuzzes each harness for a bounded wall-clock time
# starting from the seed corpus fuzz/corpus/<harness>. Nothing is written into the source tree:
# new corpus inputs go to build-fuzz/corpus/<harness>, logs and crash artifacts to
# build-fuzz/fuzz-run/.
# Exits non-zero when a reproducer or a fuzzer crashes, leaks, times out or breaks a contract.
#
# Usage: scripts/fuzz.sh [seconds per harness] [harness...]
#   seconds: wall-clock time per harness, default $AURALIS_FUZZ_SECONDS or 20;
#   harnesses: default all four.
#   AURALIS_FUZZ_JOBS=N (default 1) runs N fuzzer processes side by side per harness (libFuzzer
#     -jobs=N -workers=N, each for the whole time, sharing the corpus directory); the reported
#     executions are the sum over the N processes' logs.
#   AURALIS_FUZZ_BUILD_DIR (default build-fuzz) is the build directory; CMAKE_BUILD_PARALLEL_LEVEL
#     (default: the number of cores) the build's parallelism.
# See docs/fuzzing.md.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)
seconds=${1:-${AURALIS_FUZZ_SECONDS:-20}}
[ $# -gt 0 ] && shift
harnesses=${*:-fuzz_audio_file fuzz_analyze_file fuzz_analyze_chunk fuzz_dynamics}
jobs=${AURALIS_FUZZ_JOBS:-1}
build=${AURALIS_FUZZ_BUILD_DIR:-build-fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac
[ "$seconds" -ge 1 ] || { echo "fuzz.sh: seconds must be >= 1 (libFuzzer reads 0 as no limit)" >&2; exit 2; }
[ "$jobs" -ge 1 ] || { echo "fuzz.sh: AURALIS_FUZZ_JOBS must be >= 1" >&2; exit 2; }

sh scripts/deps.sh fuzz
# -O1 and line tables only: half the build time of -O2 -g, stacks keep file:line.
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DAURALIS_BUILD_FUZZERS=ON -DAURALIS_WERROR=ON -DAURALIS_BUILD_TESTS=OFF \
  -DAURALIS_BUILD_EXAMPLES=OFF -DAURALIS_BUILD_BENCH=OFF -DAURALIS_INSTALL=OFF >/dev/null
cmake --build "$build" -j "${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" --target auralis_fuzzers
built=$(date +%s)

out=$build/fuzz-run
mkdir -p "$out"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/fuzz/lsan.supp:print_suppressions=0}"
[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ] &&
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

status=0
total=0
for h in $harnesses; do
  bin=$build/fuzz/$h
  # This harness's logs and artifacts of an earlier run (only its own: runs of other harnesses
  # may share the build directory at the same time).
  rm -rf "$out/$h" "$out/$h".*log "$out/$h"-*
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
  # 2. Fuzz. New inputs go to the first corpus directory (in the build directory), the seeds are
  # read only. Each process writes its own log, fuzz-<job>.log, into $logs: libFuzzer's -jobs
  # mode names them so in its working directory, and a single process is given the same name.
  # -workers=N runs the N jobs side by side (libFuzzer's default is half the cores), so each
  # harness takes `seconds` of wall-clock time whatever N is.
  corpus=$build/corpus/$h
  logs=$out/$h
  mkdir -p "$corpus" "$logs"
  set -- -max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2560 \
    -max_len=16384 -artifact_prefix="$out/$h-"
  if [ "$jobs" -gt 1 ]; then
    set -- "$@" -jobs="$jobs" -workers="$jobs"
    launcher_log=$out/$h.log
  else
    launcher_log=$logs/fuzz-0.log
  fi
  if (cd "$logs" && "$bin" "$@" "$corpus" "$root/fuzz/corpus/$h" >"$launcher_log" 2>&1); then
    result=ok
  else
    result=FAILED
    status=1
  fi
  execs=$(cat "$logs"/fuzz-*.log | awk '$1 == "stat::number_of_executed_units:" {s += $2}
    END {print s + 0}')
  cov=$(cat "$logs"/fuzz-*.log | sed -n 's/^#[0-9]*.* cov: \([0-9]*\) .*/\1/p' |
    sort -n | tail -n 1)
  total=$((total + execs))
  echo "fuzz.sh: $h: $result, $execs executions in ${seconds} s ($jobs job(s))," \
    "coverage ${cov:-?} edges, corpus $(ls "$corpus" | wc -l) new inputs"
  if [ "$result" = FAILED ]; then
    grep -hE 'ERROR|contract violated|SUMMARY|Test unit written|#[0-9]+ 0x' "$logs"/fuzz-*.log |
      head -n 60
    echo "fuzz.sh: reproduce with: $bin $out/$h-<crash file>   (logs: $logs/fuzz-*.log)"
  fi
done
echo "fuzz.sh: $total executions in all; build $((built - start)) s," \
  "total $(($(date +%s) - start)) s"
exit $status
