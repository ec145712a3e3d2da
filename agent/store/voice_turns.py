"""Per-turn voice timings of phone calls, one row per exchange, linked to the call.

When the caller stopped speaking, when the words, the reply and the first audio were ready.
The dialogue's own events live in ``call_events`` (:class:`agent.store.CallLog`); these rows add
what only the voice layer knows. They are written once, when the call ends, and replace any
earlier rows of that call (saving twice is harmless).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select

from agent.store.db import Database
from agent.store.models import CallRow, VoiceTurn
from agent.store.privacy import collected_values, redact_text
from common.errors import InputError

__all__ = ["TURN_KINDS", "VoiceTurnLog", "VoiceTurnRecord"]

#: What started an exchange.
TURN_KINDS = (
    "greeting",
    "speech",
    "dtmf",
    "silence",
    "barge_in",
    "asr_failed",
    "time_limit",
    "failure",
)

_TIMES = ("speech_end", "transcript_ready", "reply_ready", "first_audio", "asr_seconds")


@dataclass(frozen=True)
class VoiceTurnRecord:
    """One exchange of a call as the voice layer timed it.

    Times are seconds since the call started (``None`` when not applicable).

    Attributes:
        kind: what started it (one of :data:`TURN_KINDS`).
        user: the caller's words or keys.
        agent: the reply text.
        speech_end: the caller's last voiced audio.
        transcript_ready: the transcript was available.
        reply_ready: the dialogue's reply was available.
        first_audio: the first audio of the reply went out.
        asr_seconds: how long recognition took.
        interrupted: the caller cut this reply short.
        seq: position in the call, from 1 (set when stored).
    """

    kind: str
    user: str | None = None
    agent: str | None = None
    speech_end: float | None = None
    transcript_ready: float | None = None
    reply_ready: float | None = None
    first_audio: float | None = None
    asr_seconds: float | None = None
    interrupted: bool = False
    seq: int = 0

    @property
    def voice_to_voice(self) -> float | None:
        """Seconds from the end of the caller's speech to the first audio of the reply."""
        if self.speech_end is None or self.first_audio is None:
            return None
        return round(self.first_audio - self.speech_end, 3)


class VoiceTurnLog:
    """Stores and reads the voice timings of calls.

    Args:
        db: the shared database handle.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def save_turns(
        self, call_id: str, turns: Sequence[VoiceTurnRecord], *, keep: Sequence[str] = ()
    ) -> int:
        """Store a call's turns in order, replacing any stored before (atomic).

        Personal numbers in the caller's and the agent's words are masked before they are
        written; what the call collected on purpose and ``keep`` survive
        (:mod:`agent.store.privacy`).

        Args:
            call_id: a call started in :class:`agent.store.CallLog`.
            turns: the exchanges in order (their ``seq`` is ignored and renumbered from 1).
            keep: more values that must survive.

        Returns:
            How many turns were stored.

        Raises:
            InputError: unknown call, an unknown kind or a time that is not a finite number.
            StoreUnavailableError: the database failed; nothing was stored.
        """
        for i, turn in enumerate(turns, 1):
            _check(call_id, i, turn)
        with self._db.transaction() as session:
            if session.get(CallRow, call_id) is None:
                raise InputError(f"no call with id {call_id!r}")
            kept = (*keep, *collected_values(session, call_id))
            session.execute(delete(VoiceTurn).where(VoiceTurn.call_id == call_id))
            for seq, t in enumerate(turns, 1):
                session.add(
                    VoiceTurn(
                        call_id=call_id,
                        seq=seq,
                        kind=t.kind,
                        user_text=redact_text(t.user, kept),
                        agent_text=redact_text(t.agent, kept),
                        speech_end=t.speech_end,
                        transcript_ready=t.transcript_ready,
                        reply_ready=t.reply_ready,
                        first_audio=t.first_audio,
                        asr_seconds=t.asr_seconds,
                        interrupted=t.interrupted,
                    )
                )
            session.flush()
        return len(turns)

    def load_turns(self, call_id: str) -> list[VoiceTurnRecord]:
        """A call's turns in order (empty when it has none, e.g. a text call).

        Raises:
            InputError: unknown call.
            StoreUnavailableError: the database failed.
        """
        query = select(VoiceTurn).where(VoiceTurn.call_id == call_id).order_by(VoiceTurn.seq)
        with self._db.session() as session:
            if session.get(CallRow, call_id) is None:
                raise InputError(f"no call with id {call_id!r}")
            return [
                VoiceTurnRecord(
                    kind=row.kind,
                    user=row.user_text,
                    agent=row.agent_text,
                    speech_end=row.speech_end,
                    transcript_ready=row.transcript_ready,
                    reply_ready=row.reply_ready,
                    first_audio=row.first_audio,
                    asr_seconds=row.asr_seconds,
                    interrupted=bool(row.interrupted),
                    seq=row.seq,
                )
                for row in session.scalars(query)
            ]


def _check(call_id: str, index: int, turn: VoiceTurnRecord) -> None:
    where = f"turn #{index} of call {call_id!r}"
    if turn.kind not in TURN_KINDS:
        raise InputError(f"{where}: unknown kind {turn.kind!r}; expected one of {TURN_KINDS}")
    for name in _TIMES:
        value = getattr(turn, name)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InputError(f"{where}: {name} must be a finite number of seconds, got {value!r}")
