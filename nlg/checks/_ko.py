"""Facts in Korean text: 12월 3일, 금요일, 저녁 일곱 시, 7시 반, 네 분, 4명, 2만 원, 010-1234-5678."""

from __future__ import annotations

import re

from nlg.checks._mention import (
    COUNT,
    DATE,
    NUMBER,
    PHONE,
    PRICE,
    RELATIVE_DAYS,
    TIME,
    Mention,
    hours_for,
    normalise_phone,
)
from nlg.checks._scan import Rule, alternation, scan

__all__ = ["find_mentions_ko"]

_UNITS = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}
_TENS = {"열": 10, "스물": 20, "서른": 30}


def _native_table() -> dict[str, int]:
    table = dict(_UNITS)
    for tens_word, tens in _TENS.items():
        table[tens_word] = tens
        for unit_word, unit in _UNITS.items():
            table[tens_word + unit_word] = tens + unit
    table["스무"] = 20
    for word, n in {"하나": 1, "둘": 2, "셋": 3, "넷": 4}.items():
        table[word] = n
    return table


NATIVE = _native_table()
_SINO_DIGITS = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_SINO = r"(?:[일이삼사오육칠팔구]?십[일이삼사오육칠팔구]?|[일이삼사오육칠팔구])"
_NATIVE = f"(?:{alternation(NATIVE)})"
_NUM = rf"(?:\d{{1,2}}|{_NATIVE})"
_WEEKDAYS = {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6}
# What may follow a counted noun: a particle, punctuation or the end (not "명단", "분위기").
_AFTER_COUNTER = r"(?=$|[\s,.?!~]|까지|씩|이상|이하|이|을|으로|의|만|도|과|와|요|은|에|께|들|입|이서|이세요|이시)"


def _sino(text: str) -> int:
    if "십" not in text:
        return _SINO_DIGITS[text]
    tens, _, units = text.partition("십")
    return (_SINO_DIGITS[tens] if tens else 1) * 10 + (_SINO_DIGITS[units] if units else 0)


def _number(text: str) -> int:
    text = text.replace(" ", "")
    if text.isdigit():
        return int(text)
    if text in NATIVE:
        return NATIVE[text]
    return _sino(text)


def _phone(m: re.Match[str]) -> Mention:
    return Mention(PHONE, m.group(), *m.span(), digits=normalise_phone(m.group()))


_DIGIT_WORDS = {"공": "0", "영": "0", **{k: str(v) for k, v in _SINO_DIGITS.items()}}


def _spoken_phone(m: re.Match[str]) -> Mention | None:
    digits = "".join(_DIGIT_WORDS[ch] for ch in m.group() if ch in _DIGIT_WORDS)
    return Mention(PHONE, m.group(), *m.span(), digits=digits) if len(digits) >= 7 else None


def _price(m: re.Match[str]) -> Mention | None:
    man, cheon, rest = m.group("man"), m.group("cheon"), m.group("rest")
    amount = 0
    if man:
        amount += _number(man) * 10_000
    if cheon:
        amount += _number(cheon) * 1_000
    if rest:
        amount += int(rest.replace(",", ""))
    if not (man or cheon or rest):
        return None
    return Mention(PRICE, m.group(), *m.span(), number=amount)


def _full_date(m: re.Match[str]) -> Mention:
    year = int(m.group("y")) if m.group("y") else None
    day = _number(m.group("d")) if m.group("d") else None
    return Mention(DATE, m.group(), *m.span(), year=year, month=_number(m.group("mo")), day=day)


def _weekday(m: re.Match[str]) -> Mention:
    return Mention(DATE, m.group(), *m.span(), weekday=_WEEKDAYS[m.group("wd")])


def _relative(m: re.Match[str]) -> Mention:
    return Mention(DATE, m.group(), *m.span(), relative=m.group())


def _day(m: re.Match[str]) -> Mention | None:
    day = int(m.group("d"))
    return Mention(DATE, m.group(), *m.span(), day=day) if 1 <= day <= 31 else None


def _time(m: re.Match[str]) -> Mention | None:
    hour = _number(m.group("h"))
    minute = 30 if m.group("half") else _number(m.group("mi")) if m.group("mi") else 0
    hours = hours_for(hour, m.group("p"))
    if not hours or minute >= 60:
        return None
    return Mention(TIME, m.group(), *m.span(), hours=hours, minute=minute)


def _clock(m: re.Match[str]) -> Mention | None:
    hours = hours_for(int(m.group("h")), m.group("p"))
    minute = int(m.group("mi"))
    if not hours or minute >= 60:
        return None
    return Mention(TIME, m.group(), *m.span(), hours=hours, minute=minute)


def _named_time(m: re.Match[str]) -> Mention:
    return Mention(TIME, m.group(), *m.span(), hours=frozenset({12 if m.group() == "정오" else 0}))


def _count(m: re.Match[str]) -> Mention:
    return Mention(COUNT, m.group(), *m.span(), number=_number(m.group("n")))


def _bare(m: re.Match[str]) -> Mention:
    return Mention(NUMBER, m.group(), *m.span(), number=_number(m.group("n").replace(",", "")))


_PERIOD = r"(?:(?P<p>오전|오후|아침|저녁|밤|낮|점심|새벽)\s*)?"
_RULES: list[Rule] = [
    # A number read out digit by digit, as on the phone: "공일공 일이삼사 오육칠팔".
    (
        re.compile(
            r"(?<![가-힣])[공영][공영일이삼사오육칠팔구]{1,3}(?:[\s-][공영일이삼사오육칠팔구]{3,4}){1,2}"
            r"(?![공영일삼사오육칠팔구])(?!이[공영일이삼사오육칠팔구])"
        ),
        _spoken_phone,
    ),
    (
        re.compile(
            r"(?<!\d)(?:\+\d{1,3}[\s-]?)?\d{2,4}[\s-]\d{3,4}[\s-]\d{4}(?!\d)|(?<![\d-])0\d{8,10}(?!\d)"
        ),
        _phone,
    ),
    (
        re.compile(
            rf"(?:(?P<man>\d+|{_SINO})\s*만)?\s*(?:(?P<cheon>\d+|{_SINO})\s*천)?\s*"
            r"(?P<rest>\d[\d,]*)?\s*원(?!래|하|인|장|룸|님|두|칙)"
        ),
        _price,
    ),
    (
        re.compile(
            rf"(?:(?P<y>\d{{4}})\s*년\s*)?(?P<mo>\d{{1,2}}|{_SINO})\s*월(?!요)"
            rf"(?:\s*(?P<d>\d{{1,2}}|{_SINO})\s*일)?"
        ),
        _full_date,
    ),
    (re.compile(r"(?P<wd>[월화수목금토일])요일"), _weekday),
    (re.compile(alternation(k for k in RELATIVE_DAYS if not k.isascii())), _relative),
    (re.compile(r"(?P<n>정오|자정)"), _named_time),
    (re.compile(_PERIOD + r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?!\d)"), _clock),
    (
        re.compile(
            _PERIOD + rf"(?<![가-힣])(?P<h>{_NUM})\s*시(?![간각작즌기도설장민청내외험키켜면])"
            rf"(?:\s*(?P<half>반)|\s*(?P<mi>\d{{1,2}}|{_SINO})\s*분)?"
        ),
        _time,
    ),
    (re.compile(r"(?<!\d)(?P<d>\d{1,2})\s*일(?!\s*(?:간|동안|째))"), _day),
    (
        re.compile(rf"(?<![가-힣\d])(?P<n>\d+|{_NATIVE})\s*(?:명|분|사람){_AFTER_COUNTER}"),
        _count,
    ),
    (re.compile(r"(?<!\d)(?P<n>\d+)\s*인(?=$|[\s,.?!~]|분|석|이|으로|용|실|에)"), _count),
    (re.compile(r"(?<![가-힣])(?P<n>하나|둘|셋|넷)(?=이서|이요|이에요)"), _count),
    (
        re.compile(
            rf"(?<![가-힣])(?P<n>{_NATIVE})\s*"
            r"(?:개|시간|병|잔|살|층|번째|개월|달|박|장|그릇|군데|마리|권|대)(?![가-힣])"
        ),
        _bare,
    ),
    (re.compile(r"(?<![\d.])(?P<n>\d[\d,]*)(?![\d])"), _bare),
]


def find_mentions_ko(text: str) -> list[Mention]:
    """Every date, time, count, number, phone and price in Korean ``text``."""
    return scan(text, _RULES)
