"""End of turn from what was said (#18): the completeness judgement and the speculative hold.

The judgement runs the scenario's real NLU in real dialogue contexts (a session driven to the
question); the recognition stage runs alone (pipecat's ``run_test``) with a scripted
recognizer, so no model is loaded and nothing depends on the machine's speed beyond margins of
a second.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
from pipecat.frames.frames import (
    InputAudioRawFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.tests.utils import SleepFrame, run_test

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.session import CallSession
from agent.voice.asr import RecognitionOptions, SpeechRecognizer, Transcript
from agent.voice.audio import PcmAudio
from agent.voice.call import endpoint_policy
from agent.voice.endpointing import (
    Completeness,
    EndpointPolicy,
    judge_completeness,
    phone_digits,
    session_judge,
)
from agent.voice.frames import CallState, UserUtteranceFrame, UtteranceEndedFrame
from agent.voice.recognition import SpeechRecognitionProcessor

DONE, MORE, MAYBE = Completeness.COMPLETE, Completeness.INCOMPLETE, Completeness.UNSURE
SHUT = Completeness.CLOSED  # complete, and nothing is left to add after its last words

#: caller lines that lead a restaurant booking to each question
_TO = {
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
#: how many of those lines lead to the question
_OPEN, _DATE, _TIME = 0, 1, 2


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("end-of-turn")
    rt = AgentRuntime(Settings(data_dir=data), clock=lambda _s: datetime(2026, 11, 25, 10, 0))
    yield rt
    rt.close()


def _session(runtime: AgentRuntime, language: str, lines: int, *, caller_id: bool = True):
    """A session at the question asked after the first ``lines`` of the booking."""
    caller = "+821012345678" if caller_id else None
    session = runtime.new_call(f"restaurant-{language}", caller=caller)
    assert isinstance(session, CallSession)
    session.start()
    for line in _TO[language][:lines]:
        session.user_text(line)
    return session


CASES = [
    # (language, lines said before, caller id known, utterance, judgement)
    ("en", _OPEN, True, "I'd like to book a table.", DONE),
    ("en", _OPEN, True, "I'd like to book a table for", MORE),
    ("en", _OPEN, True, "Hi, I'd like to", MORE),
    ("en", _OPEN, True, "Um", MORE),
    ("en", _DATE, True, "Tomorrow.", DONE),
    ("en", _DATE, True, "Next Friday.", DONE),
    ("en", _DATE, True, "Next week", MORE),
    ("en", _DATE, True, "Tomorrow, and", MORE),
    ("en", _TIME, True, "At seven pm.", DONE),
    ("en", _TIME, True, "In the evening", MORE),
    ("en", 6, True, "Yes.", DONE),
    ("en", 6, True, "Yes, that's right.", SHUT),
    ("en", 6, True, "No.", DONE),
    ("en", 6, True, "Yes, but", MORE),
    ("en", 6, False, "oh one oh, one two three four,", MORE),
    ("en", 6, False, "five five five", MORE),
    ("en", 6, False, "oh one oh one two three four five six seven eight", DONE),
    ("en", 6, False, "555 123 4567", DONE),
    ("ko", _OPEN, True, "예약하고 싶어요", SHUT),
    ("ko", _OPEN, True, "예약하고", MORE),
    ("ko", _OPEN, True, "저 그", MORE),
    ("ko", _DATE, True, "내일이요", SHUT),
    ("ko", _DATE, True, "다음 주", MORE),
    ("ko", _DATE, True, "다음 주 금요일이요", SHUT),
    ("ko", _DATE, True, "토요일인데", MORE),
    ("ko", _TIME, True, "7시요", SHUT),
    ("ko", _TIME, True, "저녁", MORE),
    ("ko", _TIME, True, "7시인데", MORE),
    ("ko", 6, True, "네", DONE),
    ("ko", 6, True, "아니요", DONE),
    ("ko", 6, True, "네 그런데", MORE),
    ("ko", 6, False, "공일공 일이삼사", MORE),
    ("ko", 6, False, "공일공 일이삼사 오육칠팔", DONE),
    ("ko", 6, False, "010-1234-5678", DONE),
    # what a slot question is answered with, bare (it may go on: ", please") or closed
    ("en", _DATE, True, "Friday", DONE),
    ("en", _DATE, True, "Friday, please.", SHUT),
    ("en", 6, True, "Yes, please.", SHUT),
    ("en", 6, True, "Yes, what?", MORE),  # "Yes, but" as Whisper may close it
    ("en", 6, True, "Yes, bye.", MORE),  # the same: one unexpected word after the yes
    ("en", 6, True, "No, thanks.", SHUT),
    ("en", 6, False, "two one two, five five five", MORE),
    ("en", 6, False, "two one two, five five five, one two three four.", DONE),
    ("en", _OPEN, True, "Could I book a table for? Could I put a table for?", MORE),
    ("en", _OPEN, True, "I'd like to book a table for tomorrow.", DONE),
    ("ko", 3, True, "네 명입니다", SHUT),
    ("ko", 4, True, "홀", DONE),
    ("ko", 6, True, "네 맞아요", SHUT),
    ("ko", 6, True, "아니요", DONE),  # "아니요, 틀려요" goes on
    ("ko", _OPEN, True, "예약을 변경하고 싶은데요", DONE),  # "…는데요" often leads in
    # Korean words that are neither what was asked nor a finished sentence: a fragment
    ("ko", _TIME, True, "종료", MORE),
    ("ko", _DATE, True, "다음초", MORE),
    ("ko", _OPEN, True, "쫙글", MORE),
    ("ko", _OPEN, True, "내일 저녁에", MORE),
    ("ko", 6, False, "공일공", MORE),
    ("ko", _DATE, True, "모니오", MAYBE),  # ends as a mumbled "…요" does: not surely unfinished
    # Whisper's "예약하고 싶어요" on espeak-ng: the request is clear, the ending is not
    ("ko", _OPEN, True, "예약하고시퍼별", MAYBE),
    # a whole name is complete; anything else at the name question waits: Whisper's reading
    # of a cut "My name is", "It's under" or "제 이름은" ("My name is My name", "It's 100.",
    # "케이블"), which the NLU takes as a name, and a given name alone (bench.voice_endpointing)
    ("en", 5, True, "John Smith.", DONE),
    ("en", 5, True, "It's under Maria Garcia.", DONE),
    ("en", 5, True, "James Wilson, please.", SHUT),
    ("en", 5, True, "My name is My name", MORE),
    ("en", 5, True, "It's 100.", MORE),
    ("en", 5, True, "My name is", MORE),
    ("en", 5, True, "John", MORE),
    ("ko", 5, True, "김민수", DONE),
    ("ko", 5, True, "김 민수요", SHUT),
    ("ko", 5, True, "제 이름은 이지은이에요", SHUT),
    ("ko", 5, True, "케이블", MORE),
    ("ko", 5, True, "예약 한강", MORE),
    ("ko", 5, True, "민수", MORE),
]


@pytest.mark.parametrize(("language", "lines", "caller_id", "text", "expected"), CASES)
def test_completeness_in_the_dialogue_context(
    runtime: AgentRuntime,
    language: str,
    lines: int,
    caller_id: bool,
    text: str,
    expected: Completeness,
) -> None:
    session = _session(runtime, language, lines, caller_id=caller_id)
    judge = session_judge(session.understand, language)
    assert judge is not None
    assert judge(text) is expected
    assert session.tracker.state.turns == lines  # understanding changed nothing


def test_the_same_words_are_judged_by_what_was_asked(runtime: AgentRuntime) -> None:
    # "Tomorrow." answers the date question; at the read-back it is no yes or no
    at_date = session_judge(_session(runtime, "en", _DATE).understand, "en")
    at_readback = session_judge(_session(runtime, "en", 6).understand, "en")
    assert at_date is not None and at_readback is not None
    assert at_date("Tomorrow.") is DONE
    assert at_readback("Tomorrow.") is not DONE
    # a full number completes a phone question only
    at_phone = session_judge(_session(runtime, "ko", 6, caller_id=False).understand, "ko")
    at_open = session_judge(_session(runtime, "ko", _OPEN).understand, "ko")
    assert at_phone is not None and at_open is not None
    assert at_phone("공일공 일이삼사 오육칠팔") is DONE
    assert at_open("공일공 일이삼사 오육칠팔") is not DONE


def test_without_a_parse_only_the_words_decide() -> None:
    assert judge_completeness("I'd like a table for", "en", None, None) is MORE
    assert judge_completeness("John Smith.", "en", "name", None) is DONE  # a whole name
    assert judge_completeness("John", "en", "name", None) is MORE  # the family name may follow
    assert judge_completeness("", "ko", "yesno", None) is MAYBE
    assert judge_completeness("예약하는데...", "ko", None, None) is MORE


def test_what_whisper_makes_of_a_cut_utterance_is_not_taken_as_finished() -> None:
    # measured in bench.voice_endpointing: a number cut after two groups read back "whole"
    assert judge_completeness("818-555-55-55", "en", "phone", None) is not DONE
    assert judge_completeness("202-555-202-5555", "en", "phone", None) is not DONE
    assert judge_completeness("212-555-1234", "en", "phone", None) is DONE
    # a looping transcript; a part of the day with the time still to come; a spaced connective
    assert (
        judge_completeness("Here with the, here with the, here with the.", "en", "date", None)
        is MORE
    )
    assert judge_completeness("In the evening, Brown.", "en", "time", None) is MORE
    assert judge_completeness("예약한 고", "ko", None, None) is MORE


def test_a_number_read_with_a_group_again_is_not_whole() -> None:
    # the first group read again inside the number, as Whisper completes a cut one
    assert judge_completeness("818-555-55818-5555", "en", "phone", None) is not DONE
    assert judge_completeness("공일공 일일일일 이이이이", "ko", "phone", None) is DONE  # runs


def test_a_number_that_grew_by_more_than_a_group_since_the_last_pause_waits() -> None:
    policy = EndpointPolicy(mode="dialogue", silences={"phone": 0.2}, incomplete_silences={})

    def judge(text: str) -> Completeness:
        return judge_completeness(text, "en", "phone", None)

    async def decide(text: str, earlier: str | None) -> Completeness | None:
        heard = asyncio.get_running_loop().create_future()
        heard.set_result(Transcript(text=text, language="en", seconds=0.1, audio_seconds=2.0))
        return await policy.wait(heard, "phone", judge, earlier=earlier)

    # "three one two" [pause] "eight four seven" heard as a whole number: seven digits more
    assert asyncio.run(decide("312-847-8147", "312")) is MAYBE
    # the last group after the pause: four digits more, a whole number
    assert asyncio.run(decide("312-847-8147", "312-847")) is DONE
    assert asyncio.run(decide("312-847-8147", None)) is DONE  # said in one breath


def test_phone_digits_spoken_or_written() -> None:
    assert phone_digits("oh one oh, one two three") == "010123"
    assert phone_digits("double five, 12") == "5512"
    assert phone_digits("공일공에 일이삼사") == "0101234"
    assert phone_digits("이번 주 일요일") == ""


def test_a_bad_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="dialogue"):
        EndpointPolicy(mode="smart")  # type: ignore[arg-type]


def test_holds_order_complete_before_unsure_before_incomplete() -> None:
    policy = EndpointPolicy(mode="dialogue")
    for expects in (None, "date", "time", "phone", "yesno"):
        assert (
            policy.decided_hold(expects, SHUT)
            <= policy.decided_hold(expects, DONE)
            <= policy.decided_hold(expects, MAYBE)
            <= policy.decided_hold(expects, MORE)
        )
        if expects != "phone":  # a number short of digits waits as long as silence mode does
            assert policy.decided_hold(expects, MAYBE) < policy.decided_hold(expects, MORE)
    assert policy.decided_hold("phone", DONE) < policy.decided_hold("phone", MORE)
    assert policy.decided_hold(None, MAYBE) == policy.hold(None)
    assert policy.decided_hold("date", DONE) < policy.decided_hold("date", MAYBE)
    assert policy.decided_hold(None, SHUT) < policy.decided_hold(None, DONE)


# The recognition stage with a scripted recognizer ---------------------------------------------


class ScriptedRecognizer(SpeechRecognizer):
    """Answers by the length of the audio: a fragment and the whole turn read differently."""

    def __init__(self, texts: dict[int, str]) -> None:
        super().__init__(timeout=5.0)
        self.texts = texts  # tenths of a second of audio -> transcript
        self.heard: list[float] = []

    def _recognize(self, audio: PcmAudio, options: RecognitionOptions) -> tuple[str, float]:
        self.heard.append(round(audio.duration, 1))
        tenths = round(audio.duration * 10)
        best = min(self.texts, key=lambda k: abs(k - tenths))
        return self.texts[best], 0.0


def _audio(seconds: float) -> list:
    chunk = b"\x00\x08" * 320  # 20 ms at 16 kHz
    return [
        InputAudioRawFrame(audio=chunk, sample_rate=16000, num_channels=1)
        for _ in range(int(seconds / 0.02))
    ]


def _turn(pause: float) -> list:
    """A caller who says a fragment, pauses ``pause`` s (VAD reports it), then goes on."""
    return [
        VADUserStartedSpeakingFrame(),
        *_audio(1.0),
        VADUserStoppedSpeakingFrame(),
        SleepFrame(pause),
        VADUserStartedSpeakingFrame(),
        *_audio(1.0),
        VADUserStoppedSpeakingFrame(),
        SleepFrame(2.5),
    ]


def _recognise(policy: EndpointPolicy, judge, frames) -> tuple[list, ScriptedRecognizer]:
    recognizer = ScriptedRecognizer({10: "I'd like to book a table for", 20: "four people."})
    state = CallState()
    state.judge = judge
    stage = SpeechRecognitionProcessor(
        recognizer, RecognitionOptions("en"), state, endpoint=policy, preroll=0.0
    )
    down, _ = asyncio.run(run_test(stage, frames_to_send=frames))
    said = [f for f in down if isinstance(f, (UserUtteranceFrame, UtteranceEndedFrame))]
    return said, recognizer


def _words_judge(text: str) -> Completeness:
    return judge_completeness(text, "en", None, None)


def test_a_fragment_waits_and_its_speculative_result_is_discarded() -> None:
    # "…a table for" [0.8 s] "four people.": judged unfinished, the hold stretches past the
    # pause; the caller goes on, the guess is dropped and the whole turn is recognised once.
    said, recognizer = _recognise(EndpointPolicy(mode="dialogue"), _words_judge, _turn(0.8))
    utterances = [f for f in said if isinstance(f, UserUtteranceFrame)]
    assert [u.text for u in utterances] == ["four people."]
    assert len([f for f in said if isinstance(f, UtteranceEndedFrame)]) == 1
    assert recognizer.heard[0] < recognizer.heard[-1]  # the fragment was recognised first
    assert utterances[0].audio_seconds > 1.9  # both parts, as one turn


def test_silence_mode_splits_the_same_turn() -> None:
    # AICALL_ENDPOINTING=silence: the 0.5 s silence hold ends in the pause, the agent would
    # answer the fragment (what the dialogue mode avoids)
    policy = endpoint_policy(Settings(endpointing="silence"))
    said, _ = _recognise(policy, _words_judge, _turn(0.8))
    texts = [f.text for f in said if isinstance(f, UserUtteranceFrame)]
    assert len(texts) == 2 and texts[0] == "I'd like to book a table for"


def test_a_complete_turn_is_answered_without_the_silence_hold() -> None:
    # the silence hold is made an hour long: only the judgement can end this turn
    policy = EndpointPolicy(mode="dialogue", default_silence=3600.0, incomplete_silence=3600.0)
    frames = [VADUserStartedSpeakingFrame(), *_audio(2.0), VADUserStoppedSpeakingFrame()]
    frames.append(SleepFrame(2.0))
    said, _ = _recognise(policy, lambda _t: DONE, frames)
    assert [f.text for f in said if isinstance(f, UserUtteranceFrame)] == ["four people."]


def test_a_failing_judge_falls_back_to_the_silence_hold() -> None:
    def broken(_text: str) -> Completeness:
        raise RuntimeError("the NLU broke")

    frames = [VADUserStartedSpeakingFrame(), *_audio(2.0), VADUserStoppedSpeakingFrame()]
    said, _ = _recognise(EndpointPolicy(mode="dialogue"), broken, [*frames, SleepFrame(2.0)])
    assert [f.text for f in said if isinstance(f, UserUtteranceFrame)] == ["four people."]


def _resuming(voice_after_stop: bool) -> list:
    """A fragment, VAD's end of speech, then audio before VAD reports the caller again.

    With ``voice_after_stop`` that audio is the caller's voice starting (VAD needs 0.1 s of it
    to say so); without, it is the line's silence and the caller starts later.
    """
    after = _audio(0.06) if voice_after_stop else [_quiet(0.06)]
    return [
        VADUserStartedSpeakingFrame(),
        *_audio(1.0),
        VADUserStoppedSpeakingFrame(),
        *after,
        SleepFrame(0.6),
        VADUserStartedSpeakingFrame(),
        *_audio(1.0),
        VADUserStoppedSpeakingFrame(),
        SleepFrame(1.0),
    ]


def _quiet(seconds: float) -> InputAudioRawFrame:
    return InputAudioRawFrame(
        audio=b"\x00\x00" * int(seconds * 16000), sample_rate=16000, num_channels=1
    )


def test_voice_heard_as_the_turn_is_taken_holds_it_for_vad() -> None:
    # the judgement says "complete" with no hold at all: only the onset guard keeps the turn
    # open when the caller's voice is already back (VAD's start of speech comes 0.6 s later)
    policy = EndpointPolicy(
        mode="dialogue", complete_silence=0.15, closed_silence=0.15, onset_guard=3.0
    )
    said, _ = _recognise(policy, lambda _t: DONE, _resuming(voice_after_stop=True))
    utterances = [f for f in said if isinstance(f, UserUtteranceFrame)]
    assert len(utterances) == 1 and utterances[0].audio_seconds > 1.9  # one turn, both parts
    said, _ = _recognise(policy, lambda _t: DONE, _resuming(voice_after_stop=False))
    assert len([f for f in said if isinstance(f, UserUtteranceFrame)]) == 2  # silence: taken


def test_endpointing_setting_chooses_the_mode(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AICALL_ENDPOINTING", "silence")
    assert endpoint_policy(Settings(data_dir=tmp_path)).mode == "silence"
    monkeypatch.delenv("AICALL_ENDPOINTING")
    assert endpoint_policy(Settings(data_dir=tmp_path)).mode == "dialogue"  # the default
