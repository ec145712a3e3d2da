"""Utterances from descriptions: frames filled with typed values, annotations exact."""

from __future__ import annotations

import random
from datetime import date

import pytest

from authoring.annotated import Utterance
from authoring.domain import AuthoringDomain
from authoring.frames import (
    STOCK,
    TYPED_VALUES,
    description_frames,
    fill_frames,
    frame_candidates,
    frame_values,
)
from authoring.pipeline import augment
from authoring.training import heldout_path, load_heldout
from nlu.parsers.extract import extract_counts, extract_dates, extract_times
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def shipped() -> dict:
    return load_scenarios()


def _described_only(sc: Scenario) -> AuthoringDomain:
    domain = AuthoringDomain.from_scenario(sc)
    domain.examples = {k: [] for k in domain.examples}
    return domain


@pytest.mark.parametrize("sid", ["restaurant-ko", "restaurant-en", "carecall-ko", "carecall-en"])
def test_every_span_is_exactly_a_value_of_its_slot(shipped: dict, sid: str) -> None:
    domain = _described_only(shipped[sid])
    values = frame_values(domain)
    rng = random.Random(3)
    slotted = 0
    for intent in domain.intents:
        cands = frame_candidates(domain, intent, 40, rng)
        assert cands, f"{sid}: no frames for {intent}"
        for c in cands:
            u = Utterance.parse(c.text)
            assert u.valid(), c.text
            for start, end, slot, value in u.spans:
                slotted += 1
                said = u.text[start:end]
                assert (said, value) in values[slot], f"{c.text}: {said!r} is not a {slot} value"
    assert slotted >= 10


@pytest.mark.parametrize("language", ["ko", "en"])
def test_typed_values_are_read_by_the_typed_parsers(language: str) -> None:
    for text in TYPED_VALUES["date"][language]:
        assert extract_dates(text, language, TODAY), text
    for text in TYPED_VALUES["time"][language]:
        assert extract_times(text, language), text
    for text in TYPED_VALUES["count"][language]:
        # English frames say a count after "for" (a table for four), as callers do
        said = text if language == "ko" else f"a table for {text}"
        assert extract_counts(said, language), text


def test_fill_frames_marks_the_words_put_in() -> None:
    values: dict[str, list[tuple[str, str | None]]] = {
        "artist": [("miles davis", None)],
        "playlist": [("chill vibes", None)],
        "seating": [("홀", "hall"), ("방", "room")],
    }
    rng = random.Random(0)
    [en] = fill_frames(["add {artist} to {playlist} please"], values, rng, "en")
    assert en == "add [miles davis](artist) to [chill vibes](playlist) please"
    ko = set(fill_frames(["{seating}으로 해 주세요"], values, rng, "ko", per_frame=8))
    assert ko <= {"[홀](seating:hall)로 해 주세요", "[방](seating:room)으로 해 주세요"}
    assert fill_frames(["play {nothing}"], values, rng, "en") == []  # a slot without values


def test_description_grammar_english() -> None:
    frames = description_frames("The caller asks whether they can dine alone.", "en")
    assert "can I dine alone" in frames
    frames = description_frames(
        "The user wants to add a song, an artist or an album to a list.", "en"
    )
    assert {"add a song to a list", "add an artist to a list", "add an album to a list"} <= set(
        frames
    )
    frames = description_frames("The caller asks about opening hours or closing days.", "en")
    assert "what about opening hours" in frames and "what about closing days" in frames
    assert description_frames("Yes.", "en") == []


def test_description_grammar_korean() -> None:
    frames = description_frames("주차가 되는지 묻는 발화", "ko")
    assert "주차 되나요" in frames and "주차가 될까요?" in frames
    frames = description_frames("영업시간이나 쉬는 날을 묻는 발화", "ko")
    assert "영업시간 알려 주세요" in frames and "쉬는 날 알려 주세요" in frames
    frames = description_frames("이미 한 예약을 취소하려는 발화", "ko")
    assert "예약을 취소하고 싶어요" in frames and "취소 부탁드려요" in frames
    frames = description_frames("다시 말해 달라는 발화", "ko")
    assert "다시 말해 주세요" in frames


def test_stock_acts_never_copy_a_held_out_utterance(shipped: dict) -> None:
    held = set()
    for sid in shipped:
        path = heldout_path(sid)
        if path.is_file():
            held |= {e.text.strip() for e in load_heldout(path)[1]}
    stock = {t for acts in STOCK.values() for texts in acts.values() for t in texts}
    assert not stock & held


def test_augment_proposes_frames_for_an_intent_without_examples(shipped: dict) -> None:
    domain = AuthoringDomain.from_scenario(shipped["restaurant-en"])
    domain.examples["faq_parking"] = []
    cands = augment(domain, intents=["faq_parking"], n=10, seed=1)
    kept = [c for c in cands if c.state == "pending"]
    assert kept and all(c.generator == "frames" for c in kept)
    assert any("parking" in c.text for c in kept)
