"""The console's authoring services on the real candidate store, real training and a goal run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authoring.candidates import CandidateStore, store_path
from authoring.goals import GoalError
from cli.main import app as cli_app
from common.errors import InputError
from console import authoring_service as svc
from console.jobs import JobRegistry, load_run
from scenarios.loader import load_scenario, shipped_scenario_paths

pytestmark = pytest.mark.timeout(120)


def _shipped(sid: str) -> Path:
    return next(p for p in shipped_scenario_paths() if p.stem == sid)


@pytest.fixture(scope="module")
def restaurant():
    return load_scenario(_shipped("restaurant-en"))


def test_generate_review_and_the_cli_sees_it(
    tmp_path: Path, restaurant, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    out = svc.generate_candidates(data, restaurant, "faq_parking", method="deterministic", n=8)
    assert out["added"] > 0 and out["pending"] > 0
    pending = svc.list_candidates(data, restaurant.id, state="pending", intent="faq_parking")
    assert {c.intent for c in pending} == {"faq_parking"}
    assert all(c.seed for c in pending)  # provenance: the example it was made from
    gens = {c.generator for c in pending}
    only = svc.list_candidates(data, restaurant.id, generator=sorted(gens)[0])
    assert only and {c.generator for c in only} == {sorted(gens)[0]}

    first, second, third = pending[0].id, pending[1].id, pending[2].id
    svc.decide(data, restaurant.id, [first, second], "accepted")
    svc.decide(data, restaurant.id, [third], "rejected")
    edited = svc.edit_candidate(data, restaurant, pending[3].id, "is there any parking nearby")
    assert edited.state == "accepted" and edited.generator == pending[3].generator
    st = CandidateStore(store_path(data, restaurant.id), restaurant.id)
    assert st.get(pending[3].id).reason == f"edited:{edited.id}"  # type: ignore[union-attr]

    # the CLI reads the same file: `aicall scenario review --list accepted`
    for key in [k for k in os.environ if k.startswith("AICALL_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AICALL_DATA_DIR", str(data))
    result = CliRunner().invoke(
        cli_app, ["scenario", "review", "restaurant-en", "--list", "all"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line[:1].isalnum()}
    assert "accepted" in lines[first] and "accepted" in lines[second]
    assert "rejected" in lines[third] and "accepted" in lines[edited.id]
    # and the console sees the CLI's decisions
    result = CliRunner().invoke(
        cli_app, ["scenario", "review", "restaurant-en", "--reject-all-pending"]
    )
    assert result.exit_code == 0, result.output
    assert svc.list_candidates(data, restaurant.id, state="pending") == []


def test_bad_input_is_refused_with_a_reason(tmp_path: Path, restaurant) -> None:
    data = tmp_path / "data"
    with pytest.raises(InputError, match="unknown intent"):
        svc.generate_candidates(data, restaurant, "nope", method="deterministic")
    with pytest.raises(InputError, match="needs the LLM"):
        svc.generate_candidates(data, restaurant, "book", method="llm_zero_shot")
    with pytest.raises(InputError, match="method"):
        svc.generate_candidates(data, restaurant, "book", method="magic")
    svc.generate_candidates(data, restaurant, "book", method="deterministic", n=3)
    cid = svc.list_candidates(data, restaurant.id)[0].id
    with pytest.raises(InputError, match="unknown slot"):
        svc.edit_candidate(data, restaurant, cid, "a table for [4](guests)")
    with pytest.raises(InputError, match="no candidate"):
        svc.decide(data, restaurant.id, [cid, "ffffffffff"], "accepted")
    # nothing changed by the refused bulk decision
    assert svc.list_candidates(data, restaurant.id, state="accepted") == []
    with pytest.raises(InputError, match="type a sentence"):
        svc.parse_sentence(data, restaurant, "   ")
    with pytest.raises(GoalError):
        svc.run_goals(data, restaurant, "   ")


def test_train_report_before_after_and_try(tmp_path: Path, restaurant) -> None:
    data = tmp_path / "data"
    jobs = JobRegistry(data)
    try:
        first = jobs.submit(
            1, restaurant.id, "train", lambda p: svc.train_nlu(data, restaurant, progress=p)
        )
        assert jobs.get(2, first.run_id) is None  # another organisation does not see it
        done = jobs.wait(1, first.run_id)
        assert done is not None and done.state == "done", done and done.error
        svc.generate_candidates(data, restaurant, "faq_parking", method="deterministic", n=6)
        ids = [c.id for c in svc.list_candidates(data, restaurant.id, state="pending")]
        svc.decide(data, restaurant.id, ids, "accepted")
        second = jobs.submit(
            1, restaurant.id, "train", lambda p: svc.train_nlu(data, restaurant, progress=p)
        )
        assert (jobs.wait(1, second.run_id) or first).state == "done"
    finally:
        jobs.close()
    runs = svc.training_runs(data, restaurant.id)
    assert [r["run_id"] for r in runs] == [second.run_id, first.run_id]
    rep = runs[0]["result"]
    assert rep["accepted"] == len(ids) and runs[1]["result"]["accepted"] == 0
    assert rep["evaluation"]["kind"] == "heldout"  # the shipped held-out file
    report = rep["report"]
    labels, matrix = report["labels"], report["matrix"]
    assert len(matrix) == len(labels) and all(len(row) == len(labels) for row in matrix)
    assert sum(map(sum, matrix)) == report["n"] == rep["evaluation"]["n"]
    assert 0 <= report["slot_micro"]["f1"] <= 1
    assert (data / "models" / restaurant.id / "classical" / "scenario.json").is_file()
    assert load_run(data, restaurant.id, first.run_id)["kind"] == "train"  # type: ignore[index]
    assert load_run(data, restaurant.id, "../x") is None

    out = svc.parse_sentence(data, restaurant, "I'd like a table for 4 tomorrow at 7 pm")
    assert out["model"] == "live model"
    assert out["intent"] in restaurant.intents and 0 <= out["confidence"] <= 1
    assert {s["name"] for s in out["slots"]} & {"party_size", "date", "time"}


def test_split_report_without_a_heldout_file(tmp_path: Path) -> None:
    sc = load_scenario(Path(__file__).parents[2] / "scenarios" / "starters" / "booking-en.yaml")
    out = svc.train_nlu(tmp_path, sc)
    assert out["evaluation"]["kind"] == "split" and out["evaluation"]["n"] > 0
    assert set(out["report"]["intent_accuracy_per_intent"]) <= set(sc.intents) | {"out_of_scope"}


def test_goal_run_pass_fail_and_rerun(tmp_path: Path, restaurant) -> None:
    data = tmp_path / "data"
    out = svc.run_goals(data, restaurant, "a customer wants a table for 4 tomorrow at 7 pm", n=2)
    assert out["passed"] + out["failed"] == 2
    for r in out["results"]:
        assert r["transcript"][0].startswith("agent>") and isinstance(r["passed"], bool)
    assert svc.regression_count(data, restaurant.id) == out["failed"]
    # a script that must fail: it expects a party size the caller never says
    bad = {
        "scenario": restaurant.id, "goal": "forced failure", "variant": 0,
        "turns": [{"agent": "hi"}, {"user": "hello"}], "expect": {"party_size": 99},
        "caller": "+15551234567",
    }  # fmt: skip
    path = store_path(data, restaurant.id).parent / "regressions.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([bad]), encoding="utf-8")
    again = svc.rerun_regressions(data, restaurant)
    assert again["failed"] == 1 and again["results"][0]["problems"]


def test_recommendations_list_points_and_branches(tmp_path: Path, restaurant) -> None:
    task = next(iter(restaurant.tasks))
    out = svc.recommendations(tmp_path, restaurant, task)
    assert out["points"] and all(p["branches"] for p in out["points"])
    first = out["points"][0]
    assert first["say"][0]["source"] == "template" and first["say"][0]["text"] == first["template"]
    with pytest.raises(InputError, match="no task"):
        svc.recommendations(tmp_path, restaurant, "nope")
