"""Persistence: calls, event logs, voice timings, bookings, care-call answers (SQLAlchemy 2).

One :class:`Database` per process, shared by the store classes::

    db = Database("sqlite:///var/aicall.db")      # or "postgresql+psycopg://user:pw@host/db"
    bookings = SqlBookingBackend(db)              # dialogue.ports.BookingBackend
    recorder = SqlCareCallRecorder(db)            # dialogue.ports.CareCallRecorder
    calls = CallLog(db)
    voice = VoiceTurnLog(db)                      # per-turn voice timings of phone calls

Errors: every database failure is :class:`common.errors.StoreUnavailableError` (nothing was
half-written); a full seating is :class:`common.errors.CapacityError`; an unknown id or malformed
input is :class:`common.errors.InputError`.

Times: call timestamps are UTC (aware datetimes when read); booking times are the venue's local
wall-clock time (naive datetimes).
"""

from agent.store import campaign_models as _campaign_models  # noqa: F401  (tables)
from agent.store.bookings import SqlBookingBackend
from agent.store.calls import CallLog, CallRecord, StoredEvent
from agent.store.carecall import (
    CareCallResult,
    FlagEvent,
    FlagRecord,
    PersonCall,
    SqlCareCallRecorder,
)
from agent.store.db import Database, safe_url
from agent.store.voice_turns import VoiceTurnLog, VoiceTurnRecord

__all__ = [
    "CallLog",
    "CallRecord",
    "CareCallResult",
    "Database",
    "FlagEvent",
    "FlagRecord",
    "PersonCall",
    "SqlBookingBackend",
    "SqlCareCallRecorder",
    "StoredEvent",
    "VoiceTurnLog",
    "VoiceTurnRecord",
    "safe_url",
]
