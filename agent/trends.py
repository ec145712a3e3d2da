"""Care-call trends per person, as data a console can plot and as sentences a report prints.

::

    recorder = SqlCareCallRecorder(db)
    report = person_trends(recorder, scenarios, "p-001")      # PersonTrends | None
    report.trends["mood"].direction                           # "falling"
    [p.score for p in report.trends["mood"].points]           # 1.0 best ... 0.0 worst
    all_trends(recorder, scenarios)                           # everyone with a linked call
    trends_json(...)                                          # the same as JSON

Each slot's order (best to worst) comes from the ``memory.trends`` of the scenario of the
person's latest call (:mod:`dialogue.memory`); a person whose scenario declares none has no trends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agent.store.carecall import SqlCareCallRecorder
from dialogue.memory import DEFAULT_WINDOW, Trend, trends
from scenarios.schema import Scenario

__all__ = ["PersonTrends", "all_trends", "describe", "person_trends"]


@dataclass(frozen=True)
class PersonTrends:
    """One person's trends.

    Attributes:
        person_id: the person's id; person: the name their latest call used.
        scenario_id: the scenario whose orders rank the answers (the latest call's).
        calls: care calls with answers.
        open_flags: follow-up flags still open.
        trends: slot -> its series and summary.
    """

    person_id: str
    person: str
    scenario_id: str
    calls: int
    open_flags: int
    trends: Mapping[str, Trend]

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form (for the console and ``aicall carecall trends --json``)."""
        return {
            "person_id": self.person_id,
            "person": self.person,
            "scenario_id": self.scenario_id,
            "calls": self.calls,
            "open_flags": self.open_flags,
            "trends": {slot: t.as_dict() for slot, t in self.trends.items()},
        }


def person_trends(
    recorder: SqlCareCallRecorder,
    scenarios: Mapping[str, Scenario],
    person_id: str,
    window: int = DEFAULT_WINDOW,
) -> PersonTrends | None:
    """A person's trends over every call with answers; ``None`` when they have none.

    Raises:
        ValueError: ``window`` below 1.
        StoreUnavailableError: the database failed.
    """
    if window < 1:
        raise ValueError(f"a trend window is at least 1 call, not {window}")
    every = recorder.history(person_id)
    history = [c for c in every if c.answers]
    if not history:
        return None
    latest = history[-1]
    scenario = scenarios.get(latest.scenario_id)
    past = [c.as_past() for c in history]
    return PersonTrends(
        person_id=person_id,
        person=latest.person,
        scenario_id=latest.scenario_id,
        calls=len(history),
        open_flags=sum(1 for c in every if c.flag and c.flag.open),
        trends=trends(scenario, past, window) if scenario is not None else {},
    )


def all_trends(
    recorder: SqlCareCallRecorder,
    scenarios: Mapping[str, Scenario],
    window: int = DEFAULT_WINDOW,
    people: Iterable[str] | None = None,
) -> list[PersonTrends]:
    """Trends of ``people`` (default: everyone with a linked care call), by person id."""
    ids = sorted(people) if people is not None else recorder.people()
    found = (person_trends(recorder, scenarios, p, window) for p in ids)
    return [t for t in found if t is not None]


_WORDS = {
    "ko": {
        "of": "최근 {n}번 중 {k}번 {label}",
        "latest": "마지막 대답: {label}",
        "rising": "좋아지는 중",
        "falling": "나빠지는 중",
        "steady": "변화 없음",
        "none": "대답 없음",
    },
    "en": {
        "of": "{label} {k} of the last {n} calls",
        "latest": "latest: {label}",
        "rising": "rising",
        "falling": "falling",
        "steady": "steady",
        "none": "no answers",
    },
}


def describe(trend: Trend, scenario: Scenario | None) -> str:
    """One trend as a sentence in the scenario's language.

    "meal: ate well 3 of the last 4 calls, latest: ate a little, steady" /
    "meal: 최근 4번 중 3번 잘 드심, 마지막 대답: 조금 드심, 변화 없음".
    """
    lang = scenario.language if scenario is not None else "en"
    words = _WORDS[lang]
    spec = scenario.slots.get(trend.slot) if scenario is not None else None

    def label(value: str) -> str:
        if spec is not None and value in spec.values:
            return spec.values[value].label
        return value

    if not trend.answered:
        return f"{trend.slot}: {words['none']}"
    best = trend.order[0]
    parts = [words["of"].format(n=trend.answered, k=trend.counts.get(best, 0), label=label(best))]
    if trend.latest is not None:
        parts.append(words["latest"].format(label=label(trend.latest)))
    if trend.direction is not None:
        parts.append(words[trend.direction])
    return f"{trend.slot}: " + ", ".join(parts)
