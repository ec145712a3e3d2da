"""``aicall calls list|show|purge``: stored calls, their voice timings, and their retention."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from agent.config import Settings
from agent.retention import PurgeReport, purge_expired
from agent.store import CallLog, CallRecord, VoiceTurnLog, VoiceTurnRecord
from agent.store.privacy import collected_values_of
from cli.common import echo_rows, json_default, open_database
from cli.scenario_ref import known_scenarios
from common.errors import InputError
from common.pii import redact

__all__ = ["register"]

calls_app = typer.Typer(help="Calls and their per-turn voice timings.", no_args_is_help=True)

DatabaseOpt = Annotated[
    str | None, typer.Option(help="Database URL (default: AICALL_DATABASE_URL or SQLite).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON instead of text.")]


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _clip(text: str | None, width: int = 48) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


@calls_app.command("list")
def list_calls(
    scenario: Annotated[str | None, typer.Option(help="Only this scenario.")] = None,
    status: Annotated[str | None, typer.Option(help="Only calls with this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 50,
    as_json: JsonOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """List calls, newest first."""
    db = open_database(database)
    try:
        rows = CallLog(db).list_calls(scenario_id=scenario, status=status, limit=limit)
    finally:
        db.close()
    echo_rows(rows, as_json=as_json, empty="no calls", line=_call_line)


def _call_line(r: CallRecord) -> str:
    reason = f"  ({r.failure_reason})" if r.failure_reason else ""
    return (
        f"{r.id}  {r.started_at:%Y-%m-%d %H:%M:%S}  {r.scenario_id:16} {r.status:11} "
        f"{r.outcome or '-':10} {r.caller or '-'}{reason}"
    )


@calls_app.command("show")
def show_call(
    call_id: Annotated[str, typer.Argument(help="The call's id (Twilio's CallSid).")],
    as_json: JsonOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """One call: how it ended and, for a phone call, every turn with its timings."""
    db = open_database(database)
    try:
        call = CallLog(db).get_call(call_id)
        if call is None:
            raise InputError(f"no call with id {call_id!r} (see 'aicall calls list')")
        turns = VoiceTurnLog(db).load_turns(call_id)
        keep = collected_values_of(db, call_id)
    finally:
        db.close()
    # rows stored before redaction existed are masked on the way out too (docs/privacy.md)
    turns = [
        VoiceTurnRecord(
            **{
                **asdict(t),
                "user": None if t.user is None else redact(t.user, keep=keep),
                "agent": None if t.agent is None else redact(t.agent, keep=keep),
            }
        )
        for t in turns
    ]
    if as_json:
        data = {
            "call": asdict(call),
            "turns": [{**asdict(t), "voice_to_voice": t.voice_to_voice} for t in turns],
        }
        typer.echo(json.dumps(data, default=json_default, ensure_ascii=False))
        return
    for line in _describe(call, turns):
        typer.echo(line)


def _describe(call: CallRecord, turns: list[VoiceTurnRecord]) -> list[str]:
    lines = [
        f"call {call.id}  {call.scenario_id}  {call.direction}  "
        f"{call.caller or '-'} -> {call.callee or '-'}",
        f"started {call.started_at:%Y-%m-%d %H:%M:%S} UTC"
        + (
            f", lasted {(call.ended_at - call.started_at).total_seconds():.1f} s"
            if call.ended_at
            else ""
        ),
        f"status {call.status}  outcome {call.outcome or '-'}"
        + (f"  reason: {call.failure_reason}" if call.failure_reason else ""),
    ]
    if not turns:
        lines.append("no voice turns (a text call, or one still in progress)")
        return lines
    lines.append("")
    lines.append("  #  kind        at(s)  asr(s)  v2v(s)  caller | agent")
    for t in turns:
        at = t.speech_end if t.speech_end is not None else t.reply_ready
        cut = " [cut]" if t.interrupted else ""
        lines.append(
            f"{t.seq:3}  {t.kind:10} {_seconds(at):>6}  {_seconds(t.asr_seconds):>6}  "
            f"{_seconds(t.voice_to_voice):>6}  {_clip(t.user, 28) or '-'} | {_clip(t.agent)}{cut}"
        )
    v2v = [t.voice_to_voice for t in turns if t.voice_to_voice is not None]
    if v2v:
        lines.append(
            f"voice-to-voice over {len(v2v)} spoken turns: p50 {statistics.median(v2v):.2f} s, "
            f"max {max(v2v):.2f} s"
        )
    return lines


@calls_app.command("purge")
def purge_calls(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what would be removed.")
    ] = False,
    now: Annotated[
        str | None, typer.Option(help="Purge as of this UTC instant (ISO 8601); default now.")
    ] = None,
    as_json: JsonOpt = False,
    database: DatabaseOpt = None,
    scenario_dir: Annotated[
        list[Path] | None, typer.Option(help="More scenario folders (their retention).")
    ] = None,
) -> None:
    """Remove call records past their scenario's retention period (run it daily).

    Transcripts (dialogue events, voice turns, the call's JSON record) after
    ``retention.transcripts_days``, recordings after ``retention.recordings_days``; the call's
    row stays with its status and outcome, without its numbers. docs/privacy.md.
    """
    when = None
    if now is not None:
        try:
            when = datetime.fromisoformat(now)
        except ValueError:
            raise InputError(
                f"--now: {now!r} is not an ISO date-time like 2026-11-25T10:00"
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    scenarios = known_scenarios(scenario_dir or [])
    db = open_database(database)
    try:
        report = purge_expired(db, scenarios, Settings().data_dir, now=when, dry_run=dry_run)
    finally:
        db.close()
    _echo_purge(report, as_json=as_json)


def _echo_purge(report: PurgeReport, *, as_json: bool) -> None:
    if as_json:
        data = {
            "dry_run": report.dry_run,
            "calls": [asdict(c) for c in report.calls],
            "events": report.events,
            "voice_turns": report.turns,
            "files": [str(p) for p in report.files],
        }
        typer.echo(json.dumps(data, default=json_default, ensure_ascii=False))
        return
    verb = "would remove" if report.dry_run else "removed"
    typer.echo(
        f"{verb}: the words of {len(report.calls)} calls ({report.events} events, "
        f"{report.turns} voice turns), {len(report.files)} files"
    )
    for c in report.calls:
        typer.echo(f"  {c.id}  {c.started_at:%Y-%m-%d %H:%M}  {c.scenario_id}")
    for path in report.files:
        typer.echo(f"  {path}")


def register(app: typer.Typer) -> None:
    """Add ``calls`` to the CLI."""
    app.add_typer(calls_app, name="calls")
