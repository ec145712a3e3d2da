"""Which acts of a turn the LLM may reword, and which are spoken exactly as the template says.

An act is rewritten only when everything it does can be checked by ``nlg.checks``: it asks
(a request, a confirmation read-back), greets or closes. Acts that *state* a result, a refusal,
a fact or an empathetic acknowledgement stay verbatim, because their meaning can be reversed
without changing a single value ("we are closed on Monday" → "we are open on Monday"; "you
skipped a meal" → "glad you ate well"), and no check sees a negation. A re-prompt ("sorry, I
didn't catch that", "are you still there?") stays verbatim too: the benchmark showed rewordings
that dropped the apology and claimed to have understood ("네, 잘 지내셨어요.").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dialogue.acts import ActKind, SystemAct
from nlg.templates import TemplateNLG

__all__ = ["REWRITABLE_KINDS", "VERBATIM_TEMPLATES", "Segment", "is_rewritable", "plan_turn"]

#: Act kinds whose wording the LLM may change.
REWRITABLE_KINDS = frozenset({ActKind.GREET, ActKind.REQUEST, ActKind.CONFIRM, ActKind.BYE})

#: Templates spoken verbatim even when their kind is rewritable: endings that state what
#: happened (a wrong number, a failure) rather than simply closing.
VERBATIM_TEMPLATES = frozenset({"wrong_person", "fallback_end", "store_down", "handover"})


def is_rewritable(act: SystemAct) -> bool:
    """Whether the LLM may reword ``act`` (see the module docstring)."""
    key = act.template or act.kind
    if key.startswith("faq:") or key in VERBATIM_TEMPLATES:
        return False
    return act.kind in REWRITABLE_KINDS


@dataclass(frozen=True)
class Segment:
    """A run of consecutive acts of one turn and their template text.

    Attributes:
        acts: the acts, in order.
        text: their template wording (the reference and the fallback).
        rewrite: the LLM rewords this segment (at most one per turn).
    """

    acts: tuple[SystemAct, ...]
    text: str
    rewrite: bool


def plan_turn(acts: Sequence[SystemAct], nlg: TemplateNLG) -> list[Segment]:
    """Cut a turn into segments; the last run of rewritable acts is the one rewritten.

    One LLM call per turn at most: with two runs (rare: an FAQ answer between a re-prompt and
    the question) the earlier one keeps its template wording.
    """
    runs: list[tuple[list[SystemAct], bool]] = []
    for act in acts:
        ok = is_rewritable(act)
        if runs and runs[-1][1] == ok:
            runs[-1][0].append(act)
        else:
            runs.append(([act], ok))
    last = max((i for i, (_, ok) in enumerate(runs) if ok), default=-1)
    segments = []
    for i, (run, _) in enumerate(runs):
        text = " ".join(t for t in (nlg.word(a) for a in run) if t)
        if text or i == last:
            segments.append(Segment(tuple(run), text, rewrite=i == last and bool(text)))
    return segments
