"""LLM replies stream into speech on a call (``AICALL_REPLIES=llm``).

The LLM is a fake that words its reply sentence by sentence, with pauses; the dialogue, the
store and the rewriter's checks are real. The agent's first sentence must be synthesised and
sent before the LLM has finished the whole reply.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from pipecat.frames.frames import (
    CancelWorkerFrame,
    TTSAudioRawFrame,
    VADUserStartedSpeakingFrame,
)
from pipecat.tests.utils import SleepFrame, run_test

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.loopback import simulate_call
from agent.voice.audio import PcmAudio
from agent.voice.dialogue_port import DialogueTimeouts
from agent.voice.dialogue_processor import DialogueProcessor
from agent.voice.engines import VoiceEngines
from agent.voice.frames import CallState, UserUtteranceFrame
from agent.voice.report import CallReport
from agent.voice.simulator import CallerStep
from agent.voice.tts import Synthesizer
from nlg.rewrite import ReplyRewriter
from nlu.types import NLUResult
from telephony.twilio.serializer import StreamStoppedFrame
from tests.nlg_rewrite.conftest import shipped
from tests.nlg_rewrite.fakes import SentencesLLM

FIRST = "Sure, I can help with that."
SECOND = "Which date would you like to come in?"


class TimedSynthesizer(Synthesizer):
    """Speaks 0.1 s of tone per sentence (or ``inner``'s audio) and notes when it did."""

    def __init__(self, inner: Synthesizer | None = None) -> None:
        super().__init__(cache_size=0)
        self.inner = inner
        self.language = inner.language if inner is not None else "en"
        self.said: list[tuple[float, str]] = []

    def _synthesize(self, text: str) -> PcmAudio:
        audio = (
            self.inner.synthesize_sync(text) if self.inner else PcmAudio(b"\x10\x00" * 800, 8000)
        )
        self.said.append((time.monotonic(), text))
        return audio

    def sample_rate_hint(self) -> int:
        return self.inner.sample_rate_hint() if self.inner else 8000

    def when(self, sentence: str) -> float:
        return next(t for t, s in self.said if s == sentence)


def _llm() -> SentencesLLM:
    return SentencesLLM([FIRST, SECOND], when="book a table")


def _runtime(tmp_path: Path, llm: SentencesLLM, **settings: object) -> AgentRuntime:
    rewriter = ReplyRewriter(llm, first_token_budget=2.0, total_budget=8.0)
    options: dict[str, object] = {"data_dir": tmp_path, **settings}
    config = Settings(
        database_url=f"sqlite:///{tmp_path / 'calls.db'}",
        replies="llm",
        **options,  # type: ignore[arg-type]
    )
    return AgentRuntime(
        config,
        clock=lambda _s: datetime(2026, 11, 25, 10, 0),
        scenarios=shipped(),
        rewriter=rewriter,
    )


def _assert_streamed(llm: SentencesLLM, tts: TimedSynthesizer, agent_text: str | None) -> None:
    assert llm.finished_at is not None
    # the first sentence was spoken while the LLM was still wording the second
    assert tts.when(FIRST) < llm.finished_at - 0.2
    assert tts.when(SECOND) >= llm.finished_at  # released after the whole-reply check
    assert agent_text == f"{FIRST} {SECOND}"


class _BookingNLU:
    def parse(self, text: str, *, today: date, expected: str | None = None) -> NLUResult:
        return NLUResult(text, "restaurant", "book", 1.0, ())


def test_the_dialogue_stage_speaks_the_first_sentence_before_the_llm_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AgentRuntime, "nlu", lambda _rt, _scenario: _BookingNLU())
    llm, tts = _llm(), TimedSynthesizer()
    rt = _runtime(tmp_path, llm)
    try:
        session = rt.new_call("restaurant-en", caller="+15555550123")
        report = CallReport(call_id=session.call_id, scenario="restaurant-en")
        proc = DialogueProcessor(
            session, tts, CallState(), report, language="en", timeouts=DialogueTimeouts()
        )
        said = UserUtteranceFrame(text="I'd like to book a table", speech_end=time.monotonic())
        down, _ = asyncio.run(
            run_test(proc, frames_to_send=[SleepFrame(0.5), said, SleepFrame(3.0)])
        )
        assert any(isinstance(f, TTSAudioRawFrame) for f in down)
        turn = report.turns[-1]
        _assert_streamed(llm, tts, turn.agent)
        assert rt.rewriter is not None and rt.rewriter.metrics.snapshot().passed == 1
        bot = [e.payload["text"] for e in rt.calls.load_events(session.call_id) if e.type == "bot"]
        assert bot[-1] == f"{FIRST} {SECOND}"  # stored once spoken
    finally:
        rt.close()


@pytest.mark.timeout(180)
def test_a_simulated_phone_call_streams_the_llm_reply_into_speech(
    tmp_path: Path, voice_data_dir: Path, engines
) -> None:
    llm = _llm()
    tts = TimedSynthesizer(engines.synthesizer("en"))
    rt = _runtime(tmp_path, llm, data_dir=voice_data_dir)
    timed = VoiceEngines(
        recognizers=engines.recognizers, synthesizers={**engines.synthesizers, "en": tts}
    )
    try:
        steps = [CallerStep(say="I'd like to book a table.")]
        result = asyncio.run(
            simulate_call(rt.settings, rt, timed, "restaurant-en", steps, transcribe=False)
        )
        report = result.report
        assert report is not None
        turn = next(t for t in report["turns"] if t["kind"] == "speech")
        _assert_streamed(llm, tts, turn["agent"])
        assert turn["first_audio"] is not None
    finally:
        rt.close()


def test_a_barge_in_during_an_llm_reply_stops_the_llm_and_keeps_what_was_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AgentRuntime, "nlu", lambda _rt, _scenario: _BookingNLU())
    # FIRST is released at about 2.6 s (when SECOND begins), the LLM would finish at 5.4 s
    llm = SentencesLLM([FIRST, SECOND], when="book a table", pause=0.2, word_pause=0.4)
    tts = TimedSynthesizer()
    rt = _runtime(tmp_path, llm)
    try:
        session = rt.new_call("restaurant-en", caller="+15555550123")
        report = CallReport(call_id=session.call_id, scenario="restaurant-en")
        proc = DialogueProcessor(
            session, tts, CallState(), report, language="en", timeouts=DialogueTimeouts()
        )
        said = UserUtteranceFrame(text="I'd like to book a table", speech_end=time.monotonic())
        frames = [SleepFrame(0.5), said, SleepFrame(3.6), VADUserStartedSpeakingFrame()]
        asyncio.run(run_test(proc, frames_to_send=[*frames, SleepFrame(1.0)]))
        assert llm.finished_at is None  # the LLM was stopped before its second sentence
        assert [s for _, s in tts.said][-1] == FIRST
        speech = next(t for t in report.turns if t.kind == "speech")
        assert speech.interrupted and speech.agent == FIRST
        assert report.turns[-1].kind == "barge_in"  # the dialogue heard what was cut
        bot = [e.payload["text"] for e in rt.calls.load_events(session.call_id) if e.type == "bot"]
        assert bot[-1] == FIRST  # only what was released is recorded
    finally:
        rt.close()


def test_a_caller_hanging_up_during_an_llm_reply_ends_the_call_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AgentRuntime, "nlu", lambda _rt, _scenario: _BookingNLU())
    llm = SentencesLLM([FIRST, SECOND], when="book a table", pause=0.2, word_pause=0.4)
    tts = TimedSynthesizer()
    rt = _runtime(tmp_path, llm)
    try:
        session = rt.new_call("restaurant-en", caller="+15555550123")
        report = CallReport(call_id=session.call_id, scenario="restaurant-en")
        proc = DialogueProcessor(
            session, tts, CallState(), report, language="en", timeouts=DialogueTimeouts()
        )
        said = UserUtteranceFrame(text="I'd like to book a table", speech_end=time.monotonic())
        frames = [SleepFrame(0.5), said, SleepFrame(3.6), StreamStoppedFrame(), SleepFrame(0.5)]
        _, up = asyncio.run(run_test(proc, frames_to_send=frames))
        assert any(isinstance(f, CancelWorkerFrame) for f in up)
        assert llm.finished_at is None  # the LLM was stopped
        assert (report.status, report.reason) == ("hangup", "caller hung up")
        events = rt.calls.load_events(session.call_id)
        # what was said is recorded, then the hang-up reached the dialogue (no deadlock)
        assert [e.payload["text"] for e in events if e.type == "bot"][-1] == FIRST
        assert any(e.type == "call" and e.payload.get("kind") == "hangup" for e in events)
    finally:
        rt.close()
