"""A scenario's YAML as the console edits it: round-trip, form fields, structural edits, diff.

The file stays the source of truth. It is read with ruamel.yaml's round-trip loader and written
back with the layout the shipped files use, so a file that was not changed is written back
byte for byte, and an edit keeps every comment and the order of the keys.

The editor's form names each field by its dotted path in the file (``f:persona.name``,
``f:intents.book.examples``) — the loader's error paths (``intents.book.examples.3``) name the
same places, which is how an error is shown at its field (:func:`field_for_error`).
"""

from __future__ import annotations

import difflib
import io
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import PlainScalarString, ScalarString

from common.errors import InputError
from scenarios.capabilities import ACTIONS, LOOKUPS, VALIDATORS
from scenarios.schema import SLOT_TYPES, Scenario

__all__ = [
    "FIELD_PREFIX",
    "DiffLine",
    "Node",
    "add_entry",
    "add_field",
    "apply_fields",
    "diff_lines",
    "dump_doc",
    "editor_tree",
    "field_for_error",
    "load_doc",
    "optional_fields",
    "remove_entry",
]

#: Form fields that carry a value of the file start with this (others are controls).
FIELD_PREFIX = "f:"

_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")  # ruamel's default is YAML 1.2: "no" stays a string, 11:00 too
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)  # the shipped files' layout
    return yaml


def load_doc(text: str) -> CommentedMap:
    """Parse a scenario's text for editing.

    Raises:
        InputError: not YAML, or not a mapping at the top.
    """
    try:
        doc = _yaml().load(text)
    except YAMLError as e:
        raise InputError(f"invalid YAML: {e}") from None
    if not isinstance(doc, CommentedMap):
        raise InputError("a scenario file must be a mapping at the top")
    return doc


def dump_doc(doc: CommentedMap) -> str:
    """The text of ``doc`` (comments, order and quoting as read)."""
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


# --- where a path points --------------------------------------------------------------------


def _split(path: str) -> list[str]:
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise InputError(f"field {path!r}: not a path in the file")
    return parts


def _step(node: Any, part: str, path: str) -> Any:
    if isinstance(node, CommentedMap) and part in node:
        return node[part]
    if isinstance(node, CommentedSeq) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    raise InputError(f"field {path!r}: no such place in the file")


def _parent(doc: CommentedMap, path: str) -> tuple[Any, str | int]:
    parts = _split(path)
    node: Any = doc
    for part in parts[:-1]:
        node = _step(node, part, path)
    last = parts[-1]
    if isinstance(node, CommentedMap):
        if last not in node:
            raise InputError(f"field {path!r}: no such place in the file")
        return node, last
    if isinstance(node, CommentedSeq) and last.isdigit() and int(last) < len(node):
        return node, int(last)
    raise InputError(f"field {path!r}: no such place in the file")


# --- form values back into the file ---------------------------------------------------------


def _scalar(old: Any, text: str) -> Any:
    """``text`` from a form as a value like ``old`` (the loader judges what is left)."""
    text = text.strip()
    if isinstance(old, bool):
        low = text.lower()
        if low in ("true", "false"):
            return low == "true"
        return text
    if isinstance(old, int) and not isinstance(old, bool):
        try:
            return int(text)
        except ValueError:
            return text  # the loader says "should be a valid integer" at the field
    if isinstance(old, float):
        try:
            return float(text)
        except ValueError:
            return text
    if old is None:
        return None if text == "" else text
    if isinstance(old, ScalarString):
        # keep the file's quoting; an empty '' (a new entry) takes the plain style
        return type(old)(text) if str(old) else PlainScalarString(text)
    return text


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _set_seq(seq: CommentedSeq, items: list[str]) -> bool:
    """Make ``seq`` hold ``items`` in place (unchanged items keep their object and comments)."""
    kind = type(seq[0]) if seq else str
    values: list[Any] = []
    for i, text in enumerate(items):
        old = seq[i] if i < len(seq) else None
        if old is not None and str(old) == text:
            values.append(old)
        elif kind is bool or kind is int:
            values.append(_scalar(kind(), text))
        else:
            values.append(text)
    if [str(v) for v in seq] == [str(v) for v in values] and len(seq) == len(values):
        return False
    for i, value in enumerate(values):
        if i < len(seq):
            if seq[i] is not value:
                seq[i] = value
        else:
            seq.append(value)
    del seq[len(values) :]
    return True


def apply_fields(doc: CommentedMap, fields: Mapping[str, str]) -> list[str]:
    """Write the form's values (``{"persona.name": "Jisu", ...}``) into ``doc``.

    A scalar keeps its type when the text allows (a number stays a number); a list of texts
    comes one item per line. Only what differs is touched, so comments stay where they are.

    Returns:
        The paths that changed.

    Raises:
        InputError: a path that is not in the file.
    """
    changed: list[str] = []
    for path, text in fields.items():
        parent, key = _parent(doc, path)
        old = parent[key]
        if isinstance(old, CommentedMap):
            raise InputError(f"field {path!r}: a section, not a value")
        if isinstance(old, CommentedSeq):
            if any(isinstance(v, CommentedMap | CommentedSeq) for v in old):
                raise InputError(f"field {path!r}: a list of sections, not a value")
            if _set_seq(old, _lines(text)):
                changed.append(path)
            continue
        new = _scalar(old, text)
        if new != old or type(new) is not type(old):
            parent[key] = new
            changed.append(path)
    return changed


# --- adding and removing entries ------------------------------------------------------------


def _flow(**items: Any) -> CommentedMap:
    m = CommentedMap(items)
    m.fa.set_flow_style()
    return m


def _skeleton(pattern: str, key: str) -> Any:
    """A new entry for the collection at ``pattern`` (``*`` stands for any key)."""
    empty = CommentedSeq()
    empty.fa.set_flow_style()
    return {
        "facts": lambda: "",
        "templates": lambda: "",
        "faq": lambda: "",
        "intents": lambda: CommentedMap(description="", examples=CommentedSeq()),
        "slots": lambda: _flow(type="text", prompt=f"ask_{key}"),
        "slots.*.values": lambda: _flow(label=key, synonyms=empty),
        "slots.*.ack": lambda: "",
        "tasks": lambda: CommentedMap(intent="", slots=empty, action="", confirm=True),
        "booking.kinds": lambda: _flow(label=key),
        "booking.resources": lambda: CommentedMap(label=key, kind="", capacity=1),
        "booking.services": lambda: CommentedMap(label=key, minutes=30),
        "booking.hours": lambda: _flow(open="09:00", close="18:00"),
        "venue.seating": lambda: _flow(seats=10),
        "memory.follow_ups": lambda: CommentedMap(about="", refer=CommentedMap()),
        "memory.trends": lambda: empty,
        "flags": lambda: _flow(reason="", slot="", values=empty),
        "booking.breaks": lambda: _flow(start="12:00", end="13:00"),
        "booking.resources.*.breaks": lambda: _flow(start="12:00", end="13:00"),
    }[pattern]()


#: Collections the editor can add entries to: mappings (a new key) and lists (a new item).
ADDABLE = (
    "facts",
    "templates",
    "faq",
    "intents",
    "slots",
    "slots.*.values",
    "slots.*.ack",
    "tasks",
    "booking.kinds",
    "booking.resources",
    "booking.services",
    "booking.hours",
    "venue.seating",
    "memory.follow_ups",
    "memory.trends",
    "flags",
    "booking.breaks",
    "booking.resources.*.breaks",
)


def _pattern_of(path: str, patterns: tuple[str, ...]) -> str | None:
    parts = path.split(".")
    for pattern in patterns:
        pp = pattern.split(".")
        if len(pp) == len(parts) and all(a in ("*", b) for a, b in zip(pp, parts, strict=True)):
            return pattern
    return None


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _model_at(path: str) -> type[BaseModel] | None:
    """The pydantic model of the section at ``path`` (``slots.date`` -> SlotSpec), if any."""
    current: Any = Scenario
    for part in path.split(".") if path else ():
        current = _strip_optional(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = current.model_fields
            name = next((n for n, f in fields.items() if part in (n, f.alias)), None)
            if name is None:
                return None
            current = fields[name].annotation
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        elif typing.get_origin(current) is tuple and part.isdigit():
            current = typing.get_args(current)[0]
        else:
            return None
    current = _strip_optional(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _new_value(annotation: Any, default: Any) -> Any:
    """A value for a newly added optional field, or ``None`` when the form cannot add it."""
    kind = _strip_optional(annotation)
    origin = typing.get_origin(kind)
    if origin is typing.Literal:
        return default if default is not None else typing.get_args(kind)[0]
    if origin is tuple:
        seq = CommentedSeq()
        seq.fa.set_flow_style()
        return seq
    if kind is bool:
        return bool(default)
    if kind in (int, float):
        return default if isinstance(default, int | float) else 0
    if kind is str or (isinstance(kind, type) and kind.__name__ == "time"):
        return default if isinstance(default, str) else ""
    return None


def optional_fields(doc: CommentedMap, path: str) -> list[str]:
    """The fields the section at ``path`` may have but does not (ones the form can add)."""
    model = _model_at(path)
    node: Any = doc
    for part in path.split(".") if path else ():
        node = node.get(part) if isinstance(node, CommentedMap) else None
    if model is None or not isinstance(node, CommentedMap):
        return []
    out = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in node and _new_value(info.annotation, info.default) is not None:
            out.append(key)
    return out


def add_field(doc: CommentedMap, at: str, key: str) -> str:
    """Add the optional field ``key`` to the section at ``at`` (``globals.handover_number``).

    Raises:
        InputError: not a field that section has, or it is there already.
    """
    if key not in optional_fields(doc, at):
        raise InputError(f"{at or 'the file'}: cannot add a field {key!r} here")
    model = _model_at(at)
    assert model is not None
    info = next(f for n, f in model.model_fields.items() if key in (n, f.alias))
    node: Any = doc
    for part in at.split(".") if at else ():
        node = node[part]
    node[key] = _new_value(info.annotation, info.default)
    return f"{at}.{key}" if at else key


def add_entry(doc: CommentedMap, at: str, key: str = "") -> str:
    """Add an entry to the collection at ``at`` (a new intent, slot, fact, flag ...).

    Returns:
        The path of the new entry.

    Raises:
        InputError: not a collection the editor adds to, a bad or taken key.
    """
    pattern = _pattern_of(at, ADDABLE)
    if pattern is None:
        raise InputError(f"{at!r}: entries are not added here")
    node: Any = doc
    for part in _split(at):
        node = _step(node, part, at)
    if isinstance(node, CommentedSeq):
        node.append(_skeleton(pattern, ""))
        return f"{at}.{len(node) - 1}"
    key = key.strip()
    if not _KEY.match(key):
        raise InputError(
            f"{key!r}: a name is letters, digits, '_' and '-' (no spaces), up to 64 characters"
        )
    if not isinstance(node, CommentedMap):
        raise InputError(f"{at!r}: entries are not added here")
    if key in node:
        raise InputError(f"{at}.{key} exists already")
    node[key] = _skeleton(pattern, key)
    return f"{at}.{key}"


def remove_entry(doc: CommentedMap, path: str) -> None:
    """Remove the entry at ``path`` (an intent, a slot value, a flag ...).

    Raises:
        InputError: not an entry of a collection the editor changes.
    """
    at, _, _ = path.rpartition(".")
    if not at or _pattern_of(at, ADDABLE) is None:
        raise InputError(f"{path!r}: cannot be removed here (edit the YAML instead)")
    parent, key = _parent(doc, path)
    del parent[key]


# --- the editor's tree ----------------------------------------------------------------------


@dataclass
class Node:
    """One place of the file as the editor shows it.

    Attributes:
        path: dotted path (``intents.book.description``).
        key: the last part of the path.
        kind: ``map`` (a fieldset), ``items`` (a list of sections), ``text``, ``long`` (a text
            area), ``choice`` (a select), ``lines`` (a list of texts, one a line), ``examples``
            (an intent's examples, with slot marking).
        value: the text shown (scalars, lines).
        choices: the options of a ``choice``.
        children: the entries of a ``map`` or ``items``.
        addable: new entries can be added (``map``: with a name; ``items``: an item).
        removable: this entry can be removed.
        read_only: shown, not editable (the scenario id).
        optional: fields this section may have and does not yet (the form adds them).
    """

    path: str
    key: str
    kind: str
    value: str = ""
    choices: tuple[str, ...] = ()
    children: list[Node] = field(default_factory=list)
    addable: bool = False
    removable: bool = False
    read_only: bool = False
    optional: list[str] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        """An HTML id for the field (``f-persona__name``); its error box is ``e-...``."""
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "_", self.path.replace(".", "__"))

    def walk(self) -> Iterator[Node]:
        """Yield this node and every node under it."""
        yield self
        for child in self.children:
            yield from child.walk()


#: The sections of the editor, in order (what the file has; ``meta`` is its top-level values).
SECTIONS = (
    "meta",
    "persona",
    "facts",
    "booking",
    "venue",
    "slots",
    "intents",
    "tasks",
    "faq",
    "templates",
    "flags",
    "memory",
    "globals",
    "retention",
)


def _choices(path: str, value: Any, doc: CommentedMap) -> tuple[str, ...] | None:
    fixed: dict[str, tuple[str, ...]] = {
        "language": ("ko", "en"),
        "direction": ("inbound", "outbound"),
        "persona.honorific": ("polite", "formal", "casual"),
        "slots.*.type": SLOT_TYPES,
        "slots.*.on_unrecognized": ("reprompt", "skip"),
        "globals.fallback": ("end", "handover"),
        "tasks.*.action": tuple(ACTIONS),
        "tasks.*.lookup": ("", *LOOKUPS),
        "tasks.*.validate": ("", *VALIDATORS),
        "tasks.*.intent": tuple(doc.get("intents") or ()),
        "start_task": tuple(doc.get("tasks") or ()),
    }
    pattern = _pattern_of(path, tuple(fixed))
    if pattern is not None:
        options = fixed[pattern]
    elif isinstance(value, bool):
        options = ("true", "false")
    else:
        return None
    shown = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return options if shown in options else (shown, *options)


def _node(path: str, key: str, value: Any, doc: CommentedMap) -> Node:
    addable = _pattern_of(path, ADDABLE) is not None
    at = path.rpartition(".")[0]
    removable = bool(at) and _pattern_of(at, ADDABLE) is not None
    if isinstance(value, CommentedMap):
        children = [_node(f"{path}.{k}", str(k), v, doc) for k, v in value.items()]
        node = Node(path, key, "map", children=children, addable=addable, removable=removable)
        if not addable:
            node.optional = optional_fields(doc, path)
        return node
    if isinstance(value, CommentedSeq):
        if (addable and not value) or any(
            isinstance(v, CommentedMap | CommentedSeq) for v in value
        ):
            children = [_node(f"{path}.{i}", str(i + 1), v, doc) for i, v in enumerate(value)]
            return Node(path, key, "items", children=children, addable=addable, removable=removable)
        kind = "examples" if _pattern_of(path, ("intents.*.examples",)) else "lines"
        text = "\n".join(str(v).lower() if isinstance(v, bool) else str(v) for v in value)
        return Node(path, key, kind, value=text, removable=removable)
    choices = _choices(path, value, doc)
    shown = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    if choices is not None:
        return Node(path, key, "choice", shown, choices, removable=removable)
    kind = (
        "long" if len(shown) > 70 or path.startswith(("templates.", "faq.", "facts.")) else "text"
    )
    return Node(path, key, kind, shown, removable=removable, read_only=path == "id")


def editor_tree(doc: CommentedMap) -> list[Node]:
    """The editor's sections for ``doc`` (the file's order inside each; unknown keys in meta)."""
    meta = Node("", "meta", "map")
    sections: dict[str, Node] = {}
    for key, value in doc.items():
        key = str(key)
        if key in SECTIONS and isinstance(value, CommentedMap | CommentedSeq):
            sections[key] = _node(key, key, value, doc)
        else:
            meta.children.append(_node(key, key, value, doc))
    meta.optional = [k for k in optional_fields(doc, "") if k not in SECTIONS or k == "faq"]
    sections["meta"] = meta
    return [sections[name] for name in SECTIONS if name in sections]


def field_for_error(tree: list[Node], error_field: str | None) -> Node | None:
    """The deepest node of the editor at or above the loader's error path (``None``: none)."""
    if not error_field:
        return None
    best: Node | None = None
    for section in tree:
        for node in section.walk():
            if not node.path:
                continue
            if error_field == node.path or error_field.startswith(node.path + "."):
                if best is None or len(node.path) > len(best.path):
                    best = node
    return best


# --- diff -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff: ``kind`` is ``file``, ``hunk``, ``add``, ``del`` or ``ctx``."""

    kind: str
    text: str


def diff_lines(old: str, new: str, old_name: str, new_name: str) -> list[DiffLine]:
    """The unified diff of two texts as typed lines (empty: no change)."""
    out: list[DiffLine] = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, lineterm=""
    ):
        if line.startswith(("---", "+++")) and len(out) < 2:
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "ctx"
        out.append(DiffLine(kind, line))
    return out
