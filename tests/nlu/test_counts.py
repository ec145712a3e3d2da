import pytest

from nlu.parsers import extract_counts

from .helpers import check_spans, only

# (utterance, span, value)
KO_CASES = [
    ("네 명", "네 명", 4),
    ("4명", "4명", 4),
    ("두 분", "두 분", 2),
    ("다섯 사람", "다섯 사람", 5),
    ("열두 명", "열두 명", 12),
    ("스무 명", "스무 명", 20),
    ("스물한 명", "스물한 명", 21),
    ("한 명", "한 명", 1),
    ("혼자", "혼자", 1),
    ("저 혼자요", "저 혼자", 1),
    ("혼자서 가도 돼요?", "혼자서", 1),
    ("둘이서", "둘이서", 2),
    ("셋이서 갈게요", "셋이서", 3),
    ("세 명이요", "세 명", 3),
    ("4인", "4인", 4),
    ("4인 테이블 있나요", "4인", 4),
    ("일곱명", "일곱명", 7),
    ("성인 4명", "4명", 4),
    ("두 분이요", "두 분", 2),
    ("세 분", "세 분", 3),
    ("열 분", "열 분", 10),
    ("한 분께서 오세요", "한 분", 1),
    ("저희 넷이요", "저희 넷", 4),
    ("우리 둘", "우리 둘", 2),
    ("인원은 6명입니다", "6명", 6),
    ("여덟 명 예약이요", "여덟 명", 8),
]

EN_CASES = [
    ("four people", "four people", 4),
    ("4 people", "4 people", 4),
    ("party of 6", "party of 6", 6),
    ("a party of six", "a party of six", 6),
    ("for two", "for two", 2),
    ("table for 4", "table for 4", 4),
    ("just me", "just me", 1),
    ("only me", "only me", 1),
    ("by myself", "by myself", 1),
    ("two of us", "two of us", 2),
    ("there are five of us", "five of us", 5),
    ("12 guests", "12 guests", 12),
    ("twenty-one people", "twenty-one people", 21),
    ("we are five", "we are five", 5),
    ("we'll be 3", "we'll be 3", 3),
    ("reservation for four at 7", "reservation for four", 4),
    ("me and my wife", "me and my wife", 2),
    ("a table for two at 8 tonight", "table for two", 2),
    ("1 person", "1 person", 1),
    ("6 adults", "6 adults", 6),
    ("book for 8 please", "book for 8", 8),
    ("a dozen people", "a dozen people", 12),
]


@pytest.mark.parametrize(("text", "span", "value"), KO_CASES)
def test_ko_counts(text: str, span: str, value: int) -> None:
    slots = extract_counts(text, "ko")
    check_spans(text, slots)
    s = only(slots)
    assert (s.name, s.value, s.text) == ("count", value, span)
    assert s.start == text.index(span)


@pytest.mark.parametrize(("text", "span", "value"), EN_CASES)
def test_en_counts(text: str, span: str, value: int) -> None:
    slots = extract_counts(text, "en")
    check_spans(text, slots)
    s = only(slots)
    assert (s.name, s.value, s.text) == ("count", value, span)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("4인분 포장이요", "ko"),  # portions, not people
        ("30분", "ko"),  # minutes
        ("7시 30분", "ko"),
        ("일곱 시 삼십 분", "ko"),
        ("사 명", "ko"),  # Sino-Korean with 명 is not natural Korean
        ("네", "ko"),
        ("넷이요", "ko"),  # a bare number needs expected="count" (see test_extract_all)
        ("4", "ko"),
        ("for 7 pm", "en"),
        ("for 7:30", "en"),
        ("for 2 hours", "en"),
        ("for 3 nights", "en"),
        ("for tomorrow", "en"),
        ("for seven thirty", "en"),
        ("four", "en"),
        ("party of", "en"),
    ],
)
def test_not_counts(text: str, lang: str) -> None:
    assert extract_counts(text, lang) == []


def test_adults_and_children_are_two_counts() -> None:
    ko = extract_counts("어른 두 명 아이 한 명", "ko")
    en = extract_counts("2 adults and 1 person in a wheelchair", "en")
    assert [s.value for s in ko] == [2, 1]
    assert [s.value for s in en] == [2, 1]
