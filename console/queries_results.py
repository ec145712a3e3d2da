"""The console's results: bookings as a calendar, care-call people (flagged first), exports.

Scoped to an org like every console query: a booking is the org's when the call that made it
ran one of the org's scenarios, or (made outside a call) when its venue is one of the org's
scenarios' businesses; care-call rows carry their scenario id. Another org's booking, person or
flag is :class:`~console.queries_calls.NotFound`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from agent.store import Database, FlagRecord, PersonCall, SqlCareCallRecorder
from agent.store.models import (
    Booking,
    BookingDetail,
    BookingHold,
    CallRow,
    CareCallAnswers,
    CareCallPersonCall,
    FollowupFlag,
)
from agent.trends import PersonTrends, describe
from console.i18n import t
from console.queries_calls import NotFound
from dialogue.memory import DEFAULT_WINDOW, trends
from scenarios.schema import Scenario

__all__ = [
    "BookingEntry",
    "answer_labels",
    "code_label",
    "Calendar",
    "CarePerson",
    "PersonPage",
    "bookings_calendar",
    "bookings_csv",
    "carecall_csv",
    "carecall_people",
    "close_flag",
    "get_booking",
    "org_venues",
    "person_page",
]

VIEWS = ("day", "week")


@dataclass(frozen=True)
class BookingEntry:
    """A booking as the calendar shows it (venue-local naive times)."""

    id: int
    venue: str
    start: datetime
    end: datetime
    party_size: int
    name: str
    phone: str
    status: str
    resources: tuple[str, ...]
    service: str | None
    provider: str | None
    call_id: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form (the API)."""
        return {
            "id": self.id,
            "venue": self.venue,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "party_size": self.party_size,
            "name": self.name,
            "phone": self.phone,
            "status": self.status,
            "resources": list(self.resources),
            "service": self.service,
            "provider": self.provider,
            "call_id": self.call_id,
        }


@dataclass(frozen=True)
class Calendar:
    """A day or a week of one venue's bookings.

    ``rows`` are the day view's times (or the week view's resources); ``columns`` the day view's
    resources (or the week's days); ``cells[(row, column)]`` the bookings starting there.
    """

    venue: str | None
    venues: list[str]
    resources: list[str]
    resource: str | None
    view: str
    day: date
    days: list[date]
    rows: list[Any]
    columns: list[Any]
    cells: dict[tuple[Any, Any], list[BookingEntry]]
    entries: list[BookingEntry] = field(default_factory=list)

    @property
    def previous(self) -> date:
        """The day the "previous" link opens."""
        return self.day - timedelta(days=1 if self.view == "day" else 7)

    @property
    def next(self) -> date:
        """The day the "next" link opens."""
        return self.day + timedelta(days=1 if self.view == "day" else 7)


def answer_labels(scenarios: Mapping[str, Scenario]) -> Callable[[str, str, Any], str]:
    """``label(scenario_id, slot, value)``: an answer as the scenario words it ("잘 드심").

    Lists are joined with commas; an unknown scenario, slot or value stays as stored.
    """

    def label(scenario_id: str, slot: str, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(label(scenario_id, slot, v) for v in value)
        scenario = scenarios.get(scenario_id)
        spec = scenario.slots.get(slot) if scenario is not None else None
        if spec is not None and isinstance(value, str) and value in spec.values:
            return spec.values[value].label
        return str(value)

    return label


def code_label(kind: str, lang: str) -> Callable[[str], str]:
    """``label(code)``: a stored code in the page's language, else as written.

    The ``results.<kind>.<code>`` messages: a follow-up ``reason``, the ``slot`` a care call asked.
    """

    def label(code: str) -> str:
        key = f"results.{kind}.{code}"
        text = t(key, lang)
        return code.replace("_", " ") if text == key else text

    return label


def org_venues(scenarios: Mapping[str, Scenario], scenario_ids: Collection[str]) -> list[str]:
    """The businesses (venue ids) of the org's scenarios, sorted."""
    venues = set()
    for sid in scenario_ids:
        scenario = scenarios.get(sid)
        if scenario is not None and scenario.business is not None:
            venues.add(scenario.business.id)
    return sorted(venues)


def _org_bookings(scenario_ids: Collection[str], venues: Collection[str]) -> ColumnElement[bool]:
    org_calls = select(CallRow.id).where(CallRow.scenario_id.in_(list(scenario_ids)))
    return or_(
        Booking.call_id.in_(org_calls),
        and_(Booking.call_id.is_(None), Booking.venue.in_(list(venues))),
    )


def _resources_of(scenarios: Mapping[str, Scenario], venue: str) -> list[str]:
    for scenario in scenarios.values():
        business = scenario.business
        if business is not None and business.id == venue:
            return list(business.resources)
    return []


def _hours_of(scenarios: Mapping[str, Scenario], venue: str) -> tuple[time, time, int]:
    for scenario in scenarios.values():
        business = scenario.business
        if business is not None and business.id == venue and business.hours:
            opens = min(h.open for h in business.hours.values())
            closes = max(h.close for h in business.hours.values())
            return opens, closes, max(30, business.slot_minutes)
    return time(9), time(21), 60


def _entries(session: Session, query: Any) -> list[BookingEntry]:
    rows = list(session.scalars(query))
    ids = [r.id for r in rows]
    details = {
        d.booking_id: d
        for d in session.scalars(select(BookingDetail).where(BookingDetail.booking_id.in_(ids)))
    }
    holds: dict[int, list[str]] = {}
    for h in session.scalars(
        select(BookingHold).where(BookingHold.booking_id.in_(ids)).order_by(BookingHold.id)
    ):
        holds.setdefault(h.booking_id, []).append(h.resource)
    out = []
    for r in rows:
        detail = details.get(r.id)
        resources = tuple(holds.get(r.id) or [x for x in (r.seating,) if x])
        out.append(
            BookingEntry(
                id=r.id,
                venue=r.venue,
                start=r.start,
                end=r.end,
                party_size=r.party_size,
                name=r.name,
                phone=r.phone,
                status=r.status,
                resources=resources,
                service=detail.service if detail else None,
                provider=detail.provider if detail else None,
                call_id=r.call_id,
            )
        )
    return out


def bookings_calendar(
    session: Session,
    scenarios: Mapping[str, Scenario],
    scenario_ids: Collection[str],
    *,
    venue: str | None,
    day: date,
    view: str = "week",
    resource: str | None = None,
    include_cancelled: bool = False,
) -> Calendar:
    """One venue's bookings of a day, or of the week (Monday first) that holds ``day``.

    Args:
        session: a session of the store.
        scenarios: every scenario loaded (their businesses name the resources and hours).
        scenario_ids: the org's scenarios.
        venue: the venue (default: the org's first).
        day: the day shown, or a day of the week shown.
        view: ``day`` (rows of times, a column per resource) or ``week``.
        resource: only bookings holding this resource (a doctor, a stylist, a seating area).
        include_cancelled: cancelled bookings too.
    """
    if view not in VIEWS:
        view = "week"
    venues = org_venues(scenarios, scenario_ids)
    used = set(
        session.scalars(
            select(Booking.venue).where(_org_bookings(scenario_ids, venues)).distinct()
        ).all()
    )
    venues = sorted(set(venues) | used)
    if venue not in venues:
        venue = venues[0] if venues else None
    first = day if view == "day" else day - timedelta(days=day.weekday())
    days = [first + timedelta(days=i) for i in range(1 if view == "day" else 7)]
    entries: list[BookingEntry] = []
    if venue is not None:
        query = (
            select(Booking)
            .where(
                _org_bookings(scenario_ids, venues),
                Booking.venue == venue,
                Booking.start >= datetime.combine(days[0], time(0)),
                Booking.start < datetime.combine(days[-1] + timedelta(days=1), time(0)),
            )
            .order_by(Booking.start, Booking.id)
        )
        if not include_cancelled:
            query = query.where(Booking.status == "active")
        entries = _entries(session, query)
    known = _resources_of(scenarios, venue) if venue else []
    resources = list(dict.fromkeys([*known, *(r for e in entries for r in e.resources)]))
    if resource and resource in resources:
        entries = [e for e in entries if resource in e.resources]
        shown = [resource]
    else:
        resource = None
        shown = resources or ["-"]
    cells: dict[tuple[Any, Any], list[BookingEntry]] = {}
    if view == "day":
        opens, closes, step = _hours_of(scenarios, venue) if venue else (time(9), time(21), 60)
        times: list[time] = []
        at = datetime.combine(day, opens)
        starts = [e.start for e in entries]
        earliest = min([at, *starts])
        latest = max([datetime.combine(day, closes), *starts])
        at = earliest.replace(minute=(earliest.minute // step) * step if step < 60 else 0)
        while at <= latest:
            times.append(at.time())
            at += timedelta(minutes=step)
        for e in entries:
            slot = max((t for t in times if t <= e.start.time()), default=times[0])
            for r in e.resources or ("-",):
                if r in shown:
                    cells.setdefault((slot, r), []).append(e)
        return Calendar(
            venue, venues, resources, resource, view, day, days, times, shown, cells, entries
        )
    for e in entries:
        for r in e.resources or ("-",):
            if r in shown:
                cells.setdefault((r, e.start.date()), []).append(e)
    return Calendar(
        venue, venues, resources, resource, view, day, days, shown, days, cells, entries
    )


def get_booking(
    session: Session,
    scenarios: Mapping[str, Scenario],
    scenario_ids: Collection[str],
    booking_id: int,
) -> BookingEntry:
    """The org's booking ``booking_id``.

    Raises:
        NotFound: unknown or another org's.
    """
    venues = org_venues(scenarios, scenario_ids)
    found = _entries(
        session,
        select(Booking).where(Booking.id == booking_id, _org_bookings(scenario_ids, venues)),
    )
    if not found:
        raise NotFound(str(booking_id))
    return found[0]


def bookings_csv(
    session: Session,
    scenarios: Mapping[str, Scenario],
    scenario_ids: Collection[str],
    *,
    venue: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> str:
    """The org's bookings as CSV (soonest first; cancelled ones too, with their status)."""
    venues = org_venues(scenarios, scenario_ids)
    query = select(Booking).where(_org_bookings(scenario_ids, venues))
    if venue:
        query = query.where(Booking.venue == venue)
    if since is not None:
        query = query.where(Booking.start >= datetime.combine(since, time(0)))
    if until is not None:
        query = query.where(Booking.start < datetime.combine(until + timedelta(days=1), time(0)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "id",
            "venue",
            "start",
            "end",
            "party_size",
            "resources",
            "service",
            "provider",
            "name",
            "phone",
            "status",
            "call_id",
        ]
    )
    for e in _entries(session, query.order_by(Booking.start, Booking.id)):
        writer.writerow(
            [
                e.id,
                e.venue,
                e.start.isoformat(timespec="minutes"),
                e.end.isoformat(timespec="minutes"),
                e.party_size,
                " ".join(e.resources),
                e.service or "",
                e.provider or "",
                e.name,
                e.phone,
                e.status,
                e.call_id or "",
            ]
        )
    return out.getvalue()


# -- care calls ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenFlag:
    """An open follow-up flag of one of a person's calls."""

    call_id: str
    reasons: tuple[str, ...]
    raised_at: datetime


@dataclass(frozen=True)
class CarePerson:
    """A person of the org's care calls, for the list (flagged first)."""

    person_id: str
    person: str
    scenario_id: str
    calls: int
    last_call_id: str
    last_call_at: datetime
    last_answers: dict[str, Any]
    open_flags: tuple[OpenFlag, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form (the API)."""
        return {
            "person_id": self.person_id,
            "person": self.person,
            "scenario_id": self.scenario_id,
            "calls": self.calls,
            "last_call_id": self.last_call_id,
            "last_call_at": self.last_call_at.isoformat(),
            "last_answers": self.last_answers,
            "open_flags": [
                {"call_id": f.call_id, "reasons": list(f.reasons), "raised_at": f.raised_at}
                for f in self.open_flags
            ],
        }


def carecall_people(session: Session, scenario_ids: Collection[str]) -> list[CarePerson]:
    """Everyone the org's care calls reached or tried, open follow-up flags first.

    The flagged people come by their oldest open flag, then the others by their latest call,
    newest first.
    """
    ids = list(scenario_ids)
    links = list(
        session.scalars(
            select(CareCallPersonCall)
            .where(CareCallPersonCall.scenario_id.in_(ids))
            .order_by(CareCallPersonCall.called_at, CareCallPersonCall.call_id)
        )
    )
    person_of = {link.call_id: link.person_id for link in links}
    flags = list(
        session.scalars(
            select(FollowupFlag)
            .where(FollowupFlag.scenario_id.in_(ids), FollowupFlag.resolved.is_(False))
            .order_by(FollowupFlag.created_at, FollowupFlag.id)
        )
    )
    answered = {
        a.call_id: a
        for a in session.scalars(
            select(CareCallAnswers).where(CareCallAnswers.scenario_id.in_(ids))
        )
    }
    people: dict[str, dict[str, Any]] = {}
    for link in links:
        p = people.setdefault(link.person_id, {"calls": 0, "flags": [], "answers": {}})
        p.update(
            person=link.person,
            scenario_id=link.scenario_id,
            last_call_id=link.call_id,
            last_call_at=link.called_at,
        )
        p["calls"] += 1
        if link.call_id in answered:
            p["answers"] = dict(answered[link.call_id].answers)
    for f in flags:
        key = person_of.get(f.call_id, f.person)
        p = people.setdefault(
            key,
            {
                "calls": 1,
                "flags": [],
                "answers": dict(answered[f.call_id].answers) if f.call_id in answered else {},
                "person": f.person,
                "scenario_id": f.scenario_id,
                "last_call_id": f.call_id,
                "last_call_at": f.created_at,
            },
        )
        p["flags"].append(OpenFlag(f.call_id, tuple(f.reasons), f.created_at))
    out = [
        CarePerson(
            person_id=key,
            person=p["person"],
            scenario_id=p["scenario_id"],
            calls=p["calls"],
            last_call_id=p["last_call_id"],
            last_call_at=p["last_call_at"],
            last_answers=p["answers"],
            open_flags=tuple(p["flags"]),
        )
        for key, p in people.items()
    ]
    flagged = sorted(
        (p for p in out if p.open_flags), key=lambda p: (p.open_flags[0].raised_at, p.person_id)
    )
    others = sorted(
        (p for p in out if not p.open_flags),
        key=lambda p: (p.last_call_at, p.person_id),
        reverse=True,
    )
    return [*flagged, *others]


@dataclass(frozen=True)
class PersonPage:
    """One person's calls in the org (oldest first) and their trends."""

    person_id: str
    person: str
    calls: list[PersonCall]
    trends: PersonTrends
    sentences: list[str]


def person_page(
    recorder: SqlCareCallRecorder,
    scenarios: Mapping[str, Scenario],
    scenario_ids: Collection[str],
    person_id: str,
    window: int = DEFAULT_WINDOW,
) -> PersonPage:
    """A person's care calls of the org's scenarios, with the trends of their answers.

    Only the org's calls count (the same person id in another org is another person).

    Raises:
        NotFound: the org has no care call of that person.
    """
    calls = [c for c in recorder.history(person_id) if c.scenario_id in scenario_ids]
    if not calls:
        raise NotFound(person_id)
    answered = [c for c in calls if c.answers]
    latest = (answered or calls)[-1]
    scenario = scenarios.get(latest.scenario_id)
    report = PersonTrends(
        person_id=person_id,
        person=latest.person,
        scenario_id=latest.scenario_id,
        calls=len(answered),
        open_flags=sum(1 for c in calls if c.flag and c.flag.open),
        trends=(
            trends(scenario, [c.as_past() for c in answered], window)
            if scenario is not None and answered
            else {}
        ),
    )
    sentences = [describe(t, scenario) for t in report.trends.values()]
    return PersonPage(person_id, latest.person, calls, report, sentences)


def close_flag(
    db: Database, scenario_ids: Collection[str], call_id: str, *, by: str, note: str | None
) -> FlagRecord:
    """Close the follow-up flag of the org's call ``call_id`` (who, a note).

    The check reads in a session of its own and the store closes the flag in its own
    transaction: call it before the route's own write transaction takes the database's lock.

    Raises:
        NotFound: no flag on that call in the org.
        InputError: no name, or closed already (by whom, when).
    """
    with db.session() as session:
        scenario = session.scalar(
            select(FollowupFlag.scenario_id).where(FollowupFlag.call_id == call_id)
        )
    if scenario is None or scenario not in scenario_ids:
        raise NotFound(call_id)
    return SqlCareCallRecorder(db).close_flag(call_id, by=by, note=note)


def carecall_csv(session: Session, scenario_ids: Collection[str]) -> str:
    """The org's care-call results as CSV: one row per call, every answer a column."""
    ids = list(scenario_ids)
    links = {
        link.call_id: link
        for link in session.scalars(
            select(CareCallPersonCall).where(CareCallPersonCall.scenario_id.in_(ids))
        )
    }
    answers = {
        a.call_id: a
        for a in session.scalars(
            select(CareCallAnswers).where(CareCallAnswers.scenario_id.in_(ids))
        )
    }
    flags = {
        f.call_id: f
        for f in session.scalars(select(FollowupFlag).where(FollowupFlag.scenario_id.in_(ids)))
    }
    call_ids = links.keys() | answers.keys() | flags.keys()
    slots = list(dict.fromkeys(k for a in answers.values() for k in a.answers))
    rows = []
    for call_id in call_ids:
        link, a, f = links.get(call_id), answers.get(call_id), flags.get(call_id)
        when = (
            link.called_at
            if link is not None
            else (a.recorded_at if a is not None else f.created_at if f is not None else None)
        )
        person = link.person if link else (a.person if a else f.person if f else "")
        scenario = (
            link.scenario_id if link else (a.scenario_id if a else f.scenario_id if f else "")
        )
        rows.append((when, call_id, link, a, f, person, scenario))
    rows.sort(key=lambda r: (r[0] or datetime.min.replace(tzinfo=ZoneInfo("UTC")), r[1]))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["person_id", "person", "call_id", "scenario", "when", *slots, "flag", "flag_reasons"]
    )
    for when, call_id, link, a, f, person, scenario in rows:
        values = dict(a.answers) if a is not None else {}
        writer.writerow(
            [
                link.person_id if link else person,
                person,
                call_id,
                scenario,
                when.isoformat(timespec="seconds") if when else "",
                *(_cell(values.get(s)) for s in slots),
                ("open" if not f.resolved else "closed") if f is not None else "",
                " ".join(f.reasons) if f is not None else "",
            ]
        )
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool | int | float | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
