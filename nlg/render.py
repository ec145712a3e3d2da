"""Render slot values as a person would say them, per language.

Korean: "12월 3일 목요일", "저녁 7시 30분", "낮 12시 30분", "4명", "010-1234-5678".
English: "Thursday, December 3rd", "7:30 pm", "4 people", "555-123-4567".
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

__all__ = ["render_ago", "render_count", "render_date", "render_phone", "render_time"]

_KO_WEEKDAYS = ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일")
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def render_date(value: date, lang: str) -> str:
    """A date with its weekday."""
    if lang == "ko":
        return f"{value.month}월 {value.day}일 {_KO_WEEKDAYS[value.weekday()]}"
    return f"{_EN_WEEKDAYS[value.weekday()]}, {_EN_MONTHS[value.month - 1]} {_ordinal(value.day)}"


def render_time(value: time, lang: str, *, half: bool = False) -> str:
    """A clock time the way it is said on the phone.

    Args:
        value: the time.
        lang: ``"ko"`` or ``"en"``.
        half: say half past as callers do ("저녁 7시 반"), not "저녁 7시 30분" (Korean).
    """
    h, m = value.hour, value.minute
    if lang == "ko":
        # the noon hour is 낮 whatever the minutes ("낮 12시", "낮 12시 30분"), never 오후 12시
        period = (
            "새벽"
            if h < 6
            else "오전"
            if h < 12
            else "낮"
            if h == 12
            else "오후"
            if h < 17
            else "저녁"
            if h < 21
            else "밤"
        )
        hour12 = h % 12 or 12
        minutes = " 반" if half and m == 30 else f" {m}분" if m else ""
        return f"{period} {hour12}시{minutes}"
    if h == 12 and m == 0:
        return "noon"
    hour12 = h % 12 or 12
    suffix = "am" if h < 12 else "pm"
    return f"{hour12}:{m:02d} {suffix}" if m else f"{hour12} {suffix}"


def render_count(value: int, lang: str) -> str:
    """A party size."""
    if lang == "ko":
        return f"{value}명"
    return f"{value} person" if value == 1 else f"{value} people"


def render_phone(value: Any, lang: str) -> str:
    """Phone digits grouped as they are read out."""
    d = "".join(ch for ch in str(value) if ch.isdigit())
    if len(d) == 11:  # a Korean mobile number reads 3-4-4 in either language
        return f"{d[:3]}-{d[3:7]}-{d[7:]}"
    if lang == "ko" and len(d) == 10:
        return f"{d[:3]}-{d[3:6]}-{d[6:]}" if not d.startswith("02") else f"02-{d[2:6]}-{d[6:]}"
    if len(d) == 10:
        return f"{d[:3]}-{d[3:6]}-{d[6:]}"
    return d


def render_ago(days: int, lang: str) -> str:
    """When an earlier call was, as said when referring back to it ("지난주에", "last week").

    The wording fits before a clause ("{ago} 아프다고 하셨는데", "you told me {ago} that...").
    """
    if lang == "ko":
        if days <= 0:
            return "아까"
        if days == 1:
            return "어제"
        if days <= 4:
            return "며칠 전에"
        if days <= 10:
            return "지난주에"
        if days <= 17:
            return "2주 전에"
        return "지난번 통화 때"
    if days <= 0:
        return "earlier today"
    if days == 1:
        return "yesterday"
    if days <= 4:
        return "a few days ago"
    if days <= 10:
        return "last week"
    if days <= 17:
        return "two weeks ago"
    return "last time we spoke"
