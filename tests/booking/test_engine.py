"""The availability rules of any business, on the inline test clinic and a real SQLite store.

Now is Wednesday 2026-11-25 10:00. Dr Kim works 9-13 and is off on Thursdays; Dr Lee works all
day; lunch is 12:30-13:30 on weekdays; Saturday closes at 13:00; Sunday is closed; bookings need
60 minutes' notice, open 30 days ahead, and can be changed until 120 minutes before.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from agent.store import SqlBookingBackend
from common.errors import CapacityError
from dialogue.appointments import cancel_too_late
from dialogue.booking import check, earliest, find_providers, free_starts, make_plan, spread
from scenarios.schema import Scenario
from tests.booking.clinic import NOW

THU, FRI, SAT, SUN = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29)
TASK = ("service", "provider", "date", "time", "party_size", "name", "phone")


def book(
    store: SqlBookingBackend,
    sc: Scenario,
    service: str,
    provider: str | None,
    day: date,
    at: time,
    party: int | None = None,
    phone: str = "01000000000",
) -> int:
    assert sc.business is not None
    plan = make_plan(
        sc.business, service, provider, datetime.combine(day, at), party, name="A", phone=phone
    )
    return store.book(plan).id


def finding(
    sc: Scenario, store: SqlBookingBackend | None, **slots: Any
) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    values = dict(slots)
    found = check(sc, values, NOW, store, task_slots=TASK)
    if found is None:
        return None, {}, values
    return (
        found.template,
        {"values": found.values, "clear": found.clear, "offers": found.offers},
        values,
    )


def starts(
    sc: Scenario,
    store: SqlBookingBackend,
    service: str,
    day: date,
    who: str | None,
    party: int | None = None,
) -> list[time]:
    assert sc.business is not None
    return [t for t, _ in free_starts(sc.business, store, service, day, who, party, NOW)]


def test_free_starts_follow_hours_break_and_the_service_length(
    clinic: Scenario, store: SqlBookingBackend
) -> None:
    free = starts(clinic, store, "consultation", FRI, "dr_lee")
    assert free[0] == time(9, 0)
    assert time(12, 0) in free  # 12:00-12:20 ends before lunch
    assert time(12, 15) not in free  # 12:15-12:35 runs into lunch
    assert time(13, 15) not in free and time(13, 30) in free
    assert free[-1] == time(17, 30)  # 17:45 + 20 minutes ends after 18:00
    kim = starts(clinic, store, "consultation", FRI, "dr_kim")
    assert kim[0] == time(9, 0)
    assert kim[-1] == time(12, 0)  # his own hours end at 13:00, lunch starts at 12:30


def test_a_booked_provider_is_not_free_for_the_service_plus_its_buffer(
    clinic: Scenario, store: SqlBookingBackend
) -> None:
    book(store, clinic, "consultation", "dr_lee", FRI, time(10, 0))  # 10:00-10:20, held to 10:30
    free = starts(clinic, store, "consultation", FRI, "dr_lee")
    assert time(10, 0) not in free and time(10, 15) not in free
    assert time(9, 45) not in free  # 9:45-10:05 overlaps
    assert time(9, 30) in free  # 9:30-9:50, held to 10:00: touches, no overlap
    assert time(10, 30) in free  # the buffer is over
    assert time(10, 0) in starts(clinic, store, "consultation", FRI, "dr_kim")


def test_a_taken_slot_offers_the_nearest_times_and_another_doctor(
    clinic: Scenario, store: SqlBookingBackend
) -> None:
    book(store, clinic, "consultation", "dr_lee", FRI, time(10, 0))
    template, found, _ = finding(
        clinic, store, service="consultation", provider="dr_lee", date=FRI, time=time(10, 0)
    )
    assert template == "slot_taken_offer"
    assert found["clear"] == ["time"]
    assert found["offers"] == [
        {"time": time(9, 30), "provider": "dr_lee"},
        {"time": time(10, 30), "provider": "dr_lee"},
        {"time": time(10, 0), "provider": "dr_kim"},
    ]


def test_anyone_takes_the_first_free_doctor_and_writes_it_back(
    clinic: Scenario, store: SqlBookingBackend
) -> None:
    book(store, clinic, "consultation", "dr_kim", FRI, time(10, 0))
    template, _, slots = finding(
        clinic, store, service="consultation", provider="any", date=FRI, time=time(10, 0)
    )
    assert template is None and slots["provider"] == "dr_lee"


def test_a_doctors_day_off_is_refused_and_the_date_asked_again(
    clinic: Scenario, store: SqlBookingBackend
) -> None:
    template, found, _ = finding(clinic, store, service="consultation", provider="dr_kim", date=THU)
    assert template == "provider_day_off"
    assert found["values"]["date"] == THU and found["clear"] == ["date"]
    assert starts(clinic, store, "consultation", THU, "dr_kim") == []
    assert starts(clinic, store, "consultation", THU, "any")  # Dr Lee works


def test_outside_a_doctors_own_hours(clinic: Scenario, store: SqlBookingBackend) -> None:
    template, found, _ = finding(
        clinic, store, service="consultation", provider="dr_kim", date=FRI, time=time(15, 0)
    )
    assert template == "provider_hours"
    assert (found["values"]["open"], found["values"]["close"]) == (time(9, 0), time(13, 0))


def test_a_service_too_long_for_the_time_left_before_closing(
    clinic: Scenario, store: SqlBookingBackend
) -> None:
    template, found, _ = finding(
        clinic, store, service="checkup", provider="dr_lee", date=FRI, time=time(17, 30)
    )
    assert template == "too_long_closing"
    assert found["values"]["minutes"] == 60 and found["values"]["close"] == time(18, 0)
    # the same start fits a consultation (20 minutes)
    assert (
        finding(
            clinic, store, service="consultation", provider="dr_lee", date=FRI, time=time(17, 30)
        )[0]
        is None
    )
    # Saturday closes at 13:00 and has no lunch break
    template, found, _ = finding(
        clinic, store, service="checkup", provider="dr_kim", date=SAT, time=time(12, 30)
    )
    assert template == "too_long_closing" and found["values"]["close"] == time(13, 0)


def test_a_service_that_would_run_into_the_break(
    clinic: Scenario, store: SqlBookingBackend
) -> None:
    template, found, _ = finding(
        clinic, store, service="checkup", provider="dr_lee", date=FRI, time=time(12, 0)
    )
    assert template == "overlaps_break"
    assert (found["values"]["break_start"], found["values"]["break_end"]) == (
        time(12, 30),
        time(13, 30),
    )
    assert found["clear"] == ["time"]


def test_closed_day_past_lead_time_and_horizon(clinic: Scenario, store: SqlBookingBackend) -> None:
    assert finding(clinic, store, date=SUN)[0] == "closed_day"
    assert finding(clinic, store, date=NOW.date() - timedelta(days=1))[0] == "past_time"
    assert finding(clinic, store, date=NOW.date(), time=time(9, 30))[0] == "past_time"
    template, found, _ = finding(clinic, store, date=NOW.date(), time=time(10, 30))
    assert template == "too_soon" and found["values"] == {"lead_minutes": 60}
    assert (
        finding(
            clinic,
            store,
            service="consultation",
            provider="dr_lee",
            date=NOW.date(),
            time=time(11, 0),
        )[0]
        is None
    )
    assert finding(clinic, store, date=NOW.date() + timedelta(days=30))[0] is None
    template, found, _ = finding(clinic, store, date=NOW.date() + timedelta(days=31))
    assert template == "beyond_horizon" and found["values"] == {"horizon_days": 30}
    assert finding(clinic, store, date=FRI, time=time(8, 0))[0] == "outside_hours"


def test_party_size_durations_and_seats(clinic: Scenario, store: SqlBookingBackend) -> None:
    assert clinic.business is not None
    small = make_plan(clinic.business, "tasting", "bar", datetime.combine(FRI, time(15, 0)), 2)
    large = make_plan(clinic.business, "tasting", "bar", datetime.combine(FRI, time(15, 0)), 5)
    assert small.end - small.start == timedelta(minutes=60)
    assert large.end - large.start == timedelta(minutes=90)
    assert large.holds[0].units == 5 and large.holds[0].capacity == 6
    book(store, clinic, "tasting", "bar", FRI, time(15, 0), party=4)
    assert (
        finding(
            clinic,
            store,
            service="tasting",
            provider="bar",
            date=FRI,
            time=time(15, 0),
            party_size=2,
        )[0]
        is None
    )
    template, found, _ = finding(
        clinic, store, service="tasting", provider="bar", date=FRI, time=time(15, 0), party_size=3
    )
    assert template == "slot_taken_offer"
    # ending when the party of 4 sits down, or starting when it leaves (90 minutes either way)
    assert [o["time"] for o in found["offers"]] == [time(13, 30), time(16, 30)]
    template, found, _ = finding(
        clinic, store, service="tasting", date=FRI, time=time(15, 0), party_size=7
    )
    assert template == "party_too_large" and found["values"] == {"max_party": 6}


def test_a_booking_holds_every_resource_it_needs(
    clinic: Scenario, store: SqlBookingBackend
) -> None:
    booked = book(store, clinic, "checkup", "dr_lee", FRI, time(10, 0))
    record = store.get(booked)
    assert record is not None and record.resources == ("dr_lee", "room")
    assert record.service == "checkup" and record.provider == "dr_lee"
    # Dr Kim is free at 10:00, the room is not: no check-up, but a consultation is fine
    template, found, _ = finding(
        clinic, store, service="checkup", provider="dr_kim", date=FRI, time=time(10, 0)
    )
    assert template == "slot_taken_offer"
    assert all(o["time"] not in (time(10, 0), time(10, 30)) for o in found["offers"])
    assert (
        finding(
            clinic, store, service="consultation", provider="dr_kim", date=FRI, time=time(10, 0)
        )[0]
        is None
    )
    assert clinic.business is not None
    with pytest.raises(CapacityError):
        store.book(
            make_plan(
                clinic.business, "checkup", "dr_kim", datetime.combine(FRI, time(10, 30)), None
            )
        )


def test_nothing_free_that_day_asks_for_another(clinic: Scenario, store: SqlBookingBackend) -> None:
    for doctor in ("dr_kim", "dr_lee"):  # 20 minutes + 10 of buffer every half hour
        for at in starts(clinic, store, "consultation", SAT, doctor):
            if at.minute % 30 == 0:
                book(store, clinic, "consultation", doctor, SAT, at)
    template, found, _ = finding(
        clinic, store, service="consultation", provider="dr_kim", date=SAT, time=time(9, 0)
    )
    assert template == "slot_taken_none" and found["clear"] == ["date", "time"]


def test_the_earliest_start_and_a_spread_of_times(
    clinic: Scenario, store: SqlBookingBackend
) -> None:
    assert clinic.business is not None
    first = earliest(clinic.business, store, "consultation", "any", None, NOW)
    assert first == (datetime(2026, 11, 25, 11, 0), "dr_kim")  # now + 60 minutes' notice
    first = earliest(clinic.business, store, "consultation", "dr_kim", None, NOW, from_day=THU)
    assert first == (datetime(2026, 11, 27, 9, 0), "dr_kim")  # off on Thursday
    said = spread(free_starts(clinic.business, store, "consultation", FRI, "dr_lee", None, NOW))
    assert said == [time(9, 0), time(10, 0), time(11, 0), time(12, 0)]


def test_which_doctors_work_when(clinic: Scenario) -> None:
    assert clinic.business is not None
    afternoon = (time(12, 0), time(17, 0))
    # Dr Kim's half hour before lunch is no afternoon surgery
    assert find_providers(clinic.business, "doctor", FRI, afternoon) == ["dr_lee"]
    assert find_providers(clinic.business, "doctor", FRI, (time(6, 0), time(12, 0))) == [
        "dr_kim",
        "dr_lee",
    ]
    assert find_providers(clinic.business, "doctor", FRI, (time(13, 30), time(17, 0))) == ["dr_lee"]
    assert find_providers(clinic.business, "doctor", THU, None) == ["dr_lee"]
    assert find_providers(clinic.business, None, FRI, None, time(15, 0)) == ["dr_lee", "bar"]
    assert find_providers(clinic.business, "doctor", SUN, None) == []


def test_the_cancellation_cutoff(clinic: Scenario) -> None:
    late = cancel_too_late(clinic, NOW + timedelta(minutes=90), NOW)
    assert late is not None and late.template == "cancel_too_late"
    assert late.values == {"cancel_until_minutes": 120}
    assert cancel_too_late(clinic, NOW + timedelta(minutes=120), NOW) is None


def test_a_provider_who_does_not_provide_the_service(
    clinic: Scenario, store: SqlBookingBackend
) -> None:
    template, found, _ = finding(clinic, store, service="vaccination", provider="dr_kim", date=FRI)
    assert template == "provider_not_for_service" and found["clear"] == ["provider"]
    assert found["values"]["providers"] == (
        ["Dr Lee"] if clinic.language == "en" else ["이 원장님"]
    )
    assert finding(clinic, store, service="vaccination", provider="dr_lee", date=FRI)[0] is None
    _, _, slots = finding(
        clinic, store, service="vaccination", provider="any", date=FRI, time=time(9, 0)
    )
    assert slots["provider"] == "dr_lee"
