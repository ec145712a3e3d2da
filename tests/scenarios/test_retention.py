"""The ``retention`` section of a scenario: loaded, defaulted, and its mistakes named."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.errors import ScenarioError
from scenarios.loader import load_scenario

DATA = Path(__file__).resolve().parents[2] / "scenarios" / "data"
LINE = "retention: {transcripts_days: 90, recordings_days: 30}\n"


def _with(tmp_path: Path, retention: str) -> Path:
    text = (DATA / "restaurant-ko.yaml").read_text(encoding="utf-8")
    assert text.count(LINE) == 1
    path = tmp_path / "restaurant-ko.yaml"
    path.write_text(text.replace(LINE, retention), encoding="utf-8")
    return path


def test_shipped_scenarios_say_how_long_they_keep_calls() -> None:
    restaurant = load_scenario(DATA / "restaurant-en.yaml").retention
    assert (restaurant.transcripts_days, restaurant.recordings()) == (90, 30)
    care = load_scenario(DATA / "carecall-ko.yaml").retention
    assert (care.transcripts_days, care.recordings()) == (365, 30)


def test_without_a_section_everything_is_kept_and_recordings_follow_transcripts(
    tmp_path: Path,
) -> None:
    kept = load_scenario(_with(tmp_path, "")).retention
    assert (kept.transcripts_days, kept.recordings()) == (None, None)
    short = load_scenario(_with(tmp_path, "retention: {transcripts_days: 7}\n")).retention
    assert short.recordings() == 7


@pytest.mark.parametrize(
    ("retention", "field", "message"),
    [
        ("retention: {transcripts_days: 0}\n", "retention.transcripts_days", "greater than"),
        ("retention: {transcripts_days: ninety}\n", "retention.transcripts_days", "integer"),
        ("retention: {transcript_days: 90}\n", "retention.transcript_days", "unknown field"),
        (
            "retention: {transcripts_days: 30, recordings_days: 90}\n",
            "retention",
            "must not be longer than transcripts_days",
        ),
    ],
)
def test_a_wrong_retention_is_named_with_its_line(
    tmp_path: Path, retention: str, field: str, message: str
) -> None:
    path = _with(tmp_path, retention)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert err.field == field, str(err)
    assert message in err.message, str(err)
    assert err.line == path.read_text(encoding="utf-8").splitlines().index(retention.strip()) + 1
