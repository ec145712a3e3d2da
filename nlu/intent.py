"""Intent classification trained from a scenario's examples at load (first version).

Character n-grams (robust to Korean spacing and particles) plus word n-grams, TF-IDF weighted,
under a multinomial logistic regression. Small data, trained in well under a second.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

__all__ = ["IntentClassifier"]


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("?", " ").replace("!", " ").split())


class IntentClassifier:
    """Multiclass intent classifier with probabilities.

    Thread-safe after :meth:`fit`: prediction only reads the fitted model.
    """

    def __init__(self) -> None:
        self._pipeline = make_pipeline(
            FeatureUnion(
                [
                    (
                        "chars",
                        TfidfVectorizer(
                            analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=1
                        ),
                    ),
                    (
                        "words",
                        TfidfVectorizer(
                            analyzer="word",
                            ngram_range=(1, 2),
                            token_pattern=r"(?u)\b\w+\b",
                            sublinear_tf=True,
                        ),
                    ),
                ]
            ),
            LogisticRegression(C=20.0, max_iter=2000),
        )
        self._labels: list[str] = []
        self._lock = threading.Lock()

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> IntentClassifier:
        """Train on parallel lists of texts and intent labels."""
        if len(set(labels)) < 2:
            raise ValueError("intent classification needs at least two intents")
        with self._lock:
            self._pipeline.fit([_normalise(t) for t in texts], list(labels))
            self._labels = [str(c) for c in self._pipeline.classes_]
        return self

    @property
    def labels(self) -> list[str]:
        """The intents the classifier knows."""
        return list(self._labels)

    def predict(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        """Return the ``top`` intents with their probabilities, best first."""
        norm = _normalise(text)
        if not norm:
            return []
        probs = self._pipeline.predict_proba([norm])[0]
        order = np.argsort(probs)[::-1][:top]
        return [(self._labels[i], float(probs[i])) for i in order]
