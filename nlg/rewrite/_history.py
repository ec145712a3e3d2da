"""The dialogue so far, as the rewriter sees it: the last caller and agent lines."""

from __future__ import annotations

from collections.abc import Sequence

from dialogue.events import BotUttered, Event, UserUttered
from nlg.rewrite._prompt import HistoryTurn

__all__ = ["recent_turns"]


def recent_turns(events: Sequence[Event], limit: int = 4) -> tuple[HistoryTurn, ...]:
    """The last ``limit`` lines of the call (caller and agent), oldest first."""
    out: list[HistoryTurn] = []
    for event in reversed(events):
        if isinstance(event, UserUttered) and event.text:
            out.append(HistoryTurn("caller", event.text))
        elif isinstance(event, BotUttered) and event.text:
            out.append(HistoryTurn("agent", event.text))
        if len(out) >= limit:
            break
    return tuple(reversed(out))
