"""Precision and recall of personal-data redaction (common.pii) on written phrasings.

The set (tests/common/data/pii_phrasings.jsonl) has caller turns in Korean and English with
resident registration numbers, card, account and phone numbers, written in digits, dictated
("구공공일공일 다시 …", "four one one one …") and mixed; ordinary booking turns (dates, times,
party sizes, the booking's own phone number, passed as ``keep``) and near misses (order
numbers, prices, business numbers) that must stay as they are.

A finding is a true positive when an expected item of the same kind overlaps it; anything
else found is a false positive; an expected item nothing of its kind overlaps is missed.
Prints one table per language and kind, then per form (digits, spoken, mixed) and the
booking turns left untouched, and the redaction time per phrasing. ``python -m bench pii``.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from common.pii import KINDS, find, redact

__all__ = ["DATA", "Phrasing", "Score", "evaluate", "load_phrasings", "main"]

DATA = Path(__file__).resolve().parent.parent / "tests" / "common" / "data" / "pii_phrasings.jsonl"


@dataclass(frozen=True)
class Phrasing:
    """One caller turn of the set, with what must be redacted in it.

    Attributes:
        lang: ``ko`` or ``en``.
        form: ``digits``, ``spoken`` or ``mixed``.
        group: ``pii`` (has personal numbers), ``booking`` (an ordinary booking turn) or
            ``near_miss`` (numbers that are not personal data).
        text: the turn.
        expect: (kind, span text) pairs to redact.
        keep: values that must survive (the booking's phone number).
    """

    lang: str
    form: str
    group: str
    text: str
    expect: tuple[tuple[str, str], ...]
    keep: tuple[str, ...]


@dataclass
class Score:
    """True positives, false positives and misses, counted per (lang, kind)."""

    tp: Counter[tuple[str, str]] = field(default_factory=Counter)
    fp: Counter[tuple[str, str]] = field(default_factory=Counter)
    fn: Counter[tuple[str, str]] = field(default_factory=Counter)
    untouched: Counter[tuple[str, str]] = field(default_factory=Counter)  # (lang, group)
    total: Counter[tuple[str, str]] = field(default_factory=Counter)  # (lang, group)
    by_form: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # lang, form, tp/fn
    errors: list[str] = field(default_factory=list)

    def precision(self, lang: str | None = None, kind: str | None = None) -> float:
        """tp / (tp + fp) over the matching cells (1.0 when nothing was found)."""
        tp, fp = self._sum(self.tp, lang, kind), self._sum(self.fp, lang, kind)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, lang: str | None = None, kind: str | None = None) -> float:
        """tp / (tp + fn) over the matching cells (1.0 when nothing was expected)."""
        tp, fn = self._sum(self.tp, lang, kind), self._sum(self.fn, lang, kind)
        return tp / (tp + fn) if tp + fn else 1.0

    @staticmethod
    def _sum(counter: Counter[tuple[str, str]], lang: str | None, kind: str | None) -> int:
        return sum(
            n
            for (la, ki), n in counter.items()
            if (lang is None or la == lang) and (kind is None or ki == kind)
        )


def load_phrasings(path: Path = DATA) -> list[Phrasing]:
    """The phrasings of the set, in file order."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        out.append(
            Phrasing(
                lang=raw["lang"],
                form=raw["form"],
                group=raw["group"],
                text=raw["text"],
                expect=tuple((e["kind"], e["text"]) for e in raw["expect"]),
                keep=tuple(raw["keep"]),
            )
        )
    return out


def evaluate(phrasings: Iterable[Phrasing]) -> Score:
    """Run :func:`common.pii.find` on every phrasing and count hits, false alarms, misses."""
    score = Score()
    for p in phrasings:
        found = find(p.text, keep=p.keep)
        spans = []
        for kind, snippet in p.expect:
            start = p.text.index(snippet)
            spans.append((kind, start, start + len(snippet)))
        matched: set[int] = set()
        for kind, start, end in spans:
            hit = next(
                (
                    i
                    for i, f in enumerate(found)
                    if f.kind == kind and f.start < end and start < f.end and i not in matched
                ),
                None,
            )
            if hit is None:
                score.fn[p.lang, kind] += 1
                score.by_form[p.lang, p.form, "fn"] += 1
                score.errors.append(f"missed {kind}: {p.text}")
            else:
                matched.add(hit)
                score.tp[p.lang, kind] += 1
                score.by_form[p.lang, p.form, "tp"] += 1
        for i, f in enumerate(found):
            if i not in matched:
                score.fp[p.lang, f.kind] += 1
                score.errors.append(f"false {f.kind} {p.text[f.start : f.end]!r}: {p.text}")
        score.total[p.lang, p.group] += 1
        if redact(p.text, keep=p.keep) == p.text:
            score.untouched[p.lang, p.group] += 1
    return score


def main() -> None:
    """Print the tables (docs/reliability.md and docs/privacy.md keep a copy)."""
    phrasings = load_phrasings()
    t0 = time.perf_counter()
    score = evaluate(phrasings)
    elapsed = time.perf_counter() - t0
    langs = ("ko", "en")
    print(f"{len(phrasings)} phrasings ({DATA.relative_to(DATA.parents[3])})\n")
    print("| lang | kind | expected | found right | false alarms | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for lang in (*langs, None):
        for kind in (*KINDS, None):
            tp = score._sum(score.tp, lang, kind)
            fn = score._sum(score.fn, lang, kind)
            fp = score._sum(score.fp, lang, kind)
            print(
                f"| {lang or 'all'} | {kind or 'all'} | {tp + fn} | {tp} | {fp} | "
                f"{score.precision(lang, kind):.3f} | {score.recall(lang, kind):.3f} |"
            )
    print("\n| lang | form | expected | recall |")
    print("|---|---|---|---|")
    for lang in langs:
        for form in ("digits", "spoken", "mixed"):
            tp, fn = score.by_form[lang, form, "tp"], score.by_form[lang, form, "fn"]
            if tp + fn:
                print(f"| {lang} | {form} | {tp + fn} | {tp / (tp + fn):.3f} |")
    print("\n| lang | turns without personal data | left untouched |")
    print("|---|---|---|")
    for lang in langs:
        for group in ("booking", "near_miss"):
            print(
                f"| {lang} | {group} ({score.total[lang, group]}) | "
                f"{score.untouched[lang, group]} |"
            )
    print(f"\nredaction: {elapsed / len(phrasings) * 1000:.3f} ms per phrasing (find + redact)")
    for line in score.errors:
        print("  " + line)


if __name__ == "__main__":
    main()
