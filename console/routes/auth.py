"""Login, logout, the language switch and the home dashboard (pages), ``/api/v1/me``."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from agent.store.campaign_models import CampaignRow
from agent.store.models import CallRow, FollowupFlag
from console.accounts import (
    LOGIN_WINDOW,
    authenticate,
    end_session,
    first_membership,
    login_blocked,
    new_session,
    record_failure,
    switch_org,
)
from console.deps import (
    SESSION_COOKIE,
    ApiUser,
    CurrentUser,
    DbSession,
    PageUser,
    audit,
    console_state,
    optional_user,
)
from console.i18n import LANG_COOKIE, LANGS, request_lang
from console.i18n import t as translate
from console.models import AuditEntry, User
from console.render import render
from console.tenancy import not_found, org_scenario_ids

__all__ = ["dashboard_counts", "router"]

router = APIRouter()

#: Cookie of the login form's CSRF token (there is no session yet to hold one).
LOGIN_CSRF_COOKIE = "aicall_login_csrf"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _safe_next(value: str | None) -> str:
    """Only a path of this console (no other site, no scheme-relative ``//host``)."""
    if value and value.startswith("/console") and not value.startswith("//"):
        return value
    return "/console"


def _login_page(
    request: Request,
    *,
    next_url: str,
    error: str | None = None,
    status_code: int = 200,
    username: str = "",
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "auth/login.html",
        {
            "next_url": next_url,
            "error": error,
            "login_csrf": token,
            "username": username,
            "logged_out": request.query_params.get("bye") == "1",
            "password_changed": request.query_params.get("changed") == "1",
            "nav_active": "login",
        },
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/console",
    )
    lang = request.query_params.get("lang")
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", secure=_secure(request))
    return response


@router.get("/console/login", include_in_schema=False)
def login_form(
    request: Request,
    user: Annotated[CurrentUser | None, Depends(optional_user)],
    next: str | None = None,
) -> Response:
    """The login page (Korean or English: ``?lang=``, the cookie or the browser's language)."""
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next_url=_safe_next(next))


@router.post("/console/login", include_in_schema=False)
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str | None, Form(max_length=1000)] = None,
    sent_csrf: Annotated[str | None, Form(alias="csrf_token")] = None,
    next: Annotated[str, Form()] = "/console",
) -> Response:
    """Check the password; start a session (cookie) or say why not (401, 429, 403)."""
    lang = request_lang(request)
    next_url = _safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, sent_csrf or ""):
        return render(
            request,
            "error.html",
            {"status": 403, "message_key": "core.csrf_failed"},
            status_code=403,
        )
    address = request.client.host if request.client else "unknown"
    username = username.strip()
    if login_blocked(session, username, address):
        minutes = int(LOGIN_WINDOW.total_seconds() // 60)
        return _login_page(
            request,
            next_url=next_url,
            error=_t(lang, "core.login.locked", minutes=minutes),
            status_code=429,
            username=username,
        )
    user = authenticate(session, username, password or "")
    membership = first_membership(session, user.id) if user is not None else None
    if user is None or membership is None:
        record_failure(session, username, address)
        audit(session, None, "login.failed", username[:64], {"address": address})
        return _login_page(
            request,
            next_url=next_url,
            error=_t(lang, "core.login.bad"),
            status_code=401,
            username=username,
        )
    sid = new_session(session, user, membership.org_id)
    session.add(_audit_row(user, membership.org_id, "login", user.username, {"address": address}))
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        sid,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    return response


def _t(lang: str, key: str, **fields: Any) -> str:
    return translate(key, lang, **fields)


def _audit_row(
    user: User, org_id: int, action: str, target: str, detail: dict[str, Any]
) -> AuditEntry:
    return AuditEntry(
        org_id=org_id,
        user_id=user.id,
        username=user.username,
        action=action,
        target=target,
        detail=detail,
    )


@router.post("/console/logout", include_in_schema=False)
def logout(request: Request, user: PageUser, session: DbSession) -> Response:
    """End the session (the cookie is cleared too)."""
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        end_session(session, sid)
    audit(session, user, "logout", user.username)
    response = RedirectResponse("/console/login?bye=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/console/lang", include_in_schema=False)
def switch_language(
    request: Request,
    user: PageUser,
    session: DbSession,
    lang: Annotated[str, Form()],
    back: Annotated[str, Form()] = "/console",
) -> Response:
    """Set the user's UI language (stored with the user, and in a cookie)."""
    if lang not in LANGS:
        lang = request_lang(request)
    row = session.get(User, user.user_id)
    if row is not None:
        row.lang = lang
    response = RedirectResponse(_safe_next(back), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, samesite="lax", secure=_secure(request))
    return response


@router.post("/console/org", include_in_schema=False)
def switch_organisation(
    request: Request,
    user: PageUser,
    session: DbSession,
    org: Annotated[str, Form(max_length=64)],
) -> Response:
    """Act in another organisation the user belongs to (this browser session only)."""
    sid = request.cookies.get(SESSION_COOKIE)
    target = switch_org(session, sid, user.user_id, org) if sid else None
    if target is None:
        not_found("organisation not found")
    session.add(_audit_row_for(user, target.id, "org.switch", target.slug))
    return RedirectResponse("/console", status_code=303)


def _audit_row_for(user: CurrentUser, org_id: int, action: str, target: str) -> AuditEntry:
    return AuditEntry(
        org_id=org_id, user_id=user.user_id, username=user.username, action=action, target=target
    )


def dashboard_counts(session: Session, org_id: int, timezone: str) -> dict[str, int]:
    """The home page's numbers for one organisation (read-only, through its scenario ids)."""
    ids = org_scenario_ids(session, org_id)
    if not ids:
        return {"scenarios": 0, "calls_today": 0, "flagged": 0, "campaigns_running": 0}
    tz = ZoneInfo(timezone)
    midnight = datetime.combine(datetime.now(tz).date(), time(0), tzinfo=tz).astimezone(UTC)
    calls = session.scalar(
        select(func.count())
        .select_from(CallRow)
        .where(CallRow.scenario_id.in_(ids), CallRow.started_at >= midnight)
    )
    flagged = session.scalar(
        select(func.count(distinct(FollowupFlag.person))).where(
            FollowupFlag.scenario_id.in_(ids), FollowupFlag.resolved.is_(False)
        )
    )
    running = session.scalar(
        select(func.count())
        .select_from(CampaignRow)
        .where(CampaignRow.scenario_id.in_(ids), CampaignRow.status == "running")
    )
    return {
        "scenarios": len(ids),
        "calls_today": calls or 0,
        "flagged": flagged or 0,
        "campaigns_running": running or 0,
    }


@router.get("/console", include_in_schema=False)
@router.get("/console/", include_in_schema=False)
def home(request: Request, user: PageUser, session: DbSession) -> HTMLResponse:
    """The home dashboard: the organisation's counts and scenarios."""
    state = console_state(request)
    counts = dashboard_counts(session, user.org_id, state.settings.timezone)
    ids = sorted(org_scenario_ids(session, user.org_id))
    scenarios = []
    for sid in ids:
        loaded = state.runtime.scenarios.get(sid)
        label = f"{loaded.persona.business} ({loaded.language})" if loaded is not None else sid
        scenarios.append((sid, label))
    return render(
        request,
        "home.html",
        {"counts": counts, "scenarios": scenarios, "nav_active": "home"},
        user=user,
    )


class Me(BaseModel):
    """Who the API caller is."""

    user_id: int
    username: str
    name: str
    org: str
    org_name: str
    role: str
    lang: str


@router.get("/api/v1/me", tags=["accounts"])
def me(user: ApiUser) -> Me:
    """The caller: user, organisation and role (a session cookie or an API token)."""
    return Me(
        user_id=user.user_id,
        username=user.username,
        name=user.name,
        org=user.org_slug,
        org_name=user.org_name,
        role=user.role,
        lang=user.lang,
    )
