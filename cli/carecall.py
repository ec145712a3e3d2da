"""``aicall carecall flags|close|history|trends``: follow-up flags and each person's history.

A flag stays open until a staff member closes it (``close FLAG --by NAME --note ...``); a
person's history lists their calls, answers, what each call referred back to, and their flags;
trends rank the answers (best to worst, as the scenario's ``memory.trends`` orders them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from agent.config import Settings
from agent.store import FlagRecord, PersonCall, SqlCareCallRecorder
from agent.trends import all_trends, describe, person_trends
from cli.common import echo_rows, json_default, open_database
from common.errors import InputError
from dialogue.memory import DEFAULT_WINDOW
from scenarios.loader import load_scenarios

__all__ = ["register_memory"]

DatabaseOpt = Annotated[
    str | None, typer.Option(help="Database URL (default: AICALL_DATABASE_URL or SQLite).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document.")]


def flags(
    all_: Annotated[bool, typer.Option("--all", help="Closed flags too.")] = False,
    person: Annotated[str | None, typer.Option(help="Only this person's id.")] = None,
    as_json: JsonOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """List follow-up flags, oldest first: the open ones (or --all)."""
    db = open_database(database)
    try:
        rows = SqlCareCallRecorder(db).flags(open_only=not all_, person_id=person)
    finally:
        db.close()
    echo_rows(rows, as_json=as_json, empty="no open follow-up flags", line=_flag_line)


def _flag_line(f: FlagRecord) -> str:
    who = f.person_id if f.person == f.person_id else f"{f.person_id} ({f.person})"
    state = "OPEN  " if f.open else "closed"
    line = f"#{f.id:<4} {state} {f.raised_at:%Y-%m-%d %H:%M}  {who:24} {','.join(f.reasons)}"
    if not f.open and f.closed_at is not None:
        line += f"  — closed by {f.closed_by or '?'} {f.closed_at:%Y-%m-%d %H:%M}"
        if f.note:
            line += f": {f.note}"
    return f"{line}  [{f.call_id}]"


def close(
    flag: Annotated[str, typer.Argument(help="The flag's number (#12 as 12) or its call id.")],
    by: Annotated[str, typer.Option("--by", help="Who closes it (staff member).")],
    note: Annotated[str | None, typer.Option(help="What was done.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Close a follow-up flag: who, when, and a note are kept with it."""
    db = open_database(database)
    try:
        record = SqlCareCallRecorder(db).close_flag(flag.lstrip("#"), by=by, note=note)
    finally:
        db.close()
    typer.echo(f"flag #{record.id} of {record.person_id} closed by {record.closed_by}")


def history(
    person: Annotated[str, typer.Argument(help="The person's id (or number, or name).")],
    as_json: JsonOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """One person's care calls, oldest first: answers, what was referred back to, flags."""
    db = open_database(database)
    try:
        calls = SqlCareCallRecorder(db).history(person)
    finally:
        db.close()
    if not calls and not as_json:
        raise InputError(f"no care calls of {person!r} (aicall carecall flags --all lists people)")
    echo_rows(calls, as_json=as_json, empty="", line=_history_lines)


def _history_lines(c: PersonCall) -> str:
    answers = ", ".join(f"{k}={v}" for k, v in c.answers.items()) or "(no answers)"
    lines = [f"{c.when:%Y-%m-%d %H:%M}  {c.scenario_id:14} {answers}  [{c.call_id}]"]
    for slot, r in c.recalled.items():
        lines.append(f"    referred back to {r.get('about')}={r.get('value')} ({slot})")
    if c.flag is not None:
        for e in c.flag.events:
            what = ",".join(e.reasons)
            by = f" by {e.by}" if e.by else ""
            note = f": {e.note}" if e.note else ""
            lines.append(f"    flag #{c.flag.id} {e.kind}{by} {e.at:%Y-%m-%d %H:%M} {what}{note}")
    return "\n".join(lines)


def trends(
    person: Annotated[
        str | None, typer.Argument(help="One person's id (default: everyone).")
    ] = None,
    window: Annotated[int, typer.Option(help="Latest answered calls summarised.")] = DEFAULT_WINDOW,
    as_json: JsonOpt = False,
    database: DatabaseOpt = None,
    scenario_dir: Annotated[
        list[Path] | None, typer.Option(help="Extra directory of scenario files.")
    ] = None,
) -> None:
    """Trends per person: how often the best answer came, the latest, rising/falling/steady."""
    if window < 1:
        raise InputError(f"--window: at least 1 call, not {window}")
    settings = Settings()
    scenarios = load_scenarios([*settings.scenario_dirs, *(scenario_dir or [])])
    db = open_database(database)
    try:
        recorder = SqlCareCallRecorder(db)
        if person is not None:
            one = person_trends(recorder, scenarios, person, window)
            if one is None:
                raise InputError(f"no answered care calls of {person!r}")
            reports = [one]
        else:
            reports = all_trends(recorder, scenarios, window)
    finally:
        db.close()
    if as_json:
        typer.echo(
            json.dumps([r.as_dict() for r in reports], default=json_default, ensure_ascii=False)
        )
        return
    if not reports:
        typer.echo("no answered care calls")
    for r in reports:
        who = r.person_id if r.person == r.person_id else f"{r.person_id} ({r.person})"
        flagged = f", {r.open_flags} open flag(s)" if r.open_flags else ""
        typer.echo(f"{who}: {r.calls} call(s){flagged}")
        scenario = scenarios.get(r.scenario_id)
        for t in r.trends.values():
            typer.echo(f"  {describe(t, scenario)}")


def register_memory(app: typer.Typer) -> None:
    """Add ``flags``, ``close``, ``history`` and ``trends`` to ``aicall carecall``."""
    app.command("flags")(flags)
    app.command("close")(close)
    app.command("history")(history)
    app.command("trends")(trends)
