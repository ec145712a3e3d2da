"""Live calls use the model ``aicall scenario train`` saved, while it matches the scenario."""

from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.config import Settings
from agent.runtime import AgentRuntime
from authoring.candidates import Candidate, CandidateStore
from authoring.training import train_with_candidates
from cli.main import app
from nlu.base import NLUEngine
from nlu.config import scenario_parser
from nlu.live_models import STAMP_FILE, live_model_dir, save_live_model
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario

NOW = datetime(2026, 11, 25, 10, 0)
# phrasings the scenario's own examples do not cover, and what the author accepted for them
UNSEEN = {
    "restaurant-en": ("where do I put the car", ["where do I put the car", "where can I leave my car"]),
    "restaurant-ko": ("차는 어디에 두면 돼요", ["차는 어디에 두면 돼요", "차 세울 곳 있나요"]),
}  # fmt: skip
PARKING = {
    "restaurant-en": "free parking for two hours",
    "restaurant-ko": "2시간 무료 주차",
}


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Scenario]:
    return load_scenarios()


@pytest.fixture(scope="module")
def plain(scenarios: dict[str, Scenario]) -> dict[str, NLUEngine]:
    """Models trained on the scenarios alone, once for the module (saving them is cheap)."""
    return {sid: train_with_candidates(scenarios[sid], []) for sid in UNSEEN}


def _accepted(intent: str, texts: list[str]) -> list[Candidate]:
    return [Candidate(intent, t, "llm_paraphrase", "v1", state="accepted") for t in texts]


def _runtime(data_dir: Path, scenarios: dict[str, Scenario]) -> AgentRuntime:
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir}/a.db")
    return AgentRuntime(settings, clock=lambda _sc: NOW, scenarios=scenarios)


def _say(rt: AgentRuntime, sid: str, text: str) -> str:
    session = rt.new_call(sid, caller="+821012345678")
    session.start()
    reply = session.user_text(text)
    session.close()
    return reply.text


@pytest.mark.parametrize("sid", ["restaurant-en", "restaurant-ko"])
def test_accepted_candidates_change_what_a_live_call_understands(
    tmp_path: Path, scenarios: dict[str, Scenario], sid: str
) -> None:
    said, accepted = UNSEEN[sid]
    rt = _runtime(tmp_path / "before", scenarios)  # no trained model there
    try:
        before = _say(rt, sid, said)
        assert PARKING[sid] not in before  # trained from the scenario: not understood
        assert rt.nlu(scenarios[sid]).source == "scenario"
    finally:
        rt.close()

    model = train_with_candidates(scenarios[sid], _accepted("faq_parking", accepted))
    target = save_live_model(scenarios[sid], model, tmp_path / "models")
    assert target == live_model_dir(tmp_path / "models", sid, "classical")

    rt = _runtime(tmp_path, scenarios)  # loads the model (once per process), does not train
    try:
        assert rt.nlu(scenarios[sid]).source == str(target)
        assert PARKING[sid] in _say(rt, sid, said)
    finally:
        rt.close()


def test_the_model_is_loaded_once_per_process(
    tmp_path: Path, scenarios: dict[str, Scenario], plain: dict[str, NLUEngine]
) -> None:
    sc = scenarios["restaurant-en"]
    save_live_model(sc, plain[sc.id], tmp_path)
    first = scenario_parser(sc, models_dir=tmp_path)
    assert first is scenario_parser(sc, models_dir=tmp_path) and first.source != "scenario"
    # without a models directory, the scenario-trained NLU (shared, never the live one)
    assert scenario_parser(sc).source == "scenario"


def _stale_case(tmp_path: Path, sc: Scenario, model: NLUEngine, how: str) -> Scenario:
    target = save_live_model(sc, model, tmp_path)
    stamp_path = target / STAMP_FILE
    if how == "edited":
        return sc.model_copy(update={"templates": {**sc.templates, "bye": "Bye now."}})
    if how == "engine version":
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        stamp["engine_version"] = "classical/format-0/aicall-0.0.1"
        stamp_path.write_text(json.dumps(stamp), encoding="utf-8")
    elif how == "damaged":
        for f in target.iterdir():
            if f.suffix == ".pkl":
                f.write_bytes(b"not a pickle")
    elif how == "no stamp":
        stamp_path.unlink()
    return sc


@pytest.mark.parametrize(
    ("sid", "how", "why"),
    [
        ("restaurant-ko", "edited", "the scenario was edited since it was trained"),
        ("restaurant-en", "engine version", "trained by 'classical/format-0/aicall-0.0.1'"),
        ("restaurant-en", "damaged", "unreadable model"),
        ("restaurant-ko", "no stamp", "no readable stamp"),
    ],
)
def test_a_stale_model_is_ignored_with_a_warning(
    tmp_path: Path,
    scenarios: dict[str, Scenario],
    plain: dict[str, NLUEngine],
    caplog: pytest.LogCaptureFixture,
    sid: str,
    how: str,
    why: str,
) -> None:
    sc = _stale_case(tmp_path / how.replace(" ", "-"), scenarios[sid], plain[sid], how)
    with caplog.at_level(logging.WARNING, logger="nlu.live_models"):
        nlu = scenario_parser(sc, models_dir=tmp_path / how.replace(" ", "-"))
    assert nlu.source == "scenario"  # trained from the scenario instead
    (record,) = [r for r in caplog.records if r.name == "nlu.live_models"]
    message = record.getMessage()
    assert why in message and STAMP_FILE in message and sid in message
    # and it still understands: the fallback is a working model
    assert nlu.parse("예약하고 싶어요" if sid.endswith("ko") else "I'd like to book a table",
                     today=date(2026, 11, 25)).intent == "book"  # fmt: skip


def test_train_command_says_where_and_that_live_calls_use_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in os.environ if k.startswith("AICALL_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AICALL_DATA_DIR", str(tmp_path / "data"))
    store = tmp_path / "data" / "authoring" / "restaurant-en" / "candidates.yml"
    st = CandidateStore(store, "restaurant-en")
    st.add(_accepted("faq_parking", UNSEEN["restaurant-en"][1]))
    st.save()
    result = CliRunner().invoke(app, ["scenario", "train", "restaurant-en", "--heldout", "none"])
    assert result.exit_code == 0, result.output
    target = tmp_path / "data" / "models" / "restaurant-en" / "classical"
    assert f"saved classical model to {target}" in result.output
    assert "live calls of restaurant-en will use it" in result.output
    stamp = json.loads((target / STAMP_FILE).read_text(encoding="utf-8"))
    assert stamp["scenario"] == "restaurant-en" and stamp["accepted_candidates"] == 2

    out = CliRunner().invoke(
        app, ["scenario", "train", "restaurant-en", "--out", str(tmp_path / "elsewhere"),
              "--heldout", "none"],
    )  # fmt: skip
    assert out.exit_code == 0 and "live calls do not use it" in out.output
    assert not (tmp_path / "elsewhere" / STAMP_FILE).exists()
