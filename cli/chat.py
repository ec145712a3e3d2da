"""``aicall chat``: hold a call with the agent by text (interactive or piped)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.common import make_runtime
from cli.scenario_ref import resolve_scenario

__all__ = ["register"]


def chat(
    scenario: Annotated[
        str,
        typer.Option(
            help="Scenario id (restaurant-ko, clinic-en, salon-ko, carecall-en) or scenario file."
        ),
    ],
    caller: Annotated[
        str | None, typer.Option(help="Caller ID (E.164), e.g. +821012345678.")
    ] = None,
    person: Annotated[
        str | None, typer.Option(help="Care calls: the person called (default: the sample).")
    ] = None,
    person_id: Annotated[
        str | None,
        typer.Option(
            help="Care calls: who the person is for the memory between calls and their "
            "history (default: the name)."
        ),
    ] = None,
    database: Annotated[
        str | None, typer.Option(help="Database URL (default: AICALL_DATABASE_URL or SQLite).")
    ] = None,
    scenario_dir: Annotated[
        list[Path] | None, typer.Option(help="Extra directory of scenario files.")
    ] = None,
    now: Annotated[
        str | None, typer.Option(help="Pretend the venue's local time is this (ISO 8601).")
    ] = None,
) -> None:
    """Talk to the agent by text: one caller line per input line; ends when the call ends."""
    # imported here: the runtime pulls in the NLU's scikit-learn, which the other subcommands
    # (bookings, carecall, scenario) do not need

    sc = resolve_scenario(scenario, scenario_dir or [])
    runtime = make_runtime(database, scenario_dir, now, scenario=sc)
    interactive = sys.stdin.isatty()
    session = runtime.new_call(
        sc.id, caller=caller, person=person, person_id=person_id, direction=None, callee=None
    )
    status, reason = "completed", None
    try:
        reply = session.start()
        _show(reply.text)
        while not session.ended:
            if interactive:
                print("you> ", end="", flush=True)
            line = sys.stdin.readline()
            if not line:
                session.event("hangup")
                status = "hangup"
                break
            line = line.strip()
            if not interactive:
                print(f"you> {line}")
            reply = session.user_text(line) if line else session.event("silence")
            _show(reply.text)
            if reply.transfer_to:
                print(f"[transferred to {reply.transfer_to}]")
    except KeyboardInterrupt:
        session.event("hangup")
        status = "hangup"
    finally:
        session.close(status, reason)
        outcome = session.tracker.state.outcome or status
        print(f"[call ended: {outcome}]")
        runtime.close()


def _show(text: str) -> None:
    if text:
        print(f"agent> {text}", flush=True)


def register(app: typer.Typer) -> None:
    """Add ``chat`` to the CLI."""
    app.command("chat")(chat)
