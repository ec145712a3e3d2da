"""Each test starts from an environment without ``AICALL_*`` / ``TWILIO_*`` and its own data dir.

The tests here set one documented variable with ``monkeypatch.setenv``, build the object the
product builds from :class:`agent.config.Settings`, and check what the docs say it changes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private ``AICALL_DATA_DIR``; no other setting from the developer's shell."""
    for key in list(os.environ):
        if key.startswith(("AICALL_", "TWILIO_")):
            monkeypatch.delenv(key)
    data = tmp_path / "data"
    monkeypatch.setenv("AICALL_DATA_DIR", str(data))
    return data
