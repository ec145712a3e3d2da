"""Campaigns: list, create, import a list (row errors shown), start, pause, resume, progress.

Pages under ``/console/campaigns`` (the progress box polls ``.../progress`` with htmx while the
campaign runs), API under ``/api/v1/campaigns``. The same :class:`agent.campaigns.Campaigns` the
CLI uses (the runtime's, on ``AICALL_CLOCK``); ``aicall worker`` (or ``aicall serve --worker``)
places the calls. Viewers read; operators create and run campaigns. Another org's campaign: 404.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from agent.campaigns import Campaign, Campaigns
from common.errors import InputError
from console.deps import (
    CurrentUser,
    DbSession,
    Operator,
    PostedForm,
    Viewer,
    audit,
    console_state,
)
from console.queries_calls import NotFound, view_helpers
from console.queries_campaigns import (
    RETRY_OUTCOMES,
    CampaignForm,
    ImportResult,
    build_spec,
    import_list,
    org_campaigns,
    owned_campaign,
    status_dict,
    why_waiting,
)
from console.render import render
from console.tenancy import org_scenario_ids

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter()


def _campaigns(request: Request) -> Campaigns:
    return console_state(request).runtime.campaigns


def _ids(request: Request, user: CurrentUser) -> set[str]:
    """The org's scenarios, read in a session of its own.

    A POST's write session stays idle until its audit row: the campaign API writes in
    transactions of its own, which that session's lock would block.
    """
    with console_state(request).db.session() as session:
        return org_scenario_ids(session, user.org_id)


def _owned(request: Request, user: CurrentUser, campaign_id: str) -> Campaign:
    try:
        return owned_campaign(_campaigns(request), _ids(request, user), campaign_id)
    except NotFound:
        raise HTTPException(404, "campaign not found") from None


def _wake(request: Request, campaign_id: str) -> None:
    """Ask the dispatchers to look at the campaign now (their sweep does it within a minute)."""
    try:
        console_state(request).runtime.campaign_queue.enqueue_dispatch(campaign_id)
    except Exception as e:  # the queue's own errors (Redis, SQLite) are not the operator's
        log.warning("campaign %s: dispatchers not woken: %s", campaign_id, e)


def _scenario_choices(request: Request, ids: set[str]) -> list[str]:
    scenarios = console_state(request).runtime.scenarios
    return sorted(
        s for s in ids if s in scenarios and scenarios[s].direction == "outbound"
    ) or sorted(s for s in ids if s in scenarios)


def _page(
    request: Request,
    user: CurrentUser,
    campaign: Campaign,
    *,
    imported: ImportResult | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    campaigns = _campaigns(request)
    status = campaigns.status(campaign.id)
    report = campaigns.report(campaign.id)
    return render(
        request,
        "campaigns/page.html",
        {
            "c": status.campaign,
            "st": status,
            "report": report,
            "imported": imported,
            "error": error,
            "why": why_waiting,
            "nav_active": "campaigns",
            **view_helpers(console_state(request).settings.timezone),
        },
        user=user,
        status_code=status_code,
    )


# -- pages -------------------------------------------------------------------------------------


@router.get("/console/campaigns", response_class=HTMLResponse, include_in_schema=False)
def campaigns_page(request: Request, user: Viewer, session: DbSession) -> HTMLResponse:
    """The org's campaigns with where each stands."""
    rows = org_campaigns(_campaigns(request), org_scenario_ids(session, user.org_id))
    return render(
        request,
        "campaigns/list.html",
        {"rows": rows, "nav_active": "campaigns"},
        user=user,
    )


def _form_page(
    request: Request,
    user: CurrentUser,
    form: CampaignForm,
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "campaigns/new.html",
        {
            "form": form,
            "errors": errors,
            "scenarios": _scenario_choices(request, _ids(request, user)),
            "outcomes": RETRY_OUTCOMES,
            "nav_active": "campaigns",
        },
        user=user,
        status_code=status_code,
    )


@router.get("/console/campaigns/new", response_class=HTMLResponse, include_in_schema=False)
def new_campaign_page(request: Request, user: Operator) -> HTMLResponse:
    """The form of a new campaign."""
    form = CampaignForm()
    choices = _scenario_choices(request, _ids(request, user))
    form.scenario_id = choices[0] if choices else ""
    form.caller_id = os.environ.get("AICALL_CALLER_ID", "")  # as `aicall campaign create`
    return _form_page(request, user, form, {})


@router.post("/console/campaigns", include_in_schema=False)
def create_campaign_form(
    request: Request, user: Operator, session: DbSession, data: PostedForm
) -> Response:
    """Create a campaign from the form; the form again with its errors at the fields."""
    form = CampaignForm.from_mapping({k: v for k, v in data.items() if isinstance(v, str)})
    ids = _ids(request, user)
    spec, errors = build_spec(form, console_state(request).runtime.scenarios, ids)
    if spec is not None:
        try:
            _campaigns(request).create(spec)
        except InputError as e:
            errors["id"] = str(e)
    if spec is None or errors:
        return _form_page(request, user, form, errors, status_code=422)
    audit(session, user, "campaign.create", spec.id, {"scenario": spec.scenario_id})
    return RedirectResponse(f"/console/campaigns/{spec.id}", status_code=303)


@router.get(
    "/console/campaigns/{campaign_id}", response_class=HTMLResponse, include_in_schema=False
)
def campaign_page(request: Request, campaign_id: str, user: Viewer) -> HTMLResponse:
    """One campaign: settings, import, start/pause/resume, live progress, the report."""
    return _page(request, user, _owned(request, user, campaign_id))


@router.get(
    "/console/campaigns/{campaign_id}/progress",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def campaign_progress(request: Request, campaign_id: str, user: Viewer) -> HTMLResponse:
    """The progress box (htmx polls it while the campaign runs)."""
    campaign = _owned(request, user, campaign_id)
    campaigns = _campaigns(request)
    return render(
        request,
        "campaigns/_progress.html",
        {
            "c": campaign,
            "st": campaigns.status(campaign.id),
            "totals": campaigns.report(campaign.id).totals,
            "why": why_waiting,
            **view_helpers(console_state(request).settings.timezone),
        },
        user=user,
    )


@router.post("/console/campaigns/{campaign_id}/import", include_in_schema=False)
def import_form(
    request: Request,
    campaign_id: str,
    user: Operator,
    session: DbSession,
    file: Annotated[UploadFile, File(description="People: .csv or .xlsx with name and phone.")],
) -> HTMLResponse:
    """Import a list of people: every bad row shown, nothing stored unless all are good."""
    campaign = _owned(request, user, campaign_id)
    result = import_list(_campaigns(request), campaign, file.filename or "", file.file.read())
    if result.ok:
        audit(session, user, "campaign.import", campaign.id, {"people": result.added})
    return _page(
        request,
        user,
        _campaigns(request).get(campaign.id),
        imported=result,
        status_code=200 if result.ok else 422,
    )


def _run(request: Request, user: CurrentUser, campaign_id: str, action: str, caller_id: str) -> str:
    campaign = _owned(request, user, campaign_id)
    campaigns = _campaigns(request)
    if action == "start":
        campaigns.start(campaign.id, caller_id=caller_id or None)
    elif action == "pause":
        campaigns.pause(campaign.id)
    else:
        campaigns.resume(campaign.id)
    if action != "pause":
        _wake(request, campaign.id)
    return campaign.id


def _run_form(
    request: Request, campaign_id: str, action: str, user: CurrentUser, session: Any, caller_id: str
) -> Response:
    try:
        _run(request, user, campaign_id, action, caller_id)
    except InputError as e:
        return _page(
            request, user, _owned(request, user, campaign_id), error=str(e), status_code=409
        )
    audit(session, user, f"campaign.{action}", campaign_id)
    return RedirectResponse(f"/console/campaigns/{campaign_id}", status_code=303)


@router.post("/console/campaigns/{campaign_id}/start", include_in_schema=False)
def start_form(
    request: Request,
    campaign_id: str,
    user: Operator,
    session: DbSession,
    caller_id: Annotated[str, Form()] = "",
) -> Response:
    """Start calling (round 1 for everyone); the page again with the error when it cannot."""
    return _run_form(request, campaign_id, "start", user, session, caller_id)


@router.post("/console/campaigns/{campaign_id}/pause", include_in_schema=False)
def pause_form(request: Request, campaign_id: str, user: Operator, session: DbSession) -> Response:
    """Place no new calls (calls in progress go on)."""
    return _run_form(request, campaign_id, "pause", user, session, "")


@router.post("/console/campaigns/{campaign_id}/resume", include_in_schema=False)
def resume_form(request: Request, campaign_id: str, user: Operator, session: DbSession) -> Response:
    """Place calls again."""
    return _run_form(request, campaign_id, "resume", user, session, "")


@router.get("/console/campaigns/{campaign_id}/export.csv", include_in_schema=False)
def export_csv(request: Request, campaign_id: str, user: Viewer) -> Response:
    """The report as CSV, one row per person (UTF-8 with a BOM for Excel)."""
    campaign = _owned(request, user, campaign_id)
    return Response(
        "\ufeff" + _campaigns(request).export_csv(campaign.id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={campaign.id}.csv"},
    )


# -- API ---------------------------------------------------------------------------------------


class NewCampaign(BaseModel):
    """A new campaign (the fields of ``aicall campaign create``)."""

    id: str = Field(description="Short name: lowercase letters, digits, - and _.")
    scenario_id: str
    days: str = "mon-fri"
    windows: str = Field("10:00-12:00, 14:00-17:00", description="HH:MM-HH:MM, comma separated.")
    timezone: str = "Asia/Seoul"
    holidays: str = Field("KR", description="Country whose holidays are skipped, or none.")
    cap: int = Field(5, description="Calls at once, at most.")
    region: str = "KR"
    caller_id: str = ""
    machine: str = "hangup"
    recurrence: str = "once"
    retry: dict[str, str] = Field(
        default_factory=dict, description="OUTCOME -> DELAY,xBACKOFF,MAX, e.g. no-answer: 1h,x2,3"
    )


class RunCampaign(BaseModel):
    """Start options."""

    caller_id: str = ""


def _report_json(campaigns: Campaigns, campaign_id: str) -> dict[str, Any]:
    report = campaigns.report(campaign_id)
    return {
        **status_dict(campaigns.status(campaign_id)),
        "totals": report.totals,
        "report": [asdict(p) for p in report.people],
    }


@router.get("/api/v1/campaigns", tags=["campaigns"])
def api_campaigns(request: Request, user: Viewer, session: DbSession) -> list[dict[str, Any]]:
    """The org's campaigns and where each stands."""
    rows = org_campaigns(_campaigns(request), org_scenario_ids(session, user.org_id))
    return [status_dict(s) for s in rows]


@router.post("/api/v1/campaigns", tags=["campaigns"], status_code=201)
def api_create(
    request: Request, body: NewCampaign, user: Operator, session: DbSession
) -> dict[str, Any]:
    """Create a campaign (draft: import people, then start). 422 names the bad fields."""
    form = CampaignForm.from_mapping(
        {**body.model_dump(exclude={"retry"}), "cap": str(body.cap), "retry": body.retry}
    )
    spec, errors = build_spec(form, console_state(request).runtime.scenarios, _ids(request, user))
    if spec is not None:
        try:
            _campaigns(request).create(spec)
        except InputError as e:
            errors["id"] = str(e)
    if spec is None or errors:
        raise HTTPException(422, {"errors": errors})
    audit(session, user, "campaign.create", spec.id, {"scenario": spec.scenario_id})
    return _report_json(_campaigns(request), spec.id)


@router.get("/api/v1/campaigns/{campaign_id}", tags=["campaigns"])
def api_campaign(request: Request, campaign_id: str, user: Viewer) -> dict[str, Any]:
    """A campaign: settings, people by attempt state, totals, each person's result."""
    campaign = _owned(request, user, campaign_id)
    return _report_json(_campaigns(request), campaign.id)


@router.post("/api/v1/campaigns/{campaign_id}/import", tags=["campaigns"])
def api_import(
    request: Request,
    campaign_id: str,
    user: Operator,
    session: DbSession,
    file: Annotated[UploadFile, File(description="People: .csv or .xlsx with name and phone.")],
) -> Response:
    """Import people, all or none; 422 with every bad row (row, column, message)."""
    campaign = _owned(request, user, campaign_id)
    result = import_list(_campaigns(request), campaign, file.filename or "", file.file.read())
    if result.ok:
        audit(session, user, "campaign.import", campaign.id, {"people": result.added})
    from_json = result.as_dict()
    from_json["people"] = _campaigns(request).get(campaign.id).people
    return _json(from_json, 200 if result.ok else 422)


def _json(data: dict[str, Any], status: int) -> Response:
    return JSONResponse(data, status_code=status)


def _api_run(
    request: Request, campaign_id: str, action: str, user: CurrentUser, session: Any, caller: str
) -> dict[str, Any]:
    try:
        _run(request, user, campaign_id, action, caller)
    except InputError as e:
        raise HTTPException(409, str(e)) from None
    audit(session, user, f"campaign.{action}", campaign_id)
    return _report_json(_campaigns(request), campaign_id)


@router.post("/api/v1/campaigns/{campaign_id}/start", tags=["campaigns"])
def api_start(
    request: Request,
    campaign_id: str,
    user: Operator,
    session: DbSession,
    body: RunCampaign | None = None,
) -> dict[str, Any]:
    """Start calling: round 1 for everyone (409 with no people, no caller id, not a draft)."""
    return _api_run(request, campaign_id, "start", user, session, body.caller_id if body else "")


@router.post("/api/v1/campaigns/{campaign_id}/pause", tags=["campaigns"])
def api_pause(
    request: Request, campaign_id: str, user: Operator, session: DbSession
) -> dict[str, Any]:
    """Place no new calls (409 when not running)."""
    return _api_run(request, campaign_id, "pause", user, session, "")


@router.post("/api/v1/campaigns/{campaign_id}/resume", tags=["campaigns"])
def api_resume(
    request: Request, campaign_id: str, user: Operator, session: DbSession
) -> dict[str, Any]:
    """Place calls again (409 when not paused)."""
    return _api_run(request, campaign_id, "resume", user, session, "")


@router.get("/api/v1/campaigns/{campaign_id}/export.csv", tags=["campaigns"])
def api_export(request: Request, campaign_id: str, user: Viewer) -> Response:
    """The report as CSV (UTF-8 with a BOM)."""
    return export_csv(request, campaign_id, user)
