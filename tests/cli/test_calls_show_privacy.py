"""``aicall calls show`` masks personal numbers of rows stored before redaction existed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from agent.store import CallLog, Database
from cli.main import app

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_an_old_unmasked_turn_is_masked_on_the_way_out(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'aicall.db'}"
    db = Database(url)
    try:
        calls = CallLog(db)
        calls.start_call(call_id="CAold", scenario_id="restaurant-ko", direction="inbound")
        calls.append_events(
            "CAold", [{"type": "slot", "timestamp": T0, "name": "phone", "value": "01012345678"}]
        )
        with db.transaction() as session:  # as an older version wrote it: in clear
            session.execute(
                text(
                    "INSERT INTO voice_turns (call_id, seq, kind, user_text, agent_text, interrupted)"
                    " VALUES ('CAold', 1, 'speech', :user, :agent, 0)"
                ),
                {
                    "user": "주민번호 900101-1234567, 연락처 010-1234-5678",
                    "agent": "010-1234-5678로 예약할까요?",
                },
            )
    finally:
        db.close()
    shown = CliRunner().invoke(app, ["calls", "show", "CAold", "--json", "--database", url])
    assert shown.exit_code == 0, shown.output
    (turn,) = json.loads(shown.stdout)["turns"]
    assert turn["user"] == "주민번호 [RRN], 연락처 010-1234-5678"
    assert turn["agent"] == "010-1234-5678로 예약할까요?"
    table = CliRunner().invoke(app, ["calls", "show", "CAold", "--database", url])
    assert "[RRN]" in table.stdout and "900101" not in table.stdout
