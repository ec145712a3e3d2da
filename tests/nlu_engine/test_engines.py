from __future__ import annotations

import asyncio
import threading
from datetime import date
from pathlib import Path

import pytest

from nlu.base import (
    MODEL_FORMAT,
    OUT_OF_SCOPE,
    ModelError,
    TrainingDataError,
    engine_class,
    load_engine,
)
from nlu.training import Example, TrainingData

TODAY = date(2026, 11, 25)
ODD = [
    "",
    "   ",
    "😀😀😀",
    "x" * 10_000,
    "pizza 피자 ピザ 🍕",
    "\x00\n\t",
    "???",
    "1234567890" * 50,
]


@pytest.fixture(params=["classical", "joint", "encoder"])
def engine(request: pytest.FixtureRequest):
    return request.getfixturevalue(f"{request.param}_pizza")


def test_intents_and_slots(engine) -> None:
    res = engine.parse("i want a large pepperoni pizza", today=TODAY)
    assert res.intent == "order_pizza"
    assert 0.0 <= res.confidence <= 1.0
    slots = {(s.name, s.text) for s in res.slots}
    assert ("size", "large") in slots
    assert ("topping", "pepperoni") in slots
    for s in res.slots:
        assert res.text[s.start : s.end] == s.text
    assert engine.parse("when are you open", today=TODAY).intent == "check_hours"


def test_synonym_normalises_span(classical_pizza) -> None:
    res = classical_pizza.parse("order a small veggie pizza", today=TODAY)
    topping = res.slot("topping")
    assert topping is not None and topping.value == "vegetable"


@pytest.mark.parametrize("text", ODD)
def test_odd_input_gives_a_result(engine, text: str) -> None:
    res = engine.parse(text, today=TODAY)
    assert isinstance(res.intent, str)
    assert len(res.text) <= 400


def test_empty_is_out_of_scope(engine) -> None:
    assert engine.parse("  ", today=TODAY).intent == OUT_OF_SCOPE


def test_save_load_roundtrip(engine, tmp_path: Path) -> None:
    engine.save(tmp_path / "m")
    again = load_engine(tmp_path / "m")
    for text in ("one medium margherita please", "good morning", "are you open now"):
        a, b = engine.parse(text, today=TODAY), again.parse(text, today=TODAY)
        assert (a.intent, a.slots) == (b.intent, b.slots)
        assert a.confidence == pytest.approx(b.confidence, abs=1e-5)


def test_other_format_is_a_clear_error(classical_pizza, tmp_path: Path) -> None:
    model = tmp_path / "old"
    classical_pizza.save(model)
    text = (model / "meta.json").read_text()
    assert f'"format": {MODEL_FORMAT}' in text
    (model / "meta.json").write_text(text.replace(f'"format": {MODEL_FORMAT}', '"format": 0'))
    with pytest.raises(ModelError, match=r"old: model format 0"):
        load_engine(model)
    with pytest.raises(ModelError, match="not an NLU model directory"):
        load_engine(tmp_path / "missing")


def test_needs_two_intents() -> None:
    data = TrainingData(examples=[Example("hello", "greet")])
    with pytest.raises(TrainingDataError, match="two intents"):
        engine_class("classical")().train(data)


def test_unknown_engine_name() -> None:
    with pytest.raises(Exception, match="unknown NLU engine 'bert'"):
        engine_class("bert")


def test_thread_safe_parse(engine) -> None:
    texts = ["i want a large pepperoni pizza", "hello", "are you open on sunday"] * 10
    expected = [engine.parse(t, today=TODAY) for t in texts]
    results: list = [None] * len(texts)

    def work(i: int) -> None:
        results[i] = engine.parse(texts[i], today=TODAY)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [(r.intent, r.slots) for r in results] == [(r.intent, r.slots) for r in expected]


def test_parse_async(classical_pizza) -> None:
    res = asyncio.run(classical_pizza.parse_async("hello", today=TODAY))
    assert res.intent == "greet"


def test_rare_intents_weigh_more_on_large_data() -> None:
    from nlu.classical import _class_weights

    weights = _class_weights(["flight"] * 90 + ["airfare"] * 9 + ["meal"])
    assert weights["meal"] > weights["airfare"] > 1.0 > weights["flight"]
    # between unweighted (1) and scikit-learn's "balanced" (n / (k * count))
    assert 1.0 < weights["meal"] < 100 / 3
