"""Retention and people's rights on the real SQLite file: ``aicall calls purge [--dry-run]``,
``aicall person export`` and ``aicall person delete``, with the calls' JSON records and
recordings on disk.

The calls are made in-process through the runtime (as ``aicall chat`` makes them); the commands
run in-process through the CLI's own app, with the settings from the environment.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from agent.config import Settings
from agent.runtime import AgentRuntime
from cli.main import app

NOW = datetime(2026, 11, 25, 10, 0)
BOOKING_KO = (
    "예약하고 싶어요",
    "내일 저녁 7시에 4명이요",
    "방으로 될까요?",
    "김민수입니다",
    "네",
    "아니요",
)
CARE_KO = ("네", "아침은 걸렀어요", "잘 잤어요", "열이 나요", "좋아요", "없어요")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data directory every command and call of the test uses."""
    for name in [n for n in os.environ if n.startswith("AICALL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AICALL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AICALL_NLU_ENGINE", "")  # the first version: no training per test
    return tmp_path / "data"


def _call(scenario: str, lines: tuple[str, ...], **who: str) -> str:
    runtime = AgentRuntime(Settings(), clock=lambda _sc: NOW)
    try:
        session = runtime.new_call(scenario, caller=who.get("caller"), person=who.get("person"))
        session.start()
        for line in lines:
            session.user_text(line)
        session.close()
        return session.call_id
    finally:
        runtime.close()


def _aicall(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def _count(data: Path, sql: str, *args: object) -> int:
    with sqlite3.connect(data / "aicall.db") as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def _events(data: Path, call_id: str) -> int:
    return _count(data, "SELECT count(*) FROM call_events WHERE call_id = ?", call_id)


def _files(data: Path, call_id: str) -> tuple[Path, Path]:
    record = data / "calls" / f"{call_id}.json"
    recording = data / "recordings" / f"{call_id}.wav"
    for path in (record, recording):
        path.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"call_id": call_id, "turns": []}))
    recording.write_bytes(b"RIFF....WAVE")
    return record, recording


def _days_later(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat() + "T12:00"


def test_purge_removes_recordings_then_transcripts_after_their_periods(data: Path) -> None:
    call = _call("restaurant-ko", BOOKING_KO, caller="+821012345678")
    record, recording = _files(data, call)
    assert _events(data, call) > 10

    # 40 days on: restaurant-ko keeps recordings 30 days and transcripts 90
    dry = _aicall("calls", "purge", "--dry-run", "--now", _days_later(40), "--json")
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.stdout)
    assert report["dry_run"] and report["calls"] == [] and report["files"] == [str(recording)]
    assert recording.exists()  # a dry run changes nothing
    purged = _aicall("calls", "purge", "--now", _days_later(40))
    assert purged.exit_code == 0, purged.output
    assert "removed: the words of 0 calls" in purged.stdout and "1 files" in purged.stdout
    assert not recording.exists() and record.exists() and _events(data, call) > 10

    # 91 days on: the words go too; the call's row stays, without its numbers
    dry = _aicall("calls", "purge", "--dry-run", "--now", _days_later(91))
    assert "would remove: the words of 1 calls" in dry.stdout, dry.output
    assert _events(data, call) > 10
    purged = _aicall("calls", "purge", "--now", _days_later(91))
    assert purged.exit_code == 0, purged.output
    assert _events(data, call) == 0 and not record.exists()
    with sqlite3.connect(data / "aicall.db") as conn:
        row = conn.execute("SELECT status, caller FROM calls WHERE id = ?", (call,)).fetchone()
    assert row == ("completed", None)
    assert _count(data, "SELECT count(*) FROM bookings") == 1  # a booking is not a transcript
    again = _aicall("calls", "purge", "--now", _days_later(91))
    assert "the words of 0 calls" in again.stdout  # done once

    bad = _aicall("calls", "purge", "--now", "next week")
    assert bad.exit_code != 0 and "ISO date-time" in str(bad.exception or bad.output)


def test_person_export_and_delete_cover_calls_bookings_answers_and_files(data: Path) -> None:
    mine = _call("restaurant-ko", BOOKING_KO, caller="+821012345678")
    other = _call("restaurant-ko", BOOKING_KO, caller="+821099998888")
    _call("carecall-ko", CARE_KO, person="박순자")
    record, recording = _files(data, mine)

    exported = _aicall("person", "export", "010-1234-5678")
    assert exported.exit_code == 0, exported.output
    dump = json.loads(exported.stdout)
    assert [c["id"] for c in dump["calls"]] == [mine]
    assert dump["calls"][0]["events"] and dump["calls"][0]["record"]["call_id"] == mine
    assert dump["calls"][0]["recording"] == str(recording)
    assert [(b["phone"], b["name"]) for b in dump["bookings"]] == [("01012345678", "김민수")]

    out = data / "park.json"
    assert _aicall("person", "export", "박순자", "--out", str(out)).exit_code == 0
    park = json.loads(out.read_text())
    assert [a["person"] for a in park["carecall_answers"]] == ["박순자"]
    assert park["followup_flags"] and len(park["calls"]) == 1
    assert [p["person"] for p in park["carecall_person_calls"]] == ["박순자"]

    unsure = _aicall("person", "delete", "010-1234-5678", stdin="n\n")
    assert unsure.exit_code == 1 and _events(data, mine) > 0  # asked, refused: nothing deleted
    deleted = _aicall("person", "delete", "010-1234-5678", "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert "deleted: 1 calls, 1 bookings" in deleted.stdout and "2 files" in deleted.stdout
    assert _count(data, "SELECT count(*) FROM calls WHERE id = ?", mine) == 0
    assert _events(data, mine) == 0 and not record.exists() and not recording.exists()
    assert _count(data, "SELECT count(*) FROM bookings WHERE phone = '01012345678'") == 0
    assert _count(data, "SELECT count(*) FROM bookings WHERE phone = '01099998888'") == 1
    assert _events(data, other) > 0  # someone else's call is untouched

    assert _aicall("person", "delete", "박순자", "--yes").exit_code == 0
    assert _count(data, "SELECT count(*) FROM carecall_answers") == 0
    assert _count(data, "SELECT count(*) FROM followup_flags") == 0
    assert _count(data, "SELECT count(*) FROM carecall_person_calls") == 0
    gone = _aicall("person", "export", "박순자")
    assert gone.exit_code != 0 and "nothing is stored about '박순자'" in str(gone.exception)
