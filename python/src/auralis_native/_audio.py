# SPDX-License-Identifier: GPL-3.0-or-later
"""Input conversion shared by every module: numpy arrays in, no copy when possible."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .errors import InvalidArgument, InvalidAudio, InvalidSettings


def as_samples(audio: Any, field: str, *, ndims: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """`audio` as a C-contiguous float32 or float64 array of shape (frames,) or (frames, channels).

    C-contiguous float32/float64 arrays are returned as they are (the library reads them in
    place). Anything else is converted once: other float types and layouts (Fortran order,
    strided views) to a contiguous copy, signed integer PCM of b bits to float64 scaled by
    2^-(b-1) (16-bit k reads as k / 32768, as the audio-file reader scales it), unsigned 8-bit PCM
    (WAV's) to (k - 128) / 128. Raises InvalidAudio naming `field` for other dtypes or shapes.
    """
    a = np.asarray(audio)
    if a.ndim not in ndims:
        shapes = " or ".join({1: "(frames,)", 2: "(frames, channels)"}[n] for n in ndims)
        raise InvalidAudio(
            f"auralis: {field}: must have shape {shapes}, got shape {a.shape}", field)
    kind = a.dtype.kind
    if a.dtype == np.float64 or a.dtype == np.float32:
        return a if a.flags.c_contiguous else np.ascontiguousarray(a)
    if kind == "f":
        return np.ascontiguousarray(a, dtype=np.float64)
    if kind == "i":
        out = np.ascontiguousarray(a, dtype=np.float64)
        out *= 2.0 ** -(a.dtype.itemsize * 8 - 1)
        return out
    if kind == "u" and a.dtype.itemsize == 1:
        out = np.ascontiguousarray(a, dtype=np.float64)
        out -= 128.0
        out *= 1.0 / 128.0
        return out
    raise InvalidAudio(
        f"auralis: {field}: unsupported dtype {a.dtype}; expected float32, float64 or signed "
        "integer PCM", field)


def as_count(value: Any, field: str) -> int:
    """A non-negative integer setting, else InvalidSettings naming `field`."""
    if isinstance(value, bool):
        raise InvalidSettings(f"auralis: {field}: must be an integer, got {value!r}", field)
    try:
        v = operator.index(value)
    except TypeError:
        if isinstance(value, float) and value.is_integer():
            v = int(value)
        else:
            raise InvalidSettings(
                f"auralis: {field}: must be an integer, got {value!r}", field) from None
    if v < 0:
        raise InvalidSettings(f"auralis: {field}: must be >= 0, got {v}", field)
    return v


def as_real(value: Any, field: str) -> float:
    """A real-valued setting, else InvalidSettings naming `field`."""
    if isinstance(value, bool):
        raise InvalidSettings(f"auralis: {field}: must be a number, got {value!r}", field)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidSettings(f"auralis: {field}: must be a number, got {value!r}", field) from None


def as_text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidSettings(f"auralis: {field}: must be a string, got {value!r}", field)
    return value


def as_bool(value: Any, field: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise InvalidSettings(f"auralis: {field}: must be True or False, got {value!r}", field)


def as_channel(channel: Any, channels: int) -> int:
    try:
        c = operator.index(channel)
    except TypeError:
        raise InvalidArgument(f"auralis: channel: must be an integer, got {channel!r}",
                              "channel") from None
    if c != -1 and not 0 <= c < channels:
        raise InvalidArgument(
            f"auralis: channel: must be -1 (mean) or in [0, {channels}), got {c}", "channel")
    return c
