"""Read training data from files: Rasa NLU YAML or scenario YAML, told apart by their keys."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from nlu.rasa_format import RasaFormatError, read_rasa_nlu
from nlu.training import TrainingData, training_data_from_scenario
from scenarios.loader import load_scenario

__all__ = ["guess_language", "read_training_files"]

_HANGUL = re.compile(r"[가-힣]")
_TOP_NLU = re.compile(r"^nlu\s*:", re.MULTILINE)


def guess_language(data: TrainingData) -> str:
    """``"ko"`` when a fifth or more of the examples contain Hangul, else ``"en"``."""
    if not data.examples:
        return "en"
    ko = sum(1 for e in data.examples if _HANGUL.search(e.text))
    return "ko" if ko * 5 >= len(data.examples) else "en"


def read_training_files(
    paths: Sequence[str | Path], *, language: str | None = None
) -> TrainingData:
    """Merge the training data of every file.

    A file with a top-level ``nlu:`` key is Rasa NLU YAML; any other is a scenario file.

    Args:
        paths: the files.
        language: the language of Rasa data; guessed from the examples when None.

    Raises:
        RasaFormatError: a Rasa file is malformed (names the file).
        ScenarioError: a scenario file is malformed (names the file and line).
    """
    if not paths:
        raise RasaFormatError("no training data files given")
    data = TrainingData()
    for p in paths:
        path = Path(p)
        try:
            head = path.read_text(encoding="utf-8")
        except OSError as e:
            raise RasaFormatError(f"{path}: cannot read: {e.strerror}") from None
        except UnicodeDecodeError:
            raise RasaFormatError(f"{path}: not UTF-8 text") from None
        if _TOP_NLU.search(head):
            part = read_rasa_nlu(path)
            part.language = language or guess_language(part)
        else:
            part = training_data_from_scenario(load_scenario(path))
        data = data.merge(part)
    return data
