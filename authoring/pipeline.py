"""Augment a domain's intents: deterministic variants, LLM candidates, then screening.

:func:`augment` is what ``aicall scenario augment`` and the benchmark run: for each intent it
collects deterministic variants of the examples (speech level, spacing, typos, numbers, ASR-like
confusions, slot values swapped in the examples' templates) and, with an LLM, generated
candidates; then :class:`~authoring.filters.Screen` rejects what must not train the
NLU, each with its reason. Nothing here accepts a candidate: that is the author's review.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from authoring.candidates import Candidate
from authoring.deterministic import augment_utterance
from authoring.domain import AuthoringDomain
from authoring.filters import Screen
from authoring.frames import frame_candidates
from authoring.generate import generate_for_intent
from authoring.templates import fill_template, to_template
from common.errors import InputError
from nlg.llm import LLMClient

__all__ = ["augment", "deterministic_candidates"]

Progress = Callable[[int], None]

#: an intent with fewer examples than this also gets utterances from its description
#: (:mod:`authoring.frames`: exact slot annotations, no LLM); ``--zero-shot`` always does
FEW_EXAMPLES = 3


def _round_robin(groups: dict[str, list[Candidate]], n: int) -> list[Candidate]:
    out: list[Candidate] = []
    queues = [list(g) for g in groups.values() if g]
    while len(out) < n and queues:
        for q in list(queues):
            if q:
                out.append(q.pop(0))
                if len(out) >= n:
                    break
            if not q:
                queues.remove(q)
    return out


def deterministic_candidates(
    domain: AuthoringDomain, intent: str, n: int, rng: random.Random
) -> list[Candidate]:
    """Up to ``n`` variants of the intent's examples, balanced over the augmenters."""
    groups: dict[str, list[Candidate]] = {}
    values = domain.slot_values()
    for ex in domain.examples.get(intent, []):
        for gen, text in augment_utterance(ex, domain.language, rng):
            groups.setdefault(gen, []).append(Candidate(intent, text, gen, None, ex))
        if "](" in ex:
            template = to_template(ex)
            for _ in range(2):
                filled = fill_template(template, values, rng, domain.language)
                if filled and filled != ex:
                    groups.setdefault("slot_swap", []).append(
                        Candidate(intent, filled, "slot_swap", None, ex)
                    )
    for g in groups.values():
        rng.shuffle(g)
    return _round_robin(groups, n)


def augment(
    domain: AuthoringDomain,
    *,
    intents: Sequence[str] = (),
    n: int = 50,
    llm: LLMClient | None = None,
    zero_shot: bool = False,
    deterministic: bool = True,
    accepted: Sequence[Candidate] = (),
    seed: int = 0,
    max_calls: int | None = None,
    progress: Progress | None = None,
) -> list[Candidate]:
    """Candidates for each intent, screened: pending ones to review, rejected ones with reasons.

    Args:
        domain: intents, descriptions and examples.
        intents: the intents to augment (all when empty).
        n: candidates wanted per intent from each source (deterministic, LLM).
        llm: the model for generated candidates; ``None`` for deterministic ones only.
        zero_shot: generate from the descriptions only (no examples shown to the model).
        deterministic: include the deterministic variants.
        accepted: candidates accepted earlier (they count as examples when screening).
        seed: makes the run reproducible (with a greedy or seeded model).
        max_calls: LLM calls per intent at most (default: enough for ``n``).
        progress: called with the number of candidates each step made.

    Raises:
        LLMUnavailableError: ``llm`` is given but cannot be reached.
    """
    chosen = list(intents) or domain.intents
    unknown = [i for i in chosen if i not in domain.intents]
    if unknown:
        raise InputError(
            f"unknown intent {unknown[0]!r} in {domain.name}; have: {', '.join(domain.intents)}"
        )
    rng = random.Random(seed)
    raw: list[Candidate] = []
    for intent in chosen:
        if deterministic and not zero_shot:
            made = deterministic_candidates(domain, intent, n, rng)
            raw.extend(made)
            if progress is not None:
                progress(len(made))
        if deterministic and (zero_shot or len(domain.examples.get(intent, [])) < FEW_EXAMPLES):
            made = frame_candidates(domain, intent, n, rng)
            raw.extend(made)
            if progress is not None:
                progress(len(made))
        if llm is not None:
            raw.extend(
                generate_for_intent(
                    llm,
                    domain,
                    intent,
                    n,
                    zero_shot=zero_shot,
                    seed=seed,
                    max_calls=max_calls,
                    progress=progress,
                )
            )
    screen = Screen(domain, accepted)
    pre_rejected = [c for c in raw if c.state == "rejected"]
    screened = screen.screen([c for c in raw if c.state != "rejected"])
    return [*screened, *pre_rejected]
