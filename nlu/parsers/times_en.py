"""English clock times: "7 pm", "7:30", "half past seven", "quarter to eight", "noon", "at 7".

An hour 1..12 without am/pm or a part-of-day phrase ("in the evening", "tonight") is
``ambiguous``; its value is the hour as said. Hours 0 and 13..23 are never ambiguous.
"""

from __future__ import annotations

import datetime as dt
import re

from nlu.types import SlotValue

from ._common import make_slot
from .numbers_en import parse_cardinal

__all__ = ["BARE_HOUR_EN", "apply_period_en", "extract_times_en"]

_F = re.IGNORECASE
_HW = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_HOUR = f"(?:(?<![\\d:.])\\d{{1,2}}(?![\\d:])|\\b(?:{_HW})\\b)"
_MINW = (
    "(?:(?:twenty|thirty|forty|fifty)(?:[\\s-](?:one|two|three|four|five|six|seven|eight|nine))?"
    "|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    "|o[\\s-]?(?:one|two|three|four|five|six|seven|eight|nine)|oh[\\s-](?:one|two|three|four|five|six|seven|eight|nine))"
)
_MER = re.compile(
    r"\s*(?:(?P<am>a\.?\s?m\b\.?)|(?P<pm>p\.?\s?m\b\.?)|(?P<phrase>in\s+the\s+(?:morning|afternoon|evening)"
    r"|at\s+night|tonight|this\s+(?:morning|afternoon|evening)))",
    _F,
)
_PATTERNS = [
    # 7:30, 19:30, 7.30pm (the dot form needs am/pm, otherwise it is a decimal)
    re.compile(
        r"(?<![\d:.])(?P<h>\d{1,2})(?::(?P<m>[0-5]\d)|\.(?P<dm>[0-5]\d)(?=\s*[ap]\.?\s?m\b))(?![\d:])",
        _F,
    ),
    # seven o'clock, 7 oclock
    re.compile(f"(?P<h>{_HOUR})\\s*o'?\\s?clock\\b", _F),
    # half past seven, quarter to eight, ten past 7, twenty to eight, 10 minutes past 7
    re.compile(
        # "5 to 7" and "from five to seven" are ranges; digits need "minutes"
        f"(?<!from\\s)(?<!between\\s)\\b(?P<rel>half|(?:a\\s+)?quarter"
        f"|(?:{_MINW}|five|ten|twenty)(?:\\s+minutes?)?|\\d{{1,2}}\\s+minutes?)"
        f"\\s+(?P<dir>past|after|to|till|before)\\s+(?P<h>{_HOUR})",
        _F,
    ),
    # half seven (British)
    re.compile(f"\\bhalf\\s+(?P<h>\\b(?:{_HW})\\b)(?!\\s+(?:past|to))", _F),
    # seven thirty, eight fifteen, nine oh five (words only: "7 30" is too often something else)
    re.compile(f"\\b(?P<h>{_HW})[\\s-](?P<mw>{_MINW})\\b", _F),
    # 7 pm, seven pm, 8 in the evening, 8 tonight (the meridiem is required here)
    re.compile(
        f"(?P<h>{_HOUR})(?=\\s*(?:[ap]\\.?\\s?m\\b|in\\s+the\\s+|at\\s+night|tonight|this\\s+))", _F
    ),
]
# at 7, around seven, by 8 (ambiguous); the span starts at the number
_AT = re.compile(
    f"\\b(?:at|around|about|by|until|till)\\s+(?:about\\s+|around\\s+)?(?P<h>{_HOUR})"
    f"(?!\\s*(?:people|persons|guests|of\\b|adults|kids|children|[/,.]?\\d))",
    _F,
)
# "between 7 and 8", "between 7:30 and 8 pm": a range; its start is the time, the meridiem said
# after the end applies to both
_BETWEEN = re.compile(
    f"\\bbetween\\s+(?P<h>(?<![\\d:.])\\d{{1,2}}(?=:[0-5]\\d)|{_HOUR})(?::(?P<m>[0-5]\\d))?(?:\\s*(?P<pm1>[ap])\\.?\\s?m\\b\\.?)?"
    f"\\s+and\\s+(?P<h2>(?<![\\d:.])\\d{{1,2}}(?=:[0-5]\\d)|{_HOUR})(?::[0-5]\\d)?",
    _F,
)
# the part of the day said first: "in the evening 4:15", "in afternoon 3:30", "the afternoon 12",
# "this evening at 7"; the span starts at the part of the day (it wins over the bare "4:15")
_PERIOD_FIRST = re.compile(
    r"\b(?:(?:in|this)\s+(?:the\s+)?|the\s+)?(?P<pw>morning|afternoon|evening|night|tonight)\s*,?\s+"
    f"(?:at\\s+|around\\s+|about\\s+)?(?P<h>(?<![\\d:.])\\d{{1,2}}(?=:[0-5]\\d)|{_HOUR})(?::(?P<m>[0-5]\\d)|[\\s-](?P<mw>{_MINW})\\b)?"
    r"(?:\s*o'?\s?clock\b)?(?!\s*(?:people|persons|guests|of\b|adults|kids|children|[ap]\.?\s?m\b|[/,.:]?\d))",
    _F,
)
_HALF_BRITISH = _PATTERNS[3]
_PATTERNS.append(_AT)
_OH_PREFIX = re.compile(r"^oh?[\s-]?(?=one|two|three|four|five|six|seven|eight|nine)")
_MINUTES_WORD = re.compile(r"\s+minutes?$")
# lunchtime, dinner time, this evening are parts of the day, not times: the agent asks the hour
# (nlu.parsers.periods names them)
_POINT_RE = re.compile(r"\b(?P<w>noon|midday|midnight)\b", _F)
_POINTS = {"noon": 12, "midday": 12, "midnight": 0}

#: A bare hour answer to "what time?": "7", "seven".
BARE_HOUR_EN = re.compile(f"(?P<num>{_HOUR})", _F)


def apply_period_en(period: str | None, hour: int) -> tuple[int, bool]:
    """Apply am/pm or a part-of-day phrase to an hour said on a 12-hour clock.

    Args:
        period: ``"am"``, ``"pm"``, ``"night"`` or None.
        hour: the hour as said, 0..23.

    Returns:
        ``(hour_24, ambiguous)``.
    """
    if hour == 0 or hour > 12:
        return hour % 24, False
    if period is None:
        return hour, True
    if period == "am":
        return (0 if hour == 12 else hour), False
    if period == "night":
        if hour == 12:
            return 0, False
        return (hour if hour <= 4 else hour + 12), False
    return (12 if hour == 12 else hour + 12), False


def _period(m: re.Match[str] | None) -> str | None:
    if m is None:
        return None
    if m.group("am"):
        return "am"
    if m.group("pm"):
        return "pm"
    phrase = m.group("phrase").lower()
    if "morning" in phrase:
        return "am"
    if "night" in phrase and "tonight" not in phrase:
        return "night"
    return "pm"


def _hour(raw: str) -> int | None:
    value = parse_cardinal(raw)
    return value if value is not None and 0 <= value <= 24 else None


def _minutes(m: re.Match[str]) -> int | None:
    g = m.groupdict()
    if g.get("m"):
        return int(g["m"])
    if g.get("dm"):
        return int(g["dm"])
    if g.get("mw"):
        words = _OH_PREFIX.sub("", g["mw"].lower())  # "oh five" / "o five" -> "five"
        return parse_cardinal(words)
    return 0


def _ranges(text: str) -> list[tuple[int, int, dt.time, bool]]:
    found = []
    for m in _BETWEEN.finditer(text):
        hour, last = _hour(m.group("h")), _hour(m.group("h2"))
        if hour is None or last is None:
            continue
        end = m.end()
        mer = _MER.match(text, end)
        period = _period(mer)
        if mer is not None:
            end = mer.end()
        if m.group("pm1"):
            period = "am" if m.group("pm1").lower() == "a" else "pm"
        elif period == "pm" and hour > last:  # "between 11 and 1 pm": the start is before noon
            period = "am"
        h24, ambiguous = apply_period_en(period, hour)
        found.append((m.start(), end, dt.time(h24 % 24, int(m.group("m") or 0)), ambiguous))
    return found


def _candidates(text: str) -> list[tuple[int, int, dt.time, bool]]:
    found: list[tuple[int, int, dt.time, bool]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            hour = _hour(m.group("h"))
            minute = _minutes(m)
            if hour is None or minute is None or minute > 59:
                continue
            rel = (m.groupdict().get("rel") or "").lower()
            if rel:
                minute = (
                    30
                    if rel == "half"
                    else 15
                    if "quarter" in rel
                    else parse_cardinal(_MINUTES_WORD.sub("", rel)) or 0
                )
                if minute > 59:
                    continue
            elif pattern is _HALF_BRITISH:
                minute = 30
            end = m.end()
            mer = _MER.match(text, end)
            period = _period(mer)
            if mer is not None:
                end = mer.end()
            before = bool(m.groupdict().get("dir")) and m.group("dir").lower() in (
                "to",
                "till",
                "before",
            )
            if before and minute and 1 <= hour <= 12 and mer is not None and mer.group("phrase"):
                # "quarter to 12 in the morning" is 11:45 am: the part of the day belongs to the
                # time said, not to the hour it counts down to
                said = 12 if hour == 1 else hour - 1
                h24, ambiguous = apply_period_en(period, said)
                found.append((m.start(), end, dt.time(h24 % 24, 60 - minute), ambiguous))
                continue
            h24, ambiguous = apply_period_en(period, hour)
            value = dt.datetime.combine(dt.date(2000, 1, 2), dt.time(h24 % 24, minute))
            if before:
                value = dt.datetime.combine(value.date(), dt.time(h24 % 24)) - dt.timedelta(
                    minutes=minute
                )
            start = m.start("h") if pattern is _AT else m.start()
            found.append((start, end, value.time(), ambiguous))
    for m in _PERIOD_FIRST.finditer(text):
        hour, minute = _hour(m.group("h")), _minutes(m)
        if hour is None or minute is None or minute > 59:
            continue
        word = m.group("pw").lower()
        period = "am" if word == "morning" else "night" if word == "night" else "pm"
        h24, ambiguous = apply_period_en(period, hour)
        found.append((m.start(), m.end(), dt.time(h24 % 24, minute), ambiguous))
    found.extend(_ranges(text))
    for m in _POINT_RE.finditer(text):
        found.append((m.start(), m.end(), dt.time(_POINTS[m.group("w").lower()], 0), False))
    return found


def extract_times_en(text: str) -> list[SlotValue]:
    """Find English clock times in ``text``.

    Args:
        text: the utterance.

    Returns:
        One ``time`` slot per expression, in text order; overlapping candidates keep the longest.
    """
    chosen: list[tuple[int, int, dt.time, bool]] = []
    for cand in sorted(_candidates(text), key=lambda c: (c[0] - c[1], c[0])):
        if all(cand[1] <= s or e <= cand[0] for s, e, _, _ in chosen):
            chosen.append(cand)
    return [
        make_slot("time", value, text, s, e, ambiguous=amb)
        for s, e, value, amb in sorted(chosen, key=lambda c: c[0])
    ]
