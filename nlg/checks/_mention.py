"""Facts mentioned in a text (dates, times, counts, numbers, phones, prices) and how they match.

A mention keeps every reading its words allow: "7시" is 07:00 or 19:00, "3일" is the 3rd of any
month, "금요일" is any Friday. A mention is compatible with a value when one reading equals it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

__all__ = ["Mention", "date_matches", "mentions_compatible", "normalise_phone", "time_matches"]

DATE = "date"
TIME = "time"
COUNT = "count"
NUMBER = "number"
PHONE = "phone"
PRICE = "price"

# Relative day words and their offset from today.
RELATIVE_DAYS = {
    "오늘": 0,
    "내일": 1,
    "모레": 2,
    "글피": 3,
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
}


@dataclass(frozen=True)
class Mention:
    """One fact found in a text.

    Attributes:
        kind: ``date``, ``time``, ``count`` (people), ``number``, ``phone`` or ``price``.
        text: the span as written.
        start: start offset.
        end: end offset (exclusive).
        year: for dates, when said.
        month: for dates, when said.
        day: for dates, when said.
        weekday: for dates, Monday = 0, when said.
        relative: for dates, a relative day word (``내일``, ``tomorrow``).
        hours: for times, every 24-hour reading of the hour.
        minute: for times, the minute (0 when not said).
        number: for counts, numbers and prices, the amount.
        digits: for phones, the national digits.
    """

    kind: str
    text: str
    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    relative: str | None = None
    hours: frozenset[int] = frozenset()
    minute: int = 0
    number: int | None = None
    digits: str | None = None

    def numbers(self) -> set[int]:
        """Every plain number this mention states (for matching bare numbers against it)."""
        out: set[int] = set()
        for n in (self.month, self.day, self.number):
            if n is not None:
                out.add(n)
        for h in self.hours:
            out.update({h, h % 12 or 12})
        if self.kind == TIME and self.minute:
            out.add(self.minute)
        return out


def hours_for(hour: int, period: str | None) -> frozenset[int]:
    """The 24-hour readings of ``hour`` said with an optional period word."""
    if not 0 <= hour <= 24:
        return frozenset()
    if hour == 24:
        return frozenset({0})
    p = (period or "").lower().replace(".", "").replace(" ", "")
    if p in ("오전", "아침", "새벽", "am", "morning", "inthemorning"):
        return frozenset({0 if hour == 12 else hour})
    if p in ("오후", "저녁", "pm", "evening", "afternoon", "intheevening", "intheafternoon"):
        return frozenset({hour if hour >= 12 else hour + 12})
    if p in ("밤", "tonight", "atnight", "night"):
        if hour == 12:
            return frozenset({0})
        return frozenset({hour + 12 if 6 <= hour < 12 else hour})
    if p in ("낮", "점심", "noon"):
        return frozenset({hour if hour >= 10 else hour + 12})
    if hour >= 13 or hour == 0:
        return frozenset({hour})
    if hour == 12:
        return frozenset({12, 0})
    return frozenset({hour, hour + 12})


def normalise_phone(text: str) -> str:
    """National digits of a phone number: ``+82 2-555-0100`` and ``02 555 0100`` are equal."""
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+82") and digits.startswith("82"):
        digits = "0" + digits[2:]
    elif text.strip().startswith("+1") and digits.startswith("1") and len(digits) == 11:
        digits = digits[1:]
    return digits


def date_matches(m: Mention, d: date, today: date | None) -> bool:
    """True when the date mention ``m`` can mean ``d``."""
    if m.relative is not None:
        if today is None:
            return False
        return today + timedelta(days=RELATIVE_DAYS[m.relative]) == d
    said = (m.year, m.month, m.day, m.weekday)
    if all(x is None for x in said):
        return False
    return (
        (m.year is None or m.year == d.year)
        and (m.month is None or m.month == d.month)
        and (m.day is None or m.day == d.day)
        and (m.weekday is None or m.weekday == d.weekday())
    )


def time_matches(m: Mention, t: time) -> bool:
    """True when the time mention ``m`` can mean ``t``."""
    return t.hour in m.hours and m.minute == t.minute


def mentions_compatible(a: Mention, b: Mention) -> bool:
    """True when two mentions can state the same fact (a reply repeating the template's)."""
    if a.kind == DATE and b.kind == DATE:
        if a.relative or b.relative:
            return a.relative == b.relative
        pairs = [(a.year, b.year), (a.month, b.month), (a.day, b.day), (a.weekday, b.weekday)]
        shared = [(x, y) for x, y in pairs if x is not None and y is not None]
        return bool(shared) and all(x == y for x, y in shared)
    if a.kind == TIME and b.kind == TIME:
        return bool(a.hours & b.hours) and a.minute == b.minute
    if a.kind == PHONE and b.kind == PHONE:
        return a.digits == b.digits
    if a.kind in (COUNT, NUMBER, PRICE) and b.kind in (COUNT, NUMBER, PRICE):
        return a.number == b.number
    return False
