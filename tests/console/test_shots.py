"""``AICALL_CONSOLE_SHOTS=1`` sends the console tests' screenshots to docs/console/."""

from __future__ import annotations

from pathlib import Path

from tests.console.support import SHOTS_DIR, shoot


class _Page:
    """Records where a screenshot would be written (writes nothing)."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def screenshot(self, *, path: str, full_page: bool) -> None:
        self.paths.append(path)


def test_console_shots_go_to_the_docs_only_when_asked(tmp_path: Path, monkeypatch) -> None:
    page = _Page()
    monkeypatch.delenv("AICALL_CONSOLE_SHOTS", raising=False)
    assert shoot(page, "login", tmp_dir=tmp_path) == tmp_path / "login.png"
    monkeypatch.setenv("AICALL_CONSOLE_SHOTS", "1")
    assert shoot(page, "login", tmp_dir=tmp_path) == SHOTS_DIR / "login.png"
    assert page.paths == [str(tmp_path / "login.png"), str(SHOTS_DIR / "login.png")]
    assert SHOTS_DIR == Path(__file__).resolve().parents[2] / "docs" / "console"
