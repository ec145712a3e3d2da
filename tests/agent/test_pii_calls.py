"""A text call where the caller says a resident registration number and a card number stores
neither in any table (the real SQLite file read back), and keeps the booking's phone.

The call runs through the runtime in-process, as ``aicall chat`` runs it (the first version of
the NLU, so no model is trained in the test).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from agent.config import Settings
from agent.runtime import AgentRuntime

NOW = datetime(2026, 11, 25, 10, 0)


def _database_text(path: Path) -> str:
    """Every row of every table of the SQLite file, as text (JSON escapes decoded)."""
    out = []
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"calls", "call_events", "bookings"} <= set(tables)
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                out.append(" ".join(str(v) for v in row))
    joined = "\n".join(out)
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), joined)


@pytest.mark.parametrize(
    ("scenario", "caller", "lines", "booking_phone"),
    [
        (
            "restaurant-ko",
            "+821012345678",
            [
                "예약하고 싶어요",
                "제 주민번호는 900101-1234567이고 카드번호는 4111 1111 1111 1111예요",
                "내일 저녁 7시에 4명이요",
                "방으로 될까요?",
                "김민수입니다",
                "구공공일공일 다시 일이삼사오육칠, 카드는 사일일일 일일일일 일일일일 일일일일이요",
                "네",
                "아니요",
            ],
            "01012345678",
        ),
        (
            "restaurant-en",
            "+15551234567",
            [
                "I'd like to book a table",
                "My resident registration number is 900101-1234567 and my card number is "
                "4111 1111 1111 1111",
                "tomorrow at 7 pm for four",
                "the main hall",
                "my name is John Smith",
                "card four one one one one one one one one one one one one one one one",
                "yes",
                "no",
            ],
            "5551234567",
        ),
    ],
)
def test_a_text_call_stores_no_resident_or_card_number(
    tmp_path: Path, scenario: str, caller: str, lines: list[str], booking_phone: str
) -> None:
    settings = Settings(data_dir=tmp_path, scenario_dirs=[], nlu_engine="")
    runtime = AgentRuntime(settings, clock=lambda _sc: NOW)
    try:
        session = runtime.new_call(scenario, caller=caller)
        session.start()
        for line in lines:
            session.user_text(line)
        session.close()
        assert session.tracker.state.outcome == "completed"
    finally:
        runtime.close()
    stored = _database_text(tmp_path / "aicall.db")
    for secret in ("900101", "4111", "1111 1111", "구공공일공일", "사일일일", "four one one one"):
        assert secret not in stored, secret
    assert "[RRN]" in stored and "[CARD]" in stored
    assert booking_phone in stored  # the booking's phone: its slot, the read-back, the booking
