"""Keys read as dates, times and menu choices (dialogue.keypad), without a runtime."""

from __future__ import annotations

from datetime import date, time

import pytest

from dialogue.keypad import keyed_date, keyed_time, keys_as_result, menu_key
from dialogue.state import DialogueState
from scenarios.loader import load_scenarios

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("digits", "value"),
    [
        ("1126", date(2026, 11, 26)),
        ("1125", date(2026, 11, 25)),  # today
        ("1124", date(2027, 11, 24)),  # passed this year: next year's, as "11월 24일" said
        ("0105", date(2027, 1, 5)),
        ("26", date(2026, 11, 26)),
        ("3", date(2026, 12, 3)),  # the next 3rd
        ("31", date(2026, 12, 31)),  # November has no 31st
        ("0230", None),
        ("1332", None),
        ("0026", None),
        ("32", None),
        ("0", None),
        ("112", None),
        ("11260", None),
    ],
)
def test_keyed_dates(digits: str, value: date | None) -> None:
    assert keyed_date(digits, TODAY) == value


@pytest.mark.parametrize(
    ("digits", "value"),
    [
        ("1300", (time(13, 0), False)),
        ("0730", (time(7, 30), False)),  # four keys: 24-hour, exactly
        ("1930", (time(19, 30), False)),
        ("7", (time(7, 0), True)),  # a bare hour: am or pm resolved like "7시"
        ("12", (time(12, 0), True)),
        ("19", (time(19, 0), False)),
        ("730", (time(7, 30), True)),
        ("0", (time(0, 0), False)),
        ("24", None),
        ("2460", None),
        ("12345", None),
    ],
)
def test_keyed_times(digits: str, value: tuple[time, bool] | None) -> None:
    assert keyed_time(digits) == value


@pytest.mark.parametrize("scenario", ["restaurant-ko", "restaurant-en"])
def test_the_seating_menu_follows_the_order_of_the_values(scenario: str) -> None:
    sc = load_scenarios()[scenario]
    assert [menu_key(sc, "seating", d) for d in "123450"] == [
        "room",
        "hall",
        "outdoor",
        "any",
        None,
        None,
    ]
    assert menu_key(sc, "party_size", "1") is None  # not a category


def test_no_menu_without_its_announcement() -> None:
    sc = load_scenarios()["carecall-ko"]
    category = next(n for n, s in sc.slots.items() if s.type == "category")
    assert f"keypad_{category}" not in sc.templates
    assert menu_key(sc, category, "1") is None


def test_keys_answer_only_the_question_asked() -> None:
    sc = load_scenarios()["restaurant-ko"]
    asked_time = DialogueState(task="book", requested="time")
    (slot,) = keys_as_result(asked_time, sc, "7#", TODAY).slots
    assert (slot.name, slot.value, slot.ambiguous) == ("time", time(7, 0), True)
    asked_date = DialogueState(task="book", requested="date")
    assert keys_as_result(asked_date, sc, "1300#", TODAY).slots == ()  # a time, not a date
    assert keys_as_result(asked_date, sc, "1201#", TODAY).slots[0].value == date(2026, 12, 1)
    nothing = DialogueState()
    assert keys_as_result(nothing, sc, "1126#", TODAY).slots == ()
