# SPDX-License-Identifier: GPL-3.0-or-later
"""Audio files through the library's libsndfile reader and writer (GIL released).

Integer PCM of b bits reads as k / 2^(b-1); float files as stored. Errors: AudioFileError (an
OSError) with ``kind``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from . import _native
from ._audio import as_real, as_samples

__all__ = ["AudioFileReader", "read_audio_file", "audio_file_info", "write_audio_file",
           "FORMATS"]

FORMATS = ("wav_pcm16", "wav_pcm24", "wav_float", "flac_pcm16", "flac_pcm24", "ogg_vorbis",
           "aiff_pcm16")


class AudioFileReader:
    """Sequential reader of one audio file (auralis::io::AudioFileReader): ``read(max_frames)``
    returns the next (n, channels) float64 block, n = 0 at the end; ``info`` is the header's
    description; usable as a context manager and as an iterator of blocks of 65536 frames."""

    def __init__(self, path: str | os.PathLike) -> None:
        self._native = _native.AudioFileReader(os.fsdecode(os.fspath(path)))

    @property
    def info(self) -> dict:
        return self._native.info

    @property
    def frames_read(self) -> int:
        return int(self._native.frames_read)

    def read(self, max_frames: int = 65536) -> np.ndarray:
        return self._native.read(max_frames)

    def close(self) -> None:
        self._native.close()

    def __enter__(self) -> "AudioFileReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self):
        while True:
            block = self.read()
            if block.shape[0] == 0:
                return
            yield block


def read_audio_file(path: str | os.PathLike) -> tuple[np.ndarray, float]:
    """The whole file as ``(samples, sample_rate)``; samples is a (frames, channels) float64
    array. Read in blocks; Ctrl-C raises KeyboardInterrupt between blocks."""
    return _native.read_audio_file(os.fsdecode(os.fspath(path)))


def audio_file_info(path: str | os.PathLike) -> dict:
    """What the header declares: frames, channels, sample_rate, format, duration."""
    return _native.audio_file_info(os.fsdecode(os.fspath(path)))


def write_audio_file(path: str | os.PathLike, audio: Any, sample_rate: float,
                     format: str = "wav_pcm16") -> None:
    """Writes (frames,) or (frames, channels) samples; `format` is one of FORMATS."""
    a = as_samples(audio, "audio")
    if a.dtype != np.float64:
        a = a.astype(np.float64)
    _native.write_audio_file(os.fsdecode(os.fspath(path)), a, as_real(sample_rate, "sample_rate"),
                             format)
