"""The console's calls and results queries on PostgreSQL (JSONB transcript search) (C4, #14)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from console.queries_calls import CallFilter, call_detail, search_calls
from console.queries_results import bookings_calendar, carecall_csv, carecall_people, person_page
from tests.console.c4_data import make_calls
from tests.conversation.harness import Clock, make_runtime
from tests.pg import PG_MISSING, PostgresServer, find_pg_bindir

pytestmark = pytest.mark.postgres

ACME = {"restaurant-ko", "restaurant-en", "carecall-ko"}


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    bindir = find_pg_bindir()
    if bindir is None:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(PG_MISSING, pytrace=False)
        pytest.skip(PG_MISSING)
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_search_detail_calendar_and_people_on_postgres(pg: PostgresServer, tmp_path: Path) -> None:
    clock = Clock()
    runtime = make_runtime(tmp_path, clock=clock, database_url=pg.create_database("c4_calls"))
    try:
        made = make_calls(runtime, clock)
        with runtime.db.session() as s:
            found = search_calls(s, ACME, CallFilter(text="김민수"), "Asia/Seoul")
            assert [c.call.id for c in found.calls] == [made.booking_ko]
            upper = search_calls(s, ACME, CallFilter(text="TERRACE"), "Asia/Seoul")
            assert [c.call.id for c in upper.calls] == [made.booking_en]
            assert search_calls(s, ACME, CallFilter(text="홍길동"), "Asia/Seoul").total == 0
            flagged = search_calls(s, ACME, CallFilter(flagged=True), "Asia/Seoul")
            assert [c.call.id for c in flagged.calls] == [made.care[2]]
            detail = call_detail(s, ACME, made.booking_ko, tmp_path)
            assert any("김민수" in line.text for line in detail.transcript)
            assert detail.bookings[0]["name"] == "김민수"
            week = bookings_calendar(
                s, runtime.scenarios, ACME, venue=None, day=date(2026, 11, 26), view="week"
            )
            assert {e.name for e in week.entries} == {"김민수", "Sarah Lee"}
            people = carecall_people(s, ACME)
            assert [p.person_id for p in people][:1] == ["p-001"] and people[0].open_flags
            assert "p-001" in carecall_csv(s, ACME)
        page = person_page(runtime.carecall, runtime.scenarios, ACME, "p-001")
        assert [p.score for p in page.trends.trends["mood"].points] == [1.0, 0.5, 0.0]
    finally:
        runtime.close()
