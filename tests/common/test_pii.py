"""common.pii: what is redacted, what must stay, and the floors measured on the phrasing set."""

from __future__ import annotations

import io
import logging

import pytest

from bench.pii import evaluate, load_phrasings
from common.pii import RedactingFilter, find, redact, redact_json, redact_secrets, register_secrets

# Measured on tests/common/data/pii_phrasings.jsonl (python -m bench pii, docs/privacy.md):
# precision 0.994, recall 0.962. A change that loses recall or precision fails here.
RECALL_FLOOR = 0.96
PRECISION_FLOOR = 0.99


def test_the_issues_example_in_korean_and_english() -> None:
    ko = "제 주민번호는 900101-1234567이고 카드번호는 4111 1111 1111 1111예요"
    assert redact(ko) == "제 주민번호는 [RRN]이고 카드번호는 [CARD]예요"
    en = "My resident registration number is 900101-1234567 and my card is 4111 1111 1111 1111."
    assert redact(en) == "My resident registration number is [RRN] and my card is [CARD]."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("주민번호 구공공일공일 다시 일이삼사오육칠이고요", "주민번호 [RRN]이고요"),
        ("카드는 사일일일 일일일일 일일일일 일일일일이요", "카드는 [CARD]이요"),
        ("남편 번호는 공일공 구팔칠육 오사삼이예요", "남편 번호는 [PHONE]예요"),
        ("four one one one one one one one one one one one one one one one", "[CARD]"),
        (
            "my wife is on oh one oh, nine eight seven six, five four three two",
            "my wife is on [PHONE]",
        ),
        ("국민은행 123456-12-123456으로 입금할게요", "국민은행 [ACCOUNT]으로 입금할게요"),
        ("account number 000123456789 please", "account number [ACCOUNT] please"),
        ("call me at (212) 555-0199", "call me at [PHONE]"),
    ],
)
def test_spoken_and_written_numbers_are_masked_by_kind(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_bookings_own_phone_survives_in_every_form_and_others_do_not() -> None:
    keep = ("+82 10-1234-5678",)
    for said in (
        "010-1234-5678",
        "공일공 일이삼사 오육칠팔",
        "zero one zero 1234 5678",
        "01012345678",
    ):
        assert redact(f"제 번호는 {said}이에요", keep=keep) == f"제 번호는 {said}이에요"
    assert redact("010-1234-5678 말고 010-2222-3333도요", keep=keep) == (
        "010-1234-5678 말고 [PHONE]도요"
    )


@pytest.mark.parametrize(
    "text",
    [
        "내일 저녁 7시에 4명 예약하고 싶어요",
        "2026-12-03 19:30 예약 맞죠?",
        "가격은 35,000원이고 총 1,250,000원이에요",
        "주문번호 2026120312345 확인 부탁드려요",
        "대표번호 1588-1234로 전화했어요",
        "order number 4111111111111111",
        "on 12/24/2026 at 19:30, party of 6",
        "오늘 일요일인데 사람이 오십 명 이상이에요",
    ],
)
def test_dates_times_prices_and_order_numbers_stay(text: str) -> None:
    assert find(text) == []
    assert redact(text) == text


def test_json_payloads_are_redacted_leaf_by_leaf() -> None:
    payload = {"text": "카드 4111 1111 1111 1111", "slots": [["phone", "01012345678"]], "n": 4}
    assert redact_json(payload, keep=("01012345678",)) == {
        "text": "카드 [CARD]",
        "slots": [["phone", "01012345678"]],
        "n": 4,
    }


def test_secrets_registered_and_url_passwords_are_masked() -> None:
    register_secrets("tok-3f9a8b7c6d5e", None, "ab")  # None and too-short values are ignored
    text = "auth tok-3f9a8b7c6d5e failed for postgresql+psycopg://app:s3cr3t-pw@db:5432/aicall"
    assert (
        redact_secrets(text)
        == "auth [SECRET] failed for postgresql+psycopg://app:***@db:5432/aicall"
    )
    assert redact("Authorization: Bearer abcdefghijklmnop1234") == "Authorization: Bearer [SECRET]"
    assert redact_secrets("about a bar") == "about a bar"


def test_the_logging_filter_redacts_message_arguments_and_tracebacks() -> None:
    # A logger of its own (not propagating): the root handlers another test or the CLI
    # configured carry their own RedactingFilter without this ``keep``.
    logger = logging.getLogger("tests.pii.filter")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactingFilter(keep=("010-1234-5678",)))
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise ValueError("card 4111 1111 1111 1111 refused")
    except ValueError:
        logger.exception("caller said %s (booking %s)", "900101-1234567", "010-1234-5678")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert "caller said [RRN] (booking 010-1234-5678)" in text
    assert "card [CARD] refused" in text
    assert "900101" not in text and "4111" not in text


def test_recall_and_precision_on_the_phrasing_set_hold_their_floor() -> None:
    phrasings = load_phrasings()
    assert len(phrasings) >= 200
    assert {p.lang for p in phrasings} == {"ko", "en"}
    score = evaluate(phrasings)
    assert score.recall() >= RECALL_FLOOR, score.errors
    assert score.precision() >= PRECISION_FLOOR, score.errors
    for lang in ("ko", "en"):
        assert score.recall(lang) >= 0.95, score.errors


def test_ordinary_booking_turns_are_untouched() -> None:
    booking = [p for p in load_phrasings() if p.group == "booking"]
    assert len(booking) >= 40
    changed = [p.text for p in booking if redact(p.text, keep=p.keep) != p.text]
    assert changed == []
