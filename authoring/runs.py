"""Run a written dialogue's caller side against the real agent and check what it ended with.

:func:`run_dialogue` starts a real :class:`~agent.runtime.AgentRuntime` on a fresh SQLite
database with a pinned clock. For a change or cancel dialogue it first books the caller's prior
booking through the real booking store (the caller's phone number, as the agent looks it up),
and afterwards reads that booking back from the database: changed to the expected values, or
cancelled. Other dialogues are checked on the values the agent ended up with.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from agent.config import Settings
from agent.runtime import AgentRuntime
from authoring.model import DEFAULT_NOW, Dialogue, RunResult, jsonable
from common.errors import InputError
from dialogue.ports import BookingRequest
from dialogue.restaurant import capacity_rule, normalize_phone
from scenarios.schema import Scenario

__all__ = ["load_regressions", "run_dialogue", "save_regressions"]


def run_dialogue(
    dialogue: Dialogue,
    scenarios: dict[str, Scenario],
    *,
    now: datetime = DEFAULT_NOW,
    data_dir: Path | None = None,
) -> RunResult:
    """Replay the caller's turns against a real agent (fresh SQLite store, pinned clock).

    Args:
        dialogue: the dialogue to run.
        scenarios: the scenarios the agent serves (``dialogue.scenario`` among them).
        now: the call's local time.
        data_dir: the data directory whose trained models the agent uses (live calls' models,
            ``<data dir>/models``); ``None`` trains from the scenario. The database is always
            a fresh temporary one.
    """
    with tempfile.TemporaryDirectory(prefix="aicall-dialogue-") as tmp:
        settings = Settings(
            data_dir=data_dir or Path(tmp),
            database_url=f"sqlite:///{tmp}/aicall.db",
            scenario_dirs=[],
        )
        runtime = AgentRuntime(settings, clock=lambda _sc: now, scenarios=scenarios)
        try:
            return _run(runtime, dialogue)
        finally:
            runtime.close()


def _seed(runtime: AgentRuntime, sc: Scenario, dialogue: Dialogue) -> int:
    """Book the dialogue's prior booking for its caller; the booking's id."""
    if sc.venue is None:
        raise ValueError(f"{sc.id} has no venue: a prior booking cannot be made")
    p = dialogue.prior
    rule = capacity_rule(sc.venue)
    record = runtime.bookings.create(
        rule,
        BookingRequest(
            venue=rule.venue,
            start=datetime.combine(date.fromisoformat(p["date"]), time.fromisoformat(p["time"])),
            party_size=int(p["party_size"]),
            seating=str(p["seating"]),
            name=str(p["name"]),
            phone=normalize_phone(dialogue.caller) or "",
        ),
    )
    return record.id


def _booking_problems(runtime: AgentRuntime, booking_id: int, expect: dict[str, Any]) -> list[str]:
    record = runtime.bookings.get(booking_id)
    if record is None:
        return [f"booking {booking_id} is gone from the database"]
    has = {
        "status": record.status,
        "date": record.start.date().isoformat(),
        "time": record.start.time().isoformat(timespec="minutes"),
        "party_size": record.party_size,
        "seating": record.seating,
        "name": record.name,
    }
    return [
        f"booking {booking_id} {key}: expected {want!r}, the database has {has.get(key)!r}"
        for key, want in expect.items()
        if has.get(key) != want
    ]


def _run(runtime: AgentRuntime, dialogue: Dialogue) -> RunResult:
    sc = runtime.scenario(dialogue.scenario)
    transcript: list[str] = []
    booking_id = None
    if dialogue.prior:
        booking_id = _seed(runtime, sc, dialogue)
        p = dialogue.prior
        transcript.append(
            f"(booked before the call: {p['date']} {p['time']}, {p['party_size']}, "
            f"{p['seating']}, {p['name']}, caller {dialogue.caller})"
        )
    session = runtime.new_call(dialogue.scenario, caller=dialogue.caller, person=sc.sample_person)
    reply = session.start()
    transcript.append(f"agent> {reply.text}")
    seen: dict[str, Any] = {}
    for text in dialogue.caller_turns:
        if session.ended:
            transcript.append(f"(call ended before: {text})")
            break
        transcript.append(f"user>  {text}")
        reply = session.user_text(text)
        transcript.append(f"agent> {reply.text}")
        state = session.tracker.state
        seen.update({k: v for k, v in state.slots.items() if v is not None})
        seen.update({k: v for k, v in state.answers.items() if v is not None})
    state = session.tracker.state
    session.close()
    problems = []
    if not state.ended:
        problems.append("the call did not end")
    if not any(outcome == "done" for _, outcome in state.completed):
        problems.append(
            f"the task was not completed (completed: {state.completed}, outcome: {state.outcome})"
        )
    if booking_id is not None:
        problems += _booking_problems(runtime, booking_id, dialogue.expect)
    else:
        for slot, want in dialogue.expect.items():
            got = jsonable(seen.get(slot))
            if isinstance(want, list) and isinstance(got, list):
                got = sorted(got)
            if got != want:
                problems.append(f"{slot}: expected {want!r}, the agent has {got!r}")
    return RunResult(not problems, problems, transcript)


def load_regressions(path: Path) -> list[dict[str, Any]]:
    """The stored failing dialogues (``regressions.yml``), as mappings; none if absent.

    Raises:
        InputError: the file is not a YAML list.
    """
    if not path.exists():
        return []
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or []
    except (OSError, YAMLError) as e:
        raise InputError(f"{path}: cannot read regression cases: {e}") from None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise InputError(f"{path}: regression cases must be a list of dialogues")
    return data


def save_regressions(path: Path, stored: list[dict[str, Any]]) -> None:
    """Write the failing dialogues to ``path`` (created with its folder)."""
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.width = 4096
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        yaml.dump(stored, f)
