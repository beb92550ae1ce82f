# SPDX-License-Identifier: GPL-3.0-or-later
"""Exceptions raised by auralis_native.

Every exception carries ``field``: the setting, argument or file path it is about, also named
in its message (``"auralis: fft_size: must be in [16, 1048576], got 8"``).

- :class:`InvalidArgument` (a :class:`ValueError`): a bad argument; subclasses
  :class:`InvalidSettings` (a setting out of range, an unknown window or weighting string, a
  negative size) and :class:`InvalidAudio` (empty, misshaped, NaN or infinite samples).
- :class:`AudioFileError` (an :class:`OSError`): a file is missing, unreadable, not audio,
  unsupported, truncated or empty; ``kind`` names the cause as auralis-batch does.
- :class:`BandProcessingError`, :class:`FeatureExtractionError`, :class:`FftError`: failures
  while running (a user's band filter or feature extractor raised, the FFT planner failed).
"""

from __future__ import annotations

__all__ = [
    "AuralisError",
    "InvalidArgument",
    "InvalidSettings",
    "InvalidAudio",
    "AuralisRuntimeError",
    "AudioFileError",
    "BandProcessingError",
    "FeatureExtractionError",
    "FftError",
]


class AuralisError(Exception):
    """Base of every auralis_native exception; ``field`` names the setting, argument or path."""

    def __init__(self, message: str, field: str = "", **extra: object) -> None:
        super().__init__(message)
        self.field = field
        for key, value in extra.items():
            setattr(self, key, value)

    def __reduce__(self):  # picklable with its field (errors cross process boundaries in Dask)
        extra = {k: v for k, v in self.__dict__.items() if k != "field"}
        return (_rebuild, (type(self), str(self), self.field, extra))


def _rebuild(cls, message, field, extra):
    return cls(message, field, **extra)


class InvalidArgument(AuralisError, ValueError):
    """An argument or setting is invalid (auralis::InvalidArgument)."""


class InvalidSettings(InvalidArgument):
    """A setting is out of range or unknown (auralis::InvalidSettings)."""


class InvalidAudio(InvalidArgument):
    """Audio is unusable: empty, wrongly shaped, NaN or infinite (auralis::InvalidAudio)."""


class AuralisRuntimeError(AuralisError, RuntimeError):
    """Something failed while running (auralis::RuntimeError)."""


class AudioFileError(AuralisRuntimeError, OSError):
    """An audio file could not be read or written; ``kind`` is one of missing, not_a_file,
    unreadable, not_audio, unsupported, truncated, empty, unwritable."""

    kind: str = ""

    @property
    def path(self) -> str:
        return self.field

    @property
    def filename(self) -> str:  # type: ignore[override]
        return self.field


class BandProcessingError(AuralisRuntimeError):
    """A band filter raised or returned a wrong-length output; ``band`` is its index."""

    band: int = -1


class FeatureExtractionError(AuralisRuntimeError):
    """A feature extractor raised; ``feature`` is its name."""

    feature: str = ""


class FftError(AuralisRuntimeError):
    """FFTW could not create a plan."""
