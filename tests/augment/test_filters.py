"""Screening: every bad candidate is rejected with its reason; good ones stay pending."""

from __future__ import annotations

import pytest

from authoring.candidates import Candidate
from authoring.domain import AuthoringDomain
from authoring.filters import Screen

_SCREENS: dict[str, Screen] = {}


def _reason(
    domain: AuthoringDomain, intent: str, text: str, gen: str = "llm_paraphrase"
) -> str | None:
    # one screen (and one trained classifier) per domain; nothing is remembered between checks
    if domain.name not in _SCREENS:
        _SCREENS[domain.name] = Screen(domain)
    screen = _SCREENS[domain.name]
    return screen.reason(Candidate(intent, text, gen, "v1"), remember=False)


@pytest.mark.parametrize(
    ("intent", "text", "reason"),
    [
        ("book", "   ", "empty"),
        ("book", "?!", "empty"),
        ("book", '{"utterances": ["예약"', "malformed"),
        ("book", "의도: 예약하려는 발화", "malformed"),
        ("book", "<start_of_turn>예약요", "malformed"),
        ("book", "예약 예약 예약 예약 예약", "malformed"),
        ("book", "[방](seat)으로 예약요", "unknown_slot:seat"),
        ("book", "[방](seating:attic)으로 예약요", "unknown_slot:seating:attic"),
        ("book", "I want to book a table", "wrong_language"),
        ("book", "予約したいです", "wrong_language"),
        ("book", "씨발 예약 좀 해", "offensive"),
        ("book", "예약하고 싶어요", "duplicate"),
        ("book", "예약하고 싶어요!!", "duplicate"),
        ("book", "예약하고 싶어요요", "near_duplicate"),
        ("book", "예약한 거 취소 좀 해 주세요", "label_conflict:cancel_booking"),
        ("faq_parking", "오늘 날씨 좀 알려 주세요", "off_topic"),
    ],
)
def test_korean_rejections(ko: AuthoringDomain, intent: str, text: str, reason: str) -> None:
    assert _reason(ko, intent, text) == reason


@pytest.mark.parametrize(
    ("intent", "text", "reason"),
    [
        ("book", "", "empty"),
        ("book", "예약하고 싶어요", "wrong_language"),
        ("book", "book a fucking table", "offensive"),
        ("book", "I'd like to book a table", "duplicate"),
        ("book", "please cancel the table I booked", "label_conflict:cancel_booking"),
        ("book", "Utterance: book a table", "malformed"),
    ],
)
def test_english_rejections(en: AuthoringDomain, intent: str, text: str, reason: str) -> None:
    assert _reason(en, intent, text) == reason


def test_good_candidates_stay_pending(ko: AuthoringDomain, en: AuthoringDomain) -> None:
    assert _reason(ko, "book", "[토요일](date) 저녁에 가족 모임 자리 잡을 수 있을까요") is None
    assert _reason(en, "faq_parking", "is there somewhere to leave the car") is None


def test_deterministic_variants_are_not_near_duplicates(ko: AuthoringDomain) -> None:
    # a spacing variant is a near-duplicate on purpose; only exact duplicates go
    assert _reason(ko, "book", "예약하고싶어요", "spacing") is None
    assert _reason(ko, "book", "예약하고 싶어요", "spacing") == "duplicate"


def test_candidates_are_deduplicated_among_themselves(ko: AuthoringDomain) -> None:
    out = Screen(ko).screen(
        [
            Candidate("book", "토요일에 가족끼리 갈 자리 있나요", "llm_paraphrase"),
            Candidate("book", "토요일에 가족끼리 갈 자리 있나요?", "llm_paraphrase"),
        ]
    )
    assert [c.state for c in out] == ["pending", "rejected"]
    assert out[1].reason == "duplicate"


def test_accepted_candidates_count_as_examples(ko: AuthoringDomain) -> None:
    accepted = [
        Candidate("book", "토요일에 가족끼리 갈 자리 있나요", "llm_paraphrase", state="accepted")
    ]
    assert (
        Screen(ko, accepted).reason(Candidate("book", "토요일에 가족끼리 갈 자리 있나요", "typo"))
        == "duplicate"
    )
