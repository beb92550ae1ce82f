// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder: the loudness tests are being written.
#include <gtest/gtest.h>
