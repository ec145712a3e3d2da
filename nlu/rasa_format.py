"""Read and write Rasa's training-data formats (NLU YAML ``version: "3.x"`` and domain YAML).

- :func:`read_rasa_nlu` reads intents with inline entities (``[text](entity)``,
  ``[text](entity:value)``, ``[text]{"entity": "...", "value": "..."}``), synonyms, lookup
  tables and regexes into :class:`nlu.training.TrainingData`.
- :func:`export_scenario` writes a scenario as ``nlu.yml`` + ``domain.yml``.
- :func:`import_rasa` turns Rasa NLU (and optionally domain) files into a scenario skeleton
  (a plain mapping ready to be written as a scenario YAML file and completed by hand).

What the formats share survives a round trip: intents and their examples with annotations,
entities/slots with their types (scenario-only types travel as an ``aicall_type`` key that
Rasa ignores), category values with their synonyms, responses (templates) and forms (tasks).
Persona, facts, venue and flags have no Rasa counterpart; they travel in the domain's
``aicall`` key, which Rasa ignores.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from common.errors import InputError
from nlu.training import Entity, Example, TrainingData
from scenarios.annotations import annotate, parse_annotations
from scenarios.schema import Scenario

__all__ = [
    "RasaFormatError",
    "export_scenario",
    "import_rasa",
    "parse_rasa_example",
    "read_rasa_domain",
    "read_rasa_nlu",
    "scenario_to_domain",
    "scenario_to_nlu",
    "write_scenario_skeleton",
]

_ENTITY = re.compile(
    r"\[(?P<text>[^\]]+)\]"
    r"(?:\((?P<paren>[^)]+)\)|(?P<json>\{[^}]*\}))"
)
_NAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


class RasaFormatError(InputError):
    """A Rasa file is malformed; the message names the file and what is wrong."""


def parse_rasa_example(example: str, *, where: str = "<example>") -> tuple[str, list[Entity]]:
    """Strip Rasa entity annotations from one example.

    Args:
        example: the annotated text, e.g. ``fly to [boston](toloc.city_name)``.
        where: the file (and intent) named in errors.

    Returns:
        The plain text and its entity spans.

    Raises:
        RasaFormatError: on an annotation whose JSON is invalid or has no ``entity``.
    """
    out: list[str] = []
    entities: list[Entity] = []
    pos = 0
    length = 0
    for m in _ENTITY.finditer(example):
        out.append(example[pos : m.start()])
        length += m.start() - pos
        text = m.group("text")
        value: str | None
        if m.group("paren") is not None:
            name, _, raw_value = m.group("paren").partition(":")
            value = raw_value or None
        else:
            try:
                spec = json.loads(m.group("json"))
            except json.JSONDecodeError as e:
                raise RasaFormatError(
                    f"{where}: invalid entity JSON {m.group('json')!r} in {example!r}: {e.msg}"
                ) from None
            if not isinstance(spec, dict) or not isinstance(spec.get("entity"), str):
                raise RasaFormatError(f"{where}: entity annotation without 'entity' in {example!r}")
            name = spec["entity"]
            value = str(spec["value"]) if spec.get("value") is not None else None
        name = name.strip()
        if not _NAME.match(name):
            raise RasaFormatError(f"{where}: bad entity name {name!r} in {example!r}")
        entities.append(Entity(length, length + len(text), name, value))
        out.append(text)
        length += len(text)
        pos = m.end()
    out.append(example[pos:])
    return "".join(out), entities


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    return yaml


def _load(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RasaFormatError(f"{path}: cannot read: {e.strerror}") from e
    except UnicodeDecodeError:
        raise RasaFormatError(f"{path}: not UTF-8 text") from None
    try:
        return _yaml().load(text)
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise RasaFormatError(f"{path}{line}: invalid YAML: {getattr(e, 'problem', e)}") from None


def _items(block: Any, where: str) -> list[str]:
    """The entries of an ``examples`` block: a ``- item`` string or a list."""
    if isinstance(block, str):
        items = []
        for line in block.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            if not stripped.startswith("- "):
                raise RasaFormatError(f"{where}: example line must start with '- ': {stripped!r}")
            items.append(stripped[2:].strip())
        return items
    if isinstance(block, list):
        out = []
        for item in block:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                out.append(item["text"])
            elif isinstance(item, str):
                out.append(item)
            else:
                raise RasaFormatError(f"{where}: cannot read example {item!r}")
        return out
    raise RasaFormatError(f"{where}: 'examples' must be a '|' block of '- ' lines")


def read_rasa_nlu(
    path: str | Path,
    *,
    known_entities: Iterable[str] | None = None,
    language: str = "en",
    domain: str = "default",
) -> TrainingData:
    """Read one Rasa NLU YAML file.

    Args:
        path: the ``nlu.yml`` file.
        known_entities: when given (from a domain file), an annotation naming any other entity
            is an error.
        language: language of the data (``"ko"`` or ``"en"``).
        domain: the domain name engines report.

    Raises:
        RasaFormatError: naming the file (and intent) on malformed YAML, a missing ``nlu`` key,
            an intent without examples, or an unknown entity.
    """
    path = Path(path)
    doc = _load(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("nlu"), list):
        raise RasaFormatError(f"{path}: a Rasa NLU file needs a top-level 'nlu' list")
    version = str(doc.get("version", "3.1"))
    if not version.startswith("3"):
        raise RasaFormatError(f"{path}: unsupported Rasa training data version {version!r}")
    known = set(known_entities) if known_entities is not None else None
    data = TrainingData(language=language, domain=domain)
    for i, block in enumerate(doc["nlu"]):
        if not isinstance(block, dict):
            raise RasaFormatError(f"{path}: nlu[{i}] must be a mapping")
        if "intent" in block:
            where = f"{path}: intent '{block['intent']}'"
            items = _items(block.get("examples"), where)
            if not items:
                raise RasaFormatError(f"{where}: an intent needs at least one example")
            for item in items:
                text, ents = parse_rasa_example(item, where=where)
                for ent in ents:
                    if known is not None and ent.entity not in known:
                        raise RasaFormatError(f"{where}: unknown entity '{ent.entity}' in {item!r}")
                data.examples.append(Example(text, str(block["intent"]), tuple(ents)))
        elif "synonym" in block:
            canonical = str(block["synonym"])
            for item in _items(block.get("examples"), f"{path}: synonym '{canonical}'"):
                data.synonyms[item.lower()] = canonical
        elif "lookup" in block:
            name = str(block["lookup"])
            data.lookups.setdefault(name, []).extend(
                _items(block.get("examples"), f"{path}: lookup '{name}'")
            )
        elif "regex" in block:
            name = str(block["regex"])
            patterns = _items(block.get("examples"), f"{path}: regex '{name}'")
            for p in patterns:
                try:
                    re.compile(p)
                except re.error as e:
                    raise RasaFormatError(f"{path}: regex '{name}': {p!r}: {e}") from None
            data.regexes.setdefault(name, []).extend(patterns)
        else:
            raise RasaFormatError(
                f"{path}: nlu[{i}] is none of intent, synonym, lookup, regex: {sorted(block)}"
            )
    # an annotation value that differs from its text is a synonym, as in Rasa
    for ex in data.examples:
        for ent in ex.entities:
            if ent.value is not None:
                surface = ex.text[ent.start : ent.end].lower()
                if surface != ent.value.lower():
                    data.synonyms.setdefault(surface, ent.value)
    return data


def read_rasa_domain(path: str | Path) -> dict[str, Any]:
    """Read a Rasa domain file as a mapping (``intents``, ``entities``, ``slots``...)."""
    path = Path(path)
    doc = _load(path)
    if not isinstance(doc, dict):
        raise RasaFormatError(f"{path}: a Rasa domain file must be a mapping")
    return doc


# --- export -------------------------------------------------------------------------------


def _to_rasa_example(example: str) -> str:
    text, spans = parse_annotations(example)
    parts: list[str] = []
    pos = 0
    for start, end, slot, value in spans:
        parts.append(text[pos:start])
        if value:
            spec = json.dumps({"entity": slot, "value": value}, ensure_ascii=False)
            parts.append(f"[{text[start:end]}]{spec}")
        else:
            parts.append(f"[{text[start:end]}]({slot})")
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _block(items: Sequence[str]) -> LiteralScalarString:
    return LiteralScalarString("".join(f"- {i}\n" for i in items))


def scenario_to_nlu(scenario: Scenario) -> dict[str, Any]:
    """The scenario's intents, synonyms and lookups as a Rasa NLU document."""
    nlu: list[dict[str, Any]] = []
    for name, intent in scenario.intents.items():
        if not intent.examples:  # described only: Rasa has no place for a description
            continue
        nlu.append(
            {"intent": name, "examples": _block([_to_rasa_example(e) for e in intent.examples])}
        )
    for slot, spec in scenario.slots.items():
        if spec.type != "category":
            continue
        for key, value in spec.values.items():
            nlu.append({"synonym": key, "examples": _block([value.label, *value.synonyms])})
        entries = list(
            dict.fromkeys(s for v in spec.values.values() for s in (v.label, *v.synonyms))
        )
        nlu.append({"lookup": slot, "examples": _block(entries)})
    return {"version": "3.1", "nlu": nlu}


_RASA_SLOT_TYPE = {"count": "float", "yesno": "bool", "category": "categorical"}


def scenario_to_domain(scenario: Scenario) -> dict[str, Any]:
    """The scenario's intents, entities, slots, forms and responses as a Rasa domain.

    Scenario-only details ride along under keys Rasa ignores: ``aicall_type`` on slots,
    ``aicall_intent``/``aicall_action`` on forms, and ``aicall`` (persona, facts, venue...).
    """
    slots: dict[str, Any] = {}
    for name, spec in scenario.slots.items():
        slot: dict[str, Any] = {
            "type": _RASA_SLOT_TYPE.get(spec.type, "text"),
            "influence_conversation": False,
            "mappings": [{"type": "from_entity", "entity": name}],
            "aicall_type": spec.type,
        }
        if spec.type == "category":
            slot["values"] = list(spec.values)
            slot["aicall_values"] = {
                k: v.model_dump(exclude_defaults=True) for k, v in spec.values.items()
            }
        extra = spec.model_dump(exclude={"type", "values"}, exclude_defaults=True)
        if extra:
            slot["aicall_spec"] = extra
        slots[name] = slot
    forms = {
        f"{name}_form": {
            "required_slots": list(task.slots),
            "aicall_task": task.model_dump(by_alias=True, exclude_defaults=True),
        }
        for name, task in scenario.tasks.items()
    }
    rest = scenario.model_dump(
        mode="json", exclude={"slots", "intents", "tasks", "templates"}, exclude_defaults=True
    )
    rest = _hhmm(rest)
    rest["intent_descriptions"] = {k: v.description for k, v in scenario.intents.items()}
    return {
        "version": "3.1",
        "intents": list(scenario.intents),
        "entities": list(scenario.slots),
        "slots": slots,
        "forms": forms,
        "responses": {f"utter_{k}": [{"text": v}] for k, v in scenario.templates.items()},
        "aicall": rest,
    }


_HHMMSS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:00$")


def _hhmm(doc: Any) -> Any:
    """Times as the scenario format writes them ("11:00", not "11:00:00")."""
    if isinstance(doc, dict):
        return {k: _hhmm(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_hhmm(v) for v in doc]
    if isinstance(doc, str) and _HHMMSS.match(doc):
        return doc[:5]
    return doc


def _dump(doc: Any, path: Path) -> None:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    buf = io.StringIO()
    yaml.dump(doc, buf)
    path.write_text(buf.getvalue(), encoding="utf-8")


def export_scenario(scenario: Scenario, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``nlu.yml`` and ``domain.yml`` for ``scenario`` into ``out_dir``.

    Returns:
        The two paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    nlu_path, domain_path = out / "nlu.yml", out / "domain.yml"
    _dump(scenario_to_nlu(scenario), nlu_path)
    _dump(scenario_to_domain(scenario), domain_path)
    return nlu_path, domain_path


# --- import -------------------------------------------------------------------------------


def _to_scenario_example(ex: Example) -> str:
    return annotate(ex.text, [(e.start, e.end, e.entity, e.value) for e in ex.entities])


def import_rasa(
    nlu_paths: Sequence[str | Path],
    domain_path: str | Path | None = None,
    *,
    scenario_id: str = "imported",
    language: str = "en",
) -> dict[str, Any]:
    """Build a scenario skeleton (a plain mapping) from Rasa NLU files and a domain.

    Entity names become slot names (scenario slot names must be lower-case identifiers: dots
    and dashes become ``_``). Without a domain, every entity becomes a ``text`` slot. The
    skeleton validates once its persona and templates are reviewed; values carried by a
    domain exported from a scenario restore the original exactly.

    Raises:
        RasaFormatError: naming the file, on malformed input or unknown entities.
    """
    domain = read_rasa_domain(domain_path) if domain_path is not None else {}
    known = None
    if domain_path is not None:
        known = [
            str(e if not isinstance(e, dict) else next(iter(e)))
            for e in domain.get("entities") or []
        ]
        known += list((domain.get("slots") or {}).keys())
    data = TrainingData(language=language)
    for p in nlu_paths:
        data = data.merge(read_rasa_nlu(p, known_entities=known, language=language))
    extra = dict(domain.get("aicall") or {})
    descriptions = extra.pop("intent_descriptions", {}) or {}

    def slot_name(entity: str) -> str:
        return re.sub(r"[^a-z0-9_]", "_", entity.lower())

    intents: dict[str, Any] = {}
    domain_intents = [
        str(i if not isinstance(i, dict) else next(iter(i))) for i in domain.get("intents") or []
    ]
    for name in [*domain_intents, *data.intents]:
        intents.setdefault(name, {"description": descriptions.get(name, name), "examples": []})
    for ex in data.examples:
        renamed = Example(
            ex.text,
            ex.intent,
            tuple(Entity(e.start, e.end, slot_name(e.entity), e.value) for e in ex.entities),
        )
        intents[ex.intent]["examples"].append(_to_scenario_example(renamed))
    by_value: dict[str, list[str]] = {}
    for surface, canonical in data.synonyms.items():
        by_value.setdefault(canonical, []).append(surface)
    slots: dict[str, Any] = {}
    domain_slots = domain.get("slots") or {}
    for entity in [*domain_slots, *data.entities]:
        name = slot_name(entity)
        if name in slots:
            continue
        spec = domain_slots.get(entity) or {}
        rasa_type = spec.get("type", "text")
        stype = spec.get("aicall_type") or {"float": "count", "bool": "yesno"}.get(rasa_type)
        if stype is None:
            stype = "category" if rasa_type == "categorical" else "text"
        slot: dict[str, Any] = {"type": stype, "prompt": f"ask_{name}"}
        slot.update(spec.get("aicall_spec") or {})
        if stype == "category":
            exact = spec.get("aicall_values") or {}
            values: dict[str, Any] = {}
            for key in spec.get("values") or []:
                key = str(key)
                if key in exact:
                    values[key] = exact[key]
                else:
                    values[key] = {"label": key, "synonyms": by_value.get(key, [])}
            slot["values"] = values
        slots[name] = slot
    tasks: dict[str, Any] = {}
    for form, fspec in (domain.get("forms") or {}).items():
        fspec = fspec or {}
        task = dict(fspec.get("aicall_task") or {})
        task.setdefault("intent", next(iter(intents), "inform"))
        task["slots"] = [slot_name(s) for s in fspec.get("required_slots") or []]
        task.setdefault("action", "none")
        tasks[str(form).removesuffix("_form")] = task
    templates = {
        str(k).removeprefix("utter_"): (
            v[0].get("text", "") if v and isinstance(v[0], dict) else ""
        )
        for k, v in (domain.get("responses") or {}).items()
    }
    for name, slot in slots.items():
        templates.setdefault(slot["prompt"], f"{name}?")
    skeleton: dict[str, Any] = {
        "id": scenario_id,
        "version": 1,
        "language": language,
        "direction": "inbound",
        "domain": "default",
        "persona": {"name": "Agent", "business": "Business"},
    }
    skeleton.update(extra)
    skeleton.update({"slots": slots, "intents": intents, "tasks": tasks, "templates": templates})
    return skeleton


def write_scenario_skeleton(skeleton: dict[str, Any], path: str | Path) -> Path:
    """Write a skeleton from :func:`import_rasa` as a scenario YAML file."""
    path = Path(path)
    _dump(skeleton, path)
    return path
