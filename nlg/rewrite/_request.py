"""The typed input and output of one reworded turn."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from dialogue.acts import SystemAct
from nlg.rewrite._prompt import HistoryTurn
from nlg.templates import TemplateNLG

__all__ = ["RewriteOutcome", "RewriteRequest", "Source"]

Source = Literal["llm", "template", "verbatim"]


@dataclass(frozen=True)
class RewriteRequest:
    """What the rewriter needs to word one turn.

    Attributes:
        acts: the policy's acts of the turn, with their values.
        nlg: the call's template wording (scenario, persona, facts, the person called).
        history: the last lines of the dialogue, oldest first (the caller's last line last).
        known: slot values the call already holds; the reply may restate them
            ("4명이시죠") even when the acts do not carry them.
        today: the call's date (lets "내일" / "tomorrow" convey a date).
        call_id: for the log line of a fallback.
    """

    acts: tuple[SystemAct, ...]
    nlg: TemplateNLG
    history: tuple[HistoryTurn, ...] = ()
    known: Mapping[str, Any] = field(default_factory=dict)
    today: date | None = None
    call_id: str = ""

    @property
    def template_text(self) -> str:
        """The whole turn in template wording."""
        return " ".join(t for t in (self.nlg.word(a) for a in self.acts) if t)


@dataclass(frozen=True)
class RewriteOutcome:
    """How one turn was worded.

    Attributes:
        text: what is spoken.
        template_text: the template wording of the whole turn.
        source: ``llm`` (the LLM's wording passed the checks), ``template`` (it fell back) or
            ``verbatim`` (nothing in the turn may be reworded: no LLM call).
        reasons: why it fell back (check reasons, ``timeout:first_token``, ``timeout:total``,
            ``unreachable``, ``backend_error``); empty otherwise.
        candidate: the LLM's wording of the rewritten segment, when there was one.
        segment_text: the template wording of that segment.
        first_token_s: seconds to the LLM's first piece of text.
        total_s: seconds to its last.
        released_early: sentences of the LLM's wording spoken before the whole was checked
            (streaming; they passed every check that does not need the rest of the reply).
        read_back: the read-back score of the candidate (``nlg.rewrite._readback``), when
            it was measured.
    """

    text: str
    template_text: str
    source: Source
    reasons: tuple[str, ...] = ()
    candidate: str | None = None
    segment_text: str | None = None
    first_token_s: float | None = None
    total_s: float | None = None
    released_early: int = 0
    read_back: float | None = None
