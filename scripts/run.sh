#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds auralis and runs the main job: make_demo_wav writes an 8 s multi-tone stereo WAV, and
# auralis-analyze analyses it, prints its summary and writes the full result as JSON and the
# band spectrum as SVG (build-run/demo.json, build-run/demo.svg).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh run
cmake -S . -B build-run -DCMAKE_BUILD_TYPE=Release -DAURALIS_BUILD_TESTS=OFF \
  -DAURALIS_BUILD_EXAMPLES=ON >/dev/null
cmake --build build-run -j "$(nproc)" --target auralis_analyze make_demo_wav >/dev/null
./build-run/examples/make_demo_wav build-run/demo.wav
./build-run/examples/auralis-analyze build-run/demo.wav \
  --json build-run/demo.json --svg build-run/demo.svg
echo "wrote build-run/demo.json and build-run/demo.svg"
