"""Augmenters that need no LLM: speech levels, spacing, typos, numbers, ASR-like confusions.

Each augmenter takes an :class:`~authoring.annotated.Utterance` and returns variants;
slot segments are either left alone or rewritten as a whole (a count ``4명`` becomes ``네 명``),
so the annotations of every variant still cover exactly the slot values. Randomness comes from
the ``random.Random`` handed in: the same seed gives the same variants.

Korean: speech level (해요 / 합니다 / 해), spacing (removed, one extra space), one jamo-level
typo, count formats (4명 / 네 명 / 네 분, never 사 명), ASR-like confusions (되/돼, dropped
particles, fillers). English: politeness and contractions (I want / I'd like / I would like),
one letter typo, digits and number words, fillers and lower-case, dropped punctuation.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from authoring.annotated import Segment, Utterance
from authoring.korean import (
    ENDINGS,
    agree,
    attach,
    count_variants,
    has_final,
    time_variants,
)
from nlu.noise import insert_space, one_typo, remove_spaces

__all__ = ["AUGMENTERS", "Augmenter", "augment_utterance"]

Fn = Callable[[Utterance, random.Random], list[Utterance]]


@dataclass(frozen=True)
class Augmenter:
    """One deterministic transformation.

    Attributes:
        name: the generator name recorded in a candidate's provenance.
        language: ``ko``, ``en`` or ``*`` (both).
        fn: the transformation.
    """

    name: str
    language: str
    fn: Fn


_PUNCT_END = re.compile(r"[\s.?!~]*$")


def _last_plain(u: Utterance) -> int | None:
    for i in range(len(u.segments) - 1, -1, -1):
        if u.segments[i].slot is None:
            return i if i == len(u.segments) - 1 else None
    return None


def _speech_levels(u: Utterance, rng: random.Random) -> list[Utterance]:
    """해요체 / 합니다체 / 해체 variants of the sentence ending."""
    segs = list(u.segments)
    i = len(segs) - 1
    if i < 0:
        return []
    last = segs[i]
    tail = _PUNCT_END.search(last.text)
    end = tail.group(0) if tail else ""
    body = last.text[: len(last.text) - len(end)]
    out: list[Utterance] = []
    if last.slot is None:
        # 이에요 / 예요 / 입니다 / 이야 / 야 after a slot: agree with the slot's last sound
        prev = segs[i - 1] if i > 0 else None
        if prev is not None and prev.slot is not None and body in ("이에요", "예요", "입니다"):
            for form in ("(이)에요", "입니다", "(이)요"):
                new = agree(prev.text, form) if form != "입니다" else form
                if new != body:
                    out.append(u.with_segments([*segs[:i], Segment(new + end)]))
            return out
        for triple in ENDINGS:
            hit = next((f for f in triple if body.endswith(f)), None)
            if hit is None:
                continue
            stem = body[: len(body) - len(hit)]
            if hit in ("이에요", "예요", "이야", "야") and stem:
                forms = [attach(stem, "(이)에요"), "입니다", "이야" if has_final(stem) else "야"]
            else:
                forms = list(triple)
            for form in dict.fromkeys(forms):
                if form != hit:
                    q = "?" if end.strip().startswith("?") else end
                    out.append(u.with_segments([*segs[:i], Segment(stem + form + q)]))
            return out
        # a bare answer "[내일](date)이요": drop or keep 요
        if body.endswith("요") and len(body) <= 3 and i > 0 and segs[i - 1].slot is not None:
            out.append(
                u.with_segments(
                    [*segs[:i], Segment(body[:-2] if body.endswith("이요") else body[:-1])]
                )
            )
    elif i >= 0:
        # the utterance ends in a slot: add 요 / 이요 ("[4명](party_size)" -> "[4명](party_size)이요")
        out.append(u.with_segments([*segs, Segment(attach(last.text, "(이)요"))]))
    return out


def _spacing(u: Utterance, rng: random.Random) -> list[Utterance]:
    """Spaces removed between words; one extra space inside a word."""
    out = []
    squeezed = u.map_plain(remove_spaces)
    if squeezed.text != u.text:
        out.append(squeezed)
    plain = [i for i, s in enumerate(u.segments) if s.slot is None and len(s.text.strip()) > 1]
    if plain:
        i = rng.choice(plain)
        segs = list(u.segments)
        seg = segs[i]
        # no space at a segment's edge: it would merge into the slot boundary
        inner = seg.text.strip()
        lead = seg.text[: len(seg.text) - len(seg.text.lstrip())]
        trail = seg.text[len(seg.text.rstrip()) :]
        spaced = insert_space(inner, rng)
        if spaced != inner:
            segs[i] = Segment(lead + spaced + trail)
            out.append(u.with_segments(segs))
    return out


def _typo(u: Utterance, rng: random.Random) -> list[Utterance]:
    """One typo in a plain segment (jamo-level in Korean)."""
    plain = [
        i for i, s in enumerate(u.segments) if s.slot is None and any(ch.isalpha() for ch in s.text)
    ]
    if not plain:
        return []
    i = rng.choice(plain)
    segs = list(u.segments)
    new = one_typo(segs[i].text, rng)
    if new == segs[i].text:
        return []
    segs[i] = Segment(new)
    return [u.with_segments(segs)]


def _ko_numbers(u: Utterance, rng: random.Random) -> list[Utterance]:
    """Counts and hours in another format: 4명 / 네 명 / 네 분, 7시 / 일곱 시 (native numerals)."""
    out = []
    for i, seg in enumerate(u.segments):
        if seg.slot is None:
            continue
        forms = count_variants(seg.text) or time_variants(seg.text)
        for form in rng.sample(forms, min(2, len(forms))):
            segs = list(u.segments)
            segs[i] = replace(seg, text=form)
            if i + 1 < len(segs) and segs[i + 1].slot is None:
                segs[i + 1] = Segment(agree(form, segs[i + 1].text))
            out.append(u.with_segments(segs))
    return out


_EN_NUMBERS = {
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "nine",
    "10": "ten",
    "11": "eleven",
    "12": "twelve",
}
_EN_WORDS = {v: k for k, v in _EN_NUMBERS.items()}
_EN_NUM = re.compile(r"\b(" + "|".join([*_EN_NUMBERS, *_EN_WORDS]) + r")\b", re.IGNORECASE)


def _en_numbers(u: Utterance, rng: random.Random) -> list[Utterance]:
    """Digits as words and words as digits inside slot values (four people / 4 people)."""
    out = []
    for i, seg in enumerate(u.segments):
        if seg.slot is None or not _EN_NUM.search(seg.text):
            continue

        def swap(m: re.Match[str]) -> str:
            word = m.group(1)
            return _EN_NUMBERS.get(word) or _EN_WORDS.get(word.lower(), word)

        new = _EN_NUM.sub(swap, seg.text)
        if new != seg.text:
            segs = list(u.segments)
            segs[i] = replace(seg, text=new)
            out.append(u.with_segments(segs))
    return out


def _swap(old: str, new: str, text: str) -> str:
    return text.replace(old, new)


def _swap_word(old: str, new: str, text: str) -> str:
    return re.sub(rf"\b{re.escape(old)}\b", new, text, flags=re.IGNORECASE)


_KO_ASR: tuple[tuple[str, str], ...] = (
    ("돼요", "되요"),
    ("되나요", "돼나요"),
    ("예약", "애약"),
    ("싶어요", "시퍼요"),
    ("괜찮아요", "괜차나요"),
    ("할게요", "할께요"),
    ("몇 시", "멧 시"),
    ("주세요", "주세여"),
)
_KO_FILLERS = ("음 ", "어 ", "저기요 ", "아 네 ", "그 ")


def _ko_asr(u: Utterance, rng: random.Random) -> list[Utterance]:
    """Mistakes a recogniser makes in Korean: 되/돼 and sound-alike spellings, fillers."""
    out = []
    for right, wrong in _KO_ASR:
        if any(s.slot is None and right in s.text for s in u.segments):
            out.append(u.map_plain(functools.partial(_swap, right, wrong)))
            break
    first = u.segments[0] if u.segments else None
    if first is not None:
        filler = rng.choice(_KO_FILLERS)
        out.append(u.with_segments([Segment(filler), *u.segments]))
    # a dropped object particle: "예약을 하고" -> "예약 하고"
    dropped = u.map_plain(lambda t: re.sub(r"(?<=[가-힣])[을를](?= )", "", t))
    if dropped.text != u.text:
        out.append(dropped)
    return out


_EN_POLITE: tuple[tuple[str, ...], ...] = (
    ("I'd like to", "I want to", "I would like to"),
    ("I'd like", "I want", "I would like"),
    ("can I", "could I", "may I"),
    ("can you", "could you", "would you"),
    ("I'm", "I am"),
    ("don't", "do not"),
    ("can't", "cannot"),
    ("won't", "will not"),
    ("it's", "it is"),
    ("we're", "we are"),
)


def _en_politeness(u: Utterance, rng: random.Random) -> list[Utterance]:
    """I'd like / I want / I would like; can / could / may; contractions; please."""
    out = []
    for forms in _EN_POLITE:
        hit = next(
            (
                f
                for f in forms
                if any(
                    s.slot is None and re.search(rf"\b{re.escape(f)}\b", s.text, re.IGNORECASE)
                    for s in u.segments
                )
            ),
            None,
        )
        if hit is None:
            continue
        for form in forms:
            if form == hit:
                continue
            out.append(u.map_plain(functools.partial(_swap_word, hit, form)))
        break
    if len(u.text.split()) >= 3 and "please" not in u.text.lower():
        out.append(u.with_segments([*u.segments, Segment(" please")]))
    return out


_EN_FILLERS = ("uh ", "um ", "so ", "okay ", "yeah so ")


def _en_asr(u: Utterance, rng: random.Random) -> list[Utterance]:
    """What a recogniser writes in English: no punctuation, lower case, fillers."""
    out = []
    plain = u.map_plain(lambda t: re.sub(r"[.,!?]", "", t).lower())
    if plain.text != u.text:
        out.append(plain)
    out.append(u.with_segments([Segment(rng.choice(_EN_FILLERS)), *u.segments]))
    wanna = u.map_plain(
        lambda t: re.sub(r"\bwant to\b", "wanna", re.sub(r"\bgoing to\b", "gonna", t))
    )
    if wanna.text != u.text:
        out.append(wanna)
    return out


#: every deterministic augmenter, by name
AUGMENTERS: tuple[Augmenter, ...] = (
    Augmenter("speech_level", "ko", _speech_levels),
    Augmenter("spacing", "ko", _spacing),
    Augmenter("typo", "*", _typo),
    Augmenter("numbers", "ko", _ko_numbers),
    Augmenter("numbers", "en", _en_numbers),
    Augmenter("asr", "ko", _ko_asr),
    Augmenter("politeness", "en", _en_politeness),
    Augmenter("asr", "en", _en_asr),
)


def augment_utterance(
    annotated: str,
    language: str,
    rng: random.Random,
    *,
    only: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    """All variants of one annotated example.

    Args:
        annotated: the example with inline slot annotations.
        language: ``ko`` or ``en``.
        rng: the source of randomness (typo positions, fillers).
        only: augmenter names to use (all of the language when empty).

    Returns:
        ``(generator name, annotated variant)`` pairs; no variant equals the input.
    """
    u = Utterance.parse(annotated)
    out: list[tuple[str, str]] = []
    seen = {u.annotated}
    for aug in AUGMENTERS:
        if aug.language not in (language, "*") or (only and aug.name not in only):
            continue
        for variant in aug.fn(u, rng):
            if not variant.valid() or not variant.text.strip():
                continue
            text = variant.annotated
            if text not in seen:
                seen.add(text)
                out.append((aug.name, text))
    return out
