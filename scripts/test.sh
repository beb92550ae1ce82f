#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds auralis with every test (warnings as errors) and runs the whole suite, including the
# Python package (python/): pip-installed into a virtual environment under build/ and its pytest
# suite run through ctest (AURALIS_PYTHON_TESTS).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh test
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DAURALIS_WERROR=ON -DAURALIS_BUILD_TESTS=ON \
  -DAURALIS_BUILD_EXAMPLES=ON -DAURALIS_BUILD_BENCH=ON -DAURALIS_PYTHON_TESTS=ON
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600
