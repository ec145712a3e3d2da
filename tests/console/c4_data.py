"""Genuine calls for the console's calls/results/campaigns tests (helper C4, #14).

Every call is a real text call through :class:`agent.runtime.AgentRuntime` and the shipped
scenarios (as tests/conversation do): the store holds what a real call leaves — events,
bookings with their holds, care-call answers, flags, the person links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.app import create_app
from agent.store import Database
from console.app import mount_console
from tests.console.support import PASSWORD, Tenants, login, seed_tenants
from tests.conversation.harness import Clock, start_call

KO_CALLER = "+821012345678"
EN_CALLER = "+15551234567"


@dataclass
class Made:
    """Ids of what :func:`make_calls` stored."""

    booking_ko: str = ""
    booking_en: str = ""
    clinic: str = ""
    care: list[str] = field(default_factory=list)  # p-001's three weekly calls, oldest first
    care_ok: str = ""  # p-002's call, nothing to follow up


def booking_call_ko(runtime: AgentRuntime) -> str:
    """김민수 books 4 in the hall tomorrow (Thursday 26 Nov 2026) at 7 pm."""
    call = start_call(runtime, "restaurant-ko", caller=KO_CALLER)
    for words in ("예약하고 싶어요", "내일이요", "저녁 7시요", "네 명이요", "홀로 해 주세요"):
        call.user(words)
    call.user("김민수입니다").agent("예약해 드릴까요?")
    call.user("네").agent("예약이 완료되었습니다")
    call.user("아니요").ends("completed")
    call.close()
    return call.call_id


def booking_call_en(runtime: AgentRuntime) -> str:
    """Sarah Lee books 2 on the terrace on Friday 27 Nov at 6 pm."""
    call = start_call(runtime, "restaurant-en", caller=EN_CALLER)
    call.user("I'd like to book a table")
    call.user("this Friday")
    call.user("6 pm")
    call.user("two people")
    call.user("the terrace please")
    call.user("Sarah Lee").agent("Shall I")
    call.user("yes").agent("booked")
    call.user("no thanks").ends("completed")
    call.close()
    return call.call_id


def clinic_call_ko(runtime: AgentRuntime) -> str:
    """홍길동 sees 김민수 원장님 on Friday 27 Nov at 3 pm."""
    call = start_call(runtime, "clinic-ko", caller=KO_CALLER)
    call.user("진료 예약하고 싶어요")
    call.user("김 원장님이요")
    call.user("금요일이요")
    call.user("오후 3시요")
    call.user("홍길동입니다").agent("예약해 드릴까요?")
    call.user("네").agent("예약되었습니다")
    call.user("아니요").ends("completed")
    call.close()
    return call.call_id


def care_week(runtime: AgentRuntime, answers: list[str], *, person: str, person_id: str) -> str:
    """One care call in Korean; ``answers`` after the identity question."""
    call = start_call(runtime, "carecall-ko", person=person, person_id=person_id)
    call.user("네 맞아요")
    for words in answers:
        if call.session.ended:
            break
        call.user(words)
    call.close()
    return call.call_id


GOOD_WEEK = [
    "네 잘 먹었어요",
    "푹 잤어요",
    "괜찮아요 아픈 데 없어요",
    "기분은 좋아요",
    "필요한 건 없어요",
]
SO_SO_WEEK = [
    "조금 먹었어요",
    "푹 잤어요",
    "괜찮아요 아픈 데 없어요",
    "그냥 그래요",
    "필요한 건 없어요",
]
BAD_WEEK = [
    "아침은 걸렀어요",
    "잠을 통 못 잤어요",
    "허리가 좀 아프고 기침도 나요",
    "좀 외로워요",
    "반찬이 다 떨어졌어요",
]


def make_calls(runtime: AgentRuntime, clock: Clock) -> Made:
    """Bookings (restaurant ko/en, clinic), three weekly care calls of p-001 getting worse (the
    last one flagged), and one good call of p-002."""
    made = Made()
    made.booking_ko = booking_call_ko(runtime)
    made.booking_en = booking_call_en(runtime)
    made.clinic = clinic_call_ko(runtime)
    start = clock.now
    for i, week in enumerate((GOOD_WEEK, SO_SO_WEEK, BAD_WEEK)):
        clock.now = start + timedelta(days=7 * i)
        made.care.append(care_week(runtime, week, person="김영희", person_id="p-001"))
    clock.now = start
    made.care_ok = care_week(runtime, GOOD_WEEK, person="박철수", person_id="p-002")
    return made


@dataclass
class C4Env:
    """A console app with genuine calls, shared by the C4 tests (like ``console_env``)."""

    app: Any
    settings: Settings
    runtime: AgentRuntime
    tenants: Tenants
    data_dir: Path
    made: Made
    client: Callable[..., Any]

    @property
    def db(self) -> Database:
        """The app's database."""
        return self.runtime.db


@pytest.fixture(scope="session")
def c4_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[C4Env]:
    """The console (as ``console_env`` builds it) with :func:`make_calls` made once per session.

    ``client("acme-operator")`` is a TestClient logged in as that user (``client()``: nobody).
    The calls, results and campaigns tests share it: a test that changes something changes
    only objects it made itself (its own call, flag, campaign).
    """
    tmp = tmp_path_factory.mktemp("c4")
    settings = Settings(
        data_dir=tmp / "data",
        database_url=f"sqlite:///{tmp / 'console.db'}",
        console_admin_password=PASSWORD,
        webhook_rate_limit=0,
    )
    clock = Clock()
    runtime = AgentRuntime(settings, clock=clock)
    tenants = seed_tenants(runtime.db, settings.data_dir, sorted(runtime.scenarios))
    app = create_app(settings, runtime, warm_scenarios=[])
    mount_console(app, settings=settings, runtime=runtime)
    made = make_calls(runtime, clock)
    clients: list[Any] = []

    def client(username: str | None = None) -> Any:
        c = TestClient(app)
        clients.append(c)
        if username is not None:
            login(c, username, PASSWORD)
        return c

    try:
        yield C4Env(app, settings, runtime, tenants, settings.data_dir, made, client)
    finally:
        for c in clients:
            c.close()
        runtime.close()
