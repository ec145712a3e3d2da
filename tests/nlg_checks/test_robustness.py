"""check_reply never raises, whatever the model produced, and stays fast."""

from __future__ import annotations

import random
import time as clock
from datetime import date, time

import pytest

from dialogue.acts import SystemAct
from nlg.checks import check_reply
from nlg.checks._morph import impolite_endings

ACTS = [
    SystemAct("confirm", values={"date": date(2026, 12, 4), "time": time(19), "party_size": 4}),
    SystemAct("request", slot="time"),
]
ALPHABET = (
    "abcXYZ 0123456789 .,?!:;-_/'\"{}[]<>*#\n\t 가나다라 네명분시월일요 ㅋㅎ ᆯ까요 "
    "漢字 かな Привет 😀 \u200b\u00a0 $₩ 오후저녁7시 seven pm four people"
)


def test_random_garbage_never_raises() -> None:
    rng = random.Random(1234)
    for i in range(300):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 80)))
        lang = "ko" if i % 2 else "en"
        result = check_reply(
            text, acts=ACTS, template_text="12월 4일 오후 7시, 4명 맞으세요?", lang=lang
        )
        assert isinstance(result.ok, bool)
        assert result.ok or result.reasons


def test_a_check_takes_milliseconds() -> None:
    kwargs = {"acts": ACTS[:1], "template_text": "12월 4일 오후 7시, 4명 맞으세요?", "lang": "ko"}
    check_reply("워밍업입니다.", **kwargs)  # type: ignore[arg-type]
    started = clock.perf_counter()
    for i in range(50):
        check_reply(f"네, 12월 4일 저녁 7시에 네 분 맞으실까요? ({i})", **kwargs)  # type: ignore[arg-type]
    assert (clock.perf_counter() - started) / 50 < 0.05


@pytest.mark.parametrize(
    ("text", "rude"),
    [
        ("당신이 필요하신 것이 있으세요?", True),
        ("너는 몇 시에 오세요?", True),
        ("너무 늦지 않으세요?", False),  # 너무 is not 너
        ("당근 케이크도 있어요.", False),
    ],
)
def test_addressing_the_caller_as_dangsin_or_neo_is_impolite(text: str, rude: bool) -> None:
    assert bool(impolite_endings(text)) is rude
