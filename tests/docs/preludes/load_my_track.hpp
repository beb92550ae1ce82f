// SPDX-License-Identifier: GPL-3.0-or-later
// Prelude of README.md's usage block: the application's own loader of interleaved audio.
#pragma once
#include <vector>

std::vector<float> load_my_track();
