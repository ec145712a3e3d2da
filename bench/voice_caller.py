"""The latency bench's caller, in a process of its own (``python -m bench.voice_caller``).

The bench's bots are measured from outside: this process is the Twilio side of the calls
(webhook, media stream, 20 ms mu-law frames at real-time pace, marks echoed), so pacing the
caller's frames and timing the agent's never share an event loop or a core's queue with the
server being measured — the stock pipecat peer already had a process of its own, and the
project's server had to share its loop with the caller.

Protocol, one JSON object per line: the bench writes a job on standard input
(``{"base": ..., "token": ..., "scenario": ..., "k": 1}``); this process places ``k``
simultaneous calls of the scenario's script and writes back
``{"calls": [[{"latency": 0.41, "premature": false, "keyed": false}, ...], ...]}`` (one list
of caller turns per call, the greeting left out), or ``{"error": "..."}``. It says ``{"ready": true}`` once
its voices are loaded, and stops at the end of its input.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from agent.voice.simulator import CallerSimulator, CallerStep, caller_voice
from agent.voice.synthesizers import PiperSynthesizer
from agent.voice.tts import Synthesizer

__all__ = ["SCRIPTS", "LANGUAGE", "place_calls"]

SCRIPTS = {
    "restaurant-en": [
        "I'd like to book a table.",
        "Tomorrow at seven pm.",
        "Four people.",
        "The main hall, please.",
        "John Smith.",
        "Yes.",
    ],
    # Phrasings that survive espeak-ng, the phone line and Whisper base (docs/voice.md,
    # "Korean calls"). The party size is keyed, as tests/voice/data/book-ko.yaml does: said,
    # "네 명이요" came back as "랩 야외" or "애매한 이여" and the rest of the call answered the
    # wrong question (runs before 2026-12-04 measured that derailed call). A keyed turn is not
    # counted as a speech turn.
    "restaurant-ko": ["예약하고 싶어요", "목요일이요", "한 시요", "#4#", "야외", "김민수", "예"],
}
LANGUAGE = {"restaurant-en": "en", "restaurant-ko": "ko"}


def _step(line: str) -> CallerStep:
    """A script line: words to say, or ``#keys`` to press (``"#4#"`` keys ``4#``)."""
    return CallerStep(dtmf=line[1:]) if line.startswith("#") else CallerStep(say=line)


def _voices() -> dict[str, Synthesizer]:
    english = PiperSynthesizer()
    english.warm_up()
    return {"en": english, "ko": caller_voice("ko", english)}


async def place_calls(
    voices: dict[str, Synthesizer], base: str, token: str, scenario: str, k: int = 1
) -> list[list[dict[str, Any]]]:
    """``k`` simultaneous calls of ``scenario``'s script; each call's caller turns."""
    language = LANGUAGE[scenario]

    async def one() -> list[dict[str, Any]]:
        sim = CallerSimulator(
            base,
            auth_token=token,
            synthesizer=voices[language],
            recognizer=None,
            language=language,
            reply_timeout=20.0,
        )
        steps = [_step(line) for line in SCRIPTS[scenario]]
        call = await sim.call(scenario, steps)
        return [
            {"latency": t.latency, "premature": t.premature, "keyed": step.dtmf is not None}
            for t, step in zip(call.turns[1:], steps, strict=False)
        ]

    return list(await asyncio.gather(*(one() for _ in range(k))))


def main() -> None:
    voices = _voices()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            job = json.loads(line)
            calls = asyncio.run(
                place_calls(
                    voices, job["base"], job["token"], job["scenario"], int(job.get("k", 1))
                )
            )
            print(json.dumps({"calls": calls}), flush=True)
        except Exception as e:  # the bench prints it and goes on
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)


if __name__ == "__main__":
    main()
