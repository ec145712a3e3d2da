"""The supply-chain checks (security/check.py): the reviewed allow-list, the lock file, and a
finding fixed rather than allow-listed (the Rasa URL scheme)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from common.errors import NotConfiguredError
from nlu.rasa_http import RasaHTTPNLU

ROOT = Path(__file__).resolve().parents[2]


def _check_module():
    spec = importlib.util.spec_from_file_location("security_check", ROOT / "security" / "check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_allow_list_entry_has_a_reason() -> None:
    check = _check_module()
    allowed = check.Allowed.load()
    assert allowed.bandit, "the reviewed bandit entries are there"
    assert all(len(e["reason"]) > 20 for e in allowed.bandit + allowed.vulnerabilities)


def test_an_entry_without_a_reason_stops_the_check(tmp_path: Path) -> None:
    check = _check_module()
    path = tmp_path / "allow.toml"
    path.write_text('[[bandit]]\ntest = "B101"\nreason = ""\n')
    with pytest.raises(SystemExit, match="no reason"):
        check.Allowed.load(path)


def test_the_lock_pins_every_runtime_package_with_hashes() -> None:
    check = _check_module()
    lock = (ROOT / "requirements.lock").read_text()
    names = {p.name for p in check.locked_packages()}
    for needed in ("sqlalchemy", "pydantic", "pipecat-ai", "faster-whisper", "twilio", "torch"):
        assert needed in names, needed
    # each pin carries at least one sha256 (pip install --require-hashes refuses it otherwise)
    pins = re.split(r"\n(?=[a-z0-9])", lock.split("\n\n", 1)[-1])
    assert all("--hash=sha256:" in p for p in pins if "==" in p)


def test_a_rasa_url_that_is_not_http_is_refused() -> None:
    # bandit B310: urllib would also open file:// URLs; fixed at the source, not allow-listed
    with pytest.raises(NotConfiguredError, match="http"):
        RasaHTTPNLU(url="file:///etc/passwd")
    assert RasaHTTPNLU(url="https://rasa.example:5005/").url == "https://rasa.example:5005"
