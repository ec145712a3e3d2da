"""System acts (what the agent decides to do) and the reply of one turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ActKind", "Reply", "SystemAct"]


class ActKind:
    """Names of system act kinds (plain strings so they serialise as they read)."""

    GREET = "greet"
    REQUEST = "request"  # ask for a slot
    CONFIRM = "confirm"  # read back values, ask yes/no
    INFORM = "inform"  # state a result or an FAQ answer
    OFFER = "offer"  # offer alternatives (other times, other seating)
    REPROMPT = "reprompt"  # no input / not understood
    ACK = "ack"  # acknowledge a done action
    BYE = "bye"
    TRANSFER = "transfer"
    REPEAT = "repeat"


@dataclass(frozen=True)
class SystemAct:
    """One thing the agent does in a turn.

    Attributes:
        kind: one of :class:`ActKind`.
        slot: the slot requested or confirmed, when any.
        values: the values the act conveys (normalised: dates, times, ints, keys).
        template: the scenario template key that words this act.
    """

    kind: str
    slot: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    template: str | None = None


@dataclass(frozen=True)
class Reply:
    """What the agent says and does after one caller turn.

    Attributes:
        text: what to say (already worded).
        acts: the acts the text words.
        end_call: hang up after speaking.
        transfer_to: a phone number to hand the call over to, when any.
        expects: the slot or input kind the agent now waits for (``phone``, ``date``, ``yesno``,
            ``None``): telephony uses it to tune end-of-turn and DTMF.
    """

    text: str
    acts: tuple[SystemAct, ...] = ()
    end_call: bool = False
    transfer_to: str | None = None
    expects: str | None = None
