"""The caller's side of a goal dialogue written by an LLM, checked, with the template as fallback.

The template writer (:func:`~authoring.dialogues.write_dialogue`) fixes the dialogue's
shape: what the agent asks, in order, and what each caller turn must say. The LLM writes the
caller's lines in its own words, two ways:

- **turn by turn** (:func:`llm_dialogue_turns`, the default, prompt ``turns-v1``): per caller
  turn one few-shot *list* prompt for a base model ("what the caller says when asked ...",
  ``- `` lines), its demonstrations from the scenario itself (examples of the turn's intent,
  the template writer's wordings, the slots' usual phrases, for a questionnaire answer the
  examples and synonyms that say the same value), the turn's values as ``{slot}`` blanks;
  the model continues the list, each new line is a candidate, its blanks are filled with the
  goal's exact words (:func:`~authoring.frames.fill_frames`: Korean particles agree) and
  checked; the first that passes is kept, up to :data:`TURN_CALLS` completions per turn;
- **one JSON prompt per dialogue** (:func:`llm_dialogue`, prompt ``dialogue-v4``): two
  demonstrations (the template dialogues of two other goals of the same task), its output a
  JSON object constrained by a schema (llama.cpp grammar locally, ``response_format``
  remotely) with one key per caller turn that names what the turn answers and must say
  (``"request: table for 4, tomorrow, 7 pm"``).

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
- ``copy``: the lines are the template's own (nothing the LLM added);
- turn by turn also: ``blanks`` (a candidate without exactly the turn's ``{slot}`` blanks),
  ``intent`` (a yes or no the NLU does not read as ``affirm`` / ``deny``, a line read as
  ``repeat``, ``human`` or ``out_of_scope``), ``prompt_echo`` (a demonstration handed back,
  Korean of 3 words or more, English of 4 or more: a bare answer such as "여섯 명입니다" is
  how anyone says it; the prompt's own head words; in Korean the value's label, "조금 드심").

A dialogue that passes has ``source == "llm"``; otherwise the template dialogue is kept with
``source == "template"`` and the reason. An LLM that cannot be reached gives the template
dialogue with the reason, never an error.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from authoring.dialogues import say_value, write_dialogue
from authoring.domain import AuthoringDomain
from authoring.filters import normalise, reject_reason_of_text
from authoring.frames import (
    _EN_ANSWER,
    _EN_SLOT_PHRASE,
    _KO_ANSWER,
    _KO_SLOT_PHRASE,
    fill_frames,
    ko_sentence,
)
from authoring.goals import Goal, plan_goal
from authoring.model import DEFAULT_NOW, Dialogue
from authoring.templates import PLACEHOLDER
from common.errors import AicallError, InputError
from nlg.llm import LLMClient, utterance_prompt
from nlu.categories import match_category
from nlu.config import scenario_parser
from nlu.parsers import extract_all
from scenarios.annotations import parse_annotations
from scenarios.schema import Scenario

__all__ = [
    "DIALOGUE_PROMPT_VERSION",
    "TURNS_PROMPT_VERSION",
    "TurnSpec",
    "check_line",
    "check_lines",
    "goal_dialogues",
    "json_keys",
    "llm_dialogue",
    "llm_dialogue_turns",
    "turn_keys",
    "turn_prompt",
    "turn_specs",
    "write_turn",
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
        # an answer to a category question fills that slot only ("a little better" to
        # "have you been eating?" says the meal, not how a symptom changed)
        if sspec.type == "category" and (spec is None or spec.type != "category" or slot == asked):
            for hit in match_category(line, slot, sspec.values, sc.language, multiple=True):
                out.add((slot, hit.value))
    return out


_DERAIL = ("repeat", "human", "out_of_scope")


def check_line(
    sc: Scenario,
    key: str,
    asked: str | None,
    line: str,
    want: str,
    *,
    today: date,
    name: str | None = None,
    domain: AuthoringDomain | None = None,
    intent: str | None = None,
) -> str | None:
    """Why one LLM caller ``line`` cannot stand for the template line ``want``, or None.

    The checks of :func:`check_lines` for one caller turn (``key``: what it answers,
    ``asked``: the slot the agent asked for), the first-line intent aside. ``intent``
    ``affirm`` or ``deny`` (a yes or a no): the scenario's NLU must read the line so (a
    goodbye's no may also read as ``goodbye``).
    """
    domain = domain or AuthoringDomain.from_scenario(sc)
    line = line.strip()
    if len(line) < 2 and not re.fullmatch(r"[네예응]", line):
        return f"malformed: {key}: {line!r}"
    if len(line) > 120:
        return f"malformed: {key}: too long ({len(line)} characters)"
    why = reject_reason_of_text(line.replace("[", "(").replace("]", ")"), domain)
    if why and not (why == "malformed" and len(line) < 2):
        return f"{why}: {key}: {line!r}"
    if any(a in line for a in _ASKS.get(sc.language, _ASKS["en"]).values()):
        return f"prompt_echo: {key}: {line!r}"
    if "{" in line or "}" in line:
        return f"malformed: {key}: {line!r}"
    if sc.language == "ko" and (bad := _bad_particle(line)):
        return f"particle: {key}: {bad!r} in {line!r}"
    grams = _bigrams(line)
    agent_lines = [_bigrams(t) for t in sc.templates.values() if len(t) > 6]
    if _ASKING.search(line) or any(_similar(grams, a) >= 0.6 for a in agent_lines):
        return f"agent_line: {key}: {line!r}"
    has, need = _content(sc, line, asked, today), _content(sc, want, asked, today)
    if key.startswith("goodbye"):  # "아니요 없어요": a no, not a symptom
        has, need = _content(sc, line, "yesno", today), _content(sc, want, "yesno", today)
        has, need = {h for h in has if h[0] == "yesno"}, {n for n in need if n[0] == "yesno"}
    if ("yesno", False) in need and len(need) > 1:  # a correction needs no "no" first
        need.discard(("yesno", False))
        has.discard(("yesno", False))
    if need - has:
        return f"missing {sorted(need - has, key=str)[0]}: {key}: {line!r}"
    if has - need:
        return f"extra {sorted(has - need, key=str)[0]}: {key}: {line!r}"
    if name and name in want:  # the agent must take it as the name ("no one called X": no)
        parsed = scenario_parser(sc).parse(line, today=today, expected="name")
        if name not in line or not any(v.value == name for v in parsed.slots):
            return f"missing name {name!r}: {key}: {line!r}"
    spec = sc.slots.get(asked) if asked else None
    expected = spec.type if spec is not None else asked  # read as the agent reads an answer
    read = scenario_parser(sc).parse(line, today=today, expected=expected).intent
    if read in _DERAIL and read in sc.intents:  # the agent would not take it as an answer
        return f"intent: {key} read as {read!r}: {line!r}"
    if intent in ("affirm", "deny") and intent in sc.intents:
        ok = {intent} | ({"goodbye", "thanks"} if key.startswith("goodbye") else set())
        ok.add(scenario_parser(sc).parse(want, today=today, expected=expected).intent)
        if read not in ok:
            return f"intent: {key} read as {read!r}, not {intent!r}: {line!r}"
    return None


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
    for (key, asked), line, want in zip(keys, lines, wanted, strict=True):
        why = check_line(sc, key, asked, line, want, today=today, name=name, domain=domain)
        if why is not None:
            return why
    return _first_line_intent(sc, lines[0], task, today)


def _first_line_intent(sc: Scenario, line: str, task: str | None, today: date) -> str | None:
    if task is not None and not sc.start_task:
        intent = sc.tasks[task].intent
        first = scenario_parser(sc).parse(line, today=today)
        if first.intent != intent:
            return f"intent: request read as {first.intent!r}, not {intent!r}: {line!r}"
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


# ------------------------------------------------------------------ caller lines turn by turn

#: the prompt format of :func:`llm_dialogue_turns` (recorded in the bench and the docs)
TURNS_PROMPT_VERSION = "turns-v1"
#: completions asked per caller turn at most (each gives a few ``- `` lines: the candidates)
TURN_CALLS = 3
_TURN_HEAD = {
    "en": {
        "slots": "Phone calls {where}: what {who} says{context}, {slots} standing for the "
        "details, one line each:",
        "free": "Phone calls {where}: what {who} says{context}, one line each:",
        "first": " ({description})",
        "answer": ' when asked "{question}"',
        "meaning": " (meaning: {meaning})",
        "confirm": " when the agent reads the booking back and asks to confirm",
        "change": " when asked what to change in the booking",
    },
    "ko": {
        "slots": "{where}: {who}이 하는 말{context}. {slots}에는 내용이 들어간다. 한 줄에 하나씩:",
        "free": "{where}: {who}이 하는 말{context}. 한 줄에 하나씩:",
        "first": " ({description})",
        "answer": ' ("{question}"에 대한 대답)',
        "meaning": " (뜻: {meaning})",
        "confirm": " (직원이 예약 내용을 읽어 주고 맞는지 물을 때)",
        "change": " (예약에서 무엇을 바꿀지 물을 때)",
    },
}
# (where the call goes, who speaks): a care call's questionnaire or a call to a business
_WHERE = {
    "en": {"carecall": ("from a care center to an older person", "the older person"),
           "": ("to a restaurant", "the caller")},
    "ko": {"carecall": ("돌봄 센터가 어르신께 건 전화", "어르신"), "": ("식당에 건 전화", "손님")},
}  # fmt: skip


# the last answer ("anything else?"): the scenarios' deny examples are about other things
_GOODBYES = {
    "en": ["no, that's all", "no, nothing else, thanks", "no thanks, that's everything",
           "no, I'm good, bye"],
    "ko": ["아니요 없어요", "아니요 괜찮아요", "아뇨 그게 다예요", "아니요, 이만 끊을게요"],
}  # fmt: skip


@dataclass(frozen=True)
class TurnSpec:
    """What one caller turn must say, and how it is asked for.

    Attributes:
        key: what the turn answers (``request``, ``date``, ``confirm``...; see :func:`turn_keys`).
        asked: the slot the agent's line before it asks for (``yesno`` for a confirmation).
        want: the template writer's line (what the LLM's line must say, in other words).
        words: slot -> the words that say its value; empty for a line said without values
            (yes, no, a questionnaire answer, a request without details).
        intent: the intent the line is an example of (its demonstrations come from it).
        question: the agent's line before it.
    """

    key: str
    asked: str | None
    want: str
    words: dict[str, str]
    intent: str | None
    question: str


def _slot_of_type(sc: Scenario, kind: str) -> str | None:
    return next((s for s, spec in sc.slots.items() if spec.type == kind), None)


def _spans(
    sc: Scenario, line: str, asked: str | None, today: date
) -> list[tuple[int, int, str, Any]]:
    """``(start, end, slot, value)`` of the values a template line says (no yes or no)."""
    spec = sc.slots.get(asked) if asked else None
    expected = spec.type if spec is not None else asked
    out: list[tuple[int, int, str, Any]] = []
    for v in extract_all(line, sc.language, today, expected):
        slot = _slot_of_type(sc, "count" if v.name == "count" else v.name)
        if v.name in ("date", "time", "count") and slot is not None:
            out.append((v.start, v.end, slot, v.value))
    for slot, sspec in sc.slots.items():
        if sspec.type != "category" or (
            spec is not None and spec.type == "category" and slot != asked
        ):
            continue
        for hit in match_category(line, slot, sspec.values, sc.language, multiple=True):
            if not any(a < hit.end and hit.start < b for a, b, _, _ in out):
                out.append((hit.start, hit.end, slot, hit.value))
    return sorted(out)


def _frame_of(text: str, spans: list[tuple[int, int, str, Any]]) -> str:
    for start, end, slot, _ in sorted(spans, reverse=True):
        text = f"{text[:start]}{{{slot}}}{text[end:]}"
    return text


def turn_specs(
    sc: Scenario, goal: Goal, template_turns: list[tuple[str, str]], today: date
) -> list[TurnSpec]:
    """What each caller turn of a template dialogue must say (:class:`TurnSpec` per turn)."""
    specs: list[TurnSpec] = []
    keys = iter(turn_keys(sc, template_turns))
    name = goal.final().get("name")
    question = ""
    for who, text in template_turns:
        if who != "user":
            question = text
            continue
        key, asked = next(keys)
        words: dict[str, str] = {}
        if sc.start_task and asked in sc.slots and sc.slots[asked].type == "category":
            intent: str | None = "inform"  # a questionnaire answer: said in the caller's words
        elif asked in sc.slots and sc.slots[asked].type == "name" and isinstance(name, str):
            words, intent = {asked: name}, "inform"
        elif key.startswith("goodbye"):
            yes = ("yesno", True) in _content(sc, text, "yesno", today)
            intent = "affirm" if yes else "deny"
        else:
            spans = _spans(sc, text, asked, today)
            words = {slot: say_value(sc, slot, value, today) for _, _, slot, value in spans}
            if not specs and not sc.start_task:
                intent = sc.tasks[goal.task].intent
            elif words:
                intent = "inform"
            elif (
                asked == "yesno"
                or key.startswith("goodbye")
                or (asked in sc.slots and sc.slots[asked].type == "yesno")
            ):
                yes = ("yesno", True) in _content(sc, text, "yesno", today)
                intent = "affirm" if yes else "deny"
            else:
                intent = None
        specs.append(TurnSpec(key, asked, text, words, intent, question))
    return specs


def _value_meaning(sc: Scenario, spec: TurnSpec, today: date) -> str:
    """The value a questionnaire answer says, by its label ("slept poorly")."""
    hits = _content(sc, spec.want, spec.asked, today)
    labels = []
    for slot, value in sorted(hits, key=str):
        sspec = sc.slots.get(slot)
        if sspec is not None and sspec.type == "category" and value in sspec.values:
            labels.append(sspec.values[value].label or str(value))
    return ", ".join(labels)


def _examples_saying(sc: Scenario, spec: TurnSpec, today: date) -> list[str]:
    """The scenario's examples that say exactly what a questionnaire answer must say."""
    need = _content(sc, spec.want, spec.asked, today)
    out = []
    for intent in sc.intents.values():
        for ex in intent.examples:
            text = parse_annotations(ex)[0]
            if _content(sc, text, spec.asked, today) == need:
                out.append(text)
    sspec = sc.slots.get(spec.asked or "")
    if sspec is not None and sspec.type == "category":
        for slot, value in need:
            if slot == spec.asked and value in sspec.values:
                for syn in sspec.values[value].synonyms:
                    stem, ending = ko_sentence(syn)
                    if sc.language == "ko" and ending != "이에요":  # 못 잤 -> 못 잤어요
                        out.append(stem + ending)
                    elif sc.language != "ko":
                        out.append(syn)
    return list(dict.fromkeys(out))


def _demonstrations(sc: Scenario, goal: Goal, spec: TurnSpec, index: int, today: date) -> list[str]:
    """The turn's demonstrations: ``{slot}`` frames (or plain lines) from the scenario itself.

    Its examples of the turn's intent (and ``inform``) that say the same slots, and the
    template writer's own wordings of the same turn in the other variants.
    """
    need = set(spec.words)
    out: list[str] = []
    if not need and sc.start_task and spec.intent == "inform":
        return _examples_saying(sc, spec, today)
    for intent in dict.fromkeys([spec.intent or "", "inform"]):
        if intent not in sc.intents:
            continue
        for ex in sc.intents[intent].examples:
            text, spans = parse_annotations(ex)
            if {s for _, _, s, _ in spans} == need and (need or intent == spec.intent):
                out.append(_frame_of(text, [(a, b, s, v) for a, b, s, v in spans]))
    for variant in range(6):  # the template writer's wordings of this turn
        other = write_dialogue(sc, goal, today=today, variant=variant)
        users = [t for who, t in other.turns if who == "user"]
        other_specs = turn_specs(sc, goal, other.turns, today) if len(users) > index else []
        if len(other_specs) > index and other_specs[index].key == spec.key:
            line = users[index]
            spans = _spans(sc, line, spec.asked, today)
            said = [line[a:b] == spec.words.get(s) for a, b, s, _ in spans]
            if {s for _, _, s, _ in spans} == need and all(said):
                out.append(_frame_of(line, spans))
    if spec.key.startswith("goodbye"):
        out += _GOODBYES.get(sc.language, _GOODBYES["en"])
    out += _composed(sc, spec, index)
    if not need:  # plain lines: only those that say what the turn says (yes, not no)
        want = _content(sc, spec.want, spec.asked, today)
        out = [d for d in out if _content(sc, d, spec.asked, today) == want]
    return list(dict.fromkeys(out))


_NAMES = {
    "en": ["it's {name}", "{name}", "the name is {name}", "under {name}, please"],
    "ko": ["{name}이에요", "{name}입니다", "이름은 {name}이에요", "{name}으로 해 주세요"],
}
_KINDS = {"date": "date", "time": "time", "count": "count"}


def _composed(sc: Scenario, spec: TurnSpec, index: int) -> list[str]:
    """Frames composed from the scenario's plain examples and the slots' usual phrases.

    The opening: each example of the task's intent with the slots said around it ("I'd like
    to book a table {date} at {time} for {party_size}"; Korean before the verb); a bare
    answer: the stock answer patterns of :mod:`authoring.frames`; a name: stock lines.
    """
    ko = sc.language == "ko"
    slots = list(spec.words)
    if not slots:
        return []
    if slots == ["name"] or (len(slots) == 1 and sc.slots[slots[0]].type == "name"):
        return [f.replace("{name}", "{" + slots[0] + "}") for f in _NAMES["ko" if ko else "en"]]
    phrase = _KO_SLOT_PHRASE if ko else _EN_SLOT_PHRASE
    said = [phrase[_KINDS.get(sc.slots[s].type, "category")].format("{" + s + "}") for s in slots]
    if index > 0 and len(slots) == 1:
        return [p.format("{" + slots[0] + "}") for p in (_KO_ANSWER if ko else _EN_ANSWER)]
    if index > 0:
        return [" ".join(said), ", ".join(said)] if not ko else [" ".join(said) + "요"]
    out = []
    plain = [
        parse_annotations(ex)[0]
        for ex in sc.intents[spec.intent].examples  # type: ignore[index]
        if spec.intent in sc.intents and not parse_annotations(ex)[1]
    ][:5]
    for k, ex in enumerate(plain):
        order = said[k % len(said) :] + said[: k % len(said)]
        if ko:
            out.append(f"{' '.join(order)} {ex}")
        else:
            out.append(f"{ex.rstrip('?. ')} {' '.join(order)}")
    return out


def turn_prompt(sc: Scenario, goal: Goal, spec: TurnSpec, index: int, today: date,
                rng: random.Random) -> tuple[str, list[str]]:  # fmt: skip
    """The completion prompt for one caller turn and its demonstrations.

    A list of what callers say, ``- `` per line, the turn's slots as ``{slot}`` blanks; the
    model continues the list. Demonstrations come from the scenario (:func:`_demonstrations`).
    """
    lang = sc.language if sc.language in _TURN_HEAD else "en"
    head = _TURN_HEAD[lang]
    where, who = _WHERE[lang]["carecall" if sc.start_task else ""]
    context = ""
    if index == 0 and spec.intent in sc.intents and not sc.start_task:
        context = head["first"].format(description=sc.intents[spec.intent].description.rstrip("."))
    elif spec.key.startswith("change"):
        context = head["change"]
    elif "{" in spec.question:  # a confirmation: its values are the agent's
        context = head["confirm"]
    elif spec.question:
        context = head["answer"].format(question=_plain_question(sc, spec.question))
    asks_category = spec.asked in sc.slots and sc.slots[spec.asked or ""].type == "category"
    meaning = _value_meaning(sc, spec, today) if sc.start_task and asks_category else ""
    if meaning:
        context += head["meaning"].format(meaning=meaning)
    demos = _demonstrations(sc, goal, spec, index, today)
    rng.shuffle(demos)
    demos = demos[:6]
    slots = ", ".join(f"{{{s}}}" for s in spec.words)
    text = head["slots" if spec.words else "free"].format(
        where=where, who=who, context=context, slots=slots
    )
    lines = "".join(f"- {d}\n" for d in demos)
    return f"{text}\n{lines}-", demos


def _plain_question(sc: Scenario, text: str) -> str:
    persona = sc.persona
    for k, v in (("{persona.name}", persona.name), ("{persona.business}", persona.business),
                 ("{person}", sc.sample_person or "")):  # fmt: skip
        text = text.replace(k, str(v or ""))
    return re.sub(r"\{[a-z_]+\}", "...", text)


def _candidates(completion: str) -> list[str]:
    """The ``- `` lines of a completion (the first continues the prompt's ``-``)."""
    out = []
    for k, raw in enumerate(completion.split("\n")):
        line = raw.strip()
        if k > 0:
            if not line.startswith("-"):
                break
            line = line[1:].strip()
        line = line.strip().strip('"').strip()
        if line:
            out.append(line)
    return out


_BROKEN_BLANK = re.compile(r"\{([A-Za-z_]{3,})\}?")


def _repair(frame: str, words: dict[str, str]) -> str:
    """A blank the model cut or misspelt ("{party", "{party_siz}") made the slot it begins."""

    def fix(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in words:
            return "{" + name + "}"
        starts = [s for s in words if s.startswith(name) or name.startswith(s)]
        return "{" + starts[0] + "}" if len(starts) == 1 else m.group(0)

    return _BROKEN_BLANK.sub(fix, frame)


def _fill(frame: str, words: dict[str, str], language: str) -> str | None:
    """A frame filled with the turn's exact value words, or None (wrong blanks)."""
    frame = _repair(frame, words)
    blanks = PLACEHOLDER.findall(frame)
    if not blanks and "{" not in frame and "}" not in frame:
        return frame  # the model said the values itself: the checks read them
    if sorted(blanks) != sorted(words) or "{" in PLACEHOLDER.sub("", frame):
        return None
    if not blanks:
        return frame
    rng = random.Random(0)
    filled = fill_frames([frame], {s: [(w, None)] for s, w in words.items()}, rng, language)
    return parse_annotations(filled[0])[0] if filled else None


_HEAD_WORDS = {
    "en": ("what the caller says", "what the older person says", "standing for", "meaning:"),
    "ko": ("하는 말", "뜻:", "내용이 들어간다", "한 줄에"),
}


def _echo_of_head(sc: Scenario, spec: TurnSpec, line: str, today: date) -> bool:
    """A line that hands back the prompt's own words: its head, or (Korean) the meaning label."""
    lang = sc.language if sc.language in _HEAD_WORDS else "en"
    if any(w in line.lower() for w in _HEAD_WORDS[lang]):
        return True
    if lang == "ko" and sc.start_task:  # "조금 드심": the label, not what an older person says
        meaning = _value_meaning(sc, spec, today)
        return bool(meaning) and any(m in line for m in meaning.split(", "))
    return False


def _echo(line: str, demos: list[str], words: dict[str, str], language: str) -> bool:
    """A line that hands back one of the prompt's longer demonstrations."""
    mine = normalise(line)
    for d in demos:
        filled = _fill(d, words, language) if PLACEHOLDER.search(d) else d
        if (
            filled
            and normalise(filled) == mine
            and len(mine.split()) >= (3 if language == "ko" else 4)
        ):
            return True
    return False


def write_turn(
    llm: LLMClient,
    sc: Scenario,
    goal: Goal,
    spec: TurnSpec,
    index: int,
    *,
    today: date,
    seed: int,
    calls: int = TURN_CALLS,
    budget: float = BUDGET,
    adapter_task: bool = False,
) -> tuple[str | None, str]:
    """One caller line written by ``llm`` that passes the checks, or ``(None, why not)``.

    Up to ``calls`` completions; their ``- `` lines are the candidates, in order: a line
    with ``{slot}`` blanks is filled with the turn's exact words (:func:`fill_frames`), then
    checked (:func:`check_line`, the first line's intent, no echo of a demonstration). The
    first that passes and differs from the template's line wins; one equal to it only when
    nothing else passed. ``adapter_task`` asks in the tuned adapter's utterance format
    (:func:`nlg.llm.utterance_prompt`) instead of the few-shot list.
    """
    rng = random.Random(seed)
    demos: list[str] = []
    if adapter_task:
        prompt = _adapter_prompt(sc, spec, index, today)
    else:
        prompt, demos = turn_prompt(sc, goal, spec, index, today, rng)
    name = goal.final().get("name")
    why = "llm: no candidate line"
    same: str | None = None
    for call in range(calls):
        try:
            out = llm.complete_sync(
                prompt, max_tokens=44, temperature=0.8, seed=seed * 31 + call,
                stop=["\n\n", "\n#"], budget=budget,
            )  # fmt: skip
        except AicallError as e:
            return same, f"llm: {type(e).__name__}: {e}"[:200]
        for raw in _candidates(out.text):
            line = _fill(raw, spec.words, sc.language)
            if line is None:
                why = f"blanks: {spec.key}: {raw!r}"
                continue
            reason = check_line(
                sc, spec.key, spec.asked, line, spec.want, today=today,
                name=name if isinstance(name, str) else None, intent=spec.intent,
            )  # fmt: skip
            if reason is None and index == 0:
                reason = _first_line_intent(sc, line, goal.task, today)
            if reason is None and (
                _echo(line, demos, spec.words, sc.language) or _echo_of_head(sc, spec, line, today)
            ):
                reason = f"prompt_echo: {spec.key}: {line!r}"
            if reason is not None:
                why = reason
                continue
            if normalise(line) != normalise(spec.want):
                return line, ""
            same = same or line
    return (same, "") if same else (None, why)


def _adapter_prompt(sc: Scenario, spec: TurnSpec, index: int, today: date) -> str:
    intent = sc.intents.get(spec.intent or "")
    description = intent.description if intent is not None and index == 0 else ""
    if not description:
        question = _plain_question(sc, spec.question)
        description = f"answers: {question}" if question else (intent.description if intent else "")
        if sc.start_task and not spec.words:
            description += f" ({_value_meaning(sc, spec, today)})"
        elif spec.intent in ("affirm", "deny"):
            description += f" ({spec.want})"
    return utterance_prompt(description, list(spec.words), sc.language)


def llm_dialogue_turns(
    llm: LLMClient,
    sc: Scenario,
    goal: Goal,
    template: Any,
    *,
    today: date,
    seed: int = 0,
    calls: int = TURN_CALLS,
    adapter_task: bool = False,
    second: LLMClient | None = None,
) -> Any:
    """The template dialogue with each caller line written by ``llm`` (:func:`write_turn`).

    Every line must pass its checks, or the whole template dialogue is kept (``source ==
    "template"``, the first failing turn's reason in ``note``): a failing line never ships.
    ``second``: another client (the same model with the tuned adapter, say) asked the same
    way for a turn ``llm`` wrote no passing line for.
    """
    specs = turn_specs(sc, goal, template.turns, today)
    lines: list[str] = []
    for index, spec in enumerate(specs):
        line, why = write_turn(
            llm, sc, goal, spec, index, today=today, seed=seed * 101 + index, calls=calls,
            adapter_task=adapter_task,
        )  # fmt: skip
        if line is None and second is not None:
            line, why = write_turn(
                second, sc, goal, spec, index, today=today, seed=seed * 101 + index,
                calls=calls, adapter_task=adapter_task,
            )  # fmt: skip
        if line is None:
            return replace(template, source="template", note=why[:200])
        lines.append(line)
    name = goal.final().get("name")
    why_all = check_lines(
        sc, template.turns, lines, today=today, task=goal.task,
        name=name if isinstance(name, str) else None,
    )  # fmt: skip
    if why_all is None and lines == template.caller_turns:
        why_all = "copy: the LLM wrote the template's own lines"
    if why_all is not None:
        return replace(template, source="template", note=why_all[:200])
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
    writer: str = "turns",
    second: LLMClient | None = None,
) -> list[Dialogue]:
    """``n`` variants of the dialogue of one goal script.

    With ``llm``, each variant's caller lines are written by the LLM and checked:
    ``writer="turns"`` (the default, prompt :data:`TURNS_PROMPT_VERSION`) one caller turn at
    a time (:func:`llm_dialogue_turns`), ``"json"`` the whole dialogue in one JSON prompt
    (:func:`llm_dialogue`, :data:`DIALOGUE_PROMPT_VERSION`; measured worse on the embedded
    model, docs/authoring.md). A variant whose LLM lines fail a check, or an LLM that cannot
    be reached, gives the template variant instead, with :attr:`Dialogue.note` saying why.
    ``second`` (turn by turn only): a client asked for a turn ``llm`` wrote no passing line
    for (the CLI passes the local model with the bundled adapter).

    Raises:
        GoalError: the goal cannot be understood.
    """
    if writer not in ("turns", "json"):
        raise InputError(f"unknown dialogue writer {writer!r}: turns or json")
    goal = plan_goal(sc, goal_text, today=now.date())
    out = []
    for i in range(n):
        written = write_dialogue(sc, goal, today=now.date(), variant=i)
        if llm is not None and writer == "json":
            written = llm_dialogue(llm, sc, goal, written, today=now.date(), seed=seed + i)
        elif llm is not None:
            written = llm_dialogue_turns(
                llm, sc, goal, written, today=now.date(), seed=seed + i, second=second
            )
        out.append(written)
    return out
