"""The scenario format: pydantic models of one scenario file (one scenario, one language).

A scenario names its persona, the facts it may state, its slots, intents, tasks (forms), FAQ
answers, global behaviour, templates and, for outbound care calls, the rules that flag a person
for follow-up. ``scenarios.loader`` reads YAML into these models and reports errors with the
file, line and field. See ``docs/scenarios.md`` for the format with examples.
"""

from __future__ import annotations

import functools
import re
from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scenarios.business import BookingSlots, Business, DayHours, Resource, Service

__all__ = [
    "FlagRule",
    "FollowUp",
    "Memory",
    "business_from_venue",
    "GlobalBehaviour",
    "Intent",
    "OpeningHours",
    "Persona",
    "Retention",
    "Scenario",
    "Seating",
    "SlotSpec",
    "SlotValueSpec",
    "Task",
    "Venue",
]

SLOT_TYPES = ("date", "time", "count", "phone", "yesno", "category", "name", "text")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_FACT_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_NOT_SPOKEN = re.compile(r"[{}<>\[\]]")  # placeholders and markup are never said to a caller
_REFERENCE = re.compile(r"\{(facts|persona)\.([^}]*)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _parse_hhmm(value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int):  # YAML 1.1 reads 11:00 as sexagesimal 660
        return time(value // 60, value % 60)
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(f"expected a time as HH:MM, got {value!r}")
    hh, mm = value.split(":")
    return time(int(hh), int(mm))


class Persona(_Model):
    """Who the agent is on the phone (said in greetings; given to the LLM that words replies)."""

    name: str = Field(max_length=40)
    business: str = Field(max_length=80)
    tone: str = Field(default="friendly", max_length=40)
    honorific: Literal["polite", "formal", "casual"] = "polite"

    @field_validator("name", "business", "tone")
    @classmethod
    def _plain(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be empty")
        if _NOT_SPOKEN.search(v):
            raise ValueError(f"must be plain text without braces or brackets: {v!r}")
        return v


class SlotValueSpec(_Model):
    """One allowed value of a category slot."""

    label: str
    synonyms: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


class SlotSpec(_Model):
    """A piece of information the agent collects.

    Attributes:
        type: how values are parsed (typed parsers for date/time/count/phone/yesno; synonyms
            and examples for category; free text for name/text).
        prompt: template key (or literal text) used to ask for the slot.
        values: allowed values of a category slot, keyed by canonical key.
        min, max: bounds of a count.
        default: ``caller_id`` fills a phone slot from the caller's number.
        stop_if: for a yes/no slot, the answer that ends the call (identity check).
        on_unrecognized: ``reprompt`` (default) or ``skip`` (record ``unknown`` and move on
            after the re-prompts are used up; care-call questions).
        ack: per value, a template key spoken after the answer (care-call empathy).
        multiple: a category slot that takes several values at once (symptoms).
        yes, no: the category value a bare yes or no means ("did you eat well?" "yes").
    """

    type: Literal["date", "time", "count", "phone", "yesno", "category", "name", "text"]
    prompt: str
    values: dict[str, SlotValueSpec] = Field(default_factory=dict)
    min: int | None = None
    max: int | None = None
    default: Literal["caller_id"] | None = None
    stop_if: bool | None = None
    on_unrecognized: Literal["reprompt", "skip"] = "reprompt"
    ack: dict[str, str] = Field(default_factory=dict)
    multiple: bool = False
    yes: str | None = None
    no: str | None = None

    @model_validator(mode="after")
    def _category_has_values(self) -> SlotSpec:
        if self.type == "category" and not self.values:
            raise ValueError("a category slot needs 'values'")
        if self.type != "category" and self.values:
            raise ValueError(f"'values' only applies to category slots, not {self.type}")
        for answer in (self.yes, self.no):
            if answer is not None and answer not in self.values:
                raise ValueError(f"'yes'/'no' must name one of the values, not {answer!r}")
        return self


class Intent(_Model):
    """An intent with a description and examples (slots annotated inline as ``[text](slot)``)."""

    description: str
    examples: tuple[str, ...] = ()


class Task(_Model):
    """A form: which intent starts it, which slots it fills, what it does at the end.

    Attributes:
        intent: the intent that starts the task.
        slots: required slots, asked in order.
        action: the registered action run when the form is complete (and confirmed).
        confirm: read every value back and ask yes/no before acting.
        lookup: a registered lookup run when the task starts (``booking_by_phone``).
        validate: a registered validator run whenever a slot changes (``restaurant_availability``).
    """

    intent: str
    slots: tuple[str, ...]
    action: str
    confirm: bool = True
    lookup: str | None = None
    validate_with: str | None = Field(default=None, alias="validate")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class OpeningHours(_Model):
    """Opening hours of one day and the last time a booking may start."""

    open: time
    close: time
    last_booking: time | None = None

    @field_validator("open", "close", "last_booking", mode="before")
    @classmethod
    def _hhmm(cls, v: object) -> time | None:
        return None if v is None else _parse_hhmm(v)

    @model_validator(mode="after")
    def _order(self) -> OpeningHours:
        if self.close <= self.open:
            raise ValueError("'close' must be after 'open'")
        if self.last_booking and not (self.open <= self.last_booking <= self.close):
            raise ValueError("'last_booking' must lie between 'open' and 'close'")
        return self


class Seating(_Model):
    """A seating area and how many guests it holds at once."""

    seats: int = Field(gt=0)


class Venue(_Model):
    """A bookable venue: hours, closed days, capacity.

    Scenarios of one venue in several languages share ``id`` and so share bookings.
    """

    id: str
    timezone: str = "Asia/Seoul"
    hours: OpeningHours
    closed_days: tuple[str, ...] = ()
    slot_minutes: int = Field(default=30, gt=0, le=120)
    booking_minutes: int = Field(default=90, gt=0, le=600)
    seating: dict[str, Seating]
    max_party: int = Field(default=12, gt=0)
    default_seating: str | None = None

    @field_validator("closed_days")
    @classmethod
    def _weekdays(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for day in v:
            if day.lower() not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
        return tuple(d.lower() for d in v)


class GlobalBehaviour(_Model):
    """Behaviour that applies at any point of the call."""

    max_reprompts: int = Field(default=2, ge=0, le=10)
    max_misunderstandings: int = Field(default=3, ge=1, le=10)
    fallback: Literal["handover", "end"] = "end"
    handover_number: str | None = None
    intent_threshold: float = Field(default=0.45, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _handover_needs_number(self) -> GlobalBehaviour:
        if self.fallback == "handover" and not self.handover_number:
            raise ValueError("fallback 'handover' needs 'handover_number'")
        return self


class FlagRule(_Model):
    """A rule that flags the person for follow-up.

    ``slot`` with ``values``: flag when the answer is one of them. ``unintelligible: true``:
    flag when any question stayed unanswered after the re-prompts. ``incomplete: true``: flag
    when the call ended before every question was asked.
    """

    reason: str
    slot: str | None = None
    values: tuple[str | bool, ...] = ()
    unintelligible: bool = False
    incomplete: bool = False

    @model_validator(mode="after")
    def _has_condition(self) -> FlagRule:
        if not (self.unintelligible or self.incomplete) and not (self.slot and self.values):
            raise ValueError(
                "a flag rule needs 'slot' and 'values', 'unintelligible: true' or 'incomplete: true'"
            )
        return self


class FollowUp(_Model):
    """A question that refers back to an earlier call's answer (``memory.follow_ups.<slot>``).

    The key names the category slot of the check-in task that records the answer to the
    follow-up (e.g. ``health_change``: better / same / worse).

    Attributes:
        about: the slot whose earlier answer the question refers back to (e.g. ``health``).
        refer: per earlier value of ``about``, the template that refers back to it
            ("{ago} 몸이 아프다고 하셨는데 좀 어떠세요?"); a value not named asks nothing.
    """

    about: str
    refer: dict[str, str] = Field(min_length=1)


class Memory(_Model):
    """What a care call carries over to the next call to the same person, and its trends.

    Attributes:
        within_days: an earlier answer is referred back to only if its call was at most this
            many days before the new one.
        follow_ups: follow-up question slot -> what it refers back to (:class:`FollowUp`).
        trends: category slot -> its values from best to worst (an ordinal: mood good >
            so_so > bad), for the per-person trend report.
    """

    within_days: int = Field(default=14, ge=1, le=366)
    follow_ups: dict[str, FollowUp] = Field(default_factory=dict)
    trends: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class Retention(_Model):
    """How long a scenario's call records are kept before ``aicall calls purge`` removes them.

    Days count from the start of the call. ``None`` keeps them until removed by hand
    (``aicall person delete``). docs/privacy.md.

    Attributes:
        transcripts_days: the call's words: its dialogue events (``call_events``), its voice
            turns (``voice_turns``) and its JSON record (``<data_dir>/calls``); the call's
            row stays (status, outcome) without the caller's and callee's numbers.
        recordings_days: its recording (``<data_dir>/recordings``, ``AICALL_RECORD_CALLS``);
            never longer than the transcripts (default: as long as them).
    """

    transcripts_days: int | None = Field(default=None, ge=1, le=3650)
    recordings_days: int | None = Field(default=None, ge=1, le=3650)

    @model_validator(mode="after")
    def _recordings_not_longer(self) -> Retention:
        days, audio = self.transcripts_days, self.recordings_days
        if days is not None and audio is not None and audio > days:
            raise ValueError(
                f"recordings_days ({audio}) must not be longer than transcripts_days ({days}): "
                "a recording holds everything its transcript does"
            )
        return self

    def recordings(self) -> int | None:
        """Days a recording is kept (the transcripts' when not set)."""
        return self.recordings_days if self.recordings_days is not None else self.transcripts_days


class Scenario(_Model):
    """One scenario in one language."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: int = 1
    language: Literal["ko", "en"]
    direction: Literal["inbound", "outbound"]
    domain: str
    persona: Persona
    facts: dict[str, str] = Field(default_factory=dict)
    venue: Venue | None = None
    booking: Business | None = None
    slots: dict[str, SlotSpec]
    intents: dict[str, Intent]
    tasks: dict[str, Task]
    start_task: str | None = None
    faq: dict[str, str] = Field(default_factory=dict)
    globals: GlobalBehaviour = Field(default_factory=GlobalBehaviour)
    flags: tuple[FlagRule, ...] = ()
    memory: Memory | None = None
    templates: dict[str, str]
    vocabulary: tuple[str, ...] = ()
    sample_person: str | None = None
    retention: Retention = Field(default_factory=Retention)

    @field_validator("facts")
    @classmethod
    def _facts(cls, v: dict[str, str]) -> dict[str, str]:
        for key, text in v.items():
            if not _FACT_KEY.match(key):
                raise ValueError(f"fact name {key!r} must be lower_snake_case")
            if not text.strip():
                raise ValueError(f"fact {key!r} is empty")
            if _NOT_SPOKEN.search(text):
                raise ValueError(f"fact {key!r} must be plain text without braces or brackets")
        return v

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        # A template naming a fact or persona field that does not exist would be said with a
        # hole in it ("{facts.menu}" renders as nothing).
        texts = [*self.templates.items(), *((f"faq.{k}", t) for k, t in self.faq.items())]
        for where, text in texts:
            for kind, name in _REFERENCE.findall(text):
                known = self.facts if kind == "facts" else Persona.model_fields
                if name not in known:
                    raise ValueError(f"{where}: no {kind} field {name!r}")
        return self

    @model_validator(mode="after")
    def _one_business(self) -> Scenario:
        if self.venue is not None and self.booking is not None:
            raise ValueError("give either 'venue' (a restaurant) or 'booking', not both")
        return self

    @functools.cached_property
    def business(self) -> Business | None:
        """What callers can book: the ``booking`` section, or the ``venue`` converted to it."""
        if self.booking is not None:
            return self.booking
        return None if self.venue is None else business_from_venue(self.venue)

    @property
    def handover_number(self) -> str | None:
        """The human number the call is handed over to, when configured."""
        return self.globals.handover_number


def business_from_venue(venue: Venue) -> Business:
    """A restaurant's venue as a business (any business's model, one instance).

    Seating areas are resources of kind ``seating`` (default seating first); one service
    ``table`` holds party-size seats for ``booking_minutes``; the ``seating`` slot names the
    provider.
    """
    order = list(venue.seating)
    if venue.default_seating in venue.seating:
        order.remove(venue.default_seating)
        order.insert(0, venue.default_seating)
    return Business(
        id=venue.id,
        timezone=venue.timezone,
        slot_minutes=venue.slot_minutes,
        hours={
            "default": DayHours(
                open=venue.hours.open,
                close=venue.hours.close,
                last_start=venue.hours.last_booking,
            )
        },
        closed_days=venue.closed_days,
        horizon_days=3660,
        max_party=venue.max_party,
        resources={
            k: Resource(label=k, kind="seating", capacity=venue.seating[k].seats) for k in order
        },
        services={
            "table": Service(
                label="table",
                minutes=venue.booking_minutes,
                provider_kind="seating",
                units="party",
            )
        },
        slots=BookingSlots(provider="seating"),
    )
