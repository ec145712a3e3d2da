"""The tables of the store (SQLAlchemy 2 typed declarative).

Times are stored in two conventions, on purpose:

* **Call timestamps** (``calls.started_at``, ``call_events.timestamp``, every ``created_at`` /
  ``updated_at`` / ``recorded_at``) are UTC. They are written as naive UTC in the database (the
  same on SQLite and PostgreSQL) by :class:`UTCDateTime`, which accepts aware datetimes (any zone,
  converted) or naive ones (taken as UTC) and always reads back aware UTC datetimes.
* **Booking times** (``bookings.start`` / ``bookings.end``) are the venue's local wall-clock time,
  naive, exactly as the caller said them ("7 pm on Friday"). A venue has one time zone, so naive
  local times compare correctly and survive daylight-saving changes of the server.

These classes are the storage layer's own; the rest of the project receives frozen records
(:class:`dialogue.ports.BookingRecord`, :class:`agent.store.CallRecord`, ...), never ORM rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Base",
    "Booking",
    "BookingDetail",
    "BookingHold",
    "CallEvent",
    "CallRow",
    "CapacityLock",
    "CareCallAnswers",
    "CareCallPersonCall",
    "FollowupFlag",
    "FollowupFlagEvent",
    "StreamTokenUse",
    "UTCDateTime",
    "VoiceTurn",
    "utcnow",
]

#: JSON column: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC instant stored as a naive timestamp and read back as an aware UTC datetime.

    Naive input is taken to be UTC already; aware input of any zone is converted.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to naive UTC on the way in."""
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC on the way out."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base of every table of the store."""


class CallRow(Base):
    """One phone call, inbound or outbound (UTC timestamps)."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("direction IN ('inbound', 'outbound')", name="ck_calls_direction"),
        Index("ix_calls_scenario_started", "scenario_id", "started_at"),
        Index("ix_calls_started", "started_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(16))
    caller: Mapped[str | None] = mapped_column(String(64))
    callee: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str | None] = mapped_column(Text)


class CallEvent(Base):
    """One dialogue-tracker event of a call, in order (``seq`` starts at 1 per call)."""

    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_id", "seq", name="uq_call_events_call_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), ForeignKey("calls.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)


class VoiceTurn(Base):
    """One exchange of a phone call as the voice layer timed it (``seq`` from 1 per call).

    Times are seconds since the call's media stream started (``NULL`` when not applicable:
    no caller speech before the greeting, no audio for a barge-in).
    """

    __tablename__ = "voice_turns"
    __table_args__ = (UniqueConstraint("call_id", "seq", name="uq_voice_turns_call_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), ForeignKey("calls.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    user_text: Mapped[str | None] = mapped_column(Text)
    agent_text: Mapped[str | None] = mapped_column(Text)
    speech_end: Mapped[float | None] = mapped_column(Float)
    transcript_ready: Mapped[float | None] = mapped_column(Float)
    reply_ready: Mapped[float | None] = mapped_column(Float)
    first_audio: Mapped[float | None] = mapped_column(Float)
    asr_seconds: Mapped[float | None] = mapped_column(Float)
    interrupted: Mapped[bool] = mapped_column(Boolean, default=False)


class Booking(Base):
    """A table booking; ``start`` / ``end`` are the venue's naive local time.

    ``end`` is fixed when the booking is made (``start + duration_minutes`` of the capacity rule
    in force then), so a later change of the rule does not move existing bookings.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'cancelled')", name="ck_bookings_status"),
        CheckConstraint("party_size > 0", name="ck_bookings_party_size"),
        Index("ix_bookings_slot", "venue", "seating", "start"),
        Index("ix_bookings_phone", "venue", "phone", "start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    venue: Mapped[str] = mapped_column(String(128))
    start: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    end: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    party_size: Mapped[int] = mapped_column(Integer)
    seating: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    # No foreign key: a booking may be made outside a logged call (operator, import, test).
    call_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class BookingDetail(Base):
    """What a booking of any business is for: its service and provider (one row per booking).

    A separate table (not new ``bookings`` columns) because tables are only created, never
    altered: an existing database gains it on first use, and its restaurant bookings (which
    have no row here) keep working unchanged.
    """

    __tablename__ = "booking_details"
    __table_args__ = (Index("ix_booking_details_provider", "provider"),)

    booking_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str | None] = mapped_column(String(64))


class BookingHold(Base):
    """A resource a booking holds (provider, room, seats) from ``start`` until ``end``.

    ``end`` includes the service's buffer. Venue-local naive times, like ``bookings``. A hold
    counts while its booking is active.
    """

    __tablename__ = "booking_holds"
    __table_args__ = (
        CheckConstraint("units > 0", name="ck_booking_holds_units"),
        Index("ix_booking_holds_slot", "venue", "resource", "start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    venue: Mapped[str] = mapped_column(String(128))
    resource: Mapped[str] = mapped_column(String(64))
    start: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    end: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    units: Mapped[int] = mapped_column(Integer)


class CapacityLock(Base):
    """A row to lock (``SELECT ... FOR UPDATE``) while checking one seating's capacity.

    One row per venue, local day and seating; rows are created on demand and never change.
    Only PostgreSQL uses them; SQLite serialises writers with ``BEGIN IMMEDIATE`` instead.
    """

    __tablename__ = "capacity_locks"

    venue: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    seating: Mapped[str] = mapped_column(String(64), primary_key=True)


class CareCallAnswers(Base):
    """The structured answers of one care call (one row per call, replaced on re-record)."""

    __tablename__ = "carecall_answers"
    __table_args__ = (Index("ix_carecall_answers_scenario", "scenario_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # No foreign key to calls: answers may be recorded by tests or imports without a call log.
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    scenario_id: Mapped[str] = mapped_column(String(128))
    person: Mapped[str] = mapped_column(String(200))
    answers: Mapped[dict[str, Any]] = mapped_column(JsonType)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FollowupFlag(Base):
    """A person flagged for human follow-up after a call (one row per call, reasons merged)."""

    __tablename__ = "followup_flags"
    __table_args__ = (Index("ix_followup_flags_scenario", "scenario_id", "resolved"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    scenario_id: Mapped[str] = mapped_column(String(128))
    person: Mapped[str] = mapped_column(String(200))
    reasons: Mapped[list[str]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)


class StreamTokenUse(Base):
    """A redeemed stream token (its nonce), so every server process accepts it only once.

    Rows past ``expires_at`` are deleted by the ledger (``agent/store/tokens.py``); the token
    itself is refused by then as expired.
    """

    __tablename__ = "stream_token_uses"
    __table_args__ = (Index("ix_stream_token_uses_expires", "expires_at"),)

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CareCallPersonCall(Base):
    """Who a care call was for, when it took place, and what it referred back to.

    One row per call, written when the call starts. ``person_id`` keys the memory between
    calls and the person's history (a campaign's person id, else the number called, else the
    name); ``called_at`` is the call's own clock (UTC); ``recalled`` is, per follow-up slot, the
    earlier answer the call referred back to. A separate table (tables are only created, never
    altered): answers and flags of an older database keep working without a row here.
    """

    __tablename__ = "carecall_person_calls"
    __table_args__ = (Index("ix_carecall_person_calls_person", "person_id", "called_at"),)

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(200))
    person: Mapped[str] = mapped_column(String(200))
    scenario_id: Mapped[str] = mapped_column(String(128))
    called_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recalled: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class FollowupFlagEvent(Base):
    """What happened to a follow-up flag: raised, reasons added, reopened, closed (who, note)."""

    __tablename__ = "followup_flag_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('raised', 'reasons_added', 'reopened', 'closed')",
            name="ck_followup_flag_events_kind",
        ),
        Index("ix_followup_flag_events_call", "call_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    reasons: Mapped[list[str]] = mapped_column(JsonType, default=list)
