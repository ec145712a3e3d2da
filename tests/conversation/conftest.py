"""Fixtures of the conversation tests: a real runtime on a fresh SQLite file, a pinned clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.harness import Clock, make_runtime


@pytest.fixture
def clock() -> Clock:
    """The venue's clock, pinned at Wednesday 2026-11-25 10:00."""
    return Clock()


@pytest.fixture
def runtime(tmp_path: Path, clock: Clock) -> Iterator[AgentRuntime]:
    """A runtime with its own SQLite file; the scenarios' NLU is trained once per process."""
    rt = make_runtime(tmp_path, clock=clock)
    try:
        yield rt
    finally:
        rt.close()
