// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder: the dynamics tests are being written.
#include <gtest/gtest.h>
