#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# ThreadSanitizer job: the parallel tests (parallel_analyzer_test, processors_test) built with
# -DAURALIS_SANITIZE=thread in build-tsan and run against a ThreadSanitizer-instrumented oneTBB.
#
# Why oneTBB is rebuilt: Debian's libtbb.so.12 is not instrumented, so TSan sees none of the
# happens-before edges of oneTBB's scheduler (task spawn/steal, pipeline token hand-off, waits),
# and reports hundreds of false races on auralis' own pipeline buffers; such reports cannot be
# suppressed without also hiding real races in auralis. The script therefore fetches the source
# of the very libtbb-dev version installed (apt-get source, with private apt lists under
# build-tsan/apt: the system's apt configuration is left alone), builds libtbb.so.12 with
# TBB_SANITIZE=thread (cached in build-tsan/onetbb), and runs the tests with it first on
# LD_LIBRARY_PATH (same version, same ABI, no relink). See docs/fuzzing.md.
#
# Usage: scripts/tsan.sh [--full]   (--full: every test of both binaries, ~4x longer)
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
  mkdir -p build-tsan/apt/lists/partial build-tsan/onetbb
  . /etc/os-release
  {
    echo "deb-src http://deb.debian.org/debian $VERSION_CODENAME main"
    echo "deb-src http://deb.debian.org/debian $VERSION_CODENAME-updates main"
    echo "deb-src http://deb.debian.org/debian-security $VERSION_CODENAME-security main"
  } >build-tsan/apt/sources.list
  apt_opts="-o Dir::Etc::SourceList=$root/build-tsan/apt/sources.list -o Dir::Etc::SourceParts=/dev/null
    -o Dir::State::Lists=$root/build-tsan/apt/lists -o Debug::NoDropPrivs=true"
  # shellcheck disable=SC2086
  apt-get $apt_opts update -qq
  # shellcheck disable=SC2086
  (cd build-tsan/onetbb && apt-get $apt_opts source -qq "onetbb=$version" >/dev/null 2>&1)
  src=$(find build-tsan/onetbb -maxdepth 1 -type d -name 'onetbb-*' | head -n 1)
  [ -n "$src" ] || { echo "tsan.sh: cannot fetch the source of onetbb $version" >&2; exit 1; }
  cmake -S "$src" -B "$tbb_build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -g1" -DTBB_SANITIZE=thread -DTBB_TEST=OFF \
    -DTBB_EXAMPLES=OFF -DTBBMALLOC_BUILD=OFF -DTBBMALLOC_PROXY_BUILD=OFF -DTBB_STRICT=OFF \
    >/dev/null
  cmake --build "$tbb_build" -j "$(nproc)" --target tbb >/dev/null
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
cmake --build build-tsan -j "$(nproc)" --target parallel_analyzer_test processors_test
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
echo "tsan.sh: no ThreadSanitizer report; oneTBB $((tbb_done - start)) s," \
  "build $((built - tbb_done)) s, total $(($(date +%s) - start)) s"
