"""Server-rendered pages: ``render(request, "area/page.html", ctx, user=...)``.

Templates live in ``console/templates`` (``base.html`` is the layout: header with the
organisation, the language switch and the nav; every page ``{% extends "base.html" %}`` and fills
``{% block content %}``). Every template receives:

* ``t(key, **fields)``: the UI text in the page's language (``console/i18n``);
* ``lang`` ("ko"/"en"), ``user`` (:class:`console.deps.CurrentUser` or ``None``),
  ``csrf_token`` (put ``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">`` in
  every form; htmx requests send it as a header by themselves), ``request``, ``static(path)``
  (the URL of a file under ``console/static``), ``nav_active`` (the area of the page) and
  ``role_label(role)``.

Jinja2 autoescapes everything (``.html``); a fragment for htmx is just a template without
``extends``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request

from console.i18n import request_lang, t

__all__ = ["SECURITY_HEADERS", "STATIC_DIR", "TEMPLATES_DIR", "environment", "render", "static_url"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Headers of every console page: not cached, not framed by another site (clickjacking), no
#: content sniffing, no full URL sent to other sites.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@cache
def environment() -> Environment:
    """The Jinja2 environment of the console (one per process)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def static_url(path: str) -> str:
    """The URL of ``console/static/<path>``."""
    return f"/console/static/{path.lstrip('/')}"


def render(
    request: Request,
    template: str,
    ctx: dict[str, Any] | None = None,
    *,
    user: Any = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` with ``ctx`` for ``user`` (a ``CurrentUser`` or ``None``)."""
    lang = user.lang if user is not None else request_lang(request)

    def translate(key: str, **fields: Any) -> str:
        return t(key, lang, **fields)

    def role_label(role: str) -> str:
        return t(f"core.role.{role}", lang)

    context: dict[str, Any] = {
        "request": request,
        "user": user,
        "lang": lang,
        "t": translate,
        "role_label": role_label,
        "csrf_token": getattr(user, "csrf_token", None) or "",
        "static": static_url,
        "nav_active": "",
    }
    context.update(ctx or {})
    body = environment().get_template(template).render(context)
    response = HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
