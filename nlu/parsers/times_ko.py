"""Korean clock times: "저녁 7시", "오후 세 시 반", "7시 30분", "19시", "정오", "자정".

Own rules rather than korean-datetime's: the span must stop at the time (the date part of
"금요일 저녁 7시" is a separate slot) and ambiguity follows one project-wide rule: an hour 1..12
without a part-of-day word (오전, 오후, 저녁, 밤...) is ``ambiguous``; its value is the hour as said.
A part of the day alone (점심, 점심때, 저녁때, 오후) is no time: :mod:`nlu.parsers.periods` names it.
"""

from __future__ import annotations

import datetime as dt
import re

from nlu.types import SlotValue

from ._common import make_slot
from .numbers_ko import NATIVE_ATTR, NATIVE_FULL, SINO, parse_native, parse_sino

__all__ = ["BARE_HOUR_KO", "apply_period_ko", "extract_times_ko"]

_PERIODS = "오전|오후|아침|저녁|밤|새벽|낮|점심"
# "오후에 3시 반", "저녁쯤 7시", "점심때 1시": a particle between the part of the day and the hour
_PERIOD_JOIN = "(?:때|시간)?(?:에는|에|엔|쯤에?|은|는)?"
_HOUR = f"(?:(?<!\\d)\\d{{1,2}}|(?<![가-힣]){NATIVE_ATTR})"
_HOUR_AFTER_PERIOD = f"(?:\\d{{1,2}}|{NATIVE_ATTR})"
_MIN = f"(?:\\d{{1,2}}|{SINO})"
# 시 followed by these is another word (시간 hours, 시즌, 시작...), not o'clock.
_NOT_SI = "(?!간|즌|험|청|내|장|계|작|설|절|민|골)"
_HALF = "반(?![가-힣])|반(?=[에이요쯤까정으부은도만])"

_TIME_RE = re.compile(
    f"(?:(?P<period>{_PERIODS}){_PERIOD_JOIN}\\s*(?P<phour>{_HOUR_AFTER_PERIOD})|(?P<hour>{_HOUR}))\\s*시{_NOT_SI}"
    f"(?:\\s*(?:(?P<half>{_HALF})|(?P<min>{_MIN})\\s*분(?P<before>\\s*전)?|(?P<sharp>정각)))?"
)
# 19:00, 7:30에, 오후 7:30 (digits with a colon, as read from a screen)
_CLOCK_RE = re.compile(
    f"(?:(?P<period>{_PERIODS}){_PERIOD_JOIN}\\s*)?(?<![\\d:.])(?P<hour>\\d{{1,2}}):(?P<min>[0-5]\\d)(?![\\d:])"
)
# a range of hours: "7시에서 8시 사이", "7시부터 8시 사이", "7~8시", "7시~8시": the start is the time
_RANGE_JOIN = re.compile("\\s*(?:에서|부터|~|∼|-)\\s*")
_RANGE_SHORT = re.compile(
    f"(?:(?P<period>{_PERIODS})\\s*)?(?<![\\d:.])(?P<hour>\\d{{1,2}})\\s*[~∼-]\\s*\\d{{1,2}}\\s*시{_NOT_SI}"
)
_RANGE_TAIL = re.compile("\\s*(?:사이|까지)")
# 정오 and 자정 are clock points; 점심(때) and 저녁때 are parts of the day (no time: the agent asks)
_POINT_RE = re.compile("정오|자정")
_POINTS = {"정오": dt.time(12, 0), "자정": dt.time(0, 0)}

#: A bare hour answer to "몇 시로 해 드릴까요?": "일곱", "7", "일곱이요".
BARE_HOUR_KO = re.compile(f"(?<![\\w])(?P<num>\\d{{1,2}}|{NATIVE_FULL}|{NATIVE_ATTR})(?!\\d)")

_AM = {"오전", "아침", "새벽"}
_PM = {"오후", "저녁"}


def apply_period_ko(period: str | None, hour: int) -> tuple[int, bool]:
    """Apply a Korean part-of-day word to an hour said on a 12-hour clock.

    Args:
        period: 오전, 오후, 아침, 저녁, 밤, 새벽, 낮, 점심 or None.
        hour: the hour as said, 0..24.

    Returns:
        ``(hour_24, ambiguous)``: the 24-hour value and whether am/pm was left open.
    """
    if hour == 24:
        return 0, False
    if hour == 0 or hour > 12:
        return hour, False
    if period is None:
        return hour, True
    if period in _AM:
        return (0 if hour == 12 else hour), False
    if period in _PM:
        return (12 if hour == 12 else hour + 12), False
    if period == "밤":
        if hour == 12:
            return 0, False
        return (hour if hour <= 4 else hour + 12), False
    # 낮, 점심: noon-ish; 11시 stays morning, 12 stays noon, 1..7 are afternoon.
    if hour in (11, 12) or hour >= 8:
        return hour, False
    return hour + 12, False


def _merge_ranges(text: str, times: list[SlotValue]) -> list[SlotValue]:
    """A range ("7시에서 8시 사이") is one time: its start, spanning the whole range."""
    out: list[SlotValue] = []
    i = 0
    while i < len(times):
        first = times[i]
        joined = i + 1 < len(times) and _RANGE_JOIN.fullmatch(text, first.end, times[i + 1].start)
        if not joined:
            out.append(first)
            i += 1
            continue
        second = times[i + 1]
        end = second.end
        tail = _RANGE_TAIL.match(text, end)
        if tail is not None:
            end = tail.end()
        value, ambiguous = first.value, first.ambiguous
        if ambiguous and not second.ambiguous and second.value.hour >= 12 and value.hour < 12:
            value, ambiguous = value.replace(hour=value.hour + 12), False  # 7시에서 저녁 8시 사이
        out.append(make_slot("time", value, text, first.start, end, ambiguous=ambiguous))
        i += 2
    return out


def extract_times_ko(text: str) -> list[SlotValue]:
    """Find Korean clock times in ``text``.

    Args:
        text: the utterance.

    Returns:
        One ``time`` slot per expression, in text order.
    """
    out: list[SlotValue] = []
    taken: list[tuple[int, int]] = []
    # digit ranges and clock forms first: "7~8시" is not the time "8시"
    for pattern in (_RANGE_SHORT, _CLOCK_RE):
        for m in pattern.finditer(text):
            clock_hour = int(m.group("hour"))
            if clock_hour > 24 or any(s < m.end() and m.start() < e for s, e in taken):
                continue
            h24, ambiguous = apply_period_ko(m.group("period"), clock_hour)
            value = dt.time(h24 % 24, int(m.groupdict().get("min") or 0))
            out.append(make_slot("time", value, text, m.start(), m.end(), ambiguous=ambiguous))
            taken.append((m.start(), m.end()))
    for m in _TIME_RE.finditer(text):
        raw = m.group("phour") or m.group("hour")
        hour = int(raw) if raw.isdigit() else parse_native(raw)
        if hour is None or hour > 24 or any(s < m.end() and m.start() < e for s, e in taken):
            continue
        minute = 0
        if m.group("half"):
            minute = 30
        elif m.group("min"):
            mraw = m.group("min")
            mv = int(mraw) if mraw.isdigit() else parse_sino(mraw)
            if mv is None or mv > 59:
                continue
            minute = mv
        h24, ambiguous = apply_period_ko(m.group("period"), hour)
        value = dt.time(h24 % 24, minute)
        if m.group("before"):  # "8시 10분 전" is ten to eight
            on_hour = dt.datetime.combine(dt.date(2000, 1, 2), dt.time(h24 % 24))
            value = (on_hour - dt.timedelta(minutes=minute)).time()
        out.append(make_slot("time", value, text, m.start(), m.end(), ambiguous=ambiguous))
        taken.append((m.start(), m.end()))
    out = _merge_ranges(text, sorted(out, key=lambda s: s.start))
    taken = [(s.start, s.end) for s in out]
    for m in _POINT_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        word = m.group(0)
        value = _POINTS[word]
        out.append(make_slot("time", value, text, m.start(), m.end()))
    return sorted(out, key=lambda s: s.start)
