"""The call log: one row per call and the dialogue tracker's events of each call, in order.

Events are stored, not state snapshots: a call's dialogue state is rebuilt by replaying
:meth:`CallLog.load_events`. All timestamps here are UTC (aware datetimes when read back).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agent.store.db import Database
from agent.store.models import CallEvent, CallRow, utcnow
from agent.store.privacy import collected_values, redact_payload, redact_text
from common.errors import InputError
from common.ids import check_call_id

__all__ = ["CallLog", "CallRecord", "StoredEvent"]

DIRECTIONS = ("inbound", "outbound")
IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class CallRecord:
    """A stored call.

    Attributes:
        id: the call id (the carrier's call SID, or a generated UUID).
        scenario_id: the scenario that handled the call.
        direction: ``"inbound"`` or ``"outbound"``.
        caller: the calling number, when known.
        callee: the called number, when known.
        started_at: when the call started (aware, UTC).
        ended_at: when it ended (aware, UTC), ``None`` while in progress.
        status: ``"in_progress"`` until ended, then what ``end_call`` said
            (e.g. ``"completed"``, ``"failed"``, ``"no_answer"``, ``"voicemail"``).
        outcome: the business result (e.g. ``"booked"``, ``"answered"``), if any.
        failure_reason: why the call failed, if it did.
    """

    id: str
    scenario_id: str
    direction: str
    caller: str | None
    callee: str | None
    started_at: datetime
    ended_at: datetime | None
    status: str
    outcome: str | None
    failure_reason: str | None


@dataclass(frozen=True)
class StoredEvent:
    """One stored tracker event.

    Attributes:
        call_id: the call it belongs to.
        seq: its position in the call, from 1.
        type: the event type (``"user"``, ``"slot"``, ``"action"``, ...), as given.
        timestamp: when it happened (aware, UTC).
        payload: the event's data, as given (JSON values).
    """

    call_id: str
    seq: int
    type: str
    timestamp: datetime
    payload: Mapping[str, Any]


class CallLog:
    """Stores calls and their event logs.

    Args:
        db: the shared database handle.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def start_call(
        self,
        *,
        scenario_id: str,
        direction: str,
        call_id: str | None = None,
        caller: str | None = None,
        callee: str | None = None,
        started_at: datetime | None = None,
    ) -> CallRecord:
        """Record that a call started.

        Args:
            scenario_id: the scenario handling the call.
            direction: ``"inbound"`` or ``"outbound"``.
            call_id: the call's id (e.g. Twilio's CallSid); a UUID is generated when ``None``.
            caller: the calling number.
            callee: the called number.
            started_at: when it started (aware, or naive UTC); now when ``None``.

        Returns:
            The stored call, status ``"in_progress"``.

        Raises:
            InputError: bad direction, or a call with that id exists already.
            StoreUnavailableError: the database failed.
        """
        if direction not in DIRECTIONS:
            raise InputError(f"direction must be 'inbound' or 'outbound', got {direction!r}")
        row = CallRow(
            id=check_call_id(call_id) if call_id is not None else uuid.uuid4().hex,
            scenario_id=scenario_id,
            direction=direction,
            caller=caller,
            callee=callee,
            started_at=started_at or utcnow(),
            status=IN_PROGRESS,
        )
        with self._db.transaction() as session:
            session.add(row)
            try:
                session.flush()
            except IntegrityError as e:
                raise InputError(f"call {row.id!r} exists already") from e
            return _call_record(row)

    def record_unreached(
        self,
        *,
        call_id: str,
        scenario_id: str,
        status: str,
        caller: str | None = None,
        callee: str | None = None,
        reason: str | None = None,
    ) -> bool:
        """Store an outbound call that never reached its person, already ended with ``status``.

        Returns:
            ``False`` when a call with that id is stored already (it was answered and ran, or
            this is a repeated or concurrent callback): nothing is changed then.

        Raises:
            InputError: ``call_id`` is not a valid call id (:func:`common.ids.check_call_id`).
            StoreUnavailableError: the database failed.
        """
        now = utcnow()
        row = CallRow(
            id=check_call_id(call_id),
            scenario_id=scenario_id,
            direction="outbound",
            caller=caller,
            callee=callee,
            started_at=now,
            ended_at=now,
            status=status,
            failure_reason=redact_text(reason, (caller or "", callee or "")),
        )
        try:
            with self._db.transaction() as session:
                if session.get(CallRow, call_id) is not None:
                    return False
                session.add(row)
                try:
                    session.flush()
                except IntegrityError as e:  # a concurrent callback stored it first
                    raise InputError(f"call {call_id!r} exists already") from e
        except InputError:
            return False
        return True

    def append_events(
        self, call_id: str, events: Sequence[Mapping[str, Any]], *, keep: Sequence[str] = ()
    ) -> int:
        """Append a batch of tracker events to a call, atomically and in order.

        Personal numbers in the payloads are masked before they are written
        (:mod:`agent.store.privacy`): what the call collected on purpose (slot values, a loaded
        booking's phone, the call's own numbers) and ``keep`` survive.

        Each event is a mapping with ``type`` (str), ``timestamp`` (datetime, epoch seconds or
        ISO 8601 text; naive means UTC) and its data: the mapping under ``payload`` if present,
        otherwise every other key. The payload must be JSON-serialisable (convert dates and the
        like to text first; the store does not guess how to read them back).

        Args:
            call_id: a started call.
            events: the batch; either all are stored or none.
            keep: more values that must survive (the scenario's own numbers, say).

        Returns:
            The sequence number of the call's last event (0 if it has none).

        Raises:
            InputError: unknown call, or an event is malformed.
            StoreUnavailableError: the database failed; nothing was stored.
        """
        parsed = [_parse_event(call_id, i, event) for i, event in enumerate(events)]
        with self._db.transaction() as session:
            # Lock the call row so that concurrent batches of the same call queue up
            # (SQLite: BEGIN IMMEDIATE already serialises writers).
            self._get_call(session, call_id, for_update=self._db.dialect == "postgresql")
            last = session.scalar(
                select(func.coalesce(func.max(CallEvent.seq), 0)).where(
                    CallEvent.call_id == call_id
                )
            )
            seq = int(last or 0)
            kept = (*keep, *collected_values(session, call_id, [(t, p) for t, _, p in parsed]))
            for event_type, timestamp, payload in parsed:
                payload = redact_payload(payload, kept)
                seq += 1
                session.add(
                    CallEvent(
                        call_id=call_id,
                        seq=seq,
                        type=event_type,
                        timestamp=timestamp,
                        payload=payload,
                    )
                )
            session.flush()
            return seq

    def load_events(self, call_id: str, *, after_seq: int = 0) -> list[StoredEvent]:
        """A call's events in order.

        Args:
            call_id: the call.
            after_seq: only events with a larger sequence number (to resume a replay).

        Raises:
            InputError: unknown call.
            StoreUnavailableError: the database failed.
        """
        query = (
            select(CallEvent)
            .where(CallEvent.call_id == call_id, CallEvent.seq > after_seq)
            .order_by(CallEvent.seq)
        )
        with self._db.session() as session:
            self._get_call(session, call_id)
            return [
                StoredEvent(
                    call_id=row.call_id,
                    seq=row.seq,
                    type=row.type,
                    timestamp=row.timestamp,
                    payload=row.payload,
                )
                for row in session.scalars(query)
            ]

    def end_call(
        self,
        call_id: str,
        status: str,
        outcome: str | None = None,
        failure_reason: str | None = None,
        *,
        ended_at: datetime | None = None,
        keep: Sequence[str] = (),
    ) -> CallRecord:
        """Record how a call ended.

        Args:
            call_id: the call.
            status: final status, e.g. ``"completed"``, ``"failed"``, ``"no_answer"``.
            outcome: the business result, e.g. ``"booked"``.
            failure_reason: why it failed, if it did.
            ended_at: when it ended (aware, or naive UTC); now when ``None``.
            keep: values the reason may name besides what the call collected (the scenario's
                hand-over number in "transferred to …").

        Returns:
            The updated call.

        Raises:
            InputError: unknown call, or an empty status.
            StoreUnavailableError: the database failed.
        """
        if not status:
            raise InputError("a call's final status must not be empty")
        with self._db.transaction() as session:
            row = self._get_call(session, call_id)
            row.status = status
            row.outcome = outcome
            kept = (*keep, *collected_values(session, call_id))
            row.failure_reason = redact_text(failure_reason, kept)
            row.ended_at = ended_at or utcnow()
            session.flush()
            return _call_record(row)

    def get_call(self, call_id: str) -> CallRecord | None:
        """The call with that id, or ``None``.

        Raises:
            StoreUnavailableError: the database failed.
        """
        with self._db.session() as session:
            row = session.get(CallRow, call_id)
            return None if row is None else _call_record(row)

    def list_calls(
        self,
        *,
        scenario_id: str | None = None,
        direction: str | None = None,
        status: str | None = None,
        since: datetime | None = None,
        limit: int | None = 100,
    ) -> list[CallRecord]:
        """Calls, newest first.

        Args:
            scenario_id: only this scenario's calls.
            direction: only ``"inbound"`` or ``"outbound"`` calls.
            status: only calls with this status.
            since: only calls started at or after this instant (aware, or naive UTC).
            limit: at most this many; all when ``None``.

        Raises:
            StoreUnavailableError: the database failed.
        """
        query = select(CallRow).order_by(CallRow.started_at.desc(), CallRow.id)
        if scenario_id is not None:
            query = query.where(CallRow.scenario_id == scenario_id)
        if direction is not None:
            query = query.where(CallRow.direction == direction)
        if status is not None:
            query = query.where(CallRow.status == status)
        if since is not None:
            query = query.where(CallRow.started_at >= since)
        if limit is not None:
            query = query.limit(limit)
        with self._db.session() as session:
            return [_call_record(row) for row in session.scalars(query)]

    @staticmethod
    def _get_call(session: Session, call_id: str, *, for_update: bool = False) -> CallRow:
        row = session.get(CallRow, call_id, with_for_update=for_update)
        if row is None:
            raise InputError(f"no call with id {call_id!r}")
        return row


def _parse_event(
    call_id: str, index: int, event: Mapping[str, Any]
) -> tuple[str, datetime, dict[str, Any]]:
    where = f"event #{index} of call {call_id!r}"
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise InputError(f"{where}: 'type' must be a non-empty string")
    if "timestamp" not in event:
        raise InputError(f"{where}: 'timestamp' is missing")
    timestamp = _parse_timestamp(where, event["timestamp"])
    if "payload" in event:
        raw = event["payload"]
        if not isinstance(raw, Mapping):
            raise InputError(f"{where}: 'payload' must be a mapping, got {type(raw).__name__}")
        payload = dict(raw)
    else:
        payload = {k: v for k, v in event.items() if k not in ("type", "timestamp")}
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise InputError(f"{where} ({event_type}): payload is not JSON-serialisable: {e}") from e
    return event_type, timestamp, payload


def _parse_timestamp(where: str, value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as e:
            raise InputError(f"{where}: timestamp {value!r} is not ISO 8601") from e
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    raise InputError(
        f"{where}: timestamp must be a datetime, epoch seconds or ISO 8601 text, "
        f"got {type(value).__name__}"
    )


def _call_record(row: CallRow) -> CallRecord:
    return CallRecord(
        id=row.id,
        scenario_id=row.scenario_id,
        direction=row.direction,
        caller=row.caller,
        callee=row.callee,
        started_at=_aware(row.started_at),
        ended_at=None if row.ended_at is None else _aware(row.ended_at),
        status=row.status,
        outcome=row.outcome,
        failure_reason=row.failure_reason,
    )


def _aware(when: datetime) -> datetime:
    """Rows not yet reloaded still hold the value as given; normalise it to aware UTC."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
