"""A second opinion from the NLU value parsers (``nlu.parsers``), as mentions.

The checks find facts with their own small finders (``_ko``, ``_en``), built for this job: they
keep every reading ("7시" is 07:00 or 19:00, "3일" is the 3rd of any month), catch any bare
number, and see prices. The NLU parsers resolve values for the dialogue instead. Both are
used: where both read the same span the checks' own reading wins; a fact only the parsers see
is added, so it counts as said and, if the acts do not allow it, as extra.
"""

from __future__ import annotations

from datetime import date, time

from nlg.checks._mention import COUNT, DATE, PHONE, TIME, Mention, hours_for, normalise_phone
from nlu import parsers

__all__ = ["nlu_mentions"]


def nlu_mentions(text: str, lang: str, today: date | None) -> list[Mention]:
    """Times, counts, phones (and dates, when ``today`` is known) that ``nlu.parsers`` finds."""
    found: list[Mention] = []
    for slot in parsers.extract_times(text, lang):
        if isinstance(slot.value, time):
            hour = slot.value.hour
            hours = hours_for(hour, None) if slot.ambiguous else frozenset({hour})
            found.append(
                Mention(
                    TIME, slot.text, slot.start, slot.end, hours=hours, minute=slot.value.minute
                )
            )
    for slot in parsers.extract_counts(text, lang):
        if isinstance(slot.value, int):
            found.append(Mention(COUNT, slot.text, slot.start, slot.end, number=slot.value))
    for slot in parsers.extract_phones(text, lang):
        digits = normalise_phone(str(slot.value))
        found.append(Mention(PHONE, slot.text, slot.start, slot.end, digits=digits))
    if today is not None:
        for slot in parsers.extract_dates(text, lang, today):
            # An ambiguous date ("12월 3일 금요일" when the 3rd is a Thursday) is left to the
            # checks' own finder, which keeps the contradiction.
            if isinstance(slot.value, date) and not slot.ambiguous:
                d = slot.value
                found.append(
                    Mention(DATE, slot.text, slot.start, slot.end, month=d.month, day=d.day)
                )
    return found
