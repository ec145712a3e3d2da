"""Memory between calls as pure functions: which earlier answer a call refers back to, trends,
and how long ago is said (Korean and English)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialogue.memory import PastCall, recalls, trend
from nlg.render import render_ago
from scenarios.loader import load_scenarios

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
SC = load_scenarios()


def _past(days: float, **answers: object) -> PastCall:
    return PastCall(f"c-{days}", NOW - timedelta(days=days), answers)


@pytest.mark.parametrize("scenario_id", ["carecall-ko", "carecall-en"])
def test_the_first_value_said_with_a_template_is_referred_back_to(scenario_id: str) -> None:
    sc = SC[scenario_id]
    found = recalls(sc, [_past(7, health=["none", "cough", "pain"], mood="good")], NOW)
    assert list(found) == ["health_change"]
    r = found["health_change"]
    assert (r.value, r.template, r.days_ago, r.call_id) == ("cough", "recall_cough", 7, "c-7")
    assert r.prompt_values() == {"days_ago": 7, "health": "cough"}


def test_the_latest_known_answer_counts_and_later_calls_are_ignored() -> None:
    sc = SC["carecall-ko"]
    past = [
        _past(10, mood="bad"),
        _past(3, mood="good"),  # the latest answer: good, nothing to refer back to
        _past(-1, mood="bad"),  # after now (a clock moved back): ignored
    ]
    assert recalls(sc, past, NOW) == {}
    assert (
        recalls(sc, [_past(10, mood="bad"), _past(3, mood="unknown")], NOW)["mood_change"].days_ago
        == 10
    )
    assert recalls(sc, [_past(14.5, mood="bad")], NOW) == {}  # within_days: 14
    assert recalls(SC["restaurant-ko"], [_past(1, mood="bad")], NOW) == {}  # no memory


def test_trend_ranks_a_list_by_its_worst_value_and_needs_a_window() -> None:
    order = ("better", "same", "worse")
    calls = [_past(21, c="worse"), _past(14, c="same"), _past(7, c=["better", "same"])]
    t = trend("c", order, calls)
    assert [p.value for p in t.points] == ["worse", "same", "same"]
    assert t.direction == "rising" and t.change == 0.5
    assert trend("c", order, calls[:1]).direction is None
    with pytest.raises(ValueError, match="at least 1"):
        trend("c", order, calls, window=0)
    with pytest.raises(ValueError, match="empty"):
        trend("c", (), calls)


@pytest.mark.parametrize(
    ("days", "ko", "en"),
    [
        (0, "아까", "earlier today"),
        (1, "어제", "yesterday"),
        (3, "며칠 전에", "a few days ago"),
        (7, "지난주에", "last week"),
        (14, "2주 전에", "two weeks ago"),
        (30, "지난번 통화 때", "last time we spoke"),
    ],
)
def test_how_long_ago_is_said(days: int, ko: str, en: str) -> None:
    assert (render_ago(days, "ko"), render_ago(days, "en")) == (ko, en)
