"""Tenancy: every /console and /api/v1 route, given organisation "acme"'s ids, refuses "city".

The walk is over the app's routes, so a route added by any area is covered automatically: each
path parameter is filled by the factory of that name (tests/console/factories.py) for org
"acme". As "city"'s admin (the strongest role, so only tenancy can refuse) every method of
every such route must answer 404 or 403; as "acme"'s admin every GET of them must answer
(below 400), which proves the ids were real and the refusal was about the tenant.
Unsafe methods are sent with a valid CSRF token and a minimal valid body, so a refusal cannot
come from a missing token or a malformed request.

Every route (with or without parameters) also refuses anonymous requests: a redirect to the
login page for pages, 401 for the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import params
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from tests.console.factories import FACTORIES, FactoryContext

#: Routes that anyone may request (the login page itself).
PUBLIC = {
    ("GET", "/console/login"),
    ("POST", "/console/login"),
    ("GET", "/console/authoring/softphone.js"),  # a script (no data): the softphone panel's code
}
#: Routes of the core that must be in the walk (it is not vacuous even before other areas land).
CORE_ROUTES = {
    ("POST", "/console/admin/users/{user_id}"),
    ("POST", "/console/admin/tokens/{token_id}/revoke"),
    ("PATCH", "/api/v1/users/{user_id}"),
    ("DELETE", "/api/v1/tokens/{token_id}"),
    # read-only POSTs: nothing is stored (a YAML text checked, a sentence parsed)
    ("POST", "/console/scenarios/{scenario_id}/validate"),
    ("POST", "/api/v1/scenarios/{scenario_id}/validate"),
    ("POST", "/console/scenarios/{scenario_id}/try"),
    ("POST", "/api/v1/scenarios/{scenario_id}/nlu/parse"),
}
_PARAM = re.compile(r"{(\w+)(?::\w+)?}")


@dataclass(frozen=True)
class Walked:
    """One route of the app with its full path (included routers' prefixes applied)."""

    path: str
    route: APIRoute


def _api_routes(routes: list[Any], prefix: str = "") -> Iterator[Walked]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield Walked(prefix + route.path, route)
        elif hasattr(route, "original_router"):  # FastAPI keeps included routers as branches
            inner = prefix + getattr(route.include_context, "prefix", "")
            yield from _api_routes(route.original_router.routes, inner)


def console_routes(app: Any) -> list[tuple[str, Walked]]:
    """(method, route) of every console page and API route."""
    out = []
    for walked in _api_routes(app.routes):
        if not walked.path.startswith(("/console", "/api/v1")):
            continue
        for method in sorted(walked.route.methods - {"HEAD"}):
            out.append((method, walked))
    return out


def _sample(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A minimal value valid for a JSON schema (required fields only)."""
    if "$ref" in schema:
        return _sample(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "default" in schema:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _sample(options[0], defs)
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _sample(props[k], defs) for k in schema.get("required", []) if k in props}
    if kind == "array":
        return [_sample(schema.get("items", {}), defs) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return float(max(schema.get("minimum", 1), 1))
    if kind == "boolean":
        return False
    return "x" * max(int(schema.get("minLength", 1)), 1)


def _params(dependant: Any, kind: str) -> list[Any]:
    found = list(getattr(dependant, kind))
    for sub in dependant.dependencies:
        found.extend(_params(sub, kind))
    return found


def _value_for(annotation: Any) -> Any:
    """A minimal valid value of a type (via its JSON schema)."""
    try:
        schema = TypeAdapter(annotation).json_schema()
    except Exception:  # a type without a JSON schema (a Request, an UploadFile ...)
        return "x"
    return _sample(schema, schema.get("$defs", {}))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def request_body(route: APIRoute, ctx: FactoryContext | None = None) -> dict[str, Any]:
    """Keyword arguments for the client: required query parameters, a minimal form or JSON body.

    A required query parameter that has a factory of its name (tests/console/factories.py)
    gets acme's value; any other a minimal value of its type.
    """
    kwargs: dict[str, Any] = {}
    query = {
        f.alias: _text(
            ctx.value(f.alias)
            if ctx is not None and f.alias in FACTORIES
            else _value_for(f.field_info.annotation)
        )
        for f in _params(route.dependant, "query_params")
        if f.field_info.is_required()
    }
    if query:
        kwargs["params"] = query
    body_params = _params(route.dependant, "body_params")
    form: dict[str, str] = {}
    files: dict[str, Any] = {}
    json_body: Any = None
    for field in body_params:
        info = field.field_info
        annotation = info.annotation
        if isinstance(info, params.File):
            files[field.alias] = ("x.csv", b"name,phone\n", "text/csv")
        elif isinstance(info, params.Form):
            form[field.alias] = _text(_value_for(annotation))
        elif len(body_params) == 1 and not info.embed:
            json_body = _value_for(annotation)
        else:
            json_body = {**(json_body or {}), field.alias: _value_for(annotation)}
    if files:
        kwargs["files"] = files
    if form:
        kwargs["data"] = form
    elif json_body is not None:
        kwargs["json"] = json_body
    return kwargs


def _fill(path: str, ctx: FactoryContext) -> str:
    return _PARAM.sub(lambda m: str(ctx.value(m.group(1))), path)


def test_every_route_with_an_id_refuses_another_organisation(console_env, client_for) -> None:
    ctx = FactoryContext(
        env=console_env,
        org_id=console_env.tenants.orgs["acme"],
        user_id=console_env.tenants.users["acme-admin"],
    )
    routes = [(m, r) for m, r in console_routes(console_env.app) if _PARAM.search(r.path)]
    walked = {(m, r.path) for m, r in routes}
    assert CORE_ROUTES <= walked, f"routes missing from the walk: {CORE_ROUTES - walked}"
    urls = {(m, r.path): _fill(r.path, ctx) for m, r in routes}  # every factory runs first
    city = client_for("city-admin", raise_server_exceptions=False)
    acme = client_for("acme-admin", raise_server_exceptions=False)
    leaks = []
    for method, route in routes:
        url = urls[(method, route.path)]
        answer = city.request(method, url, follow_redirects=False, **request_body(route.route, ctx))
        if answer.status_code not in (403, 404):
            leaks.append(
                f"{method} {route.path} -> {url}: {answer.status_code} {answer.text[:300]}"
            )
    assert not leaks, "answered another organisation's ids:\n" + "\n".join(leaks)
    unreal = []
    for method, route in routes:
        if method != "GET":
            continue
        url = urls[(method, route.path)]
        query = request_body(route.route, ctx).get("params")
        answer = acme.get(url, params=query, follow_redirects=False)
        if answer.status_code >= 400:
            unreal.append(f"GET {url}: {answer.status_code} for its own organisation")
    assert not unreal, "the factories' ids are not acme's (the refusal proves nothing):\n" + (
        "\n".join(unreal)
    )


def test_every_route_refuses_anonymous_requests(console_env, client_for) -> None:
    ctx = FactoryContext(
        env=console_env,
        org_id=console_env.tenants.orgs["acme"],
        user_id=console_env.tenants.users["acme-admin"],
    )
    anonymous = client_for(raise_server_exceptions=False)
    routes = console_routes(console_env.app)
    assert len(routes) >= 10
    open_routes = []
    for method, route in routes:
        if (method, route.path) in PUBLIC:
            continue
        url = _fill(route.path, ctx)
        answer = anonymous.request(
            method, url, follow_redirects=False, **request_body(route.route, ctx)
        )
        if route.path.startswith("/api/"):
            ok = answer.status_code == 401
        else:
            ok = answer.status_code in (303, 401, 403) and (
                answer.status_code != 303 or answer.headers["location"].startswith("/console/login")
            )
        if not ok:
            open_routes.append(f"{method} {url}: {answer.status_code}")
    assert not open_routes, "answered without a login:\n" + "\n".join(open_routes)


#: Unsafe routes a viewer may use: their own session, language and API tokens, and POSTs that
#: only read.
VIEWER_MAY = {
    ("POST", "/console/logout"),
    ("POST", "/console/lang"),
    ("POST", "/console/login"),
    ("POST", "/console/org"),
    ("POST", "/console/admin/account/password"),
    ("POST", "/console/admin/tokens"),
    ("POST", "/console/admin/tokens/{token_id}/revoke"),
    ("POST", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/{token_id}"),
    # read-only POSTs: nothing is stored (a YAML text checked, a sentence parsed)
    ("POST", "/console/scenarios/{scenario_id}/validate"),
    ("POST", "/api/v1/scenarios/{scenario_id}/validate"),
    ("POST", "/console/scenarios/{scenario_id}/try"),
    ("POST", "/api/v1/scenarios/{scenario_id}/nlu/parse"),
}


def test_a_viewer_changes_nothing(console_env, client_for) -> None:
    """Every unsafe route but the viewer's own session and tokens answers 403 to a viewer
    of the organisation that owns the ids."""
    ctx = FactoryContext(
        env=console_env,
        org_id=console_env.tenants.orgs["acme"],
        user_id=console_env.tenants.users["acme-admin"],
    )
    viewer = client_for("acme-viewer", raise_server_exceptions=False)
    routes = [
        (m, r)
        for m, r in console_routes(console_env.app)
        if m != "GET" and (m, r.path) not in VIEWER_MAY
    ]
    assert ("POST", "/console/admin/users/{user_id}") in {(m, r.path) for m, r in routes}
    allowed = []
    for method, route in routes:
        url = _fill(route.path, ctx)
        answer = viewer.request(
            method, url, follow_redirects=False, **request_body(route.route, ctx)
        )
        if answer.status_code != 403:
            allowed.append(f"{method} {url}: {answer.status_code} {answer.text[:200]}")
    assert not allowed, "a viewer was not refused:\n" + "\n".join(allowed)
