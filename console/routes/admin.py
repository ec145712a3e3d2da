"""Admin: users and roles, API tokens, the audit log (pages under /console/admin, /api/v1)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.store.models import utcnow
from common.errors import InputError
from console.accounts import (
    add_membership,
    create_api_token,
    create_user,
    set_password,
    users_of_org,
    verify_password,
)
from console.deps import SESSION_COOKIE, Admin, CurrentUser, DbSession, Viewer, audit
from console.i18n import t
from console.models import ROLES, ApiToken, AuditEntry, Membership, Org, User
from console.render import render
from console.tenancy import not_found

__all__ = ["router"]

router = APIRouter()


# ---------------------------------------------------------------- services (pages and API)


def _member(session: Session, admin: CurrentUser, user_id: int) -> tuple[User, Membership]:
    """The user ``user_id`` of the admin's organisation (404 for anyone else)."""
    row = session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id == user_id, Membership.org_id == admin.org_id)
    ).first()
    if row is None:
        not_found("user not found")
    return row[0], row[1]


def add_user(
    session: Session,
    admin: CurrentUser,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
) -> User:
    """Create a user in the admin's organisation (audited)."""
    org = session.get(Org, admin.org_id)
    assert org is not None
    user = create_user(
        session, username.strip(), password, org=org, role=role, display_name=display_name
    )
    audit(session, admin, "user.create", user.username, {"role": role})
    return user


def change_user(
    session: Session,
    admin: CurrentUser,
    user_id: int,
    *,
    role: str | None = None,
    active: bool | None = None,
) -> User:
    """Change a user's role or active flag (audited; never one's own)."""
    user, membership = _member(session, admin, user_id)
    if user.id == admin.user_id:
        raise InputError(
            "you cannot change your own role or deactivate yourself "
            "(자신의 역할을 바꾸거나 자신을 비활성화할 수 없습니다)"
        )
    if role is not None and role != membership.role:
        org = session.get(Org, admin.org_id)
        assert org is not None
        add_membership(session, user, org, role)
        audit(session, admin, "user.role", user.username, {"from": membership.role, "to": role})
    if active is not None and active != user.active:
        user.active = active
        audit(session, admin, "user.active", user.username, {"active": active})
    return user


def tokens_of(session: Session, user: CurrentUser) -> list[tuple[ApiToken, str]]:
    """Tokens a user manages: an admin all of the organisation's, anyone else their own."""
    query = (
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.org_id == user.org_id)
        .order_by(ApiToken.id.desc())
    )
    if not user.can("admin"):
        query = query.where(ApiToken.user_id == user.user_id)
    return [(tok, name) for tok, name in session.execute(query).all()]


def revoke_token(session: Session, user: CurrentUser, token_id: int) -> ApiToken:
    """Revoke a token the user manages (404 for any other)."""
    row = session.get(ApiToken, token_id)
    if (
        row is None
        or row.org_id != user.org_id
        or (not user.can("admin") and row.user_id != user.user_id)
    ):
        not_found("token not found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit(session, user, "token.revoke", row.name, {"token_id": row.id})
    return row


def new_token(session: Session, user: CurrentUser, name: str) -> tuple[int, str]:
    """Create a token for the user in their organisation (audited); the token is shown once."""
    token_id, token = create_api_token(session, user.user_id, user.org_id, name)
    audit(session, user, "token.create", name.strip(), {"token_id": token_id})
    return token_id, token


def audit_rows(session: Session, org_id: int, *, limit: int = 200) -> list[AuditEntry]:
    """The organisation's latest audit rows, newest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.org_id == org_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- pages


def _users_page(
    request: Request,
    session: Session,
    user: CurrentUser,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "admin/users.html",
        {
            "members": users_of_org(session, user.org_id),
            "roles": ROLES,
            "error": error,
            "notice": notice,
            "nav_active": "admin",
            "admin_tab": "users",
        },
        user=user,
        status_code=status_code,
    )


@router.get("/console/admin", include_in_schema=False)
def admin_home(user: Viewer) -> Response:
    """Admins land on the users page, everyone else on their API tokens."""
    target = "/console/admin/users" if user.can("admin") else "/console/admin/tokens"
    return RedirectResponse(target, status_code=303)


@router.get("/console/admin/users", include_in_schema=False)
def users_page(request: Request, user: Admin, session: DbSession) -> HTMLResponse:
    """The organisation's users with their roles, a form to add one."""
    return _users_page(request, session, user)


@router.post("/console/admin/users", include_in_schema=False)
def users_add(
    request: Request,
    user: Admin,
    session: DbSession,
    username: Annotated[str, Form(max_length=63)],
    password: Annotated[str, Form(max_length=1000)],
    role: Annotated[str, Form()],
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """Add a user (the page again, with the error at the form when the input is bad)."""
    try:
        with session.begin_nested():
            added = add_user(
                session,
                user,
                username=username,
                password=password,
                role=role,
                display_name=display_name,
            )
    except InputError as e:
        return _users_page(request, session, user, error=str(e), status_code=400)
    notice = t("core.admin.user_added", user.lang, name=added.username)
    return _users_page(request, session, user, notice=notice)


@router.post("/console/admin/users/{user_id}", include_in_schema=False)
def users_change(
    request: Request,
    user_id: int,
    user: Admin,
    session: DbSession,
    role: Annotated[str | None, Form()] = None,
    active: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    """Change a user's role or deactivate / reactivate them."""
    try:
        with session.begin_nested():
            change_user(
                session,
                user,
                user_id,
                role=role,
                active=None if active is None else active == "1",
            )
    except InputError as e:
        return _users_page(request, session, user, error=str(e), status_code=400)
    return _users_page(request, session, user)


def _tokens_page(
    request: Request,
    session: Session,
    user: CurrentUser,
    *,
    created: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "admin/tokens.html",
        {
            "tokens": tokens_of(session, user),
            "created": created,
            "error": error,
            "nav_active": "admin",
            "admin_tab": "tokens",
        },
        user=user,
        status_code=status_code,
    )


@router.get("/console/admin/tokens", include_in_schema=False)
def tokens_page(request: Request, user: Viewer, session: DbSession) -> HTMLResponse:
    """API tokens: the user's own (an admin's: the organisation's), a form to create one."""
    return _tokens_page(request, session, user)


@router.post("/console/admin/tokens", include_in_schema=False)
def tokens_create(
    request: Request,
    user: Viewer,
    session: DbSession,
    name: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """Create a token and show it once."""
    try:
        with session.begin_nested():
            _, token = new_token(session, user, name)
    except InputError as e:
        return _tokens_page(request, session, user, error=str(e), status_code=400)
    return _tokens_page(request, session, user, created=token)


@router.post("/console/admin/tokens/{token_id}/revoke", include_in_schema=False)
def tokens_revoke(request: Request, token_id: int, user: Viewer, session: DbSession) -> Response:
    """Revoke a token."""
    revoke_token(session, user, token_id)
    return RedirectResponse("/console/admin/tokens", status_code=303)


def _account_page(
    request: Request,
    user: CurrentUser,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "admin/account.html",
        {"error": error, "nav_active": "admin", "admin_tab": "account"},
        user=user,
        status_code=status_code,
    )


@router.get("/console/admin/account", include_in_schema=False)
def account_page(request: Request, user: Viewer) -> HTMLResponse:
    """The user's own account: change the password."""
    return _account_page(request, user)


@router.post("/console/admin/account/password", include_in_schema=False)
def account_password(
    request: Request,
    user: Viewer,
    session: DbSession,
    current: Annotated[str | None, Form(max_length=1000)] = None,
    new: Annotated[str | None, Form(max_length=1000)] = None,
    repeat: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    """Change one's own password (the current one first); every session of the user ends."""
    row = session.get(User, user.user_id)
    assert row is not None
    if not verify_password(row.password_hash, current or ""):
        return _account_page(
            request, user, error=t("core.account.wrong_current", user.lang), status_code=400
        )
    if (new or "") != (repeat or ""):
        return _account_page(
            request, user, error=t("core.account.mismatch", user.lang), status_code=400
        )
    try:
        with session.begin_nested():
            set_password(session, row, new or "")
    except InputError as e:
        return _account_page(request, user, error=str(e), status_code=400)
    audit(session, user, "user.password", user.username)
    response = RedirectResponse("/console/login?changed=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/console/admin/audit", include_in_schema=False)
def audit_page(request: Request, user: Admin, session: DbSession) -> HTMLResponse:
    """The organisation's audit log, newest first."""
    return render(
        request,
        "admin/audit.html",
        {"rows": audit_rows(session, user.org_id), "nav_active": "admin", "admin_tab": "audit"},
        user=user,
    )


# ---------------------------------------------------------------- API


class UserOut(BaseModel):
    """A user of the organisation."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool


class UserIn(BaseModel):
    """A new user."""

    username: str = Field(max_length=63)
    password: str = Field(max_length=1000)
    role: str = "viewer"
    display_name: str = ""


class UserPatch(BaseModel):
    """A change of role or active flag."""

    role: str | None = None
    active: bool | None = None


class TokenIn(BaseModel):
    """A new API token."""

    name: str = Field(max_length=100)


class TokenOut(BaseModel):
    """An API token (never the token itself, except once at creation: ``token``)."""

    id: int
    name: str
    prefix: str
    owner: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    token: str | None = None


class AuditOut(BaseModel):
    """One audit-log row."""

    id: int
    at: datetime
    username: str
    action: str
    target: str
    detail: dict[str, Any] | None


def _user_out(user: User, role: str) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=role,
        active=user.active,
    )


def _input_error(e: InputError) -> Response:
    return JSONResponse({"detail": str(e)}, status_code=400)


@router.get("/api/v1/users", tags=["accounts"])
def api_users(user: Admin, session: DbSession) -> list[UserOut]:
    """The organisation's users (admin)."""
    return [_user_out(u, r) for u, r in users_of_org(session, user.org_id)]


@router.post("/api/v1/users", tags=["accounts"], status_code=201, response_model=UserOut)
def api_add_user(body: UserIn, user: Admin, session: DbSession) -> Any:
    """Add a user to the organisation (admin)."""
    try:
        with session.begin_nested():
            added = add_user(
                session,
                user,
                username=body.username,
                password=body.password,
                role=body.role,
                display_name=body.display_name,
            )
    except InputError as e:
        return _input_error(e)
    return _user_out(added, body.role)


@router.patch("/api/v1/users/{user_id}", tags=["accounts"], response_model=UserOut)
def api_change_user(user_id: int, body: UserPatch, user: Admin, session: DbSession) -> Any:
    """Change a user's role or active flag (admin)."""
    try:
        with session.begin_nested():
            changed = change_user(session, user, user_id, role=body.role, active=body.active)
    except InputError as e:
        return _input_error(e)
    _, membership = _member(session, user, user_id)
    return _user_out(changed, membership.role)


def _token_out(row: ApiToken, owner: str, token: str | None = None) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        owner=owner,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        token=token,
    )


@router.get("/api/v1/tokens", tags=["accounts"])
def api_tokens(user: Viewer, session: DbSession) -> list[TokenOut]:
    """API tokens the caller manages."""
    return [_token_out(tok, owner) for tok, owner in tokens_of(session, user)]


@router.post("/api/v1/tokens", tags=["accounts"], status_code=201, response_model=TokenOut)
def api_create_token(body: TokenIn, user: Viewer, session: DbSession) -> Any:
    """Create an API token for the caller; ``token`` is in this answer only."""
    try:
        with session.begin_nested():
            token_id, token = new_token(session, user, body.name)
    except InputError as e:
        return _input_error(e)
    row = session.get(ApiToken, token_id)
    assert row is not None
    return _token_out(row, user.username, token)


@router.delete("/api/v1/tokens/{token_id}", tags=["accounts"], status_code=204)
def api_revoke_token(token_id: int, user: Viewer, session: DbSession) -> Response:
    """Revoke an API token the caller manages."""
    revoke_token(session, user, token_id)
    return Response(status_code=204)


@router.get("/api/v1/audit", tags=["accounts"])
def api_audit(
    user: Admin, session: DbSession, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[AuditOut]:
    """The organisation's audit log, newest first (admin)."""
    return [
        AuditOut(
            id=r.id,
            at=r.at,
            username=r.username,
            action=r.action,
            target=r.target,
            detail=r.detail,
        )
        for r in audit_rows(session, user.org_id, limit=limit)
    ]
