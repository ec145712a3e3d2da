"""The DialogueProcessor alone, with a fake session and synthesizer (no models, fast)."""

from __future__ import annotations

import asyncio
import time

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import (
    EndWorkerFrame,
    InputDTMFFrame,
    OutputTransportMessageFrame,
    TTSAudioRawFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.tests.utils import SleepFrame, run_test

from agent.voice.audio import PcmAudio
from agent.voice.dead_air import DeadAirWatch
from agent.voice.dialogue_port import DialogueTimeouts
from agent.voice.dialogue_processor import DialogueProcessor
from agent.voice.frames import CallState, UserUtteranceFrame, UtteranceEndedFrame
from agent.voice.keypad import KeypadAggregator
from agent.voice.phrases import phrases_for
from agent.voice.playback import Playback
from agent.voice.report import CallReport
from agent.voice.silence import SilenceWatch
from agent.voice.tts import Synthesizer
from dialogue.acts import Reply
from tests.voice.fakes import FakeSession


class FakeSynthesizer(Synthesizer):
    def __init__(self) -> None:
        super().__init__(cache_size=0)
        self.said: list[str] = []

    def _synthesize(self, text: str) -> PcmAudio:
        self.said.append(text)
        return PcmAudio(b"\x10\x00" * 800, 8000)  # 0.1 s


def _processor(session, tts, playback=None, **timeouts):
    report = CallReport(call_id=session.call_id, scenario="test")
    proc = DialogueProcessor(
        session,
        tts,
        CallState(),
        report,
        language="en",
        timeouts=DialogueTimeouts(mark_grace=0.05, **timeouts),
        playback=playback,
    )
    return proc, report


def _run(proc, frames, *watches):
    # the keypad stage (and the given watches) in front, as in a call (agent/voice/call.py)
    pipeline = Pipeline([KeypadAggregator(timeout=3.0), *watches, proc])
    return asyncio.run(run_test(pipeline, frames_to_send=frames))


def test_greeting_then_dtmf_digits_until_hash() -> None:
    session, tts = FakeSession("c1"), FakeSynthesizer()
    proc, report = _processor(session, tts)
    keys = [InputDTMFFrame(KeypadEntry(d)) for d in "12#"]
    down, up = _run(proc, [SleepFrame(0.2), *keys, SleepFrame(0.3)])
    assert session.log[:2] == [("start", None), ("dtmf", "12")]
    assert tts.said[:2] == ["Hello.", "Okay."]
    kinds = [type(f) for f in down]
    assert TTSAudioRawFrame in kinds and OutputTransportMessageFrame in kinds
    assert [t.kind for t in report.turns] == ["greeting", "dtmf"]


class KeypadSession(FakeSession):
    """A session that, like ``agent.session.CallSession``, takes the call's channel."""

    def set_channel(self, channel: str) -> None:
        self.log.append(("channel", channel))


def test_the_session_hears_it_is_a_voice_call_with_keys_before_the_greeting() -> None:
    session, tts = KeypadSession("c0"), FakeSynthesizer()
    proc, _ = _processor(session, tts)
    keys = [InputDTMFFrame(KeypadEntry(d)) for d in "1126#"]
    _run(proc, [SleepFrame(0.2), *keys, SleepFrame(0.3)])
    # the keys go to the dialogue as keys (it reads dates itself), never as words
    assert session.log[:3] == [("channel", "voice"), ("start", None), ("dtmf", "1126")]


def test_dialogue_failure_is_an_apology() -> None:
    session, tts = FakeSession("c2", fail_on_text=True), FakeSynthesizer()
    proc, _ = _processor(session, tts)
    frames = [SleepFrame(0.2), UserUtteranceFrame(text="hi", speech_end=time.monotonic())]
    _run(proc, [*frames, SleepFrame(0.3)])
    assert phrases_for("en").trouble.endswith(tts.said[-1])
    assert "Sorry, something went wrong on my side." in tts.said


def test_slow_recognition_is_covered_by_one_moment() -> None:
    session, tts = FakeSession("c3"), FakeSynthesizer()
    proc, _ = _processor(session, tts)
    # speech_end is taken when the list is built, before the pipeline (and its greeting) starts
    ended = UtteranceEndedFrame(speech_end=time.monotonic() + 0.5)
    frames = [SleepFrame(0.6), ended, SleepFrame(0.8)]
    _run(proc, frames, DeadAirWatch(0.3))
    assert phrases_for("en").wait in tts.said


def test_end_of_dialogue_hangs_up() -> None:
    class Ending(FakeSession):
        def user_text(self, text: str) -> Reply:
            self._ended = True
            return Reply(text="Goodbye.", end_call=True)

    session, tts = Ending("c4"), FakeSynthesizer()
    proc, report = _processor(session, tts)
    frames = [SleepFrame(0.2), UserUtteranceFrame(text="bye", speech_end=time.monotonic())]
    down, up = _run(proc, [*frames, SleepFrame(0.6)])
    assert any(isinstance(f, EndWorkerFrame) for f in up)
    assert session.closed == ("completed", "dialogue ended")
    assert report.status == "completed"


def test_one_moment_is_not_played_over_an_answer_already_heard() -> None:
    session, tts = FakeSession("c5"), FakeSynthesizer()
    proc, _ = _processor(session, tts)
    # the greeting's audio goes out after this turn ended: its answer has started
    ended = UtteranceEndedFrame(speech_end=time.monotonic() - 1.0)
    _run(proc, [SleepFrame(0.3), ended, SleepFrame(0.3)], DeadAirWatch(0.1))
    assert phrases_for("en").wait not in tts.said


def test_a_prompt_left_unanswered_is_re_prompted_after_it_has_played() -> None:
    session, tts = FakeSession("c6"), FakeSynthesizer()
    playback = Playback(mark_grace=0.05)  # shared, as in a call
    proc, report = _processor(session, tts, playback)
    # no mark comes back here: the greeting counts as heard 0.1 s + mark_grace after it was sent
    _run(proc, [SleepFrame(1.0)], SilenceWatch(0.3, playback))
    assert ("silence", None) in session.log
    assert [t.kind for t in report.turns][:2] == ["greeting", "silence"]
