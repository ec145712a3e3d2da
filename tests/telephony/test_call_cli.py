"""``aicall call``: one call or a list, against the loopback Calls API stand-in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import typer
from typer.testing import CliRunner

from cli.call import load_call_list, register
from common.errors import InputError, NotConfiguredError
from tests.telephony.twilio_api import ACCOUNT_SID, AUTH_TOKEN, INVALID_TO, twilio_stand_in

PUBLIC = "https://agent.example.test"
FROM = "+15550100100"


@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Invoke ``aicall call ...`` in-process with Twilio settings in the environment."""
    for key in list(os.environ):
        if key.startswith(("AICALL_", "TWILIO_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AICALL_DATA_DIR", str(tmp_path / "data"))
    app = typer.Typer()
    register(app)
    app.command("unused", hidden=True)(lambda: None)  # keep "call" a subcommand
    env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "AICALL_PUBLIC_URL": PUBLIC,
    }

    def run(*args: str, **overrides: str | None):
        merged = {**env, **overrides}
        for key, value in merged.items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, value)
        return CliRunner().invoke(app, ["call", *args])

    return run


def _people(api) -> list[tuple[str, str | None, str]]:
    out = []
    for form in api.requests:
        query = parse_qs(urlsplit(form["Url"][0]).query)
        out.append((form["To"][0], query.get("person", [None])[0], query["scenario"][0]))
    return out


def test_one_korean_care_call(cli) -> None:
    with twilio_stand_in() as api:
        r = cli(
            "--to", "+821012345678", "--scenario", "carecall-ko", "--person", "박순자",
            "--from", FROM, "--api-url", api.url, "--json",
        )  # fmt: skip
    assert r.exit_code == 0, r.output
    placed = json.loads(r.stdout)
    assert placed["sid"].startswith("CA") and placed["status"] == "queued"
    assert (placed["to"], placed["person"], placed["from"]) == ("+821012345678", "박순자", FROM)
    assert _people(api) == [("+821012345678", "박순자", "carecall-ko")]


def test_a_csv_list_with_korean_and_english_people(cli, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "전화번호,이름,scenario\n"
        "+821011112222,박순자,\n"
        "+82 10 3333 4444,김철수,\n"
        "+15550100200,Margaret Brown,carecall-en\n",
        encoding="utf-8",
    )
    with twilio_stand_in() as api:
        r = cli(
            "--list", str(people), "--scenario", "carecall-ko", "--interval", "0",
            "--api-url", api.url,
            AICALL_CALLER_ID=FROM,
        )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert len(r.stdout.splitlines()) == 3 and "(박순자)" in r.stdout
    assert _people(api) == [
        ("+821011112222", "박순자", "carecall-ko"),
        ("+821033334444", "김철수", "carecall-ko"),
        ("+15550100200", "Margaret Brown", "carecall-en"),
    ]


def test_one_refused_number_of_a_list_does_not_stop_the_others(cli, tmp_path: Path) -> None:
    people = tmp_path / "people.yaml"
    people.write_text(
        f"- {{to: '{INVALID_TO}', person: Ann Lee}}\n- {{to: '+15550100201', person: Bo Kim}}\n",
        encoding="utf-8",
    )
    with twilio_stand_in() as api:
        r = cli(
            "--list", str(people), "--scenario", "carecall-en", "--from", FROM,
            "--interval", "0", "--api-url", api.url, "--json",
        )  # fmt: skip
    assert r.exit_code == 1
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["status"] for row in rows] == ["not_placed", "queued"]
    assert "21211" in rows[0]["error"]
    assert _people(api) == [("+15550100201", "Bo Kim", "carecall-en")]


def test_bad_rows_place_no_call_and_are_named_by_line(cli, tmp_path: Path) -> None:
    people = tmp_path / "people.yaml"
    people.write_text(
        "- {to: '+821011112222', person: 박순자}\n"
        "- {to: '010-1234', person: 김철수}\n"
        "- {person: 이영희}\n",
        encoding="utf-8",
    )
    with twilio_stand_in() as api:
        r = cli("--list", str(people), "--scenario", "carecall-ko", "--from", FROM,
                "--api-url", api.url)  # fmt: skip
        assert isinstance(r.exception, InputError)
        message = str(r.exception)
        assert f"{people}:3: to: missing phone number" in message
        r2 = cli("--list", str(people.with_suffix(".txt")), "--scenario", "carecall-ko",
                 "--from", FROM, "--api-url", api.url)  # fmt: skip
        assert isinstance(r2.exception, InputError)
        fixed = tmp_path / "fixed.yaml"
        fixed.write_text("- {to: '010-1234', person: 김철수}\n", encoding="utf-8")
        r3 = cli("--list", str(fixed), "--scenario", "carecall-ko", "--from", FROM,
                 "--api-url", api.url)  # fmt: skip
        assert isinstance(r3.exception, InputError) and f"{fixed}:1: --to" in str(r3.exception)
        assert api.requests == []


def test_a_care_call_needs_the_person_and_a_known_scenario(cli) -> None:
    with twilio_stand_in() as api:
        r = cli("--to", "+821012345678", "--scenario", "carecall-ko", "--from", FROM,
                "--api-url", api.url)  # fmt: skip
        assert isinstance(r.exception, InputError) and "--person" in str(r.exception)
        r = cli("--to", "+821012345678", "--scenario", "nope", "--person", "박순자",
                "--from", FROM, "--api-url", api.url)  # fmt: skip
        assert isinstance(r.exception, InputError) and "carecall-ko" in str(r.exception)
        r = cli("--to", "+821012345678", "--scenario", "carecall-ko", "--person", "박순자",
                "--api-url", api.url)  # fmt: skip
        assert isinstance(r.exception, InputError) and "AICALL_CALLER_ID" in str(r.exception)
        assert api.requests == []


def test_missing_credentials_are_named(cli) -> None:
    r = cli("--to", "+821012345678", "--scenario", "carecall-ko", "--person", "박순자",
            "--from", FROM, TWILIO_AUTH_TOKEN=None, AICALL_PUBLIC_URL=None)  # fmt: skip
    assert isinstance(r.exception, NotConfiguredError)
    assert "TWILIO_AUTH_TOKEN, AICALL_PUBLIC_URL not set" in str(r.exception)


def test_the_command_exits_2_with_one_line_naming_the_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AICALL_", "TWILIO_"))}
    env["AICALL_DATA_DIR"] = str(tmp_path)
    # The CLI's own entry point (cli.main.run) with this subcommand added.
    code = (
        "import sys; from cli import main, call; call.register(main.app); "
        "sys.argv = ['aicall', *sys.argv[1:]]; main.run()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "call", "--to", "+821012345678", "--scenario", "carecall-ko"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "aicall: error: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, AICALL_PUBLIC_URL not set: "
        "outbound calls need the Twilio account (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN) and "
        "the server's public URL (AICALL_PUBLIC_URL, where `aicall serve` is reachable)"
    ]


def test_call_lists_read_csv_yaml_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('[{"phone": "+15550100200", "name": "Ann"}]')
    (tmp_path / "b.csv").write_text("to,person\n+15550100200,\n")
    (tmp_path / "c.yaml").write_text("{to: x}\n")
    (tmp_path / "d.csv").write_text("name\nAnn\n")
    (tmp_path / "e.yaml").write_text("[]\n")
    (a,) = load_call_list(tmp_path / "a.json")
    assert (a.to, a.person, a.where) == ("+15550100200", "Ann", f"{tmp_path / 'a.json'}:1")
    (b,) = load_call_list(tmp_path / "b.csv")
    assert (b.to, b.person, b.where) == ("+15550100200", None, f"{tmp_path / 'b.csv'}:2")
    for name, message in [
        ("c.yaml", "a list of"),
        ("d.csv", "'to' column"),
        ("e.yaml", "empty"),
        ("missing.csv", "cannot read"),
    ]:
        with pytest.raises(InputError, match=message):
            load_call_list(tmp_path / name)
