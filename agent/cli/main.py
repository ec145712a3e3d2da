"""Entry point of the ``aicall`` command: assembles the subcommand modules.

Each subcommand module exposes ``register(app: typer.Typer) -> None``. Errors derived from
:class:`common.errors.AicallError` are printed as one clear line (no traceback) and exit 2.
"""

from __future__ import annotations

import importlib
import sys

import typer

from common.errors import AicallError

__all__ = ["app", "run"]

SUBCOMMAND_MODULES = (
    "agent.cli.chat",
    "agent.cli.scenario",
    "agent.cli.authoring",
    "agent.cli.records",
    "agent.cli.nlu",
    "agent.cli.serve",
    "agent.cli.simulate",
    "agent.cli.call",
    "agent.cli.calls",
)

app = typer.Typer(
    name="aicall",
    help="Goal-oriented call agent: reservations and care calls in Korean and English.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _name in SUBCOMMAND_MODULES:
    importlib.import_module(_name).register(app)


def run() -> None:
    """Run the CLI, turning project errors into a message and exit status 2."""
    try:
        app()
    except AicallError as e:
        print(f"aicall: error: {e}", file=sys.stderr)
        sys.exit(2)
