"""Process-wide assembly: settings, the database, the scenarios and their NLU, shared by calls.

One :class:`AgentRuntime` per process. It loads every scenario once, trains each scenario's NLU
once (lazily, on its first call) and opens one database; :meth:`AgentRuntime.new_call` makes a
:class:`~agent.session.CallSession` per call.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from agent.config import Settings
from agent.errors import InputError
from agent.session import CallSession
from agent.store import CallLog, Database, SqlBookingBackend, SqlCareCallRecorder
from dialogue.context import DialogueContext
from dialogue.tracker import Tracker
from nlu.engine import nlu_for
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario

__all__ = ["AgentRuntime"]


class AgentRuntime:
    """Everything calls share in one process.

    Args:
        settings: process settings (database URL, scenario directories, time zone).
        clock: returns the current local time of a scenario's venue (tests pin it).
        scenarios: the scenarios to serve, by id (default: the shipped ones plus those in
            ``settings.scenario_dirs``); scenarios are immutable, so runtimes may share them.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[Scenario], datetime] | None = None,
        scenarios: Mapping[str, Scenario] | None = None,
    ) -> None:
        self.settings = settings
        self.scenarios = (
            dict(scenarios) if scenarios is not None else load_scenarios(settings.scenario_dirs)
        )
        self.db = Database(settings.resolved_database_url())
        self.calls = CallLog(self.db)
        self.bookings = SqlBookingBackend(self.db)
        self.carecall = SqlCareCallRecorder(self.db)
        self._clock = clock or self._local_now

    def _local_now(self, scenario: Scenario) -> datetime:
        tz = scenario.venue.timezone if scenario.venue else self.settings.timezone
        return datetime.now(ZoneInfo(tz)).replace(tzinfo=None, microsecond=0)

    def scenario_ids(self) -> list[str]:
        """Ids of the loaded scenarios."""
        return sorted(self.scenarios)

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with that id.

        Raises:
            InputError: no such scenario.
        """
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            known = ", ".join(self.scenario_ids())
            raise InputError(f"unknown scenario {scenario_id!r} (known: {known})") from None

    def new_call(
        self,
        scenario_id: str,
        *,
        caller: str | None,
        callee: str | None = None,
        call_id: str | None = None,
        direction: str | None = None,
        person: str | None = None,
    ) -> CallSession:
        """Start a call: store it and return its session (call ``start()`` for the greeting)."""
        scenario = self.scenario(scenario_id)
        nlu = nlu_for(scenario)
        call_id = call_id or uuid.uuid4().hex
        self.calls.start_call(
            call_id=call_id,
            scenario_id=scenario.id,
            direction=direction or scenario.direction,
            caller=caller,
            callee=callee,
        )
        ctx = DialogueContext(
            scenario=scenario,
            call_id=call_id,
            now=self._clock(scenario),
            caller=caller,
            person=person or scenario.sample_person,
            bookings=self.bookings if scenario.venue else None,
            carecall=self.carecall,
        )
        return CallSession(
            scenario,
            call_id=call_id,
            nlu=nlu,
            context=ctx,
            calls=self.calls,
            clock=lambda: self._clock(scenario),
        )

    def replay(self, call_id: str) -> Tracker:
        """Rebuild a stored call's tracker from its events."""
        stored = self.calls.load_events(call_id)
        return Tracker.replay(
            call_id,
            ({**e.payload, "type": e.type, "timestamp": e.timestamp.timestamp()} for e in stored),
        )

    def close(self) -> None:
        """Release the database."""
        self.db.close()
