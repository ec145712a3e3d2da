"""English dates: "today", "tomorrow", "Friday", "next Friday", "Dec 3rd", "the 3rd", "12/3".

Rules (weeks start on Monday):

- "Friday" / "on Friday" / "this coming Friday": the next Friday after today; said on a Friday
  it means a week later and is marked ``ambiguous``.
- "this Friday": the next Friday, today included.
- "next Friday": the Friday of next week. Said early in the week ("next Friday" on a Wednesday)
  some people mean the coming Friday, so it is then marked ``ambiguous``; the value stays the
  Friday of next week.
- "this weekend" / "the weekend": the coming Saturday (today on a Saturday or Sunday);
  "next weekend": the Saturday of next week.
- A month and day without a year that has already passed this year means next year;
  "the 3rd" that has passed this month means the 3rd of next month.
- "12/3" is month/day (US order).
- "in two days", "three days from now": today plus the days (up to 28).
"""

from __future__ import annotations

import datetime as dt
import re

from nlu.types import SlotValue

from ._common import make_slot
from .numbers_en import CARDINAL, ORDINAL, parse_cardinal, parse_ordinal

__all__ = ["day_of_month", "extract_dates_en", "next_weekday"]

_F = re.IGNORECASE
_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_MONTH_ABBR = {m[:3]: n for m, n in _MONTHS.items()} | {"sept": 9}
_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_WD_ABBR = {"mon": 0, "tue": 1, "tues": 1, "thu": 3, "thur": 3, "thurs": 3, "fri": 4}

_MONTH = (
    "(?:january|february|march|april|june|july|august|september|october|november|december"
    "|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\\.?|may)"
)
_WEEKDAY = (
    "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|thurs|thur|mon|tue|thu|fri)"
)
_DAY = f"(?:{ORDINAL}|\\d{{1,2}}(?!\\d|:|st|nd|rd|th))"
_YEAR = "(?:,?\\s+(?P<year>\\d{4}))?"
_WD_PREFIX = f"(?:(?P<wd>{_WEEKDAY}),?\\s+(?:the\\s+)?)?"

_RELATIVE = re.compile(
    r"\b(?:(?P<dat>(?:the\s+)?day\s+after\s+tomorrow)|(?P<tomorrow>tomorrow)|(?P<today>today|tonight"
    r"|this\s+(?:morning|afternoon|evening))|(?P<yesterday>yesterday))\b",
    _F,
)
# in two days, in 3 days' time, two days from now (up to four weeks ahead)
_IN_DAYS = re.compile(
    f"\\b(?:in\\s+(?P<n>a|{CARDINAL})\\s+days?(?:'?\\s*time)?"
    f"|(?P<n2>a|{CARDINAL})\\s+days?\\s+from\\s+(?:now|today))\\b",
    _F,
)
_WEEKEND = re.compile(r"\b(?:(?P<q>this|next|the|coming)\s+)?weekend\b", _F)
_WEEKDAY_RE = re.compile(
    f"\\b(?:(?P<q>this\\s+coming|this|next|coming|on)\\s+)?(?P<wd>{_WEEKDAY})\\b"
    f"(?P<nw>\\s+(?:of\\s+)?next\\s+week)?",
    _F,
)
_MONTH_DAY = re.compile(
    f"\\b{_WD_PREFIX}(?P<mon>{_MONTH})\\s+(?:the\\s+)?(?P<day>{_DAY}){_YEAR}\\b", _F
)
_DAY_MONTH = re.compile(
    f"\\b{_WD_PREFIX}(?:the\\s+)?(?P<day>{_DAY})\\s+(?:of\\s+)?(?P<mon>{_MONTH})(?![a-z]){_YEAR}",
    _F,
)
_NUMERIC = re.compile(
    r"(?<![\d/.:])(?P<mon>1[0-2]|0?[1-9])/(?P<day>3[01]|[12]\d|0?[1-9])(?:/(?P<year>\d{4}|\d{2}))?(?![\d/])"
)
_THE_DAY = re.compile(
    f"\\b(?P<the>the\\s+(?P<day>{ORDINAL}))\\b(?!\\s+(?:floor|time|person|one|row|table|of\\s+us))",
    _F,
)

# "the 11th of this month", "on 11th of next month", "11th of the month", "on 11th" (no "the")
_OF_MONTH = re.compile(
    f"\\b(?P<span>(?:the\\s+)?(?P<day>{ORDINAL})\\s+of\\s+"
    f"(?P<which>this|next|the\\s+next|the\\s+coming|the)\\s+month)\\b",
    _F,
)
_ON_DAY = re.compile(r"\bon\s+(?P<span>(?P<day>\d{1,2}(?:st|nd|rd|th)))\b(?!\s+(?:floor|of\b))", _F)


def next_weekday(today: dt.date, weekday: int, *, include_today: bool) -> dt.date:
    """The first ``weekday`` (Monday=0) on or after today (or strictly after).

    Args:
        today: the reference date.
        weekday: 0 for Monday .. 6 for Sunday.
        include_today: whether today itself counts.

    Returns:
        The date.
    """
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return today + dt.timedelta(days=ahead)


def _weekday_index(word: str) -> int | None:
    w = word.lower().rstrip(".")
    return _WEEKDAYS.get(w, _WD_ABBR.get(w))


def _month_index(word: str) -> int | None:
    w = word.lower().rstrip(".")
    return _MONTHS.get(w, _MONTH_ABBR.get(w[:4] if w.startswith("sept") else w[:3]))


def _day_value(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else parse_ordinal(raw)


def _month_day(today: dt.date, month: int, day: int, year: str | None) -> dt.date | None:
    try:
        if year:
            y = int(year)
            return dt.date(y + 2000 if y < 100 else y, month, day)
        value = dt.date(today.year, month, day)
        if value < today:
            value = dt.date(today.year + 1, month, day)
        return value
    except ValueError:
        return None


def day_of_month(today: dt.date, day: int) -> dt.date | None:
    """The next ``day`` of a month, today included ("the 3rd" said on the 25th: next month's)."""
    year, month = today.year, today.month
    for _ in range(13):
        try:
            value = dt.date(year, month, day)
        except ValueError:
            value = None
        if value is not None and value >= today:
            return value
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _of_month(text: str, today: dt.date) -> list[tuple[int, int, dt.date, bool]]:
    """Days said with their month: "the 11th of this month" (even when past), "on 11th"."""
    found: list[tuple[int, int, dt.date, bool]] = []
    for m in _OF_MONTH.finditer(text):
        day = _day_value(m.group("day"))
        if day is None:
            continue
        year, month = today.year, today.month
        if "next" in m.group("which").lower() or "coming" in m.group("which").lower():
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        try:
            found.append((m.start("span"), m.end("span"), dt.date(year, month, day), False))
        except ValueError:
            continue
    for m in _ON_DAY.finditer(text):
        day = _day_value(m.group("day"))
        value = day_of_month(today, day) if day and 1 <= day <= 31 else None
        if value is not None:
            found.append((m.start("span"), m.end("span"), value, False))
    return found


def _weekday_date(today: dt.date, m: re.Match[str]) -> tuple[dt.date, bool] | None:
    wd = _weekday_index(m.group("wd"))
    if wd is None:
        return None
    q = re.sub(r"\s+", " ", (m.group("q") or "").lower())
    if q == "next" or m.group("nw"):
        monday_next = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
        value = monday_next + dt.timedelta(days=wd)
        return value, q == "next" and wd > today.weekday()
    if q == "this":
        return next_weekday(today, wd, include_today=True), False
    return next_weekday(today, wd, include_today=False), wd == today.weekday()


def extract_dates_en(text: str, today: dt.date) -> list[SlotValue]:
    """Find English dates in ``text``, resolved against ``today``.

    Args:
        text: the utterance.
        today: the reference date (the caller's local date).

    Returns:
        ``date`` slots in text order; where candidates overlap the longest is kept.
    """
    cands: list[tuple[int, int, dt.date, bool]] = []
    for m in _RELATIVE.finditer(text):
        offset = (
            2 if m.group("dat") else 1 if m.group("tomorrow") else -1 if m.group("yesterday") else 0
        )
        cands.append((m.start(), m.end(), today + dt.timedelta(days=offset), False))
    for m in _IN_DAYS.finditer(text):
        raw = (m.group("n") or m.group("n2")).lower()
        days = 1 if raw == "a" else parse_cardinal(raw)
        if days is not None and 0 < days <= 28:
            cands.append((m.start(), m.end(), today + dt.timedelta(days=days), False))
    for m in _WEEKEND.finditer(text):
        if (m.group("q") or "").lower() == "next":
            value = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=12)
        else:
            value = today if today.weekday() >= 5 else next_weekday(today, 5, include_today=True)
        cands.append((m.start(), m.end(), value, False))
    for m in _WEEKDAY_RE.finditer(text):
        res = _weekday_date(today, m)
        if res is not None:
            start = m.start("wd") if (m.group("q") or "").lower() == "on" else m.start()
            cands.append((start, m.end(), res[0], res[1]))
    for pattern in (_MONTH_DAY, _DAY_MONTH, _NUMERIC):
        for m in pattern.finditer(text):
            month = int(m.group("mon")) if pattern is _NUMERIC else _month_index(m.group("mon"))
            day = _day_value(m.group("day"))
            if month is None or day is None:
                continue
            found = _month_day(today, month, day, m.group("year"))
            if found is None:
                continue
            wd = m.groupdict().get("wd")
            mismatch = wd is not None and _weekday_index(wd) != found.weekday()
            cands.append((m.start(), m.end(), found, mismatch))
    for m in _THE_DAY.finditer(text):
        day = _day_value(m.group("day"))
        of_month = day_of_month(today, day) if day else None
        if of_month is not None:
            cands.append((m.start("the"), m.end(), of_month, False))
    cands.extend(_of_month(text, today))
    chosen: list[tuple[int, int, dt.date, bool]] = []
    for c in sorted(cands, key=lambda c: (c[0] - c[1], c[0])):
        if all(c[1] <= s or e <= c[0] for s, e, _, _ in chosen):
            chosen.append(c)
    return [
        make_slot("date", v, text, s, e, ambiguous=amb)
        for s, e, v, amb in sorted(chosen, key=lambda c: c[0])
    ]
