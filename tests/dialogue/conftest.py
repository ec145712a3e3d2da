"""A policy driven by text alone: the real NLU and templates, fake backends, no database."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from dialogue.acts import Reply, SystemAct
from dialogue.context import DialogueContext
from dialogue.forms import expected_for
from dialogue.policy import Policy
from dialogue.tracker import Tracker
from nlg.templates import TemplateNLG
from nlu.config import scenario_parser
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario
from tests.fakes.bookings import FakeBookings
from tests.fakes.carecall import FakeCareCalls

NOW = datetime(2026, 11, 25, 10, 0)  # Wednesday


@functools.cache
def shipped() -> dict[str, Scenario]:
    """The shipped scenarios, parsed once."""
    return load_scenarios()


@dataclass
class Dialogue:
    """The policy of one call with fake backends; ``say`` parses text like a session does."""

    scenario: Scenario
    bookings: FakeBookings = field(default_factory=FakeBookings)
    carecall: FakeCareCalls = field(default_factory=FakeCareCalls)
    caller: str | None = "+821012345678"
    tracker: Tracker = field(default_factory=lambda: Tracker("call-1"))
    policy: Policy = field(default_factory=Policy)
    acts: list[SystemAct] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ctx = DialogueContext(
            scenario=self.scenario,
            call_id="call-1",
            now=NOW,
            caller=self.caller,
            person=self.scenario.sample_person,
            bookings=self.bookings,
            carecall=self.carecall,
        )
        self.nlg = TemplateNLG(self.scenario)
        self.acts = self.policy.start(self.tracker, self.ctx)

    def say(self, text: str) -> Dialogue:
        """The caller says ``text``."""
        result = scenario_parser(self.scenario).parse(
            text, today=NOW.date(), expected=expected_for(self.tracker, self.scenario)
        )
        self.acts = self.policy.on_user(self.tracker, self.ctx, result)
        return self

    def event(self, kind: str, value: str | None = None) -> Dialogue:
        """A call event."""
        self.acts = self.policy.on_event(self.tracker, self.ctx, kind, value)
        return self

    @property
    def reply(self) -> Reply:
        """The last turn's acts in words."""
        return self.nlg.reply(self.acts)

    @property
    def templates(self) -> list[str | None]:
        """The template keys of the last turn's acts."""
        return [a.template for a in self.acts]


@pytest.fixture(params=["restaurant-ko", "restaurant-en"])
def restaurant(request: pytest.FixtureRequest) -> Dialogue:
    """A restaurant call, once per language."""
    return Dialogue(shipped()[request.param])
