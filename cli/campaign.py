"""``aicall campaign ...`` and ``aicall worker``: care-call campaigns on :mod:`agent.campaigns`.

Subcommands: create, import, start, pause, resume, status, report, export, history, tick.

The commands only read and write the database and enqueue work; ``aicall worker`` (the huey
consumer) places the calls, and ``aicall serve`` takes them. Bad input is one line on stderr
and exit status 2 (an import lists every bad row).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.campaigns import (
    Campaign,
    CampaignReport,
    Campaigns,
    CampaignSpec,
    MachinePolicy,
    RetryPolicy,
    RetryRule,
    Schedule,
    build_queue,
    clock_from_spec,
    read_people,
)
from agent.campaigns.clock import parse_instant
from agent.campaigns.policy import DEFAULT_MESSAGES, RETRY_OUTCOMES, parse_days, parse_window
from agent.config import Settings
from agent.store import Database, safe_url
from cli.common import json_default
from cli.scenario_ref import known_scenarios
from common.errors import InputError
from telephony.twilio.outbound import check_number

__all__ = ["register"]

campaign_app = typer.Typer(
    help="Care-call campaigns: import people, call them on a schedule, report.",
    no_args_is_help=True,
)

NameArg = Annotated[str, typer.Argument(help="The campaign's name, e.g. gangnam-weekly.")]
DatabaseOpt = Annotated[
    str | None, typer.Option(help="Database URL (default: AICALL_DATABASE_URL or SQLite).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON instead of text.")]


def _campaigns(database: str | None) -> tuple[Campaigns, Settings]:
    settings = Settings()
    if database:
        settings.database_url = database
    db = Database(settings.resolved_database_url())
    return Campaigns(db, clock_from_spec(settings.clock), worker="cli"), settings


def _wake(settings: Settings, campaigns: Campaigns, campaign_id: str) -> None:
    """Ask the dispatchers (``aicall worker``) to look at the campaign now."""
    queue = build_queue(settings, campaigns=campaigns)
    queue.enqueue_dispatch(campaign_id)


@campaign_app.command("create")
def create(
    name: NameArg,
    scenario: Annotated[str, typer.Option(help="Scenario the calls run, e.g. carecall-ko.")],
    caller_id: Annotated[
        str | None,
        typer.Option(
            "--caller-id",
            envvar="AICALL_CALLER_ID",
            help="The number calls come from (a Twilio number; or AICALL_CALLER_ID).",
        ),
    ] = None,
    days: Annotated[
        str, typer.Option(help="Calling days: mon-fri, mon,wed,fri, 월-금.")
    ] = "mon-fri",
    window: Annotated[
        list[str] | None,
        typer.Option(help="A calling window HH:MM-HH:MM, local time; repeat for several."),
    ] = None,
    timezone: Annotated[str, typer.Option(help="The people's time zone.")] = "Asia/Seoul",
    holidays: Annotated[
        str, typer.Option(help="Country whose public holidays are skipped (KR, US) or 'none'.")
    ] = "KR",
    cap: Annotated[int, typer.Option(help="Calls of this campaign at once, at most.")] = 5,
    retry: Annotated[
        list[str] | None,
        typer.Option(
            help="OUTCOME=DELAY,xBACKOFF,MAX per outcome (no-answer, busy, failed, voicemail), "
            "e.g. no-answer=1h,x2,3; repeat for several."
        ),
    ] = None,
    machine: Annotated[
        str,
        typer.Option(help="Answering machines: hangup (retry), message (leave one), off."),
    ] = "hangup",
    message: Annotated[
        str | None, typer.Option(help="The message left on machines ({name}: the person).")
    ] = None,
    recurrence: Annotated[str, typer.Option(help="once, or weekly check-ins.")] = "once",
    region: Annotated[
        str, typer.Option(help="Country of numbers written without + (010-...: KR).")
    ] = "KR",
    ring_timeout: Annotated[int, typer.Option(help="Seconds a phone rings.")] = 30,
    lease: Annotated[
        int, typer.Option(help="Seconds a dispatcher's claim holds before it is recovered.")
    ] = 120,
    starts: Annotated[
        str | None,
        typer.Option(help="When round 1 begins (ISO with offset; default: at start)."),
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Create a campaign (then `import` people and `start` it)."""
    scenarios = known_scenarios()
    if scenario not in scenarios:
        raise InputError(f"unknown scenario {scenario!r} (known: {', '.join(sorted(scenarios))})")
    language = scenarios[scenario].language
    rules: dict[str, RetryRule] = {}
    for item in retry or []:
        outcome, sep, rule = item.partition("=")
        if not sep or outcome not in RETRY_OUTCOMES:
            raise InputError(
                f"--retry {item!r}: write OUTCOME=DELAY,xBACKOFF,MAX with OUTCOME one of "
                f"{', '.join(RETRY_OUTCOMES)}, e.g. no-answer=1h,x2,3"
            )
        rules[outcome] = RetryRule.parse(rule)
    schedule = Schedule(
        days=parse_days(days),
        windows=tuple(parse_window(w) for w in window or ["10:00-12:00", "14:00-17:00"]),
        timezone=timezone,
        holidays=None if holidays.lower() in ("none", "", "-") else holidays.upper(),
    )
    words = message if message is not None else DEFAULT_MESSAGES[language]
    spec = CampaignSpec(
        id=name,
        scenario_id=scenario,
        language=language,
        region=region.upper(),
        caller_id=check_number(caller_id, "--caller-id") if caller_id else None,
        max_concurrent=cap,
        schedule=schedule,
        retry=RetryPolicy().with_rules(rules),
        machine=MachinePolicy(machine, words if machine == "message" else (message or "")),
        recurrence=recurrence,
        ring_timeout=ring_timeout,
        lease_seconds=lease,
        starts_at=parse_instant(starts) if starts else None,
    )
    campaigns, _settings = _campaigns(database)
    try:
        created = campaigns.create(spec)
    finally:
        campaigns.db.close()
    typer.echo(f"created {created.id}: {_describe(created)}")
    if created.caller_id is None:
        typer.echo("note: no --caller-id yet (AICALL_CALLER_ID); calls need one", err=True)


@campaign_app.command("import")
def import_(
    name: NameArg,
    file: Annotated[Path, typer.Argument(help="People: a .csv or .xlsx with name and phone.")],
    region: Annotated[
        str | None,
        typer.Option(help="Country of numbers written without + (default: the campaign's)."),
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Import people (all rows or none: every bad row is listed)."""
    campaigns, _settings = _campaigns(database)
    try:
        campaign = campaigns.get(name)
        report = read_people(file, region=(region or campaign.region).upper())
        added = campaigns.import_people(name, report)
        total = campaigns.get(name).people
    finally:
        campaigns.db.close()
    typer.echo(f"imported {added} people into {name} ({total} in all)")


@campaign_app.command("start")
def start(
    name: NameArg,
    caller_id: Annotated[
        str | None,
        typer.Option(
            "--caller-id",
            envvar="AICALL_CALLER_ID",
            help="The number calls come from, if the campaign has none (or AICALL_CALLER_ID).",
        ),
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Start calling (round 1 for everyone); `aicall worker` places the calls."""
    campaigns, settings = _campaigns(database)
    try:
        campaign = campaigns.start(name, caller_id=caller_id)
        _wake(settings, campaigns, name)
    finally:
        campaigns.db.close()
    typer.echo(f"started {name}: {campaign.people} people, {_describe(campaign)}")


@campaign_app.command("pause")
def pause(name: NameArg, database: DatabaseOpt = None) -> None:
    """Place no new calls (calls in progress go on)."""
    campaigns, _settings = _campaigns(database)
    try:
        campaigns.pause(name)
    finally:
        campaigns.db.close()
    typer.echo(f"paused {name}")


@campaign_app.command("resume")
def resume(name: NameArg, database: DatabaseOpt = None) -> None:
    """Place calls again."""
    campaigns, settings = _campaigns(database)
    try:
        campaigns.resume(name)
        _wake(settings, campaigns, name)
    finally:
        campaigns.db.close()
    typer.echo(f"resumed {name}")


@campaign_app.command("tick")
def tick(name: NameArg, database: DatabaseOpt = None) -> None:
    """Recover expired claims, begin a due weekly round, and wake the dispatchers now."""
    campaigns, settings = _campaigns(database)
    try:
        counts = campaigns.sweep(name)
        _wake(settings, campaigns, name)
    finally:
        campaigns.db.close()
    typer.echo(f"{name}: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "ok"))


@campaign_app.command("status")
def status(
    name: Annotated[str | None, typer.Argument(help="A campaign (default: all).")] = None,
    as_json: JsonOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Where each campaign stands: people by state, calls now, what it waits for."""
    campaigns, _settings = _campaigns(database)
    try:
        names = [name] if name else [c.id for c in campaigns.all()]
        states = [campaigns.status(n) for n in names]
    finally:
        campaigns.db.close()
    if as_json:
        rows = [
            {
                "campaign": s.campaign.id,
                "status": s.campaign.status,
                "round": s.campaign.current_round,
                "people": s.campaign.people,
                "states": s.states,
                "active": s.active,
                "cap": s.campaign.max_concurrent,
                "next_due": s.next_due,
                "waiting_because": s.why_waiting,
            }
            for s in states
        ]
        typer.echo(json.dumps(rows, default=json_default, ensure_ascii=False))
        return
    if not states:
        typer.echo("no campaigns (aicall campaign create NAME --scenario carecall-ko)")
    for s in states:
        c = s.campaign
        counts = ", ".join(f"{k} {v}" for k, v in sorted(s.states.items())) or "no attempts"
        typer.echo(
            f"{c.id}  {c.status}  round {c.current_round}  {c.people} people  "
            f"calls now {s.active}/{c.max_concurrent}  [{counts}]"
        )
        if s.why_waiting:
            typer.echo(f"  waiting: {s.why_waiting}")


@campaign_app.command("report")
def report(
    name: NameArg,
    round_: Annotated[
        int | None, typer.Option("--round", help="A round (default: current).")
    ] = None,
    as_json: JsonOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Reached / retried / gave-up / flagged, and why, person by person."""
    campaigns, _settings = _campaigns(database)
    try:
        result = campaigns.report(name, round_)
    finally:
        campaigns.db.close()
    if as_json:
        out = {"totals": result.totals, "people": [asdict(p) for p in result.people]}
        typer.echo(json.dumps(out, default=json_default, ensure_ascii=False))
        return
    _print_report(result)


def _print_report(result: CampaignReport) -> None:
    t = result.totals
    typer.echo(
        f"{result.campaign.id} round {result.round}: {t['people']} people — reached "
        f"{t['reached']}, by message {t['reached-by-message']}, retried {t['retried']}, "
        f"gave up {t['gave-up']}, flagged {t['flagged']}, pending {t['pending']}"
    )
    for p in result.people:
        flag = f"  FLAGGED: {'; '.join(p.flag_reasons)}" if p.flagged else ""
        typer.echo(f"{p.result:18} {p.name}  {p.phone}  attempts {p.attempts}{flag}")
        for line in p.reasons:
            typer.echo(f"    {line}")


@campaign_app.command("export")
def export(
    name: NameArg,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="CSV file (default: standard output).")
    ] = None,
    round_: Annotated[
        int | None, typer.Option("--round", help="A round (default: current).")
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """The report as CSV, one row per person (UTF-8 with a BOM for Excel when written to a file)."""
    campaigns, _settings = _campaigns(database)
    try:
        text = campaigns.export_csv(name, round_)
    finally:
        campaigns.db.close()
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text("\ufeff" + text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"--out {out}: cannot write: {e}") from e
    typer.echo(f"wrote {out}")


@campaign_app.command("history")
def history(
    name: NameArg,
    person: Annotated[str | None, typer.Option(help="Only this person (name or +phone).")] = None,
    as_json: JsonOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Every state change of the campaign's attempts, with its time and reason."""
    campaigns, _settings = _campaigns(database)
    try:
        campaign = campaigns.get(name)
        rows = campaigns.history(name, person)
    finally:
        campaigns.db.close()
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in rows], default=json_default, ensure_ascii=False))
        return
    zone = campaign.schedule.zone
    for r in rows:
        when: datetime = r.at.astimezone(zone)
        typer.echo(
            f"{when:%Y-%m-%d %H:%M:%S}  #{r.attempt_id:<6} {r.from_state or '-':>15} -> "
            f"{r.to_state:15} {r.reason}"
        )


def _describe(c: Campaign) -> str:
    return (
        f"{c.scenario_id}, {c.schedule.describe()}, cap {c.max_concurrent}, "
        f"{c.recurrence}, machines: {c.machine.action}"
    )


def worker(
    workers: Annotated[int, typer.Option(min=1, help="Threads placing calls.")] = 4,
) -> None:
    """Run the campaign dispatchers (the huey consumer of AICALL_QUEUE_URL) until stopped."""
    settings = Settings()
    queue = build_queue(settings)
    queue.campaigns.db.check()  # a bad database URL fails now, not in the first task
    consumer: Any = queue.consumer(workers=workers)
    where = f"sqlite (embedded, {settings.data_dir / 'queue.db'})"
    typer.echo(
        f"aicall worker: {workers} thread(s) on queue "
        f"{safe_url(settings.queue_url) if settings.queue_url else where}",
        err=True,
    )
    consumer.run()  # huey's own signals: SIGINT finishes running tasks, SIGTERM stops now


def register(app: typer.Typer) -> None:
    """Add ``aicall campaign ...`` and ``aicall worker`` to the CLI."""
    app.add_typer(campaign_app, name="campaign")
    app.command("worker")(worker)
