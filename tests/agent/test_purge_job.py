"""The purge job ``aicall serve`` runs: at start, in its own thread, surviving a dead database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.retention import PurgeJob
from agent.store import CallLog, Database
from scenarios.loader import load_scenarios


def test_the_job_purges_expired_calls_at_start_and_keeps_recent_ones(tmp_path: Path) -> None:
    scenarios = load_scenarios([])
    db = Database(f"sqlite:///{tmp_path / 'aicall.db'}")
    calls = CallLog(db)
    old = datetime.now(UTC) - timedelta(days=200)
    for call_id, started in (("CAold", old), ("CAnew", datetime.now(UTC))):
        calls.start_call(
            call_id=call_id, scenario_id="restaurant-ko", direction="inbound", started_at=started
        )
        calls.append_events(call_id, [{"type": "user", "timestamp": started, "text": "4명"}])
        calls.end_call(call_id, "completed", ended_at=started + timedelta(minutes=2))
    job = PurgeJob(db, scenarios, tmp_path, interval=3600)
    job.start()
    try:
        assert job.ran.wait(120)
    finally:
        job.stop()
        db.close()
    db = Database(f"sqlite:///{tmp_path / 'aicall.db'}")
    try:
        assert [c.id for c in job.reports[0].calls] == ["CAold"]
        assert CallLog(db).load_events("CAold") == []
        assert len(CallLog(db).load_events("CAnew")) == 1
    finally:
        db.close()


def test_a_dead_database_is_logged_and_the_job_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database("postgresql+psycopg://aicall:pw-x7@127.0.0.1:9/aicall", connect_timeout=1)
    job = PurgeJob(db, load_scenarios([]), tmp_path, interval=3600)
    with caplog.at_level(logging.ERROR, logger="agent.retention"):
        job.start()
        try:
            assert job.ran.wait(120)
        finally:
            job.stop()
            db.close()
    assert job.reports == []
    assert "purge failed (tried again in 3600 s)" in caplog.text
