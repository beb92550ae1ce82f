#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds auralis and runs the main job: the quickstart example analyses a generated 10 s
# multi-tone signal and prints its spectrum summary.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh run
cmake -S . -B build-run -DCMAKE_BUILD_TYPE=Release -DAURALIS_BUILD_TESTS=OFF \
  -DAURALIS_BUILD_EXAMPLES=ON >/dev/null
cmake --build build-run -j "$(nproc)" --target auralis_quickstart >/dev/null
./build-run/examples/quickstart
