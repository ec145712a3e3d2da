"""The console's authoring work: candidates, training and its report, recommendations, goal runs.

Every function here calls what the CLI calls (``aicall scenario augment|review|train|recommend|
dialogues``): the same candidates file (:func:`authoring.candidates.store_path`), the same
generators (:func:`authoring.pipeline.augment`), the same live model
(:func:`nlu.live_models.save_live_model`), the same goal writer and runner and the same
regression file. The CLI sees the console's decisions and the console sees the CLI's.

The functions are synchronous and may take seconds: the routes run them in a worker thread or
as a background job (:mod:`console.jobs`), never on the event loop.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from authoring.annotated import Utterance
from authoring.candidates import Candidate, CandidateStore, ReviewState, store_path
from authoring.dialogue_llm import goal_dialogues
from authoring.domain import AuthoringDomain
from authoring.generate import PROMPT_VERSION, LLMUnavailableError
from authoring.model import DEFAULT_NOW, Dialogue
from authoring.pipeline import augment
from authoring.recommend import recommend
from authoring.runs import load_regressions, run_dialogue, save_regressions
from authoring.training import heldout_path, load_heldout, train_with_candidates, training_data_with
from common.errors import InputError, NotConfiguredError
from console.jobs import Progress, load_run, runs_dir
from nlg.llm import LLMClient, llama_cpp_build_works, make_llm_client
from nlu.base import engine_class
from nlu.config import DEFAULT_ENGINE, forget_scenario_parsers, scenario_parser
from nlu.evaluate import EvalReport, evaluate
from nlu.live_models import save_live_model
from nlu.training import Example, training_data_from_scenario
from scenarios.schema import Scenario

__all__ = [
    "METHODS",
    "LLMSettings",
    "candidate_view",
    "decide",
    "edit_candidate",
    "generate_candidates",
    "goal_runs",
    "list_candidates",
    "make_llm",
    "open_store",
    "parse_sentence",
    "recommendations",
    "regression_count",
    "rerun_regressions",
    "run_goals",
    "train_nlu",
    "training_runs",
]

#: generation methods offered per intent: deterministic variants, the LLM from examples, the
#: LLM from the description alone
METHODS = ("deterministic", "llm_few_shot", "llm_zero_shot")
#: share of examples per intent held back to score a model when no held-out file exists
SPLIT_EVERY = 5

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()
_llms: dict[tuple[Any, ...], LLMClient] = {}


def _lock(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path.resolve(), threading.Lock())


# ----------------------------------------------------------------------------- the LLM

LLMSettings = tuple[str, str | None, str | None, str | None, str | None]
"""``(kind, model_path, url, model, api_key)``: the process's LLM settings (``AICALL_LLM*``)."""


def make_llm(llm: LLMSettings) -> LLMClient:
    """The process's authoring LLM (built once, then reused).

    Raises:
        LLMUnavailableError: the local build cannot run, or a package or setting is missing.
    """
    with _locks_guard:
        client = _llms.get(llm)
    if client is not None:
        return client
    kind, model_path, url, model, key = llm
    try:
        if kind == "local":
            works, detail = llama_cpp_build_works(model_path)
            if not works:
                raise NotConfiguredError(detail)
            made = make_llm_client("local", model_path=model_path, timeout=120.0)
        else:
            made = make_llm_client(
                kind, base_url=url, model=model, api_key=key, timeout=120.0, max_retries=1
            )
    except NotConfiguredError as e:
        raise LLMUnavailableError(
            f"the LLM is not available ({e}); the deterministic augmenters still work"
        ) from e
    if made is None:
        raise LLMUnavailableError("no LLM is configured (AICALL_LLM)")
    with _locks_guard:
        return _llms.setdefault(llm, made)


# ----------------------------------------------------------------------------- candidates


def open_store(data_dir: Path, scenario_id: str) -> CandidateStore:
    """The scenario's candidates file, the one ``aicall scenario review`` reads."""
    return CandidateStore(store_path(data_dir, scenario_id), scenario_id)


def candidate_view(c: Candidate) -> dict[str, Any]:
    """A candidate as JSON: text, its plain words, state, provenance."""
    try:
        plain = Utterance.parse(c.text).text
    except InputError:
        plain = c.text
    return {
        "candidate_id": c.id,
        "intent": c.intent,
        "text": c.text,
        "plain": plain,
        "state": c.state,
        "reason": c.reason,
        "generator": c.generator,
        "prompt_version": c.prompt_version,
        "seed": c.seed,
        "kind": c.kind,
        "created": c.created,
    }


def list_candidates(
    data_dir: Path,
    scenario_id: str,
    *,
    state: str | None = None,
    intent: str | None = None,
    generator: str | None = None,
    kind: str | None = "utterance",
) -> list[Candidate]:
    """The scenario's candidates, filtered (``None`` or ``""`` matches any).

    Raises:
        InputError: ``state`` is not pending, accepted or rejected.
    """
    if state and state not in ("pending", "accepted", "rejected"):
        raise InputError(f"state {state!r} is not pending, accepted or rejected")
    st = open_store(data_dir, scenario_id)
    chosen: ReviewState | None = state or None  # type: ignore[assignment]
    return [
        c
        for c in st.select(state=chosen, intent=intent or None, kind=kind)
        if not generator or c.generator == generator
    ]


def decide(
    data_dir: Path, scenario_id: str, candidate_ids: list[str], state: str
) -> list[Candidate]:
    """Accept or reject candidates by id, saved at once (as ``aicall scenario review``).

    Raises:
        InputError: an unknown id, or a state that is not accepted, rejected or pending.
    """
    if state not in ("accepted", "rejected", "pending"):
        raise InputError(f"state {state!r}: accept, reject or pending")
    if not candidate_ids:
        raise InputError("no candidate selected")
    path = store_path(data_dir, scenario_id)
    with _lock(path):
        st = CandidateStore(path, scenario_id)
        for cid in candidate_ids:  # every id checked before anything changes
            if st.get(cid) is None:
                raise InputError(f"no candidate {cid!r}")
        out = [
            st.set_state(cid, state, "author")  # type: ignore[arg-type]
            for cid in candidate_ids
        ]
        st.save()
    return out


def edit_candidate(data_dir: Path, sc: Scenario, candidate_id: str, text: str) -> Candidate:
    """Replace a candidate's text: the new one is accepted, the old one rejected as ``edited``.

    The edited utterance keeps the provenance (generator, prompt version, seed example); its
    slot annotations (``[4명](party_size)``) must name slots of the scenario.

    Raises:
        InputError: unknown candidate, empty text, bad annotation or unknown slot.
    """
    text = text.strip()
    if not text:
        raise InputError("the text is empty")
    u = Utterance.parse(text)
    unknown = [s.slot for s in u.slots if s.slot not in sc.slots]
    if unknown:
        raise InputError(f"unknown slot {unknown[0]!r}; the scenario has: {', '.join(sc.slots)}")
    path = store_path(data_dir, sc.id)
    with _lock(path):
        st = CandidateStore(path, sc.id)
        old = st.get(candidate_id)
        if old is None:
            raise InputError(f"no candidate {candidate_id!r}")
        if text == old.text:
            new = st.set_state(old.id, "accepted")
        else:
            new = replace(old, text=text, id="", state="accepted", reason=None)
            st.put(new)
            st.set_state(old.id, "rejected", f"edited:{new.id}")
        st.save()
    return new


def generate_candidates(
    data_dir: Path,
    sc: Scenario,
    intent: str,
    *,
    method: str = "deterministic",
    n: int = 20,
    seed: int = 0,
    llm: LLMClient | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Generate and screen candidates for one intent; new ones go to the store.

    Args:
        data_dir: the data directory (the candidates file is under it).
        sc: the scenario.
        intent: the intent to generate for.
        method: ``deterministic``, ``llm_few_shot`` or ``llm_zero_shot`` (:data:`METHODS`).
        n: candidates wanted.
        seed: makes the run reproducible.
        llm: the model for the LLM methods.
        progress: told the fraction done.

    Raises:
        InputError: unknown intent or method, no examples for the deterministic method, no
            description for zero-shot, no LLM for an LLM method.
    """
    if method not in METHODS:
        raise InputError(f"method {method!r}: one of {', '.join(METHODS)}")
    if not 1 <= n <= 200:
        raise InputError("n must be between 1 and 200")
    domain = AuthoringDomain.from_scenario(sc)
    if intent not in domain.intents:
        raise InputError(
            f"unknown intent {intent!r}; the scenario has: {', '.join(domain.intents)}"
        )
    if method == "deterministic" and not domain.examples.get(intent):
        raise InputError(f"intent {intent!r} has no examples to vary: add one, or use the LLM")
    if method == "llm_zero_shot" and not domain.descriptions.get(intent):
        raise InputError(f"intent {intent!r} has no description: write one first")
    if method != "deterministic" and llm is None:
        raise InputError("this method needs the LLM")
    path = store_path(data_dir, sc.id)
    accepted = CandidateStore(path, sc.id).select(state="accepted")
    done = 0

    def step(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(min(0.95, done / n), f"{done} / {n}")

    made = augment(
        domain,
        intents=[intent],
        n=n,
        llm=llm if method != "deterministic" else None,
        zero_shot=method == "llm_zero_shot",
        deterministic=method == "deterministic",
        accepted=accepted,
        seed=seed,
        progress=step,
    )
    with _lock(path):
        st = CandidateStore(path, sc.id)
        added = st.add(made)
        st.save()
    states = Counter(c.state for c in added)
    reasons = Counter((c.reason or "").split(":")[0] for c in added if c.state == "rejected")
    return {
        "intent": intent,
        "method": method,
        "added": len(added),
        "pending": states["pending"],
        "rejected": states["rejected"],
        "reasons": dict(reasons),
        "candidate_ids": [c.id for c in added],
    }


# ----------------------------------------------------------------------------- training


def _heldout(data_dir: Path, sc: Scenario) -> Path | None:
    own = store_path(data_dir, sc.id).parent / "heldout.yaml"
    for path in (own, heldout_path(sc.id)):
        if path.is_file():
            return path
    return None


def _report(rep: EvalReport, intents: list[str]) -> dict[str, Any]:
    """A report as JSON with the full confusion matrix (gold rows, predicted columns)."""
    data = rep.as_dict()
    labels = list(dict.fromkeys([*intents, *(k for k in rep.per_intent)]))
    gold_n = {k: v.tp + v.fn for k, v in rep.per_intent.items()}
    labels = [k for k in labels if gold_n.get(k) or any(p == k for _, p in rep.confusions)]
    matrix = [
        [
            rep.per_intent[g].tp if g == p and g in rep.per_intent else rep.confusions[(g, p)]
            for p in labels
        ]
        for g in labels
    ]
    data["labels"] = labels
    data["matrix"] = matrix
    data["intent_accuracy_per_intent"] = {
        k: (v.tp / (v.tp + v.fn)) if v.tp + v.fn else None
        for k, v in sorted(rep.per_intent.items())
        if v.tp + v.fn
    }
    data.pop("calibration", None)
    return data


def _split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """Every :data:`SPLIT_EVERY`-th example of each intent held back (intents with 2 or more)."""
    seen: Counter[str] = Counter()
    per_intent = Counter(e.intent for e in examples)
    train, test = [], []
    for ex in examples:
        seen[ex.intent] += 1
        k = seen[ex.intent]
        if per_intent[ex.intent] >= 2 and (
            k % SPLIT_EVERY == 0 or (k == 2 and per_intent[ex.intent] < SPLIT_EVERY)
        ):
            test.append(ex)
        else:
            train.append(ex)
    return train, test


def train_nlu(
    data_dir: Path,
    sc: Scenario,
    *,
    engine: str = DEFAULT_ENGINE,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train the scenario's live model on its examples and accepted candidates; score it.

    As ``aicall scenario train``: the model is saved as the live model under
    ``<data dir>/models`` (calls of this process use it from the next call on). It is scored
    on the held-out file (``<data dir>/authoring/<id>/heldout.yaml``, else the shipped
    ``scenarios/heldout/<id>.yaml``); without one, on a split: every fifth example of each
    intent held back from a second model trained on the rest.

    Raises:
        InputError: unknown engine, or too little data (fewer than two intents with examples).
    """
    report = progress or (lambda _f, _m="": None)
    engine_class(engine)
    st = open_store(data_dir, sc.id)
    accepted = st.select(state="accepted")
    base = training_data_from_scenario(sc)
    report(0.02, "training")
    model = train_with_candidates(
        sc, accepted, engine=engine, progress=lambda f, m: report(0.05 + 0.6 * f, m or "training")
    )
    info = {"accepted_candidates": len(accepted), "candidates_file": str(st.path)}
    target = save_live_model(sc, model, Path(data_dir) / "models", info=info)
    forget_scenario_parsers(sc.id)
    report(0.7, "scoring")
    heldout = _heldout(data_dir, sc)
    intents = list(sc.intents)
    if heldout is not None:
        _, examples = load_heldout(heldout)
        rep = evaluate(model, examples)
        source = {"kind": "heldout", "file": heldout.name, "n": len(examples)}
    else:
        data = training_data_with(base, accepted)
        train_part, test_part = _split(list(data.examples))
        if not test_part:
            raise InputError("too few examples to score the model: give each intent two or more")
        check = engine_class(engine)(oos_threshold=sc.globals.intent_threshold)
        check.train(replace(data, examples=train_part))
        report(0.85, "scoring")
        rep = evaluate(check, test_part)
        source = {"kind": "split", "every": SPLIT_EVERY, "n": len(test_part)}
    report(1.0, "done")
    return {
        "engine": engine,
        "examples": len(base.examples),
        "accepted": len(accepted),
        "train_seconds": round(model.train_seconds, 2),
        "model_dir": str(target),
        "evaluation": source,
        "report": _report(rep, intents),
    }


def training_runs(data_dir: Path, scenario_id: str) -> list[dict[str, Any]]:
    """The scenario's finished trainings, newest first (their outcome files)."""
    return _runs(data_dir, scenario_id, "train")


def _runs(data_dir: Path, scenario_id: str, kind: str) -> list[dict[str, Any]]:
    folder = runs_dir(data_dir, scenario_id)
    out = []
    for path in folder.glob("*.json") if folder.is_dir() else []:
        run = load_run(data_dir, scenario_id, path.stem)
        if (
            run is not None
            and run.get("kind") == kind
            and run.get("state") == "done"
            and isinstance(run.get("result"), dict)
            and ("report" in run["result"] or "results" in run["result"])
        ):
            out.append(run)
    return sorted(out, key=lambda r: float(r.get("started") or 0), reverse=True)


def parse_sentence(
    data_dir: Path,
    sc: Scenario,
    text: str,
    *,
    engine: str = DEFAULT_ENGINE,
    today: date | None = None,
) -> dict[str, Any]:
    """Intent, confidence and slots of one sentence, by the parser a call would use.

    Raises:
        InputError: empty text, or over 500 characters.
    """
    text = text.strip()
    if not text:
        raise InputError("type a sentence")
    if len(text) > 500:
        raise InputError("a sentence of at most 500 characters")
    # what a call would use: the live model when it is current, else one trained from the
    # scenario file (both kept per process; a training here drops them, the next use reloads)
    parser = scenario_parser(sc, engine=engine, models_dir=Path(data_dir) / "models")
    from_file = getattr(parser, "source", "") == "scenario"
    source = "trained from the scenario file (no live model yet)" if from_file else "live model"
    result = parser.parse(text, today=today or DEFAULT_NOW.date())
    return {
        "text": text,
        "intent": result.intent,
        "confidence": round(float(result.confidence), 4),
        "model": source,
        "slots": [
            {
                "name": s.name,
                "value": s.value.isoformat() if hasattr(s.value, "isoformat") else s.value,
                "text": s.text,
                "start": s.start,
                "end": s.end,
            }
            for s in result.slots
        ],
        "alternatives": [[i, round(float(c), 4)] for i, c in result.alternatives[:3]],
    }


# ----------------------------------------------------------------------------- recommendations


def recommendations(
    data_dir: Path,
    sc: Scenario,
    task: str,
    *,
    llm: LLMClient | None = None,
    n: int = 2,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Each point of a task: the template, LLM rewordings that passed the checks, branches.

    Rewordings also go to the store as ``response`` candidates (as ``aicall scenario
    recommend``); accepting one into the templates marks it accepted.

    Raises:
        InputError: unknown task.
    """
    if progress is not None:
        progress(0.1, task)
    points = recommend(sc, task, llm=llm, n=n, seed=seed)
    proposals = []
    out = []
    for p in points:
        say = []
        for text, source in zip(p.say, p.sources, strict=True):
            cid = None
            if source != "template":
                cand = Candidate(p.name, text, source, PROMPT_VERSION, p.say[0], kind="response")
                proposals.append(cand)
                cid = cand.id
            say.append({"text": text, "source": source, "candidate_id": cid})
        out.append(
            {
                "name": p.name,
                "act": p.act,
                "slot": p.slot,
                "template": sc.templates.get(p.name),
                "say": say,
                "dropped": [{"text": t, "reason": r} for t, r in p.dropped],
                "branches": [
                    {"when": b.when, "caller": b.caller, "then": b.then} for b in p.branches
                ],
            }
        )
    if proposals:
        path = store_path(data_dir, sc.id)
        with _lock(path):
            st = CandidateStore(path, sc.id)
            st.add(proposals)
            st.save()
    return {"task": task, "llm": llm is not None, "points": out}


# ----------------------------------------------------------------------------- goal dialogues


def _regressions_path(data_dir: Path, scenario_id: str) -> Path:
    return store_path(data_dir, scenario_id).parent / "regressions.yml"


def regression_count(data_dir: Path, scenario_id: str) -> int:
    """How many failing scripts of the scenario are kept as regression cases."""
    stored = load_regressions(_regressions_path(data_dir, scenario_id))
    return sum(1 for d in stored if d.get("scenario") == scenario_id)


def _run_all(
    data_dir: Path, sc: Scenario, scripts: list[Dialogue], progress: Progress | None, keep: bool
) -> dict[str, Any]:
    path = _regressions_path(data_dir, sc.id)
    stored = load_regressions(path)
    results = []
    for k, d in enumerate(scripts):
        if progress is not None:
            progress(0.1 + 0.9 * k / max(1, len(scripts)), f"{k + 1} / {len(scripts)}")
        r = run_dialogue(d, {sc.id: sc}, now=DEFAULT_NOW, data_dir=Path(data_dir))
        results.append(
            {
                "variant": d.variant,
                "goal": d.goal,
                "source": d.source,
                "note": d.note,
                "expect": d.expect,
                "prior": d.prior,
                "passed": r.passed,
                "problems": r.problems,
                "transcript": r.transcript,
            }
        )
        if keep and not r.passed and d.as_dict() not in stored:
            stored.append(d.as_dict())
    failed = sum(1 for r in results if not r["passed"])
    if keep and failed:
        save_regressions(path, stored)
    return {"passed": len(results) - failed, "failed": failed, "results": results}


def run_goals(
    data_dir: Path,
    sc: Scenario,
    goal: str,
    *,
    n: int = 3,
    llm: LLMClient | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write ``n`` dialogues of a goal and run each as a simulated call; failing ones are kept.

    As ``aicall scenario dialogues --run``: the agent runs on a fresh database with the clock
    at 2026-11-25 10:00 and the scenario's live model; a failing script joins the regression
    cases (``regressions.yml`` beside the candidates).

    Raises:
        GoalError: the goal cannot be read (the message names what is missing).
    """
    if not 1 <= n <= 10:
        raise InputError("between 1 and 10 dialogues")
    if progress is not None:
        progress(0.05, "writing")
    scripts = goal_dialogues(sc, goal, n, now=DEFAULT_NOW, llm=llm, seed=seed)
    return {"goal": goal, **_run_all(data_dir, sc, scripts, progress, keep=True)}


def rerun_regressions(
    data_dir: Path, sc: Scenario, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Run the kept failing scripts again (``aicall scenario dialogues --regressions``).

    Raises:
        InputError: no regression case is kept for the scenario.
    """
    stored = load_regressions(_regressions_path(data_dir, sc.id))
    scripts = [Dialogue.from_dict(d) for d in stored if d.get("scenario") == sc.id]
    if not scripts:
        raise InputError("no failed dialogue is kept for this scenario")
    return {"goal": None, **_run_all(data_dir, sc, scripts, progress, keep=False)}


def goal_runs(data_dir: Path, scenario_id: str) -> list[dict[str, Any]]:
    """The scenario's finished goal runs, newest first."""
    return _runs(data_dir, scenario_id, "goals")
