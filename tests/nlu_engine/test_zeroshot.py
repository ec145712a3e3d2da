"""The description prior (MiniLM-L6) and the ``prior`` engine: intents from descriptions.

Thresholds are rankings and counts that hold on any CPU, never exact probabilities.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from authoring.domain import AuthoringDomain
from authoring.frames import frame_candidates
from authoring.training import training_data_with
from nlu.base import load_engine
from nlu.training import TrainingData, training_data_from_scenario
from nlu.zeroshot import IntentPrior, PriorEngine, engine_for, label_words
from scenarios.loader import load_scenarios

TODAY = date(2026, 11, 25)

EN = {
    "book": "The caller wants to book a table.",
    "faq_parking": "The caller asks about parking.",
    "cancel_booking": "The caller wants to cancel an existing booking.",
    "faq_hours": "The caller asks about opening hours or closing days.",
}
EN_TESTS = [
    ("I'd like to reserve a table for tonight", "book"),
    ("is there somewhere to park my car", "faq_parking"),
    ("please cancel my reservation", "cancel_booking"),
    ("what time do you open", "faq_hours"),
    ("do you have a parking lot", "faq_parking"),
    ("I can't make it, cancel it", "cancel_booking"),
]
KO = {
    "book": "식당에 자리를 예약하려는 발화",
    "faq_parking": "주차가 되는지 묻는 발화",
    "cancel_booking": "이미 한 예약을 취소하려는 발화",
    "faq_hours": "영업시간이나 쉬는 날을 묻는 발화",
}
KO_TESTS = [
    ("내일 저녁에 예약하고 싶어요", "book"),
    ("주차 돼요?", "faq_parking"),
    ("예약 취소해 주세요", "cancel_booking"),
    ("영업시간이 어떻게 돼요", "faq_hours"),
    ("주차장 있어요", "faq_parking"),
    ("쉬는 날이 언제예요", "faq_hours"),
]


def test_label_words() -> None:
    assert label_words("AddToPlaylist") == "add to playlist"
    assert label_words("faq_parking") == "faq parking"


def test_prior_alone_ranks_the_described_intent_english() -> None:
    prior = IntentPrior(EN)
    ranks = [[i for i, _ in prior.rank(text)] for text, _ in EN_TESTS]
    top1 = sum(r[0] == gold for r, (_, gold) in zip(ranks, EN_TESTS, strict=True))
    assert top1 >= 5
    assert all(gold in r[:2] for r, (_, gold) in zip(ranks, EN_TESTS, strict=True))
    p = prior.probabilities(["please cancel my reservation"])[0]
    assert abs(float(p.sum()) - 1.0) < 1e-4


def test_prior_alone_in_korean_sees_shared_words() -> None:
    # MiniLM-L6's vocabulary is English: Korean reaches it as jamo pieces, so the prior alone
    # finds what shares words with the description (주차, 영업시간), not paraphrases
    prior = IntentPrior(KO)
    assert prior.rank("주차 돼요?")[0][0] == "faq_parking"
    assert "faq_hours" in [i for i, _ in prior.rank("영업시간이 어떻게 돼요")[:2]]


def _described(descriptions: dict[str, str], language: str) -> TrainingData:
    domain = AuthoringDomain(language, "toy", descriptions, {k: [] for k in descriptions})
    rng = random.Random(1)
    frames = [
        c.accepted() for intent in descriptions for c in frame_candidates(domain, intent, 30, rng)
    ]
    base = TrainingData(language=language, descriptions=dict(descriptions))
    return training_data_with(base, frames)


@pytest.mark.parametrize(
    ("descriptions", "tests", "language"), [(EN, EN_TESTS, "en"), (KO, KO_TESTS, "ko")]
)
def test_prior_engine_from_descriptions_only(
    descriptions: dict[str, str], tests: list[tuple[str, str]], language: str, tmp_path: Path
) -> None:
    engine = PriorEngine(oos_threshold=0.0).train(_described(descriptions, language))
    got = [engine.parse(text, today=TODAY).intent for text, _ in tests]
    right = sum(g == gold for g, (_, gold) in zip(got, tests, strict=True))
    assert right >= len(tests) - 1, got
    # saved and loaded, it answers the same
    loaded = load_engine(engine.save(tmp_path / "m"))
    assert isinstance(loaded, PriorEngine)
    assert [loaded.parse(t, today=TODAY).intent for t, _ in tests] == got


def test_an_intent_without_examples_is_predicted_by_the_prior() -> None:
    sc = load_scenarios()["restaurant-en"]
    data = training_data_from_scenario(sc)
    data.examples = [e for e in data.examples if e.intent != "faq_parking"]
    assert engine_for(data, "classical") == "prior"
    assert engine_for(data, "joint") == "joint"
    engine = PriorEngine(oos_threshold=sc.globals.intent_threshold).train(data)
    assert "faq_parking" in engine.intents
    result = engine.parse("is there a place to park my car", today=TODAY)
    assert result.intent == "faq_parking"
    # the rest still comes from the trained examples: slots too
    booked = engine.parse("a table for four tomorrow at 7 pm", today=TODAY)
    assert booked.intent == "book"
    assert {s.name for s in booked.slots} >= {"party_size", "date", "time"}


def test_shipped_scenarios_keep_the_classical_engine() -> None:
    for sc in load_scenarios().values():
        assert engine_for(training_data_from_scenario(sc), "classical") == "classical"
