"""``aicall serve``: the phone agent's HTTP server (Twilio webhooks and media streams)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from agent.campaigns.queue import build_queue
from agent.config import Settings
from agent.retention import PurgeJob
from agent.store.tokens import shared_stream_tokens
from cli.common import make_runtime
from common.errors import NotConfiguredError
from common.logs import configure_logging

__all__ = ["register"]


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    database: Annotated[
        str | None, typer.Option(help="Database URL (default: AICALL_DATABASE_URL or SQLite).")
    ] = None,
    softphone: Annotated[
        bool, typer.Option(help="Serve the browser softphone at /softphone (no Twilio needed).")
    ] = False,
    verbose: Annotated[bool, typer.Option(help="Pipeline debug logs.")] = False,
    worker: Annotated[
        int,
        typer.Option(
            "--worker",
            min=0,
            help="Also run N campaign dispatcher threads in this process (one machine; "
            "at scale run `aicall worker` processes instead).",
        ),
    ] = 0,
) -> None:
    """Serve Twilio's webhooks and media streams.

    Point a Twilio number's voice webhook at ``$AICALL_PUBLIC_URL/twilio/voice`` (add
    ``?scenario=ID`` to pick a scenario per number) and its status callback at
    ``/twilio/status``. Needs ``TWILIO_AUTH_TOKEN`` (webhook signatures are always checked).
    """
    from agent.server.app import create_app  # noqa: PLC0415 - the voice extra
    from agent.server.limits import is_loopback  # noqa: PLC0415 - the voice extra
    from agent.voice.logs import quiet_pipecat  # noqa: PLC0415 - the voice extra
    from console.app import mount_console  # noqa: PLC0415 - the voice extra (jinja2, argon2)
    from telephony.twilio.protocol import MAX_MESSAGE_BYTES  # noqa: PLC0415 - the voice extra

    env = Settings()
    if (softphone or env.softphone) and not is_loopback(host) and not env.softphone_token:
        raise NotConfiguredError(
            f"--softphone on {host} (not a loopback address) lets anyone who reaches it place "
            "calls: set AICALL_SOFTPHONE_TOKEN (the softphone's login) or use --host 127.0.0.1"
        )
    runtime = make_runtime(database)
    settings = runtime.settings
    configure_logging("DEBUG" if verbose else "INFO", settings.log_format)
    quiet_pipecat("DEBUG" if verbose else "WARNING")
    if softphone:
        settings.softphone = True
    if not settings.twilio_auth_token and not settings.softphone:
        raise NotConfiguredError(
            "TWILIO_AUTH_TOKEN is not set: every webhook would be refused (403)"
        )
    if not settings.public_url and not settings.softphone:
        raise NotConfiguredError(
            "AICALL_PUBLIC_URL is not set: the base URL Twilio reaches (https://...)"
        )
    # Any process behind the balancer verifies a token another issued, and accepts it once.
    tokens = shared_stream_tokens(settings, runtime.db, settings.queue_url)
    app = create_app(settings, runtime, tokens=tokens)
    mount_console(app, settings=settings, runtime=runtime)  # /console, /api/v1 (docs/console.md)
    reach = (
        f"Twilio webhooks at {settings.public_url}"
        if settings.public_url
        else "no AICALL_PUBLIC_URL: Twilio webhooks off"
    )
    print(f"aicall: serving on http://{host}:{port} ({reach})")
    if settings.softphone:
        print(f"aicall: softphone at http://{host}:{port}/softphone", flush=True)
    print(f"aicall: console at http://{host}:{port}/console (API docs at /docs)", flush=True)
    consumer: Any = None
    if worker:
        # the dispatchers of `aicall worker`, as threads of this process (no signal loop of
        # their own: uvicorn handles SIGINT/SIGTERM, then they stop gracefully)
        consumer = build_queue(settings).consumer(workers=worker)
        consumer.start()
        print(f"aicall: {worker} campaign dispatcher thread(s) in this process", flush=True)
    purge = PurgeJob(runtime.db, runtime.scenarios, settings.data_dir)  # retention, daily
    purge.start()
    try:
        _run(app, host, port, verbose, MAX_MESSAGE_BYTES)
    finally:
        purge.stop()
        if consumer is not None:
            consumer.stop(graceful=True)


def _run(app: Any, host: str, port: int, verbose: bool, max_message: int) -> None:
    import uvicorn

    # log_config=None: uvicorn's lines go through configure_logging's handler;
    # ws_max_size: a WebSocket message over the protocol's limit is refused (1009) unread
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="debug" if verbose else "info",
        log_config=None,
        ws="websockets-sansio",
        ws_max_size=max_message,
    )


def register(app: typer.Typer) -> None:
    """Add ``aicall serve`` to the CLI."""
    app.command("serve")(serve)
