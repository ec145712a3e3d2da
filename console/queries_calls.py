"""The console's calls: a searchable, paginated list and one call's page, scoped to an org.

Every function takes the org's scenario ids (``console.tenancy.org_scenario_ids``); a call of
another scenario is not there (:class:`NotFound`, a 404 for the routes). Text is shown as the
store keeps it (masked when written, docs/privacy.md); rows stored before masking existed are
masked on the way out, as ``aicall calls show`` does.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from agent.store import CallRecord, VoiceTurnRecord
from agent.store.models import (
    Booking,
    CallEvent,
    CallRow,
    CareCallAnswers,
    FollowupFlag,
    VoiceTurn,
)
from agent.store.privacy import collected_values
from common.ids import check_call_id, is_safe_call_id
from common.pii import redact

__all__ = [
    "PER_PAGE",
    "CallDetail",
    "CallFilter",
    "CallPage",
    "CallSummary",
    "NotFound",
    "TranscriptLine",
    "call_detail",
    "filter_choices",
    "owned_call",
    "recording_path",
    "search_calls",
    "view_helpers",
]

#: Calls per page of the list.
PER_PAGE = 25
#: Event types whose ``text`` is what was said.
_SAID = ("user", "bot")


class NotFound(LookupError):
    """No such object in the org (another org's, or none): the routes answer 404."""


@dataclass(frozen=True)
class CallFilter:
    """What the list shows.

    Attributes:
        since, until: first and last day (inclusive), in the console's time zone.
        scenario: one scenario's calls.
        outcome: calls whose outcome or status is this.
        flagged: only calls with an open follow-up flag.
        text: words said in the call (either side), or the start of its id.
        page: from 1.
    """

    since: date | None = None
    until: date | None = None
    scenario: str | None = None
    outcome: str | None = None
    flagged: bool = False
    text: str | None = None
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class CallSummary:
    """One row of the list."""

    call: CallRecord
    flagged: bool
    first_words: str | None

    @property
    def seconds(self) -> float | None:
        """How long it lasted."""
        if self.call.ended_at is None:
            return None
        return (self.call.ended_at - self.call.started_at).total_seconds()


@dataclass(frozen=True)
class CallPage:
    """A page of the list and how many calls match in all."""

    calls: list[CallSummary]
    total: int
    page: int
    pages: int
    filter: CallFilter


@dataclass(frozen=True)
class TranscriptLine:
    """One thing said: by the caller (``user``) or the agent (``bot``)."""

    seq: int
    who: str
    text: str
    at: datetime
    intent: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class CallDetail:
    """Everything the call page shows."""

    call: CallRecord
    transcript: list[TranscriptLine]
    events: list[dict[str, Any]]
    turns: list[VoiceTurnRecord]
    flag_reasons: tuple[str, ...]
    flag_open: bool
    answers: dict[str, Any]
    bookings: list[dict[str, Any]]
    has_recording: bool
    v2v: dict[str, float] = field(default_factory=dict)


def view_helpers(timezone: str) -> dict[str, Callable[[Any], str]]:
    """Formatting functions the calls, results and campaigns templates use.

    ``local(dt)``: an aware instant in the console's time zone; ``secs(x)``: seconds with two
    decimals or a dash; ``dump(x)``: JSON as written (Korean kept readable).
    """
    zone = ZoneInfo(timezone)

    def local(when: Any) -> str:
        if not isinstance(when, datetime):
            return "—"
        if when.tzinfo is None:
            return when.strftime("%Y-%m-%d %H:%M")
        return when.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")  # e.g. KST, UTC

    def secs(value: Any) -> str:
        return "—" if value is None else f"{float(value):.2f}"

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, default=str)

    return {"local": local, "secs": secs, "dump": dump}


def _call_record(row: CallRow) -> CallRecord:
    return CallRecord(
        id=row.id,
        scenario_id=row.scenario_id,
        direction=row.direction,
        caller=row.caller,
        callee=row.callee,
        started_at=row.started_at,
        ended_at=row.ended_at,
        status=row.status,
        outcome=row.outcome,
        failure_reason=row.failure_reason,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _open_flag(call_id: Any) -> ColumnElement[bool]:
    return (
        select(FollowupFlag.id)
        .where(FollowupFlag.call_id == call_id, FollowupFlag.resolved.is_(False))
        .exists()
    )


def search_calls(
    session: Session, scenario_ids: Collection[str], f: CallFilter, timezone: str
) -> CallPage:
    """The calls of ``scenario_ids`` that match ``f``, newest first, one page.

    Args:
        session: a session of the store.
        scenario_ids: the org's scenarios.
        f: the filter and the page.
        timezone: the zone the filter's days are in.
    """
    zone = ZoneInfo(timezone)
    conditions: list[ColumnElement[bool]] = [CallRow.scenario_id.in_(list(scenario_ids))]
    if f.scenario:
        conditions.append(CallRow.scenario_id == f.scenario)
    if f.outcome:
        conditions.append(or_(CallRow.outcome == f.outcome, CallRow.status == f.outcome))
    if f.since is not None:
        conditions.append(CallRow.started_at >= _day_start(f.since, zone))
    if f.until is not None:
        conditions.append(CallRow.started_at < _day_start(f.until + timedelta(days=1), zone))
    if f.flagged:
        conditions.append(_open_flag(CallRow.id))
    words = (f.text or "").strip()
    if words:
        pattern = f"%{_escape_like(words.lower())}%"
        said = select(CallEvent.call_id).where(
            CallEvent.type.in_(_SAID),
            func.lower(CallEvent.payload["text"].as_string()).like(pattern, escape="\\"),
        )
        voiced = select(VoiceTurn.call_id).where(
            or_(
                func.lower(VoiceTurn.user_text).like(pattern, escape="\\"),
                func.lower(VoiceTurn.agent_text).like(pattern, escape="\\"),
            )
        )
        conditions.append(
            or_(
                CallRow.id.in_(said),
                CallRow.id.in_(voiced),
                CallRow.id.like(f"{_escape_like(words)}%", escape="\\"),
            )
        )
    where = and_(*conditions)
    total = int(session.scalar(select(func.count()).select_from(CallRow).where(where)) or 0)
    per_page = max(1, f.per_page)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, f.page), pages)
    rows = list(
        session.scalars(
            select(CallRow)
            .where(where)
            .order_by(CallRow.started_at.desc(), CallRow.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    ids = [r.id for r in rows]
    flagged = set(
        session.scalars(
            select(FollowupFlag.call_id).where(
                FollowupFlag.call_id.in_(ids), FollowupFlag.resolved.is_(False)
            )
        )
    )
    first: dict[str, str] = {}
    for call_id, text in session.execute(
        select(CallEvent.call_id, CallEvent.payload["text"].as_string())
        .where(CallEvent.call_id.in_(ids), CallEvent.type == "user")
        .order_by(CallEvent.call_id, CallEvent.seq)
    ):
        if call_id not in first and text:
            first[call_id] = text
    calls = [
        CallSummary(
            call=_call_record(r),
            flagged=r.id in flagged,
            first_words=redact(first[r.id]) if r.id in first else None,
        )
        for r in rows
    ]
    return CallPage(calls, total, page, pages, f)


def filter_choices(session: Session, scenario_ids: Collection[str]) -> dict[str, list[str]]:
    """The scenarios and outcomes the org's calls have (the list's select boxes)."""
    ids = list(scenario_ids)
    outcomes = set(
        session.scalars(
            select(CallRow.outcome).where(CallRow.scenario_id.in_(ids)).distinct()
        ).all()
    ) | set(session.scalars(select(CallRow.status).where(CallRow.scenario_id.in_(ids))).all())
    return {
        "scenarios": sorted(ids),
        "outcomes": sorted(o for o in outcomes if o),
    }


def owned_call(session: Session, scenario_ids: Collection[str], call_id: str) -> CallRow:
    """The org's call ``call_id``.

    Raises:
        NotFound: unknown, malformed or another org's.
    """
    if not is_safe_call_id(call_id):
        raise NotFound(call_id)
    row = session.get(CallRow, call_id)
    if row is None or row.scenario_id not in scenario_ids:
        raise NotFound(call_id)
    return row


def recording_path(data_dir: Path, call_id: str) -> Path:
    """Where a call's recording is kept (it may not exist)."""
    return Path(data_dir) / "recordings" / f"{check_call_id(call_id)}.wav"


def call_detail(
    session: Session, scenario_ids: Collection[str], call_id: str, data_dir: Path
) -> CallDetail:
    """One call of the org: transcript, events, voice timings, flag, answers, bookings.

    Raises:
        NotFound: unknown or another org's call.
    """
    row = owned_call(session, scenario_ids, call_id)
    keep = collected_values(session, call_id)
    events = list(
        session.scalars(
            select(CallEvent).where(CallEvent.call_id == call_id).order_by(CallEvent.seq)
        )
    )
    transcript = [
        TranscriptLine(
            seq=e.seq,
            who=e.type,
            text=redact(str(e.payload.get("text") or ""), keep=keep),
            at=e.timestamp,
            intent=e.payload.get("intent") if e.type == "user" else None,
            confidence=e.payload.get("confidence") if e.type == "user" else None,
        )
        for e in events
        if e.type in _SAID
    ]
    shown = [
        {"seq": e.seq, "type": e.type, "at": e.timestamp, "payload": e.payload}
        for e in events
        if e.type not in _SAID
    ]
    turns = [
        VoiceTurnRecord(
            kind=t.kind,
            user=None if t.user_text is None else redact(t.user_text, keep=keep),
            agent=None if t.agent_text is None else redact(t.agent_text, keep=keep),
            speech_end=t.speech_end,
            transcript_ready=t.transcript_ready,
            reply_ready=t.reply_ready,
            first_audio=t.first_audio,
            asr_seconds=t.asr_seconds,
            interrupted=bool(t.interrupted),
            seq=t.seq,
        )
        for t in session.scalars(
            select(VoiceTurn).where(VoiceTurn.call_id == call_id).order_by(VoiceTurn.seq)
        )
    ]
    v2v = [t.voice_to_voice for t in turns if t.voice_to_voice is not None]
    stats = (
        {"turns": float(len(v2v)), "p50": statistics.median(v2v), "max": max(v2v)} if v2v else {}
    )
    flag = session.scalars(select(FollowupFlag).where(FollowupFlag.call_id == call_id)).first()
    answers = session.scalars(
        select(CareCallAnswers).where(CareCallAnswers.call_id == call_id)
    ).first()
    bookings = [
        {
            "id": b.id,
            "venue": b.venue,
            "start": b.start,
            "party_size": b.party_size,
            "seating": b.seating,
            "name": b.name,
            "phone": b.phone,
            "status": b.status,
        }
        for b in session.scalars(select(Booking).where(Booking.call_id == call_id))
    ]
    return CallDetail(
        call=_call_record(row),
        transcript=transcript,
        events=shown,
        turns=turns,
        flag_reasons=tuple(flag.reasons) if flag is not None else (),
        flag_open=flag is not None and not flag.resolved,
        answers=dict(answers.answers) if answers is not None else {},
        bookings=bookings,
        has_recording=recording_path(data_dir, call_id).is_file(),
        v2v=stats,
    )
