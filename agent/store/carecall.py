"""Care-call answers and follow-up flags, the person's history, and the report an operator lists.

One answers row and at most one flag row per call: re-recording a call's answers replaces them,
raising a flag again adds the new reasons to the call's flag (and re-opens it if resolved).
A flag stays open until a staff member closes it (:meth:`SqlCareCallRecorder.close_flag`: who,
when, a note); every change of a flag is kept as an event (raised, reasons added, reopened,
closed). Each care call is linked to its person's id when it starts
(:meth:`SqlCareCallRecorder.link_call`), so a person's calls, answers and flags read back in order
(:meth:`SqlCareCallRecorder.history`) and the next call can refer back to the last answers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from agent.store.db import Database
from agent.store.models import (
    CareCallAnswers,
    CareCallPersonCall,
    FollowupFlag,
    FollowupFlagEvent,
    utcnow,
)
from common.errors import InputError
from dialogue.memory import PastCall
from dialogue.ports import CareCallRecorder

__all__ = ["CareCallResult", "FlagEvent", "FlagRecord", "PersonCall", "SqlCareCallRecorder"]

_FlagTables = type[CareCallAnswers] | type[FollowupFlag] | type[CareCallPersonCall]


@dataclass(frozen=True)
class CareCallResult:
    """One care call's result, for listings and reports.

    Attributes:
        person: who was called.
        call_id: the call.
        scenario_id: the care-call scenario.
        answers: the structured answers (empty if none were recorded).
        flagged: an unresolved follow-up flag exists for this call.
        reasons: the flag's reasons, in the order they were raised (empty if never flagged).
        when: when the answers were recorded, or else when the flag was raised (aware, UTC).
    """

    person: str
    call_id: str
    scenario_id: str
    answers: Mapping[str, Any]
    flagged: bool
    reasons: tuple[str, ...]
    when: datetime


@dataclass(frozen=True)
class FlagEvent:
    """One change of a follow-up flag.

    Attributes:
        kind: ``raised``, ``reasons_added``, ``reopened`` or ``closed``.
        at: when (aware, UTC).
        by: the staff member who closed it (``None`` for the agent's own changes).
        note: the staff member's note, if any.
        reasons: the reasons raised or added (empty for a closure).
    """

    kind: str
    at: datetime
    by: str | None
    note: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class FlagRecord:
    """A follow-up flag of one call.

    Attributes:
        id: the flag's number (``aicall carecall close ID``).
        call_id: the call that raised it.
        scenario_id: the call's scenario.
        person: the person's name; person_id: the person's id (the name for older calls).
        reasons: why a human should call back, in the order raised.
        raised_at: when it was first raised (aware, UTC).
        open: not closed yet.
        closed_by, closed_at, note: the last closure, while closed.
        events: its changes, oldest first.
    """

    id: int
    call_id: str
    scenario_id: str
    person: str
    person_id: str
    reasons: tuple[str, ...]
    raised_at: datetime
    open: bool
    closed_by: str | None = None
    closed_at: datetime | None = None
    note: str | None = None
    events: tuple[FlagEvent, ...] = ()


@dataclass(frozen=True)
class PersonCall:
    """One care call in a person's history.

    Attributes:
        call_id: the call.
        scenario_id: its scenario.
        person: the name; person_id: the person's id.
        when: when the call took place (its clock; for older calls, when answers were stored).
        answers: the answers recorded (empty when none).
        recalled: per follow-up slot, the earlier answer the call referred back to.
        flag: the call's follow-up flag, if one was raised.
    """

    call_id: str
    scenario_id: str
    person: str
    person_id: str
    when: datetime
    answers: Mapping[str, Any]
    recalled: Mapping[str, Any]
    flag: FlagRecord | None

    def as_past(self) -> PastCall:
        """The call as the memory between calls reads it."""
        return PastCall(self.call_id, self.when, self.answers, self.scenario_id)


class SqlCareCallRecorder:
    """Implements :class:`dialogue.ports.CareCallRecorder` over a :class:`Database`.

    Args:
        db: the shared database handle.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def record_answers(
        self, call_id: str, scenario_id: str, person: str, answers: Mapping[str, Any]
    ) -> None:
        """Store (or replace) the structured answers of one care call.

        Args:
            call_id: the call.
            scenario_id: the care-call scenario.
            person: who was called.
            answers: question key to answer; JSON values only (dates as ISO text).

        Raises:
            InputError: the answers are not JSON-serialisable.
            StoreUnavailableError: the database failed.
        """
        values = dict(answers)
        try:
            json.dumps(values, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise InputError(f"answers of call {call_id!r} are not JSON-serialisable: {e}") from e
        stmt = self._insert(CareCallAnswers).values(
            call_id=call_id,
            scenario_id=scenario_id,
            person=person,
            answers=values,
            recorded_at=utcnow(),
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[CareCallAnswers.call_id],
            set_={
                "scenario_id": stmt.excluded.scenario_id,
                "person": stmt.excluded.person,
                "answers": stmt.excluded.answers,
                "recorded_at": stmt.excluded.recorded_at,
            },
        )
        with self._db.transaction() as session:
            session.execute(stmt)

    def raise_flag(
        self, call_id: str, scenario_id: str, person: str, reasons: Sequence[str]
    ) -> None:
        """Flag ``person`` for human follow-up with the reasons.

        Raising a flag for a call that has one adds the new reasons (no duplicates) and
        re-opens it if it was resolved.

        Args:
            call_id: the call.
            scenario_id: the care-call scenario.
            person: who was called.
            reasons: why a human should call back (e.g. "reports chest pain").

        Raises:
            InputError: no reasons, or a reason is not text.
            StoreUnavailableError: the database failed.
        """
        if isinstance(reasons, str) or not all(isinstance(r, str) for r in reasons):
            raise InputError("reasons must be a sequence of strings")
        new = list(dict.fromkeys(reasons))
        if not new:
            raise InputError(f"a follow-up flag for call {call_id!r} needs at least one reason")
        insert = (
            self._insert(FollowupFlag)
            .values(
                call_id=call_id,
                scenario_id=scenario_id,
                person=person,
                reasons=new,
                created_at=utcnow(),
                resolved=False,
            )
            .on_conflict_do_nothing(index_elements=[FollowupFlag.call_id])
            .returning(FollowupFlag.id)
        )
        with self._db.transaction() as session:
            created = session.execute(insert).scalar_one_or_none() is not None
            # The row exists now (ours or an earlier one); lock it and merge the reasons.
            row = session.scalars(
                select(FollowupFlag).where(FollowupFlag.call_id == call_id).with_for_update()
            ).one()
            if created:
                self._event(session, call_id, "raised", reasons=new)
                return
            merged = list(dict.fromkeys([*row.reasons, *new]))
            added = [r for r in merged if r not in row.reasons]
            if row.resolved:
                self._event(session, call_id, "reopened", reasons=added)
            elif added:
                self._event(session, call_id, "reasons_added", reasons=added)
            if merged != row.reasons or row.resolved:
                row.reasons = merged
                row.resolved = False

    def resolve_flag(self, call_id: str) -> bool:
        """Mark a call's follow-up flag as handled.

        Returns:
            Whether the call had an open flag.

        Raises:
            StoreUnavailableError: the database failed.
        """
        with self._db.transaction() as session:
            row = session.scalars(
                select(FollowupFlag).where(FollowupFlag.call_id == call_id).with_for_update()
            ).one_or_none()
            if row is None or row.resolved:
                return False
            row.resolved = True
            self._event(session, call_id, "closed")
            return True

    def close_flag(self, flag: int | str, *, by: str, note: str | None = None) -> FlagRecord:
        """A staff member closes a follow-up flag (it stays open until then).

        Args:
            flag: the flag's number, or the id of the call that raised it.
            by: who closes it (required).
            note: what was done ("called back, knee better").

        Returns:
            The flag as closed.

        Raises:
            InputError: no such flag, no name, or the flag is closed already (by whom, when).
            StoreUnavailableError: the database failed.
        """
        by = by.strip() if isinstance(by, str) else ""
        if not by:
            raise InputError("closing a flag needs the name of who closes it (--by NAME)")
        if len(by) > 200:
            raise InputError("the name of who closes a flag is at most 200 characters")
        note = note.strip() or None if note is not None else None
        where = (
            FollowupFlag.id == int(flag)
            if isinstance(flag, int) or str(flag).isdigit()
            else FollowupFlag.call_id == str(flag)
        )
        with self._db.transaction() as session:
            row = session.scalars(select(FollowupFlag).where(where).with_for_update()).one_or_none()
            if row is None:
                raise InputError(f"no follow-up flag {flag!r} (aicall carecall flags lists them)")
            if row.resolved:
                last = self._events(session, [row.call_id]).get(row.call_id, [])
                closed = next((e for e in reversed(last) if e.kind == "closed"), None)
                who = f" by {closed.by}" if closed and closed.by else ""
                when = f" on {closed.at:%Y-%m-%d %H:%M} UTC" if closed else ""
                raise InputError(f"flag {row.id} is closed already{who}{when}")
            row.resolved = True
            self._event(session, row.call_id, "closed", by=by, note=note)
            session.flush()
            return self._flag_records(session, [row])[0]

    def flags(self, *, open_only: bool = True, person_id: str | None = None) -> list[FlagRecord]:
        """Follow-up flags, oldest first: the open ones (default) or all, of one person or all.

        Raises:
            StoreUnavailableError: the database failed.
        """
        query = select(FollowupFlag).order_by(FollowupFlag.created_at, FollowupFlag.id)
        if open_only:
            query = query.where(FollowupFlag.resolved.is_(False))
        with self._db.session() as session:
            records = self._flag_records(session, list(session.scalars(query)))
        if person_id is not None:
            records = [r for r in records if r.person_id == person_id]
        return records

    def link_call(
        self,
        call_id: str,
        *,
        person_id: str,
        person: str,
        scenario_id: str,
        called_at: datetime,
        recalled: Mapping[str, Any] | None = None,
    ) -> None:
        """Record who a care call is for, when it takes place and what it refers back to.

        Linking a call again keeps the first link (a retried start stores nothing twice).

        Raises:
            InputError: an empty person id, or ``recalled`` is not JSON.
            StoreUnavailableError: the database failed.
        """
        if not person_id or not person_id.strip():
            raise InputError(f"call {call_id!r}: a care call needs a person id")
        values = dict(recalled or {})
        try:
            json.dumps(values, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise InputError(f"what call {call_id!r} recalled is not JSON: {e}") from e
        stmt = (
            self._insert(CareCallPersonCall)
            .values(
                call_id=call_id,
                person_id=person_id.strip()[:200],
                person=(person or person_id)[:200],
                scenario_id=scenario_id,
                called_at=called_at,
                recalled=values,
            )
            .on_conflict_do_nothing(index_elements=[CareCallPersonCall.call_id])
        )
        with self._db.transaction() as session:
            session.execute(stmt)

    def history(self, person_id: str, *, by_name: bool = True) -> list[PersonCall]:
        """A person's care calls with their answers and flags, oldest first.

        With ``by_name``, answers stored before calls were linked to a person id are found by
        the person's name (a scan of ``carecall_answers``, which has no index on the name).

        Raises:
            StoreUnavailableError: the database failed.
        """
        with self._db.session() as session:
            linked = list(
                session.scalars(
                    select(CareCallPersonCall).where(CareCallPersonCall.person_id == person_id)
                )
            )
            unlinked = (
                list(
                    session.scalars(
                        select(CareCallAnswers).where(
                            CareCallAnswers.person == person_id,
                            CareCallAnswers.call_id.not_in(select(CareCallPersonCall.call_id)),
                        )
                    )
                )
                if by_name
                else []
            )
            ids = [r.call_id for r in linked] + [r.call_id for r in unlinked]
            answers = {
                r.call_id: r
                for r in session.scalars(
                    select(CareCallAnswers).where(CareCallAnswers.call_id.in_(ids))
                )
            }
            flag_rows = list(
                session.scalars(select(FollowupFlag).where(FollowupFlag.call_id.in_(ids)))
            )
            flags = {f.call_id: f for f in self._flag_records(session, flag_rows)}
            calls = [
                PersonCall(
                    call_id=r.call_id,
                    scenario_id=r.scenario_id,
                    person=r.person,
                    person_id=r.person_id,
                    when=r.called_at,
                    answers=dict(answers[r.call_id].answers) if r.call_id in answers else {},
                    recalled=dict(r.recalled or {}),
                    flag=flags.get(r.call_id),
                )
                for r in linked
            ]
            calls += [
                PersonCall(
                    call_id=a.call_id,
                    scenario_id=a.scenario_id,
                    person=a.person,
                    person_id=person_id,
                    when=a.recorded_at,
                    answers=dict(a.answers),
                    recalled={},
                    flag=flags.get(a.call_id),
                )
                for a in unlinked
            ]
        calls.sort(key=lambda c: (c.when, c.call_id))
        return calls

    def past_calls(self, person_id: str, before: datetime | None = None) -> list[PastCall]:
        """A person's earlier linked calls with answers, newest first (the next call's memory).

        Index reads only (``carecall_person_calls`` by person and time, the rest by call id).

        Raises:
            StoreUnavailableError: the database failed.
        """
        calls = [
            c.as_past()
            for c in self.history(person_id, by_name=False)
            if c.answers and (before is None or c.when < before)
        ]
        calls.reverse()
        return calls

    def people(self) -> list[str]:
        """The ids of every person with a linked care call, sorted.

        Raises:
            StoreUnavailableError: the database failed.
        """
        with self._db.session() as session:
            return sorted(set(session.scalars(select(CareCallPersonCall.person_id).distinct())))

    def _event(
        self,
        session: Session,
        call_id: str,
        kind: str,
        *,
        by: str | None = None,
        note: str | None = None,
        reasons: Sequence[str] = (),
    ) -> None:
        session.add(
            FollowupFlagEvent(
                call_id=call_id, kind=kind, at=utcnow(), by=by, note=note, reasons=list(reasons)
            )
        )

    def _events(self, session: Session, call_ids: Sequence[str]) -> dict[str, list[FlagEvent]]:
        out: dict[str, list[FlagEvent]] = {}
        if not call_ids:
            return out
        rows = session.scalars(
            select(FollowupFlagEvent)
            .where(FollowupFlagEvent.call_id.in_(list(call_ids)))
            .order_by(FollowupFlagEvent.id)
        )
        for e in rows:
            out.setdefault(e.call_id, []).append(
                FlagEvent(e.kind, e.at, e.by, e.note, tuple(e.reasons or ()))
            )
        return out

    def _flag_records(self, session: Session, rows: Sequence[FollowupFlag]) -> list[FlagRecord]:
        ids = [r.call_id for r in rows]
        events = self._events(session, ids)
        people = (
            {
                p.call_id: p.person_id
                for p in session.scalars(
                    select(CareCallPersonCall).where(CareCallPersonCall.call_id.in_(ids))
                )
            }
            if ids
            else {}
        )
        records = []
        for r in rows:
            history = tuple(events.get(r.call_id, []))
            closed = next((e for e in reversed(history) if e.kind == "closed"), None)
            if not r.resolved:
                closed = None
            records.append(
                FlagRecord(
                    id=r.id,
                    call_id=r.call_id,
                    scenario_id=r.scenario_id,
                    person=r.person,
                    person_id=people.get(r.call_id, r.person),
                    reasons=tuple(r.reasons),
                    raised_at=r.created_at,
                    open=not r.resolved,
                    closed_by=closed.by if closed else None,
                    closed_at=closed.at if closed else None,
                    note=closed.note if closed else None,
                    events=history,
                )
            )
        return records

    def results(self, scenario_id: str | None = None) -> list[CareCallResult]:
        """Every care call with answers or a flag, oldest first.

        Args:
            scenario_id: only this scenario's calls; all when ``None``.

        Raises:
            StoreUnavailableError: the database failed.
        """
        answers_q = select(CareCallAnswers)
        flags_q = select(FollowupFlag)
        if scenario_id is not None:
            answers_q = answers_q.where(CareCallAnswers.scenario_id == scenario_id)
            flags_q = flags_q.where(FollowupFlag.scenario_id == scenario_id)
        with self._db.session() as session:
            answers = {row.call_id: row for row in session.scalars(answers_q)}
            flags = {row.call_id: row for row in session.scalars(flags_q)}
            results = []
            for call_id in answers.keys() | flags.keys():
                a = answers.get(call_id)
                f = flags.get(call_id)
                if a is not None:
                    person, scenario, when = a.person, a.scenario_id, a.recorded_at
                elif f is not None:
                    person, scenario, when = f.person, f.scenario_id, f.created_at
                else:  # pragma: no cover - every key comes from one of the two dicts
                    continue
                results.append(
                    CareCallResult(
                        person=person,
                        call_id=call_id,
                        scenario_id=scenario,
                        answers=dict(a.answers) if a is not None else {},
                        flagged=f is not None and not f.resolved,
                        reasons=tuple(f.reasons) if f is not None else (),
                        when=when,
                    )
                )
        results.sort(key=lambda r: (r.when, r.call_id))
        return results

    def _insert(self, table: _FlagTables) -> postgresql.Insert | sqlite.Insert:
        """The dialect's INSERT, which knows ``ON CONFLICT`` (SQLite and PostgreSQL alike)."""
        if self._db.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)


if TYPE_CHECKING:  # mypy proves the class implements the dialogue's port

    def _conforms(db: Database) -> CareCallRecorder:
        return SqlCareCallRecorder(db)
