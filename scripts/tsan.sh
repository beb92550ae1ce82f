#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# ThreadSanitizer job: the parallel tests (parallel_analyzer_test, processors_test, and the
# dynamics and loudness threads tests) built with
# -DAURALIS_SANITIZE=thread in build-tsan and run against a ThreadSanitizer-instrumented oneTBB.
#
# Why oneTBB is rebuilt: Debian's libtbb.so.12 is not instrumented, so TSan sees none of the
# happens-before edges of oneTBB's scheduler (task spawn/steal, pipeline token hand-off, waits),
# and reports hundreds of false races on auralis' own pipeline buffers; such reports cannot be
# suppressed without also hiding real races in auralis. The script therefore fetches the source
# of the very libtbb-dev version installed (apt-get source, with deb-src entries derived from the
# machine's own `deb` entries and private apt lists and cache under build-tsan/apt: the system's
# apt configuration and state are left alone), builds libtbb.so.12 with
# TBB_SANITIZE=thread (cached in build-tsan/onetbb), and runs the tests with it first on
# LD_LIBRARY_PATH (same version, same ABI, no relink). See docs/fuzzing.md.
#
# Usage: scripts/tsan.sh [--full]   (--full: every test of both binaries, ~4x longer)
#   CMAKE_BUILD_PARALLEL_LEVEL (default: the number of cores) sets the builds' parallelism.
# Exits non-zero on any ThreadSanitizer report (halt_on_error=1) or test failure.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)
full=0
[ "${1:-}" = --full ] && full=1

sh scripts/deps.sh tsan
cxx=${CXX:-g++}
mkdir -p build-tsan

# 1. oneTBB with ThreadSanitizer, the version of the installed headers.
version=$(dpkg-query -W -f='${Version}' libtbb-dev)
tbb_build=$root/build-tsan/onetbb/build
tbb_lib=$(find "$tbb_build" -name 'libtbb.so.12' 2>/dev/null | head -n 1 || true)
if [ -z "$tbb_lib" ] || [ "$(cat "$root/build-tsan/onetbb/version" 2>/dev/null)" != "$version" ]; then
  rm -rf build-tsan/onetbb build-tsan/apt
  apt_dir=$root/build-tsan/apt
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d" \
    build-tsan/onetbb
  # The source entries mirror the machine's own apt configuration: every `deb` entry becomes a
  # `deb-src` entry of the same archive, suites, components and options (Signed-By included).
  # deb822 stanzas (/etc/apt/sources.list.d/*.sources) are copied with `Types: deb-src`
  # (stanzas without `deb` or with `Enabled: no` are skipped); one-line entries
  # (/etc/apt/sources.list) have their leading `deb` rewritten.
  set -- /etc/apt/sources.list.d/*.sources
  [ -e "$1" ] || set --
  [ $# -eq 0 ] || awk '
    function flush() {
      if (n > 0 && deb && enabled) {
        print "Types: deb-src"
        for (i = 1; i <= n; i++) print line[i]
        print ""
      }
      n = 0; deb = 0; enabled = 1; field = ""
    }
    function types(text,   k, m, t) {
      m = split(text, t, /[ \t]+/)
      for (k = 1; k <= m; k++) if (t[k] == "deb") deb = 1
    }
    BEGIN { n = 0; deb = 0; enabled = 1 }
    FNR == 1 { flush() }
    /^#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { if (field == "types") types($0); else if (field != "enabled") line[++n] = $0; next }
    {
      field = tolower(substr($0, 1, index($0, ":") - 1)); value = substr($0, index($0, ":") + 1)
      if (field == "types") types(value)
      else if (field == "enabled") {
        gsub(/[ \t]/, "", value)
        if (tolower(value) == "no") enabled = 0
      }
      else line[++n] = $0
    }
    END { flush() }' "$@" >"$apt_dir/sources.list.d/system.sources"
  if [ -f /etc/apt/sources.list ]; then
    awk '$1 == "deb" { $1 = "deb-src"; print }' /etc/apt/sources.list >"$apt_dir/sources.list"
  else
    : >"$apt_dir/sources.list"
  fi
  if ! grep -q '^Types: deb-src' "$apt_dir/sources.list.d/system.sources" 2>/dev/null &&
    ! [ -s "$apt_dir/sources.list" ]; then
    echo "tsan.sh: no deb entry in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources" >&2
    exit 1
  fi
  apt_opts="-o Dir::Etc::SourceList=$apt_dir/sources.list
    -o Dir::Etc::SourceParts=$apt_dir/sources.list.d -o Dir::State::Lists=$apt_dir/lists
    -o Dir::Cache=$apt_dir/cache -o Debug::NoDropPrivs=true"
  # shellcheck disable=SC2086
  apt-get $apt_opts update -qq ||
    echo "tsan.sh: apt-get update reported errors (an archive without sources?); trying anyway" >&2
  # shellcheck disable=SC2086
  (cd build-tsan/onetbb && apt-get $apt_opts source -qq "onetbb=$version" \
    >"$apt_dir/source.log" 2>&1) || true
  src=$(find build-tsan/onetbb -maxdepth 1 -type d -name 'onetbb-*' | head -n 1)
  if [ -z "$src" ]; then
    echo "tsan.sh: cannot fetch the source of onetbb $version with these entries:" >&2
    cat "$apt_dir/sources.list" "$apt_dir/sources.list.d/system.sources" >&2
    tail -n 20 "$apt_dir/source.log" >&2
    exit 1
  fi
  cmake -S "$src" -B "$tbb_build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -g1" -DTBB_SANITIZE=thread -DTBB_TEST=OFF \
    -DTBB_EXAMPLES=OFF -DTBBMALLOC_BUILD=OFF -DTBBMALLOC_PROXY_BUILD=OFF -DTBB_STRICT=OFF \
    >/dev/null
  cmake --build "$tbb_build" -j "${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" --target tbb >/dev/null
  echo "$version" >build-tsan/onetbb/version
  tbb_lib=$(find "$tbb_build" -name 'libtbb.so.12' | head -n 1)
fi
tbb_dir=$(dirname "$tbb_lib")
tbb_done=$(date +%s)

# 2. The parallel tests, instrumented (only these targets).
cmake -S . -B build-tsan -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DAURALIS_SANITIZE=thread \
  -DAURALIS_BUILD_TESTS=ON -DAURALIS_BUILD_EXAMPLES=OFF -DAURALIS_BUILD_BENCH=OFF \
  -DAURALIS_INSTALL=OFF -DAURALIS_WERROR=ON >/dev/null
cmake --build build-tsan -j "${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
  --target parallel_analyzer_test processors_test dynamics_threads_test loudness_test
built=$(date +%s)

# 3. Run them against the instrumented oneTBB.
export LD_LIBRARY_PATH="$tbb_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export TSAN_OPTIONS="suppressions=$root/tests/tsan.supp:halt_on_error=1:second_deadlock_stack=1:history_size=4"
for t in parallel_analyzer_test processors_test; do
  ldd "build-tsan/tests/$t" | grep -q "libtbb.so.12 => $tbb_dir/" || {
    echo "tsan.sh: $t does not load the instrumented libtbb from $tbb_dir" >&2
    exit 1
  }
done
# Every parallel code path, without the 16 x 8 x 3 worker grid of ParallelEquivalence: on this
# 2-core machine max_workers >= 2 is capped at 2, so instances 8-15 (2 workers; both conventions,
# smoothing on/off, mono/stereo; lengths below, at and above the parallel threshold) cover it.
filter="ParallelSpectrumAnalyzer.*"
for i in 8 9 10 11 12 13 14 15; do filter="$filter:Workers/ParallelEquivalence.*/$i"; done
[ $full -eq 1 ] && filter="*"
build-tsan/tests/parallel_analyzer_test --gtest_filter="$filter" --gtest_brief=1
build-tsan/tests/processors_test --gtest_brief=1
# The dynamics processors' shared const process() and the loudness meters on several threads.
build-tsan/tests/dynamics_threads_test --gtest_brief=1
build-tsan/tests/loudness_test --gtest_filter='Streaming.Concurrent*' --gtest_brief=1
echo "tsan.sh: no ThreadSanitizer report; oneTBB $((tbb_done - start)) s," \
  "build $((built - tbb_done)) s, total $(($(date +%s) - start)) s"
