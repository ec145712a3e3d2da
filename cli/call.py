"""``aicall call``: place outbound calls (care calls) through Twilio's REST API.

One call (``--to``) or a list of people (``--list FILE``, CSV or YAML/JSON). Twilio then
requests ``$AICALL_PUBLIC_URL/twilio/voice`` when the person answers, and a running
``aicall serve`` holds the conversation; no-answer, busy and failed calls reach
``/twilio/status`` and are stored (care calls: flagged for a human to call back).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.config import Settings
from cli.scenario_ref import known_scenarios
from common.errors import AicallError, InputError
from telephony.twilio.outbound import OutboundCall, TwilioDialer, check_number

__all__ = ["CallTarget", "load_call_list", "register"]

#: Column names accepted in a call list, and what each means.
_TO_KEYS = ("to", "phone", "number", "전화번호")
_PERSON_KEYS = ("person", "name", "이름", "성함")
_SCENARIO_KEYS = ("scenario",)


@dataclass(frozen=True)
class CallTarget:
    """One person to call, from the command line or a list file.

    Attributes:
        to: the number (as written; checked when the call is built).
        person: who is called, if named.
        scenario: the row's own scenario, if any (else ``--scenario``).
        where: ``FILE:LINE`` of the row, for errors (empty for ``--to``).
    """

    to: str
    person: str | None = None
    scenario: str | None = None
    where: str = ""


def _pick(row: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = row.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def load_call_list(path: Path) -> list[CallTarget]:
    """Read a call list: CSV with a header (``to,person[,scenario]``) or a YAML/JSON list.

    Column names: ``to`` (or ``phone``, ``number``, ``전화번호``), ``person`` (or ``name``,
    ``이름``, ``성함``), ``scenario`` (optional, overrides ``--scenario``).

    Raises:
        InputError: unreadable file, unknown format, or a row without a number (every bad row
            is named as ``FILE:LINE``).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read the call list: {e}") from e
    rows: list[tuple[int, Any]]
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not any(k in reader.fieldnames for k in _TO_KEYS):
            raise InputError(f"{path}:1: the CSV header needs a 'to' column (to,person,scenario)")
        rows = [(reader.line_num, {k.strip(): v for k, v in r.items() if k}) for r in reader]
    elif path.suffix.lower() in (".yaml", ".yml", ".json"):
        rows = _yaml_rows(path, text)
    else:
        raise InputError(f"{path}: a call list is a .csv, .yaml, .yml or .json file")
    targets, errors = [], []
    for line, row in rows:
        where = f"{path}:{line}"
        if not isinstance(row, dict):
            errors.append(f"{where}: a row must be a mapping like {{to: ..., person: ...}}")
            continue
        to = _pick(row, _TO_KEYS)
        if to is None:
            errors.append(f"{where}: to: missing phone number")
            continue
        targets.append(CallTarget(to, _pick(row, _PERSON_KEYS), _pick(row, _SCENARIO_KEYS), where))
    if errors:
        raise InputError("\n".join(errors))
    if not targets:
        raise InputError(f"{path}: the call list is empty")
    return targets


def _yaml_rows(path: Path, text: str) -> list[tuple[int, Any]]:
    import yaml

    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise InputError(f"{path}: not valid YAML/JSON: {e}") from e
    if not isinstance(data, list) or node is None or not isinstance(node, yaml.SequenceNode):
        raise InputError(f"{path}:1: a call list is a list of {{to: ..., person: ...}}")
    return [(item.start_mark.line + 1, row) for item, row in zip(node.value, data, strict=True)]


def _check_scenario(scenarios: dict[str, Any], scenario_id: str, person: str | None) -> None:
    scenario = scenarios.get(scenario_id)
    if scenario is None:
        known = ", ".join(sorted(scenarios))
        raise InputError(f"unknown scenario {scenario_id!r} (known: {known})")
    if person is None and any("{person}" in t for t in scenario.templates.values()):
        raise InputError(
            f"{scenario_id} asks for the person by name: give --person NAME "
            "(or a person column in the list)"
        )
    if scenario.direction != "outbound":
        print(
            f"aicall: warning: {scenario_id} is an inbound scenario; calling out with it",
            file=sys.stderr,
        )


def call(
    to: Annotated[
        str | None, typer.Option("--to", help="Number to call, E.164 (+821012345678).")
    ] = None,
    scenario: Annotated[
        str | None, typer.Option(help="Scenario the call runs, e.g. carecall-ko.")
    ] = None,
    person: Annotated[
        str | None, typer.Option(help="Who is called (care calls ask for them by name).")
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            envvar="AICALL_CALLER_ID",
            help="Caller id: a Twilio number of the account (or AICALL_CALLER_ID).",
        ),
    ] = None,
    call_list: Annotated[
        Path | None,
        typer.Option(
            "--list", help="Call everyone in a CSV (to,person[,scenario]) or YAML/JSON list."
        ),
    ] = None,
    ring_timeout: Annotated[
        int, typer.Option(help="Seconds to ring before the call counts as not answered.")
    ] = 30,
    detect_voicemail: Annotated[
        bool, typer.Option(help="Hang up on answering machines (Twilio's detection).")
    ] = False,
    interval: Annotated[
        float, typer.Option(help="Seconds between two calls of a list (Twilio's rate limit).")
    ] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per call.")] = False,
    api_url: Annotated[str | None, typer.Option(hidden=True)] = None,
) -> None:
    """Place outbound calls through Twilio; ``aicall serve`` holds the conversations.

    Needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and AICALL_PUBLIC_URL (where Twilio reaches
    ``aicall serve``). Prints each call's SID; exit 1 if any call of a list was refused.
    """
    if (to is None) == (call_list is None):
        raise InputError("give either --to NUMBER or --list FILE")
    if interval < 0:
        raise InputError("--interval must not be negative")
    targets = load_call_list(call_list) if call_list else [CallTarget(str(to), person)]
    settings = Settings()
    # Everything is checked before the first call is placed: a bad row places nothing.
    dialer = TwilioDialer(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
        public_url=settings.public_url,
        api_base_url=api_url,
    )
    if not from_:
        raise InputError("--from: the caller id (a Twilio number) is needed, or AICALL_CALLER_ID")
    from_ = check_number(from_, "--from")
    # ids only: `aicall serve` holds the call and knows the same scenarios
    scenarios = known_scenarios()
    calls, errors = [], []
    for target in targets:
        prefix = f"{target.where}: " if target.where else ""
        try:
            scenario_id = target.scenario or scenario
            if not scenario_id:
                raise InputError("--scenario is needed (or a scenario column in the list)")
            _check_scenario(scenarios, scenario_id, target.person)
            calls.append(
                OutboundCall(
                    to=target.to,
                    scenario=scenario_id,
                    from_=from_,
                    person=target.person,
                    ring_timeout=ring_timeout,
                    detect_voicemail=detect_voicemail,
                )
            )
        except InputError as e:
            errors.append(f"{prefix}{e}")
    if errors:
        raise InputError("\n".join(errors))
    failed = 0
    for i, outbound in enumerate(calls):
        if i and interval:
            time.sleep(interval)
        try:
            placed = dialer.place(outbound)
        except AicallError as e:
            if len(calls) == 1:
                raise
            failed += 1
            _echo_failure(outbound, e, as_json)
            continue
        if as_json:
            typer.echo(json.dumps(placed.to_dict(), ensure_ascii=False))
        else:
            who = f" ({outbound.person})" if outbound.person else ""
            typer.echo(f"{placed.sid}  {placed.status:8} {outbound.to}{who}  {outbound.scenario}")
    if failed:
        print(f"aicall: {failed} of {len(calls)} calls were not placed", file=sys.stderr)
        raise typer.Exit(1)


def _echo_failure(outbound: Any, error: AicallError, as_json: bool) -> None:
    if as_json:
        row = {"sid": None, "status": "not_placed", "to": outbound.to, "error": str(error)}
        row.update({"scenario": outbound.scenario, "person": outbound.person})
        typer.echo(json.dumps(row, ensure_ascii=False))
    else:
        print(f"aicall: error: {outbound.to}: {error}", file=sys.stderr)


def register(app: typer.Typer) -> None:
    """Add ``aicall call`` to the CLI."""
    app.command("call")(call)
