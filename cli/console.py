"""``aicall console``: the operator console's organisations and users, from the shell.

::

    aicall console org add city-care --name "City care team"
    aicall console user add nurse1 --org city-care --role operator     # asks for the password
    aicall console user list [--org city-care]
    aicall console user passwd nurse1

The console itself is served by ``aicall serve`` at ``/console`` (docs/console.md); these
commands work on the same database (``AICALL_DATABASE_URL`` or ``--database``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli.common import open_database
from common.errors import InputError

__all__ = ["register"]

console_app = typer.Typer(
    help="The operator console's organisations and users (docs/console.md).",
    no_args_is_help=True,
)
org_app = typer.Typer(help="Organisations (tenants).", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
console_app.add_typer(org_app, name="org")
console_app.add_typer(user_app, name="user")

DatabaseOpt = Annotated[
    str | None, typer.Option(help="Database URL (default: AICALL_DATABASE_URL or SQLite).")
]
PasswordOpt = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="The password (asked when not given; at least 10 characters).",
    ),
]


@contextmanager
def _console_db(database: str | None, *, write: bool = True) -> Iterator[Session]:
    """A transaction (``write``) or a read session on the database, console tables created."""
    from console.models import create_console_schema  # noqa: PLC0415 - the voice extra

    db = open_database(database)
    try:
        db.create_schema()
        create_console_schema(db.engine)
        opened = db.transaction if write else db.session
        with opened() as session:
            yield session
    finally:
        db.close()


@org_app.command("add")
def org_add(
    slug: Annotated[str, typer.Argument(help="Short id: lowercase letters, digits, '-'.")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the id).")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Add an organisation."""
    from console.accounts import create_org  # noqa: PLC0415 - the voice extra (argon2)

    with _console_db(database) as session:
        org = create_org(session, slug, name)
        typer.echo(f"organisation {org.slug} ({org.name}) added")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="The login name.")],
    password: PasswordOpt,
    org: Annotated[str, typer.Option(help="The organisation's id.")] = "demo",
    role: Annotated[str, typer.Option(help="admin, operator or viewer.")] = "operator",
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    database: DatabaseOpt = None,
) -> None:
    """Add a user to an organisation with a role (an existing user gets the role there)."""
    from console.accounts import add_membership, create_user  # noqa: PLC0415 - the voice extra
    from console.models import Org, User  # noqa: PLC0415

    with _console_db(database) as session:
        found = session.scalar(select(Org).where(Org.slug == org))
        if found is None:
            raise InputError(
                f"no organisation {org!r}: add it first (aicall console org add {org})"
            )
        existing = session.scalar(select(User).where(User.username == username))
        if existing is not None:
            add_membership(session, existing, found, role)
            typer.echo(f"user {username} is now {role} in {org}")
            return
        create_user(session, username, password, org=found, role=role, display_name=name)
        typer.echo(f"user {username} added to {org} as {role}")


@user_app.command("list")
def user_list(
    org: Annotated[str | None, typer.Option(help="Only this organisation's users.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """List users: organisation, username, role, active."""
    from console.models import Membership, Org, User  # noqa: PLC0415 - the voice extra

    with _console_db(database, write=False) as session:
        query = (
            select(Org.slug, User.username, Membership.role, User.active)
            .join(Membership, Membership.org_id == Org.id)
            .join(User, User.id == Membership.user_id)
            .order_by(Org.slug, User.username)
        )
        if org is not None:
            query = query.where(Org.slug == org)
        rows = session.execute(query).all()
    if not rows:
        typer.echo("no users")
    for slug, username, role, active in rows:
        typer.echo(f"{slug}\t{username}\t{role}\t{'active' if active else 'inactive'}")


@user_app.command("passwd")
def user_passwd(
    username: Annotated[str, typer.Argument(help="The login name.")],
    password: PasswordOpt,
    database: DatabaseOpt = None,
) -> None:
    """Set a user's password (their browser sessions end)."""
    from console.accounts import set_password  # noqa: PLC0415 - the voice extra (argon2)
    from console.models import User  # noqa: PLC0415

    with _console_db(database) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise InputError(f"no user {username!r} (aicall console user list)")
        set_password(session, user, password)
    typer.echo(f"password of {username} changed")


def register(app: typer.Typer) -> None:
    """Add ``aicall console`` to the CLI."""
    app.add_typer(console_app, name="console")
