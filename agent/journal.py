"""The journal of calls in progress: what a server was doing when it died.

Each call the server runs has a small JSON file under ``<data_dir>/active`` from the moment its
row is stored until its end is stored. A server killed mid-call (``kill -9``, a power cut, the
OOM killer) leaves its files behind; at the next start :func:`recover_interrupted` marks those
calls ``failed`` (their events, stored turn by turn, stay as they were) and flags a care-call
person whose call was cut, so ``aicall carecall results`` lists them to be called again.

One server per data directory: the journal is that server's, even when several servers share
one PostgreSQL database (another server's calls in progress are not touched).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["ActiveCall", "CallJournal", "InterruptedCalls", "recover_interrupted"]

log = logging.getLogger(__name__)

#: the failure reason stored for a call found in the journal at start-up
INTERRUPTED = "interrupted: the server stopped during the call (found at restart)"


@dataclass(frozen=True)
class ActiveCall:
    """A call in progress, as the journal keeps it.

    Attributes:
        call_id: the call's id (its stored row).
        scenario_id: the scenario it runs.
        person: the care-call person (outbound calls), if any.
        caller: the calling number.
        callee: the called number.
    """

    call_id: str
    scenario_id: str
    person: str | None = None
    caller: str | None = None
    callee: str | None = None


class CallJournal:
    """Files of the calls in progress (blocking: call its methods in a worker thread).

    Args:
        directory: where the files go (``<data_dir>/active``).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, call_id: str) -> Path:
        # named by a digest: a call id never names a path
        return self.directory / f"{hashlib.sha256(call_id.encode()).hexdigest()[:32]}.json"

    def add(self, call: ActiveCall) -> None:
        """Note a call as in progress (written atomically; errors are logged)."""
        path = self._path(call.call_id)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(call), ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as e:
            log.error("call %s: could not journal it as in progress: %s", call.call_id, e)

    def remove(self, call_id: str) -> None:
        """The call's end is stored: forget it."""
        try:
            self._path(call_id).unlink(missing_ok=True)
        except OSError as e:
            log.error("call %s: could not remove its journal entry: %s", call_id, e)

    def entries(self) -> list[ActiveCall]:
        """The calls left in the journal (unreadable files are logged and skipped)."""
        if not self.directory.is_dir():
            return []
        calls = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                calls.append(ActiveCall(**data))
            except (OSError, ValueError, TypeError) as e:
                log.error("journal entry %s is unreadable, skipped: %s", path.name, e)
        return calls


class InterruptedCalls(Protocol):
    """What recovery needs of the runtime (``agent.runtime.AgentRuntime``)."""

    def mark_interrupted(self, call: ActiveCall, reason: str) -> bool:
        """Store the call as failed (if still in progress) and flag its person; blocking."""
        ...


def recover_interrupted(journal: CallJournal, runtime: InterruptedCalls) -> list[str]:
    """Mark the calls left in ``journal`` failed (blocking; at server start-up).

    An entry whose call cannot be stored now (the database is down) stays for the next start.

    Returns:
        The ids of the calls marked failed.
    """
    marked = []
    for call in journal.entries():
        try:
            if runtime.mark_interrupted(call, INTERRUPTED):
                marked.append(call.call_id)
                log.warning("call %s was cut by a server stop: stored as failed", call.call_id)
        except Exception as e:  # the database is down or the scenario is gone: keep the entry
            log.error("call %s: could not mark it interrupted: %s", call.call_id, e)
            continue
        journal.remove(call.call_id)
    return marked
