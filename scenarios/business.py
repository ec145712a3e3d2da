"""The ``booking:`` section of a scenario: what any business lets callers book, as data.

A business has **resources** (doctors, stylists, chairs, rooms, the seating areas of a
restaurant), each with a capacity and optionally its own hours and days off, and **services**
(a consultation, a cut, a table for N) with a duration (fixed or by party size), the kind of
resource that provides them, extra resources they hold and a buffer after them. Business hours,
breaks, closed days, lead time, booking horizon and the cancellation cutoff complete it.

A restaurant's ``venue:`` is converted into this model by :func:`business_from_venue` (seating
areas become resources of kind ``seating``; one service ``table`` holds party-size seats), so a
restaurant is one instance of it. See ``docs/scenarios.md`` ("Bookings: any business").

This module imports nothing of the project (``scenarios.schema`` imports it).
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "WEEKDAYS",
    "BookingSlots",
    "Break",
    "Business",
    "DayHours",
    "Kind",
    "PartyMinutes",
    "Resource",
    "Service",
    "parse_hhmm",
]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_HOURS_KEYS = ("default", *WEEKDAYS)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_hhmm(value: object) -> time:
    """``"09:30"`` (or YAML 1.1's sexagesimal 570) as a time; anything else is a ValueError."""
    if isinstance(value, time):
        return value
    if isinstance(value, int):  # YAML 1.1 reads 11:00 as sexagesimal 660
        return time(value // 60, value % 60)
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(f"expected a time as HH:MM, got {value!r}")
    hh, mm = value.split(":")
    return time(int(hh), int(mm))


def _weekdays(days: tuple[str, ...]) -> tuple[str, ...]:
    for day in days:
        if day.lower() not in WEEKDAYS:
            raise ValueError(f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
    return tuple(d.lower() for d in days)


def _hours(value: dict[str, DayHours]) -> dict[str, DayHours]:
    for key in value:
        if key not in _HOURS_KEYS:
            raise ValueError(f"unknown day {key!r} in hours (use default or a weekday)")
    return value


class DayHours(_Model):
    """Open and close of one day; ``last_start`` optionally caps the last start time."""

    open: time
    close: time
    last_start: time | None = None

    @field_validator("open", "close", "last_start", mode="before")
    @classmethod
    def _hhmm(cls, v: object) -> time | None:
        return None if v is None else parse_hhmm(v)

    @model_validator(mode="after")
    def _order(self) -> DayHours:
        if self.close <= self.open:
            raise ValueError("'close' must be after 'open'")
        if self.last_start and not (self.open <= self.last_start <= self.close):
            raise ValueError("'last_start' must lie between 'open' and 'close'")
        return self


class Break(_Model):
    """A time nothing may overlap (lunch), every open day or only on ``days``."""

    start: time
    end: time
    days: tuple[str, ...] = ()

    @field_validator("start", "end", mode="before")
    @classmethod
    def _hhmm(cls, v: object) -> time:
        return parse_hhmm(v)

    @field_validator("days")
    @classmethod
    def _days(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _weekdays(v)

    @model_validator(mode="after")
    def _order(self) -> Break:
        if self.end <= self.start:
            raise ValueError("'end' must be after 'start'")
        return self


class Kind(_Model):
    """Words for a kind of resource ("doctor": 선생님, 원장님, dentist)."""

    label: str | None = None
    synonyms: tuple[str, ...] = ()


class Resource(_Model):
    """Something a booking holds: a person, a chair, a room, a seating area.

    Attributes:
        label: said to the caller.
        kind: what find-a-provider questions and a service's ``provider_kind`` ask for.
        synonyms: other names callers use.
        capacity: units held at once (1 for a person; a seating area's seats).
        hours: own hours (``default`` and/or weekdays), within the business hours.
        days_off: weekdays it is not available.
    """

    label: str
    kind: str = "resource"
    synonyms: tuple[str, ...] = ()
    capacity: int = Field(default=1, gt=0)
    hours: dict[str, DayHours] | None = None
    days_off: tuple[str, ...] = ()

    @field_validator("days_off")
    @classmethod
    def _days(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _weekdays(v)

    @field_validator("hours")
    @classmethod
    def _hours_keys(cls, v: dict[str, DayHours] | None) -> dict[str, DayHours] | None:
        return None if v is None else _hours(v)


class PartyMinutes(_Model):
    """Up to ``up_to`` people, the service takes ``minutes``."""

    up_to: int = Field(gt=0)
    minutes: int = Field(gt=0, le=24 * 60)


class Service(_Model):
    """What a caller books.

    Attributes:
        label, synonyms: said to and by the caller.
        minutes: fixed duration, or ``minutes_by_party`` (ascending ``up_to``).
        buffer_minutes: gap after it on every resource it held (default: the business's).
        provider_kind: the booking holds one resource of this kind (chosen or "anyone").
        providers: who may provide it (default: every resource of the kind).
        units: ``one`` (a person) or ``party`` (holds party-size units: seats).
        also_needs: further resources held for the same time.
    """

    label: str
    synonyms: tuple[str, ...] = ()
    minutes: int | None = Field(default=None, gt=0, le=24 * 60)
    minutes_by_party: tuple[PartyMinutes, ...] = ()
    buffer_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    provider_kind: str | None = None
    providers: tuple[str, ...] = ()
    units: Literal["one", "party"] = "one"
    also_needs: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _duration(self) -> Service:
        if (self.minutes is None) == (not self.minutes_by_party):
            raise ValueError("give either 'minutes' or 'minutes_by_party'")
        limits = [p.up_to for p in self.minutes_by_party]
        if limits != sorted(set(limits)):
            raise ValueError("'minutes_by_party' must be in ascending 'up_to' order")
        if self.providers and self.provider_kind is None:
            raise ValueError("'providers' needs 'provider_kind'")
        return self

    @property
    def by_party(self) -> bool:
        """The booking needs a party size (seats held, or a duration by party)."""
        return self.units == "party" or bool(self.minutes_by_party)

    def duration(self, party: int | None) -> int | None:
        """Minutes for ``party`` people (None: the party is needed but unknown or too large)."""
        if self.minutes is not None:
            return self.minutes
        if party is None:
            return None
        return next((p.minutes for p in self.minutes_by_party if party <= p.up_to), None)


class BookingSlots(_Model):
    """Which scenario slots carry the parts of a booking."""

    service: str = "service"
    provider: str = "provider"
    date: str = "date"
    time: str = "time"
    party: str = "party_size"
    name: str = "name"
    phone: str = "phone"


class Business(_Model):
    """Everything bookable at one business (the ``booking:`` section).

    Scenarios of one business in several languages share ``id`` and so share bookings.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    timezone: str = "Asia/Seoul"
    slot_minutes: int = Field(default=15, gt=0, le=240)
    hours: dict[str, DayHours]
    closed_days: tuple[str, ...] = ()
    breaks: tuple[Break, ...] = ()
    lead_minutes: int = Field(default=0, ge=0)
    horizon_days: int = Field(default=365, gt=0, le=3660)
    cancel_until_minutes: int = Field(default=0, ge=0)
    buffer_minutes: int = Field(default=0, ge=0, le=24 * 60)
    max_party: int = Field(default=12, gt=0)
    kinds: dict[str, Kind] = Field(default_factory=dict)
    resources: dict[str, Resource]
    services: dict[str, Service]
    slots: BookingSlots = Field(default_factory=BookingSlots)

    @field_validator("closed_days")
    @classmethod
    def _days(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _weekdays(v)

    @field_validator("hours")
    @classmethod
    def _hours_keys(cls, v: dict[str, DayHours]) -> dict[str, DayHours]:
        if not v:
            raise ValueError("give the opening hours (at least 'default' or one weekday)")
        return _hours(v)

    @field_validator("resources", "services")
    @classmethod
    def _keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        if not v:
            raise ValueError("must not be empty")
        for key in v:
            if key == "any" or not _KEY.match(key):
                raise ValueError(f"key {key!r} must be lower_snake_case and not 'any'")
        return v

    def hours_on(self, weekday: str) -> DayHours | None:
        """The business hours of a weekday (None: closed)."""
        if weekday in self.closed_days:
            return None
        return self.hours.get(weekday) or self.hours.get("default")

    def providers_of(self, service: str) -> list[str]:
        """The resources that may provide ``service`` (empty when it needs no provider)."""
        spec = self.services[service]
        if spec.provider_kind is None:
            return []
        if spec.providers:
            return list(spec.providers)
        return [k for k, r in self.resources.items() if r.kind == spec.provider_kind]

    def buffer_of(self, service: str) -> int:
        """Minutes kept free after ``service`` on every resource it held."""
        spec = self.services[service]
        return self.buffer_minutes if spec.buffer_minutes is None else spec.buffer_minutes

    def problems(self) -> list[tuple[list[str | int], str]]:
        """References that do not resolve, as (location under ``booking``, message)."""
        out: list[tuple[list[str | int], str]] = []
        kinds = {r.kind for r in self.resources.values()}
        for name, spec in self.services.items():
            at: list[str | int] = ["services", name]
            if spec.provider_kind is not None and spec.provider_kind not in kinds:
                out.append(
                    (
                        [*at, "provider_kind"],
                        f"no resource of kind '{spec.provider_kind}' (kinds: "
                        f"{', '.join(sorted(kinds))})",
                    )
                )
            for i, key in enumerate(spec.providers):
                if key not in self.resources:
                    out.append(([*at, "providers", i], f"unknown resource '{key}'"))
                elif self.resources[key].kind != spec.provider_kind:
                    out.append(
                        (
                            [*at, "providers", i],
                            f"'{key}' is a {self.resources[key].kind}, not a {spec.provider_kind}",
                        )
                    )
            for i, key in enumerate(spec.also_needs):
                if key not in self.resources:
                    out.append(([*at, "also_needs", i], f"unknown resource '{key}'"))
            if spec.units == "party" and spec.provider_kind is None and not spec.also_needs:
                out.append(([*at, "units"], "'units: party' needs a provider_kind or also_needs"))
        for kind in self.kinds:
            if kind not in kinds:
                out.append((["kinds", kind], f"no resource has kind '{kind}'"))
        return out
