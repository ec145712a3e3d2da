"""Text-agent turn latency: NLU + policy + templates + SQLite writes, per scenario and language.

Plays scripted calls through the real runtime (temporary SQLite database, pinned clock) and
prints p50/p95 per turn and the time to train each scenario's NLU.
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path

from agent.config import Settings
from agent.runtime import AgentRuntime
from nlu.config import scenario_parser

SCRIPTS = {
    "restaurant-ko": [
        "예약하고 싶어요",
        "내일 저녁 7시에 4명이요",
        "방으로 될까요?",
        "김민수입니다",
        "아니요, 8시로 해 주세요",
        "네",
        "아니요",
    ],
    "restaurant-en": [
        "I'd like to book a table",
        "table for four tomorrow at 7 pm",
        "a private room please",
        "my name is John Smith",
        "no, make it 8",
        "yes",
        "no thanks",
    ],
    # any business: each round's caller takes the earliest free time, so the rounds fill the diary
    "clinic-ko": [
        "진료 예약하고 싶어요",
        "아무나요",
        "제일 빠른 시간으로 해 주세요",
        "홍길동입니다",
        "네",
        "아니요",
    ],
    "clinic-en": [
        "I'd like to make an appointment",
        "a consultation",
        "anyone is fine",
        "the earliest you have",
        "my name is John Smith",
        "yes",
        "no thanks",
    ],
    "salon-ko": [
        "커트 예약하려고요",
        "아무나요",
        "제일 빠른 시간으로요",
        "김하늘입니다",
        "네",
        "아니요",
    ],
    "salon-en": [
        "I'd like a haircut",
        "anyone is fine",
        "the earliest you have",
        "my name is Emily Clark",
        "yes",
        "no thanks",
    ],
    "carecall-ko": ["네 맞아요", "잘 먹었어요", "푹 잤어요", "허리가 아파요", "좋아요", "없어요"],
    "carecall-en": [
        "yes speaking",
        "I ate well",
        "I slept well",
        "my knee hurts",
        "good",
        "nothing",
    ],
}
ROUNDS = 10


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        runtime = AgentRuntime(settings, clock=lambda _s: datetime(2026, 11, 25, 10, 0))
        rows = []
        booked: dict[str, int] = {}
        for sid, lines in SCRIPTS.items():
            sc = runtime.scenario(sid)
            t0 = time.perf_counter()
            scenario_parser(sc, engine=settings.nlu_engine)
            train_ms = (time.perf_counter() - t0) * 1000
            turns: list[float] = []
            for i in range(ROUNDS):
                session = runtime.new_call(sid, caller=f"+8210000{i:04d}")
                session.start()
                for line in lines:
                    t = time.perf_counter()
                    session.user_text(line)
                    turns.append((time.perf_counter() - t) * 1000)
                    if session.ended:
                        break
                session.close()
            booked[sid] = len(runtime.bookings.list()) - sum(booked.values())
            rows.append((sid, len(turns), train_ms, _pct(turns, 0.5), _pct(turns, 0.95)))
        runtime.close()
    print(
        f"{'scenario':15} {'turns':>6} {'NLU train ms':>13} {'turn p50 ms':>12} {'turn p95 ms':>12}"
    )
    for sid, n, train, p50, p95 in rows:
        print(f"{sid:15} {n:6d} {train:13.0f} {p50:12.1f} {p95:12.1f}")
    print("bookings stored per scenario:", booked)
