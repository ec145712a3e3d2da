"""Check that a scenario has everything its tasks will use during a call.

Each task names an action and, optionally, a look-up and a validator; :mod:`scenarios.capabilities`
says what each needs (a venue, slots of a type, templates, a companion look-up or validator).
The policy adds its own needs: a confirmed task reads its values back (``confirm_<task>``) and
asks what to correct; a slot that ends the call names why (``wrong_person``). Problems are
yielded as ``(location, message)`` for :func:`scenarios.loader.load_scenario` to place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from scenarios.capabilities import (
    ACTIONS,
    ALIASES,
    BOOKING_FIELDS,
    INFO_ACTIONS,
    LOOKUPS,
    VALIDATORS,
    Needs,
)
from scenarios.schema import Scenario, Task

__all__ = ["check_tasks"]

Problem = tuple[list[str | int], str]


def _known(table: Mapping[str, Needs]) -> str:
    return ", ".join(sorted(table))


def check_tasks(sc: Scenario) -> Iterator[Problem]:
    """Yield what the scenario lacks for its tasks' actions, look-ups, validators and forms."""
    for name, task in sc.tasks.items():
        at: list[str | int] = ["tasks", name]
        uses: list[tuple[str, str, Needs]] = []
        action = ACTIONS.get(task.action)
        if action is None:
            yield [*at, "action"], f"unknown action '{task.action}' (known: {_known(ACTIONS)})"
        else:
            uses.append(("action", task.action, action))
        if task.lookup is not None:
            lookup = LOOKUPS.get(task.lookup)
            if lookup is None:
                yield [*at, "lookup"], f"unknown lookup '{task.lookup}' (known: {_known(LOOKUPS)})"
            else:
                uses.append(("lookup", task.lookup, lookup))
        if task.validate_with is not None:
            validator = VALIDATORS.get(task.validate_with)
            if validator is None:
                known = _known(VALIDATORS)
                yield (
                    [*at, "validate"],
                    f"unknown validator '{task.validate_with}' (known: {known})",
                )
            else:
                uses.append(("validate", task.validate_with, validator))
        for field, what, needs in uses:
            yield from _check_needs(sc, name, task, [*at, field], f"{field} '{what}'", needs)
        yield from _check_form(sc, name, task)


def _check_needs(
    sc: Scenario, name: str, task: Task, at: list[str | int], who: str, needs: Needs
) -> Iterator[Problem]:
    if needs.venue and sc.business is None:
        yield at, f"{who} needs a 'venue' (a restaurant) or a 'booking' section in the scenario"
    task_slots = needs.task_slots
    if sc.booking is not None and needs.venue and needs.task_slots:
        task_slots = _booking_slots(sc, task)
    for slot, kind in task_slots.items():
        if slot not in task.slots:
            yield ["tasks", name, "slots"], f"{who} needs the task to collect '{slot}' (a {kind})"
        elif slot in sc.slots and sc.slots[slot].type != kind:
            yield ["slots", slot, "type"], f"{who} of task '{name}' needs '{slot}' to be a {kind}"
    for slot, kind in needs.scenario_slots.items():
        if slot not in sc.slots:
            yield ["slots"], f"{who} of task '{name}' needs a slot '{slot}' (type {kind})"
        elif sc.slots[slot].type != kind:
            yield ["slots", slot, "type"], f"{who} of task '{name}' needs '{slot}' to be a {kind}"
    if needs.booking_slots_only:
        fields = BOOKING_FIELDS
        if sc.booking is not None:
            fields = tuple(sc.booking.slots.model_dump().values())
        for i, slot in enumerate(task.slots):
            if slot not in fields:
                yield (
                    ["tasks", name, "slots", i],
                    f"{who} fills the slots from the booking found; '{slot}' is not one of "
                    f"{', '.join(fields)}",
                )
    if needs.lookup and task.lookup != needs.lookup:
        yield at, f"{who} needs 'lookup: {needs.lookup}' in the task"
    if needs.validator:
        wanted = needs.validator
        accepted = {wanted, ALIASES.get(wanted, wanted)}
        if sc.booking is not None:
            wanted = ALIASES.get(wanted, wanted)
            accepted = {wanted}
        if task.validate_with not in accepted:
            yield at, f"{who} needs 'validate: {wanted}' in the task"
    if task.action in INFO_ACTIONS and (task.slots or task.confirm):
        yield at, f"{who} answers a question: give the task 'slots: []' and 'confirm: false'"
    for key in needs.templates:
        template = key.format(task=name)
        if template not in sc.templates:
            yield ["templates"], f"missing template '{template}' ({who} of task '{name}')"


def _booking_slots(sc: Scenario, task: Task) -> dict[str, str]:
    """The slots a booking task of a ``booking`` section must collect, with their type."""
    business = sc.booking
    assert business is not None
    names = business.slots
    need = {names.date: "date", names.time: "time"}
    if task.action == "create_booking" or task.validate_with is not None:
        if task.action != "change_booking" and len(business.services) > 1:
            need[names.service] = "category"
        if task.action != "change_booking" and any(s.by_party for s in business.services.values()):
            need[names.party] = "count"
    return need


def _check_form(sc: Scenario, name: str, task: Task) -> Iterator[Problem]:
    """What the policy itself says while running the task's form."""
    if task.confirm:
        wanted = [f"confirm_{name}", "what_to_correct" if task.slots else "keep_booking"]
        if (
            task.lookup is not None
            and not task.slots
            and any(
                t.confirm and t.lookup is None and n != sc.start_task for n, t in sc.tasks.items()
            )
        ):
            # said when this task's intent interrupts a new booking ("cancel it" mid-booking)
            wanted += ["confirm_abandon", "booking_abandoned"]
        for template in wanted:
            if template not in sc.templates:
                yield ["templates"], f"missing template '{template}' (task '{name}' confirms)"
    for slot in task.slots:
        spec = sc.slots.get(slot)
        if spec is not None and spec.stop_if is not None and "wrong_person" not in sc.templates:
            yield ["templates"], f"missing template 'wrong_person' (slot '{slot}' has stop_if)"
