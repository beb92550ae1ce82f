// SPDX-License-Identifier: GPL-3.0-or-later
/// @file
/// Library version. CMake parses the three AURALIS_VERSION_* macros below.
#pragma once

#define AURALIS_VERSION_MAJOR 0
#define AURALIS_VERSION_MINOR 1
#define AURALIS_VERSION_PATCH 0

namespace auralis {
/// The library version as "major.minor.patch".
inline constexpr const char* version_string = "0.1.0";
}  // namespace auralis
