"""Load scenario YAML files into :class:`scenarios.schema.Scenario`, with precise errors.

Every error names the file, the line and the field, e.g.::

    scenarios/data/restaurant-ko.yaml:42: slots.time.type: Input should be 'date', 'time', ...

Besides the format, the loader checks that everything a call will use is there: the actions,
look-ups and validators the tasks name, and the slots, templates and venue they need
(:mod:`scenarios.needs` against :mod:`scenarios.capabilities`). What does not stop a call (an intent
with a description but no examples yet) is a :class:`ScenarioWarning`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from common.errors import ScenarioError
from scenarios.annotations import parse_annotations
from scenarios.business import Business
from scenarios.needs import check_tasks
from scenarios.schema import Scenario

__all__ = [
    "REQUIRED_TEMPLATES",
    "SHIPPED_DIR",
    "ScenarioWarning",
    "load_scenario",
    "load_scenarios",
    "shipped_scenario_paths",
]

SHIPPED_DIR = Path(__file__).parent / "data"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScenarioWarning:
    """Something in a scenario file that does not stop a call but limits it.

    Attributes:
        file: path of the scenario file.
        line: 1-based line, when known.
        field: dotted path of the field.
        message: what is limited and how to fix it.
    """

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: warning: {self.message}"


#: Templates every scenario must define (the policy's own acts).
REQUIRED_TEMPLATES = (
    "greet",
    "not_understood",
    "no_input",
    "fallback_end",
    "handover",
    "bye",
    "anything_else",
    "confirm_yes_no",
)

#: Built-in intents the policy understands in every scenario.
GLOBAL_INTENTS = ("affirm", "deny", "repeat", "human", "goodbye")


def _line_of(node: Any, loc: Sequence[str | int]) -> int | None:
    """Find the 1-based line of the deepest node of ``loc`` that exists in the YAML tree."""
    line: int | None = None
    cur = node
    for key in loc:
        if isinstance(cur, CommentedMap) and key in cur:
            try:
                line = cur.lc.key(key)[0] + 1
            except (KeyError, TypeError, AttributeError):
                pass
            cur = cur[key]
        elif isinstance(cur, CommentedSeq) and isinstance(key, int) and 0 <= key < len(cur):
            try:
                line = cur.lc.item(key)[0] + 1
            except (KeyError, TypeError, AttributeError):
                pass
            cur = cur[key]
        else:
            break
    if line is None and hasattr(node, "lc"):
        line = node.lc.line + 1
    return line


def _field(loc: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in loc)


def _read_yaml(path: Path) -> Any:
    yaml = YAML(typ="rt")
    yaml.version = (1, 2)  # 1.2: "no"/"yes" stay strings, 11:00 stays a string
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(str(path), None, None, f"cannot read: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise ScenarioError(str(path), None, None, "not UTF-8 text") from e
    try:
        return yaml.load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        what = f"invalid YAML: {e.problem or e}"
        if e.context and e.context_mark is not None and e.context_mark is not mark:
            # an unclosed bracket is found lines later: say where it was opened
            what += f" ({e.context} started on line {e.context_mark.line + 1})"
        raise ScenarioError(str(path), line, None, what) from e


def load_scenario(path: str | Path, *, warnings: list[ScenarioWarning] | None = None) -> Scenario:
    """Read, validate and cross-check one scenario file.

    Args:
        path: the scenario file.
        warnings: when given, the file's warnings are appended to it (else they are logged).

    Raises:
        ScenarioError: naming the file, line and field of the first problem.
    """
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, CommentedMap):
        raise ScenarioError(str(path), 1, None, "a scenario file must be a mapping at the top")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        raise ScenarioError(str(path), _line_of(data, loc), _field(loc), msg) from None
    for loc, msg in _cross_check(scenario):
        raise ScenarioError(str(path), _line_of(data, loc), _field(loc), msg)
    found = [
        ScenarioWarning(str(path), _line_of(data, loc), _field(loc), msg)
        for loc, msg in _warnings(scenario)
    ]
    if warnings is not None:
        warnings.extend(found)
    else:
        for w in found:
            log.warning("%s", w)
    return scenario


def _warnings(sc: Scenario) -> Iterable[tuple[list[str | int], str]]:
    """Yield (location, message) for what limits a call without breaking it."""
    for name, intent in sc.intents.items():
        if not intent.examples:
            yield (
                ["intents", name],
                "no examples yet: the intent cannot be recognised until examples are added "
                f"(aicall scenario augment {sc.id} writes candidates from the description)",
            )


def _cross_check(sc: Scenario) -> Iterable[tuple[list[str | int], str]]:
    """Yield (location, message) for references that do not resolve."""
    intents = set(sc.intents) | set(GLOBAL_INTENTS)
    for name in GLOBAL_INTENTS:
        if name not in sc.intents:
            yield ["intents"], f"the built-in intent '{name}' needs examples"
    for name, intent in sc.intents.items():
        if not intent.examples and (name in GLOBAL_INTENTS or not intent.description.strip()):
            what = "examples" if name in GLOBAL_INTENTS else "a description or examples"
            yield ["intents", name], f"the intent needs {what}"
        for i, ex in enumerate(intent.examples):
            _, spans = parse_annotations(ex)
            for _, _, slot, value in spans:
                if slot not in sc.slots:
                    yield ["intents", name, "examples", i], f"unknown slot '{slot}' in annotation"
                elif (
                    value
                    and sc.slots[slot].type == "category"
                    and (value not in sc.slots[slot].values)
                ):
                    yield ["intents", name, "examples", i], f"unknown value '{value}' of '{slot}'"
    for name, task in sc.tasks.items():
        if task.intent not in intents:
            yield ["tasks", name, "intent"], f"unknown intent '{task.intent}'"
        for i, slot in enumerate(task.slots):
            if slot not in sc.slots:
                yield ["tasks", name, "slots", i], f"unknown slot '{slot}'"
    yield from check_tasks(sc)
    if sc.start_task and sc.start_task not in sc.tasks:
        yield ["start_task"], f"unknown task '{sc.start_task}'"
    for key in sc.faq:
        if key not in sc.intents:
            yield ["faq", key], f"no intent '{key}' for this answer"
    for key in REQUIRED_TEMPLATES:
        if key not in sc.templates:
            yield ["templates"], f"missing template '{key}'"
    if "out_of_scope" in sc.intents and "out_of_scope" not in sc.templates:
        yield ["templates"], "missing template 'out_of_scope' (said for the out_of_scope intent)"
    for name, slot_spec in sc.slots.items():
        if slot_spec.prompt not in sc.templates:
            yield ["slots", name, "prompt"], f"no template '{slot_spec.prompt}'"
        for value, key in slot_spec.ack.items():
            if key not in sc.templates:
                yield ["slots", name, "ack", value], f"no template '{key}'"
    for i, rule in enumerate(sc.flags):
        if rule.slot and rule.slot not in sc.slots:
            yield ["flags", i, "slot"], f"unknown slot '{rule.slot}'"
        elif rule.slot and sc.slots[rule.slot].type == "category":
            for v in rule.values:
                if v not in sc.slots[rule.slot].values:
                    yield ["flags", i, "values"], f"unknown value '{v}' of '{rule.slot}'"
    if sc.memory is not None:
        yield from _check_memory(sc)
    if sc.venue is not None:
        seating = sc.slots.get("seating")
        if seating is not None:
            for key in seating.values:
                if key != "any" and key not in sc.venue.seating:
                    yield ["slots", "seating", "values", key], f"no venue seating '{key}'"
        if sc.venue.default_seating and sc.venue.default_seating not in sc.venue.seating:
            yield ["venue", "default_seating"], f"unknown seating '{sc.venue.default_seating}'"
    if sc.booking is not None:
        yield from _check_booking(sc, sc.booking)


def _check_memory(sc: Scenario) -> Iterable[tuple[list[str | int], str]]:
    """The ``memory`` section: follow-up slots of the check-in task, values and templates."""
    assert sc.memory is not None
    task = sc.tasks.get(sc.start_task) if sc.start_task else None
    if task is None or task.action != "record_carecall":
        yield ["memory"], "memory needs an outbound check-in (start_task with record_carecall)"
        return
    for name, follow in sc.memory.follow_ups.items():
        where: list[str | int] = ["memory", "follow_ups", name]
        spec = sc.slots.get(name)
        if spec is None:
            yield where, f"unknown slot '{name}' (declare the follow-up's answers under slots)"
            continue
        if spec.type != "category":
            yield where, "a follow-up slot must be a category (e.g. better, same, worse)"
        if name not in task.slots:
            yield where, f"'{name}' must be one of the slots of task '{sc.start_task}'"
        about = sc.slots.get(follow.about)
        if about is None or follow.about not in task.slots:
            yield [*where, "about"], f"'{follow.about}' is not a slot of task '{sc.start_task}'"
            continue
        if follow.about == name:
            yield [*where, "about"], "a follow-up cannot refer back to itself"
        for value, template in follow.refer.items():
            if about.type == "category" and value not in about.values:
                yield [*where, "refer", value], f"unknown value '{value}' of '{follow.about}'"
            elif template not in sc.templates:
                yield [*where, "refer", value], f"no template '{template}'"
    for name, order in sc.memory.trends.items():
        where = ["memory", "trends", name]
        spec = sc.slots.get(name)
        if spec is None or spec.type != "category":
            yield where, f"'{name}' is not a category slot"
            continue
        if not order:
            yield where, "list the values from best to worst"
        for value in order:
            if value not in spec.values:
                yield where, f"unknown value '{value}' of '{name}'"
        if len(set(order)) != len(order):
            yield where, "a value is listed twice"


def _check_booking(sc: Scenario, business: Business) -> Iterable[tuple[list[str | int], str]]:
    """The ``booking`` section's references, and the slots that carry its parts."""
    for loc, msg in business.problems():
        yield ["booking", *loc], msg
    names = business.slots
    for role, known in (("service", business.services), ("provider", business.resources)):
        slot = getattr(names, role)
        spec = sc.slots.get(slot)
        if spec is None:
            continue
        if spec.type != "category":
            yield ["slots", slot, "type"], f"the booking's {role} slot must be a category"
            continue
        for key in spec.values:
            if key not in known and not (role == "provider" and key == "any"):
                what = "service" if role == "service" else "resource"
                yield ["slots", slot, "values", key], f"no booking {what} '{key}'"


def shipped_scenario_paths() -> list[Path]:
    """Paths of the scenarios that ship with the package."""
    return sorted(SHIPPED_DIR.glob("*.yaml"))


def load_scenarios(dirs: Sequence[Path] = ()) -> dict[str, Scenario]:
    """Load the shipped scenarios plus every ``*.yaml`` in ``dirs`` (later ids win)."""
    out: dict[str, Scenario] = {}
    paths = shipped_scenario_paths()
    for d in dirs:
        paths.extend(sorted(Path(d).glob("*.yaml")))
    for p in paths:
        sc = load_scenario(p)
        out[sc.id] = sc
    return out
