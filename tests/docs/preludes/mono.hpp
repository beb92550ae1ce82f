// SPDX-License-Identifier: GPL-3.0-or-later
// Prelude: `mono`, a mono signal the application has loaded.
#pragma once
#include <vector>

extern const std::vector<double> mono;
