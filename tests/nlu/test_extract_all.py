import random
import time as clock
from datetime import date, time

import pytest

from nlu.parsers import SLOT_TYPES, extract_all

from .helpers import check_spans, only

TODAY = date(2026, 11, 25)


def summary(text: str, lang: str, expected: str | None = None) -> list[tuple[str, object, str]]:
    slots = extract_all(text, lang, TODAY, expected)
    check_spans(text, slots)
    return [(s.name, s.value, s.text) for s in slots]


@pytest.mark.parametrize(
    ("text", "lang", "want"),
    [
        ("네 명", "ko", [("count", 4, "네 명")]),
        ("네 명이요", "ko", [("count", 4, "네 명")]),
        ("4명", "ko", [("count", 4, "4명")]),
        ("7시 30분", "ko", [("time", time(7, 30), "7시 30분")]),
        ("12월 3일", "ko", [("date", date(2026, 12, 3), "12월 3일")]),
        (
            "아니요, 8시로 해 주세요",
            "ko",
            [("yesno", False, "아니요"), ("time", time(8, 0), "8시")],
        ),
        (
            "이번주 금욜 저녁 일곱시 반에 네 명이요",
            "ko",
            [
                ("date", date(2026, 11, 27), "이번주 금욜"),
                ("time", time(19, 30), "저녁 일곱시 반"),
                ("count", 4, "네 명"),
            ],
        ),
        (
            "네, 금요일 저녁 7시에 4명이요. 번호는 010-1234-5678이에요",
            "ko",
            [
                ("yesno", True, "네"),
                ("date", date(2026, 11, 27), "금요일"),
                ("time", time(19, 0), "저녁 7시"),
                ("count", 4, "4명"),
                ("phone", "01012345678", "010-1234-5678"),
            ],
        ),
        ("3일날 두 분이요", "ko", [("date", date(2026, 12, 3), "3일날"), ("count", 2, "두 분")]),
        ("no, make it 8", "en", [("yesno", False, "no")]),
        (
            "Table for 2 at 8 tonight",
            "en",
            [
                ("count", 2, "Table for 2"),
                ("time", time(20, 0), "8 tonight"),
                ("date", date(2026, 11, 25), "tonight"),
            ],
        ),
        (
            "yes, next Friday at 7:30 pm for four people",
            "en",
            [
                ("yesno", True, "yes"),
                ("date", date(2026, 12, 4), "next Friday"),
                ("time", time(19, 30), "7:30 pm"),
                ("count", 4, "four people"),
            ],
        ),
        (
            "party of 6 on Dec 3rd, my number is 555-123-4567",
            "en",
            [
                ("count", 6, "party of 6"),
                ("date", date(2026, 12, 3), "Dec 3rd"),
                ("phone", "5551234567", "555-123-4567"),
            ],
        ),
    ],
)
def test_mixed_utterances(text: str, lang: str, want: list[tuple[str, object, str]]) -> None:
    assert summary(text, lang) == want


@pytest.mark.parametrize(
    ("text", "lang", "value", "span"),
    [
        ("넷이요", "ko", 4, "넷"),
        ("4", "ko", 4, "4"),
        ("다섯이요", "ko", 5, "다섯"),
        ("둘이요", "ko", 2, "둘"),
        ("four", "en", 4, "four"),
        ("4", "en", 4, "4"),
        ("just four please", "en", 4, "four"),
        ("six", "en", 6, "six"),
    ],
)
def test_bare_number_is_a_count_when_asked_for(text: str, lang: str, value: int, span: str) -> None:
    s = only(extract_all(text, lang, TODAY, expected="count"))
    assert (s.name, s.value, s.text) == ("count", value, span)
    assert s.confidence < 1.0  # read from context, not from a counter
    assert extract_all(text, lang, TODAY) == []


@pytest.mark.parametrize(
    ("text", "lang"), [("넷이요", "ko"), ("4", "ko"), ("four", "en"), ("4", "en")]
)
def test_bare_number_without_expected_is_nothing(text: str, lang: str) -> None:
    assert extract_all(text, lang, TODAY) == []


@pytest.mark.parametrize(
    ("text", "lang", "value", "ambiguous"),
    [
        ("7", "ko", time(7, 0), True),
        ("일곱", "ko", time(7, 0), True),
        ("일곱이요", "ko", time(7, 0), True),
        ("19", "ko", time(19, 0), False),
        ("7", "en", time(7, 0), True),
        ("seven", "en", time(7, 0), True),
        ("no, make it 8", "en", time(8, 0), True),
    ],
)
def test_bare_number_is_a_time_when_asked_for(
    text: str, lang: str, value: time, ambiguous: bool
) -> None:
    s = only(extract_all(text, lang, TODAY, expected="time"), "time")
    assert (s.value, s.ambiguous) == (value, ambiguous)


@pytest.mark.parametrize(
    ("text", "lang", "expected", "name", "value"),
    [
        ("일곱 시요", "ko", "count", "time", time(7, 0)),  # a time anyway
        ("7시요", "ko", None, "time", time(7, 0)),
        ("3일", "ko", "time", "date", date(2026, 12, 3)),  # a date anyway
        ("the 3rd", "en", "time", "date", date(2026, 12, 3)),
        ("4명", "ko", "time", "count", 4),  # never a time
        ("네 명이요", "ko", "count", "count", 4),
        ("네 명이요", "ko", None, "count", 4),
        ("공일공 일이삼사 오육칠팔", "ko", "phone", "phone", "01012345678"),
        ("010 1234 5678", "ko", "phone", "phone", "01012345678"),
        (
            "zero one zero, one two three four, five six seven eight",
            "en",
            "phone",
            "phone",
            "01012345678",
        ),
    ],
)
def test_typed_answers_keep_their_type(
    text: str, lang: str, expected: str | None, name: str, value: object
) -> None:
    s = only(extract_all(text, lang, TODAY, expected))
    assert (s.name, s.value) == (name, value)


def test_counted_answer_wins_over_bare_number() -> None:
    slots = extract_all("세 명이요, 아 4명", "ko", TODAY, expected="count")
    assert [s.value for s in slots] == [3, 4]
    assert all(s.confidence == 1.0 for s in slots)


def test_yes_four_is_not_a_count_without_a_counter() -> None:
    assert summary("네", "ko", "count") == [("yesno", True, "네")]


@pytest.mark.parametrize("lang", ["ko", "en", "fr", ""])
@pytest.mark.parametrize(
    "text",
    ["", " ", "😀😀😀", "\x00\n\t", "ㅋㅋㅋㅋ", "?!?!", "1" * 500, "네" * 300, "\u200b7시\u200b"],
)
def test_odd_inputs_never_raise(text: str, lang: str) -> None:
    for expected in (None, *SLOT_TYPES):
        slots = extract_all(text, lang, TODAY, expected)
        check_spans(text, slots)


def test_random_strings_never_raise() -> None:
    rng = random.Random(20261125)
    alphabet = (
        "네아니요명분시반일월오후저녁내일공영이삼사 "
        "0123456789:/-.,+() yesnoatpmquarterhalf sevenfour😀\n\u00e9漢"
    )
    for _ in range(600):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        lang = rng.choice(["ko", "en"])
        expected = rng.choice([None, *SLOT_TYPES])
        slots = extract_all(text, lang, TODAY, expected)
        check_spans(text, slots)
        assert all(s.name in SLOT_TYPES for s in slots)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_long_input_is_handled_quickly(lang: str) -> None:
    chunk = (
        "내일 저녁 7시에 네 명, 010-1234-5678 " if lang == "ko" else "tomorrow at 7 pm for four, "
    )
    text = (chunk * 400)[:10_000]
    started = clock.perf_counter()
    slots = extract_all(text, lang, TODAY)
    assert clock.perf_counter() - started < 3.0  # generous: shared CI cores
    assert len(slots) > 100
    check_spans(text, slots)


def test_typical_call_is_fast() -> None:
    utterances = [
        ("이번주 금욜 저녁 일곱시 반에 네 명이요", "ko"),
        ("next Friday at 7 pm for four", "en"),
    ]
    for text, lang in utterances:  # warm up
        extract_all(text, lang, TODAY)
    runs = 200
    started = clock.perf_counter()
    for i in range(runs):
        text, lang = utterances[i % 2]
        extract_all(text, lang, TODAY)
    per_call_ms = (clock.perf_counter() - started) / runs * 1000
    assert per_call_ms < 5.0, per_call_ms  # ~0.3-1 ms on a quiet machine; loose for CI
