"""``aicall console org add`` / ``user add|list|passwd``: accounts of the console from the shell."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from agent.store import Database
from cli.main import app
from console.accounts import authenticate
from console.models import User


def _run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.output + (
        str(result.exception or "") if result.exit_code else ""
    )


def test_an_org_and_a_user_are_added_listed_and_the_password_changed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert (
        _run("console", "org", "add", "city-care", "--name", "City care", "--database", url)[0] == 0
    )
    code, out = _run(
        "console", "user", "add", "nurse1", "--org", "city-care", "--role", "viewer",
        "--database", url, input="first-password\nfirst-password\n",
    )  # fmt: skip
    assert code == 0 and "nurse1 added to city-care as viewer" in out
    code, out = _run("console", "user", "list", "--database", url)
    assert code == 0 and "city-care\tnurse1\tviewer\tactive" in out
    code, _ = _run(
        "console", "user", "passwd", "nurse1", "--database", url,
        input="second-password\nsecond-password\n",
    )  # fmt: skip
    assert code == 0
    db = Database(url)
    try:
        with db.session() as session:
            assert authenticate(session, "nurse1", "second-password") is not None
            assert authenticate(session, "nurse1", "first-password") is None
            stored = session.scalars(select(User.password_hash)).one()
    finally:
        db.close()
    assert "second-password" not in stored


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    code, out = _run(
        "console", "user", "add", "x", "--org", "nope", "--password", "long-password-1",
        "--database", url,
    )  # fmt: skip
    assert code != 0 and "no organisation 'nope'" in out
    code, out = _run("console", "org", "add", "Bad Slug", "--database", url)
    assert code != 0 and "lowercase letters" in out
    _run("console", "org", "add", "acme", "--database", url)
    code, out = _run(
        "console", "user", "add", "y", "--org", "acme", "--password", "short", "--database", url
    )
    assert code != 0 and "at least 10 characters" in out
