"""``aicall person export PERSON`` and ``aicall person delete PERSON``: one person's data.

A person is named by a phone number (their calls, their bookings) or by the name their care
calls or bookings used. A care-call programme must be able to answer "what do you hold about
me?" and "delete it": docs/privacy.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from agent.config import Settings
from agent.retention import delete_person, export_person
from cli.common import json_default, open_database
from common.errors import InputError

__all__ = ["register"]

person_app = typer.Typer(
    help="One person's data: export it as JSON, or delete it.", no_args_is_help=True
)

PersonArg = Annotated[
    str, typer.Argument(help="A phone number, or the name their care calls or bookings used.")
]
DatabaseOpt = Annotated[
    str | None, typer.Option(help="Database URL (default: AICALL_DATABASE_URL or SQLite).")
]


@person_app.command("export")
def export(
    person: PersonArg,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the JSON to this file, not stdout.")
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Everything stored about one person, as JSON.

    Their calls (with events and voice turns), bookings, care-call answers, follow-up flags and
    their rows in campaign lists (with every attempt and its transitions).
    """
    db = open_database(database)
    try:
        data = export_person(db, Settings().data_dir, person)
    finally:
        db.close()
    kinds = ("calls", "bookings", "carecall_answers", "followup_flags", "campaign_people")
    if not any(data[kind] for kind in kinds):
        raise InputError(f"nothing is stored about {person!r}")
    text = json.dumps(data, default=json_default, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    typer.echo(f"wrote {out} ({len(data['calls'])} calls, {len(data['bookings'])} bookings)")


@person_app.command("delete")
def delete(
    person: PersonArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    database: DatabaseOpt = None,
) -> None:
    """Delete everything stored about one person (rows and the files of their calls)."""
    if not yes and not typer.confirm(f"Delete everything stored about {person!r}?"):
        raise typer.Exit(1)
    db = open_database(database)
    try:
        done = delete_person(db, Settings().data_dir, person)
    finally:
        db.close()
    if done.nothing:
        raise InputError(f"nothing is stored about {person!r}")
    typer.echo(
        f"deleted: {done.calls} calls, {done.bookings} bookings, {done.carecall_answers} "
        f"care-call answers, {done.followup_flags} follow-up flags, "
        f"{done.campaign_people} campaign list rows, {len(done.files)} files"
    )


def register(app: typer.Typer) -> None:
    """Add ``person`` to the CLI."""
    app.add_typer(person_app, name="person")
