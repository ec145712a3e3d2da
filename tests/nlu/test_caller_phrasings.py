"""Phrasings callers use that the parsers once missed (issue #5), and the asked slot's bias (#3).

Each case is what a caller says on the phone; the value is what the agent should take from it.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from nlu.parsers import (
    extract_all,
    extract_choice,
    extract_counts,
    extract_dates,
    extract_times,
    extract_yesno,
    negated_mention,
)

from .helpers import check_spans, only

TODAY = date(2026, 11, 25)  # a Wednesday


# -- yes / no --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("아닌데요", False),
        ("아닌데", False),
        ("제 이름 아닌데요", False),
        ("맞는데요", True),
        ("네 맞는데요", True),
        ("그런데요", True),  # "speaking" / "that's me" when asked "김영희 어르신 맞으세요?"
        ("네, 그런데요", True),
    ],
)
def test_ko_neundeyo_answers(text: str, value: bool) -> None:
    found = extract_yesno(text, "ko")
    check_spans(text, found)
    assert found and all(s.value is value for s in found)


def test_ko_geureonde_in_a_sentence_is_but_not_yes() -> None:
    assert extract_yesno("그런데요, 7시는 안 되나요?", "ko") == []


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "span", "value"),
    [
        ("in two days", "en", "in two days", date(2026, 11, 27)),
        ("in 2 days at 7 pm", "en", "in 2 days", date(2026, 11, 27)),
        ("in three days' time", "en", "in three days' time", date(2026, 11, 28)),
        ("two days from now", "en", "two days from now", date(2026, 11, 27)),
        ("the day after tomorrow", "en", "the day after tomorrow", date(2026, 11, 27)),
        ("모레 저녁이요", "ko", "모레", date(2026, 11, 27)),
        ("글피요", "ko", "글피", date(2026, 11, 28)),
    ],
)
def test_relative_days(text: str, lang: str, span: str, value: date) -> None:
    found = extract_dates(text, lang, TODAY)
    check_spans(text, found)
    slot = only(found)
    assert (slot.text, slot.value) == (span, value)


@pytest.mark.parametrize("text", ["for 2 days", "in 40 days", "two days ago"])
def test_durations_are_not_dates(text: str) -> None:
    assert extract_dates(text, "en", TODAY) == []


# -- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "span", "value", "ambiguous"),
    [
        ("19:00에", "ko", "19:00", time(19, 0), False),
        ("7:30에 갈게요", "ko", "7:30", time(7, 30), True),
        ("오후 7:30이요", "ko", "오후 7:30", time(19, 30), False),
        ("8시 반은", "ko", "8시 반", time(8, 30), True),
        ("8시 반으로요", "ko", "8시 반", time(8, 30), True),
        ("8시 반도 돼요?", "ko", "8시 반", time(8, 30), True),
        ("half past seven", "en", "half past seven", time(7, 30), True),
        ("quarter to eight", "en", "quarter to eight", time(7, 45), True),
    ],
)
def test_clock_and_half_hours(
    text: str, lang: str, span: str, value: time, ambiguous: bool
) -> None:
    found = extract_times(text, lang)
    check_spans(text, found)
    slot = only(found)
    assert (slot.text, slot.value, slot.ambiguous) == (span, value, ambiguous)


@pytest.mark.parametrize(
    ("text", "lang", "span", "value", "ambiguous"),
    [
        ("7시에서 8시 사이", "ko", "7시에서 8시 사이", time(7, 0), True),
        ("7시에서 8시 사이에요", "ko", "7시에서 8시 사이", time(7, 0), True),
        ("저녁 7시부터 8시 사이", "ko", "저녁 7시부터 8시 사이", time(19, 0), False),
        ("7시에서 저녁 8시 사이", "ko", "7시에서 저녁 8시 사이", time(19, 0), False),
        ("7~8시쯤", "ko", "7~8시", time(7, 0), True),
        ("저녁 7-8시", "ko", "저녁 7-8시", time(19, 0), False),
        ("between 7 and 8", "en", "between 7 and 8", time(7, 0), True),
        ("between 7 and 8 pm", "en", "between 7 and 8 pm", time(19, 0), False),
        ("between 7:30 and 8", "en", "between 7:30 and 8", time(7, 30), True),
        ("between seven and eight in the evening", "en", None, time(19, 0), False),
        ("between 11 and 1 pm", "en", "between 11 and 1 pm", time(11, 0), False),
    ],
)
def test_a_time_range_is_its_start(
    text: str, lang: str, span: str | None, value: time, ambiguous: bool
) -> None:
    found = extract_times(text, lang)
    check_spans(text, found)
    slot = only(found)
    assert (slot.text, slot.value, slot.ambiguous) == (span or text, value, ambiguous)


# -- counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "span", "value", "ambiguous"),
    [
        ("여섯 분이요", "ko", "여섯 분", 6, False),
        ("6인이요", "ko", "6인", 6, False),
        ("대여섯 명이요", "ko", "대여섯 명", 6, True),
        ("두세 명", "ko", "두세 명", 3, True),
        ("서너 분이요", "ko", "서너 분", 4, True),
        ("5~6명", "ko", "5~6명", 6, True),
        ("다섯에서 여섯 명", "ko", "다섯에서 여섯 명", 6, True),
        ("열 두 명", "ko", "열 두 명", 12, False),
        ("10명", "ko", "10명", 10, False),
        ("five or six people", "en", "five or six people", 6, True),
        ("5-6 people", "en", "5-6 people", 6, True),
        ("a party of 5 or 6", "en", "a party of 5 or 6", 6, True),
        ("there'll be five or six of us", "en", "five or six of us", 6, True),
        ("twenty-one people", "en", "twenty-one people", 21, False),
    ],
)
def test_counts_and_ranges(text: str, lang: str, span: str, value: int, ambiguous: bool) -> None:
    found = extract_counts(text, lang)
    check_spans(text, found)
    slot = only(found)
    assert (slot.text, slot.value, slot.ambiguous) == (span, value, ambiguous)


@pytest.mark.parametrize("text", ["5 or 6", "6 or 5"])
def test_two_numbers_without_people_are_no_range(text: str) -> None:
    assert extract_counts(text, "en") == []


# -- the slot the agent asked for biases the reading (#3) -------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected", "name", "value", "span"),
    [
        ("for 7", "en", "time", "time", time(7, 0), "7"),
        ("for seven please", "en", "time", "time", time(7, 0), "seven"),
        ("7 30", "en", "time", "time", time(7, 30), "7 30"),
        ("7 30", "ko", "time", "time", time(7, 30), "7 30"),
        ("for 7", "en", "count", "count", 7, "for 7"),
        ("3", "en", "date", "date", date(2026, 12, 3), "3"),
        ("3rd", "en", "date", "date", date(2026, 12, 3), "3rd"),
        ("the third please", "en", "date", "date", date(2026, 12, 3), "the third"),
        ("28", "en", "date", "date", date(2026, 11, 28), "28"),
        ("3이요", "ko", "date", "date", date(2026, 12, 3), "3"),
    ],
)
def test_bare_answer_reads_as_the_slot_asked(
    text: str, lang: str, expected: str, name: str, value: object, span: str
) -> None:
    found = extract_all(text, lang, TODAY, expected=expected)
    check_spans(text, found)
    slot = only(found)
    assert (slot.name, slot.value, slot.text) == (name, value, span)


def test_a_party_with_its_people_word_stays_a_party_when_a_time_is_asked() -> None:
    slot = only(extract_all("for 7 people", "en", TODAY, expected="time"))
    assert (slot.name, slot.value) == ("count", 7)


@pytest.mark.parametrize(("text", "lang"), [("3", "en"), ("3이요", "ko")])
def test_a_bare_number_is_a_day_only_when_a_date_is_asked(text: str, lang: str) -> None:
    assert extract_all(text, lang, TODAY) == []
    slot = only(extract_all(text, lang, TODAY, expected="count"))
    assert (slot.name, slot.value) == ("count", 3)


def test_a_date_asked_ignores_numbers_that_cannot_be_days() -> None:
    assert extract_all("32", "en", TODAY, expected="date") == []


# -- choosing among offers; denying what was asked ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "choice"),
    [
        ("첫 번째요", "ko", "first"),
        ("앞에 거로 할게요", "ko", "first"),
        ("두 번째요", "ko", "second"),
        ("뒤에 거요", "ko", "last"),
        ("더 이른 시간으로요", "ko", "earlier"),
        ("늦은 시간으로 해 주세요", "ko", "later"),
        ("the first one", "en", "first"),
        ("the second one please", "en", "second"),
        ("the earlier one", "en", "earlier"),
        ("the later time", "en", "later"),
        ("네", "ko", None),
        ("just a second", "en", None),
        ("the first of December", "en", None),
    ],
)
def test_choice_among_offers(text: str, lang: str, choice: str | None) -> None:
    assert extract_choice(text, lang) == choice


@pytest.mark.parametrize(
    ("text", "lang", "denied"),
    [
        ("기침은 없어요", "ko", True),
        ("기침은 안 해요", "ko", True),
        ("열은 안 나요", "ko", True),
        ("기침은 없는데 머리가 아파요", "ko", True),
        ("기침을 좀 해요", "ko", False),
        ("기침 때문에 힘들어요", "ko", False),
        ("I don't have a cough", "en", True),
        ("no cough", "en", True),
        ("I haven't had any fever", "en", True),
        ("I have a cough", "en", False),
        ("my cough is bad", "en", False),
    ],
)
def test_negated_mention(text: str, lang: str, denied: bool) -> None:
    phrases = ["기침", "열은", "열이"] if lang == "ko" else ["cough", "fever"]
    assert negated_mention(text, lang, phrases) is denied
