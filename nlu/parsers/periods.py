"""A part of the day said without an hour: "점심에", "저녁쯤이요", "for dinner", "this evening".

A meal or a part of the day is not a time: a receptionist asked for "lunch on Friday" asks what
time. The times parser gives no time for these words; :func:`extract_period` names the part of
the day so that the dialogue can ask "점심 몇 시에 오실 예정이세요?" and read the caller's next
bare hour inside it ("1시요" after 점심 is 13:00). A part of the day that belongs to a time
("저녁 7시", "8 tonight", "in the evening 4:15") is that time's, not a vague period.
"""

from __future__ import annotations

import datetime as dt
import re

from ._common import covered
from .extract import extract_all

__all__ = ["PERIODS", "extract_period"]

_ANY_DAY = dt.date(2026, 1, 5)
#: The parts of the day, as the dialogue knows them.
PERIODS = ("morning", "lunch", "afternoon", "dinner", "evening")

_KO = re.compile(
    "(?<!좋은 )(?<!좋은)(?:(?P<lunch>점심)|(?P<dinner>저녁)|(?P<afternoon>오후|(?<![가-힣])낮(?=에|쯤|때|시간|\\s|$))"
    "|(?P<morning>오전|아침)|(?P<evening>(?:(?<![가-힣])|(?<=오늘)|(?<=내일))밤(?=에|쯤|\\s|$|[^가-힣])))"
)
_EN = re.compile(
    r"(?<!good\s)\b(?:(?P<lunch>lunch(?:\s?time)?)|(?P<dinner>(?:dinner|supper)(?:\s?time)?)"
    r"|(?P<afternoon>afternoon)|(?P<evening>evening|tonight|night)|(?P<morning>morning))\b",
    re.IGNORECASE,
)


def extract_period(text: str, lang: str) -> str | None:
    """The part of the day the caller names without an hour, if any.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.

    Returns:
        One of :data:`PERIODS` (the first said), or None: "다음 주 금요일 점심에" → ``"lunch"``,
        "저녁쯤에요" / "around dinner time" → ``"dinner"``, "오후에" → ``"afternoon"``,
        "later this evening" / "tonight" → ``"evening"``; "저녁 7시", "8 tonight", "good
        evening" → None.
    """
    if not isinstance(text, str) or not text:
        return None
    is_ko = isinstance(lang, str) and lang.lower().startswith("ko")
    pattern = _KO if is_ko else _EN
    # the times that stand once the overlaps are settled ("a table for two tonight" is a party of
    # two tonight, not 2 pm); any day does for the spans
    times = [s for s in extract_all(text, lang, _ANY_DAY) if s.name == "time"]
    for m in pattern.finditer(text):
        if covered(times, m.start(), m.end()):
            continue
        return next(name for name, said in m.groupdict().items() if said)
    return None
