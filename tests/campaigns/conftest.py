"""Fixtures of the campaign tests: a real database (SQLite; PostgreSQL where locks matter), a
simulated clock, and a dialer that records the calls it is asked to place."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.campaigns import Campaigns, CampaignSpec, FixedClock, read_people
from agent.store import Database
from telephony.twilio.outbound import OutboundCall, PlacedCall
from tests.store.conftest import (  # noqa: F401  (fixtures shared with the store tests)
    fresh_postgres_url,
    postgres_server,
    postgres_url,
)

KST = ZoneInfo("Asia/Seoul")
#: Monday 2026-09-21, 09:00 in Seoul: before the first window opens. That week's Thursday and
#: Friday (09-24, 09-25) are Chuseok holidays (the day before, and Chuseok itself).
MONDAY_9AM = datetime(2026, 9, 21, 9, 0, tzinfo=KST)
CALLER_ID = "+15550100100"


def kst(day: int, hour: int, minute: int = 0, month: int = 9) -> datetime:
    """An instant in Seoul, September 2026 by default."""
    return datetime(2026, month, day, hour, minute, tzinfo=KST)


class RecordingDialer:
    """Places nothing: records each call and answers with a fresh SID (thread-safe)."""

    def __init__(self) -> None:
        self.calls: list[OutboundCall] = []
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def place(self, call: OutboundCall) -> PlacedCall:
        with self._lock:
            self.calls.append(call)
            sid = f"CA{next(self._numbers):032x}"
        return PlacedCall(sid=sid, status="queued", call=call)


@pytest.fixture
def clock() -> FixedClock:
    """A simulated clock at Monday 2026-09-21 09:00 KST."""
    return FixedClock(MONDAY_9AM)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A SQLite file."""
    db = Database(f"sqlite:///{tmp_path / 'aicall.db'}")
    yield db
    db.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """SQLite, then PostgreSQL (a fresh database each test)."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'aicall.db'}")
    else:
        db = Database(request.getfixturevalue("fresh_postgres_url"), pool_size=12)
    yield db
    db.close()


@pytest.fixture
def campaigns(sqlite_db: Database, clock: FixedClock) -> Campaigns:
    """The campaign API on SQLite and the simulated clock."""
    return Campaigns(sqlite_db, clock, worker="test")


@pytest.fixture
def dialer() -> RecordingDialer:
    """A dialer that records calls."""
    return RecordingDialer()


def people_csv(path: Path, rows: list[tuple[str, str]], header: str = "name,phone") -> Path:
    """Write a CSV list of people."""
    path.write_text(header + "\n" + "".join(f"{n},{p}\n" for n, p in rows), encoding="utf-8")
    return path


def korean_people(n: int) -> list[tuple[str, str]]:
    """``n`` people with Korean names and distinct Korean mobile numbers."""
    return [(f"김영희{i}", f"010-{1000 + i // 10000:04d}-{i % 10000:04d}") for i in range(n)]


def setup_campaign(
    campaigns: Campaigns,
    tmp_path: Path,
    people: list[tuple[str, str]],
    *,
    start: bool = True,
    **spec: object,
) -> str:
    """Create, import and (by default) start a campaign; returns its id."""
    spec.setdefault("id", "test")
    spec.setdefault("scenario_id", "carecall-ko")
    spec.setdefault("caller_id", CALLER_ID)
    created = campaigns.create(CampaignSpec(**spec))  # type: ignore[arg-type]
    csv_path = people_csv(tmp_path / f"{created.id}.csv", people)
    campaigns.import_people(created.id, read_people(csv_path, region="KR"))
    if start:
        campaigns.start(created.id)
    return created.id


def advance_to(clock: FixedClock, when: datetime) -> None:
    """Move the simulated clock forward to ``when``."""
    assert when >= clock.now(), "the simulated clock only moves forward"
    clock.set(when)


__all__ = [
    "CALLER_ID",
    "KST",
    "MONDAY_9AM",
    "RecordingDialer",
    "advance_to",
    "kst",
    "korean_people",
    "people_csv",
    "setup_campaign",
    "timedelta",
]
