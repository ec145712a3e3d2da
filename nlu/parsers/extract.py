"""Entry points: one function per value type, and :func:`extract_all` for a whole utterance."""

from __future__ import annotations

import datetime as dt
import re

from nlu.types import SlotValue

from ._common import covered, make_slot, resolve_overlaps
from .counts import extract_counts_en, extract_counts_ko
from .dates_en import day_of_month, extract_dates_en
from .dates_ko import extract_dates_ko
from .numbers_en import CARDINAL, ORDINAL, parse_cardinal, parse_ordinal
from .numbers_ko import NATIVE_FULL, parse_native
from .phones import extract_phones as _extract_phones
from .times_en import apply_period_en, extract_times_en
from .times_ko import apply_period_ko, extract_times_ko
from .yesno import extract_yesno as _extract_yesno

__all__ = [
    "SLOT_TYPES",
    "extract_all",
    "extract_counts",
    "extract_dates",
    "extract_phones",
    "extract_times",
    "extract_yesno",
]

#: The slot types the parsers produce, in the order they win a tie over the same span.
SLOT_TYPES = ("phone", "date", "time", "count", "yesno")
_PRIORITY = {name: i for i, name in enumerate(SLOT_TYPES)}

_BARE_KO = re.compile(
    f"(?<![가-힣\\w.:/-])(?P<num>\\d{{1,3}}|{NATIVE_FULL})"
    "(?:이요|요|이에요|예요|입니다|이|이서)?(?![가-힣\\w:/-])"
)
# "that's the one", "this one" point at something: no number
_BARE_EN = re.compile(
    f"(?<![\\w.:/-])(?<!the\\s)(?<!that\\s)(?<!this\\s)(?<!which\\s)(?P<num>{CARDINAL})(?![\\w:/-])",
    re.IGNORECASE,
)
_BARE_CONFIDENCE = 0.8
# with a time asked for: "for 7" is seven o'clock, not a party of seven; "7 30" is 7:30
_FOR_HOUR_EN = re.compile(f"^for\\s+(?P<num>{CARDINAL})$", re.IGNORECASE)
_HOUR_MINUTE = re.compile(
    r"(?<![\w.:/-])(?P<h>1[0-9]|2[0-4]|0?[0-9])\s+(?P<m>[0-5][0-9])(?![\w:/-])"
)
# with a date asked for: "3", "3rd", "the third", "3이요" are the day of the month
_BARE_DAY_EN = re.compile(
    f"(?<![\\w.:/-])(?:the\\s+)?(?P<num>{ORDINAL}|\\d{{1,2}})(?![\\w:/-])", re.IGNORECASE
)
_BARE_DAY_KO = re.compile(
    "(?<![\\w.:/-])(?P<num>\\d{1,2})(?:이요|요|이에요|예요|입니다)?(?![\\w:/-])"
)


def _is_ko(lang: str) -> bool:
    return isinstance(lang, str) and lang.lower().startswith("ko")


def extract_dates(text: str, lang: str, today: dt.date) -> list[SlotValue]:
    """Find dates in ``text``.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.
        today: the reference date for relative expressions ("내일", "next Friday").

    Returns:
        ``date`` slots (value ``datetime.date``) in text order.
    """
    if not isinstance(text, str) or not text:
        return []
    return extract_dates_ko(text, today) if _is_ko(lang) else extract_dates_en(text, today)


def extract_times(text: str, lang: str) -> list[SlotValue]:
    """Find clock times in ``text``.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.

    Returns:
        ``time`` slots (value ``datetime.time``) in text order; ``ambiguous`` when am/pm is open.
    """
    if not isinstance(text, str) or not text:
        return []
    return extract_times_ko(text) if _is_ko(lang) else extract_times_en(text)


def extract_counts(text: str, lang: str) -> list[SlotValue]:
    """Find party sizes (a number with a counter, or a people phrase) in ``text``.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.

    Returns:
        ``count`` slots (value ``int``) in text order.
    """
    if not isinstance(text, str) or not text:
        return []
    return extract_counts_ko(text) if _is_ko(lang) else extract_counts_en(text)


def extract_phones(text: str, lang: str) -> list[SlotValue]:
    """Find phone numbers in ``text``.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.

    Returns:
        ``phone`` slots (value: the digits, national form) in text order.
    """
    if not isinstance(text, str) or not text:
        return []
    return _extract_phones(text, lang)


def extract_yesno(text: str, lang: str) -> list[SlotValue]:
    """Find yes/no answers in ``text``.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.

    Returns:
        ``yesno`` slots (value ``bool``) in text order.
    """
    if not isinstance(text, str) or not text:
        return []
    return _extract_yesno(text, "ko" if _is_ko(lang) else "en")


def _bare_numbers(text: str, lang: str, taken: list[SlotValue]) -> list[tuple[int, int, int]]:
    pattern = _BARE_KO if _is_ko(lang) else _BARE_EN
    found = []
    for m in pattern.finditer(text):
        start, end = m.span("num")
        if covered(taken, start, end):
            continue
        raw = m.group("num")
        value = (
            int(raw)
            if raw.isdigit()
            else (parse_native(raw) if _is_ko(lang) else parse_cardinal(raw))
        )
        if value is not None:
            found.append((start, end, value))
    return found


def _fill_expected(
    text: str, lang: str, today: dt.date, expected: str | None, slots: list[SlotValue]
) -> list[SlotValue]:
    """Read bare answers as the slot the agent asked for; return all the slots.

    "넷이요" / "four" is a count when a count was asked; "일곱" / "seven" / "7 30" / "for 7" a
    time when a time was asked; "3" / "3rd" a day of the month when a date was asked.
    """
    if expected == "time" and not any(s.name == "time" for s in slots):
        slots = _time_bias(text, lang, slots)
    if expected == "date" and not any(s.name == "date" for s in slots):
        return slots + _bare_days(text, lang, today, slots)
    if expected not in ("count", "time") or any(s.name == expected for s in slots):
        return slots
    out: list[SlotValue] = []
    for start, end, value in _bare_numbers(text, lang, slots):
        if expected == "count" and 0 < value <= 999:
            out.append(make_slot("count", value, text, start, end, confidence=_BARE_CONFIDENCE))
        elif expected == "time" and 0 <= value <= 24:
            out.append(_bare_hour(text, lang, start, end, value, 0))
    return slots + out


def _bare_hour(text: str, lang: str, start: int, end: int, hour: int, minute: int) -> SlotValue:
    apply = apply_period_ko if _is_ko(lang) else apply_period_en
    h24, ambiguous = apply(None, hour)
    return make_slot(
        "time",
        dt.time(h24 % 24, minute),
        text,
        start,
        end,
        confidence=_BARE_CONFIDENCE,
        ambiguous=ambiguous,
    )


def _time_bias(text: str, lang: str, slots: list[SlotValue]) -> list[SlotValue]:
    """With a time asked for: "for 7" (a count otherwise) and "7 30" are times."""
    out: list[SlotValue] = []
    for s in slots:
        m = _FOR_HOUR_EN.match(s.text) if s.name == "count" and not _is_ko(lang) else None
        hour = parse_cardinal(m.group("num")) if m else None
        if m and hour is not None and hour <= 24:
            start = s.start + m.start("num")
            out.append(_bare_hour(text, lang, start, s.end, hour, 0))
        else:
            out.append(s)
    for m in _HOUR_MINUTE.finditer(text):
        if not covered(out, m.start(), m.end()):
            out.append(_bare_hour(text, lang, m.start(), m.end(), int(m["h"]), int(m["m"])))
    return out


def _bare_days(text: str, lang: str, today: dt.date, slots: list[SlotValue]) -> list[SlotValue]:
    pattern = _BARE_DAY_KO if _is_ko(lang) else _BARE_DAY_EN
    for m in pattern.finditer(text):
        if covered(slots, m.start(), m.end()):
            continue
        raw = m.group("num")
        day = int(raw) if raw.isdigit() else parse_ordinal(raw)
        value = day_of_month(today, day) if day and 1 <= day <= 31 else None
        if value is not None:
            return [
                make_slot("date", value, text, m.start(), m.end("num"), confidence=_BARE_CONFIDENCE)
            ]
    return []


def extract_all(
    text: str, lang: str, today: dt.date, expected: str | None = None
) -> list[SlotValue]:
    """Find every typed value in ``text``, without overlaps between types.

    Overlapping candidates of different types are settled by span length, then by type
    (phone, date, time, count, yesno): "네 명" is a count, not a yes. A date and a time may share
    words ("8 tonight"). ``expected`` is the slot the agent just asked for; a bare answer fills
    it: with ``expected="count"`` "넷이요" / "four" is a count, with ``expected="time"`` "일곱" /
    "seven" is 7:00 (``ambiguous``), with ``expected="phone"`` a shorter digit run (7+) is a
    phone number. Without ``expected`` bare numbers are left alone.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.
        today: the reference date for relative dates.
        expected: ``"date"``, ``"time"``, ``"count"``, ``"phone"``, ``"yesno"`` or None.

    Returns:
        Slots sorted by position.
    """
    if not isinstance(text, str) or not text:
        return []
    cands = [
        *_extract_phones(text, lang, lenient=expected == "phone"),
        *extract_dates(text, lang, today),
        *extract_times(text, lang),
        *extract_counts(text, lang),
        *extract_yesno(text, lang),
    ]
    slots = resolve_overlaps(cands, _PRIORITY)
    slots = _fill_expected(text, lang, today, expected, slots)
    return sorted(slots, key=lambda s: (s.start, s.end))
