"""LLM-backed replies: check pass rate, fallbacks by reason, latency, sample rewordings.

Every act type of the shipped scenarios (both languages), each after a few different caller
lines, is worded by the rewriter over the bundled model (few-shot completion prompts); the
same over an OpenAI-compatible endpoint when ``AICALL_LLM_URL`` (and ``AICALL_LLM_MODEL``) is
set. Generation runs with generous budgets so that every reply is seen and timed; the pass rate
*within* the phone budgets (first token ``--first-token-ms``, whole reply ``--reply-ms``) is
computed from those timings. Also the fault-injection figure of the checks.

    .venv/bin/python -m bench.nlg_replies [--threads 2] [--limit N] [--no-local] [--json FILE]
        [--adapter none|bundled|FILE]   (bundled: the tuned generator's LoRA and its own prompt)
        [--examples] [--candidates K] [--temperature T] [--llm-only]

A pass is counted as *reworded* only when it is not the template again
(``nlg.rewrite.near_identical``: normalised edit distance < 0.1); reply times are whole turns,
every candidate included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from datetime import time as clock
from typing import Any

from dialogue.acts import ActKind, SystemAct
from nlg.llm import (
    LlamaCppClient,
    LLMClient,
    OpenAICompatClient,
    bundled_adapter_path,
    llama_cpp_build_works,
)
from nlg.rewrite import (
    READ_BACK_FLOOR,
    HistoryTurn,
    ReplyRewriter,
    RewriteRequest,
    near_identical,
    normalised_distance,
    plan_turn,
)
from nlg.templates import TemplateNLG
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario

TODAY = date(2026, 11, 25)  # a Wednesday
# Not the values of the prompt's own examples (Friday 4 December, 7 pm, 4, hall): a model that
# copies its example must not pass for a faithful one.
BOOKING: dict[str, Any] = {
    "date": date(2026, 12, 11),
    "time": clock(18, 30),
    "party_size": 3,
    "seating": "room",
    "phone": "01098765432",
}
NAMES = {"ko": "김민수", "en": "Alex Kim"}


def _act(kind: str, template: str, slot: str | None = None, **values: Any) -> SystemAct:
    return SystemAct(kind, slot=slot, values=dict(values), template=template)


def restaurant_turns(lang: str) -> list[tuple[str, list[SystemAct]]]:
    """(label, acts) of every act type a restaurant call has."""
    booking = {**BOOKING, "name": NAMES[lang]}
    change = {k: booking[k] for k in ("date", "time", "party_size", "seating")}
    cancel = {k: booking[k] for k in ("date", "time", "party_size")}
    ask_time = _act(ActKind.REQUEST, "ask_time", "time")
    confirm = _act(ActKind.CONFIRM, "confirm_book", **booking)
    turns = [
        ("greet", [_act(ActKind.GREET, "greet")]),
        *(
            (f"request:{slot}", [_act(ActKind.REQUEST, f"ask_{slot}", slot)])
            for slot in ("date", "time", "party_size", "seating", "name", "phone")
        ),
        ("request:change_what", [_act(ActKind.REQUEST, "ask_change_what")]),
        ("request:what_to_correct", [_act(ActKind.REQUEST, "what_to_correct")]),
        ("request:anything_else", [_act(ActKind.REQUEST, "anything_else")]),
        ("confirm:book", [confirm]),
        ("confirm:change", [_act(ActKind.CONFIRM, "confirm_change", **change)]),
        ("confirm:cancel", [_act(ActKind.CONFIRM, "confirm_cancel", **cancel)]),
        ("reprompt+request", [_act(ActKind.REPROMPT, "not_understood"), ask_time]),
        ("reprompt:no_input+request", [_act(ActKind.REPROMPT, "no_input"), ask_time]),
        ("reprompt:yes_no+confirm", [_act(ActKind.REPROMPT, "confirm_yes_no"), confirm]),
        ("faq+request", [_act(ActKind.INFORM, "faq:faq_parking"), ask_time]),
        ("bye", [_act(ActKind.BYE, "bye")]),
        # verbatim by design (no LLM call): results, refusals, facts, hand-over
        ("inform:done_book", [_act(ActKind.INFORM, "done_book", **booking)]),
        ("inform:faq", [_act(ActKind.INFORM, "faq:faq_hours")]),
        ("inform:out_of_scope", [_act(ActKind.INFORM, "out_of_scope")]),
        ("inform:closed_day", [_act(ActKind.INFORM, "closed_day", date=date(2026, 11, 30))]),
        (
            "offer",
            [
                _act(
                    ActKind.OFFER,
                    "no_capacity_offer",
                    time=clock(19, 0),
                    seating="room",
                    options=[{"time": clock(18, 0), "seating": "room"}],
                )
            ],
        ),
        (
            "transfer",
            [SystemAct(ActKind.TRANSFER, values={"number": "+8225550100"}, template="handover")],
        ),
    ]
    return turns


def carecall_turns(lang: str) -> list[tuple[str, list[SystemAct]]]:
    """(label, acts) of every act type a care call has."""
    ask = {s: _act(ActKind.REQUEST, f"ask_{s}", s) for s in ("meal", "sleep", "health", "mood")}
    return [
        (
            "greet+request",
            [_act(ActKind.GREET, "greet"), _act(ActKind.REQUEST, "ask_identity", "identity")],
        ),
        *((f"request:{s}", [a]) for s, a in ask.items()),
        ("request:needs", [_act(ActKind.REQUEST, "ask_needs", "needs")]),
        ("request:anything_else", [_act(ActKind.REQUEST, "anything_else")]),
        ("ack+request", [_act(ActKind.ACK, "ack_meal_good"), ask["sleep"]]),
        ("reprompt+request", [_act(ActKind.REPROMPT, "not_understood"), ask["meal"]]),
        ("reprompt:no_input+request", [_act(ActKind.REPROMPT, "no_input"), ask["mood"]]),
        ("bye", [_act(ActKind.BYE, "bye")]),
        (
            "ack:done+inform:flagged+bye",
            [
                _act(ActKind.ACK, "done_checkin"),
                _act(ActKind.INFORM, "flagged", reasons=["meal"]),
                _act(ActKind.BYE, "bye"),
            ],
        ),
        ("bye:wrong_person", [_act(ActKind.BYE, "wrong_person")]),
    ]


CALLERS = {
    ("restaurant", "ko"): [
        "예약하고 싶어요",
        "내일 저녁에 네 명이서 가려고요",
        "네 맞아요",
        "음 잘 모르겠어요",
        "주차 되나요?",
    ],
    ("restaurant", "en"): [
        "I'd like to book a table.",
        "Tomorrow evening, four of us.",
        "Yes, that's right.",
        "Hmm, I'm not sure.",
        "Can I park there?",
    ],
    ("carecall", "ko"): ["네 잘 지내요", "밥은 먹었어요", "그냥 그래요", "누구세요?"],
    ("carecall", "en"): ["Yes, I'm fine.", "I had some soup.", "So-so, I guess.", "Who is this?"],
}


@dataclass
class Case:
    """One turn to word."""

    scenario: str
    label: str
    caller: str | None
    acts: list[SystemAct]


@dataclass
class Result:
    """How one turn went."""

    scenario: str
    label: str
    caller: str | None
    template: str
    segment: str | None
    candidate: str | None
    spoken: str
    source: str
    reasons: list[str]
    first_token_s: float | None
    total_s: float | None
    read_back: float | None = None


def build_cases(scenarios: dict[str, Scenario]) -> list[Case]:
    """Every act type x shipped scenario x language x caller line."""
    cases = []
    for sid in sorted(scenarios):
        sc = scenarios[sid]
        if (sc.domain, sc.language) not in CALLERS:
            continue  # a domain without caller lines here (e.g. a newer starter): not benched
        turns = (
            restaurant_turns(sc.language)
            if sc.domain == "restaurant"
            else carecall_turns(sc.language)
        )
        callers = CALLERS[(sc.domain, sc.language)]
        for label, acts in turns:
            for caller in [None] if label.startswith("greet") else callers:
                cases.append(Case(sid, label, caller, acts))
    return cases


def run_cases(
    rewriter: ReplyRewriter, scenarios: dict[str, Scenario], cases: Sequence[Case]
) -> list[Result]:
    """Word every case (one at a time: one LLM call in flight, as in a call)."""
    return asyncio.run(_run_cases(rewriter, scenarios, cases))


async def _run_cases(
    rewriter: ReplyRewriter, scenarios: dict[str, Scenario], cases: Sequence[Case]
) -> list[Result]:
    try:
        return await _word_cases(rewriter, scenarios, cases)
    finally:
        await rewriter.aclose()


async def _word_cases(
    rewriter: ReplyRewriter, scenarios: dict[str, Scenario], cases: Sequence[Case]
) -> list[Result]:
    out = []
    for i, case in enumerate(cases):
        sc = scenarios[case.scenario]
        nlg = TemplateNLG(sc)
        history = (HistoryTurn("caller", case.caller),) if case.caller else ()
        req = RewriteRequest(tuple(case.acts), nlg, history, {}, TODAY, f"bench-{i}")
        o = await rewriter.rewrite(req)
        out.append(
            Result(
                case.scenario,
                case.label,
                case.caller,
                o.template_text,
                o.segment_text,
                o.candidate,
                o.text,
                o.source,
                list(o.reasons),
                o.first_token_s,
                o.total_s,
                o.read_back,
            )
        )
        if (i + 1) % 25 == 0:
            print(f"  ... {i + 1}/{len(cases)}", flush=True)
    return out


def _pct(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]:.0f}"


def report(name: str, results: list[Result], first_budget: float, reply_budget: float) -> None:
    """Print the tables of one backend."""
    llm = [r for r in results if r.source != "verbatim"]
    passed = [r for r in llm if r.source == "llm"]
    same = [r for r in passed if near_identical(r.candidate or "", r.segment or "")]
    reworded = [r for r in passed if all(r is not x for x in same)]
    in_budget = [
        r
        for r in reworded
        if (r.first_token_s or 0) <= first_budget and (r.total_s or 0) <= reply_budget
    ]
    n = len(llm) or 1
    print(f"\n#### {name}\n")
    print(
        "| LLM turns | passes and reworded | identical to the template (d < 0.1) | fails "
        "(template spoken) | reworded within budget | reply p50 / p95 (ms) | first token p50 / p95 "
        "(ms) |"
    )
    print("|---|---|---|---|---|---|---|")
    whole = [r.total_s for r in llm if r.total_s is not None]
    first_all = [r.first_token_s for r in llm if r.first_token_s is not None]
    print(
        f"| {len(llm)} | {len(reworded)} ({100 * len(reworded) / n:.1f}%) "
        f"| {len(same)} ({100 * len(same) / n:.1f}%) "
        f"| {len(llm) - len(passed)} ({100 * (len(llm) - len(passed)) / n:.1f}%) "
        f"| {len(in_budget)} ({100 * len(in_budget) / n:.1f}%) "
        f"| {_pct(whole, 0.5)} / {_pct(whole, 0.95)} "
        f"| {_pct(first_all, 0.5)} / {_pct(first_all, 0.95)} |"
    )
    print("\nBy language (reworded / identical / fails of LLM turns):\n")
    for lang in ("ko", "en"):
        mine = [r for r in llm if r.scenario.endswith(f"-{lang}")]
        if mine:
            rw = sum(1 for r in mine if any(r is x for x in reworded))
            sm = sum(1 for r in mine if any(r is x for x in same))
            print(
                f"- {lang}: {len(mine)} turns, reworded {rw} ({100 * rw / len(mine):.0f}%), "
                f"identical {sm}, fails {len(mine) - rw - sm}"
            )
    print(f"\n({len(results)} cases, {len(results) - len(llm)} verbatim by design, no LLM call.)")
    primary = Counter(r.reasons[0] for r in llm if r.source == "template" and r.reasons)
    every = Counter(x for r in llm for x in r.reasons)
    print("\nFallbacks by primary reason (and how often each reason occurs at all):\n")
    print("| reason | primary | % of LLM cases | occurs |")
    print("|---|---|---|---|")
    for reason, count in primary.most_common():
        print(f"| `{reason}` | {count} | {100 * count / n:.1f}% | {every[reason]} |")
    first = [r.first_token_s for r in llm if r.first_token_s is not None]
    total = [r.total_s for r in llm if r.total_s is not None and r.first_token_s is not None]
    print("\n| latency (ms) | p50 | p95 | max |")
    print("|---|---|---|---|")
    print(f"| first token | {_pct(first, 0.5)} | {_pct(first, 0.95)} | {_pct(first, 1.0)} |")
    print(f"| whole reply | {_pct(total, 0.5)} | {_pct(total, 0.95)} | {_pct(total, 1.0)} |")
    over_first = sum(1 for x in first if x > first_budget)
    print(
        f"\nFirst token over {first_budget * 1000:.0f} ms: {over_first}/{len(first)}; "
        f"whole reply over {reply_budget * 1000:.0f} ms: "
        f"{sum(1 for x in total if x > reply_budget)}/{len(total)}."
    )
    print(
        "\nBy scenario: "
        + ", ".join(
            f"{sid} {sum(1 for r in llm if r.scenario == sid and r.source == 'llm')}"
            f"/{sum(1 for r in llm if r.scenario == sid)}"
            for sid in sorted({r.scenario for r in llm})
        )
    )
    print("\nSample (template | LLM | spoken):\n")
    print("| scenario | act | template | LLM said | verdict |")
    print("|---|---|---|---|---|")
    shown: set[tuple[str, str]] = set()
    picks = passed[:6] + [r for r in llm if r.source == "template"]
    for r in picks:
        key = (r.scenario, r.label)
        if key in shown or len(shown) >= 14:
            continue
        shown.add(key)
        cand = (r.candidate or "").replace("|", "/")[:90]
        verdict = "spoken" if r.source == "llm" else "template: " + ", ".join(r.reasons[:3])
        print(f"| {r.scenario} | {r.label} | {(r.segment or '')[:70]} | {cand} | {verdict} |")


def list_passes(results: list[Result]) -> None:
    """Every LLM wording that passed the checks, to be judged by a person."""
    passed = [r for r in results if r.source == "llm"]
    print(f"\nEvery wording spoken from the LLM ({len(passed)}; d = normalised edit distance):\n")
    print("| scenario | act | caller | template | spoken | d |")
    print("|---|---|---|---|---|---|")
    for r in passed:
        d = normalised_distance(r.candidate or "", r.segment or "")
        print(
            f"| {r.scenario} | {r.label} | {r.caller or ''} | {r.segment or ''} "
            f"| {(r.candidate or '').replace('|', '/')} | {d:.2f} |"
        )


def fault_injection() -> None:
    """The checks' fault-injection figure, from the tests' own cases."""
    try:
        from tests.nlg_checks.test_fault_injection import CALLER_ECHOES, FAULTS, GOOD, check
    except ImportError:
        print("\n(fault injection: tests/ not importable from here)")
        return
    caught = sum(1 for lang, kind, cand, _ in FAULTS if not check(lang, kind, cand).ok)
    right = sum(
        1 for lang, kind, cand, reason in FAULTS if reason in check(lang, kind, cand).reasons
    )
    good = sum(1 for lang, kind, cand in GOOD if check(lang, kind, cand).ok)
    echoes = sum(
        1
        for lang, kind, caller, cand in CALLER_ECHOES
        if "role_flip" in check(lang, kind, cand, caller_text=caller).reasons
    )
    print(
        f"\nFault injection (tests/nlg_checks): {caught}/{len(FAULTS)} injected faults caught "
        f"({right} with the expected reason), {echoes}/{len(CALLER_ECHOES)} caller questions "
        f"asked back caught; {good}/{len(GOOD)} faithful paraphrases pass."
    )


def _sample(cases: list[Case], limit: int | None) -> list[Case]:
    if not limit or limit >= len(cases):
        return cases
    step = len(cases) / limit
    return [cases[int(i * step)] for i in range(limit)]


def _floor(text: str) -> float | None:
    """``--read-back``: ``off``, ``measure`` (score, never reject) or a floor."""
    if text == "off":
        return None
    return float("-inf") if text == "measure" else float(text)


def bench_backend(
    name: str,
    llm: LLMClient,
    scenarios: dict[str, Scenario],
    cases: list[Case],
    args: argparse.Namespace,
) -> list[Result]:
    """Warm up, word every case, print the tables."""
    rewriter = ReplyRewriter(
        llm,
        first_token_budget=10.0,
        total_budget=20.0,
        candidates=args.candidates,
        temperature=args.temperature,
        tuned_examples=args.examples and not args.no_examples,
        read_back_floor=_floor(args.read_back),
    )
    try:
        t0 = time.perf_counter()
        if not rewriter.warm_up():
            print(f"{name}: the LLM did not answer; skipped")
            return []
        print(f"{name}: ready in {time.perf_counter() - t0:.1f} s; {len(cases)} cases", flush=True)
        t0 = time.perf_counter()
        results = run_cases(rewriter, scenarios, cases)
        print(f"{name}: {time.perf_counter() - t0:.0f} s", flush=True)
    finally:
        rewriter.close()
    report(name, results, args.first_token_ms / 1000, args.reply_ms / 1000)
    list_passes(results)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print markdown tables."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2, help="llama.cpp threads (local model)")
    p.add_argument("--limit", type=int, default=None, help="word only N cases (evenly spread)")
    p.add_argument("--no-local", action="store_true", help="skip the bundled model")
    p.add_argument("--first-token-ms", type=float, default=300.0)
    p.add_argument("--reply-ms", type=float, default=3000.0)
    p.add_argument("--json", default=None, help="write every result to this file")
    p.add_argument(
        "--adapter",
        default="none",
        help="LoRA adapter on the bundled model: none (few-shot prompts), bundled (the tuned "
        "generator, its own prompt) or a .gguf path",
    )
    p.add_argument(
        "--candidates",
        type=int,
        default=1,
        help="wordings tried per turn (the first greedy, then sampled): the first that passes "
        "and is not the template again is spoken",
    )
    p.add_argument("--temperature", type=float, default=0.8, help="of the sampled candidates")
    p.add_argument(
        "--examples",
        action="store_true",
        help="tuned adapter: worked rewordings before the task (few-shot; default: bare prompt)",
    )
    p.add_argument("--no-examples", action="store_true", help="the bare prompt (the default)")
    p.add_argument(
        "--read-back",
        default=str(READ_BACK_FLOOR),
        help="tuned adapter: the read-back floor (meaning:read_back), 'measure' to score "
        "without rejecting, or 'off'",
    )
    p.add_argument(
        "--llm-only",
        action="store_true",
        help="sample only cases that send a segment to the LLM (--limit counts LLM turns)",
    )
    args = p.parse_args(argv if argv is not None else [])
    scenarios = load_scenarios()
    every = build_cases(scenarios)
    if args.llm_only:
        every = [
            c
            for c in every
            if any(s.rewrite for s in plan_turn(c.acts, TemplateNLG(scenarios[c.scenario])))
        ]
    cases = _sample(every, args.limit)
    rewritable = sum(
        1
        for c in cases
        if any(s.rewrite for s in plan_turn(c.acts, TemplateNLG(scenarios[c.scenario])))
    )
    kinds = sorted({a.kind for c in cases for a in c.acts})
    print(
        f"{len(cases)} cases ({rewritable} with an LLM call) over {len(scenarios)} scenarios; "
        f"act kinds: {', '.join(kinds)}; load average {os.getloadavg()[0]:.1f}"
    )
    fault_injection()
    everything: dict[str, list[dict[str, Any]]] = {}
    if not args.no_local:
        works, detail = llama_cpp_build_works()
        if works:
            lora = bundled_adapter_path() if args.adapter == "bundled" else args.adapter
            lora = None if lora in (None, "none") else lora
            llm = LlamaCppClient(n_ctx=2048, n_threads=args.threads, max_retries=0, lora_path=lora)
            name = f"bundled Gemma 3 270M, llama.cpp in process, {args.threads} threads"
            name += f", tuned adapter {os.path.basename(lora)}" if lora else ""
            if lora:
                few = args.examples and not args.no_examples
                name += ", few-shot prompt" if few else ", bare prompt"
            if args.candidates > 1:
                name += f", {args.candidates} candidates (T={args.temperature})"
            if lora:
                name += f", read-back {args.read_back}"
            everything["local"] = [
                asdict(r) for r in bench_backend(name, llm, scenarios, cases, args)
            ]
        else:
            print(f"local model skipped: {detail}")
    url = os.environ.get("AICALL_LLM_URL")
    if url:
        model = os.environ.get("AICALL_LLM_MODEL") or "default"
        remote = OpenAICompatClient(
            url, model=model, api_key=os.environ.get("AICALL_LLM_API_KEY"), max_retries=1
        )
        name = f"OpenAI-compatible {url} ({model}), chat prompts"
        everything["openai"] = [
            asdict(r) for r in bench_backend(name, remote, scenarios, cases, args)
        ]
    else:
        print(
            "\n(OpenAI-compatible endpoint: set AICALL_LLM_URL and AICALL_LLM_MODEL to bench one)"
        )
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(everything, f, ensure_ascii=False, indent=1, default=str)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
