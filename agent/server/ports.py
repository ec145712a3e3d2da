"""What the server needs of the process's runtime (``agent.runtime.AgentRuntime``).

The web layer speaks HTTP and WebSocket only: storage decisions (an outbound call nobody
answered, its follow-up flag) and model preparation are the runtime's, behind this protocol,
so tests of the web layer hand it a small fake.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from agent.campaigns.service import AnswerAction
from agent.journal import ActiveCall
from agent.voice.call import CallRuntime

__all__ = ["ServerRuntime"]


class ServerRuntime(CallRuntime, Protocol):
    """A :class:`~agent.voice.call.CallRuntime` that also prepares models and stores callbacks."""

    def prepare_nlu(self, scenario_ids: Iterable[str] | None = None) -> None:
        """Load or train the scenarios' NLU now (blocking; ``None``: all)."""
        ...

    def mark_interrupted(self, call: ActiveCall, reason: str) -> bool:
        """Store a call cut by a server stop as failed and flag its person (blocking)."""
        ...

    def campaign_answer(
        self, attempt: str, call_sid: str | None, answered_by: str | None
    ) -> AnswerAction:
        """A campaign call (``attempt=`` in the webhook URL) was picked up (blocking)."""
        ...

    def campaign_status(
        self,
        attempt: str,
        call_sid: str | None,
        status: str,
        *,
        answered_by: str | None = None,
        detail: str | None = None,
    ) -> None:
        """A status callback of a campaign call (blocking)."""
        ...

    def record_unreached(
        self,
        *,
        call_id: str,
        scenario_id: str,
        caller: str | None,
        callee: str | None,
        person: str | None,
        status: str,
        reason: str | None,
    ) -> bool:
        """Store an outbound call that never reached its person (blocking); ``False``: known."""
        ...
