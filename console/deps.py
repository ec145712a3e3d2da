"""FastAPI dependencies every console router uses: who is asking, their role, CSRF, the database.

::

    from console.deps import ApiUser, DbSession, Operator, PageUser, audit, require_role

    @router.get("/console/things")                       # a page: redirects to the login
    def things(request: Request, user: PageUser, session: DbSession) -> HTMLResponse: ...

    @router.post("/api/v1/things")                       # the API: 401 JSON without a login
    def make(user: Operator, session: DbSession) -> dict: ...   # 403 below operator

Who: a browser session (cookie ``aicall_session``, a random id stored as its sha256) or an API
token (``Authorization: Bearer aic_...``). Under ``/api/`` a missing login is ``401`` JSON;
elsewhere a redirect to ``/console/login?next=...``.

CSRF: every POST/PUT/PATCH/DELETE made with the session cookie must carry the session's token,
as the form field ``csrf_token`` or the header ``X-CSRF-Token`` (htmx sends the header, from
``<meta name="csrf-token">`` in base.html); without it: ``403``. Requests with a Bearer token
are exempt (no cookie is involved). The check runs inside every user dependency here
(``page_user``, ``api_user``, ``require_role``): a route that knows its user is protected.

The database: :data:`DbSession` is a read session (rolled back) for GET/HEAD and a transaction
committed when the route function returns for the other methods (before the response is sent).
Routes are plain ``def`` functions: FastAPI runs them in its thread pool, off the event loop.
A route that reads a form of free field names takes :data:`PostedForm` (read on the loop) rather
than being ``async def`` for ``await request.form()``: an ``async def`` route would run its
database, file and scenario-loader work on the loop that carries live calls.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.store import Database
from console.accounts import Identity, identity_for_session, identity_for_token, note_token_use
from console.i18n import request_lang
from console.models import ROLES, AuditEntry

__all__ = [
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "Admin",
    "ApiUser",
    "ConsoleState",
    "CsrfError",
    "CurrentUser",
    "DbSession",
    "LoginRequired",
    "Operator",
    "PageUser",
    "PostedForm",
    "Viewer",
    "api_user",
    "audit",
    "console_state",
    "csrf_protect",
    "db_session",
    "optional_user",
    "page_user",
    "posted_form",
    "require_role",
]

SESSION_COOKIE = "aicall_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNKNOWN = object()  # request.state has no user resolved yet


@dataclass
class ConsoleState:
    """What the console keeps on ``app.state.console``: settings, the runtime, its database."""

    settings: Settings
    runtime: AgentRuntime
    db: Database
    extra: dict[str, Any] = field(default_factory=dict)  # other areas' shared objects


@dataclass(frozen=True)
class CurrentUser:
    """The user of a request in the organisation they act in.

    Attributes:
        user_id, org_id, org_slug, role, name: who, where, with which role.
        lang: the language of this request's pages ("ko" or "en").
        org_name: the organisation's display name (the header shows it).
        csrf_token: the session's CSRF token (``None`` with an API token).
        via_token: the request came with ``Authorization: Bearer``.
        username: the login name.
        orgs: ``(slug, name)`` of every organisation the user belongs to (the header offers a
            switch when there are several).
    """

    user_id: int
    org_id: int
    org_slug: str
    role: str
    name: str
    lang: str
    org_name: str = ""
    csrf_token: str | None = None
    via_token: bool = False
    username: str = ""
    orgs: tuple[tuple[str, str], ...] = ()

    def can(self, role: str) -> bool:
        """Whether this user has ``role`` or a stronger one (viewer < operator < admin)."""
        return ROLES.index(self.role) >= ROLES.index(role)


class LoginRequired(Exception):
    """A page asked for a user and there is none: the console redirects to its login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfError(Exception):
    """An unsafe request with the session cookie but without its CSRF token (403)."""


def console_state(request: Request) -> ConsoleState:
    """The console's state (set by :func:`console.app.mount_console`)."""
    state: ConsoleState = request.app.state.console
    return state


def db_session(request: Request) -> Iterator[Session]:
    """A read session for safe methods, else a transaction committed after the route returns."""
    db = console_state(request).db
    if request.method in SAFE_METHODS:
        with db.session() as session:
            yield session
    else:
        with db.transaction() as session:
            yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]


async def posted_form(request: Request) -> FormData:
    """The request's form, read on the event loop so that the route itself can be a plain ``def``.

    A route whose fields are not known in advance (the scenario editor names them by path) takes
    ``form: PostedForm`` instead of being ``async def`` for ``await request.form()``: FastAPI then
    runs it, the database and the files in its thread pool, off the loop that carries live calls.
    """
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _lookup(db: Database, *, token: str | None, sid: str | None) -> Identity | None:
    with db.session() as session:
        if token is not None:
            identity = identity_for_token(session, token)
        elif sid:
            identity = identity_for_session(session, sid)
        else:
            identity = None
    if identity is not None and identity.token_id is not None and identity.token_seen_long_ago:
        with db.transaction() as session:
            note_token_use(session, identity.token_id)
    return identity


async def _sent_csrf(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette keeps it: the route reads the same form
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def optional_user(request: Request) -> CurrentUser | None:
    """The request's user, or ``None`` when nobody is logged in; checks CSRF on unsafe methods.

    Raises:
        CsrfError: an unsafe method with the session cookie but not its CSRF token.
    """
    cached: Any = getattr(request.state, "console_user", _UNKNOWN)
    if cached is not _UNKNOWN:
        known: CurrentUser | None = cached
        return known
    token = _bearer(request)
    sid = request.cookies.get(SESSION_COOKIE)
    db = console_state(request).db
    identity = await run_in_threadpool(_lookup, db, token=token, sid=sid)
    user = None
    if identity is not None:
        if token is None and request.method not in SAFE_METHODS:
            sent = await _sent_csrf(request)
            if not identity.csrf_token or not hmac.compare_digest(
                sent.encode(), identity.csrf_token.encode()
            ):
                raise CsrfError("CSRF token missing or wrong")
        user = CurrentUser(
            user_id=identity.user_id,
            org_id=identity.org_id,
            org_slug=identity.org_slug,
            role=identity.role,
            name=identity.name,
            lang=request_lang(request, identity.lang),
            org_name=identity.org_name,
            csrf_token=identity.csrf_token,
            via_token=token is not None,
            username=identity.username,
            orgs=identity.orgs,
        )
    request.state.console_user = user
    return user


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def page_user(request: Request) -> CurrentUser:
    """The logged-in user of a page; else a redirect to ``/console/login?next=<this page>``."""
    user = await optional_user(request)
    if user is None:
        if _is_api(request):
            raise HTTPException(
                401, "login required: a console session or Authorization: Bearer <API token>"
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


async def api_user(request: Request) -> CurrentUser:
    """The user of an API call (session cookie or Bearer token); else ``401`` JSON."""
    user = await optional_user(request)
    if user is None:
        raise HTTPException(
            401,
            "login required: a console session or Authorization: Bearer <API token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def require_role(role: str) -> Callable[[Request], Awaitable[CurrentUser]]:
    """A dependency: the user (as :func:`page_user` / :func:`api_user`), ``403`` below ``role``."""
    if role not in ROLES:
        raise ValueError(f"role {role!r}: one of {ROLES}")

    async def dependency(request: Request) -> CurrentUser:
        user = await (api_user(request) if _is_api(request) else page_user(request))
        if not user.can(role):
            raise HTTPException(403, f"this needs the {role} role (you are {user.role})")
        return user

    dependency.__name__ = f"require_{role}"
    return dependency


async def csrf_protect(request: Request) -> None:
    """Check the CSRF token of an unsafe request (also done by every user dependency)."""
    await optional_user(request)


PageUser = Annotated[CurrentUser, Depends(page_user)]
ApiUser = Annotated[CurrentUser, Depends(api_user)]
Viewer = Annotated[CurrentUser, Depends(require_role("viewer"))]
Operator = Annotated[CurrentUser, Depends(require_role("operator"))]
Admin = Annotated[CurrentUser, Depends(require_role("admin"))]


def audit(
    session: Session,
    user: CurrentUser | None,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    *,
    org_id: int | None = None,
) -> None:
    """Write one audit-log row: who (``user``) did ``action`` to ``target`` (in their org).

    Call it inside the transaction that makes the change (``DbSession`` of a POST), so the
    row is stored exactly when the change is. ``action`` is a short dotted verb
    (``scenario.save``, ``user.create``); ``detail`` a small JSON object (no secrets, no PII).
    """
    session.add(
        AuditEntry(
            org_id=user.org_id if user is not None else org_id,
            user_id=user.user_id if user is not None else None,
            username=user.username if user is not None else "",
            action=action[:64],
            target=target[:300],
            detail=detail,
        )
    )
