"""Frames the per-call pipeline adds to pipecat's, and the state its processors share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pipecat.frames.frames import SystemFrame

__all__ = [
    "AwaitingCallerFrame",
    "CallInputFrame",
    "CallState",
    "DeadAirFrame",
    "InputKind",
    "RecognitionFailedFrame",
    "UserUtteranceFrame",
    "UtteranceDroppedFrame",
    "UtteranceEndedFrame",
]


class InputKind(StrEnum):
    """What a turn of the call's dialogue answers (the session's event kinds among them)."""

    GREETING = "greeting"
    SPEECH = "speech"
    ASR_FAILED = "asr_failed"
    DTMF = "dtmf"
    SILENCE = "silence"
    BARGE_IN = "barge_in"
    TIME_LIMIT = "time_limit"
    HANGUP = "hangup"


@dataclass
class CallInputFrame(SystemFrame):
    """An input for the dialogue from a processor of the call (keys, the time limit).

    Attributes:
        kind: what it is.
        value: its value (the digits of a ``dtmf`` input).
    """

    kind: InputKind = InputKind.SILENCE
    value: str | None = None


@dataclass
class AwaitingCallerFrame(SystemFrame):
    """Sent upstream by the dialogue: its reply is all sent and the caller's turn comes next.

    :class:`~agent.voice.silence.SilenceWatch` starts the caller's silence from the end of its
    playback.
    """


@dataclass
class DeadAirFrame(SystemFrame):
    """The caller's turn has had no answer for a while (:class:`~agent.voice.dead_air.DeadAirWatch`).

    The dialogue plays "one moment" unless it has spoken since the caller's last word.

    Attributes:
        speech_end: monotonic time of the caller's last voiced audio.
    """

    speech_end: float = 0.0


@dataclass
class UtteranceEndedFrame(SystemFrame):
    """The caller finished a turn (end of turn decided); its transcript is on the way.

    Attributes:
        speech_end: monotonic time of the caller's last voiced audio.
    """

    speech_end: float = 0.0


@dataclass
class UtteranceDroppedFrame(SystemFrame):
    """The turn announced by :class:`UtteranceEndedFrame` held no words (noise)."""


@dataclass
class UserUtteranceFrame(SystemFrame):
    """One caller turn, recognised.

    Attributes:
        text: the transcript.
        speech_end: monotonic time of the caller's last voiced audio.
        transcript_ready: monotonic time the transcript was available.
        asr_seconds: time recognition itself took.
        audio_seconds: length of the utterance's audio.
    """

    text: str = ""
    speech_end: float = 0.0
    transcript_ready: float = 0.0
    asr_seconds: float = 0.0
    audio_seconds: float = 0.0


@dataclass
class RecognitionFailedFrame(SystemFrame):
    """Recognition of a caller turn failed (the agent apologises and asks again)."""

    reason: str = ""
    speech_end: float = 0.0


class CallState:
    """What the processors of one call share (never global: one instance per call).

    Attributes:
        expects: what the dialogue waits for (``phone``, ``date``, ``yesno``...), which tunes
            end-of-turn.
        judge: judges a speculative transcript in the dialogue's context (blocking; see
            :func:`agent.voice.endpointing.session_judge`); ``None``: end of turn by silence.
    """

    def __init__(self) -> None:
        self.expects: str | None = None
        self.judge: Callable[[str], Any] | None = None
