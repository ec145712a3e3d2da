"""``aicall scenario validate``: the real command, as a scenario author runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scenarios.loader import SHIPPED_DIR, shipped_scenario_paths

AICALL = Path(sys.executable).parent / "aicall"


def _validate(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AICALL), "scenario", "validate", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_shipped_scenarios_validate() -> None:
    done = _validate(*shipped_scenario_paths())
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(": ok (") == len(shipped_scenario_paths())
    assert "restaurant-ko, ko" in done.stdout and "carecall-en, en" in done.stdout


def test_a_broken_file_exits_non_zero_and_names_file_line_and_field(tmp_path: Path) -> None:
    text = (SHIPPED_DIR / "restaurant-en.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "restaurant-en.yaml"
    bad.write_text(text.replace("  max_party: 12\n", "  max_party: lots\n"), encoding="utf-8")
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "max_party: lots" in t)

    done = _validate(SHIPPED_DIR / "restaurant-ko.yaml", bad)
    assert done.returncode == 1
    assert "restaurant-ko.yaml: ok" in done.stdout  # the good file is still checked
    (message,) = done.stderr.strip().splitlines()  # one clear line, no traceback
    assert message.startswith(f"{bad}:{line}: venue.max_party: ")
    assert "Traceback" not in done.stderr
