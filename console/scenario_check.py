"""Run the real scenario loader on a draft and say where each problem is.

The console never validates a scenario its own way: the draft's text is written to a
temporary file and read by :func:`scenarios.loader.load_scenario`, exactly as ``aicall scenario
validate`` and a call would read it. Its error (file, line, field path) and warnings come back
as :class:`Problem` rows the editor shows at their field.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from common.errors import ScenarioError
from scenarios.loader import ScenarioWarning, load_scenario
from scenarios.schema import Scenario

__all__ = ["Check", "Problem", "check_text"]


@dataclass(frozen=True)
class Problem:
    """An error or a warning of the loader.

    Attributes:
        level: ``error`` (the draft cannot be saved) or ``warning``.
        line: 1-based line in the draft, when known.
        field: the dotted path the loader names (``intents.book.examples.2``), when known.
        message: what is wrong, as the loader says it.
    """

    level: str
    line: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The problem as JSON."""
        return asdict(self)


@dataclass
class Check:
    """What the loader said about a draft.

    Attributes:
        problems: the error first (the loader stops at the first), then the warnings.
        scenario: the loaded scenario when there is no error.
    """

    problems: list[Problem] = field(default_factory=list)
    scenario: Scenario | None = None

    @property
    def ok(self) -> bool:
        """Whether the draft loads (warnings allowed)."""
        return self.scenario is not None

    @property
    def error(self) -> Problem | None:
        """The error, if any."""
        return next((p for p in self.problems if p.level == "error"), None)


def check_text(text: str, name: str = "scenario.yaml") -> Check:
    """Load ``text`` with the scenario loader (through a temporary file named ``name``).

    Args:
        text: the draft's YAML.
        name: the file name to load it as (errors are reported against the draft, by line).
    """
    with tempfile.TemporaryDirectory(prefix="aicall-draft-") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_text(text, encoding="utf-8")
        warnings: list[ScenarioWarning] = []
        try:
            scenario = load_scenario(path, warnings=warnings)
        except ScenarioError as e:
            return Check([Problem("error", e.line, e.field, e.message)])
    found = [Problem("warning", w.line, w.field, w.message) for w in warnings]
    return Check(found, scenario)
