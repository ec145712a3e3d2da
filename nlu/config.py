"""The one way to get a scenario's parser: :func:`make_parser` from :class:`NLUSettings`.

Every parser answers :class:`UtteranceParser` (``parse(text, today=, expected=)``). The
process's settings (``agent.config.Settings``, read from ``AICALL_NLU_*`` at the edge) carry an
:class:`NLUSettings`; the runtime, the command line and the tools all build their parser with
:func:`make_parser`. ``backend``:

- ``scenario`` (default): the scenario's live model saved by ``aicall scenario train`` when it
  is current (:mod:`nlu.live_models`), else ``engine`` (``AICALL_NLU_ENGINE``, default
  ``classical``; empty: :class:`nlu.rules.RulesNLU`) trained from the scenario at its first
  call (:func:`scenario_parser`);
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
from nlu.base import engine_class, load_engine
from nlu.live_models import load_live_model, scenario_digest
from nlu.rasa_http import RasaHTTPNLU
from nlu.rules import RulesNLU
from nlu.slots import SlotFiller
from nlu.training import training_data_from_scenario
from nlu.types import NLUResult
from nlu.zeroshot import engine_for
from scenarios.schema import Scenario

__all__ = [
    "DEFAULT_ENGINE",
    "NLUBackend",
    "NLUSettings",
    "UtteranceParser",
    "forget_scenario_parsers",
    "make_parser",
    "scenario_parser",
]

#: The trainable engine scenarios use by default; ``AICALL_NLU_ENGINE=""`` (empty) brings back
#: the first version (:class:`nlu.rules.RulesNLU`).
DEFAULT_ENGINE = "classical"

#: The values of ``AICALL_NLU_BACKEND``.
NLUBackend = Literal["scenario", "classical", "joint", "ensemble", "encoder", "rasa-http"]


class UtteranceParser(Protocol):
    """Anything that understands one utterance with the dialogue's context.

    Implemented by the trainable engines (:class:`nlu.base.NLUEngine`), the first version
    (:class:`nlu.rules.RulesNLU`) and a Rasa server (:class:`nlu.rasa_http.RasaHTTPNLU`).
    ``parse`` is thread-safe and may block (inference, HTTP): call it off the event loop.
    """

    def parse(self, text: str, *, today: date, expected: str | None = None) -> NLUResult:
        """Understand ``text``.

        Args:
            text: what the caller said.
            today: the caller's local date (relative dates resolve against it).
            expected: the slot the agent just asked for, or ``"yesno"`` during a
                confirmation: a bare answer ("일곱 시요", "four") fills it.
        """
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


_trained: dict[tuple[str, ...], UtteranceParser] = {}
_trained_lock = threading.Lock()


def make_parser(
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
        filler = None
        if scenario is not None:
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
    return scenario_parser(scenario, engine=settings.engine, models_dir=models_dir)


def scenario_parser(
    scenario: Scenario,
    *,
    engine: str = DEFAULT_ENGINE,
    models_dir: str | Path | None = None,
) -> UtteranceParser:
    """The process-wide parser of ``scenario``, loaded or trained once on first use.

    Keyed by the scenario's content, so the same file loaded again (a second runtime in the
    process) shares the model, and an edited file gets a new one.

    Args:
        scenario: the scenario.
        engine: ``classical`` (:data:`DEFAULT_ENGINE`), ``joint``, ``ensemble`` or ``encoder``;
            empty for the first version (:class:`nlu.rules.RulesNLU`).
        models_dir: where live models are saved (``<data dir>/models``); the scenario's model
            for the engine is loaded from there when its stamp matches the scenario and engine
            version. ``None`` always trains from the scenario. A model saved later in the
            process's life is picked up by the next process, not by this one.
    """
    digest = scenario_digest(scenario)
    where = str(Path(models_dir).resolve()) if models_dir is not None and engine else ""
    key = ("scenario", scenario.id, str(scenario.version), digest, engine, where)
    trained_key = (*key[:5], "")  # trained from the file: shared whatever the models dir
    with _trained_lock:
        parser = _trained.get(key)
        if parser is None:
            if where:
                parser = load_live_model(scenario, engine, where)
            if parser is None:
                parser = _trained.get(trained_key) or _train(scenario, engine)
                _trained[trained_key] = parser
            _trained[key] = parser
        return parser


def forget_scenario_parsers(scenario_id: str) -> None:
    """Drop this process's parsers of a scenario: its live model was just retrained here.

    The console trains in the server's own process; the next call then loads the new model.
    """
    with _trained_lock:
        for key in [k for k in _trained if k[0] != "dir" and k[1] == scenario_id]:
            del _trained[key]


def _train(scenario: Scenario, engine: str) -> UtteranceParser:
    """``engine`` trained from the scenario file (the first version when empty)."""
    if not engine:
        return RulesNLU(scenario)
    data = training_data_from_scenario(scenario)
    # an intent described with few or no examples: the description prior (nlu.zeroshot)
    model = engine_class(engine_for(data, engine))(oos_threshold=scenario.globals.intent_threshold)
    model.train(data)
    model.source = "scenario"
    return model


def _engine_backend(settings: NLUSettings, scenario: Scenario | None) -> UtteranceParser:
    if settings.model_dir is not None:
        key = ("dir", str(Path(settings.model_dir).resolve()), "")
    elif scenario is None:
        raise NotConfiguredError(
            f"AICALL_NLU_BACKEND={settings.backend} needs AICALL_NLU_MODEL_DIR or a scenario"
        )
    else:
        key = (settings.backend, scenario.id, scenario_digest(scenario))
    with _trained_lock:
        parser = _trained.get(key)
        if parser is None:
            if settings.model_dir is not None:
                parser = load_engine(settings.model_dir)
            else:
                assert scenario is not None
                engine = engine_class(settings.backend)(
                    oos_threshold=scenario.globals.intent_threshold
                )
                parser = engine.train(training_data_from_scenario(scenario))
            _trained[key] = parser
        return parser
