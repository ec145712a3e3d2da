"""Every ``AICALL_*`` variable the README and docs/ name is read, and every setting is documented.

A documented variable that nothing reads is a setting users believe in and calls ignore (as
``AICALL_NLU_BACKEND`` once was): this test fails on one. What each variable changes is proved
by the tests named in :data:`EFFECT_TESTS`; this file checks that the list is complete and
that each variable reaches :class:`agent.config.Settings` (or the one place outside it that
reads it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: Variables read outside :class:`Settings`, and the file that reads each.
READ_ELSEWHERE = {
    "AICALL_NLU_ENCODER_PATH": "nlu/encoder_net.py",  # a model directory for the encoder
    "AICALL_CALLER_ID": "agent/cli/call.py",  # the --from option's environment variable
    "AICALL_BENCH_VERBOSE": "bench/voice_asr_window.py",  # benchmarks only
}

#: Each variable -> a test that fails when the variable stops changing what the docs say.
EFFECT_TESTS = {
    "AICALL_DATA_DIR": "tests/cli/test_chat.py (the SQLite file and bookings under it)",
    "AICALL_DATABASE_URL": "tests/store/test_db.py, tests/cli/test_calls_cli.py",
    "AICALL_SCENARIO_DIRS": "tests/cli/test_scenario_argument.py",
    "AICALL_TIMEZONE": "tests/cli/test_documented_settings.py::test_timezone_sets_the_clock",
    "AICALL_PUBLIC_URL": "tests/server/test_webhooks.py (signatures checked against it)",
    "AICALL_NLU_BACKEND": "tests/cli/test_nlu_backend_setting.py",
    "AICALL_NLU_RASA_URL": "tests/cli/test_nlu_backend_setting.py",
    "AICALL_NLU_RASA_TOKEN": "tests/cli/test_documented_settings.py::test_nlu_settings_reach_the_parser",
    "AICALL_NLU_ENGINE": "tests/cli/test_documented_settings.py::test_nlu_settings_reach_the_parser",
    "AICALL_NLU_MODEL_DIR": "tests/cli/test_documented_settings.py::test_nlu_settings_reach_the_parser",
    "AICALL_NLU_ENCODER_PATH": "tests/nlu_engine/test_encoder.py",
    "AICALL_REPLIES": "tests/nlg_rewrite/test_session.py",
    "AICALL_LLM": "tests/nlg_rewrite/test_session.py",
    "AICALL_LLM_URL": "tests/nlg_rewrite/test_session.py",
    "AICALL_LLM_MODEL": "tests/nlg_rewrite/test_session.py",
}


def documented() -> set[str]:
    """The ``AICALL_*`` names the README and docs/ mention (prefixes like ``AICALL_NLU_*`` aside)."""
    found: set[str] = set()
    for path in DOCS:
        for name in re.findall(r"AICALL_[A-Z0-9_]*", path.read_text(encoding="utf-8")):
            if not name.endswith("_"):  # a prefix ("AICALL_NLU_*"), not a variable
                found.add(name)
    return found


def settings_variables() -> dict[str, str]:
    """Environment variable -> :class:`Settings` field."""
    names: dict[str, str] = {}
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        if alias is None:
            names[f"AICALL_{field.upper()}"] = field
    return names


def test_every_documented_variable_is_read() -> None:
    names = documented()
    assert names, "no AICALL_ variable found in the docs: the pattern is wrong"
    unread = sorted(names - set(settings_variables()) - set(READ_ELSEWHERE))
    assert not unread, f"documented but read by nothing: {unread}"
    for name, path in READ_ELSEWHERE.items():
        assert name in (ROOT / path).read_text(encoding="utf-8"), (name, path)


def test_every_setting_is_documented() -> None:
    missing = sorted(set(settings_variables()) - documented())
    assert not missing, f"settings the README and docs/ never mention: {missing}"


@pytest.mark.parametrize("name", sorted(settings_variables()))
def test_each_variable_reaches_its_setting(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    field = settings_variables()[name]
    default = Settings.model_fields[field].get_default(call_default_factory=True)
    value = _other_value(field, default)
    monkeypatch.setenv(name, value)
    assert getattr(Settings(), field) != default, (name, value)


def _other_value(field: str, default: object) -> str:
    """A valid value of the field's environment variable that differs from its default."""
    special = {
        "replies": "llm",
        "llm": "openai",
        "nlu_backend": "rasa-http",
        "nlu_engine": "joint",
        "timezone": "America/New_York",
        "default_scenario": "restaurant-en",
        "number_scenarios": '{"+8225550100": "restaurant-ko"}',
        "asr_window_languages": '["en", "ko"]',
        "scenario_dirs": '["/tmp/scenarios"]',
        "asr_model": "tiny.en",
        "llm_threads": "2",
    }
    if field in special:
        return special[field]
    if isinstance(default, bool):
        return "0" if default else "1"
    if isinstance(default, int | float):
        return str(default + 1)
    if isinstance(default, Path) or field.endswith(("_dir", "_path")) or "model_" in field:
        return "/tmp/elsewhere"
    return "something-else"


def test_nlu_settings_reach_the_parser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from agent.runtime import AgentRuntime
    from nlu.base import NLUEngine, engine_class
    from nlu.engine import ScenarioNLU
    from nlu.rasa_http import RasaHTTPNLU
    from nlu.training import training_data_from_scenario
    from scenarios.loader import load_scenarios

    for key in [k for k in __import__("os").environ if k.startswith("AICALL_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AICALL_DATA_DIR", str(tmp_path))

    def parser() -> object:
        rt = AgentRuntime(Settings())
        try:
            return rt.nlu(rt.scenario("restaurant-en"))
        finally:
            rt.close()

    default = parser()
    assert isinstance(default, ScenarioNLU) and default._engine is not None
    assert default._engine.name == "classical"
    monkeypatch.setenv("AICALL_NLU_ENGINE", "")  # the first version: no trained engine
    first = parser()
    assert isinstance(first, ScenarioNLU) and first._engine is None

    sc = load_scenarios([])["restaurant-en"]
    model = engine_class("classical")().train(training_data_from_scenario(sc))
    model.save(tmp_path / "model")
    monkeypatch.setenv("AICALL_NLU_BACKEND", "classical")
    monkeypatch.setenv("AICALL_NLU_MODEL_DIR", str(tmp_path / "model"))
    loaded = parser()
    assert isinstance(loaded, NLUEngine) and loaded is not model

    monkeypatch.setenv("AICALL_NLU_BACKEND", "rasa-http")
    monkeypatch.setenv("AICALL_NLU_RASA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AICALL_NLU_RASA_TOKEN", "s3cret")
    rasa = parser()
    assert isinstance(rasa, RasaHTTPNLU)
    assert (rasa.url, rasa.token) == ("http://127.0.0.1:9", "s3cret")
    assert rasa.filler.slot_types["party_size"] == "count"  # the scenario's slots


def test_timezone_sets_the_clock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from agent.runtime import AgentRuntime

    monkeypatch.setenv("AICALL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AICALL_TIMEZONE", "Pacific/Kiritimati")  # UTC+14
    rt = AgentRuntime(Settings())
    try:
        carecall = rt.scenario("carecall-en")  # no venue: the setting's time zone
        now = rt._local_now(carecall)
        expected = datetime.now(ZoneInfo("Pacific/Kiritimati")).replace(tzinfo=None)
        assert abs(now - expected) < timedelta(minutes=1)
    finally:
        rt.close()
