"""Restaurant rules as pure functions: am/pm, phone numbers, checks in order, alternatives."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from dialogue.ports import BookingRequest
from dialogue.restaurant import capacity_rule, check_booking, normalize_phone, resolve_time
from tests.dialogue.conftest import NOW, shipped
from tests.fakes.bookings import FakeBookings

SC = shipped()["restaurant-ko"]
VENUE = SC.venue
assert VENUE is not None
THURSDAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("said", "ambiguous", "meant"),
    [
        (time(7, 0), True, time(19, 0)),  # "7시": the evening, when the venue is open
        (time(11, 0), True, time(11, 0)),  # 23:00 is after hours: the morning
        (time(8, 30), True, time(20, 30)),
        (time(9, 0), True, time(9, 0)),  # 21:00 is past the last booking: left as said
        (time(7, 0), False, time(7, 0)),  # "오전 7시" is not ambiguous
    ],
)
def test_resolve_time(said: time, ambiguous: bool, meant: time) -> None:
    assert resolve_time(said, ambiguous, VENUE) == meant


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("+821012345678", "01012345678"),
        ("+82 10-1234-5678", "01012345678"),
        ("010-1234-5678", "01012345678"),
        ("+15551234567", "5551234567"),
        ("", None),
        (None, None),
    ],
)
def test_normalize_phone(raw: str | None, digits: str | None) -> None:
    assert normalize_phone(raw) == digits


def _slots(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "date": THURSDAY,
        "time": time(19, 0),
        "party_size": 4,
        "seating": "room",
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("slots", "template", "cleared"),
    [
        (_slots(date=date(2026, 11, 30)), "closed_day", ["date"]),  # a Monday
        (_slots(date=date(2026, 11, 24)), "past_time", ["date"]),
        (_slots(party_size=13), "party_too_large", ["party_size"]),
        (_slots(party_size=0), "party_too_small", ["party_size"]),
        (_slots(time=time(21, 0)), "outside_hours", ["time"]),
        (_slots(time=time(10, 30)), "outside_hours", ["time"]),
        (_slots(date=NOW.date(), time=time(11, 0)), None, []),
    ],
)
def test_checks(slots: dict[str, object], template: str | None, cleared: list[str]) -> None:
    finding = check_booking(SC, slots, NOW, FakeBookings())
    assert (finding.template if finding else None) == template
    assert (finding.clear if finding else []) == cleared


def test_past_time_today() -> None:
    evening = datetime(2026, 11, 25, 19, 0)
    finding = check_booking(SC, _slots(date=evening.date(), time=time(18, 30)), evening, None)
    assert finding is not None and (finding.template, finding.clear) == ("past_time", ["time"])


def _book(backend: FakeBookings, at: time, seating: str, n: int) -> None:
    assert VENUE is not None
    backend.create(
        capacity_rule(VENUE),
        BookingRequest(
            venue=VENUE.id,
            start=datetime.combine(THURSDAY, at),
            party_size=n,
            seating=seating,
            name="x",
            phone="0",
        ),
    )


def test_any_seating_takes_the_default_first_and_writes_the_choice_back() -> None:
    slots = _slots(seating="any")
    assert check_booking(SC, slots, NOW, FakeBookings()) is None
    assert slots["seating"] == "hall"


def test_any_seating_moves_on_when_the_default_is_full() -> None:
    backend = FakeBookings()
    _book(backend, time(19, 0), "hall", 40)
    slots = _slots(seating="any")
    assert check_booking(SC, slots, NOW, backend) is None
    assert slots["seating"] == "room"


def test_no_room_offers_the_nearest_free_times_then_another_seating() -> None:
    backend = FakeBookings()
    _book(backend, time(19, 0), "room", 12)
    finding = check_booking(SC, _slots(), NOW, backend)
    assert finding is not None and finding.template == "no_capacity_offer"
    assert finding.clear == ["time"]
    assert finding.offers == [
        {"time": time(17, 30), "seating": "room"},  # the nearest free times, in order
        {"time": time(20, 30), "seating": "room"},
        {"time": time(19, 0), "seating": "hall"},  # or the same time elsewhere
    ]


def test_a_change_counts_its_own_seats_as_free() -> None:
    backend = FakeBookings()
    _book(backend, time(19, 0), "room", 12)
    own = {"start": datetime.combine(THURSDAY, time(19, 0)), "seating": "room", "party_size": 12}
    assert check_booking(SC, _slots(party_size=12), NOW, backend, own) is None
