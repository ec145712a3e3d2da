"""A person's care-call history, flags that stay open until a staff member closes them, and the
memory and trends read from the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.store import Database, SqlCareCallRecorder
from agent.trends import all_trends, describe, person_trends
from common.errors import InputError
from dialogue.memory import recalls
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario

T0 = datetime(2026, 11, 4, 1, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


@pytest.fixture
def recorder(db: Database) -> SqlCareCallRecorder:
    return SqlCareCallRecorder(db)


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Scenario]:
    return load_scenarios()


def _call(
    recorder: SqlCareCallRecorder,
    n: int,
    answers: dict[str, object],
    *,
    person_id: str = "p-1",
    scenario: str = "carecall-ko",
    reasons: tuple[str, ...] = (),
) -> str:
    call_id = f"{person_id}-w{n}"
    recorder.link_call(
        call_id, person_id=person_id, person="김영희", scenario_id=scenario, called_at=T0 + n * WEEK
    )
    recorder.record_answers(call_id, scenario, "김영희", answers)
    if reasons:
        recorder.raise_flag(call_id, scenario, "김영희", list(reasons))
    return call_id


def test_history_in_order_with_flags_raised_and_closed(recorder: SqlCareCallRecorder) -> None:
    c0 = _call(recorder, 0, {"health": ["pain"], "mood": "bad"}, reasons=("symptom",))
    c1 = _call(recorder, 1, {"health_change": "worse", "health": ["pain"]}, reasons=("symptom",))
    recorder.raise_flag(c1, "carecall-ko", "김영희", ["getting_worse"])
    _call(recorder, 0, {"mood": "good"}, person_id="p-2")
    assert recorder.people() == ["p-1", "p-2"]

    open_flags = recorder.flags(person_id="p-1")
    assert [(f.call_id, f.reasons) for f in open_flags] == [
        (c0, ("symptom",)),
        (c1, ("symptom", "getting_worse")),
    ]
    closed = recorder.close_flag(open_flags[0].id, by="박복지", note="전화로 확인, 병원 예약함")
    assert (closed.open, closed.closed_by, closed.note) == (
        False,
        "박복지",
        "전화로 확인, 병원 예약함",
    )
    assert closed.closed_at is not None and closed.closed_at.tzinfo is not None
    # it stays closed; the other stays open until someone closes it
    assert [f.call_id for f in recorder.flags(person_id="p-1")] == [c1]
    with pytest.raises(InputError, match="closed already by 박복지"):
        recorder.close_flag(c0, by="someone else")

    history = recorder.history("p-1")
    assert [c.call_id for c in history] == [c0, c1]
    assert history[0].when == T0 and history[1].answers["health_change"] == "worse"
    assert history[0].flag is not None and [e.kind for e in history[0].flag.events] == [
        "raised",
        "closed",
    ]
    assert history[1].flag is not None and [
        (e.kind, e.reasons) for e in history[1].flag.events
    ] == [("raised", ("symptom",)), ("reasons_added", ("getting_worse",))]

    # raised again after closing: reopened, and the history says so
    recorder.raise_flag(c0, "carecall-ko", "김영희", ["symptom"])
    (again,) = [f for f in recorder.flags(person_id="p-1") if f.call_id == c0]
    assert again.open and again.closed_by is None
    assert [e.kind for e in again.events] == ["raised", "closed", "reopened"]
    everything = recorder.flags(open_only=False)
    assert len(everything) == 2 and all(f.person_id == "p-1" for f in everything)


def test_closing_needs_a_name_and_a_known_flag(recorder: SqlCareCallRecorder) -> None:
    c0 = _call(recorder, 0, {"meal": "skipped"}, reasons=("not_eating",))
    with pytest.raises(InputError, match="--by NAME"):
        recorder.close_flag(c0, by="  ")
    with pytest.raises(InputError, match="no follow-up flag 'nope'"):
        recorder.close_flag("nope", by="Kim")
    with pytest.raises(InputError, match="needs a person id"):
        recorder.link_call("x", person_id=" ", person="", scenario_id="s", called_at=T0)
    assert recorder.history("nobody") == []


def test_older_answers_without_a_link_are_found_by_name(recorder: SqlCareCallRecorder) -> None:
    recorder.record_answers("old-1", "carecall-ko", "박순자", {"mood": "bad"})
    (call,) = recorder.history("박순자")
    assert call.call_id == "old-1" and call.answers == {"mood": "bad"}


def test_memory_reads_the_last_recent_answer(
    recorder: SqlCareCallRecorder, scenarios: dict[str, Scenario]
) -> None:
    ko = scenarios["carecall-ko"]
    _call(recorder, 0, {"health": ["cough"], "mood": "bad"})
    _call(recorder, 1, {"health": ["unknown"], "mood": "so_so"})
    now = T0 + 2 * WEEK
    past = recorder.past_calls("p-1", before=now)
    assert [p.call_id for p in past] == ["p-1-w1", "p-1-w0"]
    found = recalls(ko, past, now)
    # health was not understood last week: the cough of two weeks ago is asked about
    assert found["health_change"].value == "cough" and found["health_change"].days_ago == 14
    assert "mood_change" not in found  # so-so last week: nothing to refer back to
    assert recalls(ko, past, now + timedelta(days=1)).keys() == set()  # older than 14 days


def test_trends_over_four_weekly_calls(
    recorder: SqlCareCallRecorder, scenarios: dict[str, Scenario]
) -> None:
    for n, (meal, mood) in enumerate(
        [("ate_well", "good"), ("ate_well", "good"), ("ate_little", "so_so"), ("ate_well", "bad")]
    ):
        _call(recorder, n, {"meal": meal, "mood": mood, "sleep": "unknown"})
    _call(recorder, 0, {"meal": "skipped", "mood": "bad"}, person_id="p-2", scenario="carecall-en")
    report = person_trends(recorder, scenarios, "p-1")
    assert report is not None and report.calls == 4
    meal, mood, sleep = report.trends["meal"], report.trends["mood"], report.trends["sleep"]
    assert (meal.counts["ate_well"], meal.answered, meal.direction) == (3, 4, "steady")
    assert [p.score for p in mood.points] == [1.0, 1.0, 0.5, 0.0]
    assert mood.direction == "falling" and mood.latest == "bad"
    assert sleep.answered == 0 and sleep.direction is None
    ko = scenarios["carecall-ko"]
    assert describe(meal, ko) == "meal: 최근 4번 중 3번 잘 드심, 마지막 대답: 잘 드심, 변화 없음"
    assert describe(mood, ko) == "mood: 최근 4번 중 2번 좋음, 마지막 대답: 좋지 않음, 나빠지는 중"
    assert describe(sleep, ko) == "sleep: 대답 없음"
    two = person_trends(recorder, scenarios, "p-1", window=2)
    assert two is not None and two.trends["mood"].counts == {"good": 0, "so_so": 1, "bad": 1}
    everyone = all_trends(recorder, scenarios)
    assert [r.person_id for r in everyone] == ["p-1", "p-2"]
    en = everyone[1]
    assert describe(en.trends["meal"], scenarios["carecall-en"]) == (
        "meal: ate well 0 of the last 1 calls, latest: skipped meals"
    )
    data = everyone[0].as_dict()
    assert data["trends"]["mood"]["points"][0]["when"] == T0.isoformat()
