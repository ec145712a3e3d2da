"""Everything a call will use is checked at load: the operator's clinic line, broken one way each.

Each mistake below once passed ``aicall scenario validate`` and crashed the call instead
(issue #11): an unregistered action, a booking task without a venue or without the slots the
booking needs, a validator with nothing to check. Now each names the file, line and field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from common.errors import ScenarioError
from dialogue import registry
from scenarios.capabilities import ACTIONS, LOOKUPS, VALIDATORS
from scenarios.loader import load_scenario

DATA = Path(__file__).parent / "data"
CLINIC = {"en": DATA / "clinic-en.yaml", "ko": DATA / "clinic-ko.yaml"}


def _venue_block(text: str) -> str:
    """The ``venue:`` block of a scenario file, up to the next top-level key."""
    start = text.index("\nvenue:\n") + 1
    end = text.index("\nslots:\n", start) + 1
    return text[start:end]


def _broken(tmp_path: Path, lang: str, *edits: tuple[str, str]) -> tuple[Path, str]:
    text = CLINIC[lang].read_text(encoding="utf-8")
    for old, new in edits:
        if old == "<venue>":
            old = _venue_block(text)
        assert text.count(old) == 1, f"{old!r} is not unique in {CLINIC[lang].name}"
        text = text.replace(old, new)
    path = tmp_path / CLINIC[lang].name
    path.write_text(text, encoding="utf-8")
    return path, text


def _line(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def _error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert str(err) == f"{path}:{err.line}: {err.field}: {err.message}"
    return err


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_clinic_line_loads_in_both_languages(lang: str) -> None:
    sc = load_scenario(CLINIC[lang])
    assert sc.language == lang and sc.venue is not None
    for key in ("closed_day", "outside_hours", "store_down", "turn_failed"):
        assert key not in sc.templates  # the built-in wording says these


BOOK_ACTION = "    action: create_booking\n"
BOOK_SLOTS = "    slots: [date, time, party_size, seating, name, phone]\n"
VALIDATE = "    validate: restaurant_availability\n"

# (what is wrong, edits, the line the error points at, field, message fragments)
CASES = [
    (
        "unregistered action",
        [(BOOK_ACTION, "    action: send_fax\n")],
        "action: send_fax",
        "tasks.book.action",
        ["unknown action 'send_fax'", "create_booking", "find_provider"],
    ),
    (
        "booking without a venue",
        [("<venue>", "")],
        "action: create_booking",
        "tasks.book.action",
        ["action 'create_booking' needs a 'venue'"],
    ),
    (
        "booking without party_size",
        [(BOOK_SLOTS, "    slots: [date, time, seating, name, phone]\n")],
        "slots: [date, time, seating, name, phone]",
        "tasks.book.slots",
        ["action 'create_booking' needs the task to collect 'party_size' (a count)"],
    ),
    (
        "booking without seating",
        [(BOOK_SLOTS, "    slots: [date, time, party_size, name, phone]\n")],
        "slots: [date, time, party_size, name, phone]",
        "tasks.book.slots",
        ["needs the task to collect 'seating' (a category)"],
    ),
    (
        "party size that is not a count",
        [
            (
                "  party_size: {type: count, prompt: ask_party_size, min: 1, max: 2}\n",
                "  party_size: {type: text, prompt: ask_party_size}\n",
            )
        ],
        "party_size: {type: text",
        "slots.party_size.type",
        ["needs 'party_size' to be a count"],
    ),
    (
        "availability check without a venue",
        [
            ("<venue>", ""),
            (BOOK_ACTION, "    action: record_carecall\n"),
            ("  bye:", "  done_checkin: ok\n  flagged: ok\n  bye:"),
        ],
        "validate: restaurant_availability",
        "tasks.book.validate",
        ["validate 'restaurant_availability' needs a 'venue'"],
    ),
    (
        "unregistered validator",
        [(VALIDATE, "    validate: provider_hours\n")],
        "validate: provider_hours",
        "tasks.book.validate",
        ["unknown validator 'provider_hours'", "restaurant_availability"],
    ),
    (
        "booking without its availability check",
        [(VALIDATE, "")],
        "action: create_booking",
        "tasks.book.action",
        ["needs 'validate: restaurant_availability'"],
    ),
    (
        "unregistered look-up",
        [("    lookup: booking_by_phone\n", "    lookup: by_name\n")],
        "lookup: by_name",
        "tasks.cancel.lookup",
        ["unknown lookup 'by_name'", "booking_by_phone"],
    ),
    (
        "action without its done template",
        [("  done_book:", "  done_booking:")],
        "templates:",
        "templates",
        ["missing template 'done_book'", "create_booking"],
    ),
    (
        "confirmed task without its read-back",
        [("  confirm_cancel:", "  confirm_cancellation:")],
        "templates:",
        "templates",
        ["missing template 'confirm_cancel'"],
    ),
    (
        "out-of-scope intent without its answer",
        [("  out_of_scope: ", "  sorry_out_of_scope: ")],
        "templates:",
        "templates",
        ["missing template 'out_of_scope'"],
    ),
    (
        "look-up without what it says",
        [("  booking_not_found:", "  not_found:")],
        "templates:",
        "templates",
        ["missing template 'booking_not_found'", "lookup 'booking_by_phone'"],
    ),
]


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(
    ("edits", "at", "field", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_what_a_call_needs_is_checked_at_load(
    tmp_path: Path,
    lang: str,
    edits: list[tuple[str, str]],
    at: str,
    field: str,
    fragments: list[str],
) -> None:
    path, text = _broken(tmp_path, lang, *edits)
    err = _error(path)
    assert (err.field, err.line) == (field, _line(text, at)), str(err)
    for fragment in fragments:
        assert fragment in err.message, str(err)


def test_an_intent_with_neither_description_nor_examples_is_an_error(tmp_path: Path) -> None:
    path, text = _broken(
        tmp_path,
        "en",
        (
            "  faq_hours:\n    description:",
            '  faq_fees:\n    description: ""\n  faq_hours:\n    description:',
        ),
    )
    err = _error(path)
    assert (err.field, err.line) == ("intents.faq_fees", _line(text, "faq_fees:"))
    assert "needs a description or examples" in err.message


def test_every_registered_name_is_implemented() -> None:
    """The data side (scenarios/capabilities.py) and the code side (dialogue/registry.py) agree."""
    assert set(registry.ACTIONS) == set(ACTIONS)
    assert set(registry.LOOKUPS) == set(LOOKUPS)
    assert set(registry.VALIDATORS) == set(VALIDATORS)
    assert set(LOOKUPS) == {"booking_by_phone"}  # dialogue/policy.py starts it by this name
    # dialogue/forms.py runs them by name
    assert set(VALIDATORS) == {"restaurant_availability", "booking_availability"}
