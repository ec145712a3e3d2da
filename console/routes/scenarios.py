"""Scenarios: list, create from a kind, edit in forms with the loader live, diff, save, history.

Pages (``/console/scenarios...``) and the JSON API (``/api/v1/scenarios...``) call the same
functions of :mod:`console.scenario_store`. The editor is one form: every field is named by its
path in the file (``f:persona.name``) and carries the draft's YAML (``draft``) it applies to;
htmx posts it to ``validate`` as the operator types (the loader's problem comes back at its
field), to ``draft`` to add or remove an entry, to ``review`` for the diff, then ``save``.

Other areas add tabs to the scenario page through :data:`SCENARIO_TABS`: a tab ``S`` that is not
this module's loads ``GET /console/scenarios/{scenario_id}/S/panel`` (an HTML fragment) with
htmx when the tab is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from common.errors import InputError
from console.deps import CurrentUser, DbSession, Operator, PostedForm, Viewer, console_state
from console.render import render
from console.scenario_check import Check, check_text
from console.scenario_store import (
    KINDS,
    ConflictError,
    ScenarioVersion,
    Stored,
    create_scenario,
    get_version,
    list_scenarios,
    list_versions,
    read_scenario,
    restore_version,
    save_scenario,
    use_in_runtime,
)
from console.scenario_yaml import (
    FIELD_PREFIX,
    add_entry,
    add_field,
    apply_fields,
    diff_lines,
    dump_doc,
    editor_tree,
    field_for_error,
    load_doc,
    remove_entry,
)

__all__ = ["SCENARIO_TABS", "router"]

router = APIRouter()

#: The scenario page's tabs: (slug, i18n key). C2's own: edit, yaml, history; other areas
#: append theirs and serve ``GET /console/scenarios/{scenario_id}/{slug}/panel``.
SCENARIO_TABS: list[tuple[str, str]] = [
    ("edit", "scenarios.tab.edit"),
    ("yaml", "scenarios.tab.yaml"),
    ("history", "scenarios.tab.history"),
    ("augment", "authoring.tab.augment"),
    ("train", "authoring.tab.train"),
    ("recommend", "authoring.tab.recommend"),
    ("goals", "authoring.tab.goals"),
    ("softphone", "authoring.tab.softphone"),
]
_OWN_TABS = ("edit", "yaml", "history")


def _data_dir(request: Request) -> Path:
    return Path(console_state(request).settings.data_dir)


def _read(session: Session, user: CurrentUser, request: Request, scenario_id: str) -> Stored:
    try:
        return read_scenario(session, user, _data_dir(request), scenario_id)
    except LookupError:
        raise HTTPException(404, f"scenario {scenario_id!r} not found") from None


def _version(
    session: Session, user: CurrentUser, scenario_id: str, version_id: int
) -> ScenarioVersion:
    try:
        return get_version(session, user, scenario_id, version_id)
    except LookupError:
        raise HTTPException(404, f"version {version_id} of {scenario_id!r} not found") from None


def _slot_marks(doc: Any) -> list[str]:
    """The marks the examples box offers: each slot, and ``slot:value`` for category values."""
    marks: list[str] = []
    for name, spec in (doc.get("slots") or {}).items():
        marks.append(str(name))
        if isinstance(spec, dict) and spec.get("type") == "category":
            marks.extend(f"{name}:{value}" for value in spec.get("values") or {})
    return marks


def _editor_ctx(text: str, check: Check | None = None) -> dict[str, Any]:
    doc = load_doc(text)
    tree = editor_tree(doc)
    problems: dict[str, list[Any]] = {}
    if check is not None:
        for p in check.problems:
            node = field_for_error(tree, p.field)
            problems.setdefault(node.dom_id if node else "", []).append(p)
    return {
        "tree": tree,
        "draft": text,
        "marks": _slot_marks(doc),
        "field_problems": problems,
    }


def _form_text(form: Any) -> tuple[str, str | None]:
    """The draft's text from an editor form: ``yaml`` as typed, or ``draft`` + its fields."""
    if "yaml" in form:
        return str(form["yaml"]).replace("\r\n", "\n"), None
    draft = str(form.get("draft", ""))
    doc = load_doc(draft)
    fields = {
        key[len(FIELD_PREFIX) :]: str(value)
        for key, value in form.multi_items()
        if key.startswith(FIELD_PREFIX)
    }
    apply_fields(doc, fields)
    return dump_doc(doc), draft


def _checked_draft(
    request: Request, session: Session, user: CurrentUser, scenario_id: str, form: Any
) -> tuple[Stored, str, Check]:
    """The saved scenario, the editor form's draft text and the loader's verdict on that text.

    Raises:
        InputError: the draft is not YAML, or not a mapping at the top.
    """
    stored = _read(session, user, request, scenario_id)
    text, _ = _form_text(form)
    return stored, text, check_text(text, stored.path.name)


def _input_error(
    request: Request, user: CurrentUser, e: InputError, status_code: int = 200
) -> HTMLResponse:
    """The check box saying why the draft could not be read (or saved)."""
    return render(
        request,
        "scenarios/_check.html",
        {"input_error": str(e)},
        user=user,
        status_code=status_code,
    )


# --- pages ------------------------------------------------------------------------------------


@router.get("/console/scenarios", response_class=HTMLResponse, include_in_schema=False)
def scenarios_page(request: Request, user: Viewer, session: DbSession) -> HTMLResponse:
    """The organisation's scenarios and the form to create one."""
    rows = list_scenarios(session, user, _data_dir(request))
    return render(
        request,
        "scenarios/list.html",
        {"rows": rows, "kinds": KINDS, "nav_active": "scenarios", "form": {}, "error": None},
        user=user,
    )


@router.post("/console/scenarios", include_in_schema=False)
def create_page(request: Request, user: Operator, session: DbSession, form: PostedForm) -> Response:
    """Create a scenario from a kind; on a problem, the list again with it next to the form."""
    values = {k: str(form.get(k, "")).strip() for k in ("scenario_id", "kind", "language")}
    try:
        create_scenario(
            session,
            user,
            _data_dir(request),
            kind=values["kind"],
            scenario_id=values["scenario_id"],
            language=values["language"],
            taken=set(console_state(request).runtime.scenarios),
        )
    except InputError as e:
        rows = list_scenarios(session, user, _data_dir(request))
        return render(
            request,
            "scenarios/list.html",
            {
                "rows": rows,
                "kinds": KINDS,
                "nav_active": "scenarios",
                "form": values,
                "error": str(e),
            },
            user=user,
            status_code=422,
        )
    _load_into_runtime(request, session, user, values["scenario_id"])
    return RedirectResponse(f"/console/scenarios/{values['scenario_id']}", status_code=303)


def _load_into_runtime(
    request: Request, session: Session, user: CurrentUser, scenario_id: str
) -> None:
    stored = read_scenario(session, user, _data_dir(request), scenario_id)
    use_in_runtime(console_state(request).runtime, check_text(stored.text, stored.path.name))


@router.get(
    "/console/scenarios/{scenario_id}", response_class=HTMLResponse, include_in_schema=False
)
def scenario_page(
    request: Request, scenario_id: str, user: Viewer, session: DbSession, tab: str = "edit"
) -> HTMLResponse:
    """A scenario's page: the editor, its YAML, its history, and other areas' tabs."""
    stored = _read(session, user, request, scenario_id)
    slugs = [slug for slug, _ in SCENARIO_TABS]
    if tab not in slugs:
        tab = "edit"
    ctx: dict[str, Any] = {
        "sid": scenario_id,
        "stored": stored,
        "tabs": SCENARIO_TABS,
        "tab": tab,
        "own_tab": tab in _OWN_TABS,
        "nav_active": "scenarios",
        "can_edit": user.can("operator"),
        "saved": request.query_params.get("saved"),
    }
    if tab == "edit":
        check = check_text(stored.text, stored.path.name)
        ctx.update(_editor_ctx(stored.text, check))
        ctx["check"] = check
    elif tab == "history":
        ctx["versions"] = list_versions(session, user, _data_dir(request), scenario_id)
    return render(request, "scenarios/page.html", ctx, user=user)


@router.post(
    "/console/scenarios/{scenario_id}/validate",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def validate_fragment(
    request: Request, scenario_id: str, user: Viewer, session: DbSession, form: PostedForm
) -> HTMLResponse:
    """The loader's verdict on the draft (htmx): a summary, and each problem at its field."""
    try:
        _, text, check = _checked_draft(request, session, user, scenario_id, form)
    except InputError as e:
        return _input_error(request, user, e)
    problems = _editor_ctx(text, check)["field_problems"] if "yaml" not in form else {}
    return render(
        request,
        "scenarios/_check.html",
        {"check": check, "field_problems": problems, "input_error": None},
        user=user,
    )


@router.post(
    "/console/scenarios/{scenario_id}/draft",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def draft_fragment(
    request: Request, scenario_id: str, user: Operator, session: DbSession, form: PostedForm
) -> HTMLResponse:
    """Add or remove an entry of the draft (htmx): the editor again, on the new draft."""
    stored = _read(session, user, request, scenario_id)
    error = None
    focus = ""
    text = str(form.get("draft", stored.text))
    try:
        text, _ = _form_text(form)  # the fields' edits are kept whatever the operation does
        doc = load_doc(text)
        op = str(form.get("op", ""))
        if op == "add":
            at = str(form.get("at", ""))
            focus = add_entry(doc, at, str(form.get(f"new:{at}", "")))
        elif op == "field":
            at = str(form.get("at", ""))
            focus = add_field(doc, at, str(form.get(f"newfield:{at}", "")))
        elif op == "remove":
            remove_entry(doc, str(form.get("path", "")))
        else:
            raise InputError(f"unknown operation {op!r}")
        text = dump_doc(doc)
    except InputError as e:
        error = str(e)
    check = check_text(text, stored.path.name)
    ctx = {
        "sid": scenario_id,
        "stored": stored,
        "can_edit": True,
        "check": check,
        "op_error": error,
        "focus": focus,
    }
    ctx.update(_editor_ctx(text, check))
    return render(request, "scenarios/_editor.html", ctx, user=user)


@router.post(
    "/console/scenarios/{scenario_id}/review",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def review_fragment(
    request: Request, scenario_id: str, user: Operator, session: DbSession, form: PostedForm
) -> HTMLResponse:
    """The diff of the draft against the saved file, and the form that saves it (htmx)."""
    try:
        stored, text, check = _checked_draft(request, session, user, scenario_id, form)
    except InputError as e:
        return _input_error(request, user, e)
    lines = diff_lines(
        stored.text, text, f"{scenario_id}.yaml (v{stored.version})", f"{scenario_id}.yaml"
    )
    return render(
        request,
        "scenarios/_review.html",
        {
            "sid": scenario_id,
            "stored": stored,
            "diff": lines,
            "new_text": text,
            "check": check,
            "base_sha": str(form.get("base_sha", stored.sha)),
        },
        user=user,
    )


@router.post("/console/scenarios/{scenario_id}/save", include_in_schema=False)
def save_page(
    request: Request, scenario_id: str, user: Operator, session: DbSession, form: PostedForm
) -> Response:
    """Save the reviewed text as a new version; the page again (``HX-Redirect`` for htmx)."""
    try:
        version, check = save_scenario(
            session,
            user,
            _data_dir(request),
            scenario_id,
            str(form.get("yaml", "")),
            message=str(form.get("message", "")),
            base_sha=str(form.get("base_sha", "")) or None,
        )
    except LookupError:
        raise HTTPException(404, f"scenario {scenario_id!r} not found") from None
    except InputError as e:
        status = 409 if isinstance(e, ConflictError) else 422
        return _input_error(request, user, e, status)
    use_in_runtime(console_state(request).runtime, check)
    target = f"/console/scenarios/{scenario_id}?tab=history&saved={version.number}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.get(
    "/console/scenarios/{scenario_id}/versions/{version_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def version_page(
    request: Request, scenario_id: str, version_id: int, user: Viewer, session: DbSession
) -> HTMLResponse:
    """One version: its text and what it changed against the version before it."""
    version = _version(session, user, scenario_id, version_id)
    versions = list_versions(session, user, _data_dir(request), scenario_id)
    before = next((v for v in versions if v.number < version.number), None)
    lines = diff_lines(
        before.text if before else "",
        version.text,
        f"v{before.number}" if before else "-",
        f"v{version.number}",
    )
    stored = _read(session, user, request, scenario_id)
    return render(
        request,
        "scenarios/version.html",
        {
            "sid": scenario_id,
            "version": version,
            "before": before,
            "diff": lines,
            "current": stored.sha == version.sha,
            "can_edit": user.can("operator"),
            "nav_active": "scenarios",
        },
        user=user,
    )


@router.post(
    "/console/scenarios/{scenario_id}/versions/{version_id}/restore", include_in_schema=False
)
def restore_page(
    request: Request, scenario_id: str, version_id: int, user: Operator, session: DbSession
) -> Response:
    """Restore a version (saved as a new version); back to the history."""
    try:
        version, check = restore_version(session, user, _data_dir(request), scenario_id, version_id)
    except LookupError:
        raise HTTPException(404, f"version {version_id} of {scenario_id!r} not found") from None
    except InputError as e:
        raise HTTPException(422, str(e)) from None
    use_in_runtime(console_state(request).runtime, check)
    return RedirectResponse(
        f"/console/scenarios/{scenario_id}?tab=history&saved={version.number}", status_code=303
    )


# --- JSON API ---------------------------------------------------------------------------------


class NewScenario(BaseModel):
    """A scenario to create from a starting kind."""

    id: str = Field(description="The new id: lower case, digits, '-', '_'; unique.")
    kind: str = Field(default="booking", description="booking, carecall or survey.")
    language: str = Field(default="ko", description="ko or en.")


class ScenarioText(BaseModel):
    """A scenario's YAML to save."""

    yaml: str = Field(description="The whole file.")
    message: str = Field(default="", description="Why (shown in the history).")
    base_sha: str | None = Field(
        default=None, description="sha of the text you edited (GET's sha): 409 if it changed."
    )


class Draft(BaseModel):
    """A scenario's YAML to check."""

    yaml: str


def _version_json(v: ScenarioVersion, *, text: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": v.id,
        "number": v.number,
        "at": v.created_at.isoformat(),
        "by": v.username,
        "message": v.message,
        "sha": v.sha,
        "restored_from": v.restored_from,
    }
    if text:
        out["yaml"] = v.text
    return out


def _check_json(check: Check) -> dict[str, Any]:
    return {"ok": check.ok, "problems": [p.as_dict() for p in check.problems]}


@router.get("/api/v1/scenarios", tags=["scenarios"])
def api_list(request: Request, user: Viewer, session: DbSession) -> list[dict[str, Any]]:
    """The organisation's scenarios (and shipped ones nobody owns, read-only)."""
    return [r.as_dict() for r in list_scenarios(session, user, _data_dir(request))]


@router.post("/api/v1/scenarios", tags=["scenarios"], status_code=201)
def api_create(
    request: Request, body: NewScenario, user: Operator, session: DbSession
) -> dict[str, Any]:
    """Create a scenario from a starting kind (422 with the reason: a taken or bad id ...)."""
    try:
        version = create_scenario(
            session,
            user,
            _data_dir(request),
            kind=body.kind,
            scenario_id=body.id,
            language=body.language,
            taken=set(console_state(request).runtime.scenarios),
        )
    except InputError as e:
        raise HTTPException(422, str(e)) from None
    _load_into_runtime(request, session, user, body.id)
    return {"id": body.id, "version": _version_json(version)}


@router.get("/api/v1/scenarios/{scenario_id}", tags=["scenarios"])
def api_get(request: Request, scenario_id: str, user: Viewer, session: DbSession) -> dict[str, Any]:
    """A scenario's YAML, its sha (send it back as ``base_sha``) and latest version."""
    stored = _read(session, user, request, scenario_id)
    return {
        "id": scenario_id,
        "yaml": stored.text,
        "sha": stored.sha,
        "version": stored.version,
        "read_only": stored.read_only,
    }


@router.put("/api/v1/scenarios/{scenario_id}", tags=["scenarios"])
def api_put(
    request: Request,
    scenario_id: str,
    body: ScenarioText,
    user: Operator,
    session: DbSession,
) -> dict[str, Any]:
    """Save a new YAML (422: it does not load, with the loader's problem; 409: changed since)."""
    try:
        version, check = save_scenario(
            session,
            user,
            _data_dir(request),
            scenario_id,
            body.yaml,
            message=body.message,
            base_sha=body.base_sha,
        )
    except LookupError:
        raise HTTPException(404, f"scenario {scenario_id!r} not found") from None
    except ConflictError as e:
        raise HTTPException(409, str(e)) from None
    except InputError as e:
        raise HTTPException(422, str(e)) from None
    use_in_runtime(console_state(request).runtime, check)
    return {"version": _version_json(version), **_check_json(check)}


@router.post("/api/v1/scenarios/{scenario_id}/validate", tags=["scenarios"])
def api_validate(
    request: Request,
    scenario_id: str,
    user: Viewer,
    session: DbSession,
    body: Annotated[Draft, Body()],
) -> dict[str, Any]:
    """Run the scenario loader on a draft: ``ok`` and the problems (line, field path, message)."""
    stored = _read(session, user, request, scenario_id)
    return _check_json(check_text(body.yaml, stored.path.name))


@router.get("/api/v1/scenarios/{scenario_id}/versions", tags=["scenarios"])
def api_versions(
    request: Request, scenario_id: str, user: Viewer, session: DbSession
) -> list[dict[str, Any]]:
    """The scenario's versions, newest first."""
    try:
        versions = list_versions(session, user, _data_dir(request), scenario_id)
    except LookupError:
        raise HTTPException(404, f"scenario {scenario_id!r} not found") from None
    return [_version_json(v) for v in versions]


@router.get("/api/v1/scenarios/{scenario_id}/versions/{version_id}", tags=["scenarios"])
def api_version(
    scenario_id: str, version_id: int, user: Viewer, session: DbSession
) -> dict[str, Any]:
    """One version with its YAML."""
    return _version_json(_version(session, user, scenario_id, version_id), text=True)


@router.post("/api/v1/scenarios/{scenario_id}/versions/{version_id}/restore", tags=["scenarios"])
def api_restore(
    request: Request, scenario_id: str, version_id: int, user: Operator, session: DbSession
) -> dict[str, Any]:
    """Save an earlier version's YAML again, as a new version."""
    try:
        version, check = restore_version(session, user, _data_dir(request), scenario_id, version_id)
    except LookupError:
        raise HTTPException(404, f"version {version_id} of {scenario_id!r} not found") from None
    except InputError as e:
        raise HTTPException(422, str(e)) from None
    use_in_runtime(console_state(request).runtime, check)
    return {"version": _version_json(version), **_check_json(check)}
