"""Results: bookings as a day/week calendar, care-call people (flagged first), trends, exports.

Pages: ``/console/bookings`` (calendar per venue and resource), ``/console/bookings/{id}``,
``/console/carecall`` (people, open flags first; operators close a flag with a note),
``/console/carecall/people/{person_id}`` (history and trend plots), CSV at
``/console/bookings.csv`` and ``/console/carecall.csv``. API under ``/api/v1/bookings`` and
``/api/v1/carecall``. Everything is limited to the user's org (another org's id: 404).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from agent.store import PersonCall
from common.errors import InputError
from console.deps import DbSession, Operator, Viewer, audit, console_state
from console.queries_calls import NotFound, view_helpers
from console.queries_results import (
    VIEWS,
    answer_labels,
    bookings_calendar,
    bookings_csv,
    carecall_csv,
    carecall_people,
    close_flag,
    code_label,
    get_booking,
    person_page,
)
from console.render import render
from console.tenancy import org_scenario_ids
from dialogue.carecall import is_checkin

__all__ = ["router"]

router = APIRouter()


def _day(value: str | None, name: str, default: date | None = None) -> date | None:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name}: {value!r} is not a date like 2026-11-25") from None


def _today(request: Request) -> date:
    state = console_state(request)
    return state.runtime.campaigns.clock.now().astimezone(ZoneInfo(state.settings.timezone)).date()


def _csv(text: str, filename: str) -> Response:
    return Response(
        "\ufeff" + text,  # Excel reads UTF-8 with a BOM
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename={filename}",
            "Cache-Control": "no-store",
        },
    )


Venue = Annotated[str | None, Query(description="The venue (a business id); default: the first.")]
Day = Annotated[str | None, Query(description="A day of the calendar (YYYY-MM-DD).")]
View = Annotated[str, Query(description="day or week.")]
Resource = Annotated[str | None, Query(description="Only bookings holding this resource.")]


# -- bookings ------------------------------------------------------------------------------------


@router.get("/console/results", include_in_schema=False)
def results_home(request: Request, user: Viewer, session: DbSession) -> Response:
    """The results of the org: its care calls (when it runs any), else its bookings."""
    scenarios = console_state(request).runtime.scenarios
    ids = org_scenario_ids(session, user.org_id)
    care = any(s in scenarios and is_checkin(scenarios[s]) for s in ids)
    bookable = any(s in scenarios and scenarios[s].business is not None for s in ids)
    target = "/console/bookings" if bookable and not care else "/console/carecall"
    return RedirectResponse(target, status_code=303)


@router.get("/console/bookings", response_class=HTMLResponse, include_in_schema=False)
def bookings_page(
    request: Request,
    user: Viewer,
    session: DbSession,
    venue: Venue = None,
    day: Day = None,
    view: View = "week",
    resource: Resource = None,
    cancelled: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """The bookings calendar of one venue: a day by resource, or a week."""
    state = console_state(request)
    cal = bookings_calendar(
        session,
        state.runtime.scenarios,
        org_scenario_ids(session, user.org_id),
        venue=venue,
        day=_day(day, "day", _today(request)) or _today(request),
        view=view if view in VIEWS else "week",
        resource=resource or None,
        include_cancelled=cancelled == "1",
    )
    return render(
        request,
        "results/bookings.html",
        {
            "cal": cal,
            "cancelled": cancelled == "1",
            "nav_active": "results",
            **view_helpers(state.settings.timezone),
        },
        user=user,
    )


@router.get("/console/bookings.csv", include_in_schema=False)
def bookings_export(
    request: Request,
    user: Viewer,
    session: DbSession,
    venue: Venue = None,
    since: Day = None,
    until: Day = None,
) -> Response:
    """The org's bookings as CSV."""
    text = bookings_csv(
        session,
        console_state(request).runtime.scenarios,
        org_scenario_ids(session, user.org_id),
        venue=venue or None,
        since=_day(since, "since"),
        until=_day(until, "until"),
    )
    return _csv(text, "bookings.csv")


@router.get("/console/bookings/{booking_id}", response_class=HTMLResponse, include_in_schema=False)
def booking_page(
    request: Request, booking_id: int, user: Viewer, session: DbSession
) -> HTMLResponse:
    """One booking."""
    state = console_state(request)
    try:
        entry = get_booking(
            session, state.runtime.scenarios, org_scenario_ids(session, user.org_id), booking_id
        )
    except NotFound:
        raise HTTPException(404, "booking not found") from None
    return render(
        request,
        "results/booking.html",
        {"b": entry, "nav_active": "results", **view_helpers(state.settings.timezone)},
        user=user,
    )


@router.get("/api/v1/bookings", tags=["results"])
def api_bookings(
    request: Request,
    user: Viewer,
    session: DbSession,
    venue: Venue = None,
    day: Day = None,
    view: View = "week",
    resource: Resource = None,
) -> dict[str, Any]:
    """A venue's bookings of a day or a week (venue-local times), and the venues there are."""
    cal = bookings_calendar(
        session,
        console_state(request).runtime.scenarios,
        org_scenario_ids(session, user.org_id),
        venue=venue,
        day=_day(day, "day", _today(request)) or _today(request),
        view=view if view in VIEWS else "week",
        resource=resource or None,
    )
    return {
        "venue": cal.venue,
        "venues": cal.venues,
        "resources": cal.resources,
        "view": cal.view,
        "days": [d.isoformat() for d in cal.days],
        "bookings": [e.as_dict() for e in cal.entries],
    }


@router.get("/api/v1/bookings.csv", tags=["results"], response_class=Response)
def api_bookings_csv(
    request: Request,
    user: Viewer,
    session: DbSession,
    venue: Venue = None,
    since: Day = None,
    until: Day = None,
) -> Response:
    """The org's bookings as CSV (UTF-8 with a BOM)."""
    return bookings_export(request, user, session, venue, since, until)


@router.get("/api/v1/bookings/{booking_id}", tags=["results"])
def api_booking(
    request: Request, booking_id: int, user: Viewer, session: DbSession
) -> dict[str, Any]:
    """One booking of the org."""
    try:
        return get_booking(
            session,
            console_state(request).runtime.scenarios,
            org_scenario_ids(session, user.org_id),
            booking_id,
        ).as_dict()
    except NotFound:
        raise HTTPException(404, "booking not found") from None


# -- care calls ----------------------------------------------------------------------------------


@router.get("/console/carecall", response_class=HTMLResponse, include_in_schema=False)
def carecall_page(request: Request, user: Viewer, session: DbSession) -> HTMLResponse:
    """Everyone the org's care calls reached: open follow-up flags first."""
    people = carecall_people(session, org_scenario_ids(session, user.org_id))
    return render(
        request,
        "results/carecall.html",
        {
            "people": people,
            "flagged": sum(1 for p in people if p.open_flags),
            "answer": answer_labels(console_state(request).runtime.scenarios),
            "reason": code_label("reason", user.lang),
            "slot": code_label("slot", user.lang),
            "nav_active": "results",
            "closed": request.query_params.get("closed"),
            **view_helpers(console_state(request).settings.timezone),
        },
        user=user,
    )


@router.get("/console/carecall.csv", include_in_schema=False)
def carecall_export(user: Viewer, session: DbSession) -> Response:
    """The org's care-call results as CSV, one row per call."""
    return _csv(carecall_csv(session, org_scenario_ids(session, user.org_id)), "carecall.csv")


def _person(request: Request, session: Any, user: Any, person_id: str) -> Any:
    state = console_state(request)
    try:
        return person_page(
            state.runtime.carecall,
            state.runtime.scenarios,
            org_scenario_ids(session, user.org_id),
            person_id,
        )
    except NotFound:
        raise HTTPException(404, "person not found") from None


@router.get(
    "/console/carecall/people/{person_id}", response_class=HTMLResponse, include_in_schema=False
)
def person_view(request: Request, person_id: str, user: Viewer, session: DbSession) -> HTMLResponse:
    """One person's care calls (answers, what was referred back to, flags) and trend plots."""
    page = _person(request, session, user, person_id)
    return render(
        request,
        "results/person.html",
        {
            "p": page,
            "trends_json": page.trends.as_dict(),
            "answer": answer_labels(console_state(request).runtime.scenarios),
            "reason": code_label("reason", user.lang),
            "slot": code_label("slot", user.lang),
            "nav_active": "results",
            **view_helpers(console_state(request).settings.timezone),
        },
        user=user,
    )


@router.post("/console/carecall/calls/{call_id}/close", include_in_schema=False)
def close_flag_form(
    request: Request,
    call_id: str,
    user: Operator,
    session: DbSession,
    note: Annotated[str, Form(max_length=2000)] = "",
    next_url: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """An operator closes a call's follow-up flag with a note (audited)."""
    state = console_state(request)
    with state.db.session() as read:
        ids = org_scenario_ids(read, user.org_id)
    try:
        record = close_flag(
            state.db, ids, call_id, by=user.name or user.username, note=note or None
        )
    except NotFound:
        raise HTTPException(404, "follow-up flag not found") from None
    except InputError as e:
        raise HTTPException(409, str(e)) from None
    audit(session, user, "carecall.flag_close", call_id, {"flag": record.id})
    target = next_url if next_url.startswith("/console/") else "/console/carecall"
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}closed={quote(record.person_id)}", status_code=303)


class CloseFlag(BaseModel):
    """Closing a follow-up flag."""

    note: str | None = Field(default=None, max_length=2000, description="What was done.")


def _person_call_json(c: PersonCall) -> dict[str, Any]:
    data = asdict(c)
    data["when"] = c.when.isoformat()
    return data


@router.get("/api/v1/carecall/people", tags=["results"])
def api_people(user: Viewer, session: DbSession) -> list[dict[str, Any]]:
    """The org's care-call people, open follow-up flags first."""
    return [p.as_dict() for p in carecall_people(session, org_scenario_ids(session, user.org_id))]


@router.get("/api/v1/carecall/people/{person_id}", tags=["results"])
def api_person(
    request: Request, person_id: str, user: Viewer, session: DbSession
) -> dict[str, Any]:
    """A person's care calls of the org, oldest first, and the trends of their answers."""
    page = _person(request, session, user, person_id)
    return {
        "person_id": page.person_id,
        "person": page.person,
        "calls": [_person_call_json(c) for c in page.calls],
        "trends": page.trends.as_dict(),
        "summary": page.sentences,
    }


@router.post("/api/v1/carecall/calls/{call_id}/close", tags=["results"])
def api_close_flag(
    request: Request, call_id: str, body: CloseFlag, user: Operator, session: DbSession
) -> dict[str, Any]:
    """Close the follow-up flag of a call (operator; audited)."""
    state = console_state(request)
    with state.db.session() as read:
        ids = org_scenario_ids(read, user.org_id)
    try:
        record = close_flag(
            state.db, ids, call_id, by=user.name or user.username, note=body.note or None
        )
    except NotFound:
        raise HTTPException(404, "follow-up flag not found") from None
    except InputError as e:
        raise HTTPException(409, str(e)) from None
    audit(session, user, "carecall.flag_close", call_id, {"flag": record.id})
    return {
        "id": record.id,
        "call_id": record.call_id,
        "person_id": record.person_id,
        "open": record.open,
        "closed_by": record.closed_by,
        "closed_at": record.closed_at.isoformat() if record.closed_at else None,
        "note": record.note,
    }


@router.get("/api/v1/carecall/results.csv", tags=["results"], response_class=Response)
def api_carecall_csv(user: Viewer, session: DbSession) -> Response:
    """The org's care-call results as CSV (UTF-8 with a BOM)."""
    return carecall_export(user, session)
