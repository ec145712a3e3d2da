"""``aicall simulate``: place a simulated phone call over Twilio's protocol, print a transcript."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import make_runtime
from cli.scenario_ref import resolve_scenario

__all__ = ["register"]


def simulate(
    scenario: Annotated[str, typer.Option(help="Scenario id (restaurant-en) or scenario file.")],
    script: Annotated[Path, typer.Option(help="Caller script (YAML or JSON list of steps).")],
    database: Annotated[
        str | None, typer.Option(help="Database URL (default: AICALL_DATABASE_URL or SQLite).")
    ] = None,
    now: Annotated[
        str | None, typer.Option(help="Pretend the venue's local time is this (ISO 8601).")
    ] = None,
    no_transcribe: Annotated[
        bool, typer.Option("--no-transcribe", help="Do not transcribe the agent's replies.")
    ] = False,
    verbose: Annotated[bool, typer.Option(help="Pipeline debug logs.")] = False,
) -> None:
    """Serve the agent on loopback and call it as Twilio would; prints JSON."""
    from agent.server.loopback import simulate_call  # noqa: PLC0415 - the voice extra
    from agent.voice.engines import VoiceEngines  # noqa: PLC0415 - the voice extra
    from agent.voice.logs import quiet_pipecat  # noqa: PLC0415 - the voice extra
    from agent.voice.simulator import load_script  # noqa: PLC0415 - the voice extra

    quiet_pipecat("DEBUG" if verbose else "WARNING")
    steps = load_script(script)
    sc = resolve_scenario(scenario)
    runtime = make_runtime(database, None, now, scenario=sc)
    settings = runtime.settings
    engines = VoiceEngines.from_settings(settings)
    engines.warm_up()
    result = asyncio.run(
        simulate_call(settings, runtime, engines, sc.id, steps, transcribe=not no_transcribe)
    )
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Add ``aicall simulate`` to the CLI."""
    app.command("simulate")(simulate)
