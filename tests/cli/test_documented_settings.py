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
    "AICALL_CALLER_ID": "cli/call.py",  # the --from option's environment variable
    "AICALL_BENCH_VERBOSE": "bench/voice_asr_window.py",  # benchmarks only
    "AICALL_KOSPEECH_DIR": "bench/voice_asr_kospeech.py",  # benchmarks only: the Korean dev set
    "AICALL_SGD_DIR": "bench/booking_sgd.py",  # benchmarks only: where the SGD data is
    "AICALL_BENCH_PEER": "bench/voice_latency.py",  # benchmarks only: the peer bot
    "AICALL_CONSOLE_SHOTS": "tests/console/support.py",  # console tests: PNGs into docs/console
}

#: Each variable -> a test that fails when the variable stops changing what the docs say
#: (``path::test_name``). Tests that build :class:`Settings` with keyword arguments rely on
#: :func:`test_each_variable_reaches_its_setting` for the environment-to-field step.
EFFECT_TESTS = {
    "AICALL_DATA_DIR": "tests/settings/test_storage_settings.py::test_data_dir_holds_the_sqlite_file_and_the_models",
    "AICALL_DATABASE_URL": "tests/settings/test_storage_settings.py::test_database_url_is_where_calls_are_stored_and_listed",
    "AICALL_SCENARIO_DIRS": "tests/cli/test_scenario_argument.py::test_nlu_parse_finds_the_scenario_by_id_or_path",
    "AICALL_TIMEZONE": "tests/cli/test_documented_settings.py::test_timezone_sets_the_clock",
    "AICALL_PUBLIC_URL": "tests/settings/test_server_settings.py::test_public_url_is_what_signatures_and_the_stream_url_use",
    "AICALL_DEFAULT_SCENARIO": "tests/settings/test_server_settings.py::test_number_scenarios_then_default_scenario_choose_the_scenario",
    "AICALL_NUMBER_SCENARIOS": "tests/settings/test_server_settings.py::test_number_scenarios_then_default_scenario_choose_the_scenario",
    "AICALL_STREAM_TOKEN_TTL": "tests/settings/test_server_settings.py::test_stream_token_ttl_is_the_lifetime_of_the_twiml_token",
    "AICALL_SOFTPHONE": "tests/settings/test_server_settings.py::test_softphone_serves_the_page_only_when_on",
    "AICALL_SOFTPHONE_TOKEN": "tests/settings/test_limits_settings.py::test_softphone_token_is_the_login_off_loopback",
    "AICALL_MAX_CALLS": "tests/settings/test_limits_settings.py::test_max_calls_answers_busy_beyond_the_calls_in_progress",
    "AICALL_WEBHOOK_RATE_LIMIT": "tests/settings/test_limits_settings.py::test_webhook_rate_limit_is_per_source_address",
    "AICALL_LOG_FORMAT": "tests/settings/test_limits_settings.py::test_log_format_json_writes_one_object_per_line",
    "AICALL_MAX_CALL_SECONDS": "tests/settings/test_server_settings.py::test_max_call_seconds_ends_a_live_call",
    "AICALL_SILENCE_REPROMPT_SECONDS": "tests/voice/test_calls.py::test_dialogue_failure_is_an_apology_and_silence_a_reprompt",
    "AICALL_RECORD_CALLS": "tests/voice/test_calls.py::test_dialogue_failure_is_an_apology_and_silence_a_reprompt",
    "AICALL_ASR_MODEL": "tests/settings/test_voice_settings.py::test_asr_model_and_threads_are_what_calls_load",
    "AICALL_ASR_THREADS": "tests/settings/test_voice_settings.py::test_asr_model_and_threads_are_what_calls_load",
    "AICALL_ASR_MODEL_EN": "tests/settings/test_voice_settings.py::test_asr_model_en_is_the_english_calls_model",
    "AICALL_ASR_WINDOW_LANGUAGES": "tests/voice/test_whisper_window.py::test_the_window_follows_the_settings",
    "AICALL_ENDPOINTING": "tests/voice/test_end_of_turn.py::test_silence_mode_splits_the_same_turn",
    "AICALL_BENCH_PEER": "tests/voice/test_latency_bench.py::test_the_peer_is_chosen_by_option_then_environment",
    "AICALL_ASR_CHECKED_LANGUAGES": "tests/voice/test_korean_window.py::test_the_checked_languages_follow_the_settings",
    "AICALL_TTS_COQUI_MODEL_EN": "tests/voice/test_tts.py::test_a_configured_coqui_model_replaces_that_languages_voice",
    "AICALL_TTS_COQUI_MODEL_KO": "tests/voice/test_tts.py::test_a_configured_coqui_model_replaces_that_languages_voice",
    "AICALL_CALLER_ID": "tests/settings/test_cli_settings.py::test_caller_id_is_the_from_number_twilio_receives",
    "AICALL_LLM_ADAPTER": "tests/settings/test_llm_settings.py::test_llm_adapter_is_the_lora_the_local_replies_load",
    "AICALL_NLU_BACKEND": "tests/cli/test_nlu_backend_setting.py::test_chat_asks_the_rasa_server_and_books",
    "AICALL_NLU_RASA_URL": "tests/cli/test_nlu_backend_setting.py::test_chat_asks_the_rasa_server_and_books",
    "AICALL_NLU_RASA_TOKEN": "tests/cli/test_documented_settings.py::test_nlu_settings_reach_the_parser",
    "AICALL_NLU_RASA_TIMEOUT": "tests/settings/test_cli_settings.py::test_nlu_rasa_timeout_bounds_each_request",
    "AICALL_NLU_ENGINE": "tests/cli/test_documented_settings.py::test_nlu_settings_reach_the_parser",
    "AICALL_NLU_MODEL_DIR": "tests/cli/test_documented_settings.py::test_nlu_settings_reach_the_parser",
    "AICALL_NLU_ENCODER_PATH": "tests/nlu_engine/test_encoder.py::test_missing_encoder_is_a_clear_error",
    "AICALL_REPLIES": "tests/nlg_rewrite/test_session.py::test_an_unreachable_llm_set_by_the_environment_never_stops_the_call",
    "AICALL_LLM": "tests/settings/test_llm_settings.py::test_the_url_model_and_api_key_are_what_the_endpoint_receives",
    "AICALL_LLM_URL": "tests/settings/test_llm_settings.py::test_the_url_model_and_api_key_are_what_the_endpoint_receives",
    "AICALL_LLM_MODEL": "tests/settings/test_llm_settings.py::test_the_url_model_and_api_key_are_what_the_endpoint_receives",
    "AICALL_LLM_API_KEY": "tests/settings/test_llm_settings.py::test_the_url_model_and_api_key_are_what_the_endpoint_receives",
    "AICALL_LLM_MODEL_PATH": "tests/settings/test_llm_settings.py::test_llm_model_path_and_threads_are_what_llama_cpp_loads",
    "AICALL_LLM_THREADS": "tests/settings/test_llm_settings.py::test_llm_model_path_and_threads_are_what_llama_cpp_loads",
    "AICALL_LLM_FIRST_TOKEN_MS": "tests/settings/test_llm_settings.py::test_llm_first_token_ms_is_the_first_token_budget",
    "AICALL_LLM_REPLY_MS": "tests/settings/test_llm_settings.py::test_llm_reply_ms_is_the_whole_reply_budget",
    "AICALL_QUEUE_URL": "tests/settings/test_campaign_settings.py::test_queue_url_is_where_dispatch_tasks_go",
    "AICALL_TWILIO_API_URL": "tests/settings/test_campaign_settings.py::test_twilio_api_url_is_where_calls_are_placed",
    "AICALL_SGD_DIR": "tests/scenarios/test_booking_sgd_reader.py::test_sgd_dir_is_where_the_bench_reads_the_dialogues",
    "AICALL_KOSPEECH_DIR": "tests/voice/test_kospeech_reader.py::test_kospeech_dir_is_where_the_bench_reads_the_dev_set",
    "AICALL_STREAM_SECRET": "tests/scale/test_tokens_across_servers.py::test_the_secret_comes_from_the_setting_or_the_twilio_auth_token",
    "AICALL_WARM_SCENARIOS": "tests/settings/test_server_settings.py::test_warm_scenarios_are_the_nlus_prepared_before_answering",
    "AICALL_LOOP_WATCHDOG_SECONDS": "tests/server/test_watchdog.py::test_the_server_runs_the_watchdog_while_it_serves",
    "AICALL_CLOCK": "tests/settings/test_campaign_settings.py::test_clock_is_what_campaigns_decide_by",
    "AICALL_CONSOLE_ADMIN_PASSWORD": "tests/console/test_auth.py::test_the_admin_password_setting_is_the_first_admins_password",
    "AICALL_CONSOLE_SHOTS": "tests/console/test_shots.py::test_console_shots_go_to_the_docs_only_when_asked",
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


def test_every_documented_variable_has_an_effect_test() -> None:
    assert set(EFFECT_TESTS) == documented(), (
        f"without an effect test: {sorted(documented() - set(EFFECT_TESTS))}; "
        f"no longer documented: {sorted(set(EFFECT_TESTS) - documented())}"
    )
    for name, ref in EFFECT_TESTS.items():
        path, sep, test = ref.partition("::")
        assert sep and test.startswith("test_"), (name, ref)
        file = ROOT / path
        assert file.is_file(), (name, ref)
        assert re.search(rf"^def {test}\(", file.read_text(encoding="utf-8"), re.M), (name, ref)


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
        "asr_window_languages": '["en"]',
        "asr_checked_languages": '["en", "ko"]',
        "scenario_dirs": '["/tmp/scenarios"]',
        "asr_model": "tiny.en",
        "llm_threads": "2",
        "log_format": "json",
        "endpointing": "silence",
        "warm_scenarios": '["restaurant-en"]',
        "stream_secret": "a-shared-secret-of-20-chars",
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
    from nlu.rasa_http import RasaHTTPNLU
    from nlu.rules import RulesNLU
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
    assert isinstance(default, NLUEngine) and default.name == "classical"
    monkeypatch.setenv("AICALL_NLU_ENGINE", "")  # the first version: no trained engine
    first = parser()
    assert isinstance(first, RulesNLU)

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
