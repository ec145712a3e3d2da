"""Memory between care calls: what the next call refers back to, and trends per person.

A scenario's ``memory`` section (:class:`scenarios.schema.Memory`) names follow-up questions:
each refers back to an earlier answer ("{ago} 몸이 아프다고 하셨는데 좀 어떠세요?") when that
answer is recent enough, and records the reply in its own slot (better / same / worse). It also
orders category values from best to worst, so a person's answers over time become a series a
report or a chart can use ("ate well 3 of the last 4 calls", mood falling).

Pure functions over plain records: the storage layer reads the calls, the runtime passes the
recalls to the dialogue in :class:`dialogue.context.DialogueContext`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from dialogue.carecall import UNKNOWN
from scenarios.schema import Scenario

__all__ = [
    "DEFAULT_WINDOW",
    "PastCall",
    "Recall",
    "Trend",
    "TrendPoint",
    "recalls",
    "trend",
    "trends",
]

#: Calls a trend summarises by default ("3 of the last 4 calls").
DEFAULT_WINDOW = 4

#: A change of at least this much (scores run from 0, worst, to 1, best) over the window is a
#: rising or falling trend; less is steady.
_TURN = 0.5


@dataclass(frozen=True)
class PastCall:
    """One earlier care call of a person.

    Attributes:
        call_id: the call.
        when: when it took place (aware UTC).
        answers: its recorded answers (slot -> value; ``unknown`` for an unanswered one).
        scenario_id: the scenario it ran.
    """

    call_id: str
    when: datetime
    answers: Mapping[str, Any]
    scenario_id: str = ""


@dataclass(frozen=True)
class Recall:
    """A follow-up question this call asks, and the earlier answer it refers back to.

    Attributes:
        slot: the follow-up slot asked (its answer is recorded like any other).
        about: the slot of the earlier answer.
        value: the earlier answer referred back to.
        template: the template that asks the follow-up.
        call_id: the earlier call.
        when: when the earlier call took place (aware UTC).
        days_ago: whole days between the earlier call and this one.
    """

    slot: str
    about: str
    value: str
    template: str
    call_id: str
    when: datetime
    days_ago: int

    def prompt_values(self) -> dict[str, Any]:
        """The values the follow-up's template may say: ``{ago}`` and the earlier answer."""
        return {"days_ago": self.days_ago, self.about: self.value}

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form (stored with the new call)."""
        return {
            "about": self.about,
            "value": self.value,
            "call_id": self.call_id,
            "when": self.when.isoformat(),
            "days_ago": self.days_ago,
        }


def _known(value: Any) -> bool:
    return value is not None and value != UNKNOWN and value != [UNKNOWN] and value != []


def recalls(scenario: Scenario, past: Sequence[PastCall], now: datetime) -> dict[str, Recall]:
    """The follow-ups a new call to a person asks, by follow-up slot.

    For each follow-up the person's most recent call with a known answer to its ``about`` slot
    counts, if it took place at most ``memory.within_days`` days before ``now``; the first of
    its values (in the order said) with a ``refer`` template is referred back to.

    Args:
        scenario: the new call's scenario.
        past: the person's earlier calls (any order); calls at or after ``now`` are ignored.
        now: when the new call starts (aware).
    """
    memory = scenario.memory
    if memory is None:
        return {}
    earlier = sorted((c for c in past if c.when < now), key=lambda c: c.when, reverse=True)
    found: dict[str, Recall] = {}
    for slot, follow in memory.follow_ups.items():
        last = next((c for c in earlier if _known(c.answers.get(follow.about))), None)
        if last is None:
            continue
        age = now - last.when
        if age.total_seconds() > memory.within_days * 86400:
            continue
        said = last.answers[follow.about]
        for value in said if isinstance(said, list) else [said]:
            template = follow.refer.get(str(value))
            if template is not None:
                found[slot] = Recall(
                    slot=slot,
                    about=follow.about,
                    value=str(value),
                    template=template,
                    call_id=last.call_id,
                    when=last.when,
                    days_ago=max(0, round(age.total_seconds() / 86400)),
                )
                break
    return found


@dataclass(frozen=True)
class TrendPoint:
    """One call's answer in a series.

    Attributes:
        call_id: the call.
        when: when it took place (aware UTC).
        value: the answer (for a slot of several values, the worst one ranked); ``None``
            when unanswered or not ranked.
        score: 1.0 for the best value of the order down to 0.0 for the worst; ``None`` with
            no value.
    """

    call_id: str
    when: datetime
    value: str | None
    score: float | None


@dataclass(frozen=True)
class Trend:
    """A person's answers to one slot over time, and what they say.

    Attributes:
        slot: the slot.
        order: its values from best to worst.
        points: every call, oldest first.
        window: how many of the latest answered calls the summary covers.
        counts: value -> calls with it among the latest ``window`` answered calls.
        answered: answered calls in the window (at most ``window``).
        latest: the latest answer, if any.
        direction: ``rising`` / ``falling`` / ``steady`` over the window, ``None`` with fewer
            than two answers.
        change: the fitted change of the score across the window (negative: worse).
    """

    slot: str
    order: tuple[str, ...]
    points: tuple[TrendPoint, ...]
    window: int
    counts: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    latest: str | None = None
    direction: Literal["rising", "falling", "steady"] | None = None
    change: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form (for the console and ``--json``)."""
        return {
            "slot": self.slot,
            "order": list(self.order),
            "window": self.window,
            "counts": dict(self.counts),
            "answered": self.answered,
            "latest": self.latest,
            "direction": self.direction,
            "change": self.change,
            "points": [
                {
                    "call_id": p.call_id,
                    "when": p.when.isoformat(),
                    "value": p.value,
                    "score": p.score,
                }
                for p in self.points
            ],
        }


def _rank(order: Sequence[str], said: Any) -> str | None:
    """The value of ``said`` that ranks worst in ``order`` (a list: its worst member)."""
    values = said if isinstance(said, list) else [said]
    ranked = [str(v) for v in values if str(v) in order]
    if not ranked:
        return None
    return max(ranked, key=order.index)


def _slope(scores: Sequence[float]) -> float:
    n = len(scores)
    mean_x = (n - 1) / 2
    mean_y = sum(scores) / n
    var = sum((x - mean_x) ** 2 for x in range(n))
    cov = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(scores))
    return cov / var


def trend(
    slot: str, order: Sequence[str], calls: Sequence[PastCall], window: int = DEFAULT_WINDOW
) -> Trend:
    """One slot's series over a person's calls and its summary over the latest ``window``.

    The direction is the least-squares slope of the scores over the window's answered calls,
    times the steps it spans: at least +0.5 is rising, at most -0.5 falling (good, good,
    so-so, bad: falling; good, bad, good, good: steady).

    Raises:
        ValueError: ``window`` below 1 or an empty ``order``.
    """
    if window < 1:
        raise ValueError(f"a trend window is at least 1 call, not {window}")
    if not order:
        raise ValueError(f"the order of {slot!r} is empty")
    order = tuple(order)
    span = max(len(order) - 1, 1)
    points = []
    for call in sorted(calls, key=lambda c: (c.when, c.call_id)):
        if slot not in call.answers:
            continue
        value = _rank(order, call.answers[slot])
        score = None if value is None else (len(order) - 1 - order.index(value)) / span
        points.append(TrendPoint(call.call_id, call.when, value, score))
    recent = [p for p in points if p.value is not None][-window:]
    counts = {v: sum(1 for p in recent if p.value == v) for v in order}
    change: float | None = None
    direction: Literal["rising", "falling", "steady"] | None = None
    if len(recent) >= 2:
        scores = [p.score for p in recent if p.score is not None]
        change = round(_slope(scores) * (len(scores) - 1), 3)
        direction = "rising" if change >= _TURN else "falling" if change <= -_TURN else "steady"
    return Trend(
        slot=slot,
        order=order,
        points=tuple(points),
        window=window,
        counts=counts,
        answered=len(recent),
        latest=recent[-1].value if recent else None,
        direction=direction,
        change=change,
    )


def trends(
    scenario: Scenario, calls: Sequence[PastCall], window: int = DEFAULT_WINDOW
) -> dict[str, Trend]:
    """Every trend the scenario's ``memory.trends`` declares, over a person's calls."""
    if scenario.memory is None:
        return {}
    return {
        slot: trend(slot, order, calls, window) for slot, order in scenario.memory.trends.items()
    }
