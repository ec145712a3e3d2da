"""Korean dates, found and resolved by the korean-datetime package, with project rules on top.

korean-datetime handles 오늘/내일/모레/글피, 이번 주·다음 주 + 요일, 12월 3일, 3일(날), 주말,
holidays (추석, 크리스마스) and rolls a passed date over to next year or month. What this module
adds:

- "금요일 저녁 7시" comes back from the library as one datetime; only its date part becomes a
  ``date`` slot here (the time is the times parser's job), with the span cut to the date words.
- Times, weeks and months without a day (3시, 다음주, 다음 달), durations and "now" (1시간 후,
  지금) are not dates and are dropped.
- 이번 주말 / 주말 said on a Sunday means today (the library returns yesterday).
- 이번 주 + a weekday already past ("이번 주 월요일" on a Wednesday) is moved a week on and
  marked ``ambiguous`` (a booking is never in the past); "이번 달 11일" stays this month's.
- 다음 주 금요일 is the Friday of next calendar week (weeks start on Monday); bare 다음 금요일
  is the library's "next Friday to come", marked ``ambiguous`` when it falls in this week.
- A bare weekday said on that weekday ("금요일" on a Friday) is next week's, ``ambiguous``.
- A weekday that contradicts the date ("12월 3일 금요일" when the 3rd is a Thursday) keeps the
  date and marks it ``ambiguous``.
"""

from __future__ import annotations

import datetime as dt
import re

from korean_datetime import Ambiguity, AmbiguousHour, Grain, Kind, ParseOptions, TemporalParser
from korean_datetime import TemporalExpression as _Expr

from nlu.types import SlotValue

from ._common import make_slot

__all__ = ["extract_dates_ko"]

# Stateless after construction; the reference date is passed on each call.
_PARSER = TemporalParser(ParseOptions(ambiguous_hour=AmbiguousHour.AS_IS))
_WEEKDAY_RE = re.compile("([월화수목금토일])(?:요일|욜)")
_WEEKDAY_INDEX = {c: i for i, c in enumerate("월화수목금토일")}
_TIME_START_RE = re.compile(
    "오전|오후|아침|저녁|밤|새벽|낮|점심|\\d{1,2}\\s*시|[가-힣]{1,2}\\s*시(?!간)"
)
_BARE_NEXT_RE = re.compile("다음\\s*[월화수목금토일](?:요일|욜)")
_THIS_RE = re.compile("이번|금주")
# "이번 달 11일" is this month's 11th even when it has passed (only a week moves on)
_MONTH_RE = re.compile("달|[0-9]월")
_PAST_RE = re.compile("지난|저번|어제|그제|그저께|전")


def _parse(text: str, today: dt.date) -> list[_Expr]:
    try:
        return list(_PARSER.parse_all(text, now=dt.datetime.combine(today, dt.time(0, 0))))
    except Exception:  # the library is third-party; a parse failure means "no date"
        return []


def _date_only(expr: _Expr, text: str, today: dt.date) -> tuple[int, int, dt.date] | None:
    start, end = expr.span
    if expr.kind is Kind.DATE and expr.grain is Grain.DAY:
        return start, end, expr.start.date()
    if expr.kind is not Kind.DATETIME:
        return None
    # "금요일 저녁 7시": keep the words before the time and parse them again on their own.
    cut = _TIME_START_RE.search(text, start, end)
    if cut is None or cut.start() == start:
        return None
    head = text[start : cut.start()].rstrip()
    again = _parse(head, today)
    if len(again) != 1 or again[0].kind is not Kind.DATE or again[0].grain is not Grain.DAY:
        return None
    s, e = again[0].span
    return start + s, start + e, again[0].start.date()


def _adjust(span_text: str, value: dt.date, today: dt.date) -> tuple[dt.date, bool]:
    ambiguous = False
    if value < today and not _PAST_RE.search(span_text):
        if "주말" in span_text and today.weekday() == 6:
            value = today
        elif (
            _THIS_RE.search(span_text) and not _MONTH_RE.search(span_text)
        ) or "주말" in span_text:
            value += dt.timedelta(days=7)
            ambiguous = True
    if _BARE_NEXT_RE.search(span_text):
        monday = today - dt.timedelta(days=today.weekday())
        ambiguous = ambiguous or value < monday + dt.timedelta(days=7)
    for m in _WEEKDAY_RE.finditer(span_text):
        if _WEEKDAY_INDEX[m.group(1)] != value.weekday():
            ambiguous = True
    return value, ambiguous


def extract_dates_ko(text: str, today: dt.date) -> list[SlotValue]:
    """Find Korean dates in ``text``, resolved against ``today``.

    Args:
        text: the utterance.
        today: the reference date (the caller's local date).

    Returns:
        ``date`` slots in text order.
    """
    out: list[SlotValue] = []
    for expr in _parse(text, today):
        found = _date_only(expr, text, today)
        if found is None:
            continue
        start, end, value = found
        if text.startswith("날", end):  # 3일날, 금요일날
            end += 1
        value, ambiguous = _adjust(text[start:end], value, today)
        # "금요일" said on a Friday: the library picks next week's; the caller may mean today.
        ambiguous = ambiguous or Ambiguity.SAME_WEEKDAY in expr.ambiguities
        out.append(make_slot("date", value, text, start, end, ambiguous=ambiguous))
    return out
