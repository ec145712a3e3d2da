"""Dispatch under concurrency and crashes, on SQLite and PostgreSQL: the cap is never exceeded,
nobody is called twice at once, a dispatcher that dies loses nobody and double-calls nobody."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from agent.campaigns import Campaigns, FixedClock, RetryPolicy, RetryRule, Schedule
from agent.store import Database
from agent.store.campaign_models import CampaignAttempt
from common.errors import StoreUnavailableError
from telephony.twilio.outbound import OutboundCall, PlacedCall
from tests.campaigns.conftest import (
    RecordingDialer,
    advance_to,
    korean_people,
    kst,
    setup_campaign,
)


class LineWatcher(RecordingDialer):
    """A dialer that knows which calls are on the line, and the most there ever were."""

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[str, str] = {}  # sid -> number
        self.most = 0
        self.twice: list[str] = []
        self.lock = threading.Lock()

    def place(self, call: OutboundCall) -> PlacedCall:
        placed = super().place(call)
        with self.lock:
            if call.to in self.live.values():
                self.twice.append(call.to)
            self.live[placed.sid] = call.to
            self.most = max(self.most, len(self.live))
        return placed

    def hang_up(self, sid: str) -> None:
        with self.lock:
            self.live.pop(sid, None)


def test_many_dispatchers_never_exceed_the_cap_nor_call_anyone_twice_at_once(
    any_db: Database, tmp_path: Path
) -> None:
    clock = FixedClock(kst(21, 10))
    setup = Campaigns(any_db, clock)
    retry = RetryPolicy(
        {k: RetryRule(0, 1.0, 3) for k in ("no-answer", "busy", "failed", "voicemail")}
    )
    cap, people = 3, 12
    setup_campaign(setup, tmp_path, korean_people(people), max_concurrent=cap, retry=retry)
    line = LineWatcher()
    stop = threading.Event()
    errors: list[BaseException] = []
    rng = random.Random(13)

    def dispatcher(n: int) -> None:
        campaigns = Campaigns(any_db, clock, worker=f"d{n}")
        try:
            while not stop.is_set():
                claims = campaigns.claim_due("test")
                for claim in claims:
                    campaigns.place(claim, line)
                if not claims:
                    stop.wait(0.002)
        except BaseException as e:  # reported below
            errors.append(e)

    def telephone() -> None:
        campaigns = Campaigns(any_db, clock, worker="twilio")
        try:
            while not stop.is_set():
                with line.lock:
                    calls = list(line.live)
                if not calls:
                    stop.wait(0.002)
                    continue
                sid = rng.choice(calls)
                attempt = _attempt_of(any_db, sid)
                if attempt is None:  # placed, its SID not stored yet
                    continue
                status = rng.choice(["no-answer", "busy", "failed", "completed-by-message"])
                line.hang_up(sid)  # the line is free before Twilio reports it
                if status == "completed-by-message":
                    campaigns.on_answer(attempt, sid, "machine_end_beep")
                    status = "completed"
                campaigns.on_status(attempt, sid, status)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=dispatcher, args=(n,)) for n in range(4)]
    threads.append(threading.Thread(target=telephone))
    for t in threads:
        t.start()
    try:
        for _ in range(600):  # bounded: at most ~60 s
            if setup.sweep("test").get("finished") or errors:
                break
            stop.wait(0.1)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not errors, errors
    assert setup.get("test").status == "finished"
    assert line.twice == []
    assert 1 <= line.most <= cap
    report = setup.report("test")
    assert report.totals["people"] == people
    assert report.totals["pending"] == 0
    per_number: dict[str, int] = {}
    for call in line.calls:
        per_number[call.to] = per_number.get(call.to, 0) + 1
    for person in report.people:
        assert per_number[person.phone] == person.attempts <= 3
        assert person.result in ("gave-up", "reached-by-message")


def _attempt_of(db: Database, sid: str) -> int | None:
    with db.session() as s:
        return s.query(CampaignAttempt.id).filter_by(call_sid=sid).scalar()


def test_a_dispatcher_killed_before_placing_loses_nobody(any_db: Database, tmp_path: Path) -> None:
    clock = FixedClock(kst(21, 10))
    campaigns = Campaigns(any_db, clock, worker="first")
    setup_campaign(campaigns, tmp_path, korean_people(2), lease_seconds=120)
    dead = campaigns.claim_due("test")  # this dispatcher is killed now: nothing placed
    assert len(dead) == 2
    other = Campaigns(any_db, clock, worker="second")
    assert other.claim_due("test") == []  # claimed, leased: nobody takes them yet
    advance_to(clock, kst(21, 10, 2) + timedelta(seconds=1))
    assert other.sweep("test") == {"requeued": 2}
    line = RecordingDialer()
    again = other.claim_due("test")
    assert {c.attempt_id for c in again} == {c.attempt_id for c in dead}
    for claim in dead:  # the dead dispatcher's tasks, redelivered late: they place nothing
        assert campaigns.place(claim, line) is None
    for claim in again:
        assert other.place(claim, line) is not None
    assert sorted(c.to for c in line.calls) == ["+821010000000", "+821010000001"]
    reasons = [t.reason for t in other.history("test") if t.to_state == "queued"]
    assert any("claim expired before the call was placed" in r for r in reasons)


class Killed(BaseException):
    """The dispatcher process dies (kill -9) right after Twilio accepted the call."""


class DiesAfterPlacing(RecordingDialer):
    def place(self, call: OutboundCall) -> PlacedCall:
        super().place(call)
        raise Killed


def test_a_dispatcher_killed_after_placing_double_calls_nobody(
    any_db: Database, tmp_path: Path
) -> None:
    clock = FixedClock(kst(21, 10))
    campaigns = Campaigns(any_db, clock)
    setup_campaign(campaigns, tmp_path, korean_people(1), lease_seconds=60)
    (claim,) = campaigns.claim_due("test")
    dying = DiesAfterPlacing()
    with pytest.raises(Killed):
        campaigns.place(claim, dying)
    (placed,) = dying.calls
    assert placed.attempt == str(claim.attempt_id)  # Twilio's callbacks will name it
    # the call was placed but its SID never stored: the sweep must not queue it again
    advance_to(clock, kst(21, 10, 1))
    assert campaigns.sweep("test") == {}
    assert campaigns.claim_due("test") == []
    # Twilio's callbacks carry the attempt: the call is adopted and ends normally
    sid = "CA" + "f" * 32
    campaigns.on_status(claim.attempt_id, sid, "ringing")
    assert campaigns.on_answer(claim.attempt_id, sid, "human").kind == "stream"
    assert campaigns.status("test").states == {"in-call": 1}
    campaigns.on_status(claim.attempt_id, sid, "busy")
    (person,) = campaigns.report("test").people
    assert person.last_call == sid and person.attempts == 1


def test_a_placed_call_that_never_reports_back_is_failed_after_its_lease(
    sqlite_db: Database, tmp_path: Path
) -> None:
    clock = FixedClock(kst(21, 10))
    campaigns = Campaigns(sqlite_db, clock)
    retry = RetryPolicy().with_rules({"failed": RetryRule(600, 1.0, 2)})
    setup_campaign(campaigns, tmp_path, korean_people(1), lease_seconds=60, retry=retry)
    (claim,) = campaigns.claim_due("test")
    assert campaigns.place(claim, RecordingDialer()) is not None
    advance_to(clock, kst(21, 10, 1))  # within ring timeout + lease: waiting for Twilio
    assert campaigns.sweep("test") == {}
    advance_to(clock, kst(21, 10, 2))
    assert campaigns.sweep("test") == {"failed": 1}
    (person,) = campaigns.report("test").people
    assert person.result == "retrying"
    assert "no status from the telephony provider" in person.reasons[0]


def test_the_database_refuses_a_second_live_attempt_for_one_person(
    any_db: Database, tmp_path: Path
) -> None:
    clock = FixedClock(kst(21, 10))
    campaigns = Campaigns(any_db, clock)
    setup_campaign(campaigns, tmp_path, korean_people(1))
    with any_db.session() as s:
        first = s.query(CampaignAttempt).one()
        values = {"campaign_id": first.campaign_id, "person_id": first.person_id}
    with pytest.raises(StoreUnavailableError), any_db.transaction() as s:
        s.add(CampaignAttempt(**values, round=1, number=2, state="queued", due_at=clock.now()))


def test_a_twilio_outage_puts_the_claim_back_in_the_queue(
    campaigns: Campaigns, clock: FixedClock, tmp_path: Path
) -> None:
    from common.errors import BackendUnavailableError

    class Down(RecordingDialer):
        def place(self, call: OutboundCall) -> PlacedCall:
            raise BackendUnavailableError("Twilio's API is unreachable: connection refused")

    setup_campaign(campaigns, tmp_path, korean_people(1), schedule=Schedule(holidays=None))
    advance_to(clock, kst(21, 10))
    (claim,) = campaigns.claim_due("test")
    assert campaigns.place(claim, Down()) is None
    assert campaigns.status("test").states == {"queued": 1}
    assert campaigns.claim_due("test") == []  # retried a minute later
    advance_to(clock, kst(21, 10, 1))
    assert len(campaigns.claim_due("test")) == 1
