"""The data authoring passes around: a written dialogue and the outcome of running it.

The bottom of :mod:`authoring`: data only (dataclasses and their plain-value forms), imported
by the dialogue writers (:mod:`.dialogues`, :mod:`.dialogue_llm`) and the runner (:mod:`.runs`)
alike, so none of them imports another for its types.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import Any

from common.errors import InputError

__all__ = ["DEFAULT_NOW", "Dialogue", "RunResult", "jsonable"]

#: Wednesday, 25 November 2026, 10:00: the default "now" of a dialogue run (as the tests).
DEFAULT_NOW = datetime(2026, 11, 25, 10, 0)


@dataclass
class RunResult:
    """The outcome of one dialogue run against the agent.

    Attributes:
        passed: the call completed with every expected value.
        problems: what did not match.
        transcript: the call as it went (``user>`` / ``agent>`` lines).
    """

    passed: bool
    problems: list[str]
    transcript: list[str]


def jsonable(value: Any) -> Any:
    """Dates and times as ISO strings (``"2026-11-26"``, ``"19:00"``); other values as they are."""
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass
class Dialogue:
    """A whole dialogue written from a goal: turns, and what the agent should end up with.

    Attributes:
        scenario: the scenario id.
        goal: the goal script.
        variant: which variant of the goal this is.
        turns: ``(speaker, text)``; the agent's turns are the templates it is expected to use.
        expect: slot -> value (ISO strings for dates and times) at the end of the call; for
            a change, the booking's values in the database; for a cancel,
            ``{"status": "cancelled"}``.
        caller: the caller id the call comes from.
        prior: the booking made for the caller before the call (change and cancel goals:
            date, time, party_size, seating, name as in ``expect``); empty for others.
        source: who wrote the caller's lines: ``llm`` or ``template``.
        note: why the LLM's version was not used (``source == "template"``), if it was tried.
    """

    scenario: str
    goal: str
    variant: int
    turns: list[tuple[str, str]]
    expect: dict[str, Any]
    caller: str
    prior: dict[str, Any] = field(default_factory=dict)
    source: str = "template"
    note: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Dialogue:
        """The dialogue of :meth:`as_dict` (e.g. a stored regression case).

        Raises:
            InputError: a field is missing or malformed.
        """
        try:
            return cls(
                str(d["scenario"]), str(d["goal"]), int(d["variant"]),
                [(str(k), str(v)) for t in d["turns"] for k, v in t.items()],
                dict(d["expect"]), str(d["caller"]), dict(d.get("prior") or {}),
                str(d.get("source", "template")), d.get("note"),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise InputError(f"a stored dialogue is malformed ({e!r}): {d!r}"[:300]) from None

    @property
    def caller_turns(self) -> list[str]:
        """What the caller says, in order: the conversation test."""
        return [t for who, t in self.turns if who == "user"]

    def as_dict(self) -> dict[str, Any]:
        """A YAML-ready mapping."""
        d = asdict(self)
        d["turns"] = [{who: text} for who, text in self.turns]
        return d
