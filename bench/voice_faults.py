"""Faults on live simulated calls (``make bench`` / ``python -m bench voice_faults``).

Each fault is injected into short calls placed over Twilio's protocol on loopback, against the
real dialogue, store and speech models, once the greeting has been heard: recognition raising
or hanging, synthesis failing once or for good, the event loop blocked by a slow step
(agent/voice/faults.py), PostgreSQL stopped mid-call and restarted, the SQLite file locked by
another process, the LLM (``AICALL_REPLIES=llm``) an endpoint that accepts and never answers.

The caller is patient (it takes a reply as finished after 3.5 s of quiet), so every silence
up to that long inside the agent's answer is measured from the audio it receives
(:func:`agent.voice.simulator.dead_air`). Prints one markdown table:
fault | calls | max dead air | "one moment"s | apology heard | recorded reason.

    python -m bench.voice_faults [--calls 2] [--only asr-hang,db-down]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.loopback import simulate_call
from agent.voice.engines import VoiceEngines
from agent.voice.faults import Faults, with_faults
from agent.voice.phrases import phrases_for
from agent.voice.simulator import CallerStep
from nlg.rewrite import make_rewriter

NOW = datetime(2026, 11, 25, 10, 0)
BOOK = CallerStep(say="I'd like to book a table.")
PERSON = CallerStep(say="Can I talk to a person?")
EN = phrases_for("en")


@dataclass
class Row:
    fault: str
    calls: int = 0
    dead_air: list[float] = field(default_factory=list)
    holds: int = 0
    apologies: int = 0
    reasons: list[str] = field(default_factory=list)


@dataclass
class Fault:
    """One row of the matrix: how to run its calls."""

    name: str
    steps: list[CallerStep]
    arm: Callable[[Faults], None] | None = None  # armed before step 0 (after the greeting)
    database: str = "sqlite"  # or "postgresql"
    outage: str | None = None  # "pg-stop" or "sqlite-lock"
    llm_hang: bool = False


FAULTS = [
    Fault("asr-raise", [PERSON, PERSON], lambda f: f.arm("asr", "raise", times=1)),
    Fault("asr-hang", [PERSON, PERSON], lambda f: f.arm("asr", "hang", times=1)),
    Fault("tts-raise-once", [BOOK, PERSON], lambda f: f.arm("tts", "raise", times=1)),
    Fault("tts-down", [BOOK, BOOK, BOOK], lambda f: f.arm("tts", "raise")),
    Fault("loop-block-1.5s", [PERSON], lambda f: f.arm("loop", "block", times=1, seconds=1.5)),
    Fault("db-down (PostgreSQL stopped)", [BOOK], database="postgresql", outage="pg-stop"),
    Fault("db-locked (SQLite, 12 s)", [BOOK, PERSON], outage="sqlite-lock"),
    Fault("llm-hang (never answers)", [BOOK, PERSON], llm_hang=True),
]


def _apology(turns: list[dict[str, Any]]) -> bool:
    texts = [t.get("agent") or "" for t in turns]
    fixed = {EN.not_heard, EN.trouble, EN.goodbye_failure}
    return any(t in fixed or t.startswith("I'm sorry") for t in texts)


class _SilentLLM:
    """A TCP server that accepts connections and never answers (an LLM that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except OSError:
                continue

    def close(self) -> None:
        self._stop.set()
        for c in self.conns:
            c.close()
        self.sock.close()


def _lock_sqlite(path: Path, seconds: float) -> None:
    """Hold SQLite's exclusive lock from another connection (as another process would)."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


async def _one_call(fault: Fault, engines: VoiceEngines, faults: Faults, data: Path, pg) -> dict:
    url = f"sqlite:///{data / 'calls.db'}"
    if fault.database == "postgresql":
        url = pg.create_database(f"faults_{int(time.time() * 1000) % 10**9}")
    settings = Settings(data_dir=data, database_url=url)
    llm = _SilentLLM() if fault.llm_hang else None
    rewriter = None
    if llm is not None:
        rewriter = make_rewriter("openai", base_url=f"http://127.0.0.1:{llm.port}/v1", model="m")
    runtime = AgentRuntime(settings, clock=lambda _s: NOW, rewriter=rewriter)
    runtime.calls.list_calls()  # the schema, before any outage
    lock: threading.Thread | None = None

    async def before(step: int) -> None:
        nonlocal lock
        if step != 0:
            return
        if fault.arm is not None:
            fault.arm(faults)
        if fault.outage == "pg-stop":
            await asyncio.to_thread(pg.pause)
        elif fault.outage == "sqlite-lock":
            lock = threading.Thread(target=_lock_sqlite, args=(data / "calls.db", 12.0))
            lock.start()
            await asyncio.sleep(0.2)

    try:
        result = await simulate_call(
            settings,
            runtime,
            engines,
            "restaurant-en",
            fault.steps,
            transcribe=False,
            quiet_after=3.5,
            before_step=before,
            voice=getattr(engines.synthesizer("en"), "inner", None),
        )
        faults.disarm()
        if fault.outage == "pg-stop":
            await asyncio.to_thread(pg.resume)
        if lock is not None:
            await asyncio.to_thread(lock.join)
        stored = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the end is stored once the database is back
            try:
                stored = runtime.calls.get_call(result.call_sid)
            except Exception:
                stored = None
            if stored is not None and stored.status != "in_progress":
                break
            await asyncio.sleep(0.5)
        reason = f"{stored.status}: {stored.failure_reason}" if stored else "not stored"
        if rewriter is not None:
            snap = rewriter.metrics.snapshot()
            reason += f" (LLM: {dict(snap.fallbacks)} template fallbacks)"
        report = result.report or {"turns": [], "holds": 0}
        return {
            "dead_air": result.max_dead_air or 0.0,
            "holds": report.get("holds", 0),
            "apology": _apology(report["turns"]),
            "reason": reason,
        }
    finally:
        faults.disarm()
        runtime.close()
        if llm is not None:
            llm.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Faults on live simulated calls.")
    parser.add_argument("--calls", type=int, default=2, help="calls per fault")
    parser.add_argument("--only", default="", help="comma-separated fault names (prefixes)")
    args = parser.parse_args(argv or [])
    chosen = [f for f in FAULTS if not args.only or f.name.startswith(tuple(args.only.split(",")))]
    from tests.pg import PostgresServer, find_pg_bindir

    pg = None
    if any(f.database == "postgresql" for f in chosen):
        bindir = find_pg_bindir()
        if bindir is None:
            print("PostgreSQL not installed: the db-down row is left out")
            chosen = [f for f in chosen if f.database != "postgresql"]
        else:
            pg = PostgresServer(bindir)
            pg.start()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        real = VoiceEngines.from_settings(Settings(data_dir=data))
        faults = Faults()
        engines = with_faults(real, faults)
        rows = []
        try:
            for fault in chosen:
                row = Row(fault.name)
                for i in range(args.calls):
                    call_dir = data / f"{len(rows)}-{i}"
                    call_dir.mkdir()
                    out = asyncio.run(_one_call(fault, engines, faults, call_dir, pg))
                    row.calls += 1
                    row.dead_air.append(out["dead_air"])
                    row.holds += out["holds"]
                    row.apologies += int(out["apology"])
                    row.reasons.append(out["reason"])
                    print(f"  {fault.name} #{i + 1}: {out}", flush=True)
                rows.append(row)
        finally:
            if pg is not None:
                pg.stop()
    print()
    print("| fault | calls | max dead air (s) | 'one moment's | apology heard | recorded reason |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        reason = r.reasons[0].replace("|", "/")[:160]
        print(
            f"| {r.fault} | {r.calls} | {max(r.dead_air):.2f} | {r.holds} | "
            f"{r.apologies}/{r.calls} | {reason} |"
        )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
