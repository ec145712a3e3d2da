"""A campaign's rules: when to call (days, windows, holidays), how to retry, answering machines.

Everything here is pure (no database, no clock of its own): the dispatcher asks
:meth:`Schedule.allows` with the current instant and a person's time zone, and
:meth:`RetryPolicy.next_try` what to do after a call that did not reach the person.

Public holidays come from the maintained ``holidays`` package (``holidays.country_holidays``):
Korean lunar holidays (설날, 추석) and substitute holidays move every year and are not
written by hand here.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from common.errors import InputError

__all__ = [
    "DAY_NAMES",
    "RETRY_OUTCOMES",
    "MachinePolicy",
    "RetryPolicy",
    "RetryRule",
    "Schedule",
    "check_timezone",
    "holiday_name",
    "parse_days",
    "parse_duration",
    "parse_window",
]

#: Weekday names (Monday = 0), English and Korean.
DAY_NAMES = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6,
}  # fmt: skip
_DAY_LABELS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Outcomes of a call that did not reach its person, each with its own retry rule.
RETRY_OUTCOMES = ("no-answer", "busy", "failed", "voicemail")


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone (``Asia/Seoul``).

    Raises:
        InputError: unknown time zone.
    """
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {name!r} (an IANA name like Asia/Seoul)") from None
    return name


def parse_days(text: str) -> tuple[int, ...]:
    """Days of the week: ``mon-fri``, ``mon,wed,fri``, ``월-금``, ``daily``.

    Raises:
        InputError: an unknown day name.
    """
    text = text.strip().lower()
    if text in ("daily", "every day", "매일"):
        return tuple(range(7))
    days: set[int] = set()
    for part in re.split(r"[,\s]+", text):
        if not part:
            continue
        first, sep, last = part.partition("-")
        if first not in DAY_NAMES or (sep and last not in DAY_NAMES):
            raise InputError(f"days {text!r}: use names like mon-fri, mon,wed,fri or 월-금")
        start = DAY_NAMES[first]
        end = DAY_NAMES[last] if sep else start
        day = start
        while True:
            days.add(day)
            if day == end:
                break
            day = (day + 1) % 7
    if not days:
        raise InputError("days: at least one day of the week is needed")
    return tuple(sorted(days))


def parse_window(text: str) -> tuple[time, time]:
    """A calling window ``HH:MM-HH:MM`` in the person's local time (end after start).

    Raises:
        InputError: malformed, or the end is not after the start.
    """
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not match:
        raise InputError(f"window {text!r}: write it as HH:MM-HH:MM, e.g. 10:00-12:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        start, end = time(h1, m1), time(h2, m2) if (h2, m2) != (24, 0) else time.max
    except ValueError:
        raise InputError(f"window {text!r}: not a time of day") from None
    if end <= start:
        raise InputError(f"window {text!r}: the end must be after the start")
    return start, end


def parse_duration(text: str) -> float:
    """Seconds of ``90s``, ``30m``, ``2h``, ``1d`` (a bare number is minutes).

    Raises:
        InputError: malformed or negative.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match:
        raise InputError(f"duration {text!r}: write it like 30m, 2h, 1d or 90s")
    value = float(match.group(1))
    return value * {"s": 1, "m": 60, "": 60, "h": 3600, "d": 86400}[match.group(2)]


@lru_cache(maxsize=64)
def _holiday_calendar(country: str, year: int) -> holidays_lib.HolidayBase:
    return holidays_lib.country_holidays(country, years=year)


def holiday_name(country: str | None, day: date) -> str | None:
    """The public holiday on ``day`` in ``country`` (ISO code, e.g. ``KR``), else ``None``."""
    if not country:
        return None
    name = _holiday_calendar(country, day.year).get(day)
    return str(name) if name else None


@dataclass(frozen=True)
class Schedule:
    """When a campaign may call: days of the week and windows, local to each person.

    Attributes:
        days: weekdays allowed (Monday = 0).
        windows: ``(start, end)`` local times; a call starts inside one of them.
        timezone: the campaign's time zone (a person's own, if set, wins).
        holidays: ISO country whose public holidays are skipped (``KR``); ``None``: none.
    """

    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    windows: tuple[tuple[time, time], ...] = ((time(10), time(12)), (time(14), time(17)))
    timezone: str = "Asia/Seoul"
    holidays: str | None = "KR"

    def __post_init__(self) -> None:
        check_timezone(self.timezone)
        if not self.days or any(d not in range(7) for d in self.days):
            raise InputError("days: weekdays 0-6 (Monday = 0), at least one")
        if not self.windows:
            raise InputError("a schedule needs at least one calling window")
        if self.holidays:
            try:
                holidays_lib.country_holidays(self.holidays)
            except NotImplementedError:
                raise InputError(
                    f"holidays {self.holidays!r}: no public-holiday calendar for that country "
                    "(an ISO code like KR or US)"
                ) from None

    @property
    def zone(self) -> ZoneInfo:
        """The campaign's time zone."""
        return ZoneInfo(self.timezone)

    def why_not(self, instant: datetime, timezone: str | None = None) -> str | None:
        """Why no call may start at ``instant`` for a person in ``timezone``; ``None``: it may."""
        local = instant.astimezone(ZoneInfo(timezone or self.timezone))
        if local.weekday() not in self.days:
            return f"{_DAY_LABELS[local.weekday()]} is not a calling day"
        holiday = holiday_name(self.holidays, local.date())
        if holiday:
            return f"public holiday {local.date().isoformat()} ({holiday})"
        now = local.time().replace(tzinfo=None)
        if not any(start <= now < end for start, end in self.windows):
            return f"{now:%H:%M} local is outside the calling windows"
        return None

    def allows(self, instant: datetime, timezone: str | None = None) -> bool:
        """Whether a call may start at ``instant`` for a person in ``timezone``."""
        return self.why_not(instant, timezone) is None

    def next_opening(self, instant: datetime, timezone: str | None = None) -> datetime | None:
        """The first instant at or after ``instant`` when a call may start (within 400 days)."""
        zone = ZoneInfo(timezone or self.timezone)
        if self.allows(instant, timezone):
            return instant
        local = instant.astimezone(zone)
        for offset in range(400):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in self.days or holiday_name(self.holidays, day):
                continue
            for start, _end in sorted(self.windows):
                candidate = datetime.combine(day, start, tzinfo=zone)
                if candidate >= instant and self.allows(candidate, timezone):
                    return candidate
        return None

    def to_json(self) -> dict[str, Any]:
        """The JSON document stored with the campaign."""
        return {
            "days": list(self.days),
            "windows": [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in self.windows],
            "timezone": self.timezone,
            "holidays": self.holidays,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schedule:
        """Read what :meth:`to_json` wrote."""
        windows = tuple(parse_window(f"{s}-{e}") for s, e in data["windows"])
        return cls(
            days=tuple(data["days"]),
            windows=windows,
            timezone=data["timezone"],
            holidays=data.get("holidays"),
        )

    def describe(self) -> str:
        """``mon-fri 10:00-12:00, 14:00-17:00 Asia/Seoul, KR holidays skipped``."""
        days = ",".join(_DAY_LABELS[d] for d in self.days)
        windows = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.windows)
        skip = f", {self.holidays} holidays skipped" if self.holidays else ""
        return f"{days} {windows} {self.timezone}{skip}"


@dataclass(frozen=True)
class RetryRule:
    """How to retry after one outcome.

    Attributes:
        delay: seconds before the first retry.
        backoff: each further retry waits ``backoff`` times longer.
        max_attempts: attempts in a round (the first call included) before giving up.
    """

    delay: float
    backoff: float = 1.0
    max_attempts: int = 3

    def __post_init__(self) -> None:
        if self.delay < 0 or self.backoff < 1 or self.max_attempts < 1:
            raise InputError(
                "a retry rule needs delay >= 0, backoff >= 1 and max attempts >= 1, got "
                f"{self.delay:g}s, x{self.backoff:g}, {self.max_attempts}"
            )

    @classmethod
    def parse(cls, text: str) -> RetryRule:
        """``DELAY[,xBACKOFF][,MAX]``: ``30m,x2,3`` = 30 minutes, doubling, 3 attempts.

        Raises:
            InputError: malformed.
        """
        delay, backoff, max_attempts = None, 1.0, 3
        for part in (p.strip() for p in text.split(",")):
            if re.fullmatch(r"x\d+(\.\d+)?", part):
                backoff = float(part[1:])
            elif re.fullmatch(r"\d+", part) and delay is not None:
                max_attempts = int(part)
            elif delay is None:
                delay = parse_duration(part)
            else:
                raise InputError(f"retry {text!r}: write it as DELAY,xBACKOFF,MAX e.g. 30m,x2,3")
        if delay is None:
            raise InputError(f"retry {text!r}: a delay is needed, e.g. 30m,x2,3")
        return cls(delay, backoff, max_attempts)


@dataclass(frozen=True)
class RetryPolicy:
    """A :class:`RetryRule` per outcome: ``no-answer``, ``busy``, ``failed``, ``voicemail``."""

    rules: dict[str, RetryRule] = field(
        default_factory=lambda: {
            "no-answer": RetryRule(3600, 2.0, 3),
            "busy": RetryRule(900, 2.0, 3),
            "failed": RetryRule(1800, 1.0, 2),
            "voicemail": RetryRule(7200, 1.0, 3),
        }
    )

    def __post_init__(self) -> None:
        unknown = set(self.rules) - set(RETRY_OUTCOMES)
        if unknown:
            raise InputError(
                f"retry: unknown outcome {sorted(unknown)[0]!r} "
                f"(one of {', '.join(RETRY_OUTCOMES)})"
            )
        missing = set(RETRY_OUTCOMES) - set(self.rules)
        if missing:
            defaults = RetryPolicy().rules
            object.__setattr__(self, "rules", {**{k: defaults[k] for k in missing}, **self.rules})

    def next_try(self, outcome: str, attempts_so_far: int) -> float | None:
        """Seconds until the next attempt after ``attempts_so_far`` calls; ``None``: give up."""
        rule = self.rules.get(outcome) or self.rules["failed"]
        if attempts_so_far >= rule.max_attempts:
            return None
        return rule.delay * rule.backoff ** (attempts_so_far - 1)

    def with_rules(self, changes: dict[str, RetryRule]) -> RetryPolicy:
        """A copy with some outcomes' rules replaced."""
        return RetryPolicy({**self.rules, **changes})

    def to_json(self) -> dict[str, Any]:
        """The JSON document stored with the campaign."""
        return {k: asdict(v) for k, v in sorted(self.rules.items())}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RetryPolicy:
        """Read what :meth:`to_json` wrote."""
        return cls({k: RetryRule(**v) for k, v in data.items()})

    def describe(self) -> str:
        """``no-answer 60m x2 max 3; busy ...``."""
        return "; ".join(
            f"{k} {v.delay / 60:g}m x{v.backoff:g} max {v.max_attempts}"
            for k, v in sorted(self.rules.items())
        )


#: The default voicemail messages, per language ({name}: the person).
DEFAULT_MESSAGES = {
    "ko": "안녕하세요, {name}님. 안부 전화 드렸습니다. 다음에 다시 연락드리겠습니다.",
    "en": "Hello {name}, this is your weekly check-in call. We will call you again soon.",
}


@dataclass(frozen=True)
class MachinePolicy:
    """What to do when an answering machine picks up (Twilio's ``MachineDetection``).

    Attributes:
        action: ``hangup`` (hang up, retry by the ``voicemail`` rule), ``message`` (wait for
            the beep, speak ``message`` and count the person reached by message), or ``off``
            (no detection: a machine is talked to like a person).
        message: the words left (``{name}``: the person), for ``message``.
    """

    action: str = "hangup"
    message: str = ""

    def __post_init__(self) -> None:
        if self.action not in ("hangup", "message", "off"):
            raise InputError(
                f"answering machines: {self.action!r} is not one of hangup, message, off"
            )
        if self.action == "message" and not self.message.strip():
            raise InputError("answering machines: 'message' needs the words to leave")

    @property
    def twilio_detection(self) -> str | None:
        """Twilio's ``MachineDetection`` value: ``Enable``, ``DetectMessageEnd`` or ``None``."""
        return {"hangup": "Enable", "message": "DetectMessageEnd"}.get(self.action)

    def to_json(self) -> dict[str, Any]:
        """The JSON document stored with the campaign."""
        return {"action": self.action, "message": self.message}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MachinePolicy:
        """Read what :meth:`to_json` wrote."""
        return cls(data.get("action", "hangup"), data.get("message", ""))
