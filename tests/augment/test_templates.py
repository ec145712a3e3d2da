"""Slot templates filled with values: particles agree with the filled word."""

from __future__ import annotations

import random

from authoring.annotated import Utterance
from authoring.templates import fill_template, to_template

SEATING = {"seating": [("방", "room"), ("테라스", "outdoor"), ("홀", "hall"), ("야외", "outdoor")]}


def _all(template: str, values: dict, language: str = "ko") -> set[str]:
    rng = random.Random(0)
    return {fill_template(template, values, rng, language) or "" for _ in range(40)}


def test_particles_agree_with_each_filled_value() -> None:
    assert _all("{seating}으로 해 주세요", SEATING) == {
        "[방](seating:room)으로 해 주세요",
        "[테라스](seating:outdoor)로 해 주세요",
        "[홀](seating:hall)로 해 주세요",  # ㄹ takes 로
        "[야외](seating:outdoor)로 해 주세요",
    }
    assert _all("{seating}가 있나요", SEATING) == {
        "[방](seating:room)이 있나요",
        "[테라스](seating:outdoor)가 있나요",
        "[홀](seating:hall)이 있나요",
        "[야외](seating:outdoor)가 있나요",
    }
    assert "[테라스](seating:outdoor)를 원해요" in _all("{seating}을 원해요", SEATING)
    assert "[방](seating:room)은 비싼가요" in _all("{seating}는 비싼가요", SEATING)
    assert "[테라스](seating:outdoor)와 홀 중에요" in _all("{seating}과 홀 중에요", SEATING)


def test_template_of_an_example_round_trips() -> None:
    ex = "[내일](date) [저녁 7시](time)에 [4명](party_size) 예약할게요"
    assert to_template(ex) == "{date} {time}에 {party_size} 예약할게요"
    values = {"date": [("내일", None)], "time": [("저녁 7시", None)], "party_size": [("4명", None)]}
    assert fill_template(to_template(ex), values, random.Random(0), "ko") == ex


def test_unknown_placeholder_gives_nothing() -> None:
    assert fill_template("{seat}으로요", SEATING, random.Random(0), "ko") is None


def test_english_article_agrees() -> None:
    out = fill_template(
        "I want a {seating}", {"seating": [("outdoor table", "outdoor")]}, random.Random(0), "en"
    )
    assert out == "I want an [outdoor table](seating:outdoor)"
    assert Utterance.parse(out or "").text == "I want an outdoor table"
