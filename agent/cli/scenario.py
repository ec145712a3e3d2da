"""``aicall scenario ...``: validate and list scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.errors import ScenarioError
from scenarios.loader import load_scenario, shipped_scenario_paths

__all__ = ["register"]

scenario_app = typer.Typer(help="Scenario files: validate, list.", no_args_is_help=True)


@scenario_app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.", show_default=False)],
) -> None:
    """Check scenario files; print each problem as FILE:LINE: FIELD: MESSAGE; exit 1 on any."""
    failed = 0
    for path in files:
        try:
            sc = load_scenario(path)
        except ScenarioError as e:
            failed += 1
            typer.echo(f"{e}", err=True)
            continue
        typer.echo(f"{path}: ok ({sc.id}, {sc.language}, {len(sc.intents)} intents)")
    if failed:
        raise typer.Exit(1)


@scenario_app.command("list")
def list_scenarios() -> None:
    """List the shipped scenarios."""
    for path in shipped_scenario_paths():
        sc = load_scenario(path)
        typer.echo(f"{sc.id:16} {sc.language}  {sc.direction:8}  {sc.persona.business}")


def register(app: typer.Typer) -> None:
    """Add ``scenario`` to the CLI."""
    app.add_typer(scenario_app, name="scenario")
