"""A caller simulator that acts as Twilio: it places a call over the real protocol.

It posts the ``/twilio/voice`` webhook (signed like Twilio signs it), reads the TwiML, opens
the media WebSocket, sends ``connected`` and ``start`` with the stream parameters, then streams
20 ms mu-law frames at real-time pace for the whole call (silence between lines, as a phone
line does). It speaks each line of a script (synthesised with the project's TTS), waits for the
agent to finish its reply first (or barges in when the script says so), sends DTMF keys, echoes
``mark`` events when their audio would have finished playing (and at once on ``clear``), and
records the agent's audio per turn. After the call it transcribes the agent's turns and returns
a transcript with per-turn latency: from the caller's last voiced frame sent to the agent's
first audio frame received.

Script format (YAML or JSON), a list of steps::

    - say: I'd like to book a table
    - say: tomorrow at seven pm
      barge_in: 0.8        # start 0.8 s into the agent's next reply instead of waiting
    - dtmf: "01012345678#"
    - hangup: true         # hang up now (otherwise the agent ends the call)

The caller's voice is the agent's synthesizer of the call's language, except in Korean
(:func:`caller_voice`: espeak-ng slowed to the rate measured to survive the phone line and
Whisper base, see docs/voice.md, "Korean calls").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from ruamel.yaml import YAML

from agent.voice.asr import RecognitionOptions, SpeechRecognizer
from agent.voice.audio import TWILIO_FRAME_BYTES, PcmAudio
from agent.voice.synthesizers import EspeakSynthesizer
from agent.voice.tts import Synthesizer
from common.errors import AicallError, InputError
from telephony.twilio import protocol

__all__ = [
    "CallerSimulator",
    "dead_air",
    "CallerStep",
    "KOREAN_CALLER_SPEED",
    "SimulatedCall",
    "SimulatedTurn",
    "caller_voice",
    "load_script",
]

_SILENCE_FRAME = b"\xff" * TWILIO_FRAME_BYTES
_FRAME_SECS = 0.02


@dataclass(frozen=True)
class CallerStep:
    """One step of a caller script.

    Attributes:
        say: words to speak.
        dtmf: keys to press.
        barge_in: start speaking this many seconds into the agent's next reply.
        hangup: hang up.
        pause: seconds to wait before the step (after the agent finished).
    """

    say: str | None = None
    dtmf: str | None = None
    barge_in: float | None = None
    hangup: bool = False
    pause: float = 0.0


#: espeak-ng's rate for the simulated Korean caller (words per minute).
KOREAN_CALLER_SPEED = 130


def caller_voice(language: str, agent_voice: Synthesizer) -> Synthesizer:
    """The simulated caller's voice: ``agent_voice``, except in Korean.

    In Korean the caller speaks espeak-ng at 130 words per minute instead of the agent's 165:
    after the phone band, Whisper base (with the scenario's vocabulary) gave back every answer
    of the Korean booking script at 130; at 165 it lost the date ("목요일이요" → "고기 오")
    and mangled more words (docs/voice.md, "Korean calls").

    Raises:
        NotConfiguredError: Korean, and espeak-ng is not installed.
    """
    if language == "ko":
        return EspeakSynthesizer("ko", speed=KOREAN_CALLER_SPEED)
    return agent_voice


def load_script(path: Path) -> list[CallerStep]:
    """Read a caller script (YAML or JSON list of steps).

    Raises:
        InputError: the file is unreadable or a step is malformed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot read the script: {e}") from e
    if path.suffix == ".json":
        data = json.loads(text)
    else:
        data = YAML(typ="safe").load(text)
    if not isinstance(data, list):
        raise InputError(f"{path}: a script is a list of steps")
    steps = []
    for i, raw in enumerate(data, 1):
        if not isinstance(raw, dict) or not ({"say", "dtmf", "hangup"} & set(raw)):
            raise InputError(f"{path}: step {i} needs 'say', 'dtmf' or 'hangup'")
        try:
            steps.append(CallerStep(**raw))
        except TypeError as e:
            raise InputError(f"{path}: step {i}: {e}") from e
    return steps


@dataclass
class SimulatedTurn:
    """One exchange as the caller experienced it.

    Attributes:
        caller: what the caller said or keyed (``None`` for the greeting).
        agent: the agent's reply, transcribed.
        latency: seconds from the caller's last voiced frame (or last key) to the agent's first
            audio frame; ``None`` for the greeting or when the agent said nothing.
        barged_in: the caller spoke over the agent's previous reply.
        agent_audio_seconds: seconds of agent audio received in this exchange.
        dead_air: the longest the line stayed silent while the caller waited for the agent
            in this exchange (from the caller's last voiced frame, between the agent's voiced
            frames, until the caller judged the reply finished); ``None`` when not measured
            (a barge-in).
        premature: the agent started to speak while the caller was still saying the line
            (it answered a pause inside the turn; never set on a barge-in).
    """

    caller: str | None
    agent: str = ""
    latency: float | None = None
    barged_in: bool = False
    agent_audio_seconds: float = 0.0
    dead_air: float | None = None
    premature: bool = False


@dataclass
class SimulatedCall:
    """The result of a simulated call.

    Attributes:
        call_sid: the call SID used.
        scenario: the scenario asked for.
        turns: the exchanges.
        ended_by: ``agent`` (it closed the stream) or ``caller``.
        greeting_latency: seconds from ``start`` to the greeting's first audio.
        report: the server's voice record of the call, when the caller can see it.
    """

    call_sid: str
    scenario: str
    turns: list[SimulatedTurn] = field(default_factory=list)
    ended_by: str = "caller"
    greeting_latency: float | None = None
    report: dict[str, Any] | None = None

    @property
    def max_dead_air(self) -> float | None:
        """The longest silence the caller waited through in the whole call."""
        gaps = [t.dead_air for t in self.turns if t.dead_air is not None]
        return max(gaps) if gaps else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def dead_air(
    chunks: list[tuple[float, bytes]],
    since: float,
    until: float,
    threshold: int = 300,
    *,
    line_start: float | None = None,
) -> float:
    """The longest silence a caller waited through between ``since`` and ``until``.

    ``chunks`` are the agent's mu-law messages with their arrival times; each is played from
    its arrival or the end of the previous one (as Twilio plays them), and every 20 ms frame
    whose peak is above ``threshold`` counts as heard. The silence after the last heard frame
    is the caller's own (they judged the reply finished), so it is not counted. With no heard
    frame after ``since`` the whole wait counts, unless the agent answered while the caller
    was still speaking (a heard frame after ``line_start``): then nobody waited for it.
    """
    voiced: list[tuple[float, float]] = []
    play_end = 0.0
    for arrival, payload in chunks:
        start = max(arrival, play_end)
        play_end = start + len(payload) / 8000
        x = np.abs(PcmAudio.from_mulaw_8k(payload).samples().astype(np.int32))
        for i in range(0, len(x), 160):
            if x[i : i + 160].max(initial=0) > threshold:
                t = start + i / 8000
                voiced.append((t, t + min(160, len(x) - i) / 8000))
    longest, quiet_from = 0.0, since
    for begin, end in voiced:
        if end <= since or begin >= until:
            continue
        longest = max(longest, begin - quiet_from)
        quiet_from = max(quiet_from, end)
    if quiet_from == since:
        overlapped = line_start is not None and any(line_start < e <= since for _, e in voiced)
        return 0.0 if overlapped else max(0.0, until - since)
    return max(0.0, longest)


def _trim(audio: PcmAudio, threshold: int = 300) -> PcmAudio:
    """Drop leading and trailing near-silence (so the last frame sent is voiced)."""
    x = audio.samples()
    voiced = np.flatnonzero(np.abs(x) > threshold)
    if voiced.size == 0:
        return audio
    return PcmAudio(x[voiced[0] : voiced[-1] + 1].tobytes(), audio.sample_rate)


class _Line:
    """The phone line as Twilio plays it: agent audio arrival, playback clock and marks."""

    def __init__(self) -> None:
        self.chunks: list[tuple[float, bytes]] = []
        self.play_end = 0.0
        self.last_media = 0.0
        self.pending_marks: list[tuple[float, str]] = []
        self.new_audio = asyncio.Event()
        self.drained = asyncio.Event()


class CallerSimulator:
    """Places one simulated call against a running server.

    Args:
        base_url: the server's HTTP base URL (``http://127.0.0.1:8080``).
        auth_token: the Twilio auth token the server checks signatures with.
        synthesizer: speaks the caller's lines.
        recognizer: transcribes the agent (after the call, so it does not compete for CPU).
        language: the call's language.
        reply_timeout: longest wait for the agent to answer a line.
        quiet_after: the agent's reply counts as finished after this much quiet.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth_token: str,
        synthesizer: Synthesizer,
        recognizer: SpeechRecognizer | None,
        language: str,
        reply_timeout: float = 20.0,
        quiet_after: float = 1.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth_token = auth_token
        self.synthesizer = synthesizer
        self.recognizer = recognizer
        self.language = language
        self.reply_timeout = reply_timeout
        self.quiet_after = quiet_after

    async def _webhook(
        self, scenario: str, call_sid: str, caller: str, callee: str
    ) -> tuple[str, dict[str, str]]:
        from twilio.request_validator import RequestValidator

        url = f"{self.base_url}/twilio/voice?scenario={scenario}"
        form = {"CallSid": call_sid, "From": caller, "To": callee, "AccountSid": "AC0"}
        signature = RequestValidator(self.auth_token).compute_signature(url, form)
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(url, data=form, headers={"X-Twilio-Signature": signature})
        if response.status_code != 200:
            raise InputError(f"/twilio/voice answered {response.status_code}: {response.text}")
        stream = ET.fromstring(response.text).find("./Connect/Stream")
        if stream is None:
            raise InputError(f"no <Connect><Stream> in the TwiML: {response.text}")
        params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
        return stream.get("url", ""), params

    async def call(
        self,
        scenario: str,
        steps: list[CallerStep],
        *,
        caller: str = "+15550100200",
        callee: str = "+15550100100",
        before_step: Callable[[int], Awaitable[None]] | None = None,
    ) -> SimulatedCall:
        """Place the call and play the script; returns the transcript with latencies.

        ``before_step(i)`` is awaited once the agent has finished its previous reply, just
        before step ``i`` (a fault run arms its fault there: "mid-call", after the greeting).
        """
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        call_sid = "CA" + uuid.uuid4().hex
        stream_sid = "MZ" + uuid.uuid4().hex
        stream_url, params = await self._webhook(scenario, call_sid, caller, callee)
        result = SimulatedCall(call_sid=call_sid, scenario=scenario)
        line = _Line()
        starts: list[int] = []
        outbox: asyncio.Queue[bytes] = asyncio.Queue()
        async with connect(stream_url, max_size=None) as ws:
            await ws.send(protocol.build_connected())
            await ws.send(protocol.build_start(stream_sid, call_sid, params))
            started = time.monotonic()
            closed = asyncio.Event()

            async def send_loop() -> None:
                try:
                    await stream_audio()
                except ConnectionClosed:
                    closed.set()
                    line.drained.set()

            async def stream_audio() -> None:
                seq, next_t = 0, time.monotonic()
                while True:
                    if outbox.empty():
                        frame = _SILENCE_FRAME
                    else:
                        frame = outbox.get_nowait()
                        if outbox.empty():
                            line.drained.set()
                    seq += 1
                    await ws.send(protocol.build_media(stream_sid, frame, seq=seq))
                    next_t += _FRAME_SECS
                    await asyncio.sleep(max(0.0, next_t - time.monotonic()))

            async def receive_loop() -> None:
                try:
                    async for raw in ws:
                        await self._on_message(ws, stream_sid, raw, line)
                except ConnectionClosed:
                    pass
                closed.set()
                line.drained.set()  # a line being spoken is over: the agent is gone

            async def marks_loop() -> None:
                while True:
                    now = time.monotonic()
                    due = [m for m in line.pending_marks if m[0] <= now]
                    for m in due:
                        line.pending_marks.remove(m)
                        await ws.send(protocol.build_mark(stream_sid, m[1]))
                    await asyncio.sleep(0.02)

            tasks = [
                asyncio.create_task(send_loop(), name="sim-send"),
                asyncio.create_task(receive_loop(), name="sim-receive"),
                asyncio.create_task(marks_loop(), name="sim-marks"),
            ]
            try:
                await self._play(
                    steps,
                    line,
                    outbox,
                    closed,
                    result,
                    started,
                    ws,
                    stream_sid,
                    starts,
                    before_step,
                )
            except ConnectionClosed:
                closed.set()
            finally:
                if closed.is_set():
                    result.ended_by = "agent"
                else:
                    try:
                        await ws.send(protocol.build_stop(stream_sid, call_sid))
                    except ConnectionClosed:
                        pass
                for t in tasks:
                    t.cancel()
                await asyncio.wait(tasks, timeout=2.0)
        await self._transcribe(result, line, starts)
        return result

    async def _on_message(self, ws: Any, stream_sid: str, raw: str | bytes, line: _Line) -> None:
        message = json.loads(raw)
        event = message.get("event")
        now = time.monotonic()
        if event == "media":
            payload = protocol.parse_message(raw)
            assert isinstance(payload, protocol.Media)
            line.chunks.append((now, payload.payload))
            line.last_media = now
            line.play_end = max(now, line.play_end) + len(payload.payload) / 8000
            line.new_audio.set()
        elif event == "mark":
            line.pending_marks.append((max(now, line.play_end), message["mark"]["name"]))
        elif event == "clear":
            line.play_end = now
            for _, name in line.pending_marks:
                await ws.send(protocol.build_mark(stream_sid, name))
            line.pending_marks.clear()

    async def _agent_done(self, line: _Line, since: float, closed: asyncio.Event) -> bool:
        """Wait until the agent spoke after ``since`` and then went quiet; False on timeout."""
        deadline = time.monotonic() + self.reply_timeout
        while time.monotonic() < deadline and not closed.is_set():
            now = time.monotonic()
            spoke = line.last_media > since
            if (
                spoke
                and not line.pending_marks
                and now >= line.play_end
                and now - line.last_media >= self.quiet_after
            ):
                return True
            await asyncio.sleep(0.05)
        return closed.is_set()

    async def _first_audio_after(self, line: _Line, since: float, closed: asyncio.Event) -> None:
        deadline = time.monotonic() + self.reply_timeout
        while line.last_media <= since and not closed.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            line.new_audio.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(line.new_audio.wait(), min(remaining, 0.05))

    async def _play(
        self,
        steps: list[CallerStep],
        line: _Line,
        outbox: asyncio.Queue[bytes],
        closed: asyncio.Event,
        result: SimulatedCall,
        started: float,
        ws: Any,
        stream_sid: str,
        starts: list[int],
        before_step: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        result.turns.append(SimulatedTurn(caller=None))
        starts.append(0)
        await self._first_audio_after(line, started, closed)
        if line.chunks:
            result.greeting_latency = round(line.chunks[0][0] - started, 3)
        last_input = started
        line_start: float | None = None
        barge_next: float | None = None
        for index, step in enumerate(steps):
            if barge_next is None:
                await self._agent_done(line, last_input, closed)
                waited = dead_air(line.chunks, last_input, time.monotonic(), line_start=line_start)
                result.turns[-1].dead_air = round(waited, 3)
            else:
                await self._first_audio_after(line, last_input, closed)
                await asyncio.sleep(barge_next)
            if closed.is_set():
                return
            if before_step is not None:
                await before_step(index)
                if closed.is_set():
                    return
            if step.pause:
                await asyncio.sleep(step.pause)
            if step.hangup:
                return
            turn = SimulatedTurn(caller=step.say or step.dtmf, barged_in=barge_next is not None)
            result.turns.append(turn)
            starts.append(len(line.chunks))
            if step.say:
                audio = _trim(await self.synthesizer.synthesize(step.say))
                phone = audio.to_mulaw_8k()
                frames = [
                    phone[i : i + TWILIO_FRAME_BYTES].ljust(TWILIO_FRAME_BYTES, b"\xff")
                    for i in range(0, len(phone), TWILIO_FRAME_BYTES)
                ]
                line.drained.clear()
                line_start = time.monotonic()
                for f in frames:
                    outbox.put_nowait(f)
                if closed.is_set():  # the agent went away while the line was prepared
                    return
                await asyncio.wait_for(line.drained.wait(), len(frames) * _FRAME_SECS + 5.0)
                if closed.is_set():
                    return
                last_input = time.monotonic()  # the last voiced frame just went out
                # the previous reply was over (quiet) before the line began: audio now is new
                turn.premature = not turn.barged_in and any(
                    line_start < t < last_input for t, _ in line.chunks[starts[-1] :]
                )
                starts[-1] = len(line.chunks)
            elif step.dtmf:
                line_start = time.monotonic()
                for digit in step.dtmf:
                    await ws.send(protocol.build_dtmf(stream_sid, digit))
                    await asyncio.sleep(0.15)
                last_input = time.monotonic()
                starts[-1] = len(line.chunks)
            barge_next = None
            await self._first_audio_after(line, last_input, closed)
            first = next((t for t, _ in line.chunks[starts[-1] :] if t > last_input), None)
            if first is not None:
                turn.latency = round(first - last_input, 3)
            if index + 1 < len(steps) and steps[index + 1].barge_in is not None:
                barge_next = steps[index + 1].barge_in
        if barge_next is None:
            await self._agent_done(line, last_input, closed)
            waited = dead_air(line.chunks, last_input, time.monotonic(), line_start=line_start)
            result.turns[-1].dead_air = round(waited, 3)
        # Give the agent a moment to close the stream after its goodbye.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed.wait(), 3.0)

    async def _transcribe(self, result: SimulatedCall, line: _Line, starts: list[int]) -> None:
        """Transcribe the agent's audio of each turn (from its input to the next input)."""
        ends = [*starts[1:], len(line.chunks)]
        for turn, start, end in zip(result.turns, starts, ends, strict=True):
            data = b"".join(p for _, p in line.chunks[start:end])
            turn.agent_audio_seconds = round(len(data) / 8000, 2)
            if self.recognizer is None or not data:
                continue
            audio = PcmAudio.from_mulaw_8k(data)
            try:
                transcript = await asyncio.to_thread(
                    self.recognizer.recognize_sync, audio, RecognitionOptions(self.language)
                )
            except AicallError as e:
                turn.agent = f"[not transcribed: {e}]"
                continue
            turn.agent = transcript.text
