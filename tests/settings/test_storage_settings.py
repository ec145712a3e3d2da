"""``AICALL_DATA_DIR`` and ``AICALL_DATABASE_URL``: where calls are stored and read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.store import CallLog, Database
from cli import calls as calls_cli


def _store_a_call(call_id: str) -> Path:
    """Store one call the way a live call does; returns the runtime's models directory."""
    rt = AgentRuntime(Settings())
    try:
        rt.calls.start_call(
            call_id=call_id, scenario_id="restaurant-en", direction="inbound", caller="+15550100"
        )
        return rt.models_dir
    finally:
        rt.close()


def _calls_list_json() -> list[dict[str, object]]:
    app = typer.Typer()
    calls_cli.register(app)
    app.command("noop")(lambda: None)  # a second command keeps ``calls`` a subcommand
    done = CliRunner().invoke(app, ["calls", "list", "--json"])
    assert done.exit_code == 0, done.output
    return list(json.loads(done.stdout))


def test_data_dir_holds_the_sqlite_file_and_the_models(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # the default would be ./.aicall here
    data = tmp_path / "elsewhere"
    monkeypatch.setenv("AICALL_DATA_DIR", str(data))
    models = _store_a_call("CAdata")
    assert (data / "aicall.db").is_file()
    assert models == data / "models"  # where `aicall scenario train` saves and calls load
    assert not (cwd / ".aicall").exists()
    with Database(f"sqlite:///{data / 'aicall.db'}") as db:
        assert CallLog(db).get_call("CAdata") is not None
    assert [c["id"] for c in _calls_list_json()] == ["CAdata"]  # the CLI reads it there


def test_database_url_is_where_calls_are_stored_and_listed(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'other' / 'calls.db'}"
    monkeypatch.setenv("AICALL_DATABASE_URL", url)
    _store_a_call("CAurl")
    assert (tmp_path / "other" / "calls.db").is_file()
    assert not (clean_env / "aicall.db").exists()  # not the default file in the data dir
    with Database(url) as db:
        assert CallLog(db).get_call("CAurl") is not None
    assert [c["id"] for c in _calls_list_json()] == ["CAurl"]
    monkeypatch.delenv("AICALL_DATABASE_URL")
    assert _calls_list_json() == []  # the default database has no call
