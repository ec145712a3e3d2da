"""Pipecat frame serializer for Twilio Media Streams, stricter than pipecat's own.

Built on pipecat's :class:`TwilioFrameSerializer` (audio conversion, ``clear`` on
interruption). Added here:

* every inbound message is parsed strictly (:mod:`telephony.twilio.protocol`); a malformed
  message (binary frames included) becomes a :class:`MediaStreamErrorFrame` so the call ends,
  marked failed with the reason, instead of the receive loop dying silently; ``on_error``
  hears of it (the stream is then closed with the error's code and reason); the messages that
  follow the first bad one are counted (:attr:`AicallTwilioSerializer.faults`), not turned
  into more frames;
* ``mark`` echoes become :class:`PlaybackMarkFrame` (the agent knows what the caller heard);
* ``stop`` becomes :class:`StreamStoppedFrame` (the caller hung up);
* outbound marks: an ``OutputTransportMessageFrame`` whose message is ``{"event": "mark",
  ...}`` gets the stream SID filled in;
* no REST hang-up: closing the stream ends a ``<Connect><Stream>`` call by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.audio.utils import ulaw_to_pcm
from pipecat.frames.frames import (
    Frame,
    InputAudioRawFrame,
    InputDTMFFrame,
    OutputTransportMessageFrame,
    OutputTransportMessageUrgentFrame,
    SystemFrame,
)
from pipecat.serializers.twilio import TwilioFrameSerializer

from telephony.twilio.protocol import (
    Dtmf,
    Mark,
    Media,
    MediaStreamError,
    Stop,
    parse_message,
)

__all__ = [
    "AicallTwilioSerializer",
    "MediaStreamErrorFrame",
    "PlaybackMarkFrame",
    "StreamStoppedFrame",
    "mark_message",
]


@dataclass
class PlaybackMarkFrame(SystemFrame):
    """Twilio played everything sent before the mark ``name``."""

    name: str = ""


@dataclass
class StreamStoppedFrame(SystemFrame):
    """Twilio ended the stream (the caller hung up)."""


@dataclass
class MediaStreamErrorFrame(SystemFrame):
    """An inbound message was malformed; ``reason`` says how."""

    reason: str = ""


def mark_message(name: str) -> dict[str, Any]:
    """The message of an outbound mark (the serializer adds the stream SID)."""
    return {"event": "mark", "mark": {"name": name}}


class AicallTwilioSerializer(TwilioFrameSerializer):
    """Twilio Media Streams <-> pipecat frames, with strict parsing and mark events.

    Args:
        stream_sid: the stream's SID from the ``start`` message.
        call_sid: the call's SID.
        on_error: called with each malformed message's error (the first ends the call).
    """

    def __init__(
        self,
        stream_sid: str,
        call_sid: str | None = None,
        *,
        on_error: Callable[[MediaStreamError], None] | None = None,
    ) -> None:
        super().__init__(
            stream_sid,
            call_sid,
            params=TwilioFrameSerializer.InputParams(auto_hang_up=False),
        )
        self._on_error = on_error
        #: malformed messages seen, by kind (the first one ended the call)
        self.faults: dict[str, int] = {}

    async def serialize(self, frame: Frame) -> str | bytes | None:
        """Frames to Twilio messages (audio, ``clear``, ``mark``)."""
        if isinstance(frame, (OutputTransportMessageFrame, OutputTransportMessageUrgentFrame)):
            message = frame.message
            if isinstance(message, dict) and message.get("event") == "mark":
                frame.message = {**message, "streamSid": self._stream_sid}
        return await super().serialize(frame)

    async def deserialize(self, data: str | bytes) -> Frame | None:
        """Twilio messages to frames; malformed input becomes :class:`MediaStreamErrorFrame`."""
        try:
            message = parse_message(data)
        except MediaStreamError as e:
            first = not self.faults
            self.faults[e.kind] = self.faults.get(e.kind, 0) + 1
            if self._on_error is not None:
                self._on_error(e)
            return MediaStreamErrorFrame(reason=str(e)) if first else None
        if isinstance(message, Media):
            if not message.payload:
                return None
            pcm = await ulaw_to_pcm(
                message.payload, self._twilio_sample_rate, self._sample_rate, self._input_resampler
            )
            if not pcm:
                return None
            return InputAudioRawFrame(audio=pcm, num_channels=1, sample_rate=self._sample_rate)
        if isinstance(message, Dtmf):
            return InputDTMFFrame(KeypadEntry(message.digit))
        if isinstance(message, Mark):
            return PlaybackMarkFrame(name=message.name)
        if isinstance(message, Stop):
            return StreamStoppedFrame()
        return None
