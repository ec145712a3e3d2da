"""A loopback stand-in for Twilio's voice cloud: the Calls API, webhooks, Media Streams, status.

Run as its own process (``python -m tests.scale.twilio_cloud --port P --config FILE``) or in a
thread (:func:`serve_in_thread`). It is what a campaign talks to instead of Twilio:

* ``POST /2010-04-01/Accounts/{sid}/Calls.json`` (Basic auth: account SID and auth token)
  accepts a call like Twilio (201, ``status: queued``) and then plays it out in the background
  with an outcome drawn at the rates the test set (:class:`Rates`), reproducibly (the n-th call
  to a number draws from ``Random(f"{seed}|{to}|{n}")``):

  - ``no-answer``, ``busy``, ``failed``: status callbacks (``initiated``, ``ringing`` when asked
    for, then the final ``CallStatus``), as Twilio posts them;
  - ``voicemail``: with ``MachineDetection`` the voice webhook is requested with
    ``AnsweredBy=machine_start`` (``Enable``) or ``machine_end_beep`` (``DetectMessageEnd``),
    its TwiML obeyed (a ``<Say>`` is "played"), then ``completed``; without detection the
    machine answers like a person who says nothing;
  - ``answer``: the voice webhook (``AnsweredBy=human`` under detection), then a scripted caller
    over the real Media Streams protocol to the ``<Stream>`` URL of the TwiML (``connected``,
    ``start`` with its parameters, 20 ms mu-law frames of silence at real-time pace until the
    agent's greeting is heard and ``caller_seconds`` more, ``stop``), then ``completed`` with
    the call's duration.

* Every webhook is signed like Twilio's (``X-Twilio-Signature`` over the public URL) and sent
  through a built-in load balancer: the public URL (``AICALL_PUBLIC_URL`` of the servers) is
  mapped to one of the upstream ``aicall serve`` processes, round robin, skipping those that
  refuse connections (a killed process); a call's media stream goes to a different upstream
  than its voice webhook whenever two are alive, as behind a real balancer.

* ``POST /_standin/reset`` forgets the calls and peaks (between runs); ``GET /_standin/calls`` (``?summary=true``: counts and the calls in flight only) reports every call (outcome, simulated time it was placed at, which
  upstream served its webhook and its stream, what the caller heard) and the peaks the tests
  check: calls in flight at once, overall and per number (a call is in flight from the API
  request until its final status is about to be posted, as in Twilio).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import random
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response
from twilio.request_validator import RequestValidator
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from telephony.twilio import protocol
from tests.scale.cluster import ACCOUNT_SID, AUTH_TOKEN

__all__ = ["CloudConfig", "Rates", "build_app", "serve_in_thread"]

OUTCOMES = ("no-answer", "busy", "failed", "voicemail", "answer")
_SILENCE = b"\xff" * 160  # 20 ms of mu-law silence
_FRAME = 0.02
#: Seconds an answering person waits to hear the agent before hanging up.
GREETING_WAIT = 15.0


@dataclass
class Rates:
    """How often each outcome happens (the rest of 1.0 answers)."""

    no_answer: float = 0.0
    busy: float = 0.0
    failed: float = 0.0
    voicemail: float = 0.0

    def draw(self, u: float) -> str:
        """The outcome for a uniform draw ``u`` in [0, 1)."""
        edge = 0.0
        rates = (self.no_answer, self.busy, self.failed, self.voicemail)
        for name, rate in zip(OUTCOMES[:4], rates, strict=True):
            edge += rate
            if u < edge:
                return name
        return "answer"


@dataclass
class CloudConfig:
    """What the stand-in does (settable at start or with ``POST /_standin/config``).

    Attributes:
        public_url: the servers' ``AICALL_PUBLIC_URL`` (what webhooks are signed over).
        upstreams: base URLs of the ``aicall serve`` processes behind the balancer.
        auth_token: the account's auth token (signs webhooks, checks the API's Basic auth).
        account_sid: the account SID.
        rates: outcome rates.
        seed: the draws' seed.
        script: outcomes by number, in order, instead of draws (the n-th call to the number
            gets the n-th; past the end: draws).
        caller_seconds: how long an answering person stays on the line once the agent's
            greeting is heard (real seconds).
        hold: a longer stay for some numbers (real seconds by number).
        ring_seconds: real seconds of ringing before the outcome.
        clock_file: the simulated clock's file (``AICALL_CLOCK=file:...``): calls are stamped
            with its instant.
    """

    public_url: str = "http://aicall.lb.test"
    upstreams: list[str] = field(default_factory=list)
    auth_token: str = AUTH_TOKEN
    account_sid: str = ACCOUNT_SID
    rates: Rates = field(default_factory=Rates)
    seed: int = 13
    script: dict[str, list[str]] = field(default_factory=dict)
    caller_seconds: float = 1.0
    hold: dict[str, float] = field(default_factory=dict)
    ring_seconds: float = 0.1
    clock_file: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CloudConfig:
        """Build from JSON-ready values."""
        values = dict(data)
        values["rates"] = Rates(**values.get("rates", {}))
        return cls(**values)


@dataclass
class CloudCall:
    """One call as the stand-in played it."""

    sid: str
    to: str
    from_: str
    url: str
    status_callback: str | None
    events: list[str]
    machine_detection: str | None
    timeout: int
    attempt: str | None
    outcome: str
    placed_at: float
    sim_placed_at: str | None
    statuses: list[str] = field(default_factory=list)
    webhook_upstream: str | None = None
    stream_upstream: str | None = None
    twiml: str | None = None
    heard_bytes: int = 0
    said: str | None = None
    stream_close: str | None = None
    ended_at: float | None = None
    errors: list[str] = field(default_factory=list)


class Cloud:
    """The stand-in's state and behaviour."""

    def __init__(self, config: CloudConfig) -> None:
        self.config = config
        self.calls: list[CloudCall] = []
        self._per_number: Counter[str] = Counter()
        self.active: Counter[str] = Counter()
        self.max_active = 0
        self.max_active_per_number = 0
        self._rr = itertools.count()
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None
        self.webhook_requests = 0

    # -- the API ---------------------------------------------------------------------------

    def accept(self, form: dict[str, list[str]]) -> CloudCall:
        """Record a call the API accepted and start playing it out."""

        def one(key: str) -> str | None:
            values = form.get(key)
            return values[0] if values else None

        to, url = one("To") or "", one("Url") or ""
        n = self._per_number[to]
        self._per_number[to] += 1
        scripted = self.config.script.get(to, [])
        if n < len(scripted):
            outcome = scripted[n]
        else:
            outcome = self.config.rates.draw(random.Random(f"{self.config.seed}|{to}|{n}").random())
        query = parse_qs(urlsplit(url).query)
        call = CloudCall(
            sid="CA" + uuid.uuid4().hex,
            to=to,
            from_=one("From") or "",
            url=url,
            status_callback=one("StatusCallback"),
            events=[e for v in form.get("StatusCallbackEvent", []) for e in v.split()],
            machine_detection=one("MachineDetection"),
            timeout=int(one("Timeout") or 60),
            attempt=next(iter(query.get("attempt", [])), None),
            outcome=outcome,
            placed_at=time.time(),
            sim_placed_at=self._sim_now(),
        )
        self.calls.append(call)
        self.active[to] += 1
        self.max_active = max(self.max_active, sum(self.active.values()))
        self.max_active_per_number = max(self.max_active_per_number, self.active[to])
        task = asyncio.get_running_loop().create_task(self._play(call))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return call

    def _sim_now(self) -> str | None:
        if not self.config.clock_file:
            return None
        try:
            return Path(self.config.clock_file).read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def report(self, summary: bool = False) -> dict[str, Any]:
        """Every call (``summary``: only the calls in flight) and the peaks, JSON-ready."""
        live = [asdict(c) for c in self.calls if c.ended_at is None]
        return {
            "count": len(self.calls),
            "live": live,
            **({} if summary else {"calls": [asdict(c) for c in self.calls]}),
            "max_active": self.max_active,
            "max_active_per_number": self.max_active_per_number,
            "in_flight": sum(self.active.values()),
            "webhook_requests": self.webhook_requests,
        }

    # -- playing a call out ----------------------------------------------------------------

    async def _play(self, call: CloudCall) -> None:
        try:
            await self._status(call, "initiated", only_if_asked=True)
            await asyncio.sleep(self.config.ring_seconds / 2)
            await self._status(call, "ringing", only_if_asked=True)
            await asyncio.sleep(self.config.ring_seconds / 2)
            if call.outcome in ("no-answer", "busy", "failed"):
                await self._end(call, call.outcome)
                return
            machine = call.outcome == "voicemail"
            extra: dict[str, str] = {}
            if call.machine_detection:
                if machine:
                    enable = call.machine_detection == "Enable"
                    extra["AnsweredBy"] = "machine_start" if enable else "machine_end_beep"
                else:
                    extra["AnsweredBy"] = "human"
            await self._status(call, "in-progress", only_if_asked=True, event="answered")
            started = time.time()
            twiml = await self._voice_webhook(call, extra)
            if twiml is not None:
                await self._obey(call, twiml, machine)
            await self._end(call, "completed", duration=max(1, round(time.time() - started)))
        except Exception as e:  # the stand-in must never die with a call half played
            call.errors.append(f"{type(e).__name__}: {e}")
            if call.ended_at is None:
                await self._end(call, "failed")

    async def _end(self, call: CloudCall, status: str, duration: int = 0) -> None:
        # The call is over for Twilio first; then it tells the application.
        call.ended_at = time.time()
        self.active[call.to] -= 1
        if self.active[call.to] <= 0:
            del self.active[call.to]
        extra = {"CallDuration": str(duration)} if status == "completed" else {}
        if status == "failed":
            extra.update({"SipResponseCode": "500", "ErrorCode": "31005"})
        await self._status(call, status, extra=extra)

    def _form(self, call: CloudCall, status: str) -> dict[str, str]:
        return {
            "AccountSid": self.config.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": call.sid,
            "CallStatus": status,
            "Direction": "outbound-api",
            "From": call.from_,
            "To": call.to,
            "Called": call.to,
            "Caller": call.from_,
        }

    async def _status(
        self,
        call: CloudCall,
        status: str,
        *,
        only_if_asked: bool = False,
        event: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        if not call.status_callback:
            return
        if only_if_asked and (event or status) not in call.events:
            return
        form = self._form(call, status)
        form.update({"CallbackSource": "call-progress-events", "Timestamp": _rfc2822()})
        form["SequenceNumber"] = str(len(call.statuses))
        form.update(extra or {})
        call.statuses.append(status)
        response, _ = await self._post(call.status_callback, form)
        if response is None or response.status_code >= 300:
            code = "no upstream" if response is None else response.status_code
            call.errors.append(f"status {status}: {code}")

    async def _voice_webhook(self, call: CloudCall, extra: dict[str, str]) -> str | None:
        form = self._form(call, "in-progress")
        form.update(extra)
        response, upstream = await self._post(call.url, form)
        call.webhook_upstream = upstream
        if response is None or response.status_code != 200:
            code = "no upstream" if response is None else response.status_code
            call.errors.append(f"voice webhook: {code}")
            return None
        call.twiml = response.text
        return response.text

    async def _obey(self, call: CloudCall, twiml: str, machine: bool) -> None:
        root = ET.fromstring(twiml)
        say = root.find("Say")
        if say is not None:
            call.said = (say.text or "").strip()
            await asyncio.sleep(0.05)
        stream = root.find("./Connect/Stream")
        if stream is None:
            return
        params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
        await self._media(call, stream.get("url", ""), params, silent=machine)

    async def _media(
        self, call: CloudCall, url: str, params: dict[str, str], *, silent: bool
    ) -> None:
        """The scripted caller: listen to the agent, keep the line open, hang up."""
        last: Exception | None = None
        for upstream in self._route(avoid=call.webhook_upstream):
            target = _rebase(url, self.config.public_url, upstream, websocket=True)
            try:
                async with connect(target, max_size=None, open_timeout=5) as ws:
                    call.stream_upstream = upstream
                    await self._converse(call, ws, params)
                return
            except (OSError, InvalidHandshake) as e:  # a dead upstream: the balancer moves on
                last = e
                continue
        call.errors.append(f"media stream: no upstream took it ({last})")

    async def _converse(self, call: CloudCall, ws: Any, params: dict[str, str]) -> None:
        stream_sid = "MZ" + uuid.uuid4().hex
        await ws.send(protocol.build_connected())
        await ws.send(protocol.build_start(stream_sid, call.sid, params, self.config.account_sid))

        heard = asyncio.Event()

        async def listen() -> None:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("event") == "media":
                    call.heard_bytes += len(base64.b64decode(message["media"]["payload"]))
                    heard.set()

        listener = asyncio.create_task(listen())
        try:
            # the person listens for the agent's greeting (at most GREETING_WAIT s), then stays
            # on the line `stay` seconds more and hangs up
            stay = self.config.hold.get(call.to, self.config.caller_seconds)
            seq, deadline = 0, time.monotonic() + GREETING_WAIT
            greeted = False
            next_frame = time.monotonic()
            while time.monotonic() < deadline and not listener.done():
                if not greeted and heard.is_set():
                    greeted, deadline = True, time.monotonic() + stay
                seq += 1
                await ws.send(
                    protocol.build_media(stream_sid, _SILENCE, seq=seq, timestamp_ms=seq * 20)
                )
                next_frame += _FRAME
                await asyncio.sleep(max(0.0, next_frame - time.monotonic()))
            if not listener.done():
                await ws.send(protocol.build_stop(stream_sid, call.sid))
                await ws.close()
        except ConnectionClosed:
            pass
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
        if ws.close_code is not None:
            call.stream_close = f"{ws.close_code} {ws.close_reason or ''}".strip()

    # -- the balancer ----------------------------------------------------------------------

    def _route(self, avoid: str | None = None) -> list[str]:
        """Upstreams in the order to try: round robin, ``avoid`` last."""
        ups = list(self.config.upstreams)
        if not ups:
            return []
        start = next(self._rr) % len(ups)
        order = ups[start:] + ups[:start]
        if avoid in order and len(order) > 1:
            order.remove(avoid)
            order.append(avoid)
        return order

    async def _post(
        self, public: str, form: dict[str, str]
    ) -> tuple[httpx.Response | None, str | None]:
        """POST a signed webhook through the balancer; retried on another upstream when one
        cannot be reached (a balancer's passive health check)."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=30.0)
        signature = RequestValidator(self.config.auth_token).compute_signature(public, form)
        headers = {"X-Twilio-Signature": signature}
        self.webhook_requests += 1
        for upstream in self._route():
            try:
                response = await self._http.post(
                    _rebase(public, self.config.public_url, upstream), data=form, headers=headers
                )
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError):
                continue  # the request may have been handled: webhooks are idempotent
            return response, upstream
        return None, None

    async def close(self) -> None:
        """Let calls in progress finish, then close the HTTP client."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=30)
        if self._http is not None:
            await self._http.aclose()


def _rebase(url: str, public: str, upstream: str, *, websocket: bool = False) -> str:
    """``url`` (under the public base URL) sent to ``upstream`` instead."""
    public = public.rstrip("/")
    if websocket:
        public = public.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        upstream = upstream.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    if not url.startswith(public):
        raise ValueError(f"{url} is not under the public URL {public}")
    return upstream.rstrip("/") + url[len(public) :]


def _rfc2822() -> str:
    return datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def build_app(config: CloudConfig) -> FastAPI:
    """The stand-in's HTTP application."""
    cloud = Cloud(config)
    app = FastAPI(title="twilio stand-in")
    app.state.cloud = cloud
    expected = base64.b64encode(f"{config.account_sid}:{config.auth_token}".encode()).decode()

    @app.post("/2010-04-01/Accounts/{account}/Calls.json")
    async def create_call(account: str, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Basic {expected}":
            return _json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if account != cloud.config.account_sid:
            return _json(404, {"code": 20404, "message": "Not found", "status": 404})
        form = parse_qs((await request.body()).decode(), keep_blank_values=True)
        for key in ("To", "From", "Url"):
            if not form.get(key):
                message = f"Required parameter {key} missing."
                return _json(400, {"code": 21201, "message": message, "status": 400})
        call = cloud.accept(form)
        return _json(
            201,
            {
                "sid": call.sid,
                "account_sid": cloud.config.account_sid,
                "to": call.to,
                "from": call.from_,
                "status": "queued",
                "direction": "outbound-api",
                "uri": f"/2010-04-01/Accounts/{account}/Calls/{call.sid}.json",
            },
        )

    @app.get("/_standin/calls")
    async def calls(summary: bool = False) -> dict[str, Any]:
        return cloud.report(summary)

    @app.post("/_standin/config")
    async def configure(request: Request) -> dict[str, str]:
        data = await request.json()
        cloud.config = CloudConfig.from_dict({**asdict(cloud.config), **data})
        return {"status": "ok"}

    @app.post("/_standin/reset")
    async def reset() -> dict[str, str]:
        if cloud.active:
            return {"status": "calls in flight: not reset"}
        cloud.calls.clear()
        cloud.max_active = cloud.max_active_per_number = 0
        return {"status": "ok"}

    @app.get("/_standin/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


@contextmanager
def serve_in_thread(config: CloudConfig) -> Iterator[str]:
    """Serve the stand-in on a free loopback port in a thread; yields its base URL."""
    app = build_app(config)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="twilio-cloud", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the Twilio stand-in did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main() -> None:
    """``python -m tests.scale.twilio_cloud --port P [--config FILE]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--config", type=Path)
    args = parser.parse_args()
    data = json.loads(args.config.read_text(encoding="utf-8")) if args.config else {}
    uvicorn.run(
        build_app(CloudConfig.from_dict(data)),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
