"""Retention and people's rights in the database: expired transcripts, one person's records.

:class:`CallRetention` finds the calls whose words are past their scenario's retention period
and removes those words (``call_events`` and ``voice_turns`` rows; the call's own row stays with
its status and outcome, without the caller's and callee's numbers). :class:`PersonRecords`
gathers everything stored about one person — calls from or to their number, their bookings,
their care-call answers and follow-up flags, with each call's events and voice turns — to
export it as JSON or to delete it. The files of those calls (JSON records, recordings) are the
agent's business: :mod:`agent.retention`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from agent.store.campaign_models import CampaignAttempt, CampaignPerson, CampaignTransition
from agent.store.db import Database
from agent.store.models import (
    Booking,
    CallEvent,
    CallRow,
    CareCallAnswers,
    CareCallPersonCall,
    FollowupFlag,
    FollowupFlagEvent,
    VoiceTurn,
)
from common.errors import InputError
from common.pii_recognizers import national_phone

__all__ = ["CallRetention", "ExpiredCall", "PersonData", "PersonRecords", "phone_key"]


def phone_key(number: str | None) -> str | None:
    """A number's national digits (``+82 10-1234-5678`` → ``01012345678``), ``None`` if none."""
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    return national_phone(digits) if len(digits) >= 7 else None


@dataclass(frozen=True)
class ExpiredCall:
    """A call past its scenario's retention period that still holds words.

    Attributes:
        id: the call.
        scenario_id: its scenario.
        started_at: when it started (aware, UTC).
        events: its stored dialogue events.
        turns: its stored voice turns.
    """

    id: str
    scenario_id: str
    started_at: datetime
    events: int
    turns: int


class CallRetention:
    """Finds and purges the words of calls past their retention period.

    Args:
        db: the shared database handle.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def expired(self, cutoffs: Mapping[str, datetime]) -> list[ExpiredCall]:
        """Ended calls started before their scenario's cutoff that still hold words or numbers.

        Args:
            cutoffs: scenario id → the instant before which its calls expire (aware or naive
                UTC); scenarios not named keep everything.
        """
        if not cutoffs:
            return []
        events = (
            select(CallEvent.call_id, func.count().label("n"))
            .group_by(CallEvent.call_id)
            .subquery()
        )
        turns = (
            select(VoiceTurn.call_id, func.count().label("n"))
            .group_by(VoiceTurn.call_id)
            .subquery()
        )
        expiry = or_(
            *(
                (CallRow.scenario_id == scenario) & (CallRow.started_at < cutoff)
                for scenario, cutoff in cutoffs.items()
            )
        )
        query = (
            select(
                CallRow.id,
                CallRow.scenario_id,
                CallRow.started_at,
                func.coalesce(events.c.n, 0),
                func.coalesce(turns.c.n, 0),
            )
            .outerjoin(events, events.c.call_id == CallRow.id)
            .outerjoin(turns, turns.c.call_id == CallRow.id)
            .where(expiry, CallRow.ended_at.is_not(None))
            .where(
                (events.c.n > 0)
                | (turns.c.n > 0)
                | CallRow.caller.is_not(None)
                | CallRow.callee.is_not(None)
            )
            .order_by(CallRow.started_at, CallRow.id)
        )
        with self._db.session() as session:
            return [
                ExpiredCall(id=i, scenario_id=s, started_at=t, events=int(e), turns=int(n))
                for i, s, t, e, n in session.execute(query)
            ]

    def purge(self, call_ids: Iterable[str]) -> tuple[int, int]:
        """Remove the calls' events and voice turns and blank their numbers (atomic).

        Returns:
            (events removed, voice turns removed).
        """
        ids = list(call_ids)
        if not ids:
            return 0, 0
        with self._db.transaction() as session:
            events = session.execute(delete(CallEvent).where(CallEvent.call_id.in_(ids)))
            turns = session.execute(delete(VoiceTurn).where(VoiceTurn.call_id.in_(ids)))
            session.execute(
                update(CallRow).where(CallRow.id.in_(ids)).values(caller=None, callee=None)
            )
            return _rowcount(events), _rowcount(turns)

    def started_before(self, cutoffs: Mapping[str, datetime], call_ids: Iterable[str]) -> set[str]:
        """Which of ``call_ids`` started before their scenario's cutoff (for their files)."""
        ids = list(call_ids)
        if not ids or not cutoffs:
            return set()
        query = select(CallRow.id, CallRow.scenario_id, CallRow.started_at).where(
            CallRow.id.in_(ids)
        )
        with self._db.session() as session:
            return {
                call_id
                for call_id, scenario, started in session.execute(query)
                if scenario in cutoffs and started < _aware(cutoffs[scenario])
            }


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


@dataclass
class PersonData:
    """Everything stored about one person (JSON-ready values).

    Attributes:
        person: as asked for (a phone number or the name a care call or booking used).
        calls: the calls, each with its ``events`` and ``voice_turns``.
        bookings: their bookings.
        carecall_answers: their care-call answers.
        followup_flags: their follow-up flags.
        followup_flag_events: what staff did with those flags (closed, by whom, notes).
        carecall_person_calls: who each care call was for, and what it referred back to.
        campaign_people: their rows in campaign lists, each with its ``attempts`` (and each
            attempt's ``transitions``).
    """

    person: str
    calls: list[dict[str, Any]] = field(default_factory=list)
    bookings: list[dict[str, Any]] = field(default_factory=list)
    carecall_answers: list[dict[str, Any]] = field(default_factory=list)
    followup_flags: list[dict[str, Any]] = field(default_factory=list)
    followup_flag_events: list[dict[str, Any]] = field(default_factory=list)
    carecall_person_calls: list[dict[str, Any]] = field(default_factory=list)
    campaign_people: list[dict[str, Any]] = field(default_factory=list)

    @property
    def call_ids(self) -> list[str]:
        """The ids of their calls."""
        return [c["id"] for c in self.calls]

    def empty(self) -> bool:
        """Nothing is stored about them."""
        return not (
            self.calls
            or self.bookings
            or self.carecall_answers
            or self.followup_flags
            or self.carecall_person_calls
            or self.campaign_people
        )


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs if c.key not in skip}


class PersonRecords:
    """One person's records: gathered for an export, or deleted.

    A person is named by a phone number (their calls as caller or callee, their bookings) or
    by the name a care call or a booking used (exactly as stored); calls linked to their
    bookings and answers come with them.

    Args:
        db: the shared database handle.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def collect(self, person: str) -> PersonData:
        """Everything stored about ``person``.

        Raises:
            InputError: ``person`` is empty.
            StoreUnavailableError: the database failed.
        """
        with self._db.session() as session:
            return self._collect(session, person)

    def delete(self, person: str) -> PersonData:
        """Delete everything stored about ``person`` (atomic) and return what was deleted."""
        with self._db.transaction() as session:
            data = self._collect(session, person)
            ids = data.call_ids
            if ids:
                session.execute(delete(CallEvent).where(CallEvent.call_id.in_(ids)))
                session.execute(delete(VoiceTurn).where(VoiceTurn.call_id.in_(ids)))
            booking_ids = [b["id"] for b in data.bookings]
            if booking_ids:
                session.execute(delete(Booking).where(Booking.id.in_(booking_ids)))
            answer_ids = [a["id"] for a in data.carecall_answers]
            if answer_ids:
                session.execute(delete(CareCallAnswers).where(CareCallAnswers.id.in_(answer_ids)))
            flag_ids = [f["id"] for f in data.followup_flags]
            if flag_ids:
                session.execute(delete(FollowupFlag).where(FollowupFlag.id.in_(flag_ids)))
            event_ids = [e["id"] for e in data.followup_flag_events]
            if event_ids:
                session.execute(
                    delete(FollowupFlagEvent).where(FollowupFlagEvent.id.in_(event_ids))
                )
            person_calls = [p["call_id"] for p in data.carecall_person_calls]
            if person_calls:
                session.execute(
                    delete(CareCallPersonCall).where(CareCallPersonCall.call_id.in_(person_calls))
                )
            if ids:
                session.execute(delete(CallRow).where(CallRow.id.in_(ids)))
            people = [p["id"] for p in data.campaign_people]
            if people:
                attempts = select(CampaignAttempt.id).where(CampaignAttempt.person_id.in_(people))
                session.execute(
                    delete(CampaignTransition).where(CampaignTransition.attempt_id.in_(attempts))
                )
                session.execute(
                    delete(CampaignAttempt).where(CampaignAttempt.person_id.in_(people))
                )
                session.execute(delete(CampaignPerson).where(CampaignPerson.id.in_(people)))
            return data

    def _collect(self, session: Session, person: str) -> PersonData:
        person = person.strip()
        if not person:
            raise InputError("name a person: a phone number or the name their calls used")
        key = phone_key(person)
        data = PersonData(person=person)
        bookings = select(Booking).where(Booking.name == person)
        if key is not None:
            bookings = select(Booking).where(or_(Booking.name == person, Booking.phone == key))
        data.bookings = [_row(b) for b in session.scalars(bookings.order_by(Booking.id))]
        ids = {b["call_id"] for b in data.bookings if b.get("call_id")}
        named = select(CareCallPersonCall).where(
            or_(CareCallPersonCall.person == person, CareCallPersonCall.person_id == person)
        )
        ids.update(row.call_id for row in session.scalars(named))
        for model in (CareCallAnswers, FollowupFlag):
            ids.update(session.scalars(select(model.call_id).where(model.person == person)))
        if key is not None:
            tail = key[-4:]  # stored as given ("+82 10-1111-2222"): compared below
            numbered = select(CallRow).where(
                or_(CallRow.caller.contains(tail), CallRow.callee.contains(tail))
            )
            for row in session.scalars(numbered):
                if key in (phone_key(row.caller), phone_key(row.callee)):
                    ids.add(row.id)
            by_id = select(CareCallPersonCall).where(CareCallPersonCall.person_id.contains(tail))
            ids.update(r.call_id for r in session.scalars(by_id) if phone_key(r.person_id) == key)
        data.carecall_answers = [
            _row(a)
            for a in session.scalars(
                select(CareCallAnswers)
                .where(or_(CareCallAnswers.person == person, CareCallAnswers.call_id.in_(ids)))
                .order_by(CareCallAnswers.id)
            )
        ]
        data.followup_flags = [
            _row(f)
            for f in session.scalars(
                select(FollowupFlag)
                .where(or_(FollowupFlag.person == person, FollowupFlag.call_id.in_(ids)))
                .order_by(FollowupFlag.id)
            )
        ]
        data.followup_flag_events = [
            _row(e)
            for e in session.scalars(
                select(FollowupFlagEvent)
                .where(FollowupFlagEvent.call_id.in_(ids))
                .order_by(FollowupFlagEvent.id)
            )
        ]
        data.carecall_person_calls = [
            _row(p)
            for p in session.scalars(
                select(CareCallPersonCall)
                .where(CareCallPersonCall.call_id.in_(ids))
                .order_by(CareCallPersonCall.called_at)
            )
        ]
        rows = session.scalars(
            select(CallRow).where(CallRow.id.in_(ids)).order_by(CallRow.started_at, CallRow.id)
        )
        for row in rows:
            call = _row(row)
            call["events"] = [
                _row(e, skip=("id", "call_id"))
                for e in session.scalars(
                    select(CallEvent).where(CallEvent.call_id == row.id).order_by(CallEvent.seq)
                )
            ]
            call["voice_turns"] = [
                _row(t, skip=("id", "call_id"))
                for t in session.scalars(
                    select(VoiceTurn).where(VoiceTurn.call_id == row.id).order_by(VoiceTurn.seq)
                )
            ]
            data.calls.append(call)
        data.campaign_people = _campaign_people(session, person, key)
        return data


def _campaign_people(session: Session, person: str, key: str | None) -> list[dict[str, Any]]:
    """``person``'s rows in campaign lists (by name, or by number: stored as E.164)."""
    query = select(CampaignPerson).where(CampaignPerson.name == person)
    if key is not None:
        query = select(CampaignPerson).where(
            or_(CampaignPerson.name == person, CampaignPerson.phone.contains(key[-4:]))
        )
    found = []
    for row in session.scalars(query.order_by(CampaignPerson.id)):
        if row.name != person and phone_key(row.phone) != key:
            continue
        entry = _row(row)
        attempts = select(CampaignAttempt).where(CampaignAttempt.person_id == row.id)
        entry["attempts"] = []
        for attempt in session.scalars(attempts.order_by(CampaignAttempt.id)):
            transitions = select(CampaignTransition).where(
                CampaignTransition.attempt_id == attempt.id
            )
            entry["attempts"].append(
                {
                    **_row(attempt),
                    "transitions": [
                        _row(t, skip=("attempt_id",))
                        for t in session.scalars(transitions.order_by(CampaignTransition.id))
                    ],
                }
            )
        found.append(entry)
    return found
