"""Care-call answers and follow-up flags, and the report an operator lists.

One answers row and at most one flag row per call: re-recording a call's answers replaces them,
raising a flag again adds the new reasons to the call's flag (and re-opens it if resolved).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from agent.store.db import Database
from agent.store.models import CareCallAnswers, FollowupFlag, utcnow
from common.errors import InputError
from dialogue.ports import CareCallRecorder

__all__ = ["CareCallResult", "SqlCareCallRecorder"]


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
        )
        with self._db.transaction() as session:
            session.execute(insert)
            # The row exists now (ours or an earlier one); lock it and merge the reasons.
            row = session.scalars(
                select(FollowupFlag).where(FollowupFlag.call_id == call_id).with_for_update()
            ).one()
            merged = list(dict.fromkeys([*row.reasons, *new]))
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
            return True

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

    def _insert(
        self, table: type[CareCallAnswers] | type[FollowupFlag]
    ) -> postgresql.Insert | sqlite.Insert:
        """The dialect's INSERT, which knows ``ON CONFLICT`` (SQLite and PostgreSQL alike)."""
        if self._db.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)


if TYPE_CHECKING:  # mypy proves the class implements the dialogue's port

    def _conforms(db: Database) -> CareCallRecorder:
        return SqlCareCallRecorder(db)
