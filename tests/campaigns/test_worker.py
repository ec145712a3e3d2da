"""``aicall campaign`` and ``aicall worker`` as real processes: the embedded queue (SQLite, no
server), the huey consumer placing the calls through a loopback stand-in of Twilio's API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from cli import main
from tests.telephony.twilio_api import ACCOUNT_SID, AUTH_TOKEN, twilio_stand_in

AICALL = Path(sys.executable).parent / "aicall"


def _env(tmp_path: Path, api_url: str) -> dict[str, str]:
    return {
        "AICALL_DATA_DIR": str(tmp_path / "data"),
        "AICALL_CLOCK": "fixed:2026-09-22T10:30:00+09:00",  # Tuesday, inside the window
        "AICALL_PUBLIC_URL": "https://agent.example.test",
        "AICALL_TWILIO_API_URL": api_url,
        "AICALL_CALLER_ID": "+15550100100",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }


@pytest.fixture
def aicall(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Callable[..., tuple[int, str, str]]:
    """``aicall(*args, env=...)`` in this process (as ``aicall`` runs: errors exit 2)."""
    for key in list(os.environ):
        if key.startswith(("AICALL_", "TWILIO_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)

    def run(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "argv", ["aicall", *args])
        capsys.readouterr()
        try:
            main.run()
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_the_worker_places_the_calls_of_a_started_campaign(
    tmp_path: Path, aicall: Callable[..., tuple[int, str, str]]
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "이름,전화번호\n김영희,010-1234-5678\nJohn Smith,+1 201 555 0123\n박철수,010-2222-3333\n",
        encoding="utf-8",
    )
    with twilio_stand_in() as api:
        env = _env(tmp_path, api.url)
        code, _out, err = aicall("campaign", "create", "gangnam", "--scenario", "carecall-ko",
                                 "--cap", "2", "--machine", "message", env=env)  # fmt: skip
        assert code == 0, err
        assert aicall("campaign", "import", "gangnam", str(people), env=env)[0] == 0
        code, out, err = aicall("campaign", "start", "gangnam", env=env)
        assert code == 0 and "started gangnam: 3 people" in out, err
        assert api.requests == []  # the CLI only enqueues: workers place calls
        worker = subprocess.Popen(  # the dispatcher: a real process on the same SQLite queue
            [str(AICALL), "worker", "--workers", "2"],
            env={**os.environ, **env},
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while len(api.requests) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(0.5)  # a third call would be over the cap of 2
        finally:
            worker.send_signal(signal.SIGTERM)  # huey: stop now
            try:
                _out, err = worker.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                _out, err = worker.communicate()
        assert len(api.requests) == 2, err[-2000:]
    for form in api.requests:
        assert form["From"] == ["+15550100100"]
        assert form["MachineDetection"] == ["DetectMessageEnd"]
        query = parse_qs(urlsplit(form["Url"][0]).query)
        assert query["scenario"] == ["carecall-ko"] and query["attempt"][0].isdigit()
    assert sorted(f["To"][0] for f in api.requests) == ["+12015550123", "+821012345678"]
    code, out, _err = aicall("campaign", "status", "gangnam", "--json", env=env)
    (row,) = json.loads(out)
    assert (row["active"], row["states"]) == (2, {"dialing": 2, "queued": 1})


def test_bad_input_is_one_clear_error_with_exit_status_2(
    tmp_path: Path, aicall: Callable[..., tuple[int, str, str]]
) -> None:
    env = _env(tmp_path, "http://127.0.0.1:9")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,phone\n김영희,010-1234-5678\n,010-2222-3333\n박철수,010-1234-5678\n")
    checks = [
        (("campaign", "create", "x", "--scenario", "nope"), "unknown scenario 'nope'"),
        (("campaign", "create", "Bad Name", "--scenario", "carecall-ko"), "campaign name"),
        (("campaign", "create", "x", "--scenario", "carecall-ko", "--window", "9-5"),
         "HH:MM-HH:MM"),
        (("campaign", "create", "x", "--scenario", "carecall-ko", "--retry", "later=1h"),
         "OUTCOME=DELAY"),
        (("campaign", "start", "ghost"), "no campaign 'ghost'"),
    ]  # fmt: skip
    for args, message in checks:
        code, _out, err = aicall(*args, env=env)
        assert code == 2, (args, err)
        assert message in err and "Traceback" not in err, (args, err)
        assert err.startswith("aicall: error:") and len(err.splitlines()) == 1
    assert aicall("campaign", "create", "x", "--scenario", "carecall-en", env=env)[0] == 0
    code, _out, err = aicall("campaign", "import", "x", str(bad), env=env)
    assert code == 2
    assert "2 bad row(s), nothing imported" in err.splitlines()[0]
    assert "row 3: name: missing name" in err and "row 4: phone" in err
    code, _out, err = aicall("campaign", "start", "x", env=env)
    assert code == 2 and "nobody to call" in err
