"""Accounts: organisations, users and roles, passwords, browser sessions, API tokens, login limits.

Every function takes an open SQLAlchemy session (the caller's transaction) and raises
:class:`common.errors.InputError` with a clear message on bad input. Passwords are hashed with
argon2id (argon2-cffi); session ids and API tokens are random and stored only as their sha256.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from agent.store.models import utcnow
from common.errors import InputError
from console.models import (
    ROLES,
    ApiToken,
    ConsoleScenario,
    LoginAttempt,
    Membership,
    Org,
    User,
    WebSession,
)

__all__ = [
    "LOGIN_FAILURES",
    "LOGIN_WINDOW",
    "SESSION_LIFETIME",
    "TOKEN_PREFIX",
    "Identity",
    "add_membership",
    "assign_scenario",
    "authenticate",
    "check_password_strength",
    "create_api_token",
    "create_org",
    "create_user",
    "end_session",
    "hash_password",
    "identity_for_token",
    "identity_for_session",
    "first_membership",
    "login_blocked",
    "note_token_use",
    "orgs_of_user",
    "new_session",
    "record_failure",
    "set_password",
    "sha256",
    "switch_org",
    "users_of_org",
    "verify_password",
]

#: Failed logins (per username, and per source address) that block further tries ...
LOGIN_FAILURES = 5
#: ... for this long after the last of them.
LOGIN_WINDOW = timedelta(minutes=15)
#: A browser session lasts this long after login.
SESSION_LIFETIME = timedelta(hours=12)
#: A token's "last used" is written at most this often (not on every request).
TOKEN_USE_PRECISION = timedelta(minutes=5)
#: API tokens start with this (so a leaked one is recognisable in logs and scanners).
TOKEN_PREFIX = "aic_"
MIN_PASSWORD = 10

_hasher = PasswordHasher()
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$")


@dataclass(frozen=True)
class Identity:
    """Who a request is: the user, the organisation they act in and their role there."""

    user_id: int
    org_id: int
    org_slug: str
    org_name: str
    role: str
    name: str
    lang: str | None
    username: str
    csrf_token: str | None  # None for an API token (no CSRF: no cookie is involved)
    orgs: tuple[tuple[str, str], ...] = ()  # (slug, name) of every organisation of the user
    token_id: int | None = None  # the API token used, when one was
    token_seen_long_ago: bool = False  # its last use is not recorded in the last minutes


def sha256(value: str) -> str:
    """Hex sha256 of ``value`` (session ids and API tokens are stored this way)."""
    return hashlib.sha256(value.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> None:
    """Raise :class:`InputError` when ``password`` is too short."""
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"password too short: at least {MIN_PASSWORD} characters "
            f"(비밀번호는 {MIN_PASSWORD}자 이상이어야 합니다)"
        )


def create_org(session: Session, slug: str, name: str | None = None) -> Org:
    """A new organisation (``slug``: lowercase letters, digits, ``-``)."""
    if not _SLUG.match(slug):
        raise InputError(
            f"organisation {slug!r}: use lowercase letters, digits and '-' (e.g. 'city-care') "
            "(기관 아이디는 영문 소문자, 숫자, '-'만 쓸 수 있습니다)"
        )
    if session.scalar(select(Org).where(Org.slug == slug)) is not None:
        raise InputError(f"organisation {slug!r} already exists (이미 있는 기관입니다)")
    org = Org(slug=slug, name=name or slug)
    session.add(org)
    session.flush()
    return org


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    org: Org,
    role: str,
    display_name: str = "",
    lang: str | None = None,
) -> User:
    """A new user with ``role`` in ``org``."""
    if not _USERNAME.match(username):
        raise InputError(
            f"username {username!r}: letters, digits and . _ @ - only, at most 63 characters "
            "(아이디는 영문, 숫자, . _ @ - 만 63자까지 쓸 수 있습니다)"
        )
    if role not in ROLES:
        raise InputError(f"role {role!r}: one of {', '.join(ROLES)} (역할: {', '.join(ROLES)})")
    check_password_strength(password)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise InputError(f"user {username!r} already exists (이미 있는 아이디입니다)")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        lang=lang,
    )
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, org_id=org.id, role=role))
    session.flush()
    return user


def add_membership(session: Session, user: User, org: Org, role: str) -> None:
    """Give ``user`` ``role`` in ``org`` (or change the role they have there)."""
    if role not in ROLES:
        raise InputError(f"role {role!r}: one of {', '.join(ROLES)} (역할: {', '.join(ROLES)})")
    row = session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.org_id == org.id)
    )
    if row is None:
        session.add(Membership(user_id=user.id, org_id=org.id, role=role))
    else:
        row.role = role
    session.flush()


def set_password(session: Session, user: User, password: str) -> None:
    """Change ``user``'s password and end every session they have."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()


def assign_scenario(
    session: Session,
    org_id: int,
    scenario_id: str,
    *,
    path: str | None = None,
    created_by: int | None = None,
) -> None:
    """Make ``org_id`` the owner of ``scenario_id`` (a scenario belongs to one organisation)."""
    row = session.get(ConsoleScenario, scenario_id)
    if row is None:
        session.add(
            ConsoleScenario(
                scenario_id=scenario_id, org_id=org_id, path=path, created_by=created_by
            )
        )
    else:
        row.org_id = org_id
        if path is not None:
            row.path = path
    session.flush()


def _since(now: datetime) -> datetime:
    return now - LOGIN_WINDOW


def login_blocked(session: Session, username: str, address: str) -> bool:
    """Whether ``username`` or ``address`` had :data:`LOGIN_FAILURES` failures in the window."""
    since = _since(utcnow())
    by_name = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == username.lower(), LoginAttempt.at >= since)
    )
    by_address = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.address == address, LoginAttempt.at >= since)
    )
    return (by_name or 0) >= LOGIN_FAILURES or (by_address or 0) >= LOGIN_FAILURES


def record_failure(session: Session, username: str, address: str) -> None:
    """Store a failed login (and forget those older than the window)."""
    now = utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < _since(now)))
    session.add(LoginAttempt(username=username.lower()[:64], address=address[:64], at=now))
    session.flush()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, else ``None``."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        _hasher.hash(password)  # the same work as a real check: no timing hint of who exists
        return None
    if not user.active or not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.username == username.lower(), LoginAttempt.at >= _since(utcnow())
        )
    )
    return user


def first_membership(session: Session, user_id: int) -> Membership | None:
    """The user's oldest membership (the organisation a login lands in)."""
    return session.scalar(
        select(Membership).where(Membership.user_id == user_id).order_by(Membership.id).limit(1)
    )


def new_session(session: Session, user: User, org_id: int) -> str:
    """Start a browser session; returns the random id for the cookie (stored as its sha256)."""
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    sid = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id_hash=sha256(sid),
            user_id=user.id,
            org_id=org_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return sid


def switch_org(session: Session, sid: str, user_id: int, slug: str) -> Org | None:
    """Move browser session ``sid`` to the user's organisation ``slug`` (``None``: not theirs)."""
    org = session.scalar(
        select(Org)
        .join(Membership, Membership.org_id == Org.id)
        .where(Org.slug == slug, Membership.user_id == user_id)
    )
    row = session.get(WebSession, sha256(sid))
    if org is None or row is None or row.user_id != user_id:
        return None
    row.org_id = org.id
    return org


def end_session(session: Session, sid: str) -> None:
    """Forget a browser session (logout)."""
    session.execute(delete(WebSession).where(WebSession.id_hash == sha256(sid)))


def _identity(
    session: Session, user_id: int, org_id: int, csrf_token: str | None
) -> Identity | None:
    row = session.execute(
        select(User, Org, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .join(Org, Org.id == Membership.org_id)
        .where(User.id == user_id, Org.id == org_id, User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, org, role = row
    orgs = tuple(
        (slug, name)
        for slug, name in session.execute(
            select(Org.slug, Org.name)
            .join(Membership, Membership.org_id == Org.id)
            .where(Membership.user_id == user_id)
            .order_by(Org.slug)
        ).all()
    )
    return Identity(
        user_id=user.id,
        org_id=org.id,
        org_slug=org.slug,
        org_name=org.name,
        role=role,
        name=user.display_name or user.username,
        lang=user.lang,
        username=user.username,
        csrf_token=csrf_token,
        orgs=orgs,
    )


def identity_for_session(session: Session, sid: str) -> Identity | None:
    """Who holds browser session ``sid`` (``None``: unknown or expired)."""
    row = session.get(WebSession, sha256(sid))
    if row is None or row.expires_at <= utcnow():
        return None
    return _identity(session, row.user_id, row.org_id, row.csrf_token)


def create_api_token(session: Session, user_id: int, org_id: int, name: str) -> tuple[int, str]:
    """A new API token for the user in the organisation: ``(id, token)``; the token is shown once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InputError("token name: 1 to 100 characters (토큰 이름은 1~100자)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=sha256(token),
        prefix=token[:10],
        name=name,
        user_id=user_id,
        org_id=org_id,
    )
    session.add(row)
    session.flush()
    return row.id, token


def identity_for_token(session: Session, token: str) -> Identity | None:
    """Who an API token belongs to (``None``: unknown or revoked); notes its last use."""
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == sha256(token), ApiToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    identity = _identity(session, row.user_id, row.org_id, None)
    if identity is None:
        return None
    stale = row.last_used_at is None or row.last_used_at < utcnow() - TOKEN_USE_PRECISION
    return replace(identity, token_id=row.id, token_seen_long_ago=stale)


def note_token_use(session: Session, token_id: int) -> None:
    """Record that an API token was used now (shown on the tokens page)."""
    row = session.get(ApiToken, token_id)
    if row is not None:
        row.last_used_at = utcnow()


def users_of_org(session: Session, org_id: int) -> list[tuple[User, str]]:
    """The organisation's users with their role there, by username."""
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org_id)
        .order_by(User.username)
    ).all()
    return [(u, r) for u, r in rows]


def orgs_of_user(session: Session, user_id: int) -> list[tuple[Org, str]]:
    """The organisations a user belongs to, with their role in each."""
    rows = session.execute(
        select(Org, Membership.role)
        .join(Membership, Membership.org_id == Org.id)
        .where(Membership.user_id == user_id)
        .order_by(Org.slug)
    ).all()
    return [(o, r) for o, r in rows]
