from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from nlu.base import OUT_OF_SCOPE, ModelError, engine_class, load_engine
from nlu.training import TrainingData

TODAY = date(2026, 11, 25)
ODD = [
    "",
    "   ",
    "😀😀😀",
    "x" * 10_000,
    "pizza 피자 ピザ 🍕",
    "\x00\n\t",
    "???",
    "예약 reserve 7시",
]


@pytest.fixture(scope="module")
def ensemble(pizza_data: TrainingData):
    from nlu.ensemble import EnsembleEngine

    joint = {"epochs": 40, "hidden": 32, "lr": 5e-3}
    return EnsembleEngine(threads=1, joint_kwargs=joint).train(pizza_data)


def test_registered_by_name() -> None:
    from nlu.ensemble import EnsembleEngine

    assert engine_class("ensemble") is EnsembleEngine


@pytest.mark.parametrize("slots", ["classical", "joint"])
def test_intents_and_slots_from_either_tagger(ensemble, slots: str) -> None:
    ensemble.slot_source = slots
    try:
        res = ensemble.parse("i want a large pepperoni pizza", today=TODAY)
    finally:
        ensemble.slot_source = "classical"
    assert res.intent == "order_pizza"
    assert 0.0 <= res.confidence <= 1.0
    found = {(s.name, s.text) for s in res.slots}
    assert ("size", "large") in found
    assert ("topping", "pepperoni") in found
    assert ensemble.parse("when are you open", today=TODAY).intent == "check_hours"


def test_combination_follows_the_weight(ensemble) -> None:
    pc = np.array([0.7, 0.2, 0.1])
    pj = np.array([0.1, 0.8, 0.1])
    ensemble.weight = 1.0
    try:
        assert np.allclose(ensemble.combine(pc, pj), pc)
        ensemble.weight = 0.0
        assert np.allclose(ensemble.combine(pc, pj), pj)
        ensemble.weight, ensemble.mean = 0.5, "arithmetic"
        assert np.allclose(ensemble.combine(pc, pj), [0.4, 0.5, 0.1])
        ensemble.mean = "geometric"
        p = ensemble.combine(pc, pj)
        assert p.sum() == pytest.approx(1.0)
        assert int(np.argmax(p)) == 1  # sqrt(.7 * .1) < sqrt(.2 * .8)
    finally:
        ensemble.weight, ensemble.mean = 0.5, "geometric"


def test_slot_labels_vote_for_their_intents(ensemble, pizza_data: TrainingData) -> None:
    from nlu.ensemble import label_counts

    counts = label_counts(pizza_data, ensemble.intents)
    assert set(counts) == {"size", "topping"}
    votes = ensemble.slot_votes(["size", "topping", "unknown_label"])
    assert ensemble.intents[int(np.argmax(votes))] == "order_pizza"
    assert np.all(ensemble.slot_votes([]) == 0.0)


def test_slot_prior_keeps_a_valid_distribution(ensemble, tmp_path: Path) -> None:
    ensemble.slot_prior = 0.5
    try:
        res = ensemble.parse("a large pizza please", today=TODAY)
        assert res.intent == "order_pizza"
        assert 0.0 <= res.confidence <= 1.0
        again = load_engine(ensemble.save(tmp_path / "m"))
    finally:
        ensemble.slot_prior = 0.0
    from nlu.ensemble import EnsembleEngine

    assert isinstance(again, EnsembleEngine)
    assert again.slot_prior == 0.5 and again.label_counts == ensemble.label_counts
    assert again.parse("a large pizza please", today=TODAY).intent == "order_pizza"


def test_distributions_cover_every_intent(ensemble) -> None:
    from nlu.tokens import tokenize

    text = "are you open on sunday"
    pc, pj, _ = ensemble.intent_distributions(text, tokenize(text))
    assert len(pc) == len(pj) == len(ensemble.intents)
    assert pc.sum() == pytest.approx(1.0) and pj.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("text", ODD)
def test_odd_input_gives_a_result(ensemble, text: str) -> None:
    res = ensemble.parse(text, today=TODAY)
    assert isinstance(res.intent, str)
    assert len(res.text) <= 400
    if not text.strip():
        assert res.intent == OUT_OF_SCOPE


def test_save_load_roundtrip(ensemble, tmp_path: Path) -> None:
    model = ensemble.save(tmp_path / "m")
    for sub in ("classical", "joint"):
        meta = json.loads((model / sub / "meta.json").read_text(encoding="utf-8"))
        assert meta["engine"] == sub and "format" in meta
    again = load_engine(model)
    assert type(again).__name__ == "EnsembleEngine"
    for text in ("one medium margherita please", "good morning", "are you open now"):
        a, b = ensemble.parse(text, today=TODAY), again.parse(text, today=TODAY)
        assert (a.intent, a.slots) == (b.intent, b.slots)
        assert a.confidence == pytest.approx(b.confidence, abs=1e-5)


def test_missing_sub_model_is_a_clear_error(ensemble, tmp_path: Path) -> None:
    model = ensemble.save(tmp_path / "m")
    shutil.rmtree(model / "joint")
    with pytest.raises(ModelError, match="joint"):
        load_engine(model)


def test_bad_config_is_a_clear_error(ensemble, tmp_path: Path) -> None:
    model = ensemble.save(tmp_path / "m")
    (model / "ensemble.json").write_text('{"weight": 2, "mean": "geometric", "slots": "joint"}')
    with pytest.raises(ModelError, match="ensemble.json"):
        load_engine(model)


@pytest.mark.parametrize(
    "kwargs", [{"weight": -0.1}, {"mean": "median"}, {"slots": "both"}, {"slot_prior": -1.0}]
)
def test_bad_arguments_are_refused(kwargs: dict) -> None:
    from nlu.ensemble import EnsembleEngine

    with pytest.raises(ValueError, match="ensemble"):
        EnsembleEngine(**kwargs)
