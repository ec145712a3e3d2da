"""Care-call answers, follow-up flags and the results listing (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest

from agent.store import Database, SqlCareCallRecorder
from common.errors import InputError
from dialogue.ports import CareCallRecorder


@pytest.fixture
def recorder(db: Database) -> SqlCareCallRecorder:
    return SqlCareCallRecorder(db)


def test_recorder_satisfies_the_port(db: Database) -> None:
    port: CareCallRecorder = SqlCareCallRecorder(db)
    port.record_answers("c1", "care-ko", "박순자", {"meal": "yes"})
    port.raise_flag("c1", "care-ko", "박순자", ["pain"])


def test_answers_are_stored_and_replaced(recorder: SqlCareCallRecorder) -> None:
    recorder.record_answers("c1", "care-ko", "박순자", {"meal": "yes", "sleep": 3})
    recorder.record_answers("c1", "care-ko", "박순자", {"meal": "no", "sleep": 5, "mood": "좋아요"})
    (result,) = recorder.results()
    assert result.person == "박순자"
    assert result.answers == {"meal": "no", "sleep": 5, "mood": "좋아요"}
    assert (result.flagged, result.reasons) == (False, ())
    assert result.when.tzinfo is not None


def test_flags_merge_reasons_and_reopen(recorder: SqlCareCallRecorder) -> None:
    recorder.record_answers("c1", "care-ko", "p1", {"meal": "no"})
    recorder.raise_flag("c1", "care-ko", "p1", ["skipped meals", "pain"])
    recorder.raise_flag("c1", "care-ko", "p1", ["pain", "lonely"])
    (result,) = recorder.results()
    assert result.flagged
    assert result.reasons == ("skipped meals", "pain", "lonely")
    assert recorder.resolve_flag("c1") is True
    assert recorder.resolve_flag("c1") is False
    assert recorder.results()[0].flagged is False
    recorder.raise_flag("c1", "care-ko", "p1", ["pain"])
    assert recorder.results()[0].flagged is True


def test_flag_without_answers_is_listed(recorder: SqlCareCallRecorder) -> None:
    recorder.raise_flag("c9", "care-ko", "p9", ["did not answer twice"])
    (result,) = recorder.results()
    assert (result.call_id, result.person, result.answers) == ("c9", "p9", {})
    assert result.flagged


def test_results_filter_by_scenario_and_sort_by_time(recorder: SqlCareCallRecorder) -> None:
    recorder.record_answers("c1", "care-ko", "p1", {"q": 1})
    recorder.record_answers("c2", "survey-en", "p2", {"q": 2})
    recorder.raise_flag("c3", "care-ko", "p3", ["r"])
    assert [r.call_id for r in recorder.results()] == ["c1", "c2", "c3"]
    assert [r.call_id for r in recorder.results("care-ko")] == ["c1", "c3"]
    assert recorder.results("nothing") == []
    assert recorder.resolve_flag("c404") is False


def test_bad_input(recorder: SqlCareCallRecorder) -> None:
    with pytest.raises(InputError, match="JSON"):
        recorder.record_answers("c1", "s", "p", {"when": datetime(2030, 1, 1)})
    with pytest.raises(InputError, match="at least one reason"):
        recorder.raise_flag("c1", "s", "p", [])
    with pytest.raises(InputError, match="strings"):
        recorder.raise_flag("c1", "s", "p", "pain")
    assert recorder.results() == []
