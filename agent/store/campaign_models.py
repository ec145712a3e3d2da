"""The tables of care-call campaigns: campaigns, their people, attempts and every transition.

A campaign calls a list of people with one scenario, inside calling windows, under a
concurrency cap, retrying by outcome (``agent.campaigns``). Each call placed is one
**attempt** row whose ``state`` moves through::

    queued -> dialing -> in-call -> done | retry-scheduled | gave-up
              dialing -> retry-scheduled | gave-up      (no answer, busy, failed, machine)
              retry-scheduled: the person's next attempt exists, queued

and every move is a **transition** row (time, from, to, reason), so a report tells exactly why
someone was not reached. At most one attempt per person is live (queued, dialing or in-call):
a partial unique index enforces it on SQLite and PostgreSQL alike, so no person is ever called
twice at once whatever the dispatchers do.

Times are UTC instants (:class:`~agent.store.models.UTCDateTime`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from agent.store.models import Base, JsonType, UTCDateTime, utcnow

__all__ = [
    "ATTEMPT_STATES",
    "LIVE_STATES",
    "CampaignAttempt",
    "CampaignPerson",
    "CampaignRow",
    "CampaignTransition",
]

#: Every state of an attempt.
ATTEMPT_STATES = ("queued", "dialing", "in-call", "done", "retry-scheduled", "gave-up")
#: States of an attempt that is not over (at most one per person).
LIVE_STATES = ("queued", "dialing", "in-call")
_LIVE_SQL = "state IN ('queued', 'dialing', 'in-call')"


class CampaignRow(Base):
    """A campaign: who to call with which scenario, when, how often and how many at once.

    ``schedule``, ``retry`` and ``machine`` are JSON documents validated by
    :mod:`agent.campaigns.policy` (the database keeps what the API accepted).
    """

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'running', 'paused', 'finished')", name="ck_campaigns_status"
        ),
        CheckConstraint("max_concurrent > 0", name="ck_campaigns_cap"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(8))
    caller_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    max_concurrent: Mapped[int] = mapped_column(Integer)
    schedule: Mapped[dict[str, Any]] = mapped_column(JsonType)
    retry: Mapped[dict[str, Any]] = mapped_column(JsonType)
    machine: Mapped[dict[str, Any]] = mapped_column(JsonType)
    recurrence: Mapped[str] = mapped_column(String(16), default="once")
    ring_timeout: Mapped[int] = mapped_column(Integer, default=30)
    lease_seconds: Mapped[int] = mapped_column(Integer, default=120)
    # the first round's start; weekly round N starts (N-1) weeks later
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    current_round: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CampaignPerson(Base):
    """One person of a campaign's list (E.164 phone, unique within the campaign)."""

    __tablename__ = "campaign_people"
    __table_args__ = (
        UniqueConstraint("campaign_id", "phone", name="uq_campaign_people_phone"),
        Index("ix_campaign_people_campaign", "campaign_id", "timezone"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    source_row: Mapped[int] = mapped_column(Integer)
    extra: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CampaignAttempt(Base):
    """One call to place (or placed) to one person in one round of a campaign."""

    __tablename__ = "campaign_attempts"
    __table_args__ = (
        CheckConstraint(
            "state IN ('queued', 'dialing', 'in-call', 'done', 'retry-scheduled', 'gave-up')",
            name="ck_campaign_attempts_state",
        ),
        # the guarantee: one live attempt per person, whoever dispatches
        Index(
            "uq_campaign_attempts_live_person",
            "person_id",
            unique=True,
            sqlite_where=text(_LIVE_SQL),
            postgresql_where=text(_LIVE_SQL),
        ),
        Index("ix_campaign_attempts_due", "campaign_id", "state", "due_at"),
        Index("ix_campaign_attempts_person", "person_id", "round", "number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("campaign_people.id", ondelete="CASCADE")
    )
    round: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # 1 = first try of the round
    state: Mapped[str] = mapped_column(String(20), default="queued")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # dispatch: the claim (a random token) and until when it holds
    claim: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    # no-answer, busy, failed, voicemail, reached, reached-by-message, canceled
    outcome: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    dialed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CampaignTransition(Base):
    """One state change of an attempt: when, from, to, and why."""

    __tablename__ = "campaign_transitions"
    __table_args__ = (Index("ix_campaign_transitions_attempt", "attempt_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attempt_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("campaign_attempts.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
