"""A booking caller's shortcuts, in Korean and English (nlu.parsers.extract_wishes)."""

from __future__ import annotations

import pytest

from nlu.parsers import extract_wishes

CASES = [
    ("ko", "아무 선생님이나 괜찮아요", {"anyone"}),
    ("ko", "아무나 괜찮아요", {"anyone", "no_preference"}),
    ("ko", "원장님은 상관없어요", {"anyone"}),
    ("ko", "누구든 괜찮아요", {"anyone"}),
    ("ko", "상관없어요", {"no_preference"}),
    ("ko", "제일 빠른 시간으로 해 주세요", {"earliest"}),
    ("ko", "가장 빠른 날로 잡아 주세요", {"earliest"}),
    ("ko", "되는 시간 중에 제일 빠른 걸로요", {"earliest"}),
    ("ko", "지난번 그 선생님으로 해 주세요", {"same_as_last"}),
    ("ko", "저번에 봐 주신 선생님으로요", {"same_as_last"}),
    ("ko", "지난번이랑 같은 선생님이요", {"same_as_last"}),
    ("ko", "아무 때나 괜찮아요", set()),  # any time is no provider
    ("ko", "7시요", set()),
    ("ko", "네 알겠습니다", set()),
    ("en", "anyone is fine", {"anyone"}),
    ("en", "whoever is free", {"anyone"}),
    ("en", "any doctor will do", {"anyone"}),
    ("en", "I don't mind", {"no_preference"}),
    ("en", "no preference", {"no_preference"}),
    ("en", "I don't mind the time", set()),
    ("en", "the earliest you have", {"earliest"}),
    ("en", "first available please", {"earliest"}),
    ("en", "as soon as possible", {"earliest"}),
    ("en", "the same doctor as last time", {"same_as_last"}),
    ("en", "the same person as before", {"same_as_last"}),
    ("en", "my usual stylist", {"same_as_last"}),
    ("en", "7 pm please", set()),
    ("en", "is there anything else", set()),
]


@pytest.mark.parametrize(("lang", "text", "wishes"), CASES, ids=[c[1] for c in CASES])
def test_wishes(lang: str, text: str, wishes: set[str]) -> None:
    assert extract_wishes(text, lang) == wishes


@pytest.mark.parametrize("text", ["", "   ", "?!"])
def test_nothing_said_is_no_wish(text: str) -> None:
    assert extract_wishes(text, "ko") == set() and extract_wishes(text, "en") == set()
