"""Voice-to-voice latency of simulated phone calls (``make bench`` / ``python -m bench.voice_latency``).

From the end of the caller's speech (last voiced frame sent) to the first agent audio frame
received, over Twilio's protocol on loopback, with the embedded models. Prints markdown tables:
per language p50/p95 with the server-side breakdown, then p95 per number of simultaneous calls.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.app import create_app
from agent.server.loopback import serve_on_loopback
from agent.voice.engines import VoiceEngines
from agent.voice.simulator import CallerSimulator, CallerStep, caller_voice

SCRIPTS = {
    "restaurant-en": [
        "I'd like to book a table.",
        "Tomorrow at seven pm.",
        "Four people.",
        "The main hall, please.",
        "John Smith.",
        "Yes.",
    ],
    # The spoken answers of tests/voice/data/book-ko.yaml (they survive espeak-ng, the phone
    # line and Whisper base), the party size said instead of keyed.
    "restaurant-ko": ["예약하고 싶어요", "목요일이요", "한 시요", "네 명이요", "홀", "민수", "예"],
}


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q / 100 * (len(s) - 1))))
    return s[k]


async def place(base: str, token: str, engines: VoiceEngines, scenario: str, language: str):
    sim = CallerSimulator(
        base,
        auth_token=token,
        synthesizer=caller_voice(language, engines.synthesizer(language)),
        recognizer=None,
        language=language,
    )
    steps = [CallerStep(say=line) for line in SCRIPTS[scenario]]
    return await sim.call(scenario, steps)


def speech_turns(reports: list) -> list:
    """The answered speech turns of the calls' voice records."""
    return [t for r in reports for t in r.turns if t.kind == "speech" and t.first_audio is not None]


async def run(calls_per_language: int, ks: list[int], asr_en: str | None, window: str) -> None:
    data = Path(tempfile.mkdtemp(prefix="aicall-bench-"))
    token = secrets.token_hex(8)
    settings = Settings(
        data_dir=data,
        twilio_auth_token=token,
        asr_model_en=asr_en,
        asr_window_languages=[w for w in window.split(",") if w],
    )
    runtime = AgentRuntime(settings, clock=lambda _s: datetime(2026, 11, 25, 10, 0))
    engines = VoiceEngines.from_settings(settings)
    engines.warm_up()
    app = create_app(settings, runtime, engines=engines)
    rows = []
    async with serve_on_loopback(app) as base:
        state = app.state.aicall
        for scenario in SCRIPTS if calls_per_language else []:
            language = runtime.scenario(scenario).language
            caller_side: list[float] = []
            before = len(state.reports)
            for _ in range(3 * calls_per_language):  # the agent may end a call early
                result = await place(base, token, engines, scenario, language)
                caller_side += [t.latency for t in result.turns if t.latency is not None]
                if len(caller_side) >= 5 * calls_per_language:
                    break
            await asyncio.sleep(0.5)
            turns = speech_turns(state.reports[before:])
            endpoint = [t.transcript_ready - t.speech_end for t in turns]
            asr = [t.asr_seconds for t in turns]
            dialogue = [t.reply_ready - t.transcript_ready for t in turns]
            tts = [t.first_audio - t.reply_ready for t in turns]
            v2v = [t.first_audio - t.speech_end for t in turns]
            rows.append((scenario, caller_side, v2v, endpoint, asr, dialogue, tts))
        print(
            "\n| scenario | turns | caller-side p50 | p95 | server v2v p50 | endpoint+ASR p50 "
            "| ASR p50 | dialogue p50 | TTS first audio p50 |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for scenario, cs, v2v, ep, asr, dia, tts in rows:
            print(
                f"| {scenario} | {len(cs)} | {pct(cs, 50):.2f} s | {pct(cs, 95):.2f} s "
                f"| {pct(v2v, 50):.2f} s | {pct(ep, 50):.2f} s | {pct(asr, 50):.2f} s "
                f"| {1000 * pct(dia, 50):.0f} ms | {1000 * pct(tts, 50):.0f} ms |"
            )
        print(
            "\n| simultaneous calls (restaurant-en) | turns | p50 | p95 | server v2v p95 "
            "| ASR p95 | wall |"
        )
        print("|---|---|---|---|---|---|---|")
        for k in ks:
            started = time.monotonic()
            before = len(state.reports)
            results = await asyncio.gather(
                *(place(base, token, engines, "restaurant-en", "en") for _ in range(k))
            )
            await asyncio.sleep(0.5)
            turns = speech_turns(state.reports[before:])
            v2v = [t.first_audio - t.speech_end for t in turns] or [float("nan")]
            asr = [t.asr_seconds for t in turns] or [float("nan")]
            lat = [t.latency for r in results for t in r.turns if t.latency is not None]
            print(
                f"| {k} | {len(lat)} | {statistics.median(lat):.2f} s | {pct(lat, 95):.2f} s "
                f"| {pct(v2v, 95):.2f} s | {pct(asr, 95):.2f} s "
                f"| {time.monotonic() - started:.0f} s |"
            )
    runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=4, help="calls per language (6 turns each)")
    parser.add_argument("--k", default="1,2,4,8", help="simultaneous calls to measure")
    parser.add_argument("--asr-en", default=None, help="ASR model for English (e.g. tiny.en)")
    parser.add_argument(
        "--window",
        default=",".join(Settings().asr_window_languages),
        help="languages decoded on a cut encoder window (comma list; '' for none)",
    )
    args, _unknown = parser.parse_known_args()
    print(
        f"ASR: base; English: {args.asr_en or 'base'}; cut encoder window for {args.window!r}; "
        f"load average {os.getloadavg()}"
    )
    ks = [int(k) for k in args.k.split(",") if k]
    asyncio.run(run(args.calls, ks, args.asr_en, args.window))
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
