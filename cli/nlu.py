"""``aicall nlu ...``: train, test and try the NLU engines."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from agent.config import Settings
from cli.scenario_ref import resolve_scenario
from common.errors import InputError
from nlu.base import engine_class, load_engine
from nlu.config import make_parser
from nlu.datafiles import read_training_files
from nlu.evaluate import evaluate, format_report

__all__ = ["register", "result_to_json"]

nlu_app = typer.Typer(help="NLU engines: train, test, parse.", no_args_is_help=True)


def _json_value(value: Any) -> Any:
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def result_to_json(result: Any) -> dict[str, Any]:
    """One :class:`nlu.types.NLUResult` as the JSON object ``aicall nlu parse`` prints."""
    return {
        "text": result.text,
        "domain": result.domain,
        "intent": result.intent,
        "confidence": round(float(result.confidence), 4),
        "slots": [
            {
                "name": s.name,
                "value": _json_value(s.value),
                "text": s.text,
                "start": s.start,
                "end": s.end,
            }
            for s in result.slots
        ],
    }


def _today(today: str | None) -> date:
    if not today:
        return date.today()
    try:
        return date.fromisoformat(today)
    except ValueError:
        raise InputError(f"--today: {today!r} is not an ISO date like 2026-11-25") from None


@nlu_app.command("train")
def train(
    data: Annotated[list[Path], typer.Option("--data", help="Rasa NLU YAML or scenario files.")],
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    engine: Annotated[
        str, typer.Option("--engine", help="classical, joint, ensemble, encoder or prior.")
    ] = "joint",
    language: Annotated[str | None, typer.Option(help="ko or en (guessed when absent).")] = None,
) -> None:
    """Train an engine on the data files and save it to OUT."""
    cls = engine_class(engine)
    training = read_training_files(data, language=language)
    typer.echo(
        f"training {engine} on {len(training.examples)} examples, {len(training.intents)} intents, "
        f"{len(training.entities)} entities ({training.language})",
        err=True,
    )
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(), transient=False, console=Console(stderr=True),
    ) as bar:  # fmt: skip
        task = bar.add_task("training", total=1.0)

        def progress(fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, description=message)

        model = cls().train(training, progress=progress)
    model.save(out)
    typer.echo(f"saved {engine} model to {out} ({model.train_seconds:.1f} s)")


@nlu_app.command("test")
def test(
    model: Annotated[Path, typer.Option("--model", help="Model directory.")],
    data: Annotated[list[Path], typer.Option("--data", help="Annotated test files.")],
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the report as JSON.")
    ] = None,
) -> None:
    """Score a model on annotated data: intent accuracy, slot F1, per-intent/slot, confusions."""
    engine = load_engine(model)
    examples = read_training_files(data, language=engine.language).examples
    rep = evaluate(engine, examples)
    typer.echo(format_report(rep))
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(rep.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        typer.echo(f"report written to {report}")


@nlu_app.command("parse")
def parse(
    model: Annotated[Path | None, typer.Option("--model", help="Model directory.")] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Scenario id or scenario file.")
    ] = None,
    scenario_dir: Annotated[
        list[Path] | None, typer.Option("--scenario-dir", help="Extra scenario folders.")
    ] = None,
    today: Annotated[str | None, typer.Option(help="Reference date (ISO).")] = None,
    expected: Annotated[str | None, typer.Option(help="The slot just asked for.")] = None,
) -> None:
    """Read one utterance per stdin line; print one JSON object per line."""
    if (model is None) == (scenario is None):
        raise InputError("give exactly one of --model DIR or --scenario ID")
    ref = _today(today)
    parser: Any
    if model is not None:
        parser = load_engine(model)
    else:
        sc = resolve_scenario(str(scenario), scenario_dir or [])
        # what a call to the scenario would use (AICALL_NLU_*): by default the model
        # `aicall scenario train` saved, when it matches the scenario; else trained now
        settings = Settings()
        parser = make_parser(settings.nlu, sc, models_dir=settings.data_dir / "models")
    for line in sys.stdin:
        text = line.rstrip("\n")
        result = parser.parse(text, today=ref, expected=expected)
        typer.echo(json.dumps(result_to_json(result), ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add ``nlu`` to the CLI."""
    app.add_typer(nlu_app, name="nlu")
