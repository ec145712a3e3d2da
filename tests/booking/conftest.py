"""Fixtures of the booking-engine tests: the inline clinic in both languages, a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.store import Database, SqlBookingBackend
from scenarios.schema import Scenario
from tests.booking.clinic import load_clinic


@pytest.fixture(params=["en", "ko"])
def clinic(request: pytest.FixtureRequest, tmp_path: Path) -> Scenario:
    """The test clinic, once per language (the rules are the same; the words differ)."""
    return load_clinic(tmp_path, str(request.param))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlBookingBackend]:
    """Bookings in a fresh SQLite file."""
    db = Database(f"sqlite:///{tmp_path / 'aicall.db'}")
    try:
        yield SqlBookingBackend(db)
    finally:
        db.close()
