"""Tracker events: each one applies itself to a :class:`DialogueState`.

The state of a call is the result of replaying its events in order, so a call can be stored as
events, replayed, and inspected. Every event serialises to a JSON-safe dict with ``type``.
"""

from __future__ import annotations

import dataclasses
import time as _time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dialogue.state import AwaitKind, DialogueState
from dialogue.values import decode_value, encode_value

__all__ = [
    "ActionExecuted",
    "Awaiting",
    "BookingLoaded",
    "BotUttered",
    "CallEnded",
    "CallEvent",
    "ChannelSet",
    "ConfirmationRequested",
    "CounterSet",
    "Event",
    "OffersMade",
    "PeriodSaid",
    "SlotRequested",
    "SlotSet",
    "TaskEnded",
    "TaskStarted",
    "UserUttered",
    "WishNoted",
    "event_from_dict",
]

_REGISTRY: dict[str, type[Event]] = {}


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of all tracker events."""

    type_name: ClassVar[str] = "event"
    timestamp: float = field(default_factory=_time.time)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.type_name] = cls

    def apply(self, state: DialogueState) -> None:
        """Change ``state`` the way this event says (default: nothing)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form with a ``type`` key."""
        data = {f.name: encode_value(getattr(self, f.name)) for f in dataclasses.fields(self)}
        data["type"] = self.type_name
        return data


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from :meth:`Event.to_dict` output."""
    data = dict(data)
    cls = _REGISTRY[data.pop("type")]
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            value = decode_value(data[f.name])
            if isinstance(value, list) and f.name in ("slots", "acts"):
                # JSON has no tuples: the (name, value) pairs of ``slots`` come back as lists
                value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
            kwargs[f.name] = value
    return cls(**kwargs)


@dataclass(frozen=True, kw_only=True)
class UserUttered(Event):
    """The caller said something; ``slots`` are (name, value) pairs the NLU found."""

    type_name: ClassVar[str] = "user"
    text: str
    intent: str
    confidence: float
    slots: tuple[Any, ...] = ()

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.turns += 1
        state.cut_prompt = None


@dataclass(frozen=True, kw_only=True)
class BotUttered(Event):
    """The agent said ``text`` (the acts it worded are kept by name)."""

    type_name: ClassVar[str] = "bot"
    text: str
    acts: tuple[Any, ...] = ()
    expects: str | None = None

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.last_text = self.text
        state.last_expects = self.expects


@dataclass(frozen=True, kw_only=True)
class CallEvent(Event):
    """Something from the line: ``silence``, ``dtmf``, ``barge_in``, ``hangup``."""

    type_name: ClassVar[str] = "call"
    kind: str
    value: str | None = None

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        if self.kind == "barge_in":
            state.cut_prompt = self.value


@dataclass(frozen=True, kw_only=True)
class ChannelSet(Event):
    """How the caller reaches the agent: ``voice`` (a phone line with a keypad) or ``text``."""

    type_name: ClassVar[str] = "channel"
    channel: str

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.channel = self.channel


@dataclass(frozen=True, kw_only=True)
class TaskStarted(Event):
    """A task (form) becomes active; its slots start empty unless ``prefill`` says otherwise."""

    type_name: ClassVar[str] = "task_started"
    task: str

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        if state.task is not None:
            state.wish = None  # a wish said with the request that starts the task is kept
        state.task = self.task
        state.slots = {}
        state.requested = None
        state.confirming = False
        state.awaiting = None
        state.offers = []
        state.booking = None
        state.attempts = {}
        state.period = None


@dataclass(frozen=True, kw_only=True)
class TaskEnded(Event):
    """The active task is over (``outcome``: done, cancelled, not_found, failed...)."""

    type_name: ClassVar[str] = "task_ended"
    task: str
    outcome: str

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.completed.append((self.task, self.outcome))
        state.task = None
        state.requested = None
        state.confirming = False
        state.awaiting = None
        state.offers = []
        state.period = None
        state.wish = None


@dataclass(frozen=True, kw_only=True)
class SlotSet(Event):
    """A slot of the active task takes a value (``None`` clears it)."""

    type_name: ClassVar[str] = "slot"
    name: str
    value: Any

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        if self.value is None:
            state.slots.pop(self.name, None)
        else:
            state.slots[self.name] = self.value


@dataclass(frozen=True, kw_only=True)
class SlotRequested(Event):
    """The agent asks for ``slot``."""

    type_name: ClassVar[str] = "requested"
    slot: str | None

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.requested = self.slot
        state.confirming = False
        state.awaiting = None


@dataclass(frozen=True, kw_only=True)
class ConfirmationRequested(Event):
    """The agent read the values back and waits for yes or no."""

    type_name: ClassVar[str] = "confirming"

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.confirming = True
        state.requested = None
        state.awaiting = None


@dataclass(frozen=True, kw_only=True)
class Awaiting(Event):
    """The agent waits for a special answer (``correction``, ``offer``, ``anything_else``...)."""

    type_name: ClassVar[str] = "awaiting"
    kind: str | None

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.awaiting = AwaitKind(self.kind) if self.kind else None
        state.requested = None
        state.confirming = False


@dataclass(frozen=True, kw_only=True)
class PeriodSaid(Event):
    """The caller named a part of the day without an hour ("점심에", "for dinner")."""

    type_name: ClassVar[str] = "period"
    period: str | None

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.period = self.period


@dataclass(frozen=True, kw_only=True)
class WishNoted(Event):
    """A booking shortcut to meet once it can be ("the earliest" before the service is known)."""

    type_name: ClassVar[str] = "wish"
    wish: str | None

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.wish = self.wish


@dataclass(frozen=True, kw_only=True)
class OffersMade(Event):
    """Alternatives offered to the caller after a capacity miss."""

    type_name: ClassVar[str] = "offers"
    offers: list[dict[str, Any]]
    about: dict[str, Any] = field(default_factory=dict)

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.offers = list(self.offers)
        state.offer_about = dict(self.about)


@dataclass(frozen=True, kw_only=True)
class BookingLoaded(Event):
    """The existing booking a change or cancellation works on."""

    type_name: ClassVar[str] = "booking"
    booking: dict[str, Any] | None

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.booking = self.booking


@dataclass(frozen=True, kw_only=True)
class CounterSet(Event):
    """A counter changes: ``no_input``, ``misunderstood``, or ``attempts:<slot>``."""

    type_name: ClassVar[str] = "counter"
    name: str
    value: int

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        if self.name == "no_input":
            state.no_input = self.value
        elif self.name == "misunderstood":
            state.misunderstood = self.value
        elif self.name.startswith("attempts:"):
            state.attempts[self.name.split(":", 1)[1]] = self.value


@dataclass(frozen=True, kw_only=True)
class ActionExecuted(Event):
    """A business action ran (``create_booking``, ``record_carecall``...) with its result."""

    type_name: ClassVar[str] = "action"
    name: str
    result: dict[str, Any] = field(default_factory=dict)

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        if self.name == "give_up_slot":
            slot = self.result["slot"]
            state.unintelligible.append(slot)
        if self.name == "record_carecall":
            state.answers = dict(self.result.get("answers", {}))


@dataclass(frozen=True, kw_only=True)
class CallEnded(Event):
    """The conversation is over."""

    type_name: ClassVar[str] = "ended"
    outcome: str

    def apply(self, state: DialogueState) -> None:  # noqa: D102
        state.ended = True
        state.outcome = self.outcome
