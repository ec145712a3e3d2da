"""Fixtures of the authoring tests: shipped scenarios, a scripted LLM, the real local model."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from authoring.domain import AuthoringDomain
from nlg.llm import ChatMessage, Completion
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario
from tests.llm.conftest import llama_server, model_path  # noqa: F401 - shared fixtures
from tests.llm.fakes import FakeLLM


class ScriptedLLM(FakeLLM):
    """Answers each call with the next of ``replies`` (cycling)."""

    def __init__(self, replies: Sequence[str], **kwargs: Any) -> None:
        super().__init__(replies[0], **kwargs)
        self._replies: Iterator[str] = itertools.cycle(replies)

    async def _answer(self, request: str | tuple[ChatMessage, ...]) -> Completion:
        self.reply = next(self._replies)
        return await super()._answer(request)


@pytest.fixture(scope="session")
def scenarios() -> dict[str, Scenario]:
    return load_scenarios()


@pytest.fixture(scope="session")
def ko(scenarios: dict[str, Scenario]) -> AuthoringDomain:
    return AuthoringDomain.from_scenario(scenarios["restaurant-ko"])


@pytest.fixture(scope="session")
def en(scenarios: dict[str, Scenario]) -> AuthoringDomain:
    return AuthoringDomain.from_scenario(scenarios["restaurant-en"])


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "candidates.yml"
