"""The classical baseline: a linear intent model on n-grams and a CRF slot tagger.

Intents: TF-IDF word 1-2-grams, character 1-4-grams and (Korean) morpheme n-grams under a
multinomial logistic regression, whose probabilities are the confidence. Slots: a linear-chain
CRF (python-crfsuite) over token, affix, shape, morpheme-tag, window, gazetteer and intent
features; the intent feature makes it a pipelined joint model ("entity_name" in a playlist
request, "object_name" in a rating): the predicted intent is conjoined with the word, its
neighbours, its suffix and its lexicon marks. A :class:`nlu.features.ValueLexicon` of the slot
values seen in training marks known values ("this is prince" as a playlist).

On large data (2,000 examples and more) intents are weighted by (n / (k * count)) ** 0.75, so
rare intents are not read as the frequent one ("what aircraft ..." as ``atis_flight``). On
small (scenario) data every one-typo variant of a short Korean example is trained with it, so
"내" still reads as "네".
"""

from __future__ import annotations

import pickle
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import sklearn_crfsuite
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from nlu.base import NLUEngine, Progress
from nlu.features import Gazetteer, ValueLexicon, normalise_text
from nlu.noise import one_typo, remove_spaces, typo_variants
from nlu.tokens import Token, bio_tags, jamo, spans_from_tags, tokenize
from nlu.training import TrainingData

__all__ = ["ClassicalEngine", "token_features"]

_PUNCT = re.compile(r"[^\w\s]+")
_LARGE = 2000  # examples: public benchmarks and big imports above, scenarios below
_CLASS_WEIGHT_POWER = 0.75  # 0 = unweighted, 1 = "balanced"; tuned on ATIS validation
_VARIANT_POWER = 0.5  # the n typo variants of an example weigh n ** (1 - power) together


def _shape(word: str) -> str:
    out: list[str] = []
    for ch in word:
        c = (
            "d"
            if ch.isdigit()
            else "a"
            if ch.isalpha() and ch.isascii()
            else "h"
            if "가" <= ch <= "힣"
            else "x"
        )
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def token_features(
    tokens: list[Token], marks: list[list[str]], intent: str | None
) -> list[dict[str, Any]]:
    """CRF features of each token (strings and booleans, as python-crfsuite takes them)."""
    words = [t.text.lower() for t in tokens]
    feats: list[dict[str, Any]] = []
    n = len(tokens)
    for i, w in enumerate(words):
        f: dict[str, Any] = {
            "b": 1.0,
            "w": w,
            "p2": w[:2],
            "p3": w[:3],
            "s2": w[-2:],
            "s3": w[-3:],
            "s1": w[-1:],
            "sh": _shape(w),
            "tag": tokens[i].tag,
            "len": str(min(len(w), 6)),
        }
        for d in (-3, -2, -1, 1, 2, 3):
            j = i + d
            f[f"w{d}"] = words[j] if 0 <= j < n else ("<s>" if j < 0 else "</s>")
            if d in (-1, 1) and 0 <= j < n:
                f[f"tag{d}"] = tokens[j].tag
                f[f"s2{d}"] = words[j][-2:]
        f["w-1w"] = f"{f['w-1']}|{w}"
        f["ww+1"] = f"{w}|{f['w1']}"
        f["w-2w-1"] = f"{f['w-2']}|{f['w-1']}"
        f["w+1w+2"] = f"{f['w1']}|{f['w2']}"
        for m in marks[i]:
            f[m] = 1.0
        for d in (-1, 1):
            j = i + d
            if 0 <= j < n:
                for m in marks[j]:
                    f[f"{d}{m}"] = 1.0
        if intent is not None:
            f["int"] = intent
            f["int|w"] = f"{intent}|{w}"
            f["int|w-1"] = f"{intent}|{f['w-1']}"
            f["int|w+1"] = f"{intent}|{f['w1']}"
            f["int|s3"] = f"{intent}|{f['s3']}"
            for m in marks[i]:
                if m.startswith("vl:"):
                    f[f"int|{m}"] = 1.0
        feats.append(f)
    return feats


def _squeeze(text: str) -> str:
    """The plain text without spaces: character n-grams then ignore spacing errors."""
    return "".join(text.split("\u241f")[0].split())


def _squeeze_jamo(text: str) -> str:
    """The plain text without spaces, in jamo: a one-jamo typo changes one letter of three."""
    return jamo(_squeeze(text))


def _morph_text(tokens: list[Token]) -> str:
    # morphemes of two or more characters: "예약할게요" and "예약 할게요" share them; a lone
    # syllable ("그", "음") says too little on its own
    return " ".join(f"m:{t.text.lower()}" for t in tokens if t.tag and len(t.text) > 1)


def _class_weights(labels: list[str]) -> dict[str, float]:
    """Per-intent weights between none and scikit-learn's "balanced"."""
    counts = Counter(labels)
    n, k = len(labels), len(counts)
    return {c: (n / (k * m)) ** _CLASS_WEIGHT_POWER for c, m in counts.items()}


class ClassicalEngine(NLUEngine):
    """Logistic regression on n-grams for intents, CRF for slots (the strong baseline).

    Args:
        c_intent: inverse regularisation of the intent model; by default 5 under 2,000
            examples (scenario data: keeps the confidence of a lone "음" low) and 100 above.
        crf_c1, crf_c2: L1 and L2 regularisation of the CRF.
        crf_iterations: L-BFGS iterations of the CRF.
    """

    name = "classical"

    def __init__(
        self,
        *,
        c_intent: float | None = None,
        crf_c1: float = 0.05,
        crf_c2: float = 0.01,
        crf_iterations: int = 120,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.c_intent = c_intent
        self.crf_c1 = crf_c1
        self.crf_c2 = crf_c2
        self.crf_iterations = crf_iterations
        self._intent: Any = None
        self._class_weight: dict[str, float] | None = None
        self._crf: Any = None
        self._gazetteer: Gazetteer | None = None
        self._lexicon: ValueLexicon | None = None

    def _intent_pipeline(self, n: int, language: str) -> Any:
        c = self.c_intent if self.c_intent is not None else (5.0 if n < _LARGE else 100.0)
        extra: list[tuple[str, Any]] = []
        if language == "ko":
            extra.append(
                (
                    "jamo",
                    TfidfVectorizer(
                        analyzer="char",
                        preprocessor=_squeeze_jamo,
                        ngram_range=(2, 5),
                        sublinear_tf=True,
                    ),
                )
            )
        return make_pipeline(
            FeatureUnion(
                [
                    *extra,
                    (
                        "chars",
                        TfidfVectorizer(
                            analyzer="char",
                            preprocessor=_squeeze,
                            ngram_range=(1, 4),
                            sublinear_tf=True,
                        ),
                    ),
                    (
                        "words",
                        TfidfVectorizer(
                            analyzer="word",
                            ngram_range=(1, 2),
                            token_pattern=r"\S+",
                            sublinear_tf=True,
                        ),
                    ),
                ]
            ),
            LogisticRegression(C=c, max_iter=3000, class_weight=self._class_weight),
        )

    @classmethod
    def intent_model(cls, data: TrainingData) -> Any:
        """Fit only the n-gram intent model (a scikit-learn pipeline); used by the joint engine."""
        engine = cls()
        engine._fit_intents(data, [tokenize(ex.text) for ex in data.examples])
        return engine._intent

    @staticmethod
    def intent_text(text: str, tokens: list[Token]) -> str:
        """The string the n-gram intent model reads (plain text, then morphemes)."""
        return ClassicalEngine._intent_text(text, tokens)

    @staticmethod
    def _intent_text(text: str, tokens: list[Token]) -> str:
        # the plain text for char n-grams, the morphemes for word n-grams: "예약할게요" and
        # "예약 할게요" share their morphemes, so spacing errors change little
        # punctuation says little and varies with the transcriber: "Yes, please." = "yes please"
        plain = normalise_text(_PUNCT.sub(" ", text))
        return plain + " \u241f " + _morph_text([t for t in tokens if not _PUNCT.fullmatch(t.text)])

    def _fit(self, data: TrainingData, progress: Progress) -> None:
        progress(0.0, "tokenising")
        tokenized = [tokenize(ex.text) for ex in data.examples]
        self._gazetteer = Gazetteer(data.lookups, data.regexes, data.language, typed=True)
        progress(0.1, "intent model")
        self._fit_intents(data, tokenized)
        if not data.entities:
            self._crf = None
            progress(1.0, "done")
            return
        progress(0.3, "slot tagger")
        self._fit_slots(data, tokenized)
        progress(1.0, "done")

    def _fit_intents(self, data: TrainingData, tokenized: list[list[Token]]) -> None:
        labels = [ex.intent for ex in data.examples]
        self._class_weight = _class_weights(labels) if len(labels) >= _LARGE else None
        self._intent = self._intent_pipeline(len(data.examples), data.language)
        texts = [
            self._intent_text(ex.text, toks)
            for ex, toks in zip(data.examples, tokenized, strict=True)
        ]
        weights = [1.0] * len(texts)
        if len(texts) < _LARGE:
            # small (scenario) data: noisy copies teach the model that a typo or a missing
            # space does not change the intent
            rng = random.Random(self.seed)
            known = {ex.text.strip() for ex in data.examples}
            for ex in list(data.examples):
                for noisy in (one_typo(ex.text, rng), remove_spaces(ex.text)):
                    if noisy != ex.text:
                        texts.append(self._intent_text(noisy, tokenize(noisy)))
                        labels.append(ex.intent)
                        weights.append(1.0)
                # a short answer gets every one-jamo typo ("내" for "네", "능" for "응"): its
                # n-grams have nothing else to hold on to; n variants weigh sqrt(n) examples
                # together, so short examples do not outweigh the rest
                variants = [v for v in typo_variants(ex.text.strip()) if v not in known]
                for noisy in variants:
                    texts.append(self._intent_text(noisy, tokenize(noisy)))
                    labels.append(ex.intent)
                    weights.append(len(variants) ** -_VARIANT_POWER)
        self._intent.fit(texts, labels, logisticregression__sample_weight=weights)
        self.intents = [str(c) for c in self._intent.classes_]

    def _fit_slots(self, data: TrainingData, tokenized: list[list[Token]]) -> None:
        assert self._gazetteer is not None
        self._lexicon = ValueLexicon(data.examples, tokenized)
        # training marks from the other folds' values: a value seen only in this example must
        # not look known, or the tagger would trust the lexicon blindly
        seen = ValueLexicon.jackknife(data.examples, tokenized, seed=self.seed)
        xs, ys = [], []
        for ex, toks, vl in zip(data.examples, tokenized, seen, strict=True):
            if not toks:
                continue
            marks = [g + v for g, v in zip(self._gazetteer.marks(ex.text, toks), vl, strict=True)]
            xs.append(token_features(toks, marks, ex.intent))
            ys.append(bio_tags(toks, [(e.start, e.end, e.entity) for e in ex.entities]))
        self._crf = sklearn_crfsuite.CRF(
            algorithm="lbfgs",
            c1=self.crf_c1,
            c2=self.crf_c2,
            max_iterations=self.crf_iterations,
            all_possible_transitions=True,
        )
        self._crf.fit(xs, ys)

    def _predict(
        self, text: str, tokens: list[Token]
    ) -> tuple[list[tuple[str, float]], list[tuple[int, int, str, float]]]:
        probs = self._intent.predict_proba([self._intent_text(text, tokens)])[0]
        order = np.argsort(probs)[::-1]
        ranked = [(self.intents[i], float(probs[i])) for i in order[:5]]
        if self._crf is None or self._gazetteer is None:
            return ranked, []
        return ranked, self._tag(text, tokens, ranked[0][0])

    def _tag(
        self, text: str, tokens: list[Token], intent: str
    ) -> list[tuple[int, int, str, float]]:
        """Slot spans of the CRF, given the predicted intent."""
        assert self._crf is not None and self._gazetteer is not None
        marks = self._gazetteer.marks(text, tokens)
        if self._lexicon is not None:
            marks = [g + v for g, v in zip(marks, self._lexicon.marks(tokens), strict=True)]
        feats = token_features(tokens, marks, intent)
        # python-crfsuite's tagger keeps the sequence between set() and tag(): one at a time
        with self._lock:
            tags = self._crf.predict_single(feats)
            marg = self._crf.predict_marginals_single(feats)
        scores = [float(m.get(t, 0.0)) for m, t in zip(marg, tags, strict=True)]
        return spans_from_tags(tokens, tags, scores)

    def _save(self, path: Path) -> None:
        with open(path / "classical.pkl", "wb") as f:
            pickle.dump(
                {
                    "intent": self._intent,
                    "crf": self._crf,
                    "gazetteer": self._gazetteer,
                    "lexicon": self._lexicon,
                },
                f,
                protocol=pickle.HIGHEST_PROTOCOL,
            )

    def _load(self, path: Path) -> None:
        with open(path / "classical.pkl", "rb") as f:
            state = pickle.load(f)  # our own model files only; see docs/nlu.md
        self._intent = state["intent"]
        self._crf = state["crf"]
        self._gazetteer = state["gazetteer"]
        self._lexicon = state["lexicon"]
