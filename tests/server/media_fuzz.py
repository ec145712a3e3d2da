"""A fuzz harness for the Media Streams endpoint: generated messages over admitted calls.

The server is the real app (:func:`agent.server.app.create_app` with the real
:class:`agent.runtime.AgentRuntime`, SQLite, the ``restaurant-en`` scenario) served by uvicorn
on loopback as ``aicall serve`` serves it; only the speech engines are stand-ins (a tone for
every sentence, a recognizer that hears nothing), so the harness measures the protocol path,
not Whisper. Each fuzzed call is placed the way Twilio places it: a signed ``/twilio/voice``
webhook, the TwiML's stream token, ``connected`` + ``start``; once the greeting's first audio
arrives (the call is admitted and running) the generated messages follow.

Meanwhile a well-behaved caller (:class:`SteadyCaller`) keeps a call going, streaming 20 ms
silence frames at real-time pace and timing the agent's audio: its largest gap between two
audio messages is the figure that shows whether the fuzzing disturbed other calls.

Checked for every fuzzed call (:meth:`FuzzHarness.run_script`):

* a script with a fault: the server closes the stream with the fault's close code and a
  reason, and the call is stored ``failed`` with that reason (not "stream disconnected");
* a script without one: the caller's ``stop`` ends it, stored ``hangup``;
* any close by the server is mirrored in the store (closed 1008/1003/1009 ⇔ ``failed``);
* nothing the server logged at ERROR carries a traceback, and ``/healthz`` answers at the end.

Used by ``tests/server/test_media_fuzz.py`` (a short run in ``make test``) and
``bench/media_fuzz.py`` (≥ 100,000 messages in ``make bench``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import secrets
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.app import create_app
from agent.server.loopback import serve_on_loopback
from agent.voice.asr import RecognitionOptions, SpeechRecognizer
from agent.voice.audio import PcmAudio
from agent.voice.engines import VoiceEngines
from agent.voice.logs import quiet_pipecat
from agent.voice.tts import Synthesizer
from scenarios.loader import SHIPPED_DIR, load_scenario
from telephony.twilio import protocol

SCENARIO = "restaurant-en"
NOW = datetime(2026, 11, 25, 10, 0)
SILENCE = b"\xff" * 160


class ToneVoice(Synthesizer):
    """Every sentence is ``seconds`` of a quiet 440 Hz tone (8 kHz)."""

    language = "en"

    def __init__(self, seconds: float) -> None:
        super().__init__(cache_size=16)
        self.seconds = seconds

    def _synthesize(self, text: str) -> PcmAudio:
        t = np.arange(int(8000 * self.seconds)) / 8000
        return PcmAudio((np.sin(2 * math.pi * 440 * t) * 3000).astype(np.int16).tobytes(), 8000)


class HearsNothing(SpeechRecognizer):
    """A recognizer that hears no words (the fuzz is about the protocol, not speech)."""

    def _recognize(self, audio: PcmAudio, options: RecognitionOptions) -> tuple[str, float]:
        return "", 0.99


# Messages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Msg:
    """One message to send: ``data``, and for a fault what the server must answer.

    Attributes:
        data: the WebSocket message (``bytes`` goes as a binary frame).
        fault: the kind of fault, ``None`` for a valid message or a mutation.
        code: the close code the fault must get.
        words: one of these must be in the close reason and the stored reason.
    """

    data: str | bytes
    fault: str | None = None
    code: int = 0
    words: tuple[str, ...] = ()

    def __repr__(self) -> str:  # hypothesis prints failing examples: keep them short
        return f"Msg({self.data[:60]!r}, len={len(self.data)}, fault={self.fault!r})"


_EVENTS = ("connected", "start", "media", "dtmf", "mark", "stop")
_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _oversize(message: Msg) -> bool:
    """Over the server's WebSocket frame limit (uvicorn refuses it unread)."""
    return len(message.data) > protocol.MAX_MESSAGE_BYTES


def _media(payload: bytes) -> str:
    return protocol.build_media("MZfuzz", payload)


valid_messages = st.one_of(
    st.binary(min_size=160, max_size=160).map(lambda b: Msg(_media(b))),
    st.just(Msg(_media(SILENCE))),
    st.binary(min_size=0, max_size=protocol.MAX_MEDIA_PAYLOAD_BYTES).map(lambda b: Msg(_media(b))),
    st.sampled_from("0123456789*#").map(lambda d: Msg(protocol.build_dtmf("MZfuzz", d))),
    st.text(max_size=40).map(lambda n: Msg(protocol.build_mark("MZfuzz", n))),
    st.just(Msg(protocol.build_connected())),
)


#: A generated JSON value may nest deeper than the protocol accepts: also a right answer.
_NESTED = "nested deeper"


def _fault(kind: str, code: int, *words: str) -> Any:
    return lambda data: Msg(data, kind, code, words)


def _not_json(text: str) -> bool:
    try:
        return not isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return True


def _nested(depth: int) -> str:
    return '{"event":"media","media":' + "[" * depth + "]" * depth + "}"


fault_messages = st.one_of(
    st.binary(min_size=0, max_size=300).map(_fault("binary", 1003, "binary frame")),
    st.text(max_size=60)
    .filter(_not_json)
    .map(_fault("not json", 1008, "not JSON", "not a JSON object", _NESTED)),
    st.integers(9, 7000).map(_nested).map(_fault("nested", 1008, "nested deeper")),
    st.integers(protocol.MAX_MESSAGE_BYTES + 1, 200_000).map(
        lambda d: Msg("[" * d, "deep", 1009, ("limit", "close code 1009"))
    ),
    st.text(alphabet="!@#$%^&*()", min_size=1, max_size=40).map(
        lambda p: Msg(
            json.dumps({"event": "media", "media": {"payload": p}}), "base64", 1008, ("base64",)
        )
    ),
    st.integers(protocol.MAX_MEDIA_PAYLOAD_BYTES + 1, 12_000).map(
        lambda n: Msg(_media(b"\x7f" * n), "oversize payload", 1009, ("payload over",))
    ),
    st.integers(protocol.MAX_MESSAGE_BYTES + 1, 6_000_000).map(
        lambda n: Msg("x" * n, "oversize message", 1009, ("close code 1009", "limit"))
    ),
    st.text(min_size=1, max_size=20)
    .filter(lambda e: e not in _EVENTS)
    .map(lambda e: Msg(json.dumps({"event": e}), "unknown event", 1008, ("unknown event",))),
    json_values.filter(lambda v: not isinstance(v, str)).map(
        lambda v: Msg(json.dumps({"event": v}), "event type", 1008, ("event", _NESTED))
    ),
    json_values.filter(lambda v: not isinstance(v, dict)).map(
        lambda v: Msg(
            json.dumps({"event": "media", "media": v}), "wrong type", 1008, ("media", _NESTED)
        )
    ),
    json_values.filter(lambda v: not isinstance(v, str)).map(
        lambda v: Msg(
            json.dumps({"event": "media", "media": {"payload": v}}),
            "wrong type",
            1008,
            ("payload", _NESTED),
        )
    ),
    json_values.filter(lambda v: v not in list("0123456789*#")).map(
        lambda v: Msg(
            json.dumps({"event": "dtmf", "dtmf": {"digit": v}}), "dtmf", 1008, ("DTMF", _NESTED)
        )
    ),
    json_values.filter(lambda v: not isinstance(v, dict)).map(
        lambda v: (
            Msg(
                json.dumps(
                    {
                        "event": "start",
                        "start": {"callSid": "CA" + "0" * 32, "streamSid": "MZ1", "mediaFormat": v},
                    }
                ),
                "media format",
                1008,
                ("media format", _NESTED),
            )
            if v is not None
            else Msg(
                json.dumps({"event": "start", "start": v}), "wrong type", 1008, ("'start' object",)
            )
        )
    ),
    st.text(max_size=40)
    .filter(lambda s: s[:2] != "CA")
    .map(
        lambda sid: Msg(
            json.dumps({"event": "start", "start": {"callSid": sid, "streamSid": "MZ1"}}),
            "call sid",
            1008,
            ("not a call SID",),
        )
    ),
)


@st.composite
def mutations(draw: Any) -> Msg:
    """A valid message with one field replaced by any JSON value.

    When the replacement breaks it, the parser's error is what the server must answer (the
    server's handling end to end is checked, against the parser's verdict on the message).
    """
    base = json.loads(draw(valid_messages).data)
    path: list[Any] = []
    node = base
    while isinstance(node, dict) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node)))
        path.append(key)
        node = node[key]
    value = draw(json_values)
    if not path:
        base[draw(st.text(max_size=8))] = value
    else:
        target = base
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    data = json.dumps(base)
    try:
        parsed = protocol.parse_message(data)
    except protocol.MediaStreamError as e:  # broken by the mutation: a fault with its words
        return Msg(data, "mutation", e.code, (str(e)[:40],))
    assume(not isinstance(parsed, protocol.Stop))  # a stop would end the call as a hang-up
    return Msg(data)


@st.composite
def call_scripts(draw: Any, min_valid: int = 0, max_valid: int = 60) -> list[Msg]:
    """Valid messages, then (usually) a breaker, then whatever follows it.

    The breaker is a fault of a known kind or a mutation (which may happen to stay valid:
    then the caller's ``stop`` ends the call).
    """
    script = draw(st.lists(valid_messages, min_size=min_valid, max_size=max_valid))
    if draw(st.integers(0, 9)) < 8:
        script.append(draw(fault_messages | mutations()))
        script += draw(st.lists(valid_messages | fault_messages, max_size=5))
    return script


# The harness -----------------------------------------------------------------------------


@dataclass
class CallOutcome:
    """What one fuzzed call did."""

    call_sid: str
    sent: int = 0
    close_code: int | None = None
    close_reason: str = ""
    status: str | None = None
    reason: str | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class Tally:
    """Counts over a whole run."""

    messages: int = 0
    calls: int = 0
    faulted_calls: int = 0
    ended_recorded: int = 0
    refused_before_start: int = 0
    crashes: int = 0
    problems: list[str] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=dict)


class _CrashLog(logging.Handler):
    """Collects records that show an unhandled exception (a traceback or ASGI's message)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.crashes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info or "Exception in ASGI application" in message or "exception" in message:
            self.crashes.append(f"{record.name}: {message[:200]}")


class Busy(Exception):
    """The voice webhook answered "busy" (``AICALL_MAX_CALLS`` reached)."""


async def steady_call(harness: FuzzHarness, window: float) -> dict[str, Any]:
    """One well-behaved call: real-time silence frames, ``window`` s of the agent's audio timed.

    Returns:
        ``greeting`` (s from ``start`` to the first audio), ``max_gap`` (largest interval
        between two audio messages), ``audio`` (messages), or ``busy`` / ``error``.
    """
    from websockets.asyncio.client import connect

    try:
        sid, url, params = await harness.admit()
    except Busy:
        return {"busy": True}
    result: dict[str, Any] = {"greeting": None, "max_gap": 0.0, "audio": 0}
    try:
        async with connect(url, max_size=None) as ws:
            await ws.send(protocol.build_connected())
            await ws.send(protocol.build_start("MZ" + sid[2:], sid, params))
            sent_start = time.monotonic()
            sending = asyncio.create_task(_send_silence(ws))
            try:
                last: float | None = None
                while True:
                    if last is None:
                        timeout = 20.0
                    else:
                        timeout = sent_start + result["greeting"] + window - time.monotonic()
                    if timeout <= 0:
                        break
                    try:
                        raw = await asyncio.wait_for(ws.recv(), timeout)
                    except TimeoutError:
                        if last is None:
                            raise RuntimeError("no greeting within 20 s") from None
                        break
                    if json.loads(raw).get("event") != "media":
                        continue
                    now = time.monotonic()
                    result["audio"] += 1
                    if last is None:
                        result["greeting"] = now - sent_start
                    else:
                        result["max_gap"] = max(result["max_gap"], now - last)
                    last = now
            finally:
                sending.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await sending
            await ws.send(protocol.build_stop("MZ" + sid[2:], sid))
    except Exception as e:  # a refused or broken well-behaved call is a finding
        result["error"] = f"{type(e).__name__}: {e}"
    return result


async def _send_silence(ws: Any) -> None:
    next_t = time.monotonic()
    while True:
        await ws.send(protocol.build_media("MZsteady", SILENCE))
        next_t += 0.02
        await asyncio.sleep(max(0.0, next_t - time.monotonic()))


class SteadyCaller:
    """A well-behaved caller kept going beside the fuzzing (:func:`steady_call`, repeated).

    ``max_gap`` is the largest interval between two audio messages inside a listening window
    of ``window`` seconds (the greeting's tone outlasts it).
    """

    def __init__(self, harness: FuzzHarness, window: float = 8.0) -> None:
        self.harness = harness
        self.window = window
        self.max_gap = 0.0
        self.calls = 0
        self.audio_messages = 0
        self.failures: list[str] = []
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Call, listen, hang up, repeat until stopped."""
        while not self._stop.is_set():
            result = await steady_call(self.harness, self.window)
            if "error" in result or result.get("busy"):
                self.failures.append(result.get("error", "busy"))
                await asyncio.sleep(0.5)
                continue
            self.calls += 1
            self.audio_messages += result["audio"]
            self.max_gap = max(self.max_gap, result["max_gap"])

    def stop(self) -> None:
        """Stop after the current call."""
        self._stop.set()


class FuzzHarness:
    """The served app and the clients, each on its own event loop thread.

    Args:
        data_dir: where the SQLite database and call records go.
        tone_seconds: the length of every synthesised sentence (long: the steady caller's
            greeting must outlast its listening window).
        max_calls: ``AICALL_MAX_CALLS`` of the server.
    """

    def __init__(self, data_dir: Path, *, tone_seconds: float = 12.0, max_calls: int = 60) -> None:
        self.token = secrets.token_hex(16)
        self.settings = Settings(
            data_dir=data_dir,
            database_url=f"sqlite:///{data_dir / 'fuzz.db'}",
            twilio_auth_token=self.token,
            public_url=None,
            max_calls=max_calls,
            webhook_rate_limit=0,
            silence_reprompt_seconds=600.0,
        )
        scenario = load_scenario(SHIPPED_DIR / f"{SCENARIO}.yaml")
        self.runtime = AgentRuntime(
            self.settings, clock=lambda _s: NOW, scenarios={SCENARIO: scenario}
        )
        engines = VoiceEngines(
            recognizers={"en": HearsNothing()}, synthesizers={"en": ToneVoice(tone_seconds)}
        )
        self.app = create_app(
            self.settings, self.runtime, engines=engines, warm_scenarios=[SCENARIO]
        )
        self.base_url = ""
        self.crash_log = _CrashLog()
        self._server_loop: asyncio.AbstractEventLoop | None = None
        self._stop_server: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fuzz-server", daemon=True)
        self.client_loop = asyncio.new_event_loop()
        self._client_thread = threading.Thread(
            target=self.client_loop.run_forever, name="fuzz-clients", daemon=True
        )
        # the steady caller has a loop of its own: the fuzzing clients never delay its timing
        self.steady_loop = asyncio.new_event_loop()
        self._steady_thread = threading.Thread(
            target=self.steady_loop.run_forever, name="fuzz-steady", daemon=True
        )

    # lifecycle

    def __enter__(self) -> FuzzHarness:
        quiet_pipecat("WARNING")  # pipecat's own errors reach logging (and the crash log)
        logging.getLogger().addHandler(self.crash_log)
        self._thread.start()
        if not self._ready.wait(120):
            raise RuntimeError("the server did not start")
        self._client_thread.start()
        self._steady_thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server_loop is not None and self._stop_server is not None:
            self._server_loop.call_soon_threadsafe(self._stop_server.set)
        self._thread.join(30)
        for loop, thread in (
            (self.client_loop, self._client_thread),
            (self.steady_loop, self._steady_thread),
        ):
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
        logging.getLogger().removeHandler(self.crash_log)
        self.runtime.close()

    def _serve(self) -> None:
        async def main() -> None:
            self._server_loop = asyncio.get_running_loop()
            self._stop_server = asyncio.Event()
            async with serve_on_loopback(self.app) as base:
                self.base_url = base
                self._ready.set()
                await self._stop_server.wait()

        asyncio.run(main())

    def on_clients(self, coro: Any, timeout: float = 120.0) -> Any:
        """Run ``coro`` on the clients' loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.client_loop).result(timeout)

    @contextlib.contextmanager
    def steady_caller(self, window: float = 8.0) -> Iterator[SteadyCaller]:
        """A :class:`SteadyCaller` running for the duration of the block."""
        caller = SteadyCaller(self, window)
        task = asyncio.run_coroutine_threadsafe(caller.run(), self.steady_loop)
        try:
            yield caller
        finally:
            self.steady_loop.call_soon_threadsafe(caller.stop)
            task.result(60)

    # one call

    async def admit(self) -> tuple[str, str, dict[str, str]]:
        """Place a call as Twilio does: the signed webhook; returns SID, stream URL, parameters."""
        sid = "CA" + uuid.uuid4().hex
        url = f"{self.base_url}/twilio/voice?scenario={SCENARIO}"
        form = {"CallSid": sid, "From": "+15550100200", "To": "+15550100100", "AccountSid": "AC0"}
        signature = RequestValidator(self.token).compute_signature(url, form)
        # plain HTTP on loopback: no TLS context (loading CA certificates blocks the loop 0.2 s)
        async with httpx.AsyncClient(timeout=10.0, verify=False) as client:
            r = await client.post(url, data=form, headers={"X-Twilio-Signature": signature})
        root = ET.fromstring(r.text) if r.status_code == 200 else None
        if root is not None and root.find("Say") is not None and root.find("Hangup") is not None:
            raise Busy(sid)
        stream = root.find("./Connect/Stream") if root is not None else None
        if stream is None:
            raise RuntimeError(f"/twilio/voice answered {r.status_code}: {r.text[:120]}")
        params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
        return sid, stream.get("url", ""), params

    async def _fuzz_call(self, script: list[Msg]) -> CallOutcome:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        sid, url, params = await self.admit()
        out = CallOutcome(sid)
        async with connect(url, max_size=None, close_timeout=5) as ws:
            await ws.send(protocol.build_connected())
            await ws.send(protocol.build_start("MZ" + sid[2:], sid, params))
            await asyncio.wait_for(ws.recv(), 20)  # the greeting: admitted and running
            try:
                for message in script:
                    await ws.send(message.data)
                    out.sent += 1
                if not any(m.fault for m in script):
                    await ws.send(protocol.build_stop("MZ" + sid[2:], sid))
                    out.sent += 1
                async with asyncio.timeout(20):
                    async for _ in ws:
                        pass
            except ConnectionClosed:
                pass
            except TimeoutError:
                out.problems.append("the server did not close the stream within 20 s")
            out.close_code, out.close_reason = ws.close_code, ws.close_reason or ""
        return out

    def run_script(self, script: list[Msg]) -> CallOutcome:
        """Place one call, send ``script``, and check the server's answer and the stored call."""
        out = self.on_clients(self._fuzz_call(script))
        call = None
        for _ in range(200):  # the record is finished just after the stream closes
            call = self.runtime.calls.get_call(out.call_sid)
            if call is not None and call.status != "in_progress":
                break
            time.sleep(0.05)
        if call is None or call.status == "in_progress":
            out.problems.append(f"call not ended and recorded: {call and call.status}")
            return out
        out.status, out.reason = call.status, call.failure_reason or ""
        fault = next((m for m in script if m.fault), None)
        if fault is not None:
            # the server's frame limit drops what was queued before an oversized message
            # (uvicorn fails the connection at once): its 1009 may pre-empt an earlier fault
            answers = [fault, *(m for m in script if _oversize(m))]
            out.problems += self._check_fault(out, answers)
        elif out.close_code in (1003, 1008, 1009):  # a mutation the server refused
            if out.status != "failed" or not out.reason or out.reason.endswith("disconnected"):
                out.problems.append(f"closed {out.close_code}, stored {out.status} {out.reason!r}")
        elif out.status not in ("hangup", "completed"):
            out.problems.append(f"valid script stored {out.status} {out.reason!r}")
        return out

    @staticmethod
    def _check_fault(out: CallOutcome, answers: list[Msg]) -> list[str]:
        """What differs from the answer the first fault (or a pre-empting one) must get."""
        kind = answers[0].fault
        words = [w for m in answers for w in m.words]
        codes = {m.code for m in answers} | ({1006} if any(map(_oversize, answers)) else set())
        problems = []
        if out.status != "failed":
            problems.append(f"{kind}: stored {out.status}, not failed")
        if out.close_code not in codes:
            problems.append(f"{kind}: closed {out.close_code}, not {sorted(codes)}")
        if not any(w in (out.reason or "") for w in words):
            problems.append(f"{kind}: stored reason {out.reason!r}")
        if out.close_reason and not any(w in out.close_reason for w in words):
            problems.append(f"{kind}: close reason {out.close_reason!r}")
        if not out.close_reason and out.close_code not in (1006, 1009):
            problems.append(f"{kind}: closed {out.close_code} with no reason")
        return problems

    async def _refused_start(self, start: str | bytes) -> tuple[int | None, str]:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        async with connect(self.base_url.replace("http", "ws") + "/twilio/media") as ws:
            await ws.send(protocol.build_connected())
            try:
                await ws.send(start)
                for _ in range(3):  # a valid non-start message would wait for more: refused now
                    await ws.send(protocol.build_connected())
                async with asyncio.timeout(15):
                    async for _ in ws:
                        pass
            except ConnectionClosed:
                pass
            return ws.close_code, ws.close_reason or ""

    def run_unadmitted(self, message: Msg) -> list[str]:
        """Send ``message`` where ``start`` belongs (no valid token): refused with a reason."""
        code, reason = self.on_clients(self._refused_start(message.data))
        problems = []
        # 1006: a peer still writing an oversized message may see the connection cut
        if code not in (1003, 1008, 1009) and not (code == 1006 and _oversize(message)):
            problems.append(f"before start: closed {code}")
        if code not in (1006, 1009) and not reason:
            problems.append(f"before start: closed {code} with no reason")
        return problems

    def healthy(self) -> bool:
        """``/healthz`` answers."""
        return httpx.get(f"{self.base_url}/healthz", timeout=10).status_code == 200

    def record(self, tally: Tally, script: list[Msg], out: CallOutcome) -> None:
        """Add one call to ``tally``."""
        tally.calls += 1
        tally.messages += out.sent
        if out.status is not None:
            tally.ended_recorded += 1
        fault = next((m for m in script if m.fault), None)
        if fault is not None and fault.fault is not None:
            tally.faulted_calls += 1
            tally.faults[fault.fault] = tally.faults.get(fault.fault, 0) + 1
        tally.problems += [f"{out.call_sid}: {p}" for p in out.problems]
        tally.crashes = len(self.crash_log.crashes)


def start_mutations() -> Any:
    """A ``start`` message with one field replaced (and a token that admits nothing)."""
    base = json.loads(protocol.build_start("MZ1", "CA" + "0" * 32, {"token": "x.y"}))

    @st.composite
    def mutated(draw: Any) -> Msg:
        message = json.loads(json.dumps(base))
        section = draw(st.sampled_from(["top", "start", "mediaFormat", "customParameters"]))
        target = (
            message
            if section == "top"
            else message["start"]
            if section == "start"
            else message["start"][section]
        )
        key = draw(st.sampled_from(sorted(target)) | st.text(max_size=6))
        target[key] = draw(json_values)
        return Msg(json.dumps(message))

    return mutated() | fault_messages | st.binary(max_size=64).map(lambda b: Msg(b))
