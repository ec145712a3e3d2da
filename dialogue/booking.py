"""Availability of any business: hours, breaks, days off, durations, held resources, alternatives.

Pure functions over a scenario's :class:`~scenarios.business.Business` and a
:class:`~dialogue.ports.BookingBackend` (which only stores and reports holds). A booking of a
service holds its provider (one resource of the service's kind, chosen or "anyone"), every
resource of ``also_needs``, for the service's minutes plus its buffer; a ``units: party``
service holds party-size units of its provider (a seating area's seats).

:func:`check` is the ``booking_availability`` validator's rule; :func:`free_starts`,
:func:`earliest`, :func:`find_providers` answer "what times do you have on Friday?", "the
earliest you have" and "which doctor works in the afternoon?".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from dialogue.ports import BookingBackend, BookingPlan, Hold, HoldRequest
from dialogue.restaurant import Finding
from scenarios.business import WEEKDAYS, Business, DayHours
from scenarios.schema import Scenario

__all__ = [
    "Ask",
    "check",
    "earliest",
    "find_providers",
    "free_starts",
    "make_plan",
    "read_ask",
    "resolve_hour",
    "spread",
    "windows",
]

ANY = "any"
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Ask:
    """The booking asked for so far (any part may be missing).

    ``provider`` is a resource key, ``"any"``, or None (not said yet, or no provider slot).
    """

    service: str | None
    provider: str | None
    day: date | None
    at: time | None
    party: int | None


def read_ask(business: Business, slots: Mapping[str, Any]) -> Ask:
    """The booking asked for, from the task's slots (the only service when there is one)."""
    n = business.slots
    service = slots.get(n.service)
    if service is None and len(business.services) == 1:
        service = next(iter(business.services))
    party = slots.get(n.party)
    return Ask(
        service=service if service in business.services else None,
        provider=slots.get(n.provider),
        day=slots.get(n.date),
        at=slots.get(n.time),
        party=int(party) if party is not None else None,
    )


def _hours_of(hours: Mapping[str, DayHours] | None, weekday: str) -> DayHours | None:
    if hours is None:
        return None
    return hours.get(weekday) or hours.get("default")


def day_hours(business: Business, day: date, resource: str | None = None) -> DayHours | None:
    """Open and close on ``day`` for the business, narrowed to ``resource`` (None: not working)."""
    weekday = WEEKDAYS[day.weekday()]
    hours = business.hours_on(weekday)
    if hours is None or resource is None:
        return hours
    spec = business.resources[resource]
    if weekday in spec.days_off:
        return None
    if spec.hours is None:
        return hours
    own = _hours_of(spec.hours, weekday)
    if own is None:
        return None
    first, last = max(hours.open, own.open), min(hours.close, own.close)
    if last <= first:
        return None
    return DayHours(open=first, close=last, last_start=hours.last_start)


def windows(business: Business, day: date, resource: str | None = None) -> list[tuple[time, time]]:
    """The open intervals of ``day`` (business hours, narrowed to ``resource``, minus breaks)."""
    hours = day_hours(business, day, resource)
    if hours is None:
        return []
    weekday = WEEKDAYS[day.weekday()]
    out = [(hours.open, hours.close)]
    for brk in sorted(business.breaks, key=lambda b: b.start):
        if brk.days and weekday not in brk.days:
            continue
        cut: list[tuple[time, time]] = []
        for first, last in out:
            if brk.end <= first or brk.start >= last:
                cut.append((first, last))
                continue
            if first < brk.start:
                cut.append((first, brk.start))
            if brk.end < last:
                cut.append((brk.end, last))
        out = cut
    return out


def resolve_hour(value: time, business: Business) -> time:
    """An hour said without am/pm: pm when the business takes that time ("3시" → 15:00)."""
    if value.hour >= 12:
        return value
    later = value.replace(hour=value.hour + 12)
    for hours in business.hours.values():
        if hours.open <= later <= (hours.last_start or hours.close):
            return later
    return value


def _minutes(business: Business, service: str, party: int | None) -> int | None:
    return business.services[service].duration(party)


def make_plan(
    business: Business,
    service: str,
    provider: str | None,
    start: datetime,
    party: int | None,
    *,
    name: str = "",
    phone: str = "",
    call_id: str | None = None,
) -> BookingPlan:
    """What booking ``service`` at ``start`` holds: the provider and ``also_needs``, and until when.

    Raises:
        ValueError: the duration is unknown (a party-size duration without the party, or a
            party larger than the largest ``up_to``).
    """
    spec = business.services[service]
    minutes = spec.duration(party)
    if minutes is None:
        raise ValueError(f"no duration of {service!r} for a party of {party}")
    size = party if party is not None else 1
    end = start + timedelta(minutes=minutes)
    until = end + timedelta(minutes=business.buffer_of(service))
    holds: list[HoldRequest] = []
    if provider is not None:
        units = size if spec.units == "party" else 1
        holds.append(HoldRequest(provider, units, business.resources[provider].capacity))
    for extra in spec.also_needs:
        if extra != provider:
            holds.append(HoldRequest(extra, 1, business.resources[extra].capacity))
    return BookingPlan(
        venue=business.id,
        start=start,
        end=end,
        hold_until=until,
        service=service,
        provider=provider,
        holds=tuple(holds),
        party_size=size,
        name=name,
        phone=phone,
        call_id=call_id,
    )


class _Day:
    """The holds of one day, fetched once, for fitting many candidate starts."""

    def __init__(
        self, business: Business, backend: BookingBackend, day: date, exclude: int | None
    ) -> None:
        self.business = business
        self.day = day
        first = datetime.combine(day, time(0, 0))
        found = backend.holds(business.id, list(business.resources), first - _DAY, first + 2 * _DAY)
        self.holds: list[Hold] = [h for h in found if h.booking_id != exclude]

    def fits(self, plan: BookingPlan) -> bool:
        """Every resource of ``plan`` has room for its units at every instant it is held."""
        for want in plan.holds:
            mine = [
                h
                for h in self.holds
                if h.resource == want.resource and h.start < plan.hold_until and h.end > plan.start
            ]
            instants = {plan.start} | {h.start for h in mine if h.start > plan.start}
            peak = max(
                (sum(h.units for h in mine if h.start <= t < h.end) for t in instants), default=0
            )
            if peak + want.units > want.capacity:
                return False
        return True


def _in_window(business: Business, plan: BookingPlan, resource: str | None) -> bool:
    day = plan.start.date()
    hours = day_hours(business, day, resource)
    if hours is None:
        return False
    if hours.last_start is not None and plan.start.time() > hours.last_start:
        return False
    if plan.end.date() != day and plan.end.time() != time(0, 0):
        return False
    end = plan.end.time() if plan.end.date() == day else time(23, 59, 59)
    return any(
        first <= plan.start.time() and end <= last
        for first, last in windows(business, day, resource)
    )


def _fits_hours(business: Business, plan: BookingPlan) -> bool:
    spec = business.services[plan.service]
    return _in_window(business, plan, plan.provider) and all(
        _in_window(business, plan, extra) for extra in spec.also_needs
    )


def _candidates(business: Business, service: str, provider: str | None) -> list[str | None]:
    options = business.providers_of(service)
    if not options:
        return [None]
    if provider is not None and provider != ANY:
        return [provider]
    return list(options)


def _grid(business: Business, day: date) -> list[time]:
    """Start times on the slot grid from the day's opening."""
    hours = day_hours(business, day)
    if hours is None:
        return []
    step = timedelta(minutes=business.slot_minutes)
    t = datetime.combine(day, hours.open)
    last = datetime.combine(day, hours.last_start or hours.close)
    out = []
    while t < last or (hours.last_start is not None and t == last):
        out.append(t.time())
        t += step
    return out


def _earliest_start(business: Business, now: datetime) -> datetime:
    return now + timedelta(minutes=business.lead_minutes)


def free_starts(
    business: Business,
    backend: BookingBackend,
    service: str,
    day: date,
    provider: str | None,
    party: int | None,
    now: datetime,
    *,
    exclude: int | None = None,
    between: tuple[time, time] | None = None,
) -> list[tuple[time, str | None]]:
    """Every free start of ``service`` on ``day`` (with whom), earliest first.

    Args:
        business: the business.
        backend: the bookings.
        service: the service key.
        day: the day.
        provider: a resource key, ``"any"`` or None (anyone).
        party: the party size (for party-size durations and seats).
        now: the business's local time (nothing before now plus the lead time).
        exclude: a booking being changed (its holds count as free).
        between: only starts within this part of the day.
    """
    if _minutes(business, service, party) is None:
        return []
    if day > now.date() + timedelta(days=business.horizon_days):
        return []
    holds = _Day(business, backend, day, exclude)
    first = _earliest_start(business, now)
    out: list[tuple[time, str | None]] = []
    for at in _grid(business, day):
        start = datetime.combine(day, at)
        if start <= now or start < first:
            continue
        if between is not None and not between[0] <= at <= between[1]:
            continue
        for who in _candidates(business, service, provider):
            plan = make_plan(business, service, who, start, party)
            if _fits_hours(business, plan) and holds.fits(plan):
                out.append((at, who))
                break
    return out


def spread(starts: Sequence[tuple[time, str | None]], limit: int = 4) -> list[time]:
    """A few starts to say, spread over the day: the first of each hour, then the rest."""
    picked: list[time] = []
    hours: set[int] = set()
    for at, _ in starts:
        if at.hour not in hours:
            hours.add(at.hour)
            picked.append(at)
    for at, _ in starts:
        if at not in picked:
            picked.append(at)
    return sorted(picked[:limit])


def earliest(
    business: Business,
    backend: BookingBackend,
    service: str,
    provider: str | None,
    party: int | None,
    now: datetime,
    *,
    from_day: date | None = None,
    exclude: int | None = None,
) -> tuple[datetime, str | None] | None:
    """The first free start (and provider) from ``from_day`` (today), within the horizon."""
    day = max(from_day or now.date(), now.date())
    last = now.date() + timedelta(days=business.horizon_days)
    while day <= last:
        found = free_starts(business, backend, service, day, provider, party, now, exclude=exclude)
        if found:
            at, who = found[0]
            return datetime.combine(day, at), who
        day += _DAY
    return None


def find_providers(
    business: Business,
    kind: str | None,
    day: date | None,
    between: tuple[time, time] | None,
    at: time | None = None,
) -> list[str]:
    """Resources of ``kind`` (every provider kind when None) working then, in the file's order.

    ``day`` None: any open day of the week; ``between``: more than an hour of that part of the
    day is within their hours; ``at``: they work at that time.
    """
    provider_kinds = {s.provider_kind for s in business.services.values() if s.provider_kind}
    wanted = {kind} if kind else provider_kinds
    days = [day] if day else [date(2026, 1, 5) + timedelta(days=i) for i in range(7)]
    out = []
    for key, spec in business.resources.items():
        if spec.kind not in wanted:
            continue
        for d in days:
            spans = windows(business, d, key)
            if at is not None:
                spans = [(a, b) for a, b in spans if a <= at < b]
            if between is not None:  # more than an hour of it (not the hour before lunch)
                spans = [
                    (a, b)
                    for a, b in spans
                    if _span_minutes(max(a, between[0]), min(b, between[1])) > 60
                ]
            if spans:
                out.append(key)
                break
    return out


def _span_minutes(first: time, last: time) -> int:
    return (last.hour * 60 + last.minute) - (first.hour * 60 + first.minute)


def _said(scenario: Scenario, role: str, key: str | None) -> str:
    """A service or provider key as a template value.

    The key when the scenario's slot named ``role`` renders it (a category with that value),
    else the data's label.
    """
    business = scenario.business
    if key is None or business is None:
        return ""
    slot = scenario.slots.get(role)
    if slot is not None and slot.type == "category" and key in slot.values:
        return key
    table: Mapping[str, Any] = business.services if role == "service" else business.resources
    return str(table[key].label) if key in table else key


def _label(scenario: Scenario, business: Business, key: str) -> str:
    """What a provider is called on the phone (the provider slot's label, else the data's)."""
    slot = scenario.slots.get(business.slots.provider)
    if slot is not None and slot.type == "category" and key in slot.values:
        return slot.values[key].label
    return business.resources[key].label


def _break_hit(business: Business, day: date, start: time, end: time) -> tuple[time, time] | None:
    weekday = WEEKDAYS[day.weekday()]
    for brk in business.breaks:
        if (not brk.days or weekday in brk.days) and start < brk.end and brk.start < end:
            return brk.start, brk.end
    return None


def check(
    scenario: Scenario,
    slots: dict[str, Any],
    now: datetime,
    backend: BookingBackend | None,
    *,
    task_slots: Iterable[str] = (),
    own: Mapping[str, Any] | None = None,
) -> Finding | None:
    """The first problem with the booking asked for so far, or None.

    In order: a provider who does not provide the service, closed day, past date, beyond the horizon, the provider's day off, party limits,
    outside the business's or the provider's hours, past or too soon, a service running past
    closing or into a break, and finally free resources. With ``any`` (or no provider slot in
    the task) the first free provider is written back into ``slots``. On a taken slot it
    offers the two nearest times with the same provider and the same time with another one.

    Args:
        scenario: the scenario (its ``business``).
        slots: the task's slot values; the chosen provider is written into it.
        now: the business's local time.
        backend: the bookings (None: only the rules are checked).
        task_slots: the task's slots (a provider slot outside them means "anyone").
        own: the booking being changed (its ``id``): its own holds count as free.
    """
    business = scenario.business
    if business is None:
        return None
    names = business.slots
    kept = {  # a change keeps what its task does not ask again (the service, the party)
        k: own[k]
        for k in (names.service, names.provider, names.party)
        if own and k not in task_slots and own.get(k) is not None
    }
    ask = read_ask(business, {**kept, **slots})
    provider = ask.provider if ask.provider not in (None, ANY) else None
    said_provider = _said(scenario, "provider", provider)
    if provider is not None and ask.service is not None:
        allowed = business.providers_of(ask.service)
        if provider not in allowed:  # "a perm with Sua": only Jieun and Minho do perms
            values: dict[str, Any] = {
                "provider": said_provider,
                "service": _said(scenario, "service", ask.service),
                "providers": [_label(scenario, business, k) for k in allowed],
            }
            return Finding("provider_not_for_service", values, [names.provider])
    if ask.day is not None:
        if business.hours_on(WEEKDAYS[ask.day.weekday()]) is None:
            return Finding("closed_day", {"date": ask.day}, [names.date])
        if ask.day < now.date():
            return Finding("past_time", {}, [names.date])
        if ask.day > now.date() + timedelta(days=business.horizon_days):
            return Finding("beyond_horizon", {"horizon_days": business.horizon_days}, [names.date])
        if provider is not None and not windows(business, ask.day, provider):
            off = {"provider": said_provider, "date": ask.day}
            return Finding("provider_day_off", off, [names.date])
    if ask.party is not None and any(s.by_party for s in business.services.values()):
        if ask.party > business.max_party:
            return Finding("party_too_large", {"max_party": business.max_party}, [names.party])
        if ask.party < 1:
            return Finding("party_too_small", {}, [names.party])
    if ask.at is not None:
        found = _check_time(scenario, business, ask, provider, said_provider, now)
        if found is not None:
            return found
    if ask.service is None or ask.day is None or ask.at is None or backend is None:
        return None
    spec = business.services[ask.service]
    if spec.by_party and ask.party is None:
        return None
    if spec.duration(ask.party) is None:  # more people than the longest sitting is for
        most = max(p.up_to for p in spec.minutes_by_party)
        return Finding("party_too_large", {"max_party": most}, [names.party])
    if (
        names.provider in task_slots
        and ask.provider is None
        and len(business.providers_of(ask.service)) > 1
    ):
        return None  # the provider is still to be asked
    holds = _Day(business, backend, ask.day, _own_id(own))
    start = datetime.combine(ask.day, ask.at)
    for who in _candidates(business, ask.service, ask.provider):
        plan = make_plan(business, ask.service, who, start, ask.party)
        if _fits_hours(business, plan) and holds.fits(plan):
            if who is not None and names.provider in task_slots and who != ask.provider:
                slots[names.provider] = who
            return None
    offers = _alternatives(business, backend, ask, now, _own_id(own))
    if not offers:
        return Finding("slot_taken_none", {"date": ask.day}, [names.date, names.time])
    about: dict[str, Any] = {"time": ask.at, "provider": said_provider}
    if names.provider in task_slots:
        about[names.provider] = ask.provider
    return Finding("slot_taken_offer", about, [names.time], offers)


def _own_id(own: Mapping[str, Any] | None) -> int | None:
    return int(own["id"]) if own and own.get("id") is not None else None


def _check_time(
    scenario: Scenario,
    business: Business,
    ask: Ask,
    provider: str | None,
    said_provider: str,
    now: datetime,
) -> Finding | None:
    assert ask.at is not None
    names = business.slots
    day = ask.day
    hours = day_hours(business, day) if day else _hours_of(business.hours, "default")
    if hours is None:  # no default hours: a weekday's, any will do until the date is known
        hours = next(iter(business.hours.values()))
    last = hours.last_start or hours.close
    if not hours.open <= ask.at < last and not (hours.last_start and ask.at == last):
        return Finding("outside_hours", {"open": hours.open, "last_booking": last}, [names.time])
    if day is None:
        return None
    if provider is not None:
        own = day_hours(business, day, provider)
        if own is not None and not own.open <= ask.at < own.close:
            values = {"provider": said_provider, "open": own.open, "close": own.close}
            return Finding("provider_hours", values, [names.time])
    start = datetime.combine(day, ask.at)
    if start <= now:
        return Finding("past_time", {}, [names.time])
    if start < _earliest_start(business, now):
        return Finding("too_soon", {"lead_minutes": business.lead_minutes}, [names.time])
    if ask.service is None:
        return None
    minutes = _minutes(business, ask.service, ask.party)
    if minutes is None:
        return None
    end = start + timedelta(minutes=minutes)
    end_t = end.time() if end.date() == day else time(23, 59, 59)
    service = _said(scenario, "service", ask.service)
    hit = _break_hit(business, day, ask.at, end_t)
    if hit is not None:
        values = {
            "service": service,
            "minutes": minutes,
            "break_start": hit[0],
            "break_end": hit[1],
        }
        return Finding("overlaps_break", values, [names.time])
    close = hours.close
    if provider is not None:
        own = day_hours(business, day, provider)
        if own is not None and end_t > own.close and own.close < close:
            values = {"provider": said_provider, "open": own.open, "close": own.close}
            return Finding("provider_hours", values, [names.time])
    if end_t > close:
        values = {"service": service, "minutes": minutes, "close": close}
        return Finding("too_long_closing", values, [names.time])
    return None


def _alternatives(
    business: Business,
    backend: BookingBackend,
    ask: Ask,
    now: datetime,
    exclude: int | None,
    limit: int = 2,
) -> list[dict[str, Any]]:
    """The nearest other free times, then the same time with another provider.

    The same provider (or anyone) first, the nearest first: a bare "yes" takes it.
    """
    assert ask.service is not None and ask.day is not None and ask.at is not None
    names = business.slots
    wanted = datetime.combine(ask.day, ask.at)
    free = free_starts(
        business, backend, ask.service, ask.day, ask.provider, ask.party, now, exclude=exclude
    )
    near = sorted(
        (f for f in free if f[0] != ask.at),
        key=lambda f: (abs(datetime.combine(ask.day, f[0]) - wanted), f[0]),  # type: ignore[arg-type]
    )
    offers: list[dict[str, Any]] = []
    for at, who in near[:limit]:
        offer: dict[str, Any] = {names.time: at}
        if who is not None:
            offer[names.provider] = who
        offers.append(offer)
    if ask.provider not in (None, ANY):
        holds = _Day(business, backend, ask.day, exclude)
        for other in business.providers_of(ask.service):
            if other == ask.provider:
                continue
            plan = make_plan(business, ask.service, other, wanted, ask.party)
            if _fits_hours(business, plan) and holds.fits(plan):
                offers.append({names.time: ask.at, names.provider: other})
                break
    return offers
