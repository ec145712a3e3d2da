from __future__ import annotations

import random
from datetime import date

from nlu.base import NLUEngine
from nlu.evaluate import evaluate, format_report
from nlu.features import ValueLexicon
from nlu.noise import insert_space, one_typo, remove_spaces, typo_variants
from nlu.tokens import bio_tags, spans_from_tags, tokenize
from nlu.training import Entity, Example, TrainingData, training_data_from_scenario
from nlu.types import NLUResult, SlotValue
from scenarios.loader import load_scenarios


def test_scenario_training_data() -> None:
    sc = load_scenarios()["restaurant-ko"]
    data = training_data_from_scenario(sc)
    assert set(data.intents) == set(sc.intents)
    assert data.slot_types["date"] == "date"
    assert "room" in data.categories["seating"]
    ex = next(e for e in data.examples if e.entities and e.entities[0].entity == "seating")
    ent = ex.entities[0]
    assert ex.text[ent.start : ent.end] == "방" and ent.value == "room"


def test_korean_tokens_split_at_morphemes_and_ignore_spacing() -> None:
    a = [t.text for t in tokenize("내일 저녁 7시에 4명 예약할게요")]
    b = [t.text for t in tokenize("내일저녁7시에4명예약할게요")]
    assert a == b
    assert "내일" in a and "7" in a


def test_bio_roundtrip() -> None:
    text = "fly from new york to boston"
    toks = tokenize(text)
    spans = [(9, 17, "from"), (21, 27, "to")]
    tags = bio_tags(toks, spans)
    assert tags == ["O", "O", "B-from", "I-from", "O", "B-to"]
    assert [(s, e, label) for s, e, label, _ in spans_from_tags(toks, tags)] == spans
    # an I- without its B- starts a span (CoNLL)
    assert spans_from_tags(toks, ["O", "O", "I-x", "I-x", "O", "O"])[0][:3] == (9, 17, "x")


def test_noise() -> None:
    rng = random.Random(0)
    assert remove_spaces("내일 저녁 7시") == "내일저녁7시"
    spaced = insert_space("예약할게요", rng)
    assert spaced.replace(" ", "") == "예약할게요" and " " in spaced
    typo = one_typo("예약할게요", rng)
    assert typo != "예약할게요" and len(typo) == len("예약할게요")
    assert one_typo("", rng) == ""


class Fixed(NLUEngine):
    """Answers from a table: evaluation is tested without training anything."""

    def __init__(self, answers: dict[str, NLUResult]) -> None:
        super().__init__()
        self.answers = answers
        self.trained = True

    def parse(self, text: str, *, today: date, expected: str | None = None) -> NLUResult:
        return self.answers[text]

    def _fit(self, data, progress):  # pragma: no cover
        raise NotImplementedError

    def _predict(self, text, tokens):  # pragma: no cover
        raise NotImplementedError

    def _save(self, path):  # pragma: no cover
        raise NotImplementedError

    def _load(self, path):  # pragma: no cover
        raise NotImplementedError


def test_conll_exact_span_scores() -> None:
    gold = [
        Example("to boston", "fly", (Entity(3, 9, "city"),)),
        Example("to new york", "fly", (Entity(3, 11, "city"),)),
        Example("hi", "greet"),
    ]
    engine = Fixed(
        {
            "to boston": NLUResult(
                "to boston", "d", "fly", 0.9, (SlotValue("city", "boston", "boston", 3, 9),)
            ),
            # partial span: one false positive and one miss
            "to new york": NLUResult(
                "to new york", "d", "fly", 0.9, (SlotValue("city", "york", "york", 7, 11),)
            ),
            "hi": NLUResult("hi", "d", "fly", 0.4),
        }
    )
    rep = evaluate(engine, gold)
    assert rep.intent_accuracy == 2 / 3
    assert (rep.slots.tp, rep.slots.fp, rep.slots.fn) == (1, 1, 1)
    assert rep.slots.f1 == 0.5
    assert rep.confusions[("greet", "fly")] == 1
    assert rep.per_intent["greet"].recall == 0.0
    d = rep.as_dict()
    assert d["slot_micro"]["f1"] == 0.5 and d["confusions"][0]["gold"] == "greet"
    assert "intent accuracy 66.67%" in format_report(rep)


def test_merge_keeps_both() -> None:
    a = TrainingData(examples=[Example("a", "x")], lookups={"l": ["1"]}, language="ko")
    b = TrainingData(examples=[Example("b", "y")], lookups={"l": ["2"]}, language="ko")
    m = a.merge(b)
    assert [e.text for e in m.examples] == ["a", "b"] and m.lookups["l"] == ["1", "2"]


def test_typo_variants_of_short_korean_answers() -> None:
    variants = typo_variants("네")
    assert "내" in variants and "네" not in variants
    assert len(variants) == len(set(variants))
    assert all(len(v) == 1 for v in variants)
    assert typo_variants("내일 저녁 7시에 예약할게요") == []  # long: n-grams carry it
    assert typo_variants("yes") == []


def test_value_lexicon_marks_known_values_and_jackknife_hides_unique_ones() -> None:
    examples = [
        Example("play this is prince", "play", (Entity(5, 19, "playlist"),)),
        Example("add it to this is prince", "add", (Entity(10, 24, "playlist"),)),
        Example("play jazz hands now", "play", (Entity(5, 15, "playlist"),)),
    ]
    tokenized = [tokenize(e.text) for e in examples]
    lexicon = ValueLexicon(examples, tokenized)
    marks = lexicon.marks(tokenize("put this is prince on"))
    assert marks == [[], ["vl:B|playlist"], ["vl:I|playlist"], ["vl:I|playlist"], []]
    seen = ValueLexicon.jackknife(examples, tokenized, folds=3)
    # "jazz hands" occurs once: from the other folds it is unknown
    assert seen[2] == [[], [], [], []]
    assert seen[0][1] == ["vl:B|playlist"]
