"""Facts in English text: December 3rd, Fri, 7 pm, seven o'clock, 19:00, four people, $20."""

from __future__ import annotations

import re

from nlg.checks._mention import (
    COUNT,
    DATE,
    NUMBER,
    PHONE,
    PRICE,
    TIME,
    Mention,
    hours_for,
    normalise_phone,
)
from nlg.checks._scan import Rule, alternation, scan

__all__ = ["find_mentions_en"]

_ONES = [
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
][0].split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}
_ORD_ONES = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()


def _tables() -> tuple[dict[str, int], dict[str, int]]:
    cardinals = {w: i for i, w in enumerate(_ONES)}
    ordinals = {w: i + 1 for i, w in enumerate(_ORD_ONES)}
    ordinals.update({"twentieth": 20, "thirtieth": 30})
    for word, tens in _TENS.items():
        cardinals[word] = tens
        for unit in range(1, 10):
            for sep in ("-", " "):
                cardinals[f"{word}{sep}{_ONES[unit]}"] = tens + unit
                if tens <= 30:
                    ordinals[f"{word}{sep}{_ORD_ONES[unit - 1]}"] = tens + unit
    return cardinals, ordinals


CARDINALS, ORDINALS = _tables()
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("monday",),
            ("tuesday", "tues"),
            ("wednesday",),
            ("thursday", "thurs"),
            ("friday", "fri"),
            ("saturday",),
            ("sunday",),
        ]
    )
    for name in names
}
_CARD = f"(?:{alternation(CARDINALS)})"
_ORD = f"(?:{alternation(ORDINALS)})"
_NUM = rf"(?:\d{{1,2}}|{_CARD})"
_MONTH = f"(?:{alternation(_MONTHS)})"
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORD})"
_PERIOD = r"(?:[ap]\.?\s?m\b\.?|in the (?:morning|evening|afternoon)|at night|tonight)"
_MINUTE_WORDS = {"o'clock": 0, "oclock": 0, "oh five": 5, "fifteen": 15, "thirty": 30}
_MINUTE_WORDS.update({"forty-five": 45, "forty five": 45})
_MINUTE = rf"(?:\d{{2}}|{alternation(_MINUTE_WORDS)})"
_F = re.IGNORECASE
# "one" in "one moment", "no one", "which one" is not a number.
_NOT_ONE = re.compile(
    r"(?:\b(?:no|any|some|every|each|the|this|that|which|another|a|last)\s+one\b)"
    r"|(?:\bone\s+(?:moment|second|sec|more|of|another|thing|day|way)\b)",
    _F,
)


def _number(text: str) -> int:
    t = text.lower().replace(".", "").strip()
    t = re.sub(r"(?<=\d)(st|nd|rd|th)$", "", t)
    if t.isdigit():
        return int(t)
    if t in CARDINALS:
        return CARDINALS[t]
    return ORDINALS[t]


def _period(m: re.Match[str]) -> str | None:
    p = m.groupdict().get("p")
    if not p:
        return None
    p = p.lower().replace(".", "").replace(" ", "")
    return {"inthemorning": "am", "intheevening": "pm", "intheafternoon": "pm"}.get(p, p)


def _phone(m: re.Match[str]) -> Mention:
    return Mention(PHONE, m.group(), *m.span(), digits=normalise_phone(m.group()))


def _price(m: re.Match[str]) -> Mention:
    amount = m.group("n").replace(",", "")
    value = int(float(amount)) if amount[0].isdigit() else _number(amount)
    return Mention(PRICE, m.group(), *m.span(), number=value)


def _date(m: re.Match[str]) -> Mention | None:
    g = m.groupdict()
    month = _MONTHS[g["mo"].lower()] if g.get("mo") else None
    if month is None and g.get("mo_n"):
        month = int(g["mo_n"])
    day = _number(g["d"]) if g.get("d") else None
    year = int(g["y"]) if g.get("y") else None
    if day is not None and not 1 <= day <= 31:
        return None
    return Mention(DATE, m.group(), *m.span(), year=year, month=month, day=day)


def _weekday(m: re.Match[str]) -> Mention:
    return Mention(DATE, m.group(), *m.span(), weekday=_WEEKDAYS[m.group("wd").lower()])


def _relative(m: re.Match[str]) -> Mention:
    return Mention(DATE, m.group(), *m.span(), relative=m.group().lower())


def _time(m: re.Match[str]) -> Mention | None:
    g = m.groupdict()
    hour = _number(g["h"])
    minute = 0
    if g.get("mi"):
        mi = g["mi"].lower()
        minute = int(mi) if mi.isdigit() else _MINUTE_WORDS[mi]
    if g.get("half"):
        minute = 30
    if g.get("quarter"):
        minute = 15
    if g.get("to"):
        hour, minute = hour - 1, 45
    hours = hours_for(hour, _period(m))
    if not hours or minute >= 60:
        return None
    return Mention(TIME, m.group(), *m.span(), hours=hours, minute=minute)


def _named_time(m: re.Match[str]) -> Mention:
    hour = 0 if m.group().lower() == "midnight" else 12
    return Mention(TIME, m.group(), *m.span(), hours=frozenset({hour}))


def _count(m: re.Match[str]) -> Mention:
    return Mention(COUNT, m.group(), *m.span(), number=_number(m.group("n")))


_NOT_DURATION = r"(?!\s*(?:[ap]\.?m\b|o'?clock|:\d|hours?|minutes?|days?|nights?|weeks?|months?|years?|dollars|%))"
_RULES: list[Rule] = [
    (
        re.compile(r"(?<!\d)(?:\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{4}(?!\d)"),
        _phone,
    ),
    (re.compile(r"(?:\$|₩|USD\s?|KRW\s?)(?P<n>\d[\d,]*(?:\.\d\d)?)", _F), _price),
    (
        re.compile(rf"(?P<n>\d[\d,]*(?:\.\d\d)?|{_CARD})\s*(?:dollars?|bucks|won|usd|krw)\b", _F),
        _price,
    ),
    (re.compile(r"\b(?P<y>\d{4})-(?P<mo_n>\d{2})-(?P<d>\d{2})\b"), _date),
    (
        re.compile(
            rf"\b(?P<mo>{_MONTH})\.?\s+(?:the\s+)?(?P<d>{_DAY})\b(?:,?\s+(?P<y>\d{{4}})\b)?", _F
        ),
        _date,
    ),
    (
        re.compile(
            rf"\b(?:the\s+)?(?P<d>{_DAY})\s+(?:of\s+)?(?P<mo>{_MONTH})\b(?:,?\s+(?P<y>\d{{4}})\b)?",
            _F,
        ),
        _date,
    ),
    (re.compile(rf"\bthe\s+(?P<d>\d{{1,2}}(?:st|nd|rd|th)|{_ORD})\b", _F), _date),
    (
        re.compile(
            r"\b(?P<mo>january|february|march|april|june|july|august|september|october|"
            r"november|december)\b",
            _F,
        ),
        _date,
    ),
    (re.compile(rf"\b(?P<wd>{alternation(_WEEKDAYS)})\b\.?", _F), _weekday),
    (re.compile(r"\b(?:today|tomorrow|tonight)\b", _F), _relative),
    (re.compile(r"\b(?:noon|midday|midnight)\b", _F), _named_time),
    (
        re.compile(
            rf"\b(?:(?P<half>half)|(?P<quarter>quarter))\s+past\s+(?P<h>{_NUM})\b(?:\s*(?P<p>{_PERIOD}))?",
            _F,
        ),
        _time,
    ),
    (
        re.compile(rf"\b(?P<to>quarter)\s+to\s+(?P<h>{_NUM})\b(?:\s*(?P<p>{_PERIOD}))?", _F),
        _time,
    ),
    (
        re.compile(
            rf"\b(?P<h>{_NUM})(?:(?::|\s+|-)(?P<mi>{_MINUTE}))?\s*(?P<p>{_PERIOD})",
            _F,
        ),
        _time,
    ),
    (re.compile(r"\b(?P<h>\d{1,2}):(?P<mi>\d{2})\b", _F), _time),
    (re.compile(rf"\b(?P<h>{_NUM})\s*o'?clock\b", _F), _time),
    (
        re.compile(rf"\bat\s+(?P<h>{_NUM})(?:(?::|\s+|-)(?P<mi>{_MINUTE}))?\b{_NOT_DURATION}", _F),
        _time,
    ),
    (
        re.compile(
            rf"\b(?P<n>\d+|{_CARD})\s+(?:people|persons|guests|adults|diners|of you|seats|pax)\b",
            _F,
        ),
        _count,
    ),
    (re.compile(rf"\b(?:party|group|table)\s+(?:of|for)\s+(?P<n>\d+|{_CARD})\b", _F), _count),
    (re.compile(rf"\bfor\s+(?P<n>\d+|{_CARD})\b{_NOT_DURATION}", _F), _count),
]


def _bare_numbers(text: str, taken: list[Mention]) -> list[Mention]:
    spans = [(m.start, m.end) for m in taken]
    not_one = [(m.start(), m.end()) for m in _NOT_ONE.finditer(text)]
    out: list[Mention] = []
    pattern = re.compile(rf"(?<![\d.])(?P<n>\d[\d,]*)(?!\d)|\b(?P<w>{_CARD})\b", _F)
    for m in pattern.finditer(text):
        start, end = m.span()
        if any(s < end and start < e for s, e in spans + not_one):
            continue
        word = m.group("n") or m.group("w")
        out.append(Mention(NUMBER, m.group(), start, end, number=_number(word.replace(",", ""))))
    return out


def find_mentions_en(text: str) -> list[Mention]:
    """Every date, time, count, number, phone and price in English ``text``."""
    found = scan(text, _RULES)
    return sorted(found + _bare_numbers(text, found), key=lambda x: x.start)
