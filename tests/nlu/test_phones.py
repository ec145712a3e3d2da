from datetime import date

import pytest

from nlu.parsers import extract_all, extract_phones

from .helpers import check_spans, only

# (utterance, span, digits)
KO_CASES = [
    ("010-1234-5678", "010-1234-5678", "01012345678"),
    ("01012345678", "01012345678", "01012345678"),
    ("010 1234 5678", "010 1234 5678", "01012345678"),
    ("010.1234.5678", "010.1234.5678", "01012345678"),
    ("공일공 일이삼사 오육칠팔", "공일공 일이삼사 오육칠팔", "01012345678"),
    ("공일공에 일이삼사에 오육칠팔", "공일공에 일이삼사에 오육칠팔", "01012345678"),
    ("영일영-1234-5678", "영일영-1234-5678", "01012345678"),
    ("+82 10-1234-5678", "+82 10-1234-5678", "01012345678"),
    ("+821012345678", "+821012345678", "01012345678"),
    ("02-123-4567", "02-123-4567", "021234567"),
    ("010 다시 1234 다시 5678", "010 다시 1234 다시 5678", "01012345678"),
    ("제 번호는 010-1234-5678이에요", "010-1234-5678", "01012345678"),
    ("01012345678입니다", "01012345678", "01012345678"),
    ("공일공 일이삼사 오육칠팔이요", "공일공 일이삼사 오육칠팔", "01012345678"),
    ("공일공 일이삼사 오육칠팔입니다", "공일공 일이삼사 오육칠팔", "01012345678"),
    ("공일공 구팔칠육 오사삼이", "공일공 구팔칠육 오사삼이", "01098765432"),
]

EN_CASES = [
    ("(555) 123-4567", "(555) 123-4567", "5551234567"),
    ("555-123-4567", "555-123-4567", "5551234567"),
    ("+1 555 123 4567", "+1 555 123 4567", "5551234567"),
    ("1-555-123-4567", "1-555-123-4567", "5551234567"),
    ("my number is 555-123-4567.", "555-123-4567", "5551234567"),
    (
        "zero one zero one two three four five six seven eight",
        "zero one zero one two three four five six seven eight",
        "01012345678",
    ),
    (
        "zero one zero, one two three four, five six seven eight",
        "zero one zero, one two three four, five six seven eight",
        "01012345678",
    ),
    (
        "oh one oh one two three four five six seven eight",
        "oh one oh one two three four five six seven eight",
        "01012345678",
    ),
    (
        "double five five one two three four five six seven",
        "double five five one two three four five six seven",
        "5551234567",
    ),
    ("five five five dash one two three dash four five six seven", None, "5551234567"),
    ("+82 10 1234 5678", "+82 10 1234 5678", "01012345678"),
    ("+44 20 7946 0958", "+44 20 7946 0958", "442079460958"),
    ("555.123.4567", "555.123.4567", "5551234567"),
    ("+1 (555) 123-4567", "+1 (555) 123-4567", "5551234567"),
    ("call me at 555 123 4567", "555 123 4567", "5551234567"),
    ("it is 5551234567 thanks", "5551234567", "5551234567"),
    (
        "my number's five five five, one two three, four five six seven",
        "five five five, one two three, four five six seven",
        "5551234567",
    ),
    ("zero one zero triple one two two two two", None, "0101112222"),
]


@pytest.mark.parametrize(("text", "span", "digits"), KO_CASES)
def test_ko_phones(text: str, span: str, digits: str) -> None:
    slots = extract_phones(text, "ko")
    check_spans(text, slots)
    s = only(slots)
    assert (s.name, s.value, s.text) == ("phone", digits, span)


@pytest.mark.parametrize(("text", "span", "digits"), EN_CASES)
def test_en_phones(text: str, span: str | None, digits: str) -> None:
    slots = extract_phones(text, "en")
    check_spans(text, slots)
    s = only(slots)
    assert s.value == digits
    assert s.text == (span or text)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("네 명이요", "ko"),
        ("저녁 7시", "ko"),
        ("2026년 12월 3일", "ko"),
        ("일이삼사요", "ko"),  # four digits is not a phone number
        ("이삼사", "ko"),
        ("4명 7시 30분", "ko"),
        ("12/3", "en"),
        ("oh I see", "en"),
        ("one two three", "en"),
        ("1234 5678", "en"),  # 8 digits: only when a number was asked for
        ("table for 4 at 7:30", "en"),
    ],
)
def test_not_phones(text: str, lang: str) -> None:
    assert extract_phones(text, lang) == []


@pytest.mark.parametrize(
    ("text", "lang", "digits"),
    [
        ("1234 5678", "ko", "12345678"),
        ("일이삼사 오육칠팔", "ko", "12345678"),
        ("555 1234", "en", "5551234"),
    ],
)
def test_short_numbers_only_when_a_phone_is_expected(text: str, lang: str, digits: str) -> None:
    today = date(2026, 11, 25)
    assert [s for s in extract_all(text, lang, today) if s.name == "phone"] == []
    s = only(extract_all(text, lang, today, expected="phone"), "phone")
    assert s.value == digits
    assert s.confidence < 1.0
