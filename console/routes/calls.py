"""Calls: the searchable list, a call's page (transcript, timings, recording, events), the API.

Pages: ``/console/calls`` (htmx swaps the table as the filter changes), ``/console/calls/{id}``,
``/console/calls/{id}/recording`` (the WAV, for the page's audio element). API:
``/api/v1/calls``, ``/api/v1/calls/{call_id}``. Every query is limited to the user's org; another
org's call answers 404.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from agent.store.voice_turns import TURN_KINDS
from console.deps import DbSession, Viewer, console_state
from console.queries_calls import (
    CallDetail,
    CallFilter,
    CallPage,
    NotFound,
    call_detail,
    filter_choices,
    owned_call,
    recording_path,
    search_calls,
    view_helpers,
)
from console.render import render
from console.tenancy import org_scenario_ids

__all__ = ["router"]

router = APIRouter()


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name}: {value!r} is not a date like 2026-11-25") from None


def _filter(
    since: str | None,
    until: str | None,
    scenario: str | None,
    outcome: str | None,
    flagged: str | None,
    q: str | None,
    page: int,
) -> CallFilter:
    return CallFilter(
        since=_day(since, "since"),
        until=_day(until, "until"),
        scenario=scenario or None,
        outcome=outcome or None,
        flagged=flagged in ("1", "on", "true", "yes"),
        text=(q or "").strip()[:200] or None,
        page=max(1, page),
    )


Since = Annotated[str | None, Query(description="First day (YYYY-MM-DD), console time zone.")]
Until = Annotated[str | None, Query(description="Last day (YYYY-MM-DD), inclusive.")]
Scenario = Annotated[str | None, Query(description="Only this scenario's calls.")]
Outcome = Annotated[str | None, Query(description="Outcome or status (completed, booked, ...).")]
Flagged = Annotated[str | None, Query(description="1: only calls with an open follow-up flag.")]
Text = Annotated[str | None, Query(description="Words said in the call, or the start of its id.")]
Page = Annotated[int, Query(ge=1, description="Page, from 1.")]


@router.get("/console/calls", response_class=HTMLResponse, include_in_schema=False)
def calls_page(
    request: Request,
    user: Viewer,
    session: DbSession,
    since: Since = None,
    until: Until = None,
    scenario: Scenario = None,
    outcome: Outcome = None,
    flagged: Flagged = None,
    q: Text = None,
    page: Page = 1,
) -> HTMLResponse:
    """The list of calls (the table alone for htmx)."""
    ids = org_scenario_ids(session, user.org_id)
    f = _filter(since, until, scenario, outcome, flagged, q, page)
    result = search_calls(session, ids, f, console_state(request).settings.timezone)
    ctx = {
        "result": result,
        "f": f,
        "choices": filter_choices(session, ids),
        "nav_active": "calls",
        **view_helpers(console_state(request).settings.timezone),
    }
    partial = request.headers.get("hx-request") and request.headers.get("hx-target") == "calls"
    return render(request, "calls/_table.html" if partial else "calls/list.html", ctx, user=user)


@router.get("/console/calls/{call_id}", response_class=HTMLResponse, include_in_schema=False)
def call_page(request: Request, call_id: str, user: Viewer, session: DbSession) -> HTMLResponse:
    """One call: transcript, per-turn timings, recording, the dialogue events."""
    state = console_state(request)
    try:
        detail = call_detail(
            session, org_scenario_ids(session, user.org_id), call_id, state.settings.data_dir
        )
    except NotFound:
        raise HTTPException(404, "call not found") from None
    return render(
        request,
        "calls/call.html",
        {
            "d": detail,
            "nav_active": "calls",
            "turn_kinds": TURN_KINDS,
            **view_helpers(state.settings.timezone),
        },
        user=user,
    )


@router.get("/console/calls/{call_id}/recording", include_in_schema=False)
def call_recording(request: Request, call_id: str, user: Viewer, session: DbSession) -> Any:
    """The call's recording (stereo WAV: caller left, agent right), when one was made."""
    try:
        owned_call(session, org_scenario_ids(session, user.org_id), call_id)
    except NotFound:
        raise HTTPException(404, "call not found") from None
    path = recording_path(console_state(request).settings.data_dir, call_id)
    if not path.is_file():
        raise HTTPException(404, "no recording of this call")
    return FileResponse(
        path,
        media_type="audio/wav",
        filename=f"{call_id}.wav",
        headers={"Cache-Control": "private, no-store"},
    )


# -- API -----------------------------------------------------------------------------------------


def _page_json(result: CallPage) -> dict[str, Any]:
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "calls": [
            {
                **asdict(s.call),
                "flagged": s.flagged,
                "first_words": s.first_words,
                "seconds": s.seconds,
            }
            for s in result.calls
        ],
    }


def _detail_json(d: CallDetail) -> dict[str, Any]:
    return {
        "call": asdict(d.call),
        "transcript": [asdict(line) for line in d.transcript],
        "turns": [{**asdict(t), "voice_to_voice": t.voice_to_voice} for t in d.turns],
        "voice_to_voice": d.v2v,
        "events": d.events,
        "flag": {"open": d.flag_open, "reasons": list(d.flag_reasons)} if d.flag_reasons else None,
        "answers": d.answers,
        "bookings": d.bookings,
        "recording": f"/console/calls/{d.call.id}/recording" if d.has_recording else None,
    }


@router.get("/api/v1/calls", tags=["calls"])
def api_calls(
    request: Request,
    user: Viewer,
    session: DbSession,
    since: Since = None,
    until: Until = None,
    scenario: Scenario = None,
    outcome: Outcome = None,
    flagged: Flagged = None,
    q: Text = None,
    page: Page = 1,
) -> dict[str, Any]:
    """The org's calls, newest first, 25 a page, filtered like the console's list."""
    f = _filter(since, until, scenario, outcome, flagged, q, page)
    ids = org_scenario_ids(session, user.org_id)
    return _page_json(search_calls(session, ids, f, console_state(request).settings.timezone))


@router.get("/api/v1/calls/{call_id}", tags=["calls"])
def api_call(request: Request, call_id: str, user: Viewer, session: DbSession) -> dict[str, Any]:
    """One call: transcript, voice turns with timings, events, flag, answers, bookings."""
    try:
        detail = call_detail(
            session,
            org_scenario_ids(session, user.org_id),
            call_id,
            console_state(request).settings.data_dir,
        )
    except NotFound:
        raise HTTPException(404, "call not found") from None
    return _detail_json(detail)
