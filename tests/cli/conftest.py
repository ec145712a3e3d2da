"""Run the real ``aicall`` command in a subprocess, against a private data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

AICALL = Path(sys.executable).parent / "aicall"

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def aicall(tmp_path: Path) -> Run:
    """``aicall(*args, stdin=..., env=...)``: the command with its own SQLite file in ``tmp_path``.

    ``env`` adds variables (``AICALL_*`` settings) to the clean environment of that run.
    """
    base = {k: v for k, v in os.environ.items() if not k.startswith("AICALL_")}
    base["AICALL_DATA_DIR"] = str(tmp_path / "data")

    def run(
        *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(AICALL), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**base, **(env or {})},
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    return run
