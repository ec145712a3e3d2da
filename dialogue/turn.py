"""One turn in the making: the events and acts the policy produces while it answers.

Every state change goes through ``turn.emit`` so that the tracker's event log stays the single
source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dialogue.acts import SystemAct
from dialogue.context import DialogueContext
from dialogue.events import CounterSet, Event
from dialogue.tracker import Tracker
from scenarios.schema import Scenario

__all__ = ["Turn"]


@dataclass
class Turn:
    """The events and acts of one turn in the making."""

    tracker: Tracker
    ctx: DialogueContext
    acts: list[SystemAct] = field(default_factory=list)
    #: a part of the day said in this turn without an hour ("점심에", "for dinner")
    period: str | None = None

    @property
    def scenario(self) -> Scenario:
        """The scenario of the call."""
        return self.ctx.scenario

    def emit(self, event: Event) -> None:
        """Record an event (it applies itself to the state)."""
        self.tracker.update(event)

    def say(self, kind: str, template: str, slot: str | None = None, **values: Any) -> None:
        """Add an act worded by ``template``."""
        self.acts.append(SystemAct(kind=kind, slot=slot, values=dict(values), template=template))

    def count(self, name: str, value: int) -> None:
        """Set a counter (only when it changes, to keep the log short)."""
        state = self.tracker.state
        current = (
            state.no_input
            if name == "no_input"
            else state.misunderstood
            if name == "misunderstood"
            else state.attempts.get(name.split(":", 1)[-1], 0)
        )
        if current != value:
            self.emit(CounterSet(name=name, value=value))
