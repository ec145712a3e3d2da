"""Entry point of the ``aicall`` command: assembles the subcommand modules.

Each subcommand module exposes ``register(app: typer.Typer) -> None``. Errors derived from
:class:`common.errors.AicallError` are printed as one clear line (no traceback) and exit 2.
"""

from __future__ import annotations

import importlib
import sys
import traceback

import typer

from common.errors import AicallError
from common.logs import configure_logging
from common.pii import redact_secrets

__all__ = ["app", "run"]

SUBCOMMAND_MODULES = (
    "cli.chat",
    "cli.scenario",
    "cli.authoring",
    "cli.records",
    "cli.nlu",
    "cli.serve",
    "cli.simulate",
    "cli.call",
    "cli.calls",
    "cli.campaign",
    "cli.person",
    "cli.console",
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
    configure_logging("WARNING")  # structured, redacted lines (`aicall serve` sets its own level)
    try:
        app()
    except AicallError as e:
        print(f"aicall: error: {redact_secrets(str(e))}", file=sys.stderr)
        sys.exit(2)
    except Exception:  # a bug: its traceback, without the configured secrets (docs/privacy.md)
        print(redact_secrets(traceback.format_exc()), file=sys.stderr, end="")
        sys.exit(1)
