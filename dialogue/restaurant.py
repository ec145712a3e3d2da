"""Restaurant rules: opening hours, closed days, party limits, capacity and alternatives.

Pure functions over the scenario's venue and a :class:`~dialogue.ports.BookingBackend`; the
policy turns their findings into acts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from dialogue.ports import BookingBackend, CapacityRule
from scenarios.schema import WEEKDAYS, Scenario, Venue

__all__ = [
    "Finding",
    "capacity_rule",
    "check_booking",
    "normalize_phone",
    "resolve_time",
    "start_of",
]


@dataclass
class Finding:
    """A problem with the values collected so far.

    Attributes:
        template: the template key that explains it.
        values: values the template needs.
        clear: slots to forget and ask again.
        offers: alternatives to offer (each a dict of slot values).
    """

    template: str
    values: dict[str, Any] = field(default_factory=dict)
    clear: list[str] = field(default_factory=list)
    offers: list[dict[str, Any]] = field(default_factory=list)


def normalize_phone(number: str | None) -> str | None:
    """Caller ID or spoken digits → national digits (+82 10… → 010…, +1 555… → 555…)."""
    if not number:
        return None
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.strip().startswith("+"):
        if digits.startswith("82"):
            digits = "0" + digits[2:]
        elif digits.startswith("1") and len(digits) == 11:
            digits = digits[1:]
    return digits or None


def capacity_rule(venue: Venue) -> CapacityRule:
    """The capacity rule of a venue for the booking backend."""
    return CapacityRule(
        venue=venue.id,
        seats={k: s.seats for k, s in venue.seating.items()},
        duration_minutes=venue.booking_minutes,
    )


def _last_booking(venue: Venue) -> time:
    return venue.hours.last_booking or venue.hours.close


def resolve_time(value: time, ambiguous: bool, venue: Venue | None) -> time:
    """Pick am or pm for a time said without it ("7시" → 19:00 when the venue takes 19:00)."""
    if not ambiguous or value.hour >= 12 or venue is None:
        return value
    later = value.replace(hour=value.hour + 12)
    first, last = venue.hours.open, _last_booking(venue)
    if first <= later <= last:
        return later
    return value


def start_of(slots: dict[str, Any]) -> datetime:
    """The booking's start from its ``date`` and ``time`` slots."""
    return datetime.combine(slots["date"], slots["time"])


def _is_closed(venue: Venue, day: date) -> bool:
    return WEEKDAYS[day.weekday()] in venue.closed_days


def _seatings_for(venue: Venue, wanted: str) -> list[str]:
    if wanted != "any":
        return [wanted]
    ordered = list(venue.seating)
    if venue.default_seating:
        ordered.remove(venue.default_seating)
        ordered.insert(0, venue.default_seating)
    return ordered


def _free(
    backend: BookingBackend,
    rule: CapacityRule,
    seating: str,
    start: datetime,
    own: dict[str, Any] | None,
) -> int:
    left = backend.seats_left(rule, seating, start)
    if own and own.get("seating") == seating:
        own_start: datetime = own["start"]
        span = timedelta(minutes=rule.duration_minutes)
        if own_start < start + span and start < own_start + span:
            left += int(own["party_size"])
    return left


def check_booking(
    scenario: Scenario,
    slots: dict[str, Any],
    now: datetime,
    backend: BookingBackend | None,
    own: dict[str, Any] | None = None,
) -> Finding | None:
    """Check the values collected so far; return the first problem, or None.

    Checks, in order: closed day, past date, party size, opening hours, past time, then
    capacity of the chosen seating (``any`` takes the first seating with room, and the
    choice is written back into ``slots['seating']``). On no capacity it offers the nearest
    times that day, and the same time in another seating.
    """
    venue = scenario.venue
    if venue is None:
        return None
    day: date | None = slots.get("date")
    at: time | None = slots.get("time")
    party: int | None = slots.get("party_size")
    if day is not None:
        if _is_closed(venue, day):
            return Finding("closed_day", {"date": day}, ["date"])
        if day < now.date():
            return Finding("past_time", {}, ["date"])
    if party is not None:
        if party > venue.max_party:
            return Finding("party_too_large", {"max_party": venue.max_party}, ["party_size"])
        if party < 1:
            return Finding("party_too_small", {}, ["party_size"])
    if at is not None:
        if not (venue.hours.open <= at <= _last_booking(venue)):
            # the values a refusal says (a reworded reply must say each one)
            said = {"open": venue.hours.open, "last_booking": _last_booking(venue)}
            return Finding("outside_hours", said, ["time"])
        if day is not None and datetime.combine(day, at) <= now:
            return Finding("past_time", {}, ["time"])
    seating = slots.get("seating")
    if None in (day, at, party, seating) or backend is None:
        return None
    assert day is not None and at is not None and party is not None and seating is not None
    rule = capacity_rule(venue)
    start = datetime.combine(day, at)
    for choice in _seatings_for(venue, seating):
        if _free(backend, rule, choice, start, own) >= party:
            slots["seating"] = choice
            return None
    offers = _alternatives(venue, backend, rule, day, at, party, seating, now, own)
    shown = seating if seating != "any" else (venue.default_seating or next(iter(venue.seating)))
    if not offers:
        return Finding("no_capacity_none", {"seating": shown}, ["date", "time"])
    return Finding("no_capacity_offer", {"time": at, "seating": shown}, ["time"], offers)


def _alternatives(
    venue: Venue,
    backend: BookingBackend,
    rule: CapacityRule,
    day: date,
    at: time,
    party: int,
    seating: str,
    now: datetime,
    own: dict[str, Any] | None,
    limit: int = 2,
) -> list[dict[str, Any]]:
    """Nearest free times that day in the wanted seating, then the same time elsewhere.

    The nearest comes first (the earlier of two as near): the agent names them in this order
    and a bare "yes" takes the first.
    """
    step = timedelta(minutes=venue.slot_minutes)
    wanted = datetime.combine(day, at)
    candidates: list[datetime] = []
    t = datetime.combine(day, venue.hours.open)
    last = datetime.combine(day, _last_booking(venue))
    while t <= last:
        if t != wanted and t > now:
            candidates.append(t)
        t += step
    candidates.sort(key=lambda c: (abs(c - wanted), c))
    offers: list[dict[str, Any]] = []
    seatings = _seatings_for(venue, seating)
    for c in candidates:
        for s in seatings:
            if _free(backend, rule, s, c, own) >= party:
                offers.append({"time": c.time(), "seating": s})
                break
        if len(offers) >= limit:
            break
    if seating != "any":
        for other in venue.seating:
            if other != seating and _free(backend, rule, other, wanted, own) >= party:
                offers.append({"time": at, "seating": other})
                break
    return offers
