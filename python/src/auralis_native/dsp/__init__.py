# SPDX-License-Identifier: GPL-3.0-or-later
"""Signal processing (the reference's auralis.dsp.*)."""
