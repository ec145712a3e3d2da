"""The voice record of one call: every turn's text and timings, and the outcome.

The dialogue store keeps the conversation's events; this adds what only the voice layer
knows (when the caller stopped speaking, when the transcript, the reply and the first audio
were ready). When the call ends it is stored in the database (``voice_turns``, linked to the
call's row, which holds the status and reason) and written as JSON
(``<data_dir>/calls/<call_id>.json``, read by ``bench/voice_latency.py``): see :meth:`CallReport.save`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.store import Database, VoiceTurnLog, VoiceTurnRecord
from common.errors import AicallError
from common.ids import check_call_id
from common.pii import redact

__all__ = ["CallReport", "TurnTiming"]

log = logging.getLogger(__name__)


@dataclass
class TurnTiming:
    """One exchange: what the caller said (or the event) and what the agent answered.

    Times are seconds since the call started; ``None`` when not applicable.

    Attributes:
        kind: ``greeting``, ``speech``, ``dtmf``, ``silence``, ``barge_in``, ``failure``.
        user: the caller's words or digits.
        agent: the reply text.
        speech_end: the caller's last voiced audio.
        transcript_ready: the transcript was available.
        reply_ready: the dialogue's reply was available.
        first_audio: the first audio of the reply went out.
        asr_seconds: recognition time.
        interrupted: the caller cut this reply short.
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

    @property
    def voice_to_voice(self) -> float | None:
        """From the end of the caller's speech to the first audio of the reply."""
        if self.speech_end is None or self.first_audio is None:
            return None
        return self.first_audio - self.speech_end


@dataclass
class CallReport:
    """Turns, outcome and status of one call.

    Attributes:
        call_id: the call's id.
        scenario: the scenario id.
        started: monotonic start time (turn times are relative to it).
        turns: the exchanges in order.
        status: ``completed``, ``hangup`` or ``failed``.
        reason: why it ended that way.
        transfer_to: the number the call was handed over to, if any.
        faults: what failed during the call and was covered (``kind: detail`` in order:
            recognition, dialogue, synthesis); stored with the call's end reason.
        holds: how many times "one moment" was played while the caller waited.
        keep: numbers the call may keep in its written words (the booking's phone: the
            session's ``keep_values()``); every other personal number is masked.
    """

    call_id: str
    scenario: str
    started: float = field(default_factory=time.monotonic)
    turns: list[TurnTiming] = field(default_factory=list)
    status: str | None = None
    reason: str | None = None
    transfer_to: str | None = None
    faults: list[str] = field(default_factory=list)
    holds: int = 0
    keep: tuple[str, ...] = ()

    def fault(self, kind: str, detail: str) -> None:
        """Note one failure the call survived (``kind``: recognition, dialogue, synthesis)."""
        self.faults.append(f"{kind}: {detail}")

    def fault_summary(self) -> str | None:
        """The faults as one line: each kind with its count and latest detail; ``None`` if none."""
        if not self.faults:
            return None
        latest: dict[str, tuple[int, str]] = {}
        for fault in self.faults:
            kind, _, detail = fault.partition(": ")
            count = latest.get(kind, (0, ""))[0]
            latest[kind] = (count + 1, detail)
        return "; ".join(f"{kind} failed x{n} ({detail})" for kind, (n, detail) in latest.items())

    def rel(self, t: float | None) -> float | None:
        """``t`` (monotonic) relative to the call's start, rounded to the millisecond."""
        return None if t is None else round(t - self.started, 3)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        turns = []
        for t in self.turns:
            d = asdict(t)
            for key in ("user", "agent"):
                d[key] = None if d[key] is None else redact(d[key], keep=self.keep)
            v2v = t.voice_to_voice
            d["voice_to_voice"] = None if v2v is None else round(v2v, 3)
            turns.append(d)
        return {
            "call_id": self.call_id,
            "scenario": self.scenario,
            "status": self.status,
            "reason": self.reason,
            "transfer_to": self.transfer_to,
            "faults": list(self.faults),
            "holds": self.holds,
            "turns": turns,
        }

    def write(self, directory: Path) -> Path:
        """Write the report as JSON into ``directory`` (blocking: call it in a thread).

        Raises:
            InputError: the call id could name a file outside ``directory``.
        """
        path = directory / f"{check_call_id(self.call_id)}.json"
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2))
        return path

    def turn_records(self) -> list[VoiceTurnRecord]:
        """The turns as the store's records (in order)."""
        # the same fields, in the same order, plus the position in the call
        return [VoiceTurnRecord(**asdict(t), seq=i) for i, t in enumerate(self.turns, 1)]

    def store(self, db: Database) -> int:
        """Store the turns in the database (blocking: call it in a thread).

        Returns:
            How many turns were stored.

        Raises:
            InputError: the call has no row (it was not started in the call log).
            StoreUnavailableError: the database failed.
        """
        return VoiceTurnLog(db).save_turns(self.call_id, self.turn_records(), keep=self.keep)

    def save(self, directory: Path | None, db: Database | None) -> None:
        """Write the JSON file and store the turns; failures are logged, never raised.

        The call is over when this runs: a full disk or a database outage must not turn a
        finished call into an error. Blocking: call it in a thread.

        Args:
            directory: where the JSON goes (``<data_dir>/calls``); ``None``: no file.
            db: the database of the call's row; ``None``: not stored (a call without a log).
        """
        if directory is not None:
            try:
                self.write(directory)
            except (OSError, AicallError) as e:
                log.error("call %s: could not write its voice record: %s", self.call_id, e)
        if db is not None:
            try:
                self.store(db)
            except AicallError as e:
                log.error("call %s: could not store its voice timings: %s", self.call_id, e)
