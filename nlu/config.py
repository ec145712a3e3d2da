"""The one way to get a scenario's parser: :func:`make_backend` from :class:`NLUSettings`.

The process's settings (``agent.config.Settings``, read from ``AICALL_NLU_*`` at the edge)
carry an :class:`NLUSettings`; the runtime, the command line and the tools all build their
parser with :func:`make_backend`. ``backend``:

- ``scenario`` (default): the scenario's live model saved by ``aicall scenario train`` when it
  is current, else ``engine`` (``AICALL_NLU_ENGINE``, default ``classical``) trained from the
  scenario at its first call (:func:`nlu.engine.nlu_for`);
- ``classical`` / ``joint`` / ``ensemble`` / ``encoder``: the trained model directory
  ``model_dir`` (``AICALL_NLU_MODEL_DIR``), or that engine trained from the scenario when no
  directory is given;
- ``rasa-http``: a running Rasa server (``AICALL_NLU_RASA_URL``, ``AICALL_NLU_RASA_TOKEN``,
  ``AICALL_NLU_RASA_TIMEOUT``); its intents and entity spans go through the scenario's slot
  filling.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from common.errors import NotConfiguredError
from nlu.types import NLUResult
from scenarios.schema import Scenario

__all__ = ["DEFAULT_ENGINE", "NLUBackend", "NLUSettings", "UtteranceParser", "make_backend"]

#: The trainable engine scenarios use by default; ``AICALL_NLU_ENGINE=""`` (empty) brings back
#: the first version (:class:`nlu.engine.ScenarioNLU`'s own classifier and rules).
DEFAULT_ENGINE = "classical"

#: The values of ``AICALL_NLU_BACKEND``.
NLUBackend = Literal["scenario", "classical", "joint", "ensemble", "encoder", "rasa-http"]


class UtteranceParser(Protocol):
    """Anything that understands one utterance with the dialogue's context."""

    def parse(self, text: str, *, today: date, expected: str | None = None) -> NLUResult:
        """Understand ``text``."""
        ...


class NLUSettings(BaseModel):
    """How calls understand what callers say (``AICALL_NLU_*``; see the module docstring)."""

    model_config = ConfigDict(frozen=True)

    backend: NLUBackend = "scenario"
    engine: str = DEFAULT_ENGINE
    model_dir: Path | None = None
    rasa_url: str | None = None
    rasa_token: str | None = None
    rasa_timeout: float = 3.0


_trained: dict[tuple[str, str, str], UtteranceParser] = {}
_trained_lock = threading.Lock()


def make_backend(
    settings: NLUSettings,
    scenario: Scenario | None = None,
    *,
    models_dir: str | Path | None = None,
) -> UtteranceParser:
    """Build the configured parser for ``scenario`` (loaded or trained once per process).

    Args:
        settings: the NLU settings.
        scenario: the scenario the parser serves (its slots, language, thresholds).
        models_dir: where ``aicall scenario train`` saves live models (``<data dir>/models``),
            for ``backend="scenario"``; ``None`` always trains from the scenario.

    Raises:
        NotConfiguredError: a needed setting is missing.
    """
    if settings.backend == "rasa-http":
        if not settings.rasa_url:
            raise NotConfiguredError("AICALL_NLU_BACKEND=rasa-http needs AICALL_NLU_RASA_URL")
        from nlu.rasa_http import RasaHTTPNLU
        from nlu.slots import SlotFiller

        filler = None
        if scenario is not None:
            from nlu.training import training_data_from_scenario

            filler = SlotFiller.from_data(training_data_from_scenario(scenario))
        return RasaHTTPNLU(
            url=settings.rasa_url,
            token=settings.rasa_token,
            timeout=settings.rasa_timeout,
            domain=scenario.domain if scenario else "default",
            language=scenario.language if scenario else "en",
            oos_threshold=scenario.globals.intent_threshold if scenario else 0.3,
            filler=filler,
        )
    if settings.backend in ("classical", "joint", "ensemble", "encoder"):
        return _engine_backend(settings, scenario)
    if scenario is None:
        raise NotConfiguredError("AICALL_NLU_BACKEND=scenario needs a scenario")
    from nlu.engine import nlu_for

    return nlu_for(scenario, engine=settings.engine, models_dir=models_dir)


def _engine_backend(settings: NLUSettings, scenario: Scenario | None) -> UtteranceParser:
    from nlu.base import engine_class, load_engine

    if settings.model_dir is not None:
        key = ("dir", str(Path(settings.model_dir).resolve()), "")
    elif scenario is None:
        raise NotConfiguredError(
            f"AICALL_NLU_BACKEND={settings.backend} needs AICALL_NLU_MODEL_DIR or a scenario"
        )
    else:
        from nlu.engine import scenario_digest

        key = (settings.backend, scenario.id, scenario_digest(scenario))
    with _trained_lock:
        parser = _trained.get(key)
        if parser is None:
            if settings.model_dir is not None:
                parser = load_engine(settings.model_dir)
            else:
                assert scenario is not None
                from nlu.training import training_data_from_scenario

                engine = engine_class(settings.backend)(
                    oos_threshold=scenario.globals.intent_threshold
                )
                parser = engine.train(training_data_from_scenario(scenario))
            _trained[key] = parser
        return parser
