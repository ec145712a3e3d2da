"""Every command that takes a scenario takes an id (shipped, ``AICALL_SCENARIO_DIRS``) or a file.

``aicall nlu parse --scenario`` once ignored ``AICALL_SCENARIO_DIRS`` and refused a file path
while ``chat`` and the authoring commands found the same scenario (issue #11). And an operator
building from descriptions alone can validate, load and call a scenario whose intent has a
description and no examples yet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.cli.conftest import Run

DATA = Path(__file__).parents[1] / "scenarios" / "data"
CLINIC_EN = DATA / "clinic-en.yaml"


@pytest.mark.parametrize("how", ["id from AICALL_SCENARIO_DIRS", "file path"])
def test_nlu_parse_finds_the_scenario_by_id_or_path(tmp_path: Path, how: str) -> None:
    env = {"AICALL_DATA_DIR": str(tmp_path), "AICALL_SCENARIO_DIRS": json.dumps([str(DATA)])}
    ref = "clinic-en"
    if how == "file path":
        env["AICALL_SCENARIO_DIRS"] = "[]"
        ref = str(CLINIC_EN)
    res = CliRunner().invoke(
        app,
        ["nlu", "parse", "--scenario", ref, "--today", "2026-11-25"],
        input="I'd like to see the therapist tomorrow\n",
        env=env,
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output.splitlines()[-1])
    assert out["domain"] == "clinic" and out["intent"] == "book"
    assert {"date", "seating"} <= {s["name"] for s in out["slots"]}


def test_an_unknown_scenario_lists_the_known_ones(tmp_path: Path) -> None:
    env = {"AICALL_DATA_DIR": str(tmp_path), "AICALL_SCENARIO_DIRS": json.dumps([str(DATA)])}
    res = CliRunner().invoke(app, ["nlu", "parse", "--scenario", "clinic-fr"], input="", env=env)
    assert res.exit_code != 0
    assert "unknown scenario 'clinic-fr'" in str(res.exception)
    assert "clinic-en" in str(res.exception) and "restaurant-ko" in str(res.exception)


def _description_only(tmp_path: Path) -> tuple[Path, int]:
    """The clinic line with a new intent that has a description and no examples yet."""
    text = CLINIC_EN.read_text(encoding="utf-8")
    new = (
        "  faq_insurance:\n    description: The caller asks whether their insurance is accepted.\n"
    )
    text = text.replace("  faq_hours:\n    description:", new + "  faq_hours:\n    description:")
    path = tmp_path / "clinic-en.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "faq_insurance:" in t)
    return path, line


def test_a_description_only_intent_warns_loads_and_the_call_works(
    tmp_path: Path, aicall: Run
) -> None:
    path, line = _description_only(tmp_path)

    done = aicall("scenario", "validate", str(path))
    assert done.returncode == 0, done.stderr
    assert f"{path}: ok (clinic-en, en, 11 intents)" in done.stdout
    (warning,) = done.stderr.strip().splitlines()
    assert warning.startswith(f"{path}:{line}: intents.faq_insurance: warning: no examples yet")

    done = aicall(
        "chat",
        "--scenario",
        str(path),
        "--now",
        "2026-11-25T10:00",
        stdin="what are your opening hours\nno thanks\n",
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "We are open Monday to Friday" in done.stdout
    assert "[call ended:" in done.stdout
