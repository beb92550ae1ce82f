# SPDX-License-Identifier: GPL-3.0-or-later
"""The parallel processor layer, at the reference's path (auralis.optimization.*)."""
