"""The tracker: an append-only event log and the state derived from it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dialogue.events import Event, event_from_dict
from dialogue.state import DialogueState

__all__ = ["Tracker"]


class Tracker:
    """Holds the events of one call; ``state`` is always the replay of ``events``."""

    def __init__(self, call_id: str, events: Iterable[Event] = ()) -> None:
        self.call_id = call_id
        self.events: list[Event] = []
        self.state = DialogueState()
        for e in events:
            self.update(e)

    def update(self, event: Event) -> None:
        """Append ``event`` and let it apply itself to the state."""
        self.events.append(event)
        event.apply(self.state)

    @classmethod
    def replay(cls, call_id: str, stored: Iterable[dict[str, Any]]) -> Tracker:
        """Rebuild a tracker from stored event dicts."""
        return cls(call_id, (event_from_dict(d) for d in stored))

    def dump(self) -> list[dict[str, Any]]:
        """All events as JSON-safe dicts."""
        return [e.to_dict() for e in self.events]
