"""The state of one conversation, derived by replaying tracker events (never stored itself)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["AwaitKind", "DialogueState"]


class AwaitKind(StrEnum):
    """A pending question other than a slot or the read-back (``DialogueState.awaiting``)."""

    CORRECTION = "correction"  # "what should I change?" after a "no" to the read-back
    OFFER = "offer"  # alternatives offered after a capacity miss
    ANYTHING_ELSE = "anything_else"  # "anything else I can help with?"
    CHANGE_WHAT = "change_what"  # what to change in an existing booking
    LOOKUP_PHONE = "lookup_phone"  # the number an existing booking was made under
    ABANDON = "abandon"  # "drop the booking being made?"
    RANGE = "range"  # "make it 6 people?"


@dataclass
class DialogueState:
    """Everything the policy reads. Mutated only by events applying themselves.

    Attributes:
        task: the active task (form), if any.
        slots: values collected for the active task.
        requested: the slot the agent just asked for.
        confirming: the agent read the values back and waits for yes/no.
        awaiting: another pending question (:class:`AwaitKind`).
        offers: alternatives offered after a capacity miss (slot values per option).
        booking: the existing booking found for a change or cancellation.
        no_input: consecutive silences.
        misunderstood: consecutive turns not understood.
        attempts: re-prompts used per slot (questionnaires).
        unintelligible: slots given up on after the re-prompts.
        answers: values recorded by a finished task (care-call answers).
        completed: tasks finished, with their outcome.
        last_text: the last thing the agent said (for "repeat").
        cut_prompt: the prompt the caller barged in on, if any.
        ended: the call is over; ``outcome`` says how.
        channel: ``voice`` on a phone call (the caller has a keypad); ``None`` in text chat.
        period: a part of the day said without an hour ("점심", "dinner"), kept for the task
            so that the time is asked in it and a bare hour is read in it.
        wish: a booking shortcut said before it could be met ("제일 빠른 시간으로" before the
            service was known), kept for the task until it is.
    """

    task: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    requested: str | None = None
    confirming: bool = False
    awaiting: AwaitKind | None = None
    offers: list[dict[str, Any]] = field(default_factory=list)
    offer_about: dict[str, Any] = field(default_factory=dict)
    booking: dict[str, Any] | None = None
    no_input: int = 0
    misunderstood: int = 0
    attempts: dict[str, int] = field(default_factory=dict)
    unintelligible: list[str] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)
    completed: list[tuple[str, str]] = field(default_factory=list)
    last_text: str | None = None
    last_expects: str | None = None
    cut_prompt: str | None = None
    turns: int = 0
    ended: bool = False
    outcome: str | None = None
    channel: str | None = None
    period: str | None = None
    wish: str | None = None

    def pending(self) -> str | None:
        """What the agent waits for now: a slot name, ``yesno`` or an ``awaiting`` kind."""
        if self.confirming:
            return "yesno"
        return self.requested or self.awaiting
