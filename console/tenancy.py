"""Tenancy: what an organisation owns, checked on the server for every route that takes an id.

An organisation owns scenarios (``console_scenarios``); calls, bookings, care-call people and
answers, and campaigns belong to a scenario, so every query of them is limited to
:func:`org_scenario_ids` of the user's organisation. A route given another organisation's id
answers 404 (the id might as well not exist): use :func:`owned_scenario` or check that the
object's ``scenario_id`` is in :func:`org_scenario_ids`, then :func:`not_found` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.models import ConsoleScenario

__all__ = [
    "check_scenario",
    "filter_owned",
    "not_found",
    "org_of_scenario",
    "org_scenario_ids",
    "owned_scenario",
]


def not_found(what: str = "not found") -> NoReturn:
    """Raise the 404 a route answers for an unknown id or another organisation's."""
    raise HTTPException(404, what)


def org_scenario_ids(session: Session, org_id: int) -> set[str]:
    """Ids of the scenarios ``org_id`` owns."""
    return set(
        session.scalars(select(ConsoleScenario.scenario_id).where(ConsoleScenario.org_id == org_id))
    )


def org_of_scenario(session: Session, scenario_id: str) -> int | None:
    """The organisation that owns ``scenario_id`` (``None``: nobody's)."""
    row = session.get(ConsoleScenario, scenario_id)
    return row.org_id if row is not None else None


def owned_scenario(session: Session, user: Any, scenario_id: str) -> str:
    """``scenario_id`` when the user's organisation owns it; else 404.

    Args:
        session: an open session.
        user: the request's ``CurrentUser`` (anything with ``org_id``).
        scenario_id: the id from the path or the form.
    """
    if org_of_scenario(session, scenario_id) != user.org_id:
        not_found(f"scenario {scenario_id!r} not found")
    return scenario_id


def check_scenario(session: Session, user: Any, scenario_id: str | None) -> None:
    """404 unless ``scenario_id`` (the scenario of a call, booking, person ...) is the org's.

    A ``None`` scenario (an object not tied to one) is never another org's: 404 as well.
    """
    if scenario_id is None or org_of_scenario(session, scenario_id) != user.org_id:
        not_found()


def filter_owned(session: Session, user: Any, scenario_ids: Iterable[str]) -> list[str]:
    """The given scenario ids the user's organisation owns (order kept)."""
    owned = org_scenario_ids(session, user.org_id)
    return [s for s in scenario_ids if s in owned]
