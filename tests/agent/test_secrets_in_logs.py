"""No configured secret and no personal number reaches a log line or an error message.

A full text call runs with every logger at DEBUG (SQLAlchemy's statements and parameters
included) and secrets configured; then a database URL with a password that cannot be reached,
in-process and through the ``aicall`` command. Everything logged or printed is searched.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.store import Database
from common.errors import StoreUnavailableError
from common.logs import configure_logging

NOW = datetime(2026, 11, 25, 10, 0)
TWILIO_TOKEN = "tw-9f8e7d6c5b4a39281706"
API_KEY = "sk-live-5e4d3c2b1a0f9e8d"
SOFTPHONE = "softphone-7a6b5c4d3e2f"
RASA = "rasa-1f2e3d4c5b6a"
DB_PASSWORD = "pg-P4ssw0rd-q8"
DEAD_URL = f"postgresql+psycopg://aicall:{DB_PASSWORD}@127.0.0.1:9/aicall"
SECRETS = (TWILIO_TOKEN, API_KEY, SOFTPHONE, RASA, DB_PASSWORD)
PERSONAL = ("900101", "4111 1111", "9876-5432")
AICALL = Path(sys.executable).parent / "aicall"


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Every log record of the process, through the project's handler, at DEBUG."""
    buffer = io.StringIO()
    handler = configure_logging("DEBUG", stream=buffer)
    engine_log = logging.getLogger("sqlalchemy.engine")
    engine_log.setLevel(logging.INFO)  # statements and their parameters
    try:
        yield buffer
    finally:
        engine_log.setLevel(logging.NOTSET)
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        data_dir=tmp_path,
        scenario_dirs=[],
        twilio_auth_token=TWILIO_TOKEN,
        llm_api_key=API_KEY,
        softphone_token=SOFTPHONE,
        nlu_rasa_token=RASA,
        nlu_engine="",  # the first version: no training in the test
        **extra,
    )


def test_a_full_call_and_a_dead_database_log_no_secret(
    tmp_path: Path, logs: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'aicall.db'}")
    runtime = AgentRuntime(settings, clock=lambda _sc: NOW)
    try:
        session = runtime.new_call("restaurant-ko", caller="+821012345678")
        session.start()
        for said in (
            "예약하고 싶어요",
            "제 주민번호는 900101-1234567이고 카드번호는 4111 1111 1111 1111예요",
            "내일 저녁 7시에 4명이요",
            "방으로 될까요?",
            "김민수입니다",
            "남편 번호도 적어 주세요 010-9876-5432",
            "네",
            "아니요",
        ):
            session.user_text(said)
        session.close()
    finally:
        runtime.close()
    log = logging.getLogger("agent.test")
    log.info("twilio client ready (token %s, key %s)", TWILIO_TOKEN, API_KEY)
    log.info("softphone login %s; rasa %s", SOFTPHONE, RASA)

    dead = Settings(data_dir=tmp_path, scenario_dirs=[], database_url=DEAD_URL)
    assert dead.secret_values() == (DB_PASSWORD,)
    with pytest.raises(StoreUnavailableError) as failure:
        with Database(dead.resolved_database_url(), connect_timeout=2).transaction():
            pass
    log.error("store down: %s", failure.value)
    try:
        raise RuntimeError(f"could not reach {DEAD_URL}")
    except RuntimeError:
        log.exception("a bug carrying the URL")

    captured = capsys.readouterr()
    everything = logs.getvalue() + captured.out + captured.err + str(failure.value)
    assert "INSERT INTO call_events" in everything  # the run was logged, statements included
    assert "a bug carrying the URL" in everything and "Traceback" in everything
    for secret in (*SECRETS, *PERSONAL):
        assert secret not in everything, secret
    assert "[SECRET]" in everything and "aicall:***@127.0.0.1" in everything


def test_the_command_prints_no_password_of_an_unreachable_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICALL_")}
    env |= {
        "AICALL_DATA_DIR": str(tmp_path),
        "AICALL_DATABASE_URL": DEAD_URL,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "AICALL_LLM_API_KEY": API_KEY,
    }
    done = subprocess.run(
        [str(AICALL), "calls", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("aicall: error:"), done.stderr
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr, secret
