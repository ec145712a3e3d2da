"""What the memory between care calls costs: the store reads at a call's start and for reports.

A fresh SQLite file holds 2,000 people with 8 weekly care calls each (16,000 linked calls with
answers, one open flag per person). Timed: ``past_calls`` (what ``AgentRuntime.new_call`` reads
before the greeting when the scenario has follow-ups), ``history`` (``aicall carecall history``)
and ``person_trends`` (``aicall carecall trends PERSON``), each for 200 different people.
``python -m bench carecall_memory``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from agent.store import Database, SqlCareCallRecorder
from agent.store.models import CareCallAnswers, CareCallPersonCall, FollowupFlag
from agent.trends import person_trends
from scenarios.loader import load_scenarios

__all__ = ["main"]

PEOPLE, WEEKS, SAMPLE = 2000, 8, 200
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
MOODS = ("good", "so_so", "bad")


def _fill(db: Database) -> None:
    linked, answers, flags = [], [], []
    for p in range(PEOPLE):
        for w in range(WEEKS):
            call_id = f"p{p}-w{w}"
            when = T0 + timedelta(days=7 * w)
            linked.append(
                {
                    "call_id": call_id,
                    "person_id": f"p{p}",
                    "person": f"Person {p}",
                    "scenario_id": "carecall-ko",
                    "called_at": when,
                    "recalled": {},
                }
            )
            answers.append(
                {
                    "call_id": call_id,
                    "scenario_id": "carecall-ko",
                    "person": f"Person {p}",
                    "answers": {"meal": "ate_well", "mood": MOODS[(p + w) % 3]},
                    "recorded_at": when,
                }
            )
        flags.append(
            {
                "call_id": f"p{p}-w{WEEKS - 1}",
                "scenario_id": "carecall-ko",
                "person": f"Person {p}",
                "reasons": ["symptom"],
                "created_at": T0,
                "resolved": False,
            }
        )
    with db.transaction() as session:
        session.execute(insert(CareCallPersonCall), linked)
        session.execute(insert(CareCallAnswers), answers)
        session.execute(insert(FollowupFlag), flags)


def _time(what: Callable[[int], object]) -> float:
    start = time.perf_counter()
    for i in range(SAMPLE):
        what(i)
    return (time.perf_counter() - start) / SAMPLE * 1000


def main() -> None:
    """Print one table: milliseconds per read, SQLite."""
    scenarios = load_scenarios()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'memory.db'}")
        try:
            _fill(db)
            recorder = SqlCareCallRecorder(db)
            end = T0 + timedelta(days=7 * WEEKS)
            rows = [
                ("past_calls (call start)", _time(lambda i: recorder.past_calls(f"p{i}", end))),
                ("history", _time(lambda i: recorder.history(f"p{i}"))),
                ("person_trends", _time(lambda i: person_trends(recorder, scenarios, f"p{i}"))),
            ]
        finally:
            db.close()
    print(f"SQLite, {PEOPLE:,} people x {WEEKS} weekly calls, {SAMPLE} people each")
    print("| read | ms per person |")
    print("|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.2f} |")
