"""Booking turns of any business: validation, the caller's shortcuts, and questions answered.

The rules live in :mod:`dialogue.booking` (pure); this module says what they found:

- :func:`check_turn`: the ``booking_availability`` validator on the active task's slots;
- :func:`apply_wishes`: "anyone is fine", "the earliest you have", "the same person as last
  time" (by caller ID) become slot values;
- :func:`list_times`: "what times do you have on Friday?" says 3-4 free starts;
- :func:`find_provider`: "I need a dentist in the afternoon" says who works then;
- :func:`booking_values`, :func:`plan_from_slots`: a stored booking as slot values, and back.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from dialogue.acts import ActKind
from dialogue.booking import (
    ANY,
    earliest,
    find_providers,
    free_starts,
    make_plan,
    read_ask,
    spread,
)
from dialogue.events import SlotSet, TaskStarted, WishNoted
from dialogue.periods import WINDOWS
from dialogue.ports import BookingPlan, BookingRecord
from dialogue.restaurant import Finding, normalize_phone
from dialogue.turn import Turn
from nlu.parsers import extract_period, extract_wishes
from scenarios.business import Business
from scenarios.schema import Scenario

__all__ = [
    "apply_wishes",
    "booking_task",
    "booking_values",
    "cancel_too_late",
    "find_provider",
    "info_action",
    "list_times",
    "plan_from_slots",
    "said_provider",
    "slot_needed",
]

VALIDATOR_NAMES = ("booking_availability", "restaurant_availability")


def booking_task(sc: Scenario, task: str | None) -> bool:
    """True when ``task`` checks bookings of a ``booking`` section."""
    if sc.booking is None or task is None or task not in sc.tasks:
        return False
    return sc.tasks[task].validate_with in VALIDATOR_NAMES


def slot_needed(sc: Scenario, task: str | None, slots: dict[str, Any], name: str) -> bool:
    """Whether a booking task asks ``name`` for the service chosen so far.

    The party size only for a service that holds seats or lasts by party size; the provider
    only when the service has more than one to choose from (the only one is taken).
    """
    business = sc.business
    if not booking_task(sc, task) or business is None:
        return True
    n = business.slots
    if name not in (n.party, n.provider):
        return True
    service = read_ask(business, slots).service
    if service is None:
        return True
    if name == n.party:
        return business.services[service].by_party
    return len(business.providers_of(service)) > 1


def info_action(sc: Scenario, intent: str) -> str | None:
    """The question-answering action (``list_times``, ``find_provider``) an intent's task runs."""
    for task in sc.tasks.values():
        if task.intent == intent and task.action in ("list_times", "find_provider"):
            return task.action
    return None


def said_provider(sc: Scenario, key: str | None) -> str:
    """A provider as a template value: the key the ``provider`` slot renders, else its label."""
    business = sc.business
    if key is None or business is None:
        return ""
    slot = sc.slots.get("provider")
    if slot is not None and slot.type == "category" and key in slot.values:
        return key
    spec = business.resources.get(key)
    return spec.label if spec else key


def _label(sc: Scenario, business: Business, key: str) -> str:
    """What a provider is called on the phone (the provider slot's label, else the data's)."""
    slot = sc.slots.get(business.slots.provider)
    if slot is not None and key in slot.values:
        return slot.values[key].label
    return business.resources[key].label


def booking_values(sc: Scenario, record: BookingRecord) -> dict[str, Any]:
    """A stored booking as template and slot values (under the scenario's slot names too)."""
    values: dict[str, Any] = {
        "id": record.id,
        "date": record.start.date(),
        "time": record.start.time(),
        "start": record.start,
        "party_size": record.party_size,
        "seating": record.seating,
        "name": record.name,
        "phone": record.phone,
        "service": record.service,
        "provider": record.provider,
    }
    business = sc.business
    if business is not None and sc.booking is not None:
        n = business.slots
        values.update(
            {
                n.service: record.service,
                n.provider: record.provider,
                n.date: record.start.date(),
                n.time: record.start.time(),
                n.party: record.party_size,
                n.name: record.name,
                n.phone: record.phone,
            }
        )
    return values


def plan_from_slots(turn: Turn) -> BookingPlan:
    """The booking the active task's slots (and the booking being changed) describe."""
    sc, state = turn.scenario, turn.tracker.state
    business = sc.business
    assert business is not None
    n = business.slots
    old = state.booking or {}
    slots = {**{k: v for k, v in old.items() if v is not None}, **state.slots}
    ask = read_ask(business, slots)
    if ask.service is None or ask.day is None or ask.at is None:
        raise RuntimeError("a booking needs its service, date and time before it is made")
    provider = ask.provider if ask.provider != ANY else None
    if provider is None and business.providers_of(ask.service):
        provider = business.providers_of(ask.service)[0]  # validated: the first free one
    return make_plan(
        business,
        ask.service,
        provider,
        datetime.combine(ask.day, ask.at),
        ask.party,
        name=str(slots.get(n.name) or ""),
        phone=str(slots.get(n.phone) or ""),
        call_id=turn.ctx.call_id,
    )


def cancel_too_late(sc: Scenario, start: datetime, now: datetime) -> Finding | None:
    """A change or cancellation closer to the start than the business allows."""
    business = sc.business
    if sc.booking is None or business is None or business.cancel_until_minutes <= 0:
        return None
    if start - now >= timedelta(minutes=business.cancel_until_minutes):
        return None
    return Finding("cancel_too_late", {"cancel_until_minutes": business.cancel_until_minutes})


def apply_wishes(turn: Turn, text: str, values: dict[str, Any], task: str | None) -> bool:
    """Turn the caller's shortcuts into slot values of ``task`` (a booking task).

    "anyone" sets the provider slot to ``any``; "same as last time" to the provider of the
    caller's most recent booking (said, or why not); "earliest" sets the date and time (and
    the provider, when anyone will do) of the first free start, once the service is known.

    Returns:
        True when the agent said something about a wish (found or not).
    """
    sc, ctx, state = turn.scenario, turn.ctx, turn.tracker.state
    business = sc.business
    if not booking_task(sc, task) or business is None or task is None:
        return False
    wishes = extract_wishes(text, sc.language)
    n = business.slots
    if state.wish and state.task in (task, None) and not ({n.date, n.time} & set(values)):
        wishes.add(state.wish)  # said earlier, before it could be met
    if not wishes:
        return False
    said = False
    slots = sc.tasks[task].slots
    provider_slot = n.provider if n.provider in slots else None
    if "same_as_last" in wishes and provider_slot and provider_slot not in values:
        phone = normalize_phone(ctx.caller) or state.slots.get(n.phone)
        last = None
        if phone and ctx.bookings is not None:
            last = ctx.bookings.last_provider(business.id, str(phone))
        if last is not None and last in business.resources:
            values[provider_slot] = last
            turn.say(ActKind.INFORM, "last_provider", provider=said_provider(sc, last))
        else:
            turn.say(ActKind.INFORM, "no_last_provider")
        said = True
    elif (
        ("anyone" in wishes or ("no_preference" in wishes and state.requested == provider_slot))
        and provider_slot
        and provider_slot not in values
    ):
        values[provider_slot] = ANY
    if "earliest" in wishes and ctx.bookings is not None:
        merged = {**state.slots, **values} if state.task == task else dict(values)
        ask = read_ask(business, merged)
        if ask.service is None or (business.services[ask.service].by_party and ask.party is None):
            if state.wish != "earliest":  # met once the service (and party) are known
                turn.emit(WishNoted(wish="earliest"))
            return said
        if state.wish:
            turn.emit(WishNoted(wish=None))
        found = earliest(
            business,
            ctx.bookings,
            ask.service,
            ask.provider,
            ask.party,
            ctx.now,
            from_day=ask.day,
            exclude=_own_id(state.booking),
        )
        if found is None:
            turn.say(ActKind.INFORM, "earliest_none")
            return True
        start, who = found
        values[n.date] = start.date()
        values[n.time] = start.time()
        if provider_slot and who is not None and ask.provider in (None, ANY):
            values[provider_slot] = who
        turn.say(ActKind.INFORM, "earliest_found", date=start.date(), time=start.time())
        said = True
    return said


def _own_id(booking: dict[str, Any] | None) -> int | None:
    return int(booking["id"]) if booking and booking.get("id") is not None else None


def _window(period: str | None) -> tuple[Any, Any] | None:
    return WINDOWS.get(period) if period else None


def _first_booking_task(sc: Scenario) -> str | None:
    return next(
        (
            name
            for name, t in sc.tasks.items()
            if t.action == "create_booking" and t.validate_with in VALIDATOR_NAMES
        ),
        None,
    )


def list_times(turn: Turn, text: str, values: dict[str, Any]) -> None:
    """Say a few free starts on the day asked (today's or the next free day when none).

    With no booking in progress it starts one with what was said (the day, the service, the
    provider) and asks what is missing next; during one, the day said joins it.
    """
    sc, ctx, state = turn.scenario, turn.ctx, turn.tracker.state
    business = sc.business
    if business is None or ctx.bookings is None:
        raise RuntimeError("list_times needs a booking section and a booking backend")
    n = business.slots
    active = state.task if booking_task(sc, state.task) else None
    merged = {**(state.slots if active else {}), **values}
    ask = read_ask(business, merged)
    service = ask.service or next(iter(business.services))
    period = extract_period(text, sc.language)
    own = _own_id(state.booking)
    day = ask.day
    if day is None:
        found = earliest(business, ctx.bookings, service, ask.provider, ask.party, ctx.now)
        day = found[0].date() if found else ctx.now.date()
    starts = free_starts(
        business,
        ctx.bookings,
        service,
        day,
        ask.provider,
        ask.party,
        ctx.now,
        exclude=own,
        between=_window(period),
    )
    if starts:
        turn.say(ActKind.INFORM, "times_free", date=day, times=spread(starts))
    else:
        turn.say(ActKind.INFORM, "times_none", date=day)
    task = active or _first_booking_task(sc)
    if task is None:
        return
    if active is None:
        turn.emit(TaskStarted(task=task))
    keep = {k: v for k, v in values.items() if k in sc.tasks[task].slots and k != n.time}
    if starts and n.date in sc.tasks[task].slots:
        keep[n.date] = day
    for name, value in keep.items():
        turn.emit(SlotSet(name=name, value=value))


def _kind_in(text: str, sc: Scenario, business: Business) -> str | None:
    """The kind of provider a question names ("dentist", "선생님"), if any."""
    squeezed = re.sub(r"\s+", "", text.lower())
    kinds = {r.kind for r in business.resources.values()}
    for kind in sorted(kinds):
        spec = business.kinds.get(kind)
        words = [kind.replace("_", " ")]
        if spec is not None:
            words += [w for w in (spec.label, *spec.synonyms) if w]
        for word in words:
            w = word.lower()
            if sc.language == "ko":
                if re.sub(r"\s+", "", w) in squeezed:
                    return kind
            elif re.search(rf"\b{re.escape(w)}s?\b", text.lower()):
                return kind
    return None


def find_provider(turn: Turn, text: str, values: dict[str, Any]) -> None:
    """Say which providers work when the caller asks (a kind, a day, a part of the day, a time)."""
    sc, state = turn.scenario, turn.tracker.state
    business = sc.business
    if business is None:
        raise RuntimeError("find_provider needs a booking section")
    n = business.slots
    active = state.task if booking_task(sc, state.task) else None
    merged = {**(state.slots if active else {}), **values}
    kind = _kind_in(text, sc, business)
    period = extract_period(text, sc.language)
    found = find_providers(business, kind, merged.get(n.date), _window(period), merged.get(n.time))
    service = merged.get(n.service)
    if service in business.services and business.providers_of(service):
        allowed = set(business.providers_of(service))
        found = [k for k in found if k in allowed]
    if found:
        labels = [_label(sc, business, k) for k in found]
        turn.say(ActKind.INFORM, "providers_found", providers=labels)
    else:
        turn.say(ActKind.INFORM, "providers_none")
