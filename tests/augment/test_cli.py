"""``aicall scenario augment|review|train|recommend|dialogues`` end to end, without an LLM."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring.candidates import CandidateStore
from cli.main import app

AICALL = Path(sys.executable).parent / "aicall"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for key in [k for k in os.environ if k.startswith("AICALL_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AICALL_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _ok(cli: CliRunner, *args: str, input: str | None = None) -> str:
    result = cli.invoke(app, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_augment_review_train(cli: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "c.yml"
    out = _ok(cli, "scenario", "augment", "restaurant-ko", "--llm", "none", "--n", "4",
              "--intent", "book", "--intent", "faq_parking", "--store", str(store))  # fmt: skip
    assert "new candidates" in out
    st = CandidateStore(store, "restaurant-ko")
    assert {c.intent for c in st} == {"book", "faq_parking"}
    pending = st.select(state="pending")
    assert pending and all(c.seed for c in pending)
    first, second = pending[0].id, pending[1].id
    _ok(cli, "scenario", "review", "restaurant-ko", "--store", str(store),
        "--accept", first, "--reject", second)  # fmt: skip
    out = _ok(
        cli, "scenario", "review", "restaurant-ko", "--store", str(store), "--list", "accepted"
    )
    assert first in out and "1 accepted" in out
    # interactive: accept, reject, skip, quit
    out = _ok(
        cli, "scenario", "review", "restaurant-ko", "--store", str(store), input="a\nr\ns\nq\n"
    )
    st = CandidateStore(store, "restaurant-ko")
    assert st.counts()["accepted"] == 2 and st.counts()["rejected"] >= 2
    _ok(cli, "scenario", "review", "restaurant-ko", "--store", str(store), "--accept-all-pending")
    assert CandidateStore(store, "restaurant-ko").counts()["pending"] == 0
    model = tmp_path / "model"
    out = _ok(cli, "scenario", "train", "restaurant-ko", "--store", str(store), "--out", str(model))
    assert "accepted" in out and "held-out restaurant-ko.yaml" in out
    assert (model / "meta.json").is_file()


def test_recommend_without_llm_gives_templates_and_branches(cli: CliRunner) -> None:
    out = _ok(cli, "scenario", "recommend", "restaurant-en", "--task", "book", "--llm", "none")
    assert "ask_date:  # request date" in out and "What date would you like to book?" in out
    assert "positive: caller gives date -> ask time" in out
    assert "negative: caller says no -> ask what_to_correct" in out


def test_dialogues_run_against_the_agent(cli: CliRunner, tmp_path: Path) -> None:
    goal = "a customer wants a table for 4 tomorrow at 7, asks for a room, then changes to 6 people"
    out = _ok(cli, "scenario", "dialogues", "restaurant-en", "--goal", goal, "--n", "2", "--run",
              "--llm", "none")  # fmt: skip
    assert out.count("PASS") == 2 and "2 passed, 0 failed" in out
    assert "no, make it 6 people" in out


def test_goal_that_cannot_be_understood_names_what_is_missing(cli: CliRunner) -> None:
    result = cli.invoke(
        app, ["scenario", "dialogues", "restaurant-ko", "--goal", "손님이 내일 예약한다"]
    )
    assert result.exit_code != 0
    assert "time" in str(result.exception) and "party_size" in str(result.exception)


def test_unreachable_llm_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICALL_")}
    env["AICALL_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [str(AICALL), "scenario", "augment", "restaurant-en", "--n", "2", "--intent", "book",
         "--llm", "openai", "--llm-url", "http://127.0.0.1:9/v1", "--llm-model", "x"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "aicall: error: the LLM is unavailable" in done.stderr
    assert "--llm none" in done.stderr and "Traceback" not in done.stderr


def test_regression_cases_are_run_again(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "regressions.yml").write_text(
        """
- scenario: restaurant-en
  goal: a table for 2 tomorrow at 7 pm
  variant: 0
  caller: '+15551234567'
  expect: {date: '2026-11-26', time: '19:00', party_size: 3}
  turns:
  - user: I'd like a table for 2 tomorrow at 7 pm
  - user: anywhere
  - user: my name is Alex Kim
  - user: 'yes'
  - user: no, that's all
""",
        encoding="utf-8",
    )
    args = [
        "scenario",
        "dialogues",
        "restaurant-en",
        "--regressions",
        "--store",
        str(tmp_path / "c.yml"),
    ]
    result = cli.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "FAIL: party_size: expected 3, the agent has 2" in result.output
    assert "0 passed, 1 failed" in result.output
