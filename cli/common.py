"""Helpers shared by subcommands: settings from the environment, a pinned clock, output."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.store import Database
from common.errors import InputError
from console.scenario_files import org_scenario_dirs
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario

__all__ = ["echo_rows", "make_runtime", "parse_now"]


def parse_now(now: str | None) -> Callable[[Scenario], datetime] | None:
    """A clock pinned at ``now`` (ISO 8601, local time of the venue), or None for the real one."""
    if not now:
        return None
    try:
        pinned = datetime.fromisoformat(now).replace(tzinfo=None)
    except ValueError:
        raise InputError(f"--now: {now!r} is not an ISO date-time like 2026-11-25T10:00") from None
    return lambda _scenario: pinned


def make_runtime(
    database: str | None = None,
    scenario_dir: list[Path] | None = None,
    now: str | None = None,
    scenario: Scenario | None = None,
) -> AgentRuntime:
    """Build the runtime from the environment, with command-line overrides.

    Args:
        database: ``--database URL``.
        scenario_dir: ``--scenario-dir`` folders, after ``AICALL_SCENARIO_DIRS`` and the
            console's organisation folders (``<data dir>/orgs/*/scenarios``).
        now: ``--now``: a pinned clock.
        scenario: a scenario the command resolved (:func:`cli.scenario_ref.resolve_scenario`,
            perhaps from a file outside the folders); the runtime serves it under its id.
    """
    settings = Settings()
    if database:
        settings.database_url = database
    # the console's scenarios (<data dir>/orgs/<org>/scenarios), then --scenario-dir
    settings.scenario_dirs = [
        *settings.scenario_dirs,
        *org_scenario_dirs(settings.data_dir),
        *(scenario_dir or []),
    ]
    scenarios = None
    if scenario is not None:
        scenarios = {**load_scenarios(settings.scenario_dirs), scenario.id: scenario}
    return AgentRuntime(settings, clock=parse_now(now), scenarios=scenarios)


def open_database(database: str | None) -> Database:
    """The database of ``--database URL``, else of the settings (``AICALL_DATABASE_URL``)."""
    return Database(database or Settings().resolved_database_url())


def json_default(value: Any) -> str:
    """JSON for dates and other values ``json`` cannot write (ISO 8601 when it has one)."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def echo_rows(
    rows: Sequence[Any], *, as_json: bool, empty: str, line: Callable[[Any], str]
) -> None:
    """Print stored records: one JSON array (``--json``), else ``line`` of each or ``empty``."""
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in rows], default=json_default, ensure_ascii=False))
        return
    if not rows:
        typer.echo(empty)
    for r in rows:
        typer.echo(line(r))
