"""Fixtures: the shipped scenarios, template wording, and the real local model / server."""

from __future__ import annotations

import functools
from datetime import date

import pytest

from scenarios.loader import load_scenarios
from scenarios.schema import Scenario
from tests.llm.conftest import llama_server, model_path  # noqa: F401 - fixtures, re-exported

#: Wednesday 2026-11-25; Friday 2026-12-04 is the booking read back in the tests.
TODAY = date(2026, 11, 25)


@functools.cache
def shipped() -> dict[str, Scenario]:
    """The shipped scenarios, parsed once per test process."""
    return load_scenarios()


@pytest.fixture()
def scenarios() -> dict[str, Scenario]:
    return shipped()
