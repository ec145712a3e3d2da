"""The campaign API: create, import, start, pause, dispatch, follow calls, report.

:class:`Campaigns` is the one entry point (the CLI is a thin layer over it, the console will
be another). All state is in the database; every method is one or a few short transactions,
so any number of processes (dispatchers, ``aicall serve`` workers) share a campaign safely:

* **Dispatch** (:meth:`Campaigns.claim_due`) locks the campaign's row (``SELECT ... FOR UPDATE``
  on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), counts the attempts dialing or in a call,
  and claims at most ``cap - active`` due attempts of people inside their calling window:
  the cap is never exceeded, whatever the number of dispatchers.
* A claimed attempt has a **lease**. A dispatcher killed before placing the call loses it when
  the lease expires (:meth:`Campaigns.sweep` puts it back in the queue: nobody is lost); the
  call is only placed by the holder of the claim, after re-checking it, and Twilio's status
  callbacks carry the attempt id, so a placed call is adopted by the attempt even if its
  dispatcher died right after placing it (nobody is called twice). A partial unique index
  allows one live attempt per person.
* **Transitions** (:class:`Transition`) record every state change with its time and reason.

Time comes from a :class:`~agent.campaigns.clock.Clock` (simulated in tests).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agent.campaigns.clock import Clock, SystemClock
from agent.campaigns.importer import ImportProblem, ImportReport
from agent.campaigns.policy import MachinePolicy, RetryPolicy, Schedule
from agent.store.campaign_models import (
    LIVE_STATES,
    CampaignAttempt,
    CampaignPerson,
    CampaignRow,
    CampaignTransition,
)
from agent.store.db import Database
from agent.store.models import CallRow, FollowupFlag
from common.errors import BackendUnavailableError, InputError
from telephony.twilio.outbound import OutboundCall, PlacedCall, check_number, is_machine

__all__ = [
    "AnswerAction",
    "Campaign",
    "CampaignReport",
    "CampaignSpec",
    "CampaignStatus",
    "Campaigns",
    "Claim",
    "Dialer",
    "PersonResult",
    "StatusResult",
    "Transition",
]

log = logging.getLogger(__name__)

#: An attempt in a call stays claimed this long without news before it is failed.
IN_CALL_LEASE = timedelta(hours=1)
#: Twilio call statuses of a call that ended without reaching anyone, as outcomes.
_UNREACHED = {"no-answer": "no-answer", "busy": "busy", "failed": "failed", "canceled": "failed"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_BUSY_STATES = ("dialing", "in-call")


class Dialer(Protocol):
    """Places one outbound call (``telephony.twilio.outbound.TwilioDialer``; tests: a fake)."""

    def place(self, call: OutboundCall) -> PlacedCall:
        """Ask the telephony provider to place ``call`` (blocking)."""
        ...


@dataclass(frozen=True)
class CampaignSpec:
    """What a new campaign is.

    Attributes:
        id: a short name (``gangnam-weekly``: lowercase letters, digits, ``-``, ``_``).
        scenario_id: the scenario the calls run (``carecall-ko``).
        language: the scenario's language (``ko`` / ``en``), for machine messages.
        region: ISO country of numbers written without ``+`` in imported lists.
        caller_id: the number calls come from (a Twilio number; E.164).
        max_concurrent: calls of this campaign at once, at most.
        schedule: days, windows, time zone, holidays.
        retry: retry rule per outcome.
        machine: what to do with answering machines.
        recurrence: ``once`` or ``weekly`` (a new round for everyone each week).
        ring_timeout: seconds a phone rings before no-answer.
        lease_seconds: how long a dispatcher's claim on an attempt holds before the call is
            placed (and, after placing, beyond the ring timeout) before it is recovered.
        starts_at: when the first round begins (default: when started).
    """

    id: str
    scenario_id: str
    language: str = "ko"
    region: str = "KR"
    caller_id: str | None = None
    max_concurrent: int = 5
    schedule: Schedule = field(default_factory=Schedule)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    machine: MachinePolicy = field(default_factory=MachinePolicy)
    recurrence: str = "once"
    ring_timeout: int = 30
    lease_seconds: int = 120
    starts_at: datetime | None = None

    def __post_init__(self) -> None:
        if not _ID.match(self.id or ""):
            raise InputError(
                f"campaign name {self.id!r}: lowercase letters, digits, '-' and '_' "
                "(at most 64), e.g. gangnam-weekly"
            )
        if not self.scenario_id:
            raise InputError("a campaign needs a scenario")
        if self.max_concurrent < 1:
            raise InputError(f"--cap must be at least 1, got {self.max_concurrent}")
        if self.recurrence not in ("once", "weekly"):
            raise InputError(f"recurrence {self.recurrence!r}: once or weekly")
        if not 5 <= self.ring_timeout <= 600:
            raise InputError(f"ring timeout must be 5-600 seconds, got {self.ring_timeout}")
        if self.lease_seconds < 1:
            raise InputError(f"lease must be at least 1 second, got {self.lease_seconds}")
        if self.starts_at is not None and self.starts_at.tzinfo is None:
            raise InputError("a campaign's start needs a time zone offset")


@dataclass(frozen=True)
class Campaign:
    """A stored campaign (see :class:`CampaignSpec` for the fields it shares)."""

    id: str
    scenario_id: str
    language: str
    region: str
    caller_id: str | None
    status: str
    max_concurrent: int
    schedule: Schedule
    retry: RetryPolicy
    machine: MachinePolicy
    recurrence: str
    ring_timeout: int
    lease_seconds: int
    starts_at: datetime | None
    current_round: int
    people: int


@dataclass(frozen=True)
class Claim:
    """An attempt a dispatcher claimed: the call to place, and the claim token to prove it."""

    attempt_id: int
    claim: str
    campaign_id: str
    scenario_id: str
    person: str
    phone: str
    caller_id: str | None
    ring_timeout: int
    machine_detection: str | None


@dataclass(frozen=True)
class Transition:
    """One state change of an attempt."""

    attempt_id: int
    at: datetime
    from_state: str | None
    to_state: str
    reason: str


@dataclass(frozen=True)
class StatusResult:
    """What a status callback did.

    Attributes:
        finished: the attempt ended (a slot of the cap is free: dispatch again).
        retry_at: when the person's next attempt is due, if one was scheduled.
        campaign_id: the attempt's campaign (empty for an unknown attempt).
    """

    finished: bool = False
    retry_at: datetime | None = None
    campaign_id: str = ""


@dataclass(frozen=True)
class AnswerAction:
    """What to answer Twilio's voice webhook of a campaign call.

    Attributes:
        kind: ``stream`` (a person: run the conversation), ``hangup`` (a machine, retried)
            or ``message`` (a machine: say ``text`` in ``language`` and hang up).
    """

    kind: str
    text: str = ""
    language: str = "ko"


@dataclass(frozen=True)
class CampaignStatus:
    """Where a campaign stands (current round)."""

    campaign: Campaign
    states: dict[str, int]
    active: int
    next_due: datetime | None
    why_waiting: str | None


@dataclass(frozen=True)
class PersonResult:
    """One person's round, for the report.

    Attributes:
        result: ``reached``, ``reached-by-message``, ``gave-up``, ``retrying`` (not reached
            yet, another try scheduled), ``calling`` (dialing or in a call) or ``waiting``.
        attempts: calls placed or being placed in the round.
        reasons: one line per attempt: when, outcome, why.
        flagged: an open follow-up flag on one of the round's calls.
        flag_reasons: its reasons.
    """

    person_id: int
    name: str
    phone: str
    round: int
    result: str
    attempts: int
    reasons: tuple[str, ...]
    flagged: bool
    flag_reasons: tuple[str, ...]
    last_call: str | None
    ended_at: datetime | None


@dataclass(frozen=True)
class CampaignReport:
    """Per person results of a round, and the totals."""

    campaign: Campaign
    round: int
    people: tuple[PersonResult, ...]

    @property
    def totals(self) -> dict[str, int]:
        """Counts: reached, reached-by-message, retried, gave-up, flagged, pending.

        ``retried``: people called more than once; ``pending``: not finished yet.
        """
        counts = Counter(p.result for p in self.people)
        return {
            "people": len(self.people),
            "reached": counts["reached"],
            "reached-by-message": counts["reached-by-message"],
            "retried": sum(1 for p in self.people if p.attempts > 1),
            "gave-up": counts["gave-up"],
            "flagged": sum(1 for p in self.people if p.flagged),
            "pending": counts["retrying"] + counts["calling"] + counts["waiting"],
        }


class Campaigns:
    """Campaigns in a database, on a clock.

    Args:
        db: the shared database.
        clock: what time it is (default: the system clock).
        worker: a name for this process in the transitions it records (default: random).
    """

    def __init__(self, db: Database, clock: Clock | None = None, *, worker: str = "") -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.worker = worker or uuid.uuid4().hex[:8]

    # -- campaigns ---------------------------------------------------------------------------

    def create(self, spec: CampaignSpec) -> Campaign:
        """Store a new campaign (status ``draft``: import people, then :meth:`start`).

        Raises:
            InputError: a campaign with that name exists.
        """
        now = self.clock.now()
        try:
            with self.db.transaction() as s:
                if s.get(CampaignRow, spec.id) is not None:
                    raise InputError(f"campaign {spec.id!r} exists already")
                s.add(
                    CampaignRow(
                        id=spec.id,
                        scenario_id=spec.scenario_id,
                        language=spec.language,
                        region=spec.region.upper(),
                        caller_id=spec.caller_id,
                        status="draft",
                        max_concurrent=spec.max_concurrent,
                        schedule=spec.schedule.to_json(),
                        retry=spec.retry.to_json(),
                        machine=spec.machine.to_json(),
                        recurrence=spec.recurrence,
                        ring_timeout=spec.ring_timeout,
                        lease_seconds=spec.lease_seconds,
                        starts_at=spec.starts_at,
                        current_round=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except BackendUnavailableError as e:
            if isinstance(e.__cause__, IntegrityError):  # created by another process meanwhile
                raise InputError(f"campaign {spec.id!r} exists already") from None
            raise
        return self.get(spec.id)

    def get(self, campaign_id: str) -> Campaign:
        """The campaign.

        Raises:
            InputError: no such campaign.
        """
        with self.db.session() as s:
            row = s.get(CampaignRow, campaign_id)
            if row is None:
                raise InputError(f"no campaign {campaign_id!r}{self._known(s)}")
            return self._record(s, row)

    def all(self) -> list[Campaign]:
        """Every campaign, by name."""
        with self.db.session() as s:
            return [self._record(s, r) for r in s.scalars(select(CampaignRow).order_by("id"))]

    def import_people(self, campaign_id: str, report: ImportReport) -> int:
        """Add the people of a checked file, all or none (one transaction).

        People whose number is already in the campaign are problems too, named with their row.
        In a running campaign, the new people get an attempt in the current round.

        Returns:
            How many people were added.

        Raises:
            InputError: the report has problems, or a number is already in the campaign
                (every row named); nothing was added.
        """
        if not report.ok:
            raise report.error()
        now = self.clock.now()
        with self.db.transaction() as s:
            camp = self._lock(s, campaign_id)
            existing = set(
                s.scalars(
                    select(CampaignPerson.phone).where(CampaignPerson.campaign_id == campaign_id)
                )
            )
            clashes = [
                ImportProblem(p.row, "phone", f"{p.phone} is already in campaign {campaign_id}")
                for p in report.people
                if p.phone in existing
            ]
            if clashes:
                raise ImportReport(report.source, (), tuple(clashes)).error()
            schedule = Schedule.from_json(camp.schedule)
            rows = [
                CampaignPerson(
                    campaign_id=campaign_id,
                    name=p.name,
                    phone=p.phone,
                    timezone=p.timezone or schedule.timezone,
                    source_row=p.row,
                    extra=dict(p.extra),
                    created_at=now,
                )
                for p in report.people
            ]
            s.add_all(rows)
            s.flush()
            if camp.current_round > 0 and camp.status in ("running", "paused"):
                for person in rows:
                    self._new_attempt(s, camp, person.id, camp.current_round, 1, now, "imported")
            camp.updated_at = now
        return len(report.people)

    def start(self, campaign_id: str, *, caller_id: str | None = None) -> Campaign:
        """Start calling: the first round's attempts are queued for everyone.

        Args:
            campaign_id: the campaign.
            caller_id: the number calls come from, if the campaign has none yet (E.164).

        Raises:
            InputError: no people, no caller id, or the campaign is not a draft (resume a
                paused one).
        """
        now = self.clock.now()
        with self.db.transaction() as s:
            camp = self._lock(s, campaign_id)
            if caller_id and not camp.caller_id:
                camp.caller_id = check_number(caller_id, "--caller-id")
            if not camp.caller_id:
                raise InputError(
                    f"campaign {campaign_id} has no caller id: give --caller-id NUMBER "
                    "(a Twilio number) or set AICALL_CALLER_ID"
                )
            if camp.status != "draft":
                raise InputError(
                    f"campaign {campaign_id} is {camp.status}"
                    + (": use `aicall campaign resume`" if camp.status == "paused" else "")
                )
            people = list(
                s.scalars(
                    select(CampaignPerson.id).where(CampaignPerson.campaign_id == campaign_id)
                )
            )
            if not people:
                raise InputError(
                    f"campaign {campaign_id} has nobody to call: `aicall campaign import` first"
                )
            camp.starts_at = camp.starts_at or now
            camp.status = "running"
            camp.current_round = 1
            camp.updated_at = now
            due = max(now, camp.starts_at)
            for person_id in people:
                self._new_attempt(s, camp, person_id, 1, 1, due, "campaign started (round 1)")
        return self.get(campaign_id)

    def pause(self, campaign_id: str) -> Campaign:
        """Stop placing new calls (calls in progress go on).

        Raises:
            InputError: not running.
        """
        return self._set_status(campaign_id, "running", "paused")

    def resume(self, campaign_id: str) -> Campaign:
        """Place calls again after :meth:`pause`.

        Raises:
            InputError: not paused.
        """
        return self._set_status(campaign_id, "paused", "running")

    def _set_status(self, campaign_id: str, expected: str, new: str) -> Campaign:
        with self.db.transaction() as s:
            camp = self._lock(s, campaign_id)
            if camp.status != expected:
                raise InputError(f"campaign {campaign_id} is {camp.status}, not {expected}")
            camp.status = new
            camp.updated_at = self.clock.now()
        return self.get(campaign_id)

    def running(self) -> list[str]:
        """Names of the running campaigns."""
        with self.db.session() as s:
            return list(
                s.scalars(
                    select(CampaignRow.id).where(CampaignRow.status == "running").order_by("id")
                )
            )

    # -- dispatch ----------------------------------------------------------------------------

    def claim_due(self, campaign_id: str, *, limit: int | None = None) -> list[Claim]:
        """Claim the attempts to dial now: due, inside their person's window, under the cap.

        Args:
            campaign_id: the campaign.
            limit: claim at most this many (default: as many as the cap leaves).

        Returns:
            The claims (state ``dialing``, leased); empty when paused, outside every window,
            at the cap, or nothing is due.
        """
        now = self.clock.now()
        with self.db.transaction() as s:
            camp = s.get(CampaignRow, campaign_id, with_for_update=True)
            if camp is None or camp.status != "running":
                return []
            active = s.scalar(
                select(func.count())
                .select_from(CampaignAttempt)
                .where(
                    CampaignAttempt.campaign_id == campaign_id,
                    CampaignAttempt.state.in_(_BUSY_STATES),
                )
            )
            slots = camp.max_concurrent - int(active or 0)
            if limit is not None:
                slots = min(slots, limit)
            if slots <= 0:
                return []
            schedule = Schedule.from_json(camp.schedule)
            zones = s.scalars(
                select(CampaignPerson.timezone)
                .where(CampaignPerson.campaign_id == campaign_id)
                .distinct()
            )
            open_zones = [z for z in zones if schedule.allows(now, z)]
            if not open_zones:
                return []
            query = (
                select(CampaignAttempt, CampaignPerson)
                .join(CampaignPerson, CampaignPerson.id == CampaignAttempt.person_id)
                .where(
                    CampaignAttempt.campaign_id == campaign_id,
                    CampaignAttempt.state == "queued",
                    CampaignAttempt.due_at <= now,
                    CampaignPerson.timezone.in_(open_zones),
                )
                .order_by(CampaignAttempt.due_at, CampaignAttempt.id)
                .limit(slots)
            )
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True, of=CampaignAttempt)
            machine = MachinePolicy.from_json(camp.machine)
            lease = now + timedelta(seconds=camp.lease_seconds)
            claims = []
            for attempt, person in s.execute(query).all():
                token = uuid.uuid4().hex
                self._move(
                    s,
                    attempt,
                    "dialing",
                    now,
                    f"dispatched by {self.worker} (try {attempt.number})",
                )
                attempt.claim, attempt.lease_until = token, lease
                claims.append(
                    Claim(
                        attempt_id=attempt.id,
                        claim=token,
                        campaign_id=campaign_id,
                        scenario_id=camp.scenario_id,
                        person=person.name,
                        phone=person.phone,
                        caller_id=camp.caller_id,
                        ring_timeout=camp.ring_timeout,
                        machine_detection=machine.twilio_detection,
                    )
                )
            return claims

    def place(self, claim: Claim, dialer: Dialer, *, caller_id: str | None = None) -> str | None:
        """Place the call of a claim (blocking), if the claim still holds.

        A claim that expired (its attempt went back to the queue or to another dispatcher)
        places nothing. A provider refusal (4xx) ends the attempt as ``failed`` (retried per
        policy); an unreachable provider puts the attempt back in the queue.

        Returns:
            The call SID, or ``None`` when nothing was placed.

        Raises:
            InputError: no caller id.
        """
        now = self.clock.now()
        with self.db.transaction() as s:
            attempt = s.get(CampaignAttempt, claim.attempt_id, with_for_update=True)
            if (
                attempt is None
                or attempt.state != "dialing"
                or attempt.claim != claim.claim
                or attempt.call_sid is not None
                or attempt.dialed_at is not None
                or (attempt.lease_until is not None and attempt.lease_until <= now)
            ):
                return None
            camp = s.get(CampaignRow, claim.campaign_id)
            assert camp is not None
            # from now on the attempt counts as a call: a crash leaves it to its callbacks
            attempt.dialed_at = now
            attempt.lease_until = now + timedelta(seconds=camp.ring_timeout + camp.lease_seconds)
        from_ = caller_id or claim.caller_id
        try:
            if not from_:
                raise InputError(
                    f"campaign {claim.campaign_id}: no caller id (--caller-id or AICALL_CALLER_ID)"
                )
            call = OutboundCall(
                to=claim.phone,
                scenario=claim.scenario_id,
                from_=from_,
                person=claim.person,
                ring_timeout=claim.ring_timeout,
                attempt=str(claim.attempt_id),
                machine_detection=claim.machine_detection,
            )
            placed = dialer.place(call)
        except InputError as e:
            self._finish(claim.attempt_id, "failed", f"not placed: {e}")
            return None
        except BackendUnavailableError as e:
            with self.db.transaction() as s:
                attempt = s.get(CampaignAttempt, claim.attempt_id, with_for_update=True)
                if attempt is not None and attempt.state == "dialing" and not attempt.call_sid:
                    self._move(s, attempt, "queued", self.clock.now(), f"not placed: {e}")
                    attempt.claim = attempt.lease_until = attempt.dialed_at = None
                    attempt.due_at = self.clock.now() + timedelta(seconds=60)
            return None
        with self.db.transaction() as s:
            attempt = s.get(CampaignAttempt, claim.attempt_id, with_for_update=True)
            if attempt is not None and attempt.call_sid is None:
                attempt.call_sid = placed.sid
                attempt.updated_at = self.clock.now()
        return placed.sid

    # -- callbacks ---------------------------------------------------------------------------

    def on_answer(
        self, attempt_id: int, call_sid: str | None, answered_by: str | None
    ) -> AnswerAction:
        """The call was picked up (Twilio's voice webhook): a person, or a machine.

        Returns:
            ``stream`` for a person (the conversation runs and the attempt is ``in-call``), or
            for a machine what the campaign's policy says (``hangup`` / ``message``).
        """
        now = self.clock.now()
        with self.db.transaction() as s:
            attempt = s.get(CampaignAttempt, attempt_id, with_for_update=True)
            if attempt is None or attempt.state not in ("dialing", "in-call"):
                return AnswerAction("stream")  # a person on the line is talked to anyway
            self._adopt(attempt, call_sid)
            camp = s.get(CampaignRow, attempt.campaign_id)
            person = s.get(CampaignPerson, attempt.person_id)
            assert camp is not None and person is not None
            machine = MachinePolicy.from_json(camp.machine)
            attempt.answered_at = attempt.answered_at or now
            attempt.lease_until = now + IN_CALL_LEASE
            if is_machine(answered_by) and machine.action != "off":
                if machine.action == "message":
                    attempt.outcome = "reached-by-message"
                    attempt.reason = f"answering machine ({answered_by}): leaving the message"
                    if attempt.state == "dialing":
                        self._move(s, attempt, "in-call", now, attempt.reason)
                    text = machine.message.replace("{name}", person.name)
                    return AnswerAction("message", text, camp.language)
                attempt.outcome = "voicemail"
                attempt.reason = f"answering machine ({answered_by}): hung up"
                return AnswerAction("hangup")
            if attempt.state == "dialing":
                self._move(s, attempt, "in-call", now, f"answered ({answered_by or 'person'})")
            return AnswerAction("stream")

    def on_status(
        self,
        attempt_id: int,
        call_sid: str | None,
        status: str,
        *,
        answered_by: str | None = None,
        detail: str | None = None,
    ) -> StatusResult:
        """A Twilio status callback of a campaign call (``CallStatus``, ``AnsweredBy``).

        ``initiated`` / ``ringing`` record the call; ``in-progress`` moves to ``in-call``;
        ``completed`` ends the attempt with the agent's outcome (reached if the conversation
        ran); ``no-answer`` / ``busy`` / ``failed`` / ``canceled`` end it unreached, retried by
        the campaign's policy. Repeated or late callbacks change nothing.
        """
        now = self.clock.now()
        with self.db.transaction() as s:
            attempt = s.get(CampaignAttempt, attempt_id, with_for_update=True)
            if attempt is None or attempt.state not in LIVE_STATES:
                return StatusResult()
            if call_sid and attempt.call_sid not in (None, call_sid):
                log.warning("attempt %s: callback of another call %s ignored", attempt_id, call_sid)
                return StatusResult()
            self._adopt(attempt, call_sid)
            if attempt.state == "queued":  # placed, though its dispatcher gave it up
                self._move(s, attempt, "dialing", now, f"call {call_sid} reported {status}")
            if status in ("queued", "initiated", "ringing"):
                camp = s.get(CampaignRow, attempt.campaign_id)
                assert camp is not None
                attempt.lease_until = now + timedelta(
                    seconds=camp.ring_timeout + camp.lease_seconds
                )
                return StatusResult()
            if status in ("in-progress", "answered"):
                if attempt.state == "dialing":
                    self._move(s, attempt, "in-call", now, "answered")
                attempt.answered_at = attempt.answered_at or now
                attempt.lease_until = now + IN_CALL_LEASE
                return StatusResult()
            if status == "completed":
                outcome, reason = self._completed_outcome(s, attempt, answered_by)
            elif status in _UNREACHED:
                outcome = _UNREACHED[status]
                camp = s.get(CampaignRow, attempt.campaign_id)
                ring = camp.ring_timeout if camp else 30
                reason = {
                    "no-answer": f"rang {ring}s, nobody answered",
                    "busy": "the line was busy",
                    "failed": "the call could not be connected",
                    "canceled": "the call was canceled before it was answered",
                }[status] + (f" ({detail})" if detail else "")
            else:
                log.warning("attempt %s: unknown call status %r ignored", attempt_id, status)
                return StatusResult()
            retry_at = self._end(s, attempt, outcome, reason, now)
            return StatusResult(True, retry_at, attempt.campaign_id)

    def _completed_outcome(
        self, s: Session, attempt: CampaignAttempt, answered_by: str | None
    ) -> tuple[str, str]:
        if attempt.outcome == "reached-by-message":
            return "reached-by-message", "message left on the answering machine"
        if attempt.outcome == "voicemail" or (
            is_machine(answered_by) and attempt.answered_at is None
        ):
            return "voicemail", attempt.reason or f"answering machine ({answered_by})"
        call = s.get(CallRow, attempt.call_sid) if attempt.call_sid else None
        if call is None:
            return "failed", "answered, but the agent never ran the call"
        if call.status == "failed":
            return "failed", f"the call failed: {call.failure_reason or 'no reason stored'}"
        what = f" ({call.outcome})" if call.outcome else ""
        return "reached", f"talked with the agent{what}"

    def _finish(self, attempt_id: int, outcome: str, reason: str) -> StatusResult:
        with self.db.transaction() as s:
            attempt = s.get(CampaignAttempt, attempt_id, with_for_update=True)
            if attempt is None or attempt.state not in LIVE_STATES:
                return StatusResult()
            retry_at = self._end(s, attempt, outcome, reason, self.clock.now())
            return StatusResult(True, retry_at, attempt.campaign_id)

    def _end(
        self, s: Session, attempt: CampaignAttempt, outcome: str, reason: str, now: datetime
    ) -> datetime | None:
        """End a live attempt with ``outcome``; schedule the next one if the policy says so."""
        attempt.outcome, attempt.reason, attempt.ended_at = outcome, reason, now
        attempt.claim = attempt.lease_until = None
        if outcome in ("reached", "reached-by-message"):
            self._move(s, attempt, "done", now, f"{outcome}: {reason}")
            return None
        camp = s.get(CampaignRow, attempt.campaign_id)
        assert camp is not None
        policy = RetryPolicy.from_json(camp.retry)
        delay = policy.next_try(outcome, attempt.number)
        if delay is None:
            rule = policy.rules.get(outcome) or policy.rules["failed"]
            self._move(
                s,
                attempt,
                "gave-up",
                now,
                f"{outcome}: {reason}; gave up after {attempt.number} of "
                f"{rule.max_attempts} attempts",
            )
            return None
        due = now + timedelta(seconds=delay)
        self._move(
            s,
            attempt,
            "retry-scheduled",
            now,
            f"{outcome}: {reason}; try {attempt.number + 1} due "
            f"{due.astimezone(_zone(camp)):%Y-%m-%d %H:%M %Z}",
        )
        s.flush()  # the live-person index: this attempt is over before the next one exists
        self._new_attempt(
            s,
            camp,
            attempt.person_id,
            attempt.round,
            attempt.number + 1,
            due,
            f"retry after {outcome}",
        )
        return due

    # -- time passing ------------------------------------------------------------------------

    def sweep(self, campaign_id: str | None = None) -> dict[str, int]:
        """Recover expired leases, begin weekly rounds, finish one-off campaigns.

        Run by the queue's periodic task (and by tests on a simulated clock).

        Returns:
            Counts: ``requeued`` (claims lost before dialing), ``failed`` (calls that never
            reported their end), ``rounds`` (new weekly rounds), ``finished`` (campaigns).
        """
        counts = Counter[str]()
        ids = [campaign_id] if campaign_id else self.running()
        for cid in ids:
            counts.update(self._sweep_leases(cid))
            counts.update(self._sweep_rounds(cid))
        return dict(counts)

    def _sweep_leases(self, campaign_id: str) -> Counter[str]:
        counts = Counter[str]()
        now = self.clock.now()
        with self.db.transaction() as s:
            expired = s.scalars(
                select(CampaignAttempt)
                .where(
                    CampaignAttempt.campaign_id == campaign_id,
                    CampaignAttempt.state.in_(_BUSY_STATES),
                    CampaignAttempt.lease_until < now,
                )
                .order_by(CampaignAttempt.id)  # one lock order for every sweeper
                .with_for_update()
            ).all()
            for attempt in expired:
                if attempt.state == "dialing" and attempt.dialed_at is None:
                    self._move(
                        s,
                        attempt,
                        "queued",
                        now,
                        "the dispatcher's claim expired before the call was placed",
                    )
                    attempt.claim = attempt.lease_until = None
                    counts["requeued"] += 1
                else:
                    what = (
                        "no status from the telephony provider"
                        if attempt.state == "dialing"
                        else "the call never reported its end"
                    )
                    self._end(s, attempt, "failed", what, now)
                    counts["failed"] += 1
        return counts

    def _sweep_rounds(self, campaign_id: str) -> Counter[str]:
        counts = Counter[str]()
        now = self.clock.now()
        with self.db.transaction() as s:
            camp = s.get(CampaignRow, campaign_id, with_for_update=True)
            if camp is None or camp.status != "running" or camp.starts_at is None:
                return counts
            if camp.recurrence == "weekly":
                next_start = camp.starts_at + timedelta(weeks=camp.current_round)
                if now >= next_start:
                    self._begin_round(s, camp, camp.current_round + 1, next_start, now)
                    counts["rounds"] += 1
            else:
                live = s.scalar(
                    select(func.count())
                    .select_from(CampaignAttempt)
                    .where(
                        CampaignAttempt.campaign_id == campaign_id,
                        CampaignAttempt.state.in_(LIVE_STATES),
                    )
                )
                if not live:
                    camp.status = "finished"
                    camp.updated_at = now
                    counts["finished"] += 1
        return counts

    def _begin_round(
        self, s: Session, camp: CampaignRow, number: int, start: datetime, now: datetime
    ) -> None:
        live = {
            a.person_id: a
            for a in s.scalars(
                select(CampaignAttempt)
                .where(
                    CampaignAttempt.campaign_id == camp.id,
                    CampaignAttempt.state.in_(LIVE_STATES),
                )
                .order_by(CampaignAttempt.id)
                .with_for_update()
            )
        }
        busy = {pid for pid, a in live.items() if a.state != "queued"}
        for attempt in live.values():
            if attempt.state == "queued":
                attempt.outcome, attempt.ended_at = "round-ended", now
                self._move(s, attempt, "gave-up", now, f"round {number} began before reaching them")
        s.flush()
        people = s.scalars(
            select(CampaignPerson.id).where(CampaignPerson.campaign_id == camp.id)
        ).all()
        for person_id in people:
            if person_id in busy:
                continue  # in a call right now: they get the next round
            self._new_attempt(s, camp, person_id, number, 1, start, f"round {number} (weekly)")
        camp.current_round = number
        camp.updated_at = now

    # -- reading -----------------------------------------------------------------------------

    def status(self, campaign_id: str) -> CampaignStatus:
        """People of the current round by their latest attempt's state, calls now, the next due."""
        campaign = self.get(campaign_id)
        now = self.clock.now()
        with self.db.session() as s:
            # each person's latest attempt of the round
            latest = (
                select(CampaignAttempt.person_id, func.max(CampaignAttempt.number).label("n"))
                .where(
                    CampaignAttempt.campaign_id == campaign_id,
                    CampaignAttempt.round == campaign.current_round,
                )
                .group_by(CampaignAttempt.person_id)
                .subquery()
            )
            rows = s.execute(
                select(CampaignAttempt.state, func.count())
                .join(
                    latest,
                    (latest.c.person_id == CampaignAttempt.person_id)
                    & (latest.c.n == CampaignAttempt.number),
                )
                .where(CampaignAttempt.round == campaign.current_round)
                .group_by(CampaignAttempt.state)
            ).all()
            next_due = s.scalar(
                select(func.min(CampaignAttempt.due_at)).where(
                    CampaignAttempt.campaign_id == campaign_id,
                    CampaignAttempt.state == "queued",
                )
            )
        states = {state: int(n) for state, n in rows}
        active = states.get("dialing", 0) + states.get("in-call", 0)
        why = None
        if campaign.status != "running":
            why = f"campaign is {campaign.status}"
        elif next_due is not None:
            why = campaign.schedule.why_not(now)
        return CampaignStatus(campaign, states, active, next_due, why)

    def history(self, campaign_id: str, phone_or_name: str | None = None) -> list[Transition]:
        """Every transition of the campaign's attempts (optionally one person's), in order."""
        with self.db.session() as s:
            query = select(CampaignTransition).where(CampaignTransition.campaign_id == campaign_id)
            if phone_or_name:
                ids = select(CampaignAttempt.id).join(
                    CampaignPerson, CampaignPerson.id == CampaignAttempt.person_id
                )
                ids = ids.where(
                    CampaignAttempt.campaign_id == campaign_id,
                    (CampaignPerson.phone == phone_or_name)
                    | (CampaignPerson.name == phone_or_name),
                )
                query = query.where(CampaignTransition.attempt_id.in_(ids))
            return [
                Transition(t.attempt_id, t.at, t.from_state, t.to_state, t.reason)
                for t in s.scalars(query.order_by(CampaignTransition.id))
            ]

    def report(self, campaign_id: str, round_: int | None = None) -> CampaignReport:
        """Each person's result in a round (default: the current one), with reasons and flags."""
        campaign = self.get(campaign_id)
        number = round_ if round_ is not None else campaign.current_round
        with self.db.session() as s:
            people = s.scalars(
                select(CampaignPerson)
                .where(CampaignPerson.campaign_id == campaign_id)
                .order_by(CampaignPerson.source_row, CampaignPerson.id)
            ).all()
            attempts: dict[int, list[CampaignAttempt]] = {}
            for a in s.scalars(
                select(CampaignAttempt)
                .where(CampaignAttempt.campaign_id == campaign_id, CampaignAttempt.round == number)
                .order_by(CampaignAttempt.number)
            ):
                attempts.setdefault(a.person_id, []).append(a)
            sids = [a.call_sid for group in attempts.values() for a in group if a.call_sid]
            flags: dict[str, FollowupFlag] = {}
            for chunk in _chunks(sids, 500):
                flags.update(
                    (f.call_id, f)
                    for f in s.scalars(select(FollowupFlag).where(FollowupFlag.call_id.in_(chunk)))
                )
            results = []
            for person in people:
                tries = attempts.get(person.id, [])
                if not tries:
                    continue
                open_flags = [
                    flags[a.call_sid]
                    for a in tries
                    if a.call_sid in flags and not flags[a.call_sid].resolved
                ]
                reasons = tuple(_attempt_line(a, campaign) for a in tries if a.outcome)
                last = tries[-1]
                results.append(
                    PersonResult(
                        person_id=person.id,
                        name=person.name,
                        phone=person.phone,
                        round=number,
                        result=_result(last),
                        attempts=sum(1 for a in tries if a.dialed_at or a.outcome),
                        reasons=reasons,
                        flagged=bool(open_flags),
                        flag_reasons=tuple(dict.fromkeys(r for f in open_flags for r in f.reasons)),
                        last_call=next((a.call_sid for a in reversed(tries) if a.call_sid), None),
                        ended_at=last.ended_at,
                    )
                )
        return CampaignReport(campaign, number, tuple(results))

    def export_csv(self, campaign_id: str, round_: int | None = None) -> str:
        """The report as CSV text (one row per person; UTF-8, Excel opens it with a BOM)."""
        report = self.report(campaign_id, round_)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "name",
                "phone",
                "round",
                "result",
                "attempts",
                "reasons",
                "flagged",
                "flag_reasons",
                "last_call",
                "ended_at",
            ]
        )
        for p in report.people:
            writer.writerow(
                [
                    p.name,
                    p.phone,
                    p.round,
                    p.result,
                    p.attempts,
                    " | ".join(p.reasons),
                    "yes" if p.flagged else "no",
                    " | ".join(p.flag_reasons),
                    p.last_call or "",
                    p.ended_at.isoformat() if p.ended_at else "",
                ]
            )
        return out.getvalue()

    # -- helpers -----------------------------------------------------------------------------

    def _lock(self, s: Session, campaign_id: str) -> CampaignRow:
        camp = s.get(CampaignRow, campaign_id, with_for_update=True)
        if camp is None:
            raise InputError(f"no campaign {campaign_id!r}{self._known(s)}")
        return camp

    @staticmethod
    def _known(s: Session) -> str:
        names = list(s.scalars(select(CampaignRow.id).order_by("id").limit(20)))
        return f" (known: {', '.join(names)})" if names else " (none yet: `aicall campaign create`)"

    @staticmethod
    def _record(s: Session, row: CampaignRow) -> Campaign:
        people = s.scalar(
            select(func.count())
            .select_from(CampaignPerson)
            .where(CampaignPerson.campaign_id == row.id)
        )
        return Campaign(
            id=row.id,
            scenario_id=row.scenario_id,
            language=row.language,
            region=row.region,
            caller_id=row.caller_id,
            status=row.status,
            max_concurrent=row.max_concurrent,
            schedule=Schedule.from_json(row.schedule),
            retry=RetryPolicy.from_json(row.retry),
            machine=MachinePolicy.from_json(row.machine),
            recurrence=row.recurrence,
            ring_timeout=row.ring_timeout,
            lease_seconds=row.lease_seconds,
            starts_at=row.starts_at,
            current_round=row.current_round,
            people=int(people or 0),
        )

    def _new_attempt(
        self,
        s: Session,
        camp: CampaignRow,
        person_id: int,
        round_: int,
        number: int,
        due: datetime,
        reason: str,
    ) -> CampaignAttempt:
        attempt = CampaignAttempt(
            campaign_id=camp.id,
            person_id=person_id,
            round=round_,
            number=number,
            state="queued",
            due_at=due,
            updated_at=self.clock.now(),
        )
        s.add(attempt)
        s.flush()
        s.add(
            CampaignTransition(
                attempt_id=attempt.id,
                campaign_id=camp.id,
                at=self.clock.now(),
                from_state=None,
                to_state="queued",
                reason=f"{reason}; due {due.astimezone(_zone(camp)):%Y-%m-%d %H:%M %Z}",
            )
        )
        return attempt

    def _move(
        self, s: Session, attempt: CampaignAttempt, state: str, now: datetime, reason: str
    ) -> None:
        s.add(
            CampaignTransition(
                attempt_id=attempt.id,
                campaign_id=attempt.campaign_id,
                at=now,
                from_state=attempt.state,
                to_state=state,
                reason=reason,
            )
        )
        attempt.state = state
        attempt.updated_at = now

    @staticmethod
    def _adopt(attempt: CampaignAttempt, call_sid: str | None) -> None:
        if call_sid and attempt.call_sid is None:
            attempt.call_sid = call_sid
            attempt.dialed_at = attempt.dialed_at or attempt.updated_at


def _zone(camp: CampaignRow) -> ZoneInfo:
    return ZoneInfo(str(camp.schedule.get("timezone") or "UTC"))


def _result(last: CampaignAttempt) -> str:
    if last.state == "done":
        return last.outcome or "reached"
    if last.state == "gave-up":
        return "gave-up"
    if last.state in _BUSY_STATES:
        return "calling"
    return "retrying" if last.number > 1 else "waiting"


def _attempt_line(attempt: CampaignAttempt, campaign: Campaign) -> str:
    when = attempt.ended_at or attempt.updated_at
    local = when.astimezone(campaign.schedule.zone) if when else None
    stamp = f"{local:%Y-%m-%d %H:%M}" if local else "?"
    return f"try {attempt.number} {stamp}: {attempt.outcome} ({attempt.reason or ''})"


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
