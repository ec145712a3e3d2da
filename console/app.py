"""``mount_console``: the operator console on the agent's FastAPI app (``aicall serve``).

::

    app = create_app(settings, runtime)
    mount_console(app, settings=settings, runtime=runtime)

Pages under ``/console`` (server-rendered, htmx + Alpine.js + Chart.js from
``/console/static/vendor``), the JSON API under ``/api/v1`` (in the OpenAPI document at
``/docs``). Each area's router is one entry of :data:`ROUTERS` (one import + one list entry per
area module, added by the helper who owns it).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.config import Settings
from agent.runtime import AgentRuntime
from console.bootstrap import bootstrap_console
from console.deps import ConsoleState, CsrfError, LoginRequired, optional_user
from console.render import STATIC_DIR, render
from console.routes import admin, auth, authoring, calls, campaigns, results
from console.routes import scenarios as scenario_routes

__all__ = ["ROUTERS", "mount_console"]

log = logging.getLogger(__name__)

#: Every router of the console, in the order they are included.
ROUTERS: list[APIRouter] = [
    auth.router,
    admin.router,
    scenario_routes.router,
    calls.router,
    results.router,
    campaigns.router,
    authoring.router,
]


def _wants_html(request: Request) -> bool:
    return request.url.path.startswith("/console") and not request.url.path.startswith(
        "/console/static"
    )


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = f"/console/login?next={quote(exc.next_url, safe='')}"
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _csrf_failed(request: Request, exc: Exception) -> Response:  # Starlette: in its thread pool
    if not _wants_html(request) or request.headers.get("hx-request"):
        return JSONResponse({"detail": "CSRF token missing or wrong"}, status_code=403)
    return render(
        request,
        "error.html",
        {"status": 403, "message_key": "core.csrf_failed"},
        user=None,
        status_code=403,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not _wants_html(request) or request.headers.get("hx-request") or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    try:
        user = await optional_user(request)
    except CsrfError:
        user = None
    key = {404: "core.not_found", 403: "core.forbidden"}.get(exc.status_code)
    return await run_in_threadpool(  # templates are files: off the loop that carries calls
        render,
        request,
        "error.html",
        {"status": exc.status_code, "message_key": key, "detail": exc.detail},
        user=user,
        status_code=exc.status_code,
        headers=exc.headers,
    )


def mount_console(app: FastAPI, *, settings: Settings, runtime: AgentRuntime) -> None:
    """Serve the console on ``app``: tables, first admin, static files, every router.

    Args:
        app: the agent's server (``agent.server.app.create_app``) or any FastAPI app.
        settings: the process settings (data directory, the first admin's password).
        runtime: the runtime (its database and scenarios).
    """
    result = bootstrap_console(
        runtime.db,
        settings.data_dir,
        runtime.scenarios,
        admin_password=settings.console_admin_password,
    )
    if result.created_admin:
        shown = (
            "the password of AICALL_CONSOLE_ADMIN_PASSWORD"
            if settings.console_admin_password
            else f"password {result.password}"
        )
        print(
            f"aicall: console first admin created: user 'admin', {shown} "
            f"(also in {result.admin_file}; change it after logging in)",
            flush=True,
        )
    app.state.console = ConsoleState(settings=settings, runtime=runtime, db=runtime.db)
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfError, _csrf_failed)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for router in ROUTERS:
        app.include_router(router)
