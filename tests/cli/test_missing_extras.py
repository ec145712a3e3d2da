"""``make demo`` leaves out the LLM and the encoder: turning one on says how to install it.

Each case runs the real ``aicall`` entry point in a child process where the optional package
cannot be imported (as after ``make demo``), and expects one clear line naming the ``make``
target, exit status 2, and no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

_RUN = """
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None  # as if not installed
from cli.main import run
sys.argv = ["aicall", *sys.argv[2:]]
run()
"""


def _aicall_without(
    tmp_path: Path, missing: str, env_extra: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICALL_")}
    env |= {"AICALL_DATA_DIR": str(tmp_path / "data"), **env_extra}
    return subprocess.run(
        [sys.executable, "-c", _RUN, missing, *args],
        input="I'd like to book a table\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
        check=False,
    )


@pytest.mark.parametrize(
    ("missing", "env", "args", "target"),
    [
        ("llama_cpp", {"AICALL_REPLIES": "llm"}, ["chat", "--scenario", "restaurant-en"], "make llm"),
        ("llama_cpp", {}, ["scenario", "augment", "restaurant-ko", "--n", "2"], "make llm"),
        ("transformers", {"AICALL_NLU_ENGINE": "encoder"}, ["chat", "--scenario", "restaurant-en"],
         "make encoder"),
    ],
)  # fmt: skip
def test_a_missing_extra_is_one_line_naming_its_make_target(
    tmp_path: Path, missing: str, env: dict[str, str], args: list[str], target: str
) -> None:
    done = _aicall_without(tmp_path, missing, env, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("aicall: error:")]
    assert len(errors) == 1 and target in errors[0], done.stderr
    assert "Traceback" not in done.stderr
