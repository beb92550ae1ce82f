#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages auralis needs, only those missing.
# Usage: deps.sh run|test|fuzz|tsan (fuzz: clang-14 and libFuzzer for scripts/fuzz.sh; tsan: what
# scripts/tsan.sh needs to fetch and build oneTBB's source with ThreadSanitizer)
set -eu
pkgs="cmake g++ make pkg-config libfftw3-dev libeigen3-dev libtbb-dev libsndfile1-dev libebur128-dev libcli11-dev nlohmann-json3-dev"
if [ "${1:-test}" = test ]; then
  pkgs="$pkgs libgtest-dev libgmock-dev libbenchmark-dev clang-format util-linux"
  pkgs="$pkgs python3 python3-jsonschema python3-clang-14"
  # The Python package's ctest: a virtual environment and the headers to build the extension.
  pkgs="$pkgs python3-venv python3-dev"
fi
if [ "${1:-test}" = fuzz ]; then
  pkgs="$pkgs clang-14 libclang-rt-14-dev llvm-14"
fi
if [ "${1:-test}" = tsan ]; then
  pkgs="$pkgs libgtest-dev libgmock-dev dpkg-dev xz-utils"
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "deps.sh: installing$missing"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi
