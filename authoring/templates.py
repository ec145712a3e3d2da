"""Slot templates: ``{date} {time}에 {party_size}(이)요`` filled with values, particles agreeing.

A template is an utterance whose slot values are placeholders ``{slot}``. Filling one picks a
surface form for each placeholder from the domain's values (annotated examples and category
synonyms) and makes a Korean particle right after it agree with the filled word: ``{seating}으로``
becomes ``[방](seating:room)으로`` or ``[홀](seating:hall)로``; ``{party_size}이서`` keeps 이서.
English ``a``/``an`` before a placeholder agrees with the word too.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

from authoring.annotated import Segment, Utterance
from authoring.korean import agree

__all__ = ["PLACEHOLDER", "fill_template", "to_template"]

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ARTICLE = re.compile(r"\b([Aa]n?) $")


def to_template(annotated: str) -> str:
    """The example with each slot value replaced by its ``{slot}`` placeholder."""
    u = Utterance.parse(annotated)
    return "".join(s.text if s.slot is None else "{" + s.slot + "}" for s in u.segments)


def fill_template(
    template: str,
    values: Mapping[str, Sequence[tuple[str, str | None]]],
    rng: random.Random,
    language: str,
) -> str | None:
    """Fill every placeholder of ``template`` with a value of its slot.

    Args:
        template: text with ``{slot}`` placeholders.
        values: slot -> ``(surface text, canonical value)`` choices.
        rng: picks the values.
        language: ``ko`` makes particles agree; ``en`` fixes ``a``/``an``.

    Returns:
        The annotated utterance, or ``None`` when a placeholder names a slot without values.
    """
    segs: list[Segment] = []
    pos = 0
    for m in PLACEHOLDER.finditer(template):
        slot = m.group(1)
        choices = values.get(slot)
        if not choices:
            return None
        text, value = rng.choice(list(choices))
        before = template[pos : m.start()]
        if language == "en":
            art = _ARTICLE.search(before)
            if art:
                an = text[:1].lower() in "aeiou"
                word = art.group(1)
                new = ("An" if word[0] == "A" else "an") if an else ("A" if word[0] == "A" else "a")
                before = before[: art.start(1)] + new + " "
        segs.append(Segment(before))
        segs.append(Segment(text, slot, value))
        pos = m.end()
    rest = template[pos:]
    segs.append(Segment(rest))
    if language == "ko":
        # each plain segment right after a slot starts with a particle that must agree
        for i in range(1, len(segs)):
            prev = segs[i - 1]
            if segs[i].slot is None and prev.slot is not None:
                segs[i] = Segment(agree(prev.text, segs[i].text))
    return Utterance(()).with_segments(segs).annotated
