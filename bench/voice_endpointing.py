"""End of turn from what was said vs from silence alone (``python -m bench.voice_endpointing``).

Four kinds of caller turns, in Korean and English, synthesised by the simulator's caller voices
(Piper; espeak-ng at 130 wpm for Korean), passed through the phone band (8 kHz mu-law) with
pauses inserted, and streamed at real-time pace in 20 ms frames into the call's own stages
(Silero VAD → :class:`~agent.voice.recognition.SpeechRecognitionProcessor` with the real
recognizer and, in ``dialogue`` mode, the completeness judge of a real dialogue session driven
to the question the turn answers):

* ``answer``: a complete answer to a slot question (date, time, party size, seating, name);
* ``yesno``: yes or no at the read-back;
* ``fragment``: an unfinished start, a pause of 0.5-1.1 s, the rest;
* ``phone``: a phone number dictated in three groups with two pauses (0.4-1.2 s).

Counted per kind and mode: *premature* (the turn was taken, i.e. the agent would have started
its answer, before the caller's last voiced frame: the agent spoke into a mid-turn pause),
*unanswered* (no transcript after the caller's last word), and the latency from the caller's
last voiced frame to the committed transcript (the dialogue's reply and the first synthesised
audio add the same to both modes). Both modes run side by side on the same audio, ``--lanes``
turns at once per mode.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipecat.frames.frames import EndFrame, Frame, InputAudioRawFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.audio.vad_processor import VADProcessor
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.workers.runner import WorkerRunner

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.voice.asr import RecognitionOptions
from agent.voice.audio import PcmAudio
from agent.voice.endpointing import EndpointPolicy, session_judge
from agent.voice.engines import VoiceEngines
from agent.voice.frames import (
    CallState,
    RecognitionFailedFrame,
    UserUtteranceFrame,
    UtteranceDroppedFrame,
    UtteranceEndedFrame,
)
from agent.voice.recognition import SpeechRecognitionProcessor
from agent.voice.simulator import _trim, caller_voice

KINDS = ("answer", "yesno", "fragment", "phone")

#: caller lines that lead the restaurant booking to each question (sessions are driven there)
LEAD = {
    "en": [
        "I'd like to book a table.",
        "Tomorrow.",
        "At seven pm.",
        "Four people.",
        "The main hall.",
        "John Smith.",
    ],
    "ko": ["예약하고 싶어요", "내일이요", "7시요", "네 명이요", "홀", "김민수"],
}
#: context -> lines of LEAD said before it (phone: the read-back's turn without a caller id)
CONTEXT = {
    "open": 0,
    "date": 1,
    "time": 2,
    "count": 3,
    "seating": 4,
    "name": 5,
    "readback": 6,
    "phone": 6,
}

ANSWERS = {
    "en": {
        "date": [
            "Tomorrow.",
            "Next Friday.",
            "On Saturday.",
            "The twenty eighth.",
            "Friday, please.",
            "This Sunday.",
            "December fifth.",
            "Tomorrow, please.",
            "Monday.",
            "Next Tuesday.",
        ],
        "time": [
            "At seven pm.",
            "Seven thirty.",
            "Six o'clock, please.",
            "At eight pm.",
            "Half past six.",
            "Around seven pm.",
            "Six pm.",
            "Seven in the evening.",
            "At six thirty.",
            "Eight o'clock.",
        ],
        "count": [
            "Four people.",
            "Two of us.",
            "Just two.",
            "Six people.",
            "Three people, please.",
            "For five.",
            "Four of us.",
            "Two people.",
            "Eight people.",
            "A party of three.",
        ],
        "seating": [
            "The main hall, please.",
            "Outdoor seating.",
            "A private room.",
            "The main hall.",
            "Outside, please.",
            "Private room, please.",
            "Outdoors.",
            "The hall, please.",
            "A room, please.",
            "Main hall.",
        ],
        "name": [
            "John Smith.",
            "Maria Garcia.",
            "It's David Lee.",
            "Sarah Johnson.",
            "Under Michael Brown.",
            "Emily Davis.",
            "James Wilson, please.",
            "Anna Taylor.",
            "It's Robert Moore.",
            "Laura Martin.",
        ],
    },
    "ko": {
        "date": [
            "내일이요",
            "다음 주 금요일이요",
            "토요일이요",
            "이번 주 일요일이요",
            "모레요",
            "금요일로 해 주세요",
            "12월 5일이요",
            "내일로 해 주세요",
            "월요일이요",
            "다음 주 화요일이요",
        ],
        "time": [
            "7시요",
            "저녁 7시요",
            "6시 반이요",
            "8시로 해 주세요",
            "저녁 6시요",
            "7시 반이요",
            "일곱 시요",
            "여섯 시 반이요",
            "오후 7시요",
            "8시요",
        ],
        "count": [
            "네 명이요",
            "두 명이요",
            "세 명이요",
            "여섯 명이요",
            "다섯 명이요",
            "두 명이에요",
            "네 명입니다",
            "세 명이에요",
            "여덟 명이요",
            "두 명이요",
        ],
        "seating": [
            "홀",
            "야외",
            "룸이요",
            "홀로 해 주세요",
            "야외 좌석이요",
            "룸으로요",
            "홀이요",
            "야외로 해 주세요",
            "룸",
            "홀 좌석이요",
        ],
        "name": [
            "김민수",
            "이지은이요",
            "박서준",
            "최유나요",
            "정하늘이요",
            "강민호",
            "윤서연이요",
            "장동건",
            "한지민이요",
            "오세훈",
        ],
    },
}
YESNO = {
    "en": [
        "Yes.",
        "Yes, that's right.",
        "That's correct.",
        "Yes, please.",
        "No.",
        "No, that's wrong.",
        "Yeah.",
        "Sure.",
        "Correct.",
        "Yes, that's it.",
    ],
    "ko": [
        "네",
        "네 맞아요",
        "예",
        "맞습니다",
        "아니요",
        "아니요 틀려요",
        "네 좋아요",
        "예 그렇게 해 주세요",
        "네 감사합니다",
        "맞아요",
    ],
}
FRAGMENTS = {
    "en": [
        ("open", "I'd like to book a table for", "four people tomorrow at seven."),
        ("open", "Hi, I'd like to", "book a table for tomorrow."),
        ("open", "Could I book a table for", "two people on Friday?"),
        ("open", "Um, I'd like to", "change my booking."),
        ("date", "Next week", "on Friday, please."),
        ("date", "It would be", "next Saturday."),
        ("time", "In the evening, around", "seven thirty."),
        ("time", "Let's say", "eight pm."),
        ("count", "There will be", "four of us."),
        ("readback", "Yes, but", "please make it eight pm."),
        ("name", "My name is", "John Smith."),
        ("name", "It's under", "Maria Garcia."),
    ],
    "ko": [
        ("open", "예약하고", "싶어요"),
        ("open", "저 그", "예약 좀 하려고요"),
        ("open", "내일 저녁에", "예약 되나요"),
        ("open", "예약을", "변경하고 싶은데요"),
        ("date", "다음 주", "금요일이요"),
        ("date", "이번 주", "토요일이요"),
        ("time", "저녁", "7시요"),
        ("time", "오후", "6시 반이요"),
        ("count", "어른 두 명하고", "아이 한 명이요"),
        ("readback", "네 그런데", "시간을 8시로 바꿔 주세요"),
        ("name", "제 이름은", "김민수요"),
        ("name", "예약자는", "이지은이에요"),
    ],
}
PHONES = {
    "en": [
        ("two one two,", "five five five,", "one two three four."),
        ("six four six,", "three two one,", "seven seven eight nine."),
        ("four one five,", "five five five,", "two six seven one."),
        ("three one two,", "eight four seven,", "five five oh two."),
        ("seven one eight,", "two two two,", "three four five six."),
        ("nine one seven,", "four four four,", "one oh one oh."),
        ("two oh two,", "five five five,", "eight one nine two."),
        ("six one seven,", "three nine two,", "four four one five."),
        ("five one two,", "six six six,", "seven eight nine oh."),
        ("eight one eight,", "five five five,", "three three two one."),
    ],
    "ko": [
        ("공일공", "일이삼사", "오육칠팔"),
        ("공일공", "구팔칠육", "오사삼이"),
        ("공일공", "삼삼사사", "칠칠팔팔"),
        ("공일공", "오오육육", "일일이이"),
        ("공일공", "이삼사오", "육칠팔구"),
        ("공일공", "팔팔구구", "공공일일"),
        ("공일공", "사오육칠", "팔구공일"),
        ("공일공", "칠팔구공", "일이삼사"),
        ("공일공", "육오사삼", "이일공구"),
        ("공일공", "일일일일", "이이이이"),
    ],
}
FRAGMENT_PAUSES = (0.5, 0.7, 0.9, 1.1)
PHONE_PAUSES = ((0.4, 0.6), (0.6, 0.8), (0.8, 1.0), (1.0, 1.2))


@dataclass(frozen=True)
class Turn:
    """One caller turn: its parts (text) with the pauses between them, in a dialogue context."""

    language: str
    kind: str
    context: str
    parts: tuple[str, ...]
    pauses: tuple[float, ...] = ()


def turns(language: str, per_kind: int) -> list[Turn]:
    """``per_kind`` turns of each kind (the lists repeated: the voices vary run to run)."""
    out: list[Turn] = []
    # the contexts in turn (date, time, count, seating, name, date, ...)
    answers = [(ctx, lines[j]) for j in range(10) for ctx, lines in ANSWERS[language].items()]
    for i in range(per_kind):
        ctx, line = answers[i % len(answers)]
        out.append(Turn(language, "answer", ctx, (line,)))
    for i in range(per_kind):
        out.append(Turn(language, "yesno", "readback", (YESNO[language][i % 10],)))
    for i in range(per_kind):
        ctx, first, rest = FRAGMENTS[language][i % len(FRAGMENTS[language])]
        pause = FRAGMENT_PAUSES[(i // 10) % len(FRAGMENT_PAUSES)]
        out.append(Turn(language, "fragment", ctx, (first, rest), (pause,)))
    for i in range(per_kind):
        groups = PHONES[language][i % 10]
        pauses = PHONE_PAUSES[(i // 10) % len(PHONE_PAUSES)]
        out.append(Turn(language, "phone", "phone", groups, pauses))
    return out


FRAME = 640  # 20 ms of 16 kHz 16-bit audio


def phone_band(audio: PcmAudio) -> bytes:
    """16 kHz PCM as the caller's audio arrives from Twilio (mu-law at 8 kHz, back to 16 kHz)."""
    return PcmAudio.from_mulaw_8k(audio.to_mulaw_8k()).resample(16000).data


@dataclass
class Outcome:
    """What the endpointer did with one turn."""

    turn: Turn
    mode: str
    premature: bool = False
    answered: bool = False
    latency: float | None = None
    text: str = ""
    judged: list[tuple[str, str]] = field(default_factory=list)


class _Sink(FrameProcessor):
    """The end of the bench's pipeline: notes when each turn was taken and recognised."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[float, Frame]] = []
        self.changed = asyncio.Event()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(
            frame,
            (
                UtteranceEndedFrame,
                UserUtteranceFrame,
                UtteranceDroppedFrame,
                RecognitionFailedFrame,
            ),
        ):
            self.events.append((time.monotonic(), frame))
            self.changed.set()
        await self.push_frame(frame, direction)


@dataclass
class Lane:
    """One simulated caller line: VAD and the recognition stage in a pipeline of their own."""

    mode: str
    language: str
    engines: VoiceEngines
    runtime: AgentRuntime
    vocabulary: tuple[str, ...]
    sessions: dict[str, Any] = field(default_factory=dict)

    def session(self, context: str) -> Any:
        if context not in self.sessions:
            caller = None if context == "phone" else "+821012345678"
            session = self.runtime.new_call(f"restaurant-{self.language}", caller=caller)
            session.start()
            for line in LEAD[self.language][: CONTEXT[context]]:
                session.user_text(line)
            self.sessions[context] = session
        return self.sessions[context]

    async def run(self, work: list[tuple[Turn, list[bytes]]], out: list[Outcome]) -> None:
        policy = EndpointPolicy(mode=self.mode)  # type: ignore[arg-type]
        state = CallState()
        vad = VADProcessor(vad_analyzer=await asyncio.to_thread(policy.vad_analyzer))
        stage = SpeechRecognitionProcessor(
            self.engines.recognizer(self.language),
            RecognitionOptions(self.language, self.vocabulary),
            state,
            endpoint=policy,
        )
        sink = _Sink()
        worker = PipelineWorker(
            Pipeline([vad, stage, sink]),
            params=PipelineParams(audio_in_sample_rate=16000),
            idle_timeout_secs=None,
            enable_rtvi=False,
            enable_turn_tracking=False,
        )
        runner = WorkerRunner(handle_sigint=False)
        await runner.add_workers(worker)
        running = asyncio.create_task(runner.run())
        silence = b"\x00" * FRAME
        clock = [time.monotonic()]

        async def send(chunk: bytes) -> float:
            await worker.queue_frame(
                InputAudioRawFrame(audio=chunk, sample_rate=16000, num_channels=1)
            )
            clock[0] += 0.02
            await asyncio.sleep(max(0.0, clock[0] - time.monotonic()))
            return time.monotonic()

        for _ in range(25):  # let VAD settle on the line's silence
            await send(silence)
        for turn, segments in work:
            session = await asyncio.to_thread(self.session, turn.context)
            state.expects = session.expects
            judge = session_judge(session.understand, self.language)
            notes: list[tuple[str, str]] = []
            state.judge = _noting(judge, notes)
            mark = len(sink.events)
            last_voiced = 0.0
            for i, segment in enumerate(segments):
                if i:
                    for _ in range(round(turn.pauses[i - 1] / 0.02)):
                        await send(silence)
                for j in range(0, len(segment), FRAME):
                    last_voiced = await send(segment[j : j + FRAME].ljust(FRAME, b"\x00"))
            deadline = time.monotonic() + 10.0  # a loaded machine queues recognitions
            while time.monotonic() < deadline:
                if any(
                    t > last_voiced and not isinstance(f, UtteranceEndedFrame)
                    for t, f in sink.events[mark:]
                ):
                    break
                await send(silence)
            for _ in range(15):  # 0.3 s between turns
                await send(silence)
            events = sink.events[mark:]
            result = Outcome(turn, self.mode)
            result.premature = any(
                isinstance(f, UtteranceEndedFrame) and t < last_voiced for t, f in events
            )
            heard = [
                (t, f) for t, f in events if isinstance(f, UserUtteranceFrame) and t > last_voiced
            ]
            if heard:
                result.answered = True
                result.latency = heard[0][0] - last_voiced
                result.text = heard[0][1].text
            result.judged = notes
            out.append(result)
        await worker.queue_frame(EndFrame())
        await asyncio.wait({running}, timeout=5.0)


def _noting(judge: Any, notes: list[tuple[str, str]]) -> Any:
    """The judge, noting each speculative transcript and its judgement (for --verbose)."""
    if judge is None:
        return None

    def noted(text: str) -> Any:
        decision = judge(text)
        notes.append((text, str(decision)))
        return decision

    return noted


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(q / 100 * (len(s) - 1))))] if s else float("nan")


async def run(
    per_kind: int,
    lanes: int,
    languages: list[str],
    modes: list[str],
    seed: int,
    kinds: tuple[str, ...] = KINDS,
) -> list[Outcome]:
    data = Path(tempfile.mkdtemp(prefix="aicall-endpointing-"))
    settings = Settings(data_dir=data)
    runtime = AgentRuntime(settings, clock=lambda _s: datetime(2026, 11, 25, 10, 0))
    engines = VoiceEngines.from_settings(settings)
    await asyncio.to_thread(engines.warm_up)
    outcomes: list[Outcome] = []
    for language in languages:
        voice = caller_voice(language, engines.synthesizer(language))
        work: list[tuple[Turn, list[bytes]]] = []
        started = time.monotonic()
        for turn in [t for t in turns(language, per_kind) if t.kind in kinds]:
            segments = [phone_band(_trim(await voice.synthesize(p))) for p in turn.parts]
            work.append((turn, segments))
        print(f"{language}: {len(work)} turns synthesised in {time.monotonic() - started:.0f} s")
        random.Random(seed).shuffle(work)
        scenario = runtime.scenario(f"restaurant-{language}")
        vocabulary = tuple(scenario.vocabulary or ())
        jobs = []
        for mode in modes:
            for i in range(lanes):
                lane = Lane(mode, language, engines, runtime, vocabulary)
                jobs.append(lane.run(work[i::lanes], outcomes))
        started = time.monotonic()
        await asyncio.gather(*jobs)
        print(f"{language}: streamed in {time.monotonic() - started:.0f} s, load {os.getloadavg()}")
    runtime.close()
    return outcomes


def table(outcomes: list[Outcome]) -> None:
    print(
        "\n| language | kind | mode | turns | premature | unanswered | latency p50 | p95 |"
        "\n|---|---|---|---|---|---|---|---|"
    )
    keys = sorted(
        {(o.turn.language, o.turn.kind, o.mode) for o in outcomes},
        key=lambda k: (k[0], KINDS.index(k[1]), k[2]),
    )
    for language, kind, mode in keys:
        rows = [
            o for o in outcomes if (o.turn.language, o.turn.kind, o.mode) == (language, kind, mode)
        ]
        lat = [o.latency for o in rows if o.latency is not None]
        print(
            f"| {language} | {kind} | {mode} | {len(rows)} | {sum(o.premature for o in rows)} "
            f"| {sum(not o.answered for o in rows)} | {1000 * pct(lat, 50):.0f} ms "
            f"| {1000 * pct(lat, 95):.0f} ms |"
        )
    for mode in sorted({o.mode for o in outcomes}):
        rows = [o for o in outcomes if o.mode == mode]
        lat = [o.latency for o in rows if o.latency is not None]
        print(
            f"| all | all | {mode} | {len(rows)} | {sum(o.premature for o in rows)} "
            f"| {sum(not o.answered for o in rows)} | {1000 * statistics.median(lat):.0f} ms "
            f"| {1000 * pct(lat, 95):.0f} ms |"
        )
    if os.environ.get("AICALL_BENCH_VERBOSE"):
        for o in outcomes:
            slow = o.mode == "dialogue" and (o.latency or 0.0) > 1.0
            if o.premature or not o.answered or slow:
                print(
                    f"  {o.mode} {o.turn.language} {o.turn.kind} {o.turn.parts} -> {o.text!r}"
                    f" premature={o.premature} answered={o.answered} latency={o.latency}"
                    f" judged={o.judged}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=40, help="turns of each kind per language")
    parser.add_argument("--lanes", type=int, default=2, help="turns streamed at once per mode")
    parser.add_argument("--languages", default="en,ko")
    parser.add_argument("--modes", default="silence,dialogue")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--kinds", default=",".join(KINDS), help="answer,yesno,fragment,phone")
    args, _unknown = parser.parse_known_args()
    print(f"load average at the start {os.getloadavg()}")
    outcomes = asyncio.run(
        run(
            args.turns,
            args.lanes,
            args.languages.split(","),
            args.modes.split(","),
            args.seed,
            tuple(args.kinds.split(",")),
        )
    )
    table(outcomes)
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
