"""Appointments made before a call, for the clinic and salon conversation tests.

The bookings go through the same store path a call uses (``make_plan`` then ``bookings.book``:
every held resource, its capacity and the service's buffer), so a test's "someone already
booked 10 am with Dr. Lee" is exactly what another call would have stored.
"""

from __future__ import annotations

from datetime import datetime

from agent.runtime import AgentRuntime
from dialogue.booking import make_plan
from dialogue.ports import BookingRecord

__all__ = ["appointment"]


def appointment(
    runtime: AgentRuntime,
    scenario_id: str,
    service: str,
    provider: str,
    start: datetime,
    *,
    name: str = "기존손님",
    phone: str = "01099998888",
) -> BookingRecord:
    """Book ``service`` with ``provider`` at ``start`` (another caller's, unless ``phone`` says)."""
    business = runtime.scenario(scenario_id).booking
    assert business is not None, f"{scenario_id} has no booking section"
    plan = make_plan(business, service, provider, start, None, name=name, phone=phone)
    return runtime.bookings.book(plan)
