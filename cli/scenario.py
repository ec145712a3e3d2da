"""``aicall scenario ...``: validate and list scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.scenario_ref import resolve_scenario
from common.errors import InputError, ScenarioError
from nlu.rasa_format import export_scenario, import_rasa, write_scenario_skeleton
from scenarios.loader import ScenarioWarning, load_scenario, shipped_scenario_paths
from scenarios.starters import new_from_starter, starter_names

__all__ = ["register"]

scenario_app = typer.Typer(
    help="Scenario files: new (from a starter), validate, list, Rasa export/import.",
    no_args_is_help=True,
)


@scenario_app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.", show_default=False)],
) -> None:
    """Check scenario files; print each problem as FILE:LINE: FIELD: MESSAGE; exit 1 on any.

    Warnings (an intent with a description but no examples yet) are printed the same way with
    ``warning:`` before the message; they do not fail the file.
    """
    failed = 0
    for path in files:
        warnings: list[ScenarioWarning] = []
        try:
            sc = load_scenario(path, warnings=warnings)
        except ScenarioError as e:
            failed += 1
            typer.echo(f"{e}", err=True)
            continue
        for warning in warnings:
            typer.echo(f"{warning}", err=True)
        typer.echo(f"{path}: ok ({sc.id}, {sc.language}, {len(sc.intents)} intents)")
    if failed:
        raise typer.Exit(1)


@scenario_app.command("list")
def list_scenarios() -> None:
    """List the shipped scenarios."""
    for path in shipped_scenario_paths():
        sc = load_scenario(path)
        typer.echo(f"{sc.id:16} {sc.language}  {sc.direction:8}  {sc.persona.business}")


@scenario_app.command("new")
def new(
    scenario_id: Annotated[str, typer.Argument(help="Id of the new scenario (my-shop-ko).")],
    starter: Annotated[
        str,
        typer.Option(
            "--from", help="Starter to copy: booking (any appointment business), carecall, survey."
        ),
    ] = "booking",
    language: Annotated[str, typer.Option(help="ko or en.")] = "ko",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: ./ID.yaml).")
    ] = None,
    business_id: Annotated[
        str | None,
        typer.Option(
            "--business-id", help="booking.id; the ko and en files of one business share it."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Start a new business from a starter: a scenario file that loads and books as written.

    Edit the places its comments mark (business name, resources, services, hours), then
    ``aicall scenario validate FILE`` and ``aicall chat --scenario FILE``.
    """
    target = out or Path(f"{scenario_id}.yaml")
    if target.exists() and not force:
        raise InputError(f"{target} exists; choose another --out or add --force")
    text = new_from_starter(starter, language, scenario_id, business_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    sc = load_scenario(target)  # what was written is a valid scenario
    typer.echo(f"wrote {target} ({sc.id}, {sc.language}, starter {starter})")
    typer.echo(
        f"next: edit it, then aicall scenario validate {target}; aicall chat --scenario {target}"
    )


@scenario_app.command("starters")
def starters() -> None:
    """List the starters ``aicall scenario new --from NAME`` can copy."""
    for name in starter_names():
        typer.echo(f"{name:12} ko, en")


@scenario_app.command("export-rasa")
def export_rasa(
    scenario_id: Annotated[str, typer.Argument(help="Scenario id or scenario file.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for nlu.yml and domain.yml.")],
) -> None:
    """Write a scenario as Rasa NLU YAML and domain YAML."""
    sc = resolve_scenario(scenario_id)
    nlu_path, domain_path = export_scenario(sc, out)
    typer.echo(f"wrote {nlu_path} and {domain_path}")


@scenario_app.command("import-rasa")
def import_rasa_cmd(
    nlu: Annotated[list[Path], typer.Option("--nlu", help="Rasa NLU YAML files.")],
    out: Annotated[Path, typer.Option("--out", help="Scenario skeleton file to write.")],
    domain: Annotated[Path | None, typer.Option("--domain", help="Rasa domain file.")] = None,
    scenario_id: Annotated[str, typer.Option("--id", help="Scenario id.")] = "imported",
    language: Annotated[str, typer.Option(help="ko or en.")] = "en",
) -> None:
    """Turn Rasa NLU (and domain) files into a scenario skeleton to complete and validate."""
    skeleton = import_rasa(nlu, domain, scenario_id=scenario_id, language=language)
    write_scenario_skeleton(skeleton, out)
    typer.echo(f"wrote {out}: {len(skeleton['intents'])} intents, {len(skeleton['slots'])} slots")


def register(app: typer.Typer) -> None:
    """Add ``scenario`` to the CLI."""
    app.add_typer(scenario_app, name="scenario")
