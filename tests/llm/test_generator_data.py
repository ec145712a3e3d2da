"""The tuned generator's data recipe: which rewording pairs it keeps (tools/train_generator/data.py).

A pair that changes a number or turns a question into a statement taught the adapter to drop
values; a 반말 target taught it to answer callers in 반말. The filters that keep them out are
pure functions, tested here without the fetched data.
"""

from __future__ import annotations

import pytest

from tools.train_generator.data import keeps_meaning, polite_korean


@pytest.mark.parametrize(
    "line",
    [
        "몇 시로 예약해 드릴까요?",
        "연락 가능한 전화번호를 말씀해 주세요.",
        "경기내륙 예상 강수량은 얼마입니까?",
        "여름철에 상온에 음식 오래두면 안됩니다.",
        "자외선 강할 때 잊지 말고 선크림 바르시죠.",
    ],
)
def test_polite_korean_keeps_lines_an_agent_could_say(line: str) -> None:
    assert polite_korean(line)


@pytest.mark.parametrize(
    "line",
    [
        "주요 일정들이 겹치는 때가 언제야?",  # 반말 ending
        "비 올 때 계곡엔 텐트치지 말지?",
        "심리적 안정을 위한 조명 밝기를 네가 알려줄래요?",  # 네가: 반말 pronoun
        "내 일정 좀 알려주세요",  # 내: the speaker talks down
        "오늘 날씨 알려줘",
    ],
)
def test_polite_korean_leaves_out_banmal(line: str) -> None:
    assert not polite_korean(line)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("It's $24 per night.", "It costs $24 per night."),
        ("Shall I book it for 3 people?", "Would you like me to book it for 3 people?"),
        ("You have two rooms booked.", "Two rooms are booked for you."),
        ("4시에 세 분 맞으세요?", "4시에 세 분 오시는 거 맞으세요?"),
    ],
)
def test_keeps_meaning_takes_same_numbers_and_sentence_kind(a: str, b: str) -> None:
    assert keeps_meaning(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # SGD's unannotated counts differ between lines of the same act
        ("The room requirement is 3 in a Paris hotel", "There will be 2 rooms in Paris"),
        ("Two tickets at 7 pm.", "Tickets at 7 pm."),  # a number dropped
        ("Shall I cancel your booking?", "Please cancel your booking."),  # no longer asks
        ("4시에 세 분 맞으세요?", "4시에 두 분 맞으세요?"),
        ("Same line.", "Same line."),  # nothing to learn
        ("Is there anything you need?", "Isn't there anything you need?"),  # negation added
        ("오늘 식사는 잘 하셨어요?", "오늘 식사는 잘 못 하셨어요?"),
        # far apart: a paraphrase this loose taught the adapter to drift
        (
            "오늘 언제 저녁 드신다고 하셨어요?",
            "저녁 약속은 몇 시쯤으로 잡으셨는지 여쭤봐도 될까요?",
        ),
    ],
)
def test_keeps_meaning_leaves_out_pairs_that_change_values_or_kind(a: str, b: str) -> None:
    assert not keeps_meaning(a, b)
