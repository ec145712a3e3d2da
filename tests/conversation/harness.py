"""A scripted phone call over a real :class:`AgentRuntime`, so a test reads like the call.

::

    call = start_call(runtime, "restaurant-ko", caller=CALLER)
    call.agent("무엇을 도와드릴까요")
    call.user("내일 저녁 7시에 4명이요").agent("좌석은")

``agent(...)`` asserts that the agent's last reply contains every phrase given; a failing
assertion prints the whole transcript so far. The runtime uses a fresh SQLite file and a clock
pinned to Wednesday 2026-11-25 10:00, the venue's local time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.session import CallSession
from dialogue.acts import Reply
from dialogue.ports import BookingRecord, BookingRequest, CapacityRule
from dialogue.restaurant import capacity_rule
from dialogue.state import DialogueState
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario

__all__ = ["NOW", "Call", "Clock", "book_directly", "make_runtime", "start_call", "venue_rule"]

#: Wednesday, 25 November 2026, 10:00 at the venue. Tomorrow is Thursday the 26th; Monday the
#: 30th is the weekly closed day.
NOW = datetime(2026, 11, 25, 10, 0)


@dataclass
class Clock:
    """The venue's local time, pinned; a test may move it (``clock.now = ...``)."""

    now: datetime = NOW

    def __call__(self, _scenario: Scenario) -> datetime:
        return self.now


@functools.cache
def _shipped() -> dict[str, Scenario]:
    return load_scenarios()


def make_runtime(
    data_dir: Path, *, clock: Clock | None = None, database_url: str | None = None
) -> AgentRuntime:
    """A runtime on a new SQLite file in ``data_dir`` (or ``database_url``), shipped scenarios only.

    The shipped files are parsed once per test process (scenarios are immutable), so a runtime
    per test costs a database file, not a YAML parse.
    """
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url or f"sqlite:///{data_dir / 'aicall.db'}",
        scenario_dirs=[],
    )
    return AgentRuntime(settings, clock=clock or Clock(), scenarios=_shipped())


@dataclass
class Call:
    """One call in progress: say things as the caller, check what the agent said back."""

    session: CallSession
    reply: Reply
    transcript: list[str] = field(default_factory=list)

    # -- the caller ---------------------------------------------------------------------

    def user(self, text: str) -> Call:
        """The caller says ``text``."""
        self.transcript.append(f"user>  {text}")
        return self._got(self.session.user_text(text))

    def silence(self) -> Call:
        """The caller says nothing until the silence timer fires."""
        self.transcript.append("user>  (silence)")
        return self._got(self.session.event("silence"))

    def keys(self, digits: str) -> Call:
        """The caller types ``digits`` on the keypad."""
        self.transcript.append(f"user>  (keys {digits})")
        return self._got(self.session.event("dtmf", digits))

    def hangup(self) -> Call:
        """The caller hangs up."""
        self.transcript.append("user>  (hangs up)")
        self._got(self.session.event("hangup"))
        self.session.close("hangup")
        return self

    # -- the agent ----------------------------------------------------------------------

    def agent(self, *phrases: str) -> Call:
        """The agent's last reply contains every one of ``phrases``."""
        missing = [p for p in phrases if p not in self.reply.text]
        assert not missing, f"agent did not say {missing!r}\n{self}"
        return self

    def agent_not(self, *phrases: str) -> Call:
        """The agent's last reply contains none of ``phrases``."""
        said = [p for p in phrases if p in self.reply.text]
        assert not said, f"agent should not have said {said!r}\n{self}"
        return self

    def ends(self, outcome: str | None = None) -> Call:
        """The last reply ends the call (with ``outcome``, when given)."""
        assert self.reply.end_call, f"the call goes on\n{self}"
        assert self.session.ended, f"the dialogue goes on\n{self}"
        if outcome is not None:
            assert self.state.outcome == outcome, f"outcome {self.state.outcome!r}\n{self}"
        return self

    def goes_on(self) -> Call:
        """The call is not over."""
        assert not self.reply.end_call and not self.session.ended, f"the call ended\n{self}"
        return self

    # -- what the test may inspect ------------------------------------------------------

    @property
    def state(self) -> DialogueState:
        """The dialogue state (the replay of the call's events)."""
        return self.session.tracker.state

    @property
    def slots(self) -> dict[str, Any]:
        """The active task's slots."""
        return dict(self.state.slots)

    @property
    def acts(self) -> list[tuple[str, str | None]]:
        """The last reply's acts as (kind, template) pairs."""
        return [(a.kind, a.template) for a in self.reply.acts]

    @property
    def call_id(self) -> str:
        """The stored call's id."""
        return self.session.call_id

    def close(self) -> None:
        """Mark the call ended in the store (what the CLI and the server do)."""
        self.session.close()

    def _got(self, reply: Reply) -> Call:
        self.reply = reply
        self.transcript.append(f"agent> {reply.text}")
        return self

    def __str__(self) -> str:
        return "--- transcript ---\n" + "\n".join(self.transcript)


def start_call(
    runtime: AgentRuntime,
    scenario_id: str,
    *,
    caller: str | None = None,
    person: str | None = None,
    channel: str | None = None,
    person_id: str | None = None,
) -> Call:
    """Open a call; the agent's greeting is the first reply.

    ``channel="voice"`` makes it a phone call (what the voice layer says): re-prompts then
    tell the caller what can be keyed. Without it the call is text chat.
    """
    session = runtime.new_call(scenario_id, caller=caller, person=person, person_id=person_id)
    if channel is not None:
        session.set_channel(channel)
    reply = session.start()
    return Call(session, reply, [f"agent> {reply.text}"])


def venue_rule(runtime: AgentRuntime) -> CapacityRule:
    """The capacity rule of the restaurant (one venue for both languages)."""
    venue = runtime.scenario("restaurant-ko").venue
    assert venue is not None
    return capacity_rule(venue)


def book_directly(
    runtime: AgentRuntime,
    start: datetime,
    *,
    seating: str = "hall",
    party_size: int = 4,
    name: str = "기존손님",
    phone: str = "01099998888",
) -> BookingRecord:
    """A booking made before the call (another caller's, unless ``phone`` says otherwise)."""
    rule = venue_rule(runtime)
    return runtime.bookings.create(
        rule,
        BookingRequest(
            venue=rule.venue,
            start=start,
            party_size=party_size,
            seating=seating,
            name=name,
            phone=phone,
        ),
    )
