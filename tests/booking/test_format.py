"""The ``booking:`` section loads, converts a restaurant's venue, and names file, line and field
of every mistake an operator can make in it."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from common.errors import ScenarioError
from scenarios.loader import SHIPPED_DIR, load_scenario
from tests.booking.clinic import BOOKING, write_clinic


def _error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def _line(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if fragment in text)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_booking_section_loads(tmp_path: Path, lang: str) -> None:
    sc = load_scenario(write_clinic(tmp_path, lang))
    business = sc.business
    assert business is not None and business is sc.booking
    assert business.providers_of("consultation") == ["dr_kim", "dr_lee"]
    assert business.providers_of("tasting") == ["bar"]
    assert business.buffer_of("consultation") == 10 and business.buffer_of("checkup") == 0
    assert business.hours_on("sunday") is None
    saturday = business.hours_on("saturday")
    assert saturday is not None and saturday.close == time(13, 0)
    assert business.services["tasting"].duration(5) == 90
    assert business.services["tasting"].duration(7) is None
    assert business.services["checkup"].by_party is False


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_restaurant_venue_is_one_instance_of_the_model(lang: str) -> None:
    sc = load_scenario(SHIPPED_DIR / f"restaurant-{lang}.yaml")
    assert sc.venue is not None and sc.booking is None
    business = sc.business
    assert business is not None and business.id == sc.venue.id
    assert list(business.resources) == ["hall", "room", "outdoor"]  # default seating first
    assert {k: r.capacity for k, r in business.resources.items()} == {
        "hall": 40,
        "room": 12,
        "outdoor": 16,
    }
    table = business.services["table"]
    assert (table.minutes, table.units, table.provider_kind) == (90, "party", "seating")
    assert business.slots.provider == "seating"
    assert business.hours["default"].last_start == time(20, 30)
    assert business.closed_days == ("monday",)


CASES = [
    (
        "a provider that is no resource",
        (
            "provider_kind: doctor}\n    checkup",
            "provider_kind: doctor, providers: [dr_park]}\n    checkup",
        ),
        "providers: [dr_park]",
        "booking.services.consultation.providers.0",
        "unknown resource 'dr_park'",
    ),
    (
        "a provider kind nobody has",
        ("minutes: 60, provider_kind: doctor", "minutes: 60, provider_kind: nurse"),
        "provider_kind: nurse",
        "booking.services.checkup.provider_kind",
        "no resource of kind 'nurse'",
    ),
    (
        "an extra resource that does not exist",
        ("also_needs: [room]", "also_needs: [lab]"),
        "also_needs: [lab]",
        "booking.services.checkup.also_needs.0",
        "unknown resource 'lab'",
    ),
    (
        "both a fixed and a party-size duration",
        ("label: tasting\n", "label: tasting\n      minutes: 30\n"),
        "    tasting:",
        "booking.services.tasting",
        "either 'minutes' or 'minutes_by_party'",
    ),
    (
        "a day that is no weekday",
        ("closed_days: [sunday]", "closed_days: [funday]"),
        "closed_days: [funday]",
        "booking.closed_days",
        "unknown weekday 'funday'",
    ),
    (
        "a break that ends before it starts",
        ('breaks: [{start: "12:30", end: "13:30"', 'breaks: [{start: "13:30", end: "12:30"'),
        "breaks:",
        "booking.breaks.0",
        "'end' must be after 'start'",
    ),
    (
        "a time that is no time",
        ('saturday: {open: "09:00"', 'saturday: {open: "9 am"'),
        'saturday: {open: "9 am"',
        "booking.hours.saturday.open",
        "expected a time as HH:MM",
    ),
]


@pytest.mark.parametrize(
    ("old", "at", "field", "fragment"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_mistakes_in_the_booking_section_name_file_line_and_field(
    tmp_path: Path, old: tuple[str, str], at: str, field: str, fragment: str
) -> None:
    assert BOOKING.count(old[0]) == 1, old[0]
    path = write_clinic(tmp_path, "en", booking=BOOKING.replace(*old))
    err = _error(path)
    assert err.file == str(path)
    assert (err.field, err.line) == (field, _line(path, at)), str(err)
    assert fragment in err.message, str(err)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_slots_must_match_the_data(tmp_path: Path, lang: str) -> None:
    path = write_clinic(tmp_path, lang)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      bar: {label:", "      pub: {label:"), encoding="utf-8")
    err = _error(path)
    assert (err.field, err.line) == (
        "slots.provider.values.pub",
        _line(path, "pub: {label:"),
    )
    assert "no booking resource 'pub'" in err.message


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_party_service_needs_the_party_size_in_the_form(tmp_path: Path, lang: str) -> None:
    path = write_clinic(tmp_path, lang, book_slots="[service, provider, date, time, name, phone]")
    err = _error(path)
    assert err.field == "tasks.book.slots"
    assert "needs the task to collect 'party_size' (a count)" in err.message


def test_a_booking_section_uses_the_booking_validator(tmp_path: Path) -> None:
    path = write_clinic(tmp_path, "en")
    text = path.read_text(encoding="utf-8").replace(
        "    validate: booking_availability\n", "    validate: restaurant_availability\n", 1
    )
    path.write_text(text, encoding="utf-8")
    err = _error(path)
    assert err.field == "tasks.book.action"
    assert "needs 'validate: booking_availability'" in err.message


def test_venue_and_booking_together_are_refused(tmp_path: Path) -> None:
    path = write_clinic(tmp_path, "en")
    venue = (
        'venue:\n  id: x\n  hours: {open: "09:00", close: "18:00"}\n  seating: {hall: {seats: 4}}\n'
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace("booking:\n", venue + "booking:\n", 1),
        encoding="utf-8",
    )
    assert "either 'venue'" in _error(path).message


def test_a_question_task_has_no_form(tmp_path: Path) -> None:
    path = write_clinic(tmp_path, "en")
    text = path.read_text(encoding="utf-8").replace(
        "list_times: {intent: list_times, slots: [], action: list_times, confirm: false}",
        "list_times: {intent: list_times, slots: [date], action: list_times, confirm: false}",
    )
    path.write_text(text, encoding="utf-8")
    err = _error(path)
    assert err.field == "tasks.list_times.action" and "slots: []" in err.message
