"""What each action, look-up and validator a task may name needs from its scenario (pure data).

One table per kind; :mod:`scenarios.needs` checks every task against it, so a scenario that
names an unknown action or lacks a slot, a template or the venue an action uses fails
``aicall scenario validate`` with the file, line and field, instead of failing mid-call. The
implementations live in :mod:`dialogue` and are bound to these names by
:mod:`dialogue.registry`; ``tests/scenarios/test_needs.py`` asserts both sides list the same
names.

This module is data only: it imports nothing of the project, so the loader may read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["ACTIONS", "BOOKING_FIELDS", "INFO_ACTIONS", "LOOKUPS", "VALIDATORS", "Needs"]

#: The fields of a stored booking a look-up can put back into a task's slots (a ``booking``
#: section names its own slots for service, provider, date, time, party, name and phone).
BOOKING_FIELDS = ("date", "time", "party_size", "seating", "name", "phone")


def _frozen(items: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(items))


@dataclass(frozen=True)
class Needs:
    """What one action, look-up or validator needs.

    Attributes:
        doc: one line on what it does (shown in documentation and error messages).
        venue: the scenario must have something bookable: a ``booking`` section (any
            business) or a ``venue`` (a restaurant, converted to a ``booking``).
        task_slots: slots the task must collect, with their type (for a ``venue``; with a
            ``booking`` section, the slots its services need: :mod:`scenarios.needs`).
        scenario_slots: slots the scenario must declare (asked outside the task's form).
        templates: templates the scenario must define; ``{task}`` is the task's name.
        explained_by: templates it uses when present, each with a built-in text in both
            languages (:mod:`nlg.builtin`) otherwise.
        lookup: the look-up the task must also name.
        validator: the validator the task must also name (``booking_availability`` with a
            ``booking`` section; either name with a ``venue``).
        booking_slots_only: the task's slots must be fields of a stored booking.
    """

    doc: str
    venue: bool = False
    task_slots: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    scenario_slots: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    templates: tuple[str, ...] = ()
    explained_by: tuple[str, ...] = ()
    lookup: str | None = None
    validator: str | None = None
    booking_slots_only: bool = False


_BOOKING_SLOTS = _frozen(
    {"date": "date", "time": "time", "party_size": "count", "seating": "category"}
)

#: Actions a task runs when its form is complete (and confirmed).
ACTIONS: Mapping[str, Needs] = MappingProxyType(
    {
        "create_booking": Needs(
            doc="book a table or appointment",
            venue=True,
            task_slots=_BOOKING_SLOTS,
            templates=("done_{task}",),
            validator="restaurant_availability",
        ),
        "change_booking": Needs(
            doc="move the caller's booking found by the look-up",
            venue=True,
            task_slots=_BOOKING_SLOTS,
            templates=("done_{task}",),
            lookup="booking_by_phone",
            validator="restaurant_availability",
        ),
        "cancel_booking": Needs(
            doc="cancel the caller's booking found by the look-up",
            venue=True,
            templates=("done_{task}",),
            lookup="booking_by_phone",
        ),
        "list_times": Needs(
            doc='say a few free start times on a day ("what times do you have on Friday?")',
            venue=True,
            explained_by=("times_free", "times_none", "option_or"),
        ),
        "find_provider": Needs(
            doc="say who can see the caller (a kind, a day, a part of the day) from the data",
            venue=True,
            explained_by=("providers_found", "providers_none", "option_or"),
        ),
        "record_carecall": Needs(
            doc="store the care-call answers and raise follow-up flags",
            templates=("done_checkin", "flagged"),
        ),
    }
)

#: Look-ups run when a task starts.
LOOKUPS: Mapping[str, Needs] = MappingProxyType(
    {
        "booking_by_phone": Needs(
            doc="find the caller's next booking by caller ID or a spoken number",
            venue=True,
            scenario_slots=_frozen({"phone": "phone"}),
            templates=("booking_found", "booking_not_found", "ask_change_what", "keep_booking"),
            booking_slots_only=True,
        ),
    }
)

#: Validators run whenever a slot of the task changes.
VALIDATORS: Mapping[str, Needs] = MappingProxyType(
    {
        "restaurant_availability": Needs(
            doc="opening hours, closed days, party limits and free capacity, with alternatives",
            venue=True,
            task_slots=_frozen({"date": "date", "time": "time"}),
            explained_by=(
                "closed_day",
                "past_time",
                "outside_hours",
                "party_too_large",
                "party_too_small",
                "no_capacity_offer",
                "no_capacity_none",
                "option_or",
            ),
        ),
        "booking_availability": Needs(
            doc="hours, breaks, days off, lead time, horizon, durations and free resources of "
            "any business, with alternatives",
            venue=True,
            task_slots=_frozen({"date": "date", "time": "time"}),
            explained_by=(
                "closed_day",
                "past_time",
                "outside_hours",
                "party_too_large",
                "party_too_small",
                "provider_not_for_service",
                "provider_day_off",
                "provider_hours",
                "too_long_closing",
                "overlaps_break",
                "too_soon",
                "beyond_horizon",
                "slot_taken_offer",
                "slot_taken_none",
                "earliest_found",
                "earliest_none",
                "last_provider",
                "no_last_provider",
                "cancel_too_late",
                "option_or",
            ),
        ),
    }
)

#: Actions that answer a question from the booking data and return to the pending question
#: (the task that names one has no slots and no read-back).
INFO_ACTIONS = ("list_times", "find_provider")

#: Validator names that are the same check (the restaurant's name predates any business).
ALIASES: Mapping[str, str] = MappingProxyType({"restaurant_availability": "booking_availability"})
