"""What the call's pipeline needs of the dialogue, and the timers of a live call.

The port is async: each turn returns a :class:`~nlg.rewrite.ReplyStream` whose ``reply``
(``end_call``, ``transfer_to``, ``expects``) is known at once and whose sentences come as each
is ready (worded by the LLM with ``AICALL_REPLIES=llm``), so speech starts on the first. The
session runs only its blocking work (NLU, database) in worker threads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from nlg.rewrite import ReplyStream

__all__ = ["DialoguePort", "DialogueTimeouts", "Handover"]

#: Transfers the live call to a number; returns whether it was done.
Handover = Callable[[str], Awaitable[bool]]


class DialoguePort(Protocol):
    """What the voice layer needs of a call's dialogue (``agent.session.CallSession``)."""

    call_id: str

    @property
    def ended(self) -> bool:
        """Whether the dialogue has ended."""
        ...

    def set_channel(self, channel: str) -> None:
        """Say how the caller talks (``"voice"``: a phone with a keypad), before the greeting."""
        ...

    async def start_stream(self) -> ReplyStream:
        """The greeting."""
        ...

    async def user_text_stream(self, text: str) -> ReplyStream:
        """One caller turn."""
        ...

    async def event_stream(self, kind: str, value: str | None = None) -> ReplyStream:
        """A call event (silence, dtmf, barge_in, hangup)."""
        ...

    def keep_values(self) -> tuple[str, ...]:
        """Numbers the call collected that redaction keeps (the booking's phone...)."""
        ...

    def close(self, status: str, reason: str | None = None) -> bool | None:
        """Mark the call ended (blocking: the database; called in a worker thread).

        Returns ``False`` when the store failed (the end is to be stored again later).
        """
        ...


@dataclass(frozen=True)
class DialogueTimeouts:
    """Timers of a live call (seconds).

    Attributes:
        silence: caller silence after a prompt's playback before the dialogue's re-prompt
            (:class:`~agent.voice.silence.SilenceWatch`).
        dead_air: time after the caller's last word after which "one moment" is played if
            no reply has started (slow recognition on a busy machine;
            :class:`~agent.voice.dead_air.DeadAirWatch`).
        wait_prompt_after: dialogue time after which "one moment" is played.
        hold_repeat: while the caller still waits for an answer, quiet seconds after a
            "one moment" before the next one (the line is never silent for long).
        turn: dialogue time after which the turn counts as failed.
        dtmf: pause after the last key before the digits are sent without ``#``
            (:class:`~agent.voice.keypad.KeypadAggregator`).
        max_call: the longest a call may last (:class:`~agent.voice.time_limit.CallTimeLimit`).
        mark_grace: how long past the estimated end of playback a missing mark is awaited.
    """

    silence: float = 7.0
    dead_air: float = 2.2
    wait_prompt_after: float = 1.5
    hold_repeat: float = 1.8
    turn: float = 10.0
    dtmf: float = 3.0
    max_call: float = 600.0
    mark_grace: float = 1.0
