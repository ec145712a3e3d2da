"""The scenario argument every command takes: a scenario id or a path to a scenario file.

An id is looked up among the shipped scenarios, those in ``AICALL_SCENARIO_DIRS`` and those in
the command's ``--scenario-dir`` folders; anything that names a file (or ends in ``.yaml`` or
``.yml``) is read as a scenario file. Light on imports: the NLU is not loaded here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agent.config import Settings
from common.errors import InputError
from console.scenario_files import org_scenario_dirs
from scenarios.loader import load_scenario, load_scenarios
from scenarios.schema import Scenario

__all__ = ["known_scenarios", "resolve_scenario"]


def known_scenarios(scenario_dirs: Sequence[Path] = ()) -> dict[str, Scenario]:
    """The scenarios an id may name: shipped, ``AICALL_SCENARIO_DIRS``, the console's, then more.

    The console's are its organisations' folders (``<data dir>/orgs/*/scenarios``); the last
    are ``scenario_dirs`` (``--scenario-dir``).
    """
    settings = Settings()
    return load_scenarios(
        [*settings.scenario_dirs, *org_scenario_dirs(settings.data_dir), *scenario_dirs]
    )


def resolve_scenario(ref: str, scenario_dirs: Sequence[Path] = ()) -> Scenario:
    """The scenario a command argument names: a scenario file, or an id.

    Args:
        ref: a path to a scenario YAML file, or a scenario id.
        scenario_dirs: more folders of scenario files (``--scenario-dir``).

    Raises:
        InputError: no such file or id (the message lists the known ids).
        ScenarioError: the file (or a file in the folders) is not a valid scenario.
    """
    path = Path(ref)
    if path.is_file():
        return load_scenario(path)
    if path.suffix in (".yaml", ".yml"):
        raise InputError(f"no scenario file {ref!r}")
    known = known_scenarios(scenario_dirs)
    if ref not in known:
        raise InputError(f"unknown scenario {ref!r}; have: {', '.join(sorted(known))}")
    return known[ref]
