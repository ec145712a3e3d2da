"""Care-call rules: which answers flag a person for human follow-up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scenarios.schema import Scenario

__all__ = ["UNKNOWN", "follow_up_reasons", "is_checkin"]

#: The value recorded for a question that stayed unanswered after the re-prompts.
UNKNOWN = "unknown"


def is_checkin(scenario: Scenario) -> bool:
    """The scenario is an outbound check-in whose answers are recorded (a care call)."""
    task = scenario.tasks.get(scenario.start_task) if scenario.start_task else None
    return task is not None and task.action == "record_carecall"


def follow_up_reasons(
    scenario: Scenario,
    answers: Mapping[str, Any],
    unintelligible: Sequence[str],
    complete: bool,
) -> list[str]:
    """Apply the scenario's flag rules to the answers of one call; return the reasons, in order."""
    reasons: list[str] = []
    for rule in scenario.flags:
        hit = False
        if rule.unintelligible and unintelligible:
            hit = True
        if rule.incomplete and not complete:
            hit = True
        if rule.slot and rule.slot in answers:
            value = answers[rule.slot]
            values = value if isinstance(value, list) else [value]
            hit = hit or any(v in rule.values for v in values)
        if hit and rule.reason not in reasons:
            reasons.append(rule.reason)
    return reasons
