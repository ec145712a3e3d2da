"""``aicall bookings list`` and ``aicall carecall results``: what calls have stored."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.store import CareCallResult, SqlBookingBackend, SqlCareCallRecorder
from cli.carecall import register_memory
from cli.common import echo_rows, open_database
from dialogue.ports import BookingRecord

__all__ = ["register"]

bookings_app = typer.Typer(help="Bookings made by calls.", no_args_is_help=True)
carecall_app = typer.Typer(
    help="Care-call answers, follow-up flags, each person's history and trends.",
    no_args_is_help=True,
)
register_memory(carecall_app)

DatabaseOpt = Annotated[
    str | None, typer.Option(help="Database URL (default: AICALL_DATABASE_URL or SQLite).")
]


def _what(record: BookingRecord) -> str:
    """The seating of a table; the service and provider of any other business's booking."""
    if record.service is None:
        return record.seating
    return f"{record.service} with {record.provider}" if record.provider else record.service


@bookings_app.command("list")
def list_bookings(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Include cancelled bookings.")] = False,
    database: DatabaseOpt = None,
) -> None:
    """List bookings, soonest first."""
    db = open_database(database)
    try:
        rows = SqlBookingBackend(db).list(include_cancelled=all_)
    finally:
        db.close()
    echo_rows(
        rows,
        as_json=as_json,
        empty="no bookings",
        line=lambda r: (
            f"#{r.id:<4} {r.start:%Y-%m-%d %H:%M}  {r.party_size:>2} ppl  "
            f"{_what(r):8} {r.name:12} {r.phone:14} {r.status}  ({r.venue})"
        ),
    )


@carecall_app.command("results")
def carecall_results(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array.")] = False,
    scenario: Annotated[str | None, typer.Option(help="Only this scenario.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """List care-call answers; flagged people first."""
    db = open_database(database)
    try:
        rows = SqlCareCallRecorder(db).results(scenario)
    finally:
        db.close()
    rows = sorted(rows, key=lambda r: not r.flagged)
    echo_rows(rows, as_json=as_json, empty="no care-call results", line=_carecall_line)


def _carecall_line(r: CareCallResult) -> str:
    flag = "FLAG " + ",".join(r.reasons) if r.flagged else "ok"
    answers = ", ".join(f"{k}={v}" for k, v in r.answers.items())
    return f"{r.person:14} {flag:32} {answers}  [{r.call_id}]"


def register(app: typer.Typer) -> None:
    """Add ``bookings`` and ``carecall`` to the CLI."""
    app.add_typer(bookings_app, name="bookings")
    app.add_typer(carecall_app, name="carecall")
