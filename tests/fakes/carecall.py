"""An in-memory :class:`dialogue.ports.CareCallRecorder`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from common.errors import StoreUnavailableError

__all__ = ["FakeCareCalls"]


class FakeCareCalls:
    """Answers and flags by call id; ``down`` makes every call fail like a lost database."""

    def __init__(self) -> None:
        self.answers: dict[str, dict[str, Any]] = {}
        self.flags: dict[str, list[str]] = {}
        self.down = False

    def record_answers(
        self, call_id: str, scenario_id: str, person: str, answers: Mapping[str, Any]
    ) -> None:
        if self.down:
            raise StoreUnavailableError("fake store is down")
        self.answers[call_id] = dict(answers)

    def raise_flag(
        self, call_id: str, scenario_id: str, person: str, reasons: Sequence[str]
    ) -> None:
        if self.down:
            raise StoreUnavailableError("fake store is down")
        self.flags[call_id] = list(reasons)
