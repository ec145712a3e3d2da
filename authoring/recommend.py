"""Recommend what the agent says next at a point of a task, and where the call branches.

For each point of a task — asking each of its slots, confirming, the end — :func:`recommend`
proposes system utterances in the scenario's persona and the branches they open:

- asking a slot: the caller gives it (positive) -> the next slot, or the confirmation; the
  caller does not know or refuses (negative) -> re-prompt up to ``max_reprompts``, then the
  scenario's fallback (hand-over or end);
- confirming: yes -> run the task's action; no -> ask what to correct (or keep the booking).

The first proposal is always the scenario's own template; an LLM adds rewordings, each
checked by :func:`nlg.checks.check_reply` (for templates without placeholders) or for keeping
every ``{placeholder}`` — a rewording that fails is dropped with its reason.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from authoring.generate import PROMPT_VERSION, ask_llm
from authoring.goals import asked_slots
from authoring.templates import PLACEHOLDER
from common.errors import InputError
from dialogue.acts import SystemAct
from nlg.checks import check_reply
from nlg.llm import LLMClient
from scenarios.schema import Scenario

__all__ = ["Branch", "Point", "recommend"]

_DEMO = {
    "ko": (
        ("주문하실 메뉴를 말씀해 주세요.", "어떤 메뉴로 주문하시겠어요?"),
        ("배송 받으실 주소를 알려 주시겠어요?", "받으실 주소가 어떻게 되세요?"),
    ),
    "en": (
        ("What would you like to order?", "What can I get for you today?"),
        ("Could you tell me your address?", "What address should we deliver to?"),
    ),
}
_HEAD = {
    "ko": "{business} 직원 {name}의 전화 응대. 같은 뜻을 다른 공손한 말로 바꿉니다.",
    "en": "{name} of {business} on the phone. The same meaning, said another polite way.",
}


@dataclass(frozen=True)
class Branch:
    """Where the call goes after the caller's answer.

    Attributes:
        when: ``positive`` or ``negative``.
        caller: what the caller does (gives the value, says yes, refuses...).
        then: what the agent does next.
    """

    when: str
    caller: str
    then: str


@dataclass
class Point:
    """A point of a task: what the agent says there and the branches.

    Attributes:
        name: the template key (``ask_date``, ``confirm_book``).
        act: the system act (``request``, ``confirm``, ``inform``).
        slot: the slot asked for, if any.
        say: proposed utterances, the template first.
        sources: where each proposal came from (``template`` or ``llm_response``).
        dropped: rewordings the checks rejected, with the reason.
        branches: the branches the point opens.
    """

    name: str
    act: str
    slot: str | None
    say: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)


def _points(sc: Scenario, task_name: str) -> list[Point]:
    task = sc.tasks[task_name]
    fallback = (
        "hand the call over to a person" if sc.globals.fallback == "handover" else "end the call"
    )
    reprompts = sc.globals.max_reprompts
    asked = [s for s in asked_slots(sc, task_name) if sc.slots[s].default != "caller_id"]
    points: list[Point] = []
    for i, slot in enumerate(asked):
        nxt = (
            f"ask {asked[i + 1]}"
            if i + 1 < len(asked)
            else ("confirm every value" if task.confirm else f"run {task.action}")
        )
        p = Point(sc.slots[slot].prompt, "request", slot)
        p.branches = [
            Branch("positive", f"gives {slot}", nxt),
            Branch(
                "negative",
                "does not know or refuses",
                f"re-prompt (up to {reprompts}), then {fallback}",
            ),
        ]
        points.append(p)
    if task.confirm:
        p = Point(f"confirm_{task_name}", "confirm", None)
        p.branches = [
            Branch("positive", "says yes", f"run {task.action}, then say done_{task_name}"),
            Branch(
                "negative", "says no", "ask what_to_correct (or keep_booking when nothing changes)"
            ),
        ]
        points.append(p)
    done = Point(f"done_{task_name}", "inform", None)
    done.branches = [
        Branch("positive", "wants something else", "ask_intent"),
        Branch("negative", "nothing else", "bye, end the call"),
    ]
    points.append(done)
    return points


def _check(sc: Scenario, point: Point, template: str, text: str, prompt: str) -> str | None:
    text = text.strip()
    if not text:
        return "empty"
    wanted = set(PLACEHOLDER.findall(template))
    if wanted:
        got = set(PLACEHOLDER.findall(text))
        if got != wanted:
            return f"placeholders {sorted(wanted - got) or sorted(got - wanted)}"
        return None

    result = check_reply(
        text,
        acts=[SystemAct(point.act, point.slot, {}, point.name)],
        template_text=template,
        lang=sc.language,
        polite=sc.persona.honorific != "casual",
        allowed_text=[sc.persona.name, sc.persona.business],
        prompt=prompt,
    )
    return None if result.ok else ",".join(str(r) for r in result.reasons)


def recommend(
    sc: Scenario,
    task_name: str,
    *,
    llm: LLMClient | None = None,
    n: int = 3,
    slot: str | None = None,
    seed: int = 0,
) -> list[Point]:
    """Points of a task with proposed utterances (template first) and their branches.

    Raises:
        InputError: no such task or slot in the scenario.
        LLMUnavailableError: ``llm`` is given but cannot be reached.
    """
    if task_name not in sc.tasks:
        raise InputError(f"no task {task_name!r} in {sc.id}; have: {', '.join(sc.tasks)}")
    points = _points(sc, task_name)
    if slot is not None:
        points = [p for p in points if p.slot == slot]
        if not points:
            raise InputError(f"task {task_name!r} does not ask for slot {slot!r}")
    lang = sc.language if sc.language in _DEMO else "en"
    rng = random.Random(seed)
    for p in points:
        template = sc.templates.get(p.name, "")
        if template:
            p.say.append(template)
            p.sources.append("template")
        if llm is None or not template:
            continue
        head = _HEAD[lang].format(business=sc.persona.business, name=sc.persona.name)
        label_a, label_b = ("원래", "다르게") if lang == "ko" else ("Original", "Another way")
        demo = "\n".join(f"{label_a}: {a}\n{label_b}: {b}" for a, b in _DEMO[lang])
        prompt = f"{head}\n{demo}\n{label_a}: {template}\n{label_b}:"
        for _ in range(n):
            seed_ = rng.randrange(1 << 30)

            def ask(prompt: str = prompt, seed_: int = seed_) -> Any:
                assert llm is not None
                return llm.complete_sync(
                    prompt, max_tokens=48, temperature=0.8, seed=seed_, stop=["\n"]
                )

            done = ask_llm(ask)
            text = done.text.strip()
            reason = _check(sc, p, template, text, prompt)
            if reason is None and text not in p.say:
                p.say.append(text)
                p.sources.append("llm_response")
            elif reason is not None:
                p.dropped.append((text, reason))
    return points


RECOMMEND_PROMPT_VERSION = PROMPT_VERSION
