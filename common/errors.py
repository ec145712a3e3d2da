"""The one exception root of the project, split by what the caller should do.

::

    AicallError                     anything this project raises on purpose
    ├── InputError                  bad input: fix the input (file, utterance, argument)
    │   └── ScenarioError           a scenario file is malformed (names file, line, field)
    ├── NotConfiguredError          a setting or optional package is missing
    └── BackendUnavailableError     a backend failed: retry, fall back or hand over
        ├── StoreUnavailableError   the database cannot be reached or failed mid-way
        └── CapacityError           no room left for a booking (a business answer, not a crash)

This module is a leaf: every package may import it, it imports nothing of the project.
"""

from __future__ import annotations

__all__ = [
    "AicallError",
    "BackendUnavailableError",
    "CapacityError",
    "InputError",
    "NotConfiguredError",
    "ScenarioError",
    "StoreUnavailableError",
]


class AicallError(Exception):
    """Root of every error the project raises on purpose; the CLI prints its message."""


class InputError(AicallError):
    """The input is wrong; the message says what and where."""


class ScenarioError(InputError):
    """A scenario file is malformed.

    Args:
        file: path of the scenario file.
        line: 1-based line of the offending node, when known.
        field: dotted path of the field (``slots.time.type``), when known.
        message: what is wrong.
    """

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        where = file if line is None else f"{file}:{line}"
        what = f"{field}: {message}" if field else message
        super().__init__(f"{where}: {what}")


class NotConfiguredError(AicallError):
    """A required setting or optional dependency is missing."""


class BackendUnavailableError(AicallError):
    """A backend (database, ASR, TTS, LLM) failed; the caller may retry or fall back."""


class StoreUnavailableError(BackendUnavailableError):
    """The database is unreachable or a transaction failed; nothing was half-written."""


class CapacityError(BackendUnavailableError):
    """The requested seating has no room left at that time."""
