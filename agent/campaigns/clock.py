"""The campaign's clock: real time by default, simulated time in tests and benchmarks.

Every decision of a campaign (is this person inside a calling window, is a retry due, has a
lease expired, has a new week begun) asks a :class:`Clock`, never ``datetime.now`` directly,
so a test runs a week of calling on a simulated clock in seconds. ``AICALL_CLOCK`` chooses it
for every process of a deployment:

* ``system`` (default): the machine's clock.
* ``file:/path/clock.txt``: the instant written in the file (ISO 8601 with an offset), read again
  on each use: a test or benchmark moves simulated time forward for every process at once.
* ``fixed:2026-09-21T10:00:00+09:00``: one instant (a demo, a one-off report "as of").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from common.errors import InputError, NotConfiguredError

__all__ = ["Clock", "FileClock", "FixedClock", "SystemClock", "clock_from_spec", "parse_instant"]


class Clock(Protocol):
    """Tells the current instant (aware, UTC)."""

    def now(self) -> datetime:
        """The current instant, an aware UTC datetime."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """``datetime.now(UTC)``."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


@dataclass
class FixedClock:
    """A clock that shows one instant until it is moved (tests).

    Attributes:
        instant: the current instant (aware).
    """

    instant: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise InputError(f"a clock needs an aware instant, got {self.instant.isoformat()}")
        self.instant = self.instant.astimezone(UTC)

    def now(self) -> datetime:
        """The instant set."""
        return self.instant

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta``; returns the new instant."""
        self.instant += delta
        return self.instant

    def set(self, instant: datetime) -> None:
        """Move to ``instant`` (aware)."""
        if instant.tzinfo is None:
            raise InputError(f"a clock needs an aware instant, got {instant.isoformat()}")
        self.instant = instant.astimezone(UTC)


class FileClock:
    """The instant written in a file, read again on each :meth:`now` (shared simulated time).

    Args:
        path: a text file holding one ISO 8601 instant with an offset.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        """The instant in the file.

        Raises:
            NotConfiguredError: the file is missing or does not hold an aware instant.
        """
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except OSError as e:
            raise NotConfiguredError(f"AICALL_CLOCK: cannot read {self.path}: {e}") from e
        try:
            return parse_instant(text)
        except InputError as e:
            raise NotConfiguredError(f"AICALL_CLOCK: {self.path}: {e}") from e

    def set(self, instant: datetime) -> None:
        """Write ``instant`` (aware) to the file, atomically."""
        if instant.tzinfo is None:
            raise InputError(f"a clock needs an aware instant, got {instant.isoformat()}")
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(instant.astimezone(UTC).isoformat(), encoding="utf-8")
        tmp.replace(self.path)

    def __repr__(self) -> str:
        return f"FileClock({str(self.path)!r})"


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with an offset (``2026-09-21T10:00:00+09:00``), as aware UTC.

    Raises:
        InputError: not ISO 8601, or no offset.
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as e:
        raise InputError(
            f"{text!r} is not an ISO 8601 instant like 2026-09-21T10:00:00+09:00"
        ) from e
    if value.tzinfo is None:
        raise InputError(f"{text!r} has no UTC offset (write it like 2026-09-21T10:00:00+09:00)")
    return value.astimezone(UTC)


def clock_from_spec(spec: str | None) -> Clock:
    """The clock ``AICALL_CLOCK`` names: ``system``, ``file:PATH`` or ``fixed:INSTANT``.

    Raises:
        NotConfiguredError: an unknown kind or a malformed instant.
    """
    spec = (spec or "system").strip()
    if spec == "system":
        return SystemClock()
    kind, sep, rest = spec.partition(":")
    if sep and kind == "file" and rest:
        return FileClock(Path(rest).expanduser())
    if sep and kind == "fixed" and rest:
        try:
            return FixedClock(parse_instant(rest))
        except InputError as e:
            raise NotConfiguredError(f"AICALL_CLOCK: {e}") from e
    raise NotConfiguredError(
        f"AICALL_CLOCK={spec!r}: expected 'system', 'file:/path/clock.txt' or "
        "'fixed:2026-09-21T10:00:00+09:00'"
    )
