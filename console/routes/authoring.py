"""The authoring tabs of a scenario: pages (htmx partials) and the JSON API.

Augment and review, train and test, recommendations, goal dialogues, the softphone.

Pages: ``/console/scenarios/{scenario_id}/{augment|train|recommend|goals|softphone}/panel``
(each a tab of the scenario page) and the htmx actions under the same prefix. API:
``/api/v1/scenarios/{scenario_id}/...`` (candidates, generation, training, the report, parsing,
recommendations, goal runs, runs, the softphone's stream token). Both call the services of
:mod:`console.authoring_service` — the functions the CLI's commands call.

Slow work (generation, training, goal runs, LLM recommendations) runs as a background job
(:mod:`console.jobs`); other blocking work runs in FastAPI's thread pool (the routes are plain
``def``), never on the event loop that carries live calls.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from agent.config import Settings
from agent.server.softphone import SOFTPHONE_JS
from authoring.candidates import Candidate
from authoring.goals import plan_goal
from authoring.model import DEFAULT_NOW
from common.errors import AicallError, InputError
from console import authoring_service as svc
from console.deps import CurrentUser, DbSession, Operator, Viewer, audit, console_state
from console.jobs import Job, JobRegistry, load_run
from console.render import render
from console.scenario_store import set_template, use_in_runtime
from console.tenancy import not_found, owned_scenario
from nlu.config import DEFAULT_ENGINE
from scenarios.schema import Scenario
from telephony.twilio.tokens import StreamGrant

__all__ = ["router"]

router = APIRouter()

PAGE = "/console/scenarios/{scenario_id}"
API = "/api/v1/scenarios/{scenario_id}"
ENGINES = ("classical", "joint")
_registry_lock = threading.Lock()


# ----------------------------------------------------------------------------- plumbing


def _jobs(request: Request) -> JobRegistry:
    state = console_state(request)
    with _registry_lock:
        jobs = state.extra.get("authoring_jobs")
        if jobs is None:
            jobs = state.extra["authoring_jobs"] = JobRegistry(state.settings.data_dir)
    assert isinstance(jobs, JobRegistry)
    return jobs


def _settings(request: Request) -> Settings:
    return console_state(request).settings


def _data_dir(request: Request) -> Path:
    return Path(_settings(request).data_dir)


def _scenario(request: Request, session: Any, user: CurrentUser, scenario_id: str) -> Scenario:
    """The organisation's scenario (404 for another organisation's or an unknown id)."""
    owned_scenario(session, user, scenario_id)
    try:
        return console_state(request).runtime.scenario(scenario_id)
    except AicallError:
        not_found(f"scenario {scenario_id!r} not found")


def _llm(request: Request) -> Any:
    s = _settings(request)
    return svc.make_llm((s.llm, s.llm_model_path, s.llm_url, s.llm_model, s.llm_api_key))


def _bad(e: InputError, *, html: bool) -> Response:
    if html:
        return HTMLResponse(
            f'<p class="error" role="alert">{_escape(str(e))}</p>',
            status_code=400,
            headers={"HX-Retarget": "#authoring-error", "HX-Reswap": "innerHTML"},
        )
    return JSONResponse({"detail": str(e)}, status_code=400)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _job_json(job: Job) -> dict[str, Any]:
    return {**job.as_dict(), "url": f"/api/v1/scenarios/{job.scenario_id}/runs/{job.run_id}"}


def _run_or_404(
    request: Request, user: CurrentUser, scenario_id: str, run_id: str
) -> dict[str, Any]:
    job = _jobs(request).get(user.org_id, run_id)
    if job is not None and job.scenario_id == scenario_id:
        return job.as_dict()
    run = load_run(_data_dir(request), scenario_id, run_id)
    if run is None:
        not_found(f"run {run_id!r} not found")
    return run


def _start_generate(
    request: Request, user: CurrentUser, sc: Scenario, intent: str, method: str, n: int, seed: int
) -> Job:
    data = _data_dir(request)
    # checks that need no LLM fail now, with the reason, not in the job
    if method not in svc.METHODS:
        raise InputError(f"method {method!r}: one of {', '.join(svc.METHODS)}")
    if intent not in sc.intents:
        raise InputError(f"unknown intent {intent!r}; the scenario has: {', '.join(sc.intents)}")

    def work(progress: Any) -> dict[str, Any]:
        llm = _llm(request) if method != "deterministic" else None
        return svc.generate_candidates(
            data, sc, intent, method=method, n=n, seed=seed, llm=llm, progress=progress
        )

    return _jobs(request).submit(user.org_id, sc.id, "augment", work)


def _start_train(request: Request, user: CurrentUser, sc: Scenario, engine: str) -> Job:
    if engine not in ENGINES:
        raise InputError(f"engine {engine!r}: one of {', '.join(ENGINES)}")
    data = _data_dir(request)
    return _jobs(request).submit(
        user.org_id, sc.id, "train", lambda p: svc.train_nlu(data, sc, engine=engine, progress=p)
    )


def _start_goals(
    request: Request, user: CurrentUser, sc: Scenario, goal: str, n: int, use_llm: bool
) -> Job:
    data = _data_dir(request)
    if not goal.strip():
        raise InputError("describe the goal: what the caller wants")
    plan_goal(sc, goal, today=DEFAULT_NOW.date())  # a goal it cannot read: the reason at once

    def work(progress: Any) -> dict[str, Any]:
        llm = _llm(request) if use_llm else None
        return svc.run_goals(data, sc, goal, n=n, llm=llm, progress=progress)

    return _jobs(request).submit(user.org_id, sc.id, "goals", work)


def _start_rerun(request: Request, user: CurrentUser, sc: Scenario) -> Job:
    data = _data_dir(request)
    if not svc.regression_count(data, sc.id):
        raise InputError("no failed dialogue is kept for this scenario")
    return _jobs(request).submit(
        user.org_id, sc.id, "goals", lambda p: svc.rerun_regressions(data, sc, progress=p)
    )


def _start_recommend(request: Request, user: CurrentUser, sc: Scenario, task: str) -> Job:
    if task not in sc.tasks:
        raise InputError(f"no task {task!r}; the scenario has: {', '.join(sc.tasks)}")
    data = _data_dir(request)
    return _jobs(request).submit(
        user.org_id,
        sc.id,
        "recommend",
        lambda p: svc.recommendations(data, sc, task, llm=_llm(request), progress=p),
    )


def _write_template(
    request: Request, session: Any, user: CurrentUser, sc: Scenario, key: str, text: str
) -> str:
    """Write ``templates[key] = text`` through the scenario store; the new version's number.

    The YAML is edited in place (comments and order kept), saved as a new version (history,
    audit) and served to the next call, as the scenario editor saves.

    Raises:
        InputError: empty text, a bad key, the file changed meanwhile, or it no longer loads.
    """
    text = text.strip()
    if not text:
        raise InputError("the reply is empty")
    if not key or len(key) > 80 or not key.replace("_", "").isalnum():
        raise InputError(f"{key!r} is not a template name")
    data = _data_dir(request)
    try:
        version, check = set_template(
            session, user, data, sc.id, key, text, message=f"template {key}: a recommended reply"
        )
    except LookupError:
        not_found(f"scenario {sc.id!r} not found")
    use_in_runtime(console_state(request).runtime, check)
    for cand in svc.list_candidates(data, sc.id, kind="response", intent=key):
        if cand.text == text and cand.state != "accepted":
            svc.decide(data, sc.id, [cand.id], "accepted")
    return str(version.number)


# ----------------------------------------------------------------------------- contexts


def _augment_ctx(
    request: Request,
    sc: Scenario,
    intent: str | None,
    state: str | None,
    generator: str | None,
) -> dict[str, Any]:
    data = _data_dir(request)
    intent = intent if intent in sc.intents else None
    rows = svc.list_candidates(data, sc.id, state=state or None, intent=intent, generator=generator)
    every = svc.list_candidates(data, sc.id)
    counts = {s: sum(1 for c in every if c.state == s) for s in ("pending", "accepted", "rejected")}
    return {
        "sc": sc,
        "scenario_id": sc.id,
        "intent": intent or next(iter(sc.intents), ""),
        "filter_intent": intent or "",
        "filter_state": state or "",
        "filter_generator": generator or "",
        "intents": sc.intents,
        "methods": svc.METHODS,
        "rows": [svc.candidate_view(c) for c in rows],
        "generators": sorted({c.generator for c in every}),
        "counts": counts,
    }


def _train_ctx(request: Request, sc: Scenario) -> dict[str, Any]:
    runs = svc.training_runs(_data_dir(request), sc.id)
    latest = runs[0] if runs else None
    previous = runs[1] if len(runs) > 1 else None
    compare = []
    if latest and previous:
        a, b = previous["result"]["report"], latest["result"]["report"]
        intents = sorted(
            set(a["intent_accuracy_per_intent"]) | set(b["intent_accuracy_per_intent"])
        )
        compare = [
            {
                "intent": i,
                "before": a["intent_accuracy_per_intent"].get(i),
                "after": b["intent_accuracy_per_intent"].get(i),
            }
            for i in intents
        ]
    return {
        "sc": sc,
        "scenario_id": sc.id,
        "latest": latest,
        "previous": previous,
        "compare": compare,
        "engines": ENGINES,
        "engine": DEFAULT_ENGINE,
    }


def _goals_ctx(request: Request, sc: Scenario) -> dict[str, Any]:
    data = _data_dir(request)
    runs = svc.goal_runs(data, sc.id)
    return {
        "sc": sc,
        "scenario_id": sc.id,
        "latest": runs[0] if runs else None,
        "regressions": svc.regression_count(data, sc.id),
    }


def _recommend_ctx(request: Request, sc: Scenario, task: str | None) -> dict[str, Any]:
    task = task if task in sc.tasks else next(iter(sc.tasks), None)
    points = None
    if task is not None:
        points = svc.recommendations(_data_dir(request), sc, task)["points"]
    return {
        "sc": sc,
        "scenario_id": sc.id,
        "task": task,
        "tasks": list(sc.tasks),
        "points": points,
        "can_write": True,
    }


def _panel(
    request: Request, user: CurrentUser, tab: str, template: str, ctx: dict[str, Any]
) -> HTMLResponse:
    """A tab's panel: the partial inside the scenario page (htmx), else a page of its own."""
    if request.headers.get("hx-request"):
        return render(request, template, ctx, user=user)
    return render(
        request,
        "authoring/page.html",
        {**ctx, "panel": template, "tab": tab, "nav_active": "scenarios"},
        user=user,
    )


def _job_page(
    request: Request, user: CurrentUser, sc: Scenario, job: dict[str, Any]
) -> HTMLResponse:
    """The job's progress (polling while it runs) or, once ended, its outcome."""
    ctx: dict[str, Any] = {"sc": sc, "scenario_id": sc.id, "job": job}
    headers = {}
    if job["state"] == "done" and not job.get("result"):
        job = {**job, "kind": "none"}  # a run without an outcome to show
        ctx["job"] = job
    elif job["state"] == "done":
        kind = job["kind"]
        if kind == "train":
            ctx.update(_train_ctx(request, sc))
        elif kind == "goals":
            ctx.update(_goals_ctx(request, sc))
            ctx["latest"] = job
        elif kind == "recommend":
            ctx.update(_recommend_ctx(request, sc, job["result"]["task"]))
            ctx["points"] = job["result"]["points"]
        headers["HX-Trigger"] = f"{kind}-done"
    return render(request, "authoring/_job.html", ctx, user=user, headers=headers)


# ----------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class ReviewFilters:
    """The review table's filters (query parameters); ``None``: every one."""

    intent: str | None = None
    state: str | None = None
    generator: str | None = None


Filters = Annotated[ReviewFilters, Depends()]


def _augment(
    request: Request,
    session: Any,
    user: CurrentUser,
    scenario_id: str,
    filters: ReviewFilters,
    template: str,
    *,
    tab: bool,
) -> Response:
    """The augment tab's ``template`` for the scenario and filters (``tab``: as the tab's panel)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        ctx = _augment_ctx(request, sc, filters.intent, filters.state, filters.generator)
    except InputError as e:
        return _bad(e, html=True)
    if tab:
        return _panel(request, user, "augment", template, ctx)
    return render(request, template, ctx, user=user)


@router.get(PAGE + "/augment/panel", response_class=HTMLResponse, include_in_schema=False)
def augment_panel(
    request: Request, scenario_id: str, user: Viewer, session: DbSession, filters: Filters
) -> Response:
    """The augment and review tab."""
    return _augment(
        request, session, user, scenario_id, filters, "authoring/augment.html", tab=True
    )


@router.get(PAGE + "/augment/table", response_class=HTMLResponse, include_in_schema=False)
def augment_table(
    request: Request, scenario_id: str, user: Viewer, session: DbSession, filters: Filters
) -> Response:
    """The review table alone (filters, after a change)."""
    return _augment(
        request, session, user, scenario_id, filters, "authoring/_review.html", tab=False
    )


@router.post(
    PAGE + "/intents/{intent}/generate", response_class=HTMLResponse, include_in_schema=False
)
def generate_page(
    request: Request,
    scenario_id: str,
    intent: str,
    user: Operator,
    session: DbSession,
    method: Annotated[str, Form()] = "deterministic",
    n: Annotated[int, Form(ge=1, le=200)] = 20,
) -> Response:
    """Start generating candidates for an intent: the progress, polled."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        job = _start_generate(request, user, sc, intent, method, n, 0)
    except InputError as e:
        return _bad(e, html=True)
    audit(session, user, "authoring.generate", sc.id, {"intent": intent, "method": method})
    return _job_page(request, user, sc, job.as_dict())


@router.get(PAGE + "/runs/{run_id}/status", response_class=HTMLResponse, include_in_schema=False)
def run_status_page(
    request: Request, scenario_id: str, run_id: str, user: Viewer, session: DbSession
) -> Response:
    """A job's progress bar, or its outcome once it has ended."""
    sc = _scenario(request, session, user, scenario_id)
    return _job_page(request, user, sc, _run_or_404(request, user, sc.id, run_id))


def _review_response(request: Request, user: CurrentUser, sc: Scenario) -> Response:
    q = request.query_params
    form_state = q.get("state") or None
    ctx = _augment_ctx(request, sc, q.get("intent"), form_state, q.get("generator"))
    return render(request, "authoring/_review.html", ctx, user=user)


@router.post(PAGE + "/candidates/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(
    request: Request,
    scenario_id: str,
    user: Operator,
    session: DbSession,
    state: Annotated[str, Form()],
    candidate_id: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Accept or reject the selected candidates; the table again."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        done = svc.decide(_data_dir(request), sc.id, candidate_id or [], state)
    except InputError as e:
        return _bad(e, html=True)
    audit(session, user, f"authoring.review.{state}", sc.id, {"n": len(done)})
    return _review_response(request, user, sc)


@router.post(
    PAGE + "/candidates/{candidate_id}", response_class=HTMLResponse, include_in_schema=False
)
def candidate_page(
    request: Request,
    scenario_id: str,
    candidate_id: str,
    user: Operator,
    session: DbSession,
    action: Annotated[Literal["accept", "reject", "pending", "edit"], Form()],
    text: Annotated[str, Form()] = "",
) -> Response:
    """Accept, reject or edit one candidate: its row again (the table after an edit)."""
    sc = _scenario(request, session, user, scenario_id)
    data = _data_dir(request)
    _known_candidate(data, sc.id, candidate_id)
    try:
        if action == "edit":
            svc.edit_candidate(data, sc, candidate_id, text)
            audit(session, user, "authoring.review.edit", sc.id, {"candidate": candidate_id})
            return _review_response(request, user, sc)
        state = {"accept": "accepted", "reject": "rejected", "pending": "pending"}[action]
        (cand,) = svc.decide(data, sc.id, [candidate_id], state)
    except InputError as e:
        return _bad(e, html=True)
    audit(session, user, f"authoring.review.{state}", sc.id, {"candidate": candidate_id})
    counts = svc.open_store(data, sc.id).counts()
    return render(
        request,
        "authoring/_row_update.html",
        {"scenario_id": sc.id, "c": svc.candidate_view(cand), "counts": counts},
        user=user,
    )


def _known_candidate(data: Path, scenario_id: str, candidate_id: str) -> Candidate:
    cand = svc.open_store(data, scenario_id).get(candidate_id)
    if cand is None or cand.id != candidate_id:
        not_found(f"candidate {candidate_id!r} not found")
    return cand


@router.get(PAGE + "/train/panel", response_class=HTMLResponse, include_in_schema=False)
def train_panel(request: Request, scenario_id: str, user: Viewer, session: DbSession) -> Response:
    """The train and test tab: the report of the last training, the try box."""
    sc = _scenario(request, session, user, scenario_id)
    ctx = _train_ctx(request, sc)
    job = _jobs(request).latest(user.org_id, sc.id, "train")
    ctx["running"] = job.as_dict() if job is not None and not job.ended else None
    return _panel(request, user, "train", "authoring/train.html", ctx)


@router.post(PAGE + "/train", response_class=HTMLResponse, include_in_schema=False)
def train_page(
    request: Request,
    scenario_id: str,
    user: Operator,
    session: DbSession,
    engine: Annotated[str, Form()] = DEFAULT_ENGINE,
) -> Response:
    """Start training: the progress bar, polled; then the report."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        job = _start_train(request, user, sc, engine)
    except InputError as e:
        return _bad(e, html=True)
    audit(session, user, "authoring.train", sc.id, {"engine": engine})
    return _job_page(request, user, sc, job.as_dict())


@router.post(PAGE + "/try", response_class=HTMLResponse, include_in_schema=False)
def try_page(
    request: Request,
    scenario_id: str,
    user: Viewer,
    session: DbSession,
    text: Annotated[str, Form()] = "",
) -> Response:
    """Intent, confidence and slots of one sentence."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        today = console_state(request).runtime.local_now(sc).date()  # "saturday": the next one
        result = svc.parse_sentence(_data_dir(request), sc, text, today=today)
    except InputError as e:
        return _bad(e, html=True)
    return render(request, "authoring/_try.html", {"r": result}, user=user)


@router.get(PAGE + "/recommend/panel", response_class=HTMLResponse, include_in_schema=False)
def recommend_panel(
    request: Request,
    scenario_id: str,
    user: Viewer,
    session: DbSession,
    task: str | None = None,
) -> Response:
    """The recommendations tab: each point of a task, its proposals and branches."""
    sc = _scenario(request, session, user, scenario_id)
    ctx = _recommend_ctx(request, sc, task)
    return _panel(request, user, "recommend", "authoring/recommend.html", ctx)


@router.post(PAGE + "/recommend", response_class=HTMLResponse, include_in_schema=False)
def recommend_llm_page(
    request: Request,
    scenario_id: str,
    user: Operator,
    session: DbSession,
    task: Annotated[str, Form()],
) -> Response:
    """Ask the LLM for rewordings of a task's points (a job)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        job = _start_recommend(request, user, sc, task)
    except InputError as e:
        return _bad(e, html=True)
    return _job_page(request, user, sc, job.as_dict())


@router.post(PAGE + "/recommend/accept", response_class=HTMLResponse, include_in_schema=False)
def recommend_accept_page(
    request: Request,
    scenario_id: str,
    user: Operator,
    session: DbSession,
    template: Annotated[str, Form()],
    text: Annotated[str, Form()],
) -> Response:
    """Use a proposal as the scenario's template (a new scenario version)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        version = _write_template(request, session, user, sc, template, text)
    except InputError as e:
        return _bad(e, html=True)
    return render(
        request,
        "authoring/_saved.html",
        {"key": template, "version": version},
        user=user,
    )


@router.get(PAGE + "/goals/panel", response_class=HTMLResponse, include_in_schema=False)
def goals_panel(request: Request, scenario_id: str, user: Viewer, session: DbSession) -> Response:
    """The goal dialogues tab: the last run's PASS/FAIL table."""
    sc = _scenario(request, session, user, scenario_id)
    return _panel(request, user, "goals", "authoring/goals.html", _goals_ctx(request, sc))


@router.post(PAGE + "/goals", response_class=HTMLResponse, include_in_schema=False)
def goals_page(
    request: Request,
    scenario_id: str,
    user: Operator,
    session: DbSession,
    goal: Annotated[str, Form()] = "",
    n: Annotated[int, Form(ge=1, le=10)] = 3,
    llm: Annotated[bool, Form()] = False,
) -> Response:
    """Write and run the dialogues of a goal (a job)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        job = _start_goals(request, user, sc, goal, n, llm)
    except InputError as e:
        return _bad(e, html=True)
    audit(session, user, "authoring.goals", sc.id, {"n": n})
    return _job_page(request, user, sc, job.as_dict())


@router.post(PAGE + "/goals/rerun", response_class=HTMLResponse, include_in_schema=False)
def goals_rerun_page(
    request: Request, scenario_id: str, user: Operator, session: DbSession
) -> Response:
    """Run the kept failing dialogues again (a job)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        job = _start_rerun(request, user, sc)
    except InputError as e:
        return _bad(e, html=True)
    return _job_page(request, user, sc, job.as_dict())


@router.get(PAGE + "/softphone/panel", response_class=HTMLResponse, include_in_schema=False)
def softphone_panel(
    request: Request, scenario_id: str, user: Viewer, session: DbSession
) -> Response:
    """The softphone for this scenario: microphone, keypad, live transcript, latency."""
    sc = _scenario(request, session, user, scenario_id)
    ctx = {"sc": sc, "scenario_id": sc.id, "keys": "123456789*0#"}
    return _panel(request, user, "softphone", "authoring/softphone.html", ctx)


@router.get("/console/authoring/softphone.js", include_in_schema=False)
async def softphone_js() -> Response:
    """The browser softphone's own script (agent/server/softphone.py), wrapped for a panel."""
    return Response(
        "(() => {\n" + SOFTPHONE_JS + "\n})();\n",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )


# ----------------------------------------------------------------------------- API


class GenerateBody(BaseModel):
    """What to generate for an intent."""

    method: Literal["deterministic", "llm_few_shot", "llm_zero_shot"] = "deterministic"
    n: int = Field(default=20, ge=1, le=200)
    seed: int = 0


class ReviewBody(BaseModel):
    """A decision on several candidates."""

    candidate_ids: list[str] = Field(min_length=1, max_length=1000)
    state: Literal["accepted", "rejected", "pending"]


class CandidatePatch(BaseModel):
    """A decision on one candidate, or its new text (then it is accepted)."""

    state: Literal["accepted", "rejected", "pending"] | None = None
    text: str | None = Field(default=None, max_length=500)


class TrainBody(BaseModel):
    """Which engine to train."""

    engine: Literal["classical", "joint"] = DEFAULT_ENGINE  # type: ignore[assignment]


class ParseBody(BaseModel):
    """A sentence to understand."""

    text: str = Field(min_length=1, max_length=500)


class GoalBody(BaseModel):
    """A goal script to write and run as simulated calls."""

    goal: str = Field(min_length=1, max_length=1000)
    n: int = Field(default=3, ge=1, le=10)
    llm: bool = False


class TemplateBody(BaseModel):
    """A reply to use as a template of the scenario."""

    template: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=1000)


@router.get(API + "/candidates", tags=["authoring"])
def api_candidates(
    request: Request,
    scenario_id: str,
    user: Viewer,
    session: DbSession,
    state: Annotated[str | None, Query()] = None,
    intent: Annotated[str | None, Query()] = None,
    generator: Annotated[str | None, Query()] = None,
    kind: Annotated[Literal["utterance", "response"], Query()] = "utterance",
) -> Response:
    """The scenario's candidates with provenance and state (the store ``aicall scenario review`` reads)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        rows = svc.list_candidates(
            _data_dir(request), sc.id, state=state, intent=intent, generator=generator, kind=kind
        )
    except InputError as e:
        return _bad(e, html=False)
    return JSONResponse({"candidates": [svc.candidate_view(c) for c in rows]})


@router.post(API + "/intents/{intent}/generate", status_code=202, tags=["authoring"])
def api_generate(
    request: Request,
    scenario_id: str,
    intent: str,
    user: Operator,
    session: DbSession,
    body: Annotated[GenerateBody, Body()] = GenerateBody(),  # noqa: B008 - a default body
) -> Response:
    """Start generating candidates for an intent; poll the run."""
    sc = _scenario(request, session, user, scenario_id)
    if intent not in sc.intents:
        not_found(f"intent {intent!r} not found")
    try:
        job = _start_generate(request, user, sc, intent, body.method, body.n, body.seed)
    except InputError as e:
        return _bad(e, html=False)
    audit(session, user, "authoring.generate", sc.id, {"intent": intent, "method": body.method})
    return JSONResponse(_job_json(job), status_code=202)


@router.post(API + "/candidates/review", tags=["authoring"])
def api_review(
    request: Request, scenario_id: str, user: Operator, session: DbSession, body: ReviewBody
) -> Response:
    """Accept or reject several candidates at once."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        done = svc.decide(_data_dir(request), sc.id, body.candidate_ids, body.state)
    except InputError as e:
        return _bad(e, html=False)
    audit(session, user, f"authoring.review.{body.state}", sc.id, {"n": len(done)})
    return JSONResponse({"candidates": [svc.candidate_view(c) for c in done]})


@router.get(API + "/candidates/{candidate_id}", tags=["authoring"])
def api_candidate(
    request: Request, scenario_id: str, candidate_id: str, user: Viewer, session: DbSession
) -> Response:
    """One candidate."""
    sc = _scenario(request, session, user, scenario_id)
    return JSONResponse(
        svc.candidate_view(_known_candidate(_data_dir(request), sc.id, candidate_id))
    )


@router.patch(API + "/candidates/{candidate_id}", tags=["authoring"])
def api_patch_candidate(
    request: Request,
    scenario_id: str,
    candidate_id: str,
    user: Operator,
    session: DbSession,
    body: CandidatePatch,
) -> Response:
    """Accept, reject or edit one candidate (an edit is accepted; the old text is rejected)."""
    sc = _scenario(request, session, user, scenario_id)
    data = _data_dir(request)
    _known_candidate(data, sc.id, candidate_id)
    try:
        if body.text is not None:
            cand = svc.edit_candidate(data, sc, candidate_id, body.text)
        elif body.state is not None:
            (cand,) = svc.decide(data, sc.id, [candidate_id], body.state)
        else:
            raise InputError("give state or text")
    except InputError as e:
        return _bad(e, html=False)
    audit(session, user, "authoring.review.patch", sc.id, {"candidate": candidate_id})
    return JSONResponse(svc.candidate_view(cand))


@router.get(API + "/runs/{run_id}", tags=["authoring"])
def api_run(
    request: Request, scenario_id: str, run_id: str, user: Viewer, session: DbSession
) -> Response:
    """A background run (augment, train, goals, recommend): progress, then its result."""
    sc = _scenario(request, session, user, scenario_id)
    return JSONResponse(_run_or_404(request, user, sc.id, run_id))


@router.post(API + "/nlu/train", status_code=202, tags=["authoring"])
def api_train(
    request: Request,
    scenario_id: str,
    user: Operator,
    session: DbSession,
    body: Annotated[TrainBody, Body()] = TrainBody(),  # noqa: B008 - a default body
) -> Response:
    """Train the scenario's live model on its examples and accepted candidates (a run)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        job = _start_train(request, user, sc, body.engine)
    except InputError as e:
        return _bad(e, html=False)
    audit(session, user, "authoring.train", sc.id, {"engine": body.engine})
    return JSONResponse(_job_json(job), status_code=202)


@router.get(API + "/nlu/report", tags=["authoring"])
def api_report(request: Request, scenario_id: str, user: Viewer, session: DbSession) -> Response:
    """The last two trainings' reports (per intent, confusion matrix, slot F1)."""
    sc = _scenario(request, session, user, scenario_id)
    ctx = _train_ctx(request, sc)
    return JSONResponse(
        {
            "latest": ctx["latest"],
            "previous": ctx["previous"],
            "before_after": ctx["compare"],
        }
    )


@router.post(API + "/nlu/parse", tags=["authoring"])
def api_parse(
    request: Request, scenario_id: str, user: Viewer, session: DbSession, body: ParseBody
) -> Response:
    """Intent, confidence and slots of one sentence (the live model)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        today = console_state(request).runtime.local_now(sc).date()
        return JSONResponse(svc.parse_sentence(_data_dir(request), sc, body.text, today=today))
    except InputError as e:
        return _bad(e, html=False)


@router.get(API + "/recommendations", tags=["authoring"])
def api_recommendations(
    request: Request,
    scenario_id: str,
    user: Viewer,
    session: DbSession,
    task: Annotated[str | None, Query()] = None,
) -> Response:
    """Each point of a task (default: the first): template, branches (LLM rewordings: POST)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        chosen = task or next(iter(sc.tasks), "")
        return JSONResponse(svc.recommendations(_data_dir(request), sc, chosen))
    except InputError as e:
        return _bad(e, html=False)


@router.post(API + "/recommendations", status_code=202, tags=["authoring"])
def api_recommendations_llm(
    request: Request,
    scenario_id: str,
    user: Operator,
    session: DbSession,
    task: Annotated[str, Query()],
) -> Response:
    """Ask the LLM for rewordings of each point of a task (a run)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        job = _start_recommend(request, user, sc, task)
    except InputError as e:
        return _bad(e, html=False)
    return JSONResponse(_job_json(job), status_code=202)


@router.post(API + "/recommendations/accept", tags=["authoring"])
def api_recommendation_accept(
    request: Request, scenario_id: str, user: Operator, session: DbSession, body: TemplateBody
) -> Response:
    """Use a reply as the scenario's template ``template`` (a new scenario version)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        version = _write_template(request, session, user, sc, body.template, body.text)
    except InputError as e:
        return _bad(e, html=False)
    return JSONResponse({"template": body.template, "version": version})


@router.post(API + "/goal-runs", status_code=202, tags=["authoring"])
def api_goal_run(
    request: Request, scenario_id: str, user: Operator, session: DbSession, body: GoalBody
) -> Response:
    """Write a goal's dialogues and run each as a simulated call (a run: PASS/FAIL)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        job = _start_goals(request, user, sc, body.goal, body.n, body.llm)
    except InputError as e:
        return _bad(e, html=False)
    audit(session, user, "authoring.goals", sc.id, {"n": body.n})
    return JSONResponse(_job_json(job), status_code=202)


@router.post(API + "/goal-runs/rerun-failed", status_code=202, tags=["authoring"])
def api_goal_rerun(
    request: Request, scenario_id: str, user: Operator, session: DbSession
) -> Response:
    """Run the kept failing dialogues again (a run)."""
    sc = _scenario(request, session, user, scenario_id)
    try:
        job = _start_rerun(request, user, sc)
    except InputError as e:
        return _bad(e, html=False)
    return JSONResponse(_job_json(job), status_code=202)


@router.post(API + "/softphone/call", tags=["authoring"])
def api_softphone_call(
    request: Request, scenario_id: str, user: Operator, session: DbSession
) -> Response:
    """A stream token for a browser call to this scenario (no softphone login needed)."""
    sc = _scenario(request, session, user, scenario_id)
    server = getattr(request.app.state, "aicall", None)
    issuer = getattr(server, "issuer", None)
    if issuer is None:
        return JSONResponse({"detail": "this server takes no calls"}, status_code=503)
    call_sid = "SP" + uuid.uuid4().hex
    token = issuer.issue(StreamGrant(call_sid, sc.id, caller="softphone"))
    base = str(request.base_url).rstrip("/")
    ws_base = "wss://" + base[8:] if base.startswith("https://") else "ws://" + base[7:]
    audit(session, user, "authoring.softphone", sc.id, {"call_sid": call_sid})
    return JSONResponse(
        {
            "call_sid": call_sid,
            "scenario": sc.id,
            "token": token,
            "stream_url": f"{ws_base}/twilio/media",
        }
    )
