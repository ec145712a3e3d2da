"""Choosing the NLU backend by configuration (``AICALL_NLU_*`` environment variables).

``AICALL_NLU_BACKEND``:

- ``scenario`` (default): the scenario's own understanding, trained at first call
  (:func:`nlu.engine.nlu_for`);
- ``classical`` / ``joint`` / ``ensemble`` / ``encoder``: a trained model directory (``AICALL_NLU_MODEL_DIR``), or one
  trained from the scenario when no directory is given;
- ``rasa-http``: a running Rasa server (``AICALL_NLU_RASA_URL``, ``AICALL_NLU_RASA_TOKEN``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal, Protocol

from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.errors import NotConfiguredError
from nlu.types import NLUResult
from scenarios.schema import Scenario

__all__ = ["NLUSettings", "UtteranceParser", "make_backend"]


class UtteranceParser(Protocol):
    """Anything that understands one utterance with the dialogue's context."""

    def parse(self, text: str, *, today: date, expected: str | None = None) -> NLUResult:
        """Understand ``text``."""
        ...


class NLUSettings(BaseSettings):
    """NLU backend settings, read from ``AICALL_NLU_*``."""

    model_config = SettingsConfigDict(env_prefix="AICALL_NLU_", extra="ignore")

    backend: Literal["scenario", "classical", "joint", "ensemble", "encoder", "rasa-http"] = (
        "scenario"
    )
    model_dir: Path | None = None
    rasa_url: str | None = None
    rasa_token: str | None = None
    rasa_timeout: float = 3.0


def make_backend(settings: NLUSettings, scenario: Scenario | None = None) -> UtteranceParser:
    """Build the configured backend (for ``scenario`` when it trains from one).

    Raises:
        NotConfiguredError: a needed setting is missing.
    """
    if settings.backend == "rasa-http":
        if not settings.rasa_url:
            raise NotConfiguredError("AICALL_NLU_BACKEND=rasa-http needs AICALL_NLU_RASA_URL")
        from nlu.rasa_http import RasaHTTPNLU

        return RasaHTTPNLU(
            url=settings.rasa_url,
            token=settings.rasa_token,
            timeout=settings.rasa_timeout,
            domain=scenario.domain if scenario else "default",
            language=scenario.language if scenario else "en",
            slot_types={k: v.type for k, v in scenario.slots.items()} if scenario else {},
            oos_threshold=scenario.globals.intent_threshold if scenario else 0.3,
        )
    if settings.backend in ("classical", "joint", "ensemble", "encoder"):
        from nlu.base import engine_class, load_engine

        if settings.model_dir is not None:
            return load_engine(settings.model_dir)
        if scenario is None:
            raise NotConfiguredError(
                f"AICALL_NLU_BACKEND={settings.backend} needs AICALL_NLU_MODEL_DIR or a scenario"
            )
        from nlu.training import training_data_from_scenario

        engine = engine_class(settings.backend)(oos_threshold=scenario.globals.intent_threshold)
        return engine.train(training_data_from_scenario(scenario))
    if scenario is None:
        raise NotConfiguredError("AICALL_NLU_BACKEND=scenario needs a scenario")
    from nlu.engine import nlu_for

    return nlu_for(scenario)
