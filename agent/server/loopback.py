"""Run the server on a loopback port inside the current event loop (simulator, tests, bench)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from agent.config import Settings
from agent.server.app import create_app
from agent.server.ports import ServerRuntime
from agent.voice.engines import VoiceEngines
from agent.voice.simulator import CallerSimulator, CallerStep, SimulatedCall, caller_voice
from agent.voice.tts import Synthesizer
from telephony.twilio.protocol import MAX_MESSAGE_BYTES

__all__ = ["serve_on_loopback"]


@contextlib.asynccontextmanager
async def serve_on_loopback(app: Any, *, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yields its base URL.

    The server task is stopped (and awaited, with a timeout) when the block exits.
    """
    import uvicorn

    config = uvicorn.Config(
        app,
        host=host,
        port=0,
        log_level="warning",
        lifespan="on",
        ws="websockets-sansio",
        ws_max_size=MAX_MESSAGE_BYTES,  # as `aicall serve`: bigger messages refused unread
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(), name="loopback-server")
    try:
        while not server.started:
            if task.done():
                task.result()  # raises the start-up error
                raise RuntimeError("the server stopped during start-up")
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, 10.0)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def simulate_call(
    settings: Settings,
    runtime: ServerRuntime,
    engines: VoiceEngines,
    scenario: str,
    steps: list[CallerStep],
    *,
    transcribe: bool = True,
    quiet_after: float = 1.0,
    before_step: Callable[[int], Awaitable[None]] | None = None,
    voice: Synthesizer | None = None,
) -> SimulatedCall:
    """Serve the agent on loopback and place one simulated Twilio call against it.

    Args:
        settings: process settings; a random Twilio auth token is used when none is set (the
            simulator signs its webhook with it, as Twilio would).
        runtime: the dialogue runtime.
        engines: the speech engines (shared by the agent and the simulated caller).
        scenario: the scenario to call.
        steps: the caller's script (:class:`agent.voice.simulator.CallerStep`).
        transcribe: transcribe the agent's replies after the call.
        quiet_after: seconds of quiet after which the caller takes a reply as finished (a
            patient caller, longer than the dead air to be measured, for fault runs).
        before_step: awaited before each step of the script, once the agent's previous reply
            is done (:meth:`agent.voice.simulator.CallerSimulator.call`).
        voice: the caller's voice (default: :func:`agent.voice.simulator.caller_voice` on
            ``engines``; a fault run passes the real one, its agent's may be made to fail).

    Returns:
        The :class:`agent.voice.simulator.SimulatedCall`, with the server's voice record.
    """
    token = settings.twilio_auth_token or secrets.token_hex(16)
    settings = settings.model_copy(update={"twilio_auth_token": token, "public_url": None})
    app = create_app(settings, runtime, engines=engines, warm_scenarios=[scenario])
    language = runtime.scenario(scenario).language
    async with serve_on_loopback(app) as base_url:
        simulator = CallerSimulator(
            base_url,
            auth_token=token,
            synthesizer=voice or caller_voice(language, engines.synthesizer(language)),
            recognizer=engines.recognizer(language) if transcribe else None,
            language=language,
            quiet_after=quiet_after,
        )
        result = await simulator.call(scenario, steps, before_step=before_step)
        state = app.state.aicall
        for _ in range(100):  # the server finishes the call's record just after the stream
            if any(r.call_id == result.call_sid for r in state.reports):
                break
            await asyncio.sleep(0.05)
        for report in state.reports:
            if report.call_id == result.call_sid:
                result.report = report.to_dict()
    return result
