"""Live models: what ``aicall scenario train`` saves for calls, stamped with what it was for.

A scenario's live model lives in ``<models dir>/<scenario id>/<engine>/`` (by default under
``<data dir>/models``) next to a stamp (:data:`STAMP_FILE`) holding the scenario's content
digest and the engine version. Calls load it while the stamp matches; when the scenario is
edited or the engine changes they train from the scenario file, and the stale model is named in
a logged warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from nlu.base import MODEL_FORMAT, ModelError, NLUEngine, load_engine
from scenarios.schema import Scenario

__all__ = [
    "STAMP_FILE",
    "engine_version",
    "live_model_dir",
    "load_live_model",
    "save_live_model",
    "scenario_digest",
]

log = logging.getLogger(__name__)

#: The stamp written next to a live model: which scenario content and engine version it is for.
STAMP_FILE = "scenario.json"


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the scenario's content: any edit to the file's meaning changes it."""
    return hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()


def engine_version(engine: str) -> str:
    """The version a live model of ``engine`` is stamped with (engine, model format, aicall)."""
    try:
        aicall = metadata.version("aicall")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        aicall = "unknown"
    return f"{engine}/format-{MODEL_FORMAT}/aicall-{aicall}"


def live_model_dir(models_dir: str | Path, scenario_id: str, engine: str) -> Path:
    """Where the live model of one scenario and engine lives: ``<models dir>/<id>/<engine>``."""
    return Path(models_dir) / scenario_id / engine


def save_live_model(
    scenario: Scenario,
    model: NLUEngine,
    models_dir: str | Path,
    *,
    info: dict[str, Any] | None = None,
) -> Path:
    """Save a trained engine as the live model of ``scenario``, stamped; returns its directory.

    The model is written beside its final place and then swapped in, so a process starting at
    the same moment reads either the old model or the new one, never half of one.

    Args:
        scenario: the scenario the model was trained for (its digest goes in the stamp).
        model: the trained engine.
        models_dir: the models directory (``<data dir>/models``).
        info: extra facts for the stamp (e.g. how many accepted candidates were used).
    """
    target = live_model_dir(models_dir, scenario.id, model.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(f".{target.name}.new-{os.getpid()}")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    model.save(fresh)
    stamp = {
        "scenario": scenario.id,
        "scenario_version": scenario.version,
        "scenario_digest": scenario_digest(scenario),
        "engine": model.name,
        "engine_version": engine_version(model.name),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **(info or {}),
    }
    (fresh / STAMP_FILE).write_text(
        json.dumps(stamp, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def _stale_reason(stamp_path: Path, scenario: Scenario, engine: str) -> str | None:
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return f"no readable stamp ({e.__class__.__name__}); retrain it"
    if not isinstance(stamp, dict):
        return "the stamp is not a JSON object; retrain it"
    if stamp.get("scenario") != scenario.id:
        return f"it was trained for scenario {stamp.get('scenario')!r}, not {scenario.id!r}"
    if stamp.get("scenario_digest") != scenario_digest(scenario):
        return "the scenario was edited since it was trained"
    if stamp.get("engine_version") != engine_version(engine):
        return (
            f"it was trained by {stamp.get('engine_version')!r}, "
            f"this process runs {engine_version(engine)!r}"
        )
    return None


def load_live_model(scenario: Scenario, engine: str, models_dir: str | Path) -> NLUEngine | None:
    """The scenario's live model of ``engine`` if one is saved and current, else ``None``.

    A stale or damaged one is named in a logged warning (calls then train from the scenario).
    The model's :attr:`~nlu.base.NLUEngine.source` is its directory.
    """
    directory = live_model_dir(models_dir, scenario.id, engine)
    if not directory.exists():
        return None
    stamp_path = directory / STAMP_FILE
    why = _stale_reason(stamp_path, scenario, engine)
    if why is None:
        try:
            model = load_engine(directory)
        except ModelError as e:
            why = str(e)
        except Exception as e:  # a damaged pickle: a call must still be answered
            why = f"unreadable model ({e.__class__.__name__}: {e})"
        else:
            log.info("%s: using the trained model %s", scenario.id, directory)
            model.source = str(directory)
            return model
    log.warning(
        "%s: ignoring the trained model %s: %s; training from the scenario file instead "
        "(run 'aicall scenario train %s' to update it)",
        scenario.id,
        stamp_path,
        why,
        scenario.id,
    )
    return None
