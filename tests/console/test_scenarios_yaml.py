"""The console's scenario editing without a server: round-trip, form fields, loader errors, diff."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.errors import InputError
from console.i18n.scenarios import MESSAGES
from console.scenario_check import check_text
from console.scenario_yaml import (
    SECTIONS,
    add_entry,
    add_field,
    apply_fields,
    diff_lines,
    dump_doc,
    editor_tree,
    field_for_error,
    load_doc,
    optional_fields,
    remove_entry,
)
from scenarios.loader import SHIPPED_DIR
from scenarios.starters import STARTERS_DIR, new_from_starter, starter_names

FILES = sorted(SHIPPED_DIR.glob("*.yaml")) + sorted(STARTERS_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_shipped_file_is_written_back_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert dump_doc(load_doc(text)) == text


def test_an_edit_keeps_comments_and_key_order() -> None:
    text = new_from_starter("booking", "en", "shop-en")
    doc = load_doc(text)
    changed = apply_fields(
        doc,
        {
            "persona.name": "Robin",
            "globals.max_reprompts": "3",
            "intents.faq_parking.examples": "is there parking\nwhere do I park",
        },
    )
    assert changed == ["persona.name", "globals.max_reprompts", "intents.faq_parking.examples"]
    out = dump_doc(doc)
    # the comment on the edited line and the section comments are still there
    assert re.search(r"\n  name: Robin +# change me: who answers the phone\n", out)
    assert "# what a booking holds: people, chairs, rooms (change me)" in out
    assert "max_reprompts: 3\n" in out  # a number stays a number
    assert "examples: [is there parking, where do I park]" in out  # flow style kept
    old_keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    new_keys = [line.split(":")[0] for line in out.splitlines() if line[:1].isalpha()]
    assert new_keys == old_keys
    # only the three edited lines differ
    changed_lines = [d for d in diff_lines(text, out, "a", "b") if d.kind in ("add", "del")]
    assert len(changed_lines) == 6
    assert check_text(out).ok


def test_unchanged_fields_change_nothing() -> None:
    text = new_from_starter("survey", "ko", "poll-ko")
    doc = load_doc(text)
    fields = {
        n.path: n.value
        for section in editor_tree(doc)
        for n in section.walk()
        if n.kind in ("text", "long", "choice", "lines", "examples") and not n.read_only
    }
    assert len(fields) > 50
    assert apply_fields(doc, fields) == []
    assert dump_doc(doc) == text


def test_a_bad_value_is_an_error_located_at_its_field() -> None:
    doc = load_doc(new_from_starter("booking", "ko", "shop-ko"))
    apply_fields(doc, {"booking.slot_minutes": "half an hour"})
    check = check_text(dump_doc(doc))
    assert not check.ok and check.error is not None
    assert check.error.field == "booking.slot_minutes"
    assert "integer" in check.error.message
    node = field_for_error(editor_tree(doc), check.error.field)
    assert node is not None and node.path == "booking.slot_minutes"
    lines = dump_doc(doc).splitlines()
    assert check.error.line is not None
    assert lines[check.error.line - 1].strip().startswith("slot_minutes: half an hour")


def test_an_unknown_slot_in_an_example_is_shown_at_the_examples_box() -> None:
    doc = load_doc(new_from_starter("booking", "en", "shop-en"))
    apply_fields(doc, {"intents.book.examples": "book [tomorrow](dat) please\nI'd like to book"})
    check = check_text(dump_doc(doc))
    assert check.error is not None and check.error.field == "intents.book.examples.0"
    assert "unknown slot 'dat'" in check.error.message
    node = field_for_error(editor_tree(doc), check.error.field)
    assert node is not None and (node.path, node.kind) == ("intents.book.examples", "examples")


def test_adding_an_intent_then_describing_it() -> None:
    doc = load_doc(new_from_starter("booking", "en", "shop-en"))
    path = add_entry(doc, "intents", "ask_price")
    assert path == "intents.ask_price"
    check = check_text(dump_doc(doc))
    assert check.error is not None and check.error.field == "intents.ask_price"
    apply_fields(
        doc,
        {
            "intents.ask_price.description": "The caller asks what a session costs.",
            "intents.ask_price.examples": "how much is a [standard session](service:basic)",
        },
    )
    check = check_text(dump_doc(doc))
    assert check.ok, check.problems
    assert check.scenario is not None
    assert check.scenario.intents["ask_price"].examples == (
        "how much is a [standard session](service:basic)",
    )
    with pytest.raises(InputError, match="exists already"):
        add_entry(doc, "intents", "ask_price")
    with pytest.raises(InputError, match="no spaces"):
        add_entry(doc, "intents", "ask price")
    with pytest.raises(InputError, match="not added here"):
        add_entry(doc, "persona", "mood")
    flag = add_entry(doc, "booking.breaks")
    assert flag == "booking.breaks.1"
    remove_entry(doc, "intents.ask_price")
    assert "ask_price" not in doc["intents"]
    with pytest.raises(InputError, match="cannot be removed"):
        remove_entry(doc, "persona.name")


def test_every_starter_kind_shows_in_the_editor_and_loads() -> None:
    assert set(starter_names()) >= {"booking", "carecall", "survey"}
    for name in starter_names():
        for lang in ("ko", "en"):
            text = new_from_starter(name, lang, f"x-{name}-{lang}")
            check = check_text(text)
            assert check.ok and check.scenario is not None, (name, lang, check.problems)
            assert check.scenario.id == f"x-{name}-{lang}"
            paths = {n.path for s in editor_tree(load_doc(text)) for n in s.walk()}
            assert {"persona.name", "templates.greet", "intents"} <= paths


def test_diff_marks_added_and_removed_lines() -> None:
    lines = diff_lines("a: 1\nb: 2\n", "a: 1\nb: 3\n", "v1", "v2")
    assert [d.kind for d in lines] == ["file", "file", "hunk", "ctx", "del", "add"]
    assert lines[-1].text == "+b: 3"
    assert diff_lines("a: 1\n", "a: 1\n", "v1", "v2") == []


def test_a_new_entrys_text_is_written_plain_not_quoted() -> None:
    doc = load_doc(new_from_starter("booking", "en", "shop-en"))
    add_entry(doc, "intents", "ask_price")
    doc = load_doc(dump_doc(doc))  # the draft travels as text between edits
    apply_fields(doc, {"intents.ask_price.description": "The caller asks about prices."})
    assert "    description: The caller asks about prices.\n" in dump_doc(doc)


def test_every_scenarios_ui_text_is_in_korean_and_english() -> None:
    templates = Path(__file__).resolve().parents[2] / "console" / "templates" / "scenarios"
    used = set()
    for path in templates.glob("*.html"):
        used |= set(re.findall(r"""t\(\s*["'](scenarios\.[a-z0-9_.]+)["']""", path.read_text()))
    used |= {f"scenarios.section.{s}" for s in SECTIONS} | {f"scenarios.help.{s}" for s in SECTIONS}
    used |= {f"scenarios.kind.{k}" for k in starter_names()}
    used |= {
        "scenarios.lang.ko",
        "scenarios.lang.en",
        "scenarios.dir.inbound",
        "scenarios.dir.outbound",
    }
    assert len(used) > 60
    missing = sorted(k for k in used if k not in MESSAGES and not k.endswith("."))
    assert not missing
    for key, texts in MESSAGES.items():
        assert texts.get("ko") and texts.get("en"), key


def test_an_optional_setting_is_added_in_the_form_hand_over_to_staff() -> None:
    doc = load_doc(new_from_starter("booking", "en", "shop-en"))
    globals_node = next(n for s in editor_tree(doc) for n in s.walk() if n.path == "globals")
    assert "handover_number" in globals_node.optional
    apply_fields(doc, {"globals.fallback": "handover"})
    check = check_text(dump_doc(doc))
    assert check.error is not None and "needs 'handover_number'" in check.error.message
    assert add_field(doc, "globals", "handover_number") == "globals.handover_number"
    doc = load_doc(dump_doc(doc))  # the draft travels as text
    apply_fields(doc, {"globals.handover_number": "+15555550123"})
    check = check_text(dump_doc(doc))
    assert check.scenario is not None and check.scenario.handover_number == "+15555550123"
    # quoted: unquoted, YAML would read the number as an integer
    assert re.search(r"\n  handover_number: '\+15555550123'\n", dump_doc(doc))
    with pytest.raises(InputError, match="cannot add a field 'fallback'"):
        add_field(doc, "globals", "fallback")  # there already
    with pytest.raises(InputError, match="cannot add a field 'colour'"):
        add_field(doc, "persona", "colour")
    assert "min" in optional_fields(doc, "slots.date")
    assert "lookup" in optional_fields(doc, "tasks.book")
