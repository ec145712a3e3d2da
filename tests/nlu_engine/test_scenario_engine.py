"""The trainable engines on the shipped Korean and English scenarios (tiny data, fast)."""

from __future__ import annotations

from datetime import date
from datetime import time as clock

import pytest

from nlu.base import OUT_OF_SCOPE, engine_class
from nlu.training import training_data_from_scenario
from scenarios.loader import load_scenarios

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def scenarios():
    return load_scenarios()


@pytest.fixture(scope="module")
def restaurant_ko(scenarios):
    sc = scenarios["restaurant-ko"]
    return engine_class("classical")(oos_threshold=sc.globals.intent_threshold).train(
        training_data_from_scenario(sc)
    )


def test_trains_from_a_scenario_and_reads_its_examples(scenarios) -> None:
    # the training time is reported by bench/text_turns.py and bench/nlu_benchmarks.py
    sc = scenarios["restaurant-en"]
    engine = engine_class("classical")()
    engine.train(training_data_from_scenario(sc))
    assert engine.parse("I'd like to book a table", today=TODAY).intent == "book"


@pytest.mark.parametrize("text", ["내일 저녁 7시에 4명 예약할게요", "내일저녁7시에4명예약할게요"])
def test_booking_with_typed_slots(restaurant_ko, text: str) -> None:
    res = restaurant_ko.parse(text, today=TODAY)
    assert res.intent == "book"
    assert res.slot("date").value == date(2026, 11, 26)
    assert res.slot("time").value == clock(19, 0)
    assert res.slot("party_size").value == 4


def test_category_synonym(restaurant_ko) -> None:
    res = restaurant_ko.parse("방으로 해 주세요", today=TODAY)
    assert res.slot("seating").value == "room"


def test_expected_slot_reads_bare_answer(restaurant_ko) -> None:
    assert restaurant_ko.parse("넷이요", today=TODAY).slot("party_size") is None
    res = restaurant_ko.parse("넷이요", today=TODAY, expected="party_size")
    assert res.slot("party_size").value == 4
    res = restaurant_ko.parse("김민수입니다", today=TODAY, expected="name")
    assert res.slot("name").value == "김민수"


def test_out_of_scope(restaurant_ko) -> None:
    assert restaurant_ko.parse("주식 추천해 주세요", today=TODAY).intent == OUT_OF_SCOPE
    assert restaurant_ko.parse("😀", today=TODAY).intent == OUT_OF_SCOPE


def test_confirmation_with_correction(restaurant_ko) -> None:
    res = restaurant_ko.parse("아니요 8시로 해주세요", today=TODAY, expected="yesno")
    assert res.slot("yesno").value is False
    assert res.slot("time").value.hour in (8, 20)


def test_the_scenario_parser_is_the_named_engine(scenarios) -> None:
    from nlu.base import NLUEngine
    from nlu.config import scenario_parser

    nlu = scenario_parser(scenarios["carecall-ko"], engine="classical")
    assert isinstance(nlu, NLUEngine) and nlu.name == "classical" and nlu.source == "scenario"
    res = nlu.parse("잘먹었어요", today=TODAY, expected="meal")
    assert res.intent == "inform"
    assert res.slot("meal").value == "ate_well"


def test_backend_from_settings(scenarios) -> None:
    from nlu.config import NLUSettings, make_parser

    backend = make_parser(NLUSettings(backend="classical"), scenarios["restaurant-en"])
    assert (
        backend.parse("table for four tomorrow at 7 pm", today=TODAY).slot("party_size").value == 4
    )


@pytest.mark.parametrize("text", ["음", "그", "음...", "저기"])
def test_hesitation_is_not_understood(scenarios, text: str) -> None:
    sc = scenarios["carecall-ko"]
    engine = engine_class("classical")(oos_threshold=sc.globals.intent_threshold).train(
        training_data_from_scenario(sc)
    )
    res = engine.parse(text, today=TODAY, expected="meal")
    assert res.intent == OUT_OF_SCOPE
    assert res.confidence <= sc.globals.intent_threshold
    assert all(name != "_filler" for name, _ in res.alternatives)


@pytest.mark.parametrize(("typo", "intent"), [("내", "affirm"), ("능", "affirm"), ("아뇰", "deny")])
def test_one_syllable_answers_survive_a_typo(restaurant_ko, typo: str, intent: str) -> None:
    # "내" is one jamo from "네": read as yes, not as a hesitation
    assert restaurant_ko.parse(typo, today=TODAY).intent == intent
