"""Where scenario files live: the shipped ones and each organisation's folder.

Light on imports on purpose: the command line reads :func:`org_scenario_dirs` to serve the
console's scenarios by id (``aicall chat --scenario my-shop-ko``) without loading the console.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from scenarios.loader import shipped_scenario_paths

__all__ = ["org_scenario_dir", "org_scenario_dirs", "shipped_scenario_files"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def org_scenario_dir(data_dir: Path, org_slug: str) -> Path:
    """``<data_dir>/orgs/<org_slug>/scenarios`` (not created here)."""
    if not _SLUG.match(org_slug):
        raise ValueError(f"organisation slug {org_slug!r} is not a safe folder name")
    return Path(data_dir) / "orgs" / org_slug / "scenarios"


def org_scenario_dirs(data_dir: Path) -> list[Path]:
    """Every organisation's scenario folder that exists, in name order."""
    return sorted(p for p in (Path(data_dir) / "orgs").glob("*/scenarios") if p.is_dir())


@cache
def shipped_scenario_files() -> dict[str, Path]:
    """The shipped scenarios' files by id (each file is named after its scenario's id)."""
    return {p.stem: p for p in shipped_scenario_paths()}
