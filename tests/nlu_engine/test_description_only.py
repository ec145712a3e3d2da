"""An intent with a description and no examples yet: never a crash.

An operator may build a scenario from descriptions alone and generate examples later
(``aicall scenario augment``). Until then the engines that learn from examples only leave it
out; the default engine becomes ``prior`` (classical + the MiniLM description prior,
``nlu.zeroshot``), which predicts it from its description.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from nlu.base import engine_class
from nlu.config import scenario_parser
from nlu.training import training_data_from_scenario
from scenarios.loader import load_scenario
from scenarios.schema import Intent, Scenario

CLINIC = Path(__file__).parents[1] / "scenarios" / "data" / "clinic-en.yaml"
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    sc = load_scenario(CLINIC)
    described = Intent(description="The caller asks whether their insurance is accepted.")
    return sc.model_copy(update={"intents": {**sc.intents, "faq_insurance": described}})


def test_training_data_leaves_it_out_with_a_warning(
    scenario: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="nlu.training"):
        data = training_data_from_scenario(scenario)
    assert "faq_insurance" not in data.intents and "book" in data.intents
    assert "'faq_insurance' has no examples" in caplog.text


def test_the_default_engine_predicts_it_from_its_description(scenario: Scenario) -> None:
    nlu = scenario_parser(scenario, engine="classical")
    assert nlu.parse("I'd like to make an appointment", today=TODAY).intent == "book"
    asked = nlu.parse("do you take my insurance", today=TODAY)
    assert asked.intent == "faq_insurance"


@pytest.mark.parametrize("engine", ["", "joint"])
def test_every_engine_trains_and_parses(scenario: Scenario, engine: str) -> None:
    if engine == "joint":
        pytest.importorskip("torch")
    nlu = scenario_parser(scenario, engine=engine)
    result = nlu.parse("I'd like to make an appointment", today=TODAY)
    assert result.intent == "book"
    assert all(name != "faq_insurance" for name, _ in result.alternatives)


def test_the_ensemble_trains_too(scenario: Scenario) -> None:
    pytest.importorskip("torch")
    engine = engine_class("ensemble")().train(training_data_from_scenario(scenario))
    assert engine.parse("please cancel my appointment", today=TODAY).intent == "cancel_booking"
