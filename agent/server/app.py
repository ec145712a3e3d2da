"""The FastAPI application: Twilio webhooks and the media WebSocket.

::

    POST /twilio/voice    TwiML <Connect><Stream> with the scenario and a single-use token
                          (``?direction=outbound&scenario=&person=``: a call the agent placed)
    POST /twilio/status   call status callbacks; an outbound call nobody answered is stored
                          (``&attempt=``: a campaign's call, its attempt moves on instead)
    WS   /twilio/media    the call's audio (Twilio Media Streams), admitted by its token
    GET  /healthz         liveness

Every webhook checks ``X-Twilio-Signature`` against ``AICALL_PUBLIC_URL`` and answers 403,
storing nothing, when it does not match.

Bad input gets a structured answer, never an unhandled exception: a webhook without a valid
``CallSid`` (``CA`` + 32 hex) is 400, a body over 64 KB 413, more than
``AICALL_WEBHOOK_RATE_LIMIT`` requests a minute from one address 429; a media stream that
is malformed, oversized, binary, from a foreign ``Origin`` or over ``AICALL_MAX_CALLS`` is
closed with a close code (1008, 1009, 1003, 1013) and a reason, and an admitted call it
belonged to is stored as failed with that reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response, WebSocket, WebSocketDisconnect

from agent.config import Settings
from agent.journal import CallJournal, recover_interrupted
from agent.server.limits import BodySizeLimit, RateLimiter, origin_allowed, retry_after
from agent.server.ports import ServerRuntime
from agent.server.softphone import add_softphone
from agent.server.watchdog import LoopWatchdog
from agent.voice.call import run_twilio_call
from agent.voice.engines import VoiceEngines
from agent.voice.report import CallReport
from agent.voice.stream_guard import close_reason
from common.errors import AicallError, InputError, StoreUnavailableError
from common.ids import is_twilio_call_sid
from common.logs import LogThrottle, call_id_var
from telephony.twilio.outbound import (
    UNREACHED_STATUSES,
    hangup_twiml,
    is_machine,
    message_twiml,
)
from telephony.twilio.protocol import (
    CLOSE_POLICY,
    MediaStreamError,
    StartMessage,
    parse_message,
    parse_start,
)
from telephony.twilio.signature import is_valid_signature
from telephony.twilio.tokens import StreamGrant, StreamTokenIssuer
from telephony.twilio.twiml import busy_twiml, stream_twiml

__all__ = ["ServerState", "create_app"]

log = logging.getLogger(__name__)

_START_TIMEOUT = 10.0
#: Messages a stream may send before ``start`` (Twilio sends one: ``connected``).
_MAX_BEFORE_START = 4
#: Close code of a stream refused because the server is full (RFC 6455: try again later).
CLOSE_TRY_LATER = 1013
#: Close code of a call that could not run (internal error).
CLOSE_INTERNAL = 1011

#: Refused connections belong to no call: at most one line per kind per 10 s.
_refusals = LogThrottle(log, 10.0)


@dataclass
class ServerState:
    """What the server keeps in memory (per process).

    Attributes:
        statuses: the latest Twilio status of each call SID.
        reports: voice records of finished calls (most recent last, bounded).
        active: calls in progress, by call SID.
        watchdog: the event-loop watchdog, while the server runs.
        issuer: the stream-token issuer (the console's softphone issues its tokens with it).
    """

    statuses: dict[str, str] = field(default_factory=dict)
    reports: list[CallReport] = field(default_factory=list)
    active: dict[str, asyncio.Task[Any]] = field(default_factory=dict)
    watchdog: LoopWatchdog | None = None
    issuer: StreamTokenIssuer | None = None


def _public_url(settings: Settings, request: Request) -> str:
    """The URL Twilio signed: the public base URL + path + query string."""
    if not settings.public_url:
        return str(request.url)
    base = settings.public_url.rstrip("/")
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{base}{request.url.path}{query}"


def _stream_url(settings: Settings, request: Request) -> str:
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base[len("https://") :]
    elif base.startswith("http://"):
        base = "ws://" + base[len("http://") :]
    return f"{base}/twilio/media"


def create_app(
    settings: Settings,
    runtime: ServerRuntime,
    *,
    engines: VoiceEngines | None = None,
    tokens: StreamTokenIssuer | None = None,
    warm_scenarios: list[str] | None = None,
) -> FastAPI:
    """Build the server.

    Args:
        settings: process settings (public URL, Twilio credentials, number mapping).
        runtime: the dialogue runtime (``agent.runtime.AgentRuntime``).
        engines: speech engines (built from ``settings`` and warmed up at start-up if absent).
        tokens: the stream-token issuer (a fresh one by default).
        warm_scenarios: scenarios whose NLU is trained at start-up (default:
            ``settings.warm_scenarios``, and when that is unset all), so the first caller does
            not wait for it.
    """
    if warm_scenarios is None:
        warm_scenarios = settings.warm_scenarios
    issuer = tokens or StreamTokenIssuer(ttl=settings.stream_token_ttl)
    state = ServerState(issuer=issuer)
    limiter = RateLimiter(settings.webhook_rate_limit)
    voice: dict[str, VoiceEngines] = {}
    if engines is not None:
        voice["engines"] = engines

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.loop_watchdog_seconds > 0:
            state.watchdog = LoopWatchdog(
                asyncio.get_running_loop(), threshold=settings.loop_watchdog_seconds
            )
            state.watchdog.start()
        try:
            async with _serving():
                yield
        finally:
            if state.watchdog is not None:
                state.watchdog.stop()

    @asynccontextmanager
    async def _serving() -> AsyncIterator[None]:
        if "engines" not in voice:
            voice["engines"] = await asyncio.to_thread(VoiceEngines.from_settings, settings)
        await asyncio.to_thread(voice["engines"].warm_up)
        # load or train the scenarios' NLU now, not during a first call's greeting
        await asyncio.to_thread(runtime.prepare_nlu, warm_scenarios)
        # calls this server was running when it died last: stored failed, their people flagged
        journal = CallJournal(Path(settings.data_dir) / "active")
        await asyncio.to_thread(recover_interrupted, journal, runtime)
        yield
        for task in list(state.active.values()):
            task.cancel()
        if state.active:
            await asyncio.wait(list(state.active.values()), timeout=5.0)

    app = FastAPI(title="aicall", lifespan=lifespan)
    app.state.aicall = state
    app.add_middleware(BodySizeLimit)

    def _too_many(request: Request) -> Response | None:
        """429 when the request's source address is over ``AICALL_WEBHOOK_RATE_LIMIT``."""
        source = request.client.host if request.client else "unknown"
        wait = limiter.allow(source)
        if not wait:
            return None
        _refusals.warning("rate", "rate limit: refused %s from %s", request.url.path, source)
        return Response(
            "too many requests", status_code=429, headers={"Retry-After": retry_after(wait)}
        )

    async def _verified_form(request: Request) -> dict[str, str] | None:
        form = await request.form()
        params = {k: str(v) for k, v in form.items()}
        signature = request.headers.get("X-Twilio-Signature")
        url = _public_url(settings, request)
        if not is_valid_signature(settings.twilio_auth_token, url, params, signature):
            log.warning("rejected a webhook with a bad signature: %s", request.url.path)
            return None
        return params

    if settings.softphone:
        add_softphone(app, settings, runtime, issuer, too_many=_too_many)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/twilio/voice")
    async def twilio_voice(request: Request) -> Response:
        refused = _too_many(request)
        if refused is not None:
            return refused
        params = await _verified_form(request)
        if params is None:
            return Response("invalid signature", status_code=403)
        if not is_twilio_call_sid(params.get("CallSid")):
            log.warning("voice webhook without a valid CallSid: no stream token issued")
            return Response("CallSid missing or not a Twilio call SID", status_code=400)
        callee = params.get("To")
        scenario_id = (
            request.query_params.get("scenario")
            or settings.number_scenarios.get(callee or "")
            or settings.default_scenario
        )
        try:
            runtime.scenario(scenario_id)
        except AicallError as e:
            log.error("no scenario for call to %s: %s", callee, e)
            return Response(str(e), status_code=404)
        outbound = request.query_params.get("direction") == "outbound"
        person = request.query_params.get("person") if outbound else None
        attempt = request.query_params.get("attempt") if outbound else None
        if attempt:  # a campaign's call: its policy decides about answering machines
            try:
                action = await asyncio.to_thread(
                    runtime.campaign_answer, attempt, params["CallSid"], params.get("AnsweredBy")
                )
            except AicallError as e:
                log.error("campaign attempt %s: answer not recorded: %s", attempt, e)
                return Response("could not record the answer", status_code=503)
            if action.kind == "hangup":
                return Response(hangup_twiml(), media_type="application/xml")
            if action.kind == "message":
                twiml = message_twiml(action.text, action.language)
                return Response(twiml, media_type="application/xml")
        elif outbound and is_machine(params.get("AnsweredBy")):
            # Answering-machine detection: leave no message, keep the call for a retry.
            await _store_unreached(
                runtime, params, scenario_id, person, "voicemail", "answered by a machine"
            )
            return Response(hangup_twiml(), media_type="application/xml")
        if len(state.active) >= settings.max_calls:
            log.warning(
                "busy: %d calls in progress (AICALL_MAX_CALLS=%d), call %s answered busy",
                len(state.active),
                settings.max_calls,
                params["CallSid"],
            )
            language = getattr(runtime.scenario(scenario_id), "language", "en")
            return Response(busy_twiml(language), media_type="application/xml")
        grant = StreamGrant(
            call_sid=params["CallSid"],
            scenario=scenario_id,
            caller=params.get("From"),
            callee=callee,
            direction="outbound" if outbound else None,
            person=person,
        )
        twiml = stream_twiml(
            _stream_url(settings, request),
            {"token": issuer.issue(grant), "scenario": scenario_id},
        )
        return Response(twiml, media_type="application/xml")

    @app.post("/twilio/status")
    async def twilio_status(request: Request) -> Response:
        refused = _too_many(request)
        if refused is not None:
            return refused
        params = await _verified_form(request)
        if params is None:
            return Response("invalid signature", status_code=403)
        call_sid, status = params.get("CallSid"), params.get("CallStatus")
        if not is_twilio_call_sid(call_sid):
            log.warning("status callback without a valid CallSid: ignored")
            return Response("CallSid missing or not a Twilio call SID", status_code=400)
        if call_sid and status:
            state.statuses[call_sid] = status
        query = request.query_params
        attempt = query.get("attempt") if query.get("direction") == "outbound" else None
        if call_sid and status and attempt:  # a campaign's call: its attempt moves on
            try:
                await asyncio.to_thread(
                    runtime.campaign_status,
                    attempt,
                    call_sid,
                    status,
                    answered_by=params.get("AnsweredBy"),
                    detail=_twilio_reason(params),
                )
            except AicallError as e:
                log.error("campaign attempt %s (%s): not recorded: %s", attempt, status, e)
                return Response("could not record the status", status_code=503)
            return Response(status_code=204)
        if call_sid and query.get("direction") == "outbound" and query.get("scenario"):
            stored, reason = UNREACHED_STATUSES.get(status or ""), _twilio_reason(params)
            if status == "completed":  # stored only if no media stream ever started the call
                stored, reason = "failed", "answered, but the agent never ran the call"
            if stored is not None:
                ok = await _store_unreached(
                    runtime, params, query["scenario"], query.get("person"), stored, reason
                )
                if not ok:
                    return Response("could not store the call", status_code=503)
        return Response(status_code=204)

    @app.websocket("/twilio/media")
    async def twilio_media(websocket: WebSocket) -> None:
        await websocket.accept()
        origin = websocket.headers.get("origin")
        if not origin_allowed(origin, websocket.headers.get("host"), settings.public_url):
            await _refuse(websocket, "origin", CLOSE_POLICY, f"origin {origin!r:.60} not allowed")
            return
        try:
            start_text = await asyncio.wait_for(_read_start(websocket), _START_TIMEOUT)
            start = parse_start(start_text)
            # off the loop: a shared ledger (database, Redis) is a network round trip
            grant = await asyncio.to_thread(issuer.redeem, start.parameters.get("token"))
            if grant.call_sid != start.call_sid:
                raise InputError("stream token was issued for another call")
        except TimeoutError:
            await _refuse(websocket, "timeout", CLOSE_POLICY, "no 'start' message in time")
            return
        except WebSocketDisconnect as e:
            _refusals.warning("gone", "a media stream closed before 'start' (code %s)", e.code)
            return
        except MediaStreamError as e:
            await _refuse(websocket, e.kind, e.code, str(e))
            return
        except InputError as e:
            await _refuse(websocket, "token", CLOSE_POLICY, str(e) or "stream token refused")
            return
        except StoreUnavailableError as e:  # the shared token ledger is down: try again later
            await _refuse(websocket, "ledger", CLOSE_TRY_LATER, f"stream token not checked: {e}")
            return
        if len(state.active) >= settings.max_calls or start.call_sid in state.active:
            why = (
                "call already streaming"
                if start.call_sid in state.active
                else f"server busy: {len(state.active)} calls in progress"
            )
            await _refuse(websocket, "busy", CLOSE_TRY_LATER, why)
            return
        task = asyncio.current_task()
        if task is not None:
            state.active[start.call_sid] = task
        call_id_var.set(start.call_sid)
        try:
            report = await run_twilio_call(
                websocket,
                start,
                grant,
                runtime=runtime,
                engines=voice["engines"],
                settings=settings,
            )
            state.reports.append(report)
            del state.reports[:-100]
        except AicallError as e:  # e.g. a missing model package: this call cannot start
            log.error("call %s could not run: %s", start.call_sid, e)
            await _close(websocket, CLOSE_INTERNAL, "the call could not start")
        except Exception:  # a bug: this call ends, the server goes on (and says where)
            log.exception("call %s: internal error", start.call_sid)
            await _close(websocket, CLOSE_INTERNAL, "internal error")
        finally:
            state.active.pop(start.call_sid, None)

    return app


def _twilio_reason(params: dict[str, str]) -> str | None:
    """What Twilio said about a failed call (SIP response code, error message), if anything."""
    parts = [
        f"{name} {params[key]}"
        for key, name in (("SipResponseCode", "SIP"), ("ErrorCode", "error"))
        if params.get(key)
    ]
    if params.get("ErrorMessage"):
        parts.append(params["ErrorMessage"])
    return ", ".join(parts) or None


async def _store_unreached(
    runtime: ServerRuntime,
    params: dict[str, str],
    scenario_id: str,
    person: str | None,
    status: str,
    reason: str | None,
) -> bool:
    """Store an outbound call that never reached its person; ``False`` if the store failed."""
    try:
        await asyncio.to_thread(
            runtime.record_unreached,
            call_id=params.get("CallSid", ""),
            scenario_id=scenario_id,
            caller=params.get("From"),
            callee=params.get("To"),
            person=person,
            status=status,
            reason=reason,
        )
    except AicallError as e:
        log.error("outbound call %s (%s): not stored: %s", params.get("CallSid"), status, e)
        return False
    return True


async def _read_start(websocket: WebSocket) -> str:
    """Read messages until ``start`` (``connected`` may come first).

    Raises:
        MediaStreamError: a binary frame, a malformed message, or too many before ``start``.
        WebSocketDisconnect: the peer went away.
    """
    for _ in range(_MAX_BEFORE_START):
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code") or 1005)
        text = message.get("text")
        data: str | bytes = text if text is not None else (message.get("bytes") or b"")
        if isinstance(parse_message(data), StartMessage):
            assert isinstance(data, str)
            return data
    raise MediaStreamError(f"no 'start' in the first {_MAX_BEFORE_START} messages", kind="order")


async def _refuse(websocket: WebSocket, kind: str, code: int, reason: str) -> None:
    """Close a stream that was not admitted, with ``code`` and ``reason`` (logs throttled)."""
    reason = reason or "refused"
    _refusals.warning(kind, "rejected a media stream (%s, close code %d): %s", kind, code, reason)
    await _close(websocket, code, reason)


async def _close(websocket: WebSocket, code: int, reason: str | None = None) -> None:
    try:
        await websocket.close(code=code, reason=close_reason(reason) if reason else None)
    except RuntimeError:  # already closed by the peer
        pass
