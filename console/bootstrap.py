"""First start: the console's tables, a first organisation and admin, and who owns the scenarios."""

from __future__ import annotations

import logging
import os
import secrets
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from agent.store import Database
from console.accounts import assign_scenario, create_org, create_user
from console.models import ConsoleScenario, Org, User, create_console_schema

__all__ = ["ADMIN_FILE", "FIRST_ORG", "FIRST_USER", "Bootstrap", "bootstrap_console"]

log = logging.getLogger(__name__)

FIRST_ORG = "demo"
FIRST_USER = "admin"
#: Where the first admin's login is written (under the data directory, mode 0600).
ADMIN_FILE = "console-admin.txt"
_BOOTSTRAP_LOCK_KEY = zlib.crc32(b"aicall.console.bootstrap")


@dataclass(frozen=True)
class Bootstrap:
    """What :func:`bootstrap_console` did.

    Attributes:
        created_admin: a first admin was created now (``password`` is theirs).
        password: the first admin's password (only when created now).
        admin_file: the file holding it (only when created now).
        assigned: scenario ids given to the first organisation now.
    """

    created_admin: bool
    password: str | None
    admin_file: Path | None
    assigned: tuple[str, ...]


def _write_admin_file(path: Path, username: str, password: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(
            "aicall console: the first admin login (change the password after logging in)\n"
            f"url: /console\nusername: {username}\npassword: {password}\n"
        )
    os.chmod(path, 0o600)


def bootstrap_console(
    db: Database,
    data_dir: Path,
    scenario_ids: Iterable[str],
    *,
    admin_password: str | None = None,
) -> Bootstrap:
    """Create the console's tables; with no user yet, org ``demo`` and user ``admin``.

    The admin's password is ``admin_password`` (``AICALL_CONSOLE_ADMIN_PASSWORD``) or a random
    one, written to ``data_dir/console-admin.txt`` (mode 0600). Scenarios nobody owns yet (the
    shipped ones on a first start) go to the first organisation.
    """
    db.create_schema()
    create_console_schema(db.engine)
    created = False
    password: str | None = None
    admin_file: Path | None = None
    with db.transaction() as session:
        # one process at a time decides whether a first admin is needed (SQLite: the
        # transaction holds the write lock already)
        if db.dialect == "postgresql":
            session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _BOOTSTRAP_LOCK_KEY}
            )
        if not session.scalar(select(func.count()).select_from(User)):
            password = admin_password or secrets.token_urlsafe(12)
            org = session.scalar(select(Org).order_by(Org.id).limit(1))
            if org is None:
                org = create_org(session, FIRST_ORG, "Demo")
            create_user(session, FIRST_USER, password, org=org, role="admin")
            created = True
    if created and password is not None:
        admin_file = data_dir / ADMIN_FILE
        _write_admin_file(admin_file, FIRST_USER, password)
    assigned: list[str] = []
    with db.transaction() as session:
        if db.dialect == "postgresql":
            session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _BOOTSTRAP_LOCK_KEY}
            )
        first = session.scalar(select(Org.id).order_by(Org.id).limit(1))
        if first is not None:
            owned = set(session.scalars(select(ConsoleScenario.scenario_id)))
            for scenario_id in sorted(set(scenario_ids) - owned):
                assign_scenario(session, first, scenario_id)
                assigned.append(scenario_id)
    return Bootstrap(created, password, admin_file, tuple(assigned))
