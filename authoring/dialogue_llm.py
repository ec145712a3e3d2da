"""The caller's side of a goal dialogue written by an LLM, checked, with the template as fallback.

The template writer (:func:`~authoring.dialogues.write_dialogue`) fixes the dialogue's
shape: what the agent asks, in order, and what each caller turn must say. The LLM writes the
caller's lines in its own words: one few-shot completion prompt per dialogue for a *base*
model (two demonstrations in the scenario's language: the template dialogues of two other
goals of the same task, in the same shape, or two fixed ones for other tasks; then the goal),
its output a JSON object
constrained by a schema (llama.cpp grammar locally, ``response_format`` remotely) with one key
per caller turn that names what the turn answers and must say (``"request: table for 4,
tomorrow, 7 pm"``, ``"seating: private room"``, ``"confirm: yes"``): the grammar writes each
key just before its line, so the model reads what to say right where it says it.

Checks (:func:`check_lines`), each failure named in :attr:`Dialogue.note`:

- ``wrong_language`` / ``malformed``: every line in the scenario's language, one line, no
  markup (the augmentation screen's own rules);
- ``missing <what>`` / ``extra <what>``: each line says exactly the values of its turn (dates,
  times, counts, categories, yes or no, the name), read with the NLU's value parsers;
- ``agent_line``: no line is one of the agent's own lines (a template of the scenario) or asks
  what the agent asks;
- ``intent``: the first line is understood by the scenario's NLU as the goal's task;
- ``prompt_echo``: a line repeats the prompt's own wording ("예약 변경 요청");
- ``particle``: a Korean (으)로 that does not agree with the word before it ("여섯 명로");
- ``copy``: the lines are the template's own (nothing the LLM added).

A dialogue that passes has ``source == "llm"``; otherwise the template dialogue is kept with
``source == "template"`` and the reason. An LLM that cannot be reached gives the template
dialogue with the reason, never an error.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from authoring.dialogues import write_dialogue
from authoring.domain import AuthoringDomain
from authoring.filters import normalise, reject_reason_of_text
from authoring.goals import Goal, plan_goal
from authoring.model import DEFAULT_NOW, Dialogue
from common.errors import AicallError
from nlg.llm import LLMClient
from nlu.categories import match_category
from nlu.config import scenario_parser
from nlu.parsers import extract_all
from scenarios.schema import Scenario

__all__ = [
    "DIALOGUE_PROMPT_VERSION",
    "check_lines",
    "goal_dialogues",
    "json_keys",
    "llm_dialogue",
    "turn_keys",
]

DIALOGUE_PROMPT_VERSION = "dialogue-v4"
#: seconds for one dialogue (a grammar-constrained call of ~100 tokens on the 270M model)
BUDGET = 120.0
_TYPED = ("date", "time", "count", "phone", "yesno")
# (goal, [(key: what the line says, the caller's line)]): the format the base model continues
_DEMOS: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = {
    "en": (
        (
            "a customer wants a table for 2 on Friday at 6 pm outside, under the name Sam Lee",
            (
                ("request: 2 people, Friday, 6 pm, outside",
                 "Hi, could I get a table for two this Friday at 6 pm, outside if possible?"),
                ("name: Sam Lee", "Sure, it's Sam Lee"),
                ("confirm: yes", "Yes, that's right"),
                ("goodbye: no", "No, that's everything, thanks"),
            ),
        ),
        (
            "a customer who booked for tomorrow at 7 wants to move it to 8 pm",
            (
                ("request: wants to change the booking", "Hello, I need to change my reservation"),
                ("change: 8 pm", "Could we push it to 8 pm?"),
                ("confirm: yes", "Yes please"),
                ("goodbye: no", "No, thank you, bye"),
            ),
        ),
    ),
    "ko": (
        (
            "손님이 금요일 저녁 6시에 두 명, 야외 자리로 예약한다. 이름은 이서연",
            (
                ("request: 금요일, 저녁 6시, 두 명, 야외",
                 "금요일 저녁 6시에 두 명 야외 자리로 예약 가능할까요?"),
                ("name: 이서연", "이서연이에요"),
                ("confirm: 네", "네 맞아요"),
                ("goodbye: 아니요", "아니요, 괜찮습니다"),
            ),
        ),
        (
            "내일 저녁 7시에 예약한 손님이 8시로 바꾼다",
            (
                ("request: 예약 변경 요청", "예약 시간 좀 바꾸려고 하는데요"),
                ("change: 8시", "8시로 해 주실 수 있을까요?"),
                ("confirm: 네", "네 그렇게 해 주세요"),
                ("goodbye: 아니요", "아니요 됐어요"),
            ),
        ),
    ),
}  # fmt: skip
_HEAD = {
    "en": "Phone calls to a restaurant: what the caller says, as JSON, one line per turn.",
    "ko": "식당에 건 전화: 손님이 차례마다 한 말을 JSON으로 적는다.",
}
_LABELS = {"en": "Goal", "ko": "목표"}
_ASKS = {
    "en": {"book": "wants to book a table", "change_booking": "wants to change the booking",
           "cancel_booking": "wants to cancel the booking"},
    "ko": {"book": "예약 요청", "change_booking": "예약 변경 요청", "cancel_booking": "예약 취소 요청"},
}  # fmt: skip
_ASKING = re.compile(
    r"\b(?:how can i help|may i have|what (?:date|time) would|how many people will|would you like|"
    r"shall i|is there anything else|what is the best phone)|도와드릴까요|말씀해 주세요|"
    r"해 드릴까요|드릴까요\?",
    re.I,
)


def _bigrams(text: str) -> set[str]:
    t = normalise(text).replace(" ", "")
    return {t[i : i + 2] for i in range(len(t) - 1)}


def _similar(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _bad_particle(line: str) -> str | None:
    """A (으)로 that does not agree with the syllable before it ("명로", "시으로"), or None."""
    for m in re.finditer(r"([가-힣])(으로|로)", line):
        syllable, particle = m.group(1), m.group(2)
        final = (ord(syllable) - 0xAC00) % 28
        needs = "로" if final in (0, 8) else "으로"  # no final consonant, or ㄹ: 로
        if particle != needs and syllable != "으":
            return m.group(0)
    return None


def _asked(sc: Scenario, agent_text: str) -> str | None:
    """The slot (or ``yesno``) the agent's line asks for, by its template."""
    for slot, spec in sc.slots.items():
        if spec.prompt and sc.templates.get(spec.prompt, spec.prompt) == agent_text:
            return slot
    if any(agent_text == v for k, v in sc.templates.items() if k.startswith("confirm_")):
        return "yesno"
    return None


def turn_keys(sc: Scenario, turns: list[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """``(key, asked slot)`` per caller turn: the JSON key naming what the turn answers."""
    keys: list[tuple[str, str | None]] = []
    last_agent = ""
    for who, text in turns:
        if who != "user":
            last_agent = text
            continue
        asked = _asked(sc, last_agent)
        if not keys:
            key = "request"
        elif asked == "yesno":
            key = "confirm"
        elif asked is not None:
            key = asked
        elif sc.templates.get("anything_else", "\0") in last_agent:
            key = "goodbye"
        elif sc.templates.get("ask_change_what", "\0") in last_agent:
            key = "change"
        else:
            key = "answer"
        used = sum(1 for k, _ in keys if k == key or k.startswith(f"{key}_"))
        keys.append((f"{key}_{used + 1}" if used else key, asked))
    return keys


def _content(sc: Scenario, line: str, asked: str | None, today: date) -> set[tuple[str, Any]]:
    """The values one caller line says (typed values, categories, yes or no)."""
    spec = sc.slots.get(asked) if asked else None
    expected = spec.type if spec is not None else asked
    out: set[tuple[str, Any]] = set()
    for v in extract_all(line, sc.language, today, expected):
        if v.name not in _TYPED or (v.name == "yesno" and expected != "yesno"):
            continue
        value = v.value
        if isinstance(value, time):  # "7" and "7 pm" are the same hour to the agent
            value = (value.hour % 12, value.minute)
        out.add((v.name, value))
    for slot, sspec in sc.slots.items():
        if sspec.type == "category":
            for hit in match_category(line, slot, sspec.values, sc.language, multiple=True):
                out.add((slot, hit.value))
    return out


def check_lines(
    sc: Scenario,
    template_turns: list[tuple[str, str]],
    lines: list[str],
    *,
    today: date,
    task: str | None = None,
    name: str | None = None,
) -> str | None:
    """Why LLM caller ``lines`` cannot replace the template dialogue's caller turns, or None.

    Args:
        sc: the scenario.
        template_turns: the template dialogue's turns (what each caller turn must say).
        lines: the LLM's caller lines, one per caller turn.
        today: the call's date (relative dates).
        task: the goal's task: the first line must be read as its intent.
        name: the caller's name, when a turn says it.
    """
    keys = turn_keys(sc, template_turns)
    wanted = [t for who, t in template_turns if who == "user"]
    if len(lines) != len(wanted):
        return f"malformed: {len(lines)} lines for {len(wanted)} caller turns"
    domain = AuthoringDomain.from_scenario(sc)
    agent_lines = [_bigrams(t) for t in sc.templates.values() if len(t) > 6]
    for (key, asked), line, want in zip(keys, lines, wanted, strict=True):
        line = line.strip()
        if len(line) < 2 and not re.fullmatch(r"[네예응]", line):
            return f"malformed: {key}: {line!r}"
        why = reject_reason_of_text(line.replace("[", "(").replace("]", ")"), domain)
        if why and not (why == "malformed" and len(line) < 2):
            return f"{why}: {key}: {line!r}"
        if any(a in line for a in _ASKS.get(sc.language, _ASKS["en"]).values()):
            return f"prompt_echo: {key}: {line!r}"
        if sc.language == "ko" and (bad := _bad_particle(line)):
            return f"particle: {key}: {bad!r} in {line!r}"
        grams = _bigrams(line)
        if _ASKING.search(line) or any(_similar(grams, a) >= 0.6 for a in agent_lines):
            return f"agent_line: {key}: {line!r}"
        has, need = _content(sc, line, asked, today), _content(sc, want, asked, today)
        if ("yesno", False) in need and len(need) > 1:  # a correction needs no "no" first
            need.discard(("yesno", False))
            has.discard(("yesno", False))
        if need - has:
            return f"missing {sorted(need - has, key=str)[0]}: {key}: {line!r}"
        if has - need:
            return f"extra {sorted(has - need, key=str)[0]}: {key}: {line!r}"
        if name and name in want and name not in line:
            return f"missing name {name!r}: {key}: {line!r}"
    if task is not None and not sc.start_task:
        intent = sc.tasks[task].intent
        first = scenario_parser(sc).parse(lines[0], today=today)
        if first.intent != intent:
            return f"intent: request read as {first.intent!r}, not {intent!r}: {lines[0]!r}"
    return None


def _hint(sc: Scenario, line: str, asked: str | None, intent: str | None, today: date) -> str:
    """What one caller line must say, in the template line's own value words."""
    spec = sc.slots.get(asked) if asked else None
    expected = spec.type if spec is not None else asked
    words = [
        v.text
        for v in extract_all(line, sc.language, today, expected)
        if v.name in _TYPED and (v.name != "yesno" or expected == "yesno")
    ]
    for slot, sspec in sc.slots.items():
        if sspec.type == "category":
            hits = match_category(line, slot, sspec.values, sc.language, multiple=True)
            words += [h.text for h in hits]
    if spec is not None and spec.type == "name":
        words = [line.removeprefix("my name is ").removesuffix("입니다")]
    if not words and intent is not None:
        words = [_ASKS.get(sc.language, _ASKS["en"]).get(intent, intent)]
    if not words:
        words = [line]  # a bare yes or no
    return ", ".join(words)


def json_keys(
    sc: Scenario, goal: Goal, template_turns: list[tuple[str, str]], today: date
) -> list[str]:
    """The JSON keys of the caller lines: what each turn answers and must say.

    ``"request: table for 4, tomorrow, 7 pm"``: the grammar writes each key just before its
    line, so the model reads what the line must say right where it writes it.
    """
    lines = [t for who, t in template_turns if who == "user"]
    intent = None if sc.start_task else sc.tasks[goal.task].intent
    return [
        f"{key}: {_hint(sc, line, asked, intent if k == 0 else None, today)}"
        for k, ((key, asked), line) in enumerate(
            zip(turn_keys(sc, template_turns), lines, strict=True)
        )
    ]


# demonstration goals per task intent: their dialogues (same shape as the target's) are shown
_DEMO_GOALS = {
    "en": {
        "book": ("a customer wants a table for 2 on Friday at 6 pm outside",
                 "a customer wants a table for 5 on December 3 at 12 pm in the hall, "
                 "then changes to 3 people"),
        "change_booking": ("a customer who booked for Friday at 6 pm wants to change it to 8 pm",
                           "a customer with a booking for December 3 at 12 pm wants to change "
                           "it to 5 people"),
        "cancel_booking": ("a customer wants to cancel their booking for Friday at 6 pm",
                           "a caller cancels the reservation for December 3 at 12 pm"),
    },
    "ko": {
        "book": ("손님이 금요일 저녁 6시에 두 명, 야외 자리로 예약",
                 "손님이 12월 3일 낮 12시에 다섯 명, 홀로 예약하다가 세 명으로 바꾼다"),
        "change_booking": ("금요일 저녁 6시 예약을 8시로 변경하려는 손님",
                           "12월 3일 낮 12시 예약을 다섯 명으로 바꾸려는 손님"),
        "cancel_booking": ("손님이 금요일 저녁 6시 예약을 취소한다",
                           "손님이 12월 3일 낮 12시 예약을 취소한다"),
    },
}  # fmt: skip


def _demos(sc: Scenario, goal: Goal, variant: int, today: date) -> list[str]:
    """Demonstrations for this goal: dialogues of other goals of its task, in its shape."""
    label = _LABELS.get(sc.language, "Goal")
    intent = sc.tasks[goal.task].intent
    texts = _DEMO_GOALS.get(sc.language, {}).get(intent, ())
    out = []
    for k, text in enumerate(texts):
        try:
            demo_goal = plan_goal(sc, text, today=today)
        except AicallError:  # a scenario without these slots: the fixed demonstrations
            return []
        # the same opening plan (variant % 3) in the other wording (variant % 2)
        demo = write_dialogue(sc, demo_goal, today=today, variant=variant + 3 * (k + 1))
        keys = json_keys(sc, demo_goal, demo.turns, today)
        lines = demo.caller_turns
        out.append(
            f"{label}: {text}\n{json.dumps(dict(zip(keys, lines, strict=True)), ensure_ascii=False)}"
        )
    return out


def _prompt(sc: Scenario, goal: Goal, variant: int, today: date) -> str:
    lang = sc.language if sc.language in _DEMOS else "en"
    label = _LABELS[lang]
    blocks = [_HEAD[lang]]
    demos = _demos(sc, goal, variant, today)
    if not demos:
        for goal_text, pairs in _DEMOS[lang]:
            demos.append(f"{label}: {goal_text}\n{json.dumps(dict(pairs), ensure_ascii=False)}")
    blocks += demos
    blocks.append(f"{label}: {goal.text}\n")
    return "\n\n".join(blocks)


def _schema(keys: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {k: {"type": "string", "minLength": 1, "maxLength": 120} for k in keys},
        "required": keys,
        "additionalProperties": False,
    }


def llm_dialogue(
    llm: LLMClient,
    sc: Scenario,
    goal: Goal,
    template: Any,
    *,
    today: date,
    seed: int = 0,
    budget: float = BUDGET,
) -> Any:
    """The template dialogue with its caller lines written by ``llm``, if they pass the checks.

    Args:
        llm: the LLM client.
        sc: the scenario.
        goal: the planned goal.
        template: the :class:`~authoring.dialogues.Dialogue` from the template writer
            (its shape and what each caller turn must say).
        today: the call's date.
        seed: sampling seed (one per variant).
        budget: seconds for the LLM call.

    Returns:
        A dialogue with ``source="llm"``, or ``template`` with ``source="template"`` and a
        ``note`` saying why the LLM's lines were not used.
    """
    keys = json_keys(sc, goal, template.turns, today)
    try:
        data = llm.complete_json_sync(
            _prompt(sc, goal, template.variant, today),
            _schema(keys),
            max_tokens=48 * len(keys),
            temperature=0.7,
            seed=seed,
            budget=budget,
        )
    except AicallError as e:  # unreachable, too slow, malformed JSON: the template stays
        return replace(template, source="template", note=f"llm: {type(e).__name__}: {e}"[:200])
    lines = [str(data.get(k, "")).strip() for k in keys]
    name = goal.final().get("name") if isinstance(goal.final().get("name"), str) else None
    why = check_lines(sc, template.turns, lines, today=today, task=goal.task, name=name)
    if why is None and lines == template.caller_turns:
        why = "copy: the LLM wrote the template's own lines"
    if why is not None:
        return replace(template, source="template", note=why[:200])
    it = iter(lines)
    turns = [(who, next(it) if who == "user" else text) for who, text in template.turns]
    return replace(template, turns=turns, source="llm", note=None)


def goal_dialogues(
    sc: Scenario,
    goal_text: str,
    n: int,
    *,
    now: datetime = DEFAULT_NOW,
    llm: LLMClient | None = None,
    seed: int = 0,
) -> list[Dialogue]:
    """``n`` variants of the dialogue of one goal script.

    With ``llm``, each variant's caller lines are written by the LLM
    (:func:`~authoring.dialogue_llm.llm_dialogue`) and checked; a variant whose LLM
    output fails a check, or an LLM that cannot be reached, gives the template variant
    instead, with :attr:`Dialogue.note` saying why.

    Raises:
        GoalError: the goal cannot be understood.
    """
    goal = plan_goal(sc, goal_text, today=now.date())
    out = []
    for i in range(n):
        written = write_dialogue(sc, goal, today=now.date(), variant=i)
        if llm is not None:
            written = llm_dialogue(llm, sc, goal, written, today=now.date(), seed=seed + i)
        out.append(written)
    return out
