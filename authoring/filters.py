"""Screening of candidates before an author sees them: every rejection has a reason.

Reasons, in the order they are checked:

==========================  =========================================================
``empty``                   nothing but spaces and punctuation
``malformed``               markup, JSON or prompt residue, a broken annotation, a line
                            break, a word repeated over and over, under 2 or over 120
                            characters
``unknown_slot:<s>``        an annotation names a slot (or category value) the domain lacks
``wrong_language``          Korean without Hangul or with other scripts; English with Hangul
                            or other scripts
``offensive``               a swear word or slur (small word lists, Korean and English)
``prompt_echo``             (zero-shot) a demonstration of the prompt given back
``duplicate``               the same words (case, spaces and punctuation aside) as an
                            example or an earlier candidate
``near_duplicate``          (LLM candidates) almost the same characters as an example or an
                            earlier candidate of the intent (bigram Jaccard >= 0.85)
``off_topic``               the NLU calls it out of scope
``label_conflict:<i>``      the current NLU assigns it to intent ``<i>`` with probability
                            >= the conflict threshold (0.6)
==========================  =========================================================

Deterministic variants (spacing, typos) are near-duplicates on purpose and are only checked
for exact duplicates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from authoring.annotated import Utterance
from authoring.candidates import Candidate
from authoring.domain import AuthoringDomain
from nlu.intent import IntentClassifier

__all__ = ["CONFLICT_THRESHOLD", "Screen", "normalise", "reject_reason_of_text"]

CONFLICT_THRESHOLD = 0.6
NEAR_DUPLICATE = 0.85
MAX_CHARS = 120
#: generators whose variants are small edits on purpose
DETERMINISTIC = (
    "speech_level", "spacing", "typo", "numbers", "asr", "politeness", "slot_swap", "frames",
)  # fmt: skip

_MARKUP = re.compile(
    r"[{}<>*#|\\`_=]|\"\s*:|https?://|^\s*[-•]\s|\b(?:intent|utterance|JSON)\b\s*:", re.I
)
_LABEL = re.compile(r"^\s*[^\W\d][\w ]{0,11}\s*:\s")
_ANNOTATION_LEFT = re.compile(r"[\[\]]|\]\(")
_OTHER_SCRIPT = re.compile(r"[\u0400-\u04ff\u3040-\u30ff\u4e00-\u9fff\u0600-\u06ff\u0e00-\u0e7f]")
_HANGUL = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_OFFENSIVE_EN = re.compile(
    r"\b(?:fuck\w*|shit\w*|bitch\w*|cunt|asshole|bastard|dick|slut|whore|nigg\w*|retard\w*|faggot)\b",
    re.I,
)
_OFFENSIVE_KO = re.compile(
    r"씨발|시발|씨바|ㅅㅂ|개새|새끼|병신|ㅂㅅ|좆|존나|지랄|닥쳐|꺼져|염병|미친놈|미친년|썅"
)


def normalise(text: str) -> str:
    """Lower-cased words without punctuation, single-spaced: the key of exact duplicates."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _bigrams(text: str) -> set[str]:
    squeezed = normalise(text).replace(" ", "")
    return {squeezed[i : i + 2] for i in range(len(squeezed) - 1)} or {squeezed}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def reject_reason_of_text(annotated: str, domain: AuthoringDomain) -> str | None:
    """The reason to reject an utterance on its own (form, language, slots, words), or None."""
    if not normalise(annotated.replace("[", " ").replace("]", " ")):
        return "empty"
    u = Utterance.parse(annotated)
    text = u.text
    if "\n" in annotated or _MARKUP.search(text) or _LABEL.search(text):
        return "malformed"
    if _ANNOTATION_LEFT.search(text) or not u.valid():
        return "malformed"
    if not 2 <= len(text.strip()) <= MAX_CHARS:
        return "malformed"
    words = normalise(text).split()
    if len(words) >= 4 and len(set(words)) * 2 <= len(words):
        return "malformed"  # "예약 예약 예약 예약": a model stuck in a loop
    for seg in u.slots:
        assert seg.slot is not None
        if seg.slot not in domain.slot_types:
            return f"unknown_slot:{seg.slot}"
        if seg.value and domain.slot_types[seg.slot] == "category":
            if seg.value not in domain.categories.get(seg.slot, {}):
                return f"unknown_slot:{seg.slot}:{seg.value}"
    if _OTHER_SCRIPT.search(text):
        return "wrong_language"
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    if domain.language == "ko" and (hangul == 0 or latin > hangul):
        return "wrong_language"
    if domain.language == "en" and (hangul > 0 or latin == 0):
        return "wrong_language"
    if _OFFENSIVE_EN.search(text) or _OFFENSIVE_KO.search(text):
        return "offensive"
    return None


@dataclass
class Screen:
    """Screens candidates of one domain against its examples and the NLU trained on them.

    Args:
        domain: the intents and examples.
        accepted: candidates already accepted (they train the NLU and count as examples).
        conflict_threshold: probability from which another intent's claim rejects a candidate.
    """

    domain: AuthoringDomain
    accepted: Sequence[Candidate] = ()
    conflict_threshold: float = CONFLICT_THRESHOLD

    def __post_init__(self) -> None:
        texts: list[str] = []
        labels: list[str] = []
        self._seen: dict[str, str] = {}
        self._grams: dict[str, list[set[str]]] = {}
        for intent, exs in self.domain.examples.items():
            for ex in exs:
                self._remember(intent, Utterance.parse(ex).text)
                texts.append(Utterance.parse(ex).text)
                labels.append(intent)
        for c in self.accepted:
            text = Utterance.parse(c.text).text
            self._remember(c.intent, text)
            texts.append(text)
            labels.append(c.intent)
        self._nlu: IntentClassifier | None = None
        if len(set(labels)) >= 2:
            self._nlu = IntentClassifier().fit(texts, labels)

    def _remember(self, intent: str, text: str) -> None:
        self._seen.setdefault(normalise(text), intent)
        self._grams.setdefault(intent, []).append(_bigrams(text))

    def predict(self, text: str) -> tuple[str, float] | None:
        """The current NLU's best intent and probability, or None without an NLU."""
        if self._nlu is None:
            return None
        ranked = self._nlu.predict(text, top=1)
        return ranked[0] if ranked else None

    def reason(self, cand: Candidate, *, remember: bool = True) -> str | None:
        """Why ``cand`` is rejected, or None to keep it.

        A kept candidate is remembered (later near-copies of it are duplicates) unless
        ``remember`` is false.
        """
        reason = reject_reason_of_text(cand.text, self.domain)
        if reason is not None:
            return reason
        text = Utterance.parse(cand.text).text
        if cand.intent not in self.domain.intents:
            return f"unknown_intent:{cand.intent}"
        key = normalise(text)
        if key in self._seen:
            return "duplicate"
        if cand.generator not in DETERMINISTIC:
            grams = _bigrams(text)
            if any(_jaccard(grams, g) >= NEAR_DUPLICATE for g in self._grams.get(cand.intent, [])):
                return "near_duplicate"
        best = self.predict(text)
        if best is not None:
            intent, p = best
            oos = self.domain.out_of_scope
            if oos and intent == oos and cand.intent != oos and p >= self.domain.threshold:
                return "off_topic"
            if intent != cand.intent and p >= self.conflict_threshold:
                return f"label_conflict:{intent}"
        if remember:
            self._remember(cand.intent, text)
        return None

    def screen(self, candidates: Sequence[Candidate]) -> list[Candidate]:
        """Each candidate, rejected with its reason or left pending, in order."""
        out = []
        for c in candidates:
            reason = self.reason(c)
            out.append(c.rejected(reason) if reason else c)
        return out
