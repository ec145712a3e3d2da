"""Requests over the shipped scenarios, and acts with the values the tests read back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

from dialogue.acts import SystemAct
from nlg.rewrite import HistoryTurn, RewriteRequest
from nlg.templates import TemplateNLG
from tests.nlg_rewrite.conftest import TODAY, shipped

DAY = date(2026, 12, 4)  # a Friday
BOOKING = {
    "date": DAY,
    "time": time(19, 0),
    "party_size": 4,
    "seating": "hall",
    "name": "김민수",
    "phone": "01012345678",
}
ASK_TIME = SystemAct("request", slot="time", template="ask_time")
CONFIRM_BOOK = SystemAct("confirm", values=dict(BOOKING), template="confirm_book")
BYE = SystemAct("bye", template="bye")


def request(
    scenario: str,
    acts: Sequence[SystemAct],
    caller: str | None = None,
    known: Mapping[str, Any] | None = None,
) -> RewriteRequest:
    """A turn of ``scenario`` after the caller said ``caller``."""
    nlg = TemplateNLG(shipped()[scenario])
    history = (HistoryTurn("caller", caller),) if caller else ()
    return RewriteRequest(tuple(acts), nlg, history, dict(known or {}), TODAY, "test-call")
