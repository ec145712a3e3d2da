"""``aicall scenario augment|review|train|recommend|dialogues``: authoring with an LLM.

The commands are added to the ``scenario`` group of :mod:`cli.scenario`. Candidates live
in a YAML store per scenario (``--store``; default
``<data dir>/authoring/<scenario-id>/candidates.yml``), see ``docs/authoring.md``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import nlg.llm
from agent.config import Settings
from authoring.candidates import Candidate, CandidateStore, store_path
from authoring.dialogue_llm import goal_dialogues
from authoring.domain import AuthoringDomain
from authoring.generate import PROMPT_VERSION, LLMUnavailableError
from authoring.goals import plan_goal
from authoring.model import DEFAULT_NOW, Dialogue
from authoring.pipeline import augment as run_augment
from authoring.recommend import recommend as run_recommend
from authoring.runs import load_regressions, run_dialogue, save_regressions
from authoring.training import heldout_path, load_heldout, train_with_candidates
from cli.scenario import scenario_app
from cli.scenario_ref import known_scenarios, resolve_scenario
from common.errors import InputError, NotConfiguredError
from nlg.llm import make_llm_client
from nlu.config import DEFAULT_ENGINE
from nlu.evaluate import evaluate
from nlu.live_models import save_live_model
from nlu.training import training_data_from_scenario
from scenarios.schema import Scenario

__all__ = ["make_authoring_llm", "register", "resolve_scenario", "store_for"]

LlmKind = Annotated[
    str, typer.Option("--llm", envvar="AICALL_LLM", help="local (bundled model), openai or none.")
]
LlmUrl = Annotated[
    str | None,
    typer.Option("--llm-url", envvar="AICALL_LLM_URL", help="OpenAI-compatible base URL (/v1)."),
]
LlmModel = Annotated[
    str | None, typer.Option("--llm-model", envvar="AICALL_LLM_MODEL", help="Remote model name.")
]
LlmKey = Annotated[
    str | None, typer.Option("--llm-key", envvar="AICALL_LLM_API_KEY", help="Remote API key.")
]
LlmAdapter = Annotated[
    str,
    typer.Option(
        "--adapter",
        envvar="AICALL_LLM_ADAPTER",
        help="LoRA adapter on the local model for generation: bundled (the shipped tuned "
        "generator), none (the plain base model) or a .gguf path.",
    ),
]
StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Candidates file (default: under the data dir).")
]
ScenarioArg = Annotated[str, typer.Argument(help="Scenario id or scenario file.")]


def store_for(scenario: Scenario, store: Path | None) -> CandidateStore:
    """The candidates store of ``scenario`` (``store`` or the default path)."""
    path = store or store_path(Settings().data_dir, scenario.id)
    return CandidateStore(path, scenario.id)


def make_authoring_llm(
    kind: str,
    url: str | None,
    model: str | None,
    key: str | None,
    *,
    timeout: float = 120.0,
    adapter: str = "none",
) -> Any:
    """The LLM client for authoring, or ``None`` for ``none``.

    ``adapter`` (local model only): ``bundled`` for the shipped tuned generator
    (:func:`nlg.llm.bundled_adapter_path`), ``none`` for the plain base model, or a LoRA GGUF.

    Raises:
        LLMUnavailableError: the local build cannot run, or a package or setting is missing.
    """
    kind = kind.strip().lower()
    try:
        if kind == "local":
            works, detail = nlg.llm.llama_cpp_build_works()
            if not works:
                raise NotConfiguredError(detail)
            lora = nlg.llm.chosen_adapter(adapter)
            return make_llm_client("local", timeout=timeout, lora_path=lora)
        return make_llm_client(
            kind, base_url=url, model=model, api_key=key, timeout=timeout, max_retries=1
        )
    except NotConfiguredError as e:
        raise LLMUnavailableError(
            f"the LLM is not available ({e}); the deterministic augmenters still work (--llm none)"
        ) from e


def _show(c: Candidate) -> str:
    why = f"  [{c.reason}]" if c.reason else ""
    return f"{c.id}  {c.state:8} {c.intent:16} {c.generator:15} {c.text}{why}"


def augment(
    scenario: ScenarioArg,
    intent: Annotated[
        list[str] | None, typer.Option("--intent", help="Intent(s) to augment (default: all).")
    ] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Candidates per intent and source.")] = 50,
    zero_shot: Annotated[
        bool, typer.Option("--zero-shot", help="From the intent descriptions only (LLM).")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed (reproducible runs).")] = 0,
    llm: LlmKind = "local",
    llm_url: LlmUrl = None,
    llm_model: LlmModel = None,
    llm_key: LlmKey = None,
    adapter: LlmAdapter = "bundled",
    store: StoreOpt = None,
) -> None:
    """Propose training utterances per intent; screened candidates go to the store as pending."""
    sc = resolve_scenario(scenario)
    st = store_for(sc, store)
    domain = AuthoringDomain.from_scenario(sc)
    client = make_authoring_llm(llm, llm_url, llm_model, llm_key, adapter=adapter)
    intents = intent or domain.intents
    sources = (1 if client is not None else 0) + (0 if zero_shot else 1)
    with Progress(
        TextColumn("augment {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=Console(stderr=True),
    ) as bar:  # fmt: skip
        task = bar.add_task(sc.id, total=max(1, n * len(intents) * max(sources, 1)))
        made = run_augment(
            domain,
            intents=intents,
            n=n,
            llm=client,
            zero_shot=zero_shot,
            accepted=st.select(state="accepted"),
            seed=seed,
            progress=lambda k: bar.advance(task, k),
        )
    added = st.add(made)
    st.save()
    states = Counter(c.state for c in added)
    reasons = Counter((c.reason or "").split(":")[0] for c in added if c.state == "rejected")
    typer.echo(
        f"{sc.id}: {len(added)} new candidates ({states['pending']} pending, "
        f"{states['rejected']} rejected) in {st.path}"
    )
    if reasons:
        typer.echo("rejected: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
    typer.echo("next: aicall scenario review " + scenario)


def review(
    scenario: ScenarioArg,
    accept_all_pending: Annotated[
        bool, typer.Option("--accept-all-pending", help="Accept every pending candidate.")
    ] = False,
    reject_all_pending: Annotated[
        bool, typer.Option("--reject-all-pending", help="Reject every pending candidate.")
    ] = False,
    accept: Annotated[list[str] | None, typer.Option("--accept", help="Accept by id.")] = None,
    reject: Annotated[list[str] | None, typer.Option("--reject", help="Reject by id.")] = None,
    show: Annotated[
        str | None,
        typer.Option("--list", help="List candidates: pending, accepted, rejected, all."),
    ] = None,
    intent: Annotated[str | None, typer.Option("--intent", help="Only this intent.")] = None,
    store: StoreOpt = None,
) -> None:
    """Accept or reject candidates: one by one in the terminal, or with flags for scripts."""
    sc = resolve_scenario(scenario)
    st = store_for(sc, store)
    if show is not None:
        state = None if show == "all" else show
        if state not in (None, "pending", "accepted", "rejected"):
            raise InputError(f"--list: {show!r} is not pending, accepted, rejected or all")
        for c in st.select(state=state, intent=intent, kind=None):  # type: ignore[arg-type]
            typer.echo(_show(c))
        counts = st.counts()
        typer.echo(
            f"{counts['pending']} pending, {counts['accepted']} accepted, "
            f"{counts['rejected']} rejected"
        )
        return
    scripted = bool(accept_all_pending or reject_all_pending or accept or reject)
    for cid in accept or []:
        typer.echo(_show(st.set_state(cid, "accepted")))
    for cid in reject or []:
        typer.echo(_show(st.set_state(cid, "rejected", "author")))
    if accept_all_pending or reject_all_pending:
        state = "accepted" if accept_all_pending else "rejected"
        pending = st.select(state="pending", intent=intent, kind=None)
        for c in pending:
            st.set_state(c.id, state, "author")  # type: ignore[arg-type]
        typer.echo(f"{len(pending)} pending candidates {state}")
    if scripted:
        st.save()
        return
    pending = st.select(state="pending", intent=intent, kind=None)
    if not pending:
        typer.echo("nothing pending; run 'aicall scenario augment' first")
        return
    typer.echo(f"{len(pending)} pending: [a]ccept, [r]eject, [s]kip, [q]uit")
    for k, c in enumerate(pending, 1):
        typer.echo(f"\n({k}/{len(pending)}) {c.intent}  <- {c.generator}")
        if c.seed:
            typer.echo(f"  from: {c.seed}")
        typer.echo(f"  {c.text}")
        answer = typer.prompt("a/r/s/q", default="s").strip().lower()[:1]
        if answer == "q":
            break
        if answer == "a":
            st.set_state(c.id, "accepted")
        elif answer == "r":
            st.set_state(c.id, "rejected", "author")
        st.save()
    counts = st.counts()
    typer.echo(
        f"{counts['pending']} pending, {counts['accepted']} accepted, {counts['rejected']} rejected"
    )


def train(
    scenario: ScenarioArg,
    engine: Annotated[
        str, typer.Option("--engine", help="classical, joint, ensemble, encoder or prior.")
    ] = "classical",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Save here instead (live calls then ignore it; default: the live model "
            "under <data dir>/models).",
        ),
    ] = None,
    heldout: Annotated[
        Path | None, typer.Option("--heldout", help="Held-out file to score (default: shipped).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Train the NLU on the scenario's examples plus its accepted candidates and save it.

    By default the model becomes the scenario's live model: calls load it instead of training
    from the scenario file, for as long as the scenario is not edited.
    """
    sc = resolve_scenario(scenario)
    st = store_for(sc, store)
    accepted = st.select(state="accepted")
    typer.echo(
        f"training {engine} on {sc.id}: "
        f"{len(training_data_from_scenario(sc).examples)} examples + {len(accepted)} accepted"
    )
    model = train_with_candidates(sc, accepted, engine=engine)
    if out is not None:
        model.save(out)
        typer.echo(f"saved {engine} model to {out} ({model.train_seconds:.1f} s)")
        typer.echo("live calls do not use it (without --out it becomes the live model)")
    else:
        models = Settings().data_dir / "models"
        info = {"accepted_candidates": len(accepted), "candidates_file": str(st.path)}
        target = save_live_model(sc, model, models, info=info)
        typer.echo(f"saved {engine} model to {target} ({model.train_seconds:.1f} s)")
        when = "" if engine == DEFAULT_ENGINE else f" when AICALL_NLU_ENGINE={engine}"
        typer.echo(
            f"live calls of {sc.id} will use it{when} (processes started from now on), until "
            "the scenario file is edited: then they train from the scenario until you retrain"
        )
    path = heldout or heldout_path(sc.id)
    if path.is_file():
        _, examples = load_heldout(path)
        base = train_with_candidates(sc, [], engine=engine)
        before, after = evaluate(base, examples), evaluate(model, examples)
        typer.echo(
            f"held-out {path.name} ({len(examples)}): intent accuracy "
            f"{before.intent_accuracy:.1%} -> {after.intent_accuracy:.1%}, slot F1 "
            f"{before.slots.f1:.1%} -> {after.slots.f1:.1%}"
        )


def recommend(
    scenario: ScenarioArg,
    task: Annotated[str, typer.Option("--task", help="The task (form) to recommend for.")],
    slot: Annotated[
        str | None, typer.Option("--slot", help="Only the point asking this slot.")
    ] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="LLM rewordings per point.")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    llm: LlmKind = "local",
    llm_url: LlmUrl = None,
    llm_model: LlmModel = None,
    llm_key: LlmKey = None,
    store: StoreOpt = None,
) -> None:
    """Propose the agent's next utterances at each point of a task, with the branches."""
    sc = resolve_scenario(scenario)
    st = store_for(sc, store)
    client = make_authoring_llm(llm, llm_url, llm_model, llm_key)
    points = run_recommend(sc, task, llm=client, n=n, slot=slot, seed=seed)
    proposals = []
    for p in points:
        typer.echo(f"{p.name}:  # {p.act}" + (f" {p.slot}" if p.slot else ""))
        for text, source in zip(p.say, p.sources, strict=True):
            typer.echo(f"  - {text}   # {source}")
            if source != "template":
                proposals.append(
                    Candidate(p.name, text, source, PROMPT_VERSION, p.say[0], kind="response")
                )
        for text, reason in p.dropped:
            typer.echo(f"  # dropped ({reason}): {text}")
        for b in p.branches:
            typer.echo(f"  # {b.when}: caller {b.caller} -> {b.then}")
    added = st.add(proposals)
    st.save()
    typer.echo(f"{len(added)} proposals pending review in {st.path} (aicall scenario review)")


def dialogues(
    scenario: ScenarioArg,
    goal: Annotated[str | None, typer.Option("--goal", help="The goal script.")] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Dialogue variants.")] = 5,
    run: Annotated[bool, typer.Option("--run", help="Run each against the agent.")] = False,
    regressions: Annotated[
        bool, typer.Option("--regressions", help="Re-run the stored failing scripts.")
    ] = False,
    now: Annotated[
        str | None, typer.Option(help="The call's local time (ISO); default 2026-11-25T10:00.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the LLM (one per variant).")] = 0,
    llm: LlmKind = "local",
    llm_url: LlmUrl = None,
    llm_model: LlmModel = None,
    llm_key: LlmKey = None,
    store: StoreOpt = None,
) -> None:
    """Write whole dialogues from a goal script; with --run, test the agent with them.

    With ``--llm local|openai`` the LLM writes the caller's lines; lines that fail the checks
    (or an LLM that cannot be reached) leave the template dialogue, marked as such.
    """
    sc = resolve_scenario(scenario)
    st = store_for(sc, store)
    when = DEFAULT_NOW
    if now:
        try:
            when = datetime.fromisoformat(now)
        except ValueError:
            raise InputError(f"--now: {now!r} is not an ISO date-time") from None
    regress_path = st.path.parent / "regressions.yml"
    stored = load_regressions(regress_path)
    if regressions:
        scripts = [Dialogue.from_dict(d) for d in stored if d.get("scenario") == sc.id]
        run = True
    elif goal is None:
        raise InputError("give --goal 'a customer wants ...' (or --regressions)")
    else:
        plan_goal(sc, goal, today=when.date())  # a goal it cannot read fails before the LLM
        client = make_authoring_llm(llm, llm_url, llm_model, llm_key)
        # a turn the base model writes no passing line for goes to it with the tuned adapter
        bundled = llm.strip().lower() == "local" and nlg.llm.bundled_adapter_path() is not None
        second = make_authoring_llm(llm, None, None, None, adapter="bundled") if bundled else None
        scripts = goal_dialogues(sc, goal, n, now=when, llm=client, seed=seed, second=second)
    scenarios = {**known_scenarios(), sc.id: sc}
    failed = 0
    for d in scripts:
        typer.echo(f"--- {sc.id} variant {d.variant} ({d.source}): {d.goal}")
        if d.note:
            typer.echo(f"# the LLM's lines were not used: {d.note}")
        if d.prior:
            typer.echo(f"booked before the call: {d.prior}")
        for who, text in d.turns:
            typer.echo(f"{'caller' if who == 'user' else 'agent ':6}  {text}")
        typer.echo(f"expect: {d.expect}")
        if not run:
            continue
        result = run_dialogue(d, scenarios, now=when, data_dir=Settings().data_dir)
        typer.echo("PASS" if result.passed else "FAIL: " + "; ".join(result.problems))
        if not result.passed:
            failed += 1
            typer.echo("\n".join(result.transcript))
            if not regressions and d.as_dict() not in stored:
                stored.append(d.as_dict())
    if run:
        typer.echo(f"{len(scripts) - failed} passed, {failed} failed")
        if failed and not regressions:
            save_regressions(regress_path, stored)
            typer.echo(f"failing scripts kept as regression cases in {regress_path}")
        if failed:
            raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the authoring commands to the ``scenario`` group."""
    scenario_app.command("augment")(augment)
    scenario_app.command("review")(review)
    scenario_app.command("train")(train)
    scenario_app.command("recommend")(recommend)
    scenario_app.command("dialogues")(dialogues)
