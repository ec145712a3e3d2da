"""The console's tables: organisations, users, sessions, API tokens, the audit log.

They live in the agent's database (the same engine as :mod:`agent.store`) under a metadata of
their own (:data:`ConsoleBase`), created by :func:`create_console_schema` when the console is
mounted. Other console modules that need a table declare it on :class:`ConsoleBase` too (and are
imported before :func:`create_console_schema` runs: ``console.app`` imports every router).

Tenancy: an organisation owns scenarios (:class:`ConsoleScenario`, one row per scenario id);
everything else a tenant owns (calls, bookings, care-call people, campaigns) is reached through
the ids of its scenarios (``console/tenancy.py``).
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from agent.store.models import JsonType, UTCDateTime, utcnow

__all__ = [
    "ROLES",
    "ApiToken",
    "AuditEntry",
    "ConsoleBase",
    "ConsoleScenario",
    "LoginAttempt",
    "Membership",
    "Org",
    "User",
    "WebSession",
    "create_console_schema",
]

_SCHEMA_LOCK_KEY = zlib.crc32(b"aicall.console.schema")

#: Roles, weakest first: a viewer reads, an operator changes scenarios and runs calls and
#: campaigns, an admin also manages users and API tokens.
ROLES = ("viewer", "operator", "admin")


class ConsoleBase(DeclarativeBase):
    """Declarative base of every console table (a metadata apart from the agent's store)."""


class Org(ConsoleBase):
    """A tenant: a restaurant, a clinic, a city's care-call team."""

    __tablename__ = "console_orgs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(ConsoleBase):
    """A person who logs in (``username`` is unique across organisations)."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(ConsoleBase):
    """A user's role in an organisation."""

    __tablename__ = "console_memberships"
    __table_args__ = (UniqueConstraint("user_id", "org_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("console_orgs.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))


class WebSession(ConsoleBase):
    """A browser login: the cookie holds a random id, the table its sha256."""

    __tablename__ = "console_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("console_orgs.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(ConsoleBase):
    """A script's login (``Authorization: Bearer``): shown once, stored as its sha256."""

    __tablename__ = "console_api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("console_orgs.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginAttempt(ConsoleBase):
    """A failed login (the rate limit counts them per username and per source address)."""

    __tablename__ = "console_login_attempts"
    __table_args__ = (
        Index("ix_console_login_attempts_username", "username", "at"),
        Index("ix_console_login_attempts_address", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(ConsoleBase):
    """Who changed what, when (``audit(...)`` in ``console/deps.py`` writes them)."""

    __tablename__ = "console_audit_log"
    __table_args__ = (Index("ix_console_audit_org_at", "org_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)


class ConsoleScenario(ConsoleBase):
    """Which organisation owns a scenario (the scenario's YAML stays the source of truth)."""

    __tablename__ = "console_scenarios"

    scenario_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("console_orgs.id", ondelete="CASCADE"))
    path: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def create_console_schema(engine: Engine) -> None:
    """Create the missing console tables (every table declared on :class:`ConsoleBase`).

    Safe when several processes start at once: on PostgreSQL the creation holds an advisory
    lock (as ``agent.store.Database.create_schema`` does), on SQLite the write lock.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
        ConsoleBase.metadata.create_all(conn)
