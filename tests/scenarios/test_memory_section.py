"""The ``memory`` section of a scenario: mistakes named with file, line and field (ko and en)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.loader import SHIPPED_DIR, load_scenario
from tests.scenarios.test_loader import _broken, _error, _line

CARECALL = {"ko": SHIPPED_DIR / "carecall-ko.yaml", "en": SHIPPED_DIR / "carecall-en.yaml"}

# (what is wrong, text replaced, its replacement, the line the error points at, field, message)
CASES = [
    (
        "unknown follow-up slot",
        "    health_change:\n      about: health",
        "    health_changes:\n      about: health",
        "    health_changes:",
        "memory.follow_ups.health_changes",
        "unknown slot 'health_changes'",
    ),
    (
        "follow-up refers to an unknown slot",
        "      about: mood\n",
        "      about: feelings\n",
        "about: feelings",
        "memory.follow_ups.mood_change.about",
        "'feelings' is not a slot of task 'checkin'",
    ),
    (
        "refers back to an unknown value",
        "refer: {bad: recall_mood_bad}",
        "refer: {awful: recall_mood_bad}",
        "refer: {awful",
        "memory.follow_ups.mood_change.refer.awful",
        "unknown value 'awful' of 'mood'",
    ),
    (
        "refers back with a missing template",
        "refer: {bad: recall_mood_bad}",
        "refer: {bad: recall_mood_sad}",
        "recall_mood_sad",
        "memory.follow_ups.mood_change.refer.bad",
        "no template 'recall_mood_sad'",
    ),
    (
        "follow-up slot not asked by the check-in",
        "    slots: [identity, health_change, meal,",
        "    slots: [identity, meal,",
        "    health_change:",
        "memory.follow_ups.health_change",
        "'health_change' must be one of the slots of task 'checkin'",
    ),
    (
        "trend with an unknown value",
        "    mood: [good, so_so, bad]",
        "    mood: [good, so_so, awful]",
        "[good, so_so, awful]",
        "memory.trends.mood",
        "unknown value 'awful' of 'mood'",
    ),
    (
        "trend with a value twice",
        "    mood: [good, so_so, bad]",
        "    mood: [good, good, bad]",
        "[good, good, bad]",
        "memory.trends.mood",
        "listed twice",
    ),
    (
        "within_days below 1",
        "  within_days: 14",
        "  within_days: 0",
        "within_days: 0",
        "memory.within_days",
        "greater than or equal to 1",
    ),
    (
        "unknown field",
        "  within_days: 14\n",
        "  within_days: 14\n  remember: everything\n",
        "remember: everything",
        "memory.remember",
        "unknown field",
    ),
]


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize(
    ("old", "new", "at", "field", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_a_memory_mistake_names_file_line_and_field(
    tmp_path: Path, lang: str, old: str, new: str, at: str, field: str, message: str
) -> None:
    path, text = _broken(tmp_path, old, new, base=CARECALL[lang])
    err = _error(path)
    assert err.line == _line(text, at), str(err)
    assert (err.field, message in err.message) == (field, True), str(err)


def test_memory_needs_a_check_in(tmp_path: Path) -> None:
    path, text = _broken(
        tmp_path,
        "\ntemplates:\n",
        "\nmemory: {within_days: 3}\ntemplates:\n",
        base=SHIPPED_DIR / "restaurant-ko.yaml",
    )
    err = _error(path)
    assert (err.field, err.line) == ("memory", _line(text, "memory: {within_days"))
    assert "needs an outbound check-in" in err.message


def test_the_shipped_care_calls_remember_the_same_things() -> None:
    ko, en = (load_scenario(CARECALL[lang]) for lang in ("ko", "en"))
    assert ko.memory is not None and en.memory is not None
    assert ko.memory == en.memory
    assert ko.memory.follow_ups["health_change"].about == "health"
    assert set(ko.slots["health_change"].values) == {"better", "same", "worse"}
