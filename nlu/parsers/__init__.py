"""Typed value parsers for Korean and English utterances.

Each function returns :class:`nlu.types.SlotValue` objects whose ``start``/``end`` index into
the input text and whose ``value`` is normalised:

- :func:`extract_dates` -> ``datetime.date`` ("내일", "다음 주 금요일", "Dec 3rd", "next Friday")
- :func:`extract_times` -> ``datetime.time`` ("저녁 7시", "7시 반", "half past seven", "7 pm")
- :func:`extract_counts` -> ``int`` party size ("네 명", "혼자", "party of 6", "just me")
- :func:`extract_phones` -> ``str`` digits ("010-1234-5678", "공일공 일이삼사 오육칠팔")
- :func:`extract_yesno` -> ``bool`` ("네", "아니요", "sounds good", "nope")
- :func:`extract_all` -> all of them without overlaps, reading bare answers as the slot the
  agent asked for.

Two helpers read what only makes sense in the dialogue's context: :func:`extract_choice` (which
offered option: "두 번째요", "the later one"), :func:`negated_mention` ("기침은 없어요") and
:func:`extract_period` (a part of the day said without an hour: "점심에", "for dinner") and
:func:`extract_wishes` (a booking caller's shortcuts: "아무 선생님이나", "the earliest you have",
"지난번 그 선생님").

The functions never raise on any string and keep no state between calls. The rules
(ambiguity, "next Friday", year rollover) are written down in ``docs/parsers.md``.
"""

from .choice import CHOICES, extract_choice
from .extract import (
    SLOT_TYPES,
    extract_all,
    extract_counts,
    extract_dates,
    extract_phones,
    extract_times,
    extract_yesno,
)
from .negation import negated_mention
from .periods import PERIODS, extract_period
from .wishes import WISHES, extract_wishes

__all__ = [
    "CHOICES",
    "PERIODS",
    "SLOT_TYPES",
    "WISHES",
    "extract_all",
    "extract_choice",
    "extract_counts",
    "extract_dates",
    "extract_period",
    "extract_phones",
    "extract_times",
    "extract_wishes",
    "extract_yesno",
    "negated_mention",
]
