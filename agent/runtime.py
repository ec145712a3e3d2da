"""Process-wide assembly: settings, the database, the scenarios and their NLU, shared by calls.

One :class:`AgentRuntime` per process. It loads every scenario once, prepares each scenario's
NLU once (lazily, on its first call, or at start-up with :meth:`AgentRuntime.prepare_nlu`) as
``AICALL_NLU_*`` says: by default the model ``aicall scenario train`` saved under
``<data dir>/models`` when it is current, else one trained from the scenario file; or a saved
model directory, or a running Rasa server. It opens one database; :meth:`AgentRuntime.new_call` makes a
:class:`~agent.session.CallSession` per call.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import nlg.llm
from agent.campaigns.clock import clock_from_spec
from agent.campaigns.queue import CampaignQueue, build_queue
from agent.campaigns.service import AnswerAction, Campaigns
from agent.config import Settings
from agent.journal import ActiveCall
from agent.session import CallSession
from agent.store import CallLog, Database, SqlBookingBackend, SqlCareCallRecorder
from agent.store.calls import IN_PROGRESS
from common.errors import InputError, StoreUnavailableError
from dialogue.carecall import is_checkin
from dialogue.context import DialogueContext
from dialogue.memory import Recall, recalls
from dialogue.tracker import Tracker
from nlg.rewrite import ReplyRewriter, make_rewriter
from nlu.config import UtteranceParser, make_parser
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario

__all__ = ["AgentRuntime", "rewriter_from_settings"]

log = logging.getLogger(__name__)


def rewriter_from_settings(settings: Settings, *, warm_up: bool = True) -> ReplyRewriter | None:
    """The process's reply rewriter when ``AICALL_REPLIES=llm``, else ``None`` (templates).

    A local model whose llama.cpp build cannot run on this CPU, or an LLM that does not answer
    its warm-up, is logged; the rewriter is kept all the same (each turn then falls back to its
    template with the reason counted), except for the unusable build, which would crash.

    Raises:
        NotConfiguredError: the LLM is not installed or not fully configured.
    """
    if settings.replies != "llm":
        return None
    if settings.llm == "local":
        works, detail = nlg.llm.llama_cpp_build_works(settings.llm_model_path)
        if not works:
            log.error("LLM replies disabled, templates only: %s", detail)
            return None
    rewriter = make_rewriter(
        settings.llm,
        base_url=settings.llm_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        model_path=settings.llm_model_path,
        n_threads=settings.llm_threads,
        lora_path=(
            nlg.llm.chosen_adapter(settings.llm_adapter, model_path=settings.llm_model_path)
            if settings.llm == "local"
            else None
        ),
        first_token_budget=settings.llm_first_token_ms / 1000,
        total_budget=settings.llm_reply_ms / 1000,
    )
    if warm_up:
        rewriter.warm_up()
    return rewriter


class AgentRuntime:
    """Everything calls share in one process.

    Args:
        settings: process settings (database URL, scenario directories, time zone).
        clock: returns the current local time of a scenario's venue (tests pin it).
        scenarios: the scenarios to serve, by id (default: the shipped ones plus those in
            ``settings.scenario_dirs``); scenarios are immutable, so runtimes may share them.
        rewriter: the reply rewriter shared by calls (default: from ``settings.replies``).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[Scenario], datetime] | None = None,
        scenarios: Mapping[str, Scenario] | None = None,
        rewriter: ReplyRewriter | None = None,
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
        self.models_dir = settings.data_dir / "models"
        self.rewriter = rewriter if rewriter is not None else rewriter_from_settings(settings)
        self._campaigns: Campaigns | None = None
        self._campaign_queue: CampaignQueue | None = None

    def _local_now(self, scenario: Scenario) -> datetime:
        """Now at the venue (naive local time), on ``AICALL_CLOCK`` (simulated weeks too)."""
        business = scenario.business
        tz = business.timezone if business else self.settings.timezone
        return (
            self.campaigns.clock.now().astimezone(ZoneInfo(tz)).replace(tzinfo=None, microsecond=0)
        )

    def local_now(self, scenario: Scenario) -> datetime:
        """Now at the scenario's venue (naive local time), as its calls see it."""
        return self._clock(scenario)

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

    def nlu(self, scenario: Scenario) -> UtteranceParser:
        """The parser calls to ``scenario`` use, as ``AICALL_NLU_*`` configures it.

        Built by :func:`nlu.config.make_parser` (the only way calls get a parser): by default
        the scenario's trained model when current (``<data dir>/models``), else trained.
        """
        return make_parser(self.settings.nlu, scenario, models_dir=self.models_dir)

    def prepare_nlu(self, scenario_ids: Iterable[str] | None = None) -> None:
        """Prepare scenarios' NLU now (blocking; default all), not during a first call.

        A scenario that cannot be prepared is logged; a call to it will show the real error.
        """
        for scenario_id in self.scenario_ids() if scenario_ids is None else scenario_ids:
            try:
                self.nlu(self.scenario(scenario_id))
            except Exception as e:  # serving goes on
                log.warning("could not prepare scenario %s: %s", scenario_id, e)

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
        person_id: str | None = None,
    ) -> bool:
        """Store an outbound call that never reached its person, and flag it for follow-up.

        The call is stored as ``outbound`` with ``status`` (``no_answer``, ``busy``, ``failed``,
        ``canceled``, ``voicemail``). When the scenario flags incomplete calls (care calls do:
        ``call_incomplete``), the person is flagged with that reason and ``status`` as a second
        one, so "not reached" shows among the people to call back. Blocking (database).

        Returns:
            Whether anything was stored (``False``: the call exists already, e.g. it was
            answered or this is a repeated callback).

        Raises:
            InputError: unknown scenario.
            StoreUnavailableError: the database failed.
        """
        scenario = self.scenario(scenario_id)
        if not call_id or not self.calls.record_unreached(
            call_id=call_id,
            scenario_id=scenario.id,
            status=status,
            caller=caller,
            callee=callee,
            reason=reason,
        ):
            return False
        if is_checkin(scenario):  # in the person's history: called, not reached
            key = (person_id or callee or person or "unknown").strip()
            self.carecall.link_call(
                call_id,
                person_id=key,
                person=person or key,
                scenario_id=scenario.id,
                called_at=self._utc(scenario, self._clock(scenario)),
            )
        reasons = [rule.reason for rule in scenario.flags if rule.incomplete]
        if reasons:
            who = person or callee or "unknown"
            self.carecall.raise_flag(call_id, scenario.id, who, [*reasons, status])
        return True

    @property
    def campaigns(self) -> Campaigns:
        """The campaign API on this runtime's database and ``AICALL_CLOCK``."""
        if self._campaigns is None:
            self._campaigns = Campaigns(self.db, clock_from_spec(self.settings.clock))
        return self._campaigns

    @property
    def campaign_queue(self) -> CampaignQueue:
        """The dispatchers' queue (``AICALL_QUEUE_URL``), to wake them after a call ends."""
        if self._campaign_queue is None:
            self._campaign_queue = build_queue(self.settings, campaigns=self.campaigns)
        return self._campaign_queue

    def campaign_answer(
        self, attempt: str, call_sid: str | None, answered_by: str | None
    ) -> AnswerAction:
        """A campaign call was picked up: stream it, or hang up / leave a message on a machine.

        Blocking (database). An attempt id that is not a number is answered as a person.
        """
        if not attempt.isdigit():
            log.warning("voice webhook with a malformed campaign attempt %.20r", attempt)
            return AnswerAction("stream")
        return self.campaigns.on_answer(int(attempt), call_sid, answered_by)

    def campaign_status(
        self,
        attempt: str,
        call_sid: str | None,
        status: str,
        *,
        answered_by: str | None = None,
        detail: str | None = None,
    ) -> None:
        """A status callback of a campaign call: move its attempt, wake a dispatcher.

        Blocking (database, queue). A queue that cannot be reached is logged: the dispatchers'
        periodic sweep dispatches the campaign within a minute all the same.
        """
        if not attempt.isdigit():
            log.warning("status callback with a malformed campaign attempt %.20r", attempt)
            return
        result = self.campaigns.on_status(
            int(attempt), call_sid, status, answered_by=answered_by, detail=detail
        )
        if not result.finished:
            return
        try:
            self.campaign_queue.enqueue_dispatch(result.campaign_id)
            if result.retry_at is not None:
                self.campaign_queue.enqueue_dispatch(result.campaign_id, at=result.retry_at)
        except Exception as e:  # the queue's own errors (Redis, SQLite) are not ours
            log.error("campaign %s: dispatchers not woken: %s", result.campaign_id, e)

    def mark_interrupted(self, call: ActiveCall, reason: str) -> bool:
        """Store a call cut by a server stop as failed, and flag a care-call person for a retry.

        Its events stay as stored (turn by turn). When the scenario flags incomplete calls
        (care calls: ``call_incomplete``), the person is flagged with that reason and
        ``interrupted``, so ``aicall carecall results`` lists them to be called again.
        Blocking (database).

        Returns:
            Whether the call was still in progress (``False``: unknown or ended already).

        Raises:
            StoreUnavailableError: the database failed.
        """
        stored = self.calls.get_call(call.call_id)
        if stored is None or stored.status != IN_PROGRESS:
            return False
        self.calls.end_call(call.call_id, "failed", failure_reason=reason)
        scenario = self.scenarios.get(call.scenario_id)
        reasons = [rule.reason for rule in scenario.flags if rule.incomplete] if scenario else []
        if reasons:
            who = call.person or stored.callee or stored.caller or "unknown"
            self.carecall.raise_flag(call.call_id, call.scenario_id, who, [*reasons, "interrupted"])
        return True

    def new_call(
        self,
        scenario_id: str,
        *,
        caller: str | None,
        callee: str | None = None,
        call_id: str | None = None,
        direction: str | None = None,
        person: str | None = None,
        person_id: str | None = None,
    ) -> CallSession:
        """Start a call: store it and return its session (call ``start()`` for the greeting).

        A care call (a check-in task that records answers) is linked to its person: ``person_id``
        (a campaign's person id), else the number called, else the person's name. When the
        scenario has a ``memory`` section, the person's earlier answers recent enough are
        referred back to in this call (:func:`dialogue.memory.recalls`). Blocking (database).
        """
        scenario = self.scenario(scenario_id)
        nlu = self.nlu(scenario)
        call_id = call_id or uuid.uuid4().hex
        self.calls.start_call(
            call_id=call_id,
            scenario_id=scenario.id,
            direction=direction or scenario.direction,
            caller=caller,
            callee=callee,
        )
        now = self._clock(scenario)
        name = person or scenario.sample_person
        who: str | None = None
        recalled: dict[str, Recall] = {}
        if is_checkin(scenario):
            who = (person_id or callee or name or "unknown").strip()
            recalled = self._recall(scenario, who, self._utc(scenario, now))
            self.carecall.link_call(
                call_id,
                person_id=who,
                person=name or who,
                scenario_id=scenario.id,
                called_at=self._utc(scenario, now),
                recalled={slot: r.as_dict() for slot, r in recalled.items()},
            )
        ctx = DialogueContext(
            scenario=scenario,
            call_id=call_id,
            now=now,
            caller=caller,
            person=name,
            bookings=self.bookings if scenario.business else None,
            carecall=self.carecall,
            person_id=who,
            recalls=recalled,
        )
        return CallSession(
            scenario,
            call_id=call_id,
            nlu=nlu,
            context=ctx,
            calls=self.calls,
            clock=lambda: self._clock(scenario),
            rewriter=self.rewriter,
        )

    def _utc(self, scenario: Scenario, local: datetime) -> datetime:
        """A scenario's local clock time as an aware UTC instant."""
        business = scenario.business
        tz = business.timezone if business else self.settings.timezone
        return local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)

    def _recall(self, scenario: Scenario, person_id: str, now: datetime) -> dict[str, Recall]:
        """The follow-ups a call to ``person_id`` asks; none when the store cannot say."""
        if scenario.memory is None or not scenario.memory.follow_ups:
            return {}
        try:
            past = self.carecall.past_calls(person_id, before=now)
        except StoreUnavailableError as e:  # the call goes on without its memory
            log.warning("no memory of earlier calls for this call: %s", e)
            return {}
        return recalls(scenario, past, now)

    def replay(self, call_id: str) -> Tracker:
        """Rebuild a stored call's tracker from its events."""
        stored = self.calls.load_events(call_id)
        return Tracker.replay(
            call_id,
            ({**e.payload, "type": e.type, "timestamp": e.timestamp.timestamp()} for e in stored),
        )

    def close(self) -> None:
        """Release the database (and the reply rewriter's LLM)."""
        if self.rewriter is not None:
            self.rewriter.close()
        self.db.close()
