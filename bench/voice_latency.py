"""Voice-to-voice latency, the project against stock pipecat in one run (``python -m bench.voice_latency``).

From the end of the caller's speech (last voiced frame sent) to the first agent audio frame
received, over Twilio's protocol on loopback, measured by the caller simulator (an outside
Twilio Media Streams client: webhook, TwiML, ``connected``/``start``, 20 ms mu-law frames at
real-time pace, marks echoed) in a process of its own (:mod:`bench.voice_caller`;
``--caller inline`` runs it in the bench's process, sharing the server's event loop, as
before). The same client speaks the same English lines (Piper) to

* the project's server (in this process, the embedded models, the restaurant scenario), and
* the peer: a stock pipecat 1.14 Twilio bot (``../shared/tools/peer-pipecat/bot.py``, Silero
  VAD → Whisper base → a fixed reply → Piper), started here as a separate process in the
  project's venv, its calls interleaved with the project's so both see the same load. Its path:
  ``--peer PATH`` or ``AICALL_BENCH_PEER`` (``""``: none); when it is not there the peer
  column is skipped with a message.

Prints: one call per language (p50, p95, unanswered turns, premature replies: the agent spoke
while the caller was still saying the line; the ratio to the peer), the project's server-side
breakdown, and K simultaneous calls per language.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.app import create_app
from agent.server.loopback import serve_on_loopback
from agent.voice.engines import VoiceEngines
from agent.voice.models import whisper_base_dir
from agent.voice.simulator import caller_voice
from agent.voice.tts import Synthesizer
from bench.voice_caller import SCRIPTS, place_calls

#: the repository (the caller process runs ``python -m bench.voice_caller`` from it)
ROOT = Path(__file__).resolve().parents[1]
#: where the peer bot is by default (next to the repository, as the issue names it)
DEFAULT_PEER = Path(__file__).resolve().parents[1].parent / "shared/tools/peer-pipecat/bot.py"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, round(q / 100 * (len(s) - 1))))
    return s[k]


@dataclass
class Tally:
    """The caller-side turns of one bot and setting."""

    latencies: list[float] = field(default_factory=list)
    by_line: dict[int, list[float]] = field(default_factory=dict)
    turns: int = 0
    unanswered: int = 0
    premature: int = 0
    calls: int = 0

    def add(self, calls: list[list[dict[str, Any]]]) -> None:
        """Count calls as :func:`bench.voice_caller.place_calls` returns them."""
        for turns in calls:
            self.calls += 1
            for line, turn in enumerate(turns):
                if turn.get("keyed"):  # a keyed turn is no speech turn
                    continue
                self.turns += 1
                self.premature += int(turn["premature"])
                if turn["latency"] is None:
                    self.unanswered += 1
                else:
                    self.latencies.append(turn["latency"])
                    self.by_line.setdefault(line, []).append(turn["latency"])

    def cells(self) -> str:
        return (
            f"{len(self.latencies)}/{self.turns} | {1000 * pct(self.latencies, 50):.0f} ms "
            f"| {1000 * pct(self.latencies, 95):.0f} ms | {self.unanswered} | {self.premature}"
        )


# The peer ---------------------------------------------------------------------------------


def peer_path(option: str | None) -> Path | None:
    """The peer bot to run: ``--peer``, else ``AICALL_BENCH_PEER``, else the default place.

    ``""`` means no peer. Returns ``None`` (the caller prints why) when the file is absent.
    """
    chosen = option if option is not None else os.environ.get("AICALL_BENCH_PEER")
    if chosen == "":
        return None
    path = Path(chosen) if chosen else DEFAULT_PEER
    return path if path.is_file() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Peer:
    """The stock pipecat bot as a child process (started and stopped by the bench)."""

    def __init__(self, path: Path, whisper_dir: Path, log: Path) -> None:
        self.path = path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, WHISPER_BASE_DIR=str(whisper_dir))
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(path), "--port", str(self.port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    async def ready(self, within: float = 90.0) -> None:
        """Wait until the peer answers its webhook.

        Raises:
            RuntimeError: it exited or did not answer in time (its log says why).
        """
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the peer exited with {self.process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.post(f"{self.base}/twilio/voice")).status_code == 200:
                        return
                await asyncio.sleep(0.5)
        raise RuntimeError(f"the peer did not answer within {within:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


async def start_peer(option: str | None, data: Path) -> Peer | None:
    """Start the peer and wait for it, or say why the peer column is skipped (``None``)."""
    path = peer_path(option)
    if path is None:
        where = option if option is not None else os.environ.get("AICALL_BENCH_PEER")
        print(f"peer: none ({where or DEFAULT_PEER} is not there): the peer column is skipped")
        return None
    peer = Peer(path, whisper_base_dir(data), data / "peer.log")
    try:
        await peer.ready()
    except RuntimeError as e:
        print(f"peer: {e}; see {data / 'peer.log'}; the peer column is skipped")
        peer.stop()
        return None
    print(f"peer: {path} on port {peer.port} (log {data / 'peer.log'})")
    return peer


# Calls ------------------------------------------------------------------------------------


class Caller:
    """The caller side: a process of its own (:mod:`bench.voice_caller`), or this one's loop."""

    def __init__(self, inline_voices: dict[str, Synthesizer] | None, log: Path) -> None:
        self._voices = inline_voices
        self._log = log
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        if self._voices is not None:
            return
        with self._log.open("ab") as log:  # the child keeps its own copy of the handle
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.voice_caller",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                cwd=ROOT,
            )
        reply = await self._read()
        if not reply.get("ready"):
            raise RuntimeError(f"the caller process did not start: {reply}")

    async def _read(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        while True:
            line = await self._process.stdout.readline()
            if not line:
                raise RuntimeError("the caller process exited")
            with contextlib.suppress(ValueError):
                message = json.loads(line)
                if isinstance(message, dict):
                    return message

    async def calls(
        self, base: str, token: str, scenario: str, k: int = 1
    ) -> list[list[dict[str, Any]]]:
        """``k`` simultaneous calls; each call's caller turns."""
        if self._voices is not None:
            return await place_calls(self._voices, base, token, scenario, k)
        assert self._process is not None and self._process.stdin is not None
        job = {"base": base, "token": token, "scenario": scenario, "k": k}
        self._process.stdin.write((json.dumps(job) + "\n").encode())
        await self._process.stdin.drain()
        reply = await self._read()
        if "error" in reply:
            raise RuntimeError(f"the caller process failed: {reply['error']}")
        return list(reply["calls"])

    async def stop(self) -> None:
        if self._process is None:
            return
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            await asyncio.wait_for(self._process.wait(), 10)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()


def speech_turns(reports: list) -> list:
    """The answered speech turns of the calls' voice records."""
    return [t for r in reports for t in r.turns if t.kind == "speech" and t.first_audio is not None]


def breakdown(scenario: str, reports: list) -> str:
    turns = speech_turns(reports)
    endpoint = [t.transcript_ready - t.speech_end for t in turns]
    asr = [t.asr_seconds for t in turns if t.asr_seconds is not None]
    dialogue = [t.reply_ready - t.transcript_ready for t in turns]
    tts = [t.first_audio - t.reply_ready for t in turns]
    v2v = [t.first_audio - t.speech_end for t in turns]
    return (
        f"| {scenario} | {len(turns)} | {pct(v2v, 50):.2f} s | {pct(v2v, 95):.2f} s "
        f"| {pct(endpoint, 50):.2f} s | {pct(asr, 50):.2f} s | {1000 * pct(dialogue, 50):.0f} ms "
        f"| {1000 * pct(tts, 50):.0f} ms |"
    )


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


async def run(args: argparse.Namespace) -> None:
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="aicall-bench-"))
    token = secrets.token_hex(8)
    window = [w for w in args.window.split(",") if w]
    settings = Settings(
        data_dir=data,
        twilio_auth_token=token,
        asr_model_en=args.asr_en,
        asr_window_languages=window,
        endpointing=args.endpointing,
    )
    runtime = AgentRuntime(settings, clock=lambda _s: datetime(2026, 11, 25, 10, 0))
    engines = VoiceEngines.from_settings(settings)
    engines.warm_up()
    app = create_app(settings, runtime, engines=engines)
    state = app.state.aicall

    inline = None
    if args.caller == "inline":
        inline = {
            "en": engines.synthesizer("en"),
            "ko": caller_voice("ko", engines.synthesizer("en")),
        }
    caller = Caller(inline, data / "caller.log")
    await caller.start()
    peer = await start_peer(args.peer, data)
    ours = {s: Tally() for s in SCRIPTS}
    theirs = Tally()
    k_rows: list[tuple[str, int, Tally, str]] = []
    loads: dict[str, str] = {"start": load()}
    try:
        async with serve_on_loopback(app) as base:
            before = len(state.reports)
            for _ in range(args.calls):  # interleaved: both bots under the same load
                ours["restaurant-en"].add(await caller.calls(base, token, "restaurant-en"))
                if peer is not None:
                    theirs.add(await caller.calls(peer.base, token, "restaurant-en"))
            en_reports = state.reports[before:]
            loads["en"] = load()
            before = len(state.reports)
            if "restaurant-ko" in args.scenarios:
                for _ in range(args.calls):
                    ours["restaurant-ko"].add(await caller.calls(base, token, "restaurant-ko"))
            ko_reports = state.reports[before:]
            loads["ko"] = load()
            for k in args.k:
                for scenario in args.scenarios:
                    tally = Tally()
                    tally.add(await caller.calls(base, token, scenario, k))
                    k_rows.append((scenario, k, tally, load()))
            await asyncio.sleep(0.5)
    finally:
        if peer is not None:
            peer.stop()
        await caller.stop()
        runtime.close()

    en, ko = ours["restaurant-en"], ours["restaurant-ko"]
    print(
        f"\nOne call at a time ({args.calls} calls per bot; caller {args.caller}; load average 1/5 min at the start "
        f"{loads['start']}, after English {loads['en']}, after Korean {loads['ko']}):\n"
    )
    print(
        "| bot | scenario | answered/turns | p50 | p95 | unanswered | premature | ratio p50 / p95 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    ratio = "n/a"
    if peer is not None or theirs.turns:
        ratio = (
            f"{pct(en.latencies, 50) / pct(theirs.latencies, 50):.2f} / "
            f"{pct(en.latencies, 95) / pct(theirs.latencies, 95):.2f}"
        )
    print(f"| aicall ({args.endpointing}) | restaurant-en | {en.cells()} | {ratio} |")
    if theirs.turns:
        print(f"| stock pipecat (peer) | restaurant-en | {theirs.cells()} | 1 |")
    else:
        print("| stock pipecat (peer) | restaurant-en | skipped (no peer) | | | | | |")
    if ko.turns:
        print(f"| aicall ({args.endpointing}) | restaurant-ko | {ko.cells()} | |")
    print("\n| scenario | caller line | aicall p50 | max | stock pipecat p50 |")
    print("|---|---|---|---|---|")
    for scenario, tally in ours.items():
        for line, text in enumerate(SCRIPTS[scenario]):
            mine = tally.by_line.get(line, [])
            if text.startswith("#"):
                continue
            if not mine:
                continue
            peer_line = theirs.by_line.get(line, []) if scenario == "restaurant-en" else []
            peer_cell = f"{1000 * pct(peer_line, 50):.0f} ms" if peer_line else ""
            print(
                f"| {scenario} | {text} | {1000 * pct(mine, 50):.0f} ms "
                f"| {1000 * max(mine):.0f} ms | {peer_cell} |"
            )
    print(
        "\n| scenario | turns | server v2v p50 | p95 | endpoint+ASR p50 | ASR p50 "
        "| dialogue p50 | TTS first audio p50 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(breakdown("restaurant-en", en_reports))
    if ko_reports:
        print(breakdown("restaurant-ko", ko_reports))
    if k_rows:
        print(
            "\n| simultaneous calls | scenario | answered/turns | p50 | p95 | unanswered "
            "| premature | load after |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for scenario, k, tally, after in k_rows:
            print(f"| {k} | {scenario} | {tally.cells()} | {after} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--calls", type=int, default=4, help="calls per bot and language (6-7 turns each)"
    )
    parser.add_argument(
        "--k", default="8", help="simultaneous calls to measure (comma list; '' none)"
    )
    parser.add_argument("--asr-en", default=None, help="ASR model for English (e.g. tiny.en)")
    parser.add_argument(
        "--window",
        default=",".join(Settings().asr_window_languages),
        help="languages decoded on a cut encoder window (comma list; '' for none)",
    )
    parser.add_argument(
        "--endpointing", default=Settings().endpointing, choices=["dialogue", "silence"]
    )
    parser.add_argument("--scenarios", default="restaurant-en,restaurant-ko")
    parser.add_argument("--peer", default=None, help="the peer bot.py ('' for none)")
    parser.add_argument(
        "--caller",
        default="process",
        choices=["process", "inline"],
        help="the caller in a process of its own, or in the bench's (sharing the server's loop)",
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a new temp dir")
    args, _unknown = parser.parse_known_args()
    args.k = [int(k) for k in args.k.split(",") if k]
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    print(
        f"ASR: base; English: {args.asr_en or 'base'}; cut encoder window for {args.window!r}; "
        f"endpointing {args.endpointing}; load average {os.getloadavg()}"
    )
    asyncio.run(run(args))
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
