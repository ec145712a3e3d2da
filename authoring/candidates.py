"""Candidate training utterances, their provenance and review state, kept in one YAML file.

A candidate is an utterance an augmenter or the LLM proposed for one intent. It keeps where it
came from (generator, prompt version, the example it was made from) and a review state:
``pending`` (waiting for the author), ``accepted`` (trains the NLU) or ``rejected`` (with the
reason: a filter's or the author's). Only accepted candidates ever reach training.

The store is a YAML file the author can read and edit, by default
``.aicall/authoring/<scenario-id>/candidates.yml``; it is rewritten atomically.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from common.errors import InputError

__all__ = ["Candidate", "CandidateStore", "ReviewState", "candidate_id", "store_path"]

ReviewState = Literal["pending", "accepted", "rejected"]
STATES: tuple[ReviewState, ...] = ("pending", "accepted", "rejected")
STORE_FORMAT = 1


def store_path(data_dir: str | Path, scenario_id: str) -> Path:
    """The default candidates file of a scenario: ``<data dir>/authoring/<id>/candidates.yml``.

    The CLI (``aicall scenario augment|review|train``) and the console both use it, so each
    sees the other's candidates and decisions.
    """
    return Path(data_dir) / "authoring" / scenario_id / "candidates.yml"


def candidate_id(intent: str, text: str) -> str:
    """A short stable id of an utterance of an intent (the same text gets the same id)."""
    # an id, not a security digest
    return hashlib.sha1(f"{intent}\x00{text}".encode(), usedforsecurity=False).hexdigest()[:10]


@dataclass(frozen=True)
class Candidate:
    """One proposed training utterance.

    Attributes:
        intent: the intent it is meant for.
        text: the utterance with inline slot annotations (``[4명](party_size)``).
        generator: what made it (``speech_level``, ``typo``, ``llm_paraphrase``, ...).
        prompt_version: the version of the prompt (LLM generators), or ``None``.
        seed: the example it was made from, or ``None`` (zero-shot).
        state: ``pending``, ``accepted`` or ``rejected``.
        reason: why it was rejected (``near_duplicate``, ``label_conflict:book``, ...).
        kind: ``utterance`` (a training example) or ``response`` (a recommended system turn).
        created: when it was made (UTC, ISO 8601).
        id: stable id of intent and text.
    """

    intent: str
    text: str
    generator: str
    prompt_version: str | None = None
    seed: str | None = None
    state: ReviewState = "pending"
    reason: str | None = None
    kind: str = "utterance"
    created: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"), compare=False
    )
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", candidate_id(self.intent, self.text))
        if self.state not in STATES:
            raise InputError(f"candidate {self.id}: unknown state {self.state!r}")

    def rejected(self, reason: str) -> Candidate:
        """A copy of the candidate, rejected for ``reason``."""
        return replace(self, state="rejected", reason=reason)

    def accepted(self) -> Candidate:
        """A copy of the candidate, accepted."""
        return replace(self, state="accepted", reason=None)


class CandidateStore:
    """The candidates of one scenario, in a YAML file.

    Args:
        path: the file (created on first save).
        scenario_id: the scenario the candidates belong to (checked against the file).
    """

    def __init__(self, path: str | Path, scenario_id: str) -> None:
        self.path = Path(path)
        self.scenario_id = scenario_id
        self._items: dict[str, Candidate] = {}
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        yaml = YAML(typ="safe")
        try:
            data = yaml.load(self.path.read_text(encoding="utf-8")) or {}
        except (OSError, YAMLError) as e:
            raise InputError(f"{self.path}: unreadable candidates file: {e}") from None
        if not isinstance(data, dict):
            raise InputError(f"{self.path}: a candidates file must be a mapping")
        if data.get("scenario") not in (None, self.scenario_id):
            raise InputError(
                f"{self.path}: candidates of scenario {data.get('scenario')!r}, "
                f"not {self.scenario_id!r}"
            )
        fields = set(Candidate.__dataclass_fields__)
        for i, raw in enumerate(data.get("candidates") or []):
            if not isinstance(raw, dict) or not {"intent", "text", "generator"} <= set(raw):
                raise InputError(f"{self.path}: candidate #{i + 1} needs intent, text, generator")
            cand = Candidate(**{k: v for k, v in raw.items() if k in fields})
            self._items[cand.id] = cand

    def save(self) -> Path:
        """Write the file atomically; returns its path."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        yaml = YAML()
        yaml.width = 4096
        yaml.allow_unicode = True
        buf = StringIO()
        doc: dict[str, Any] = {
            "format": STORE_FORMAT,
            "scenario": self.scenario_id,
            "candidates": [
                {k: v for k, v in asdict(c).items() if v is not None} for c in self._items.values()
            ],
        }
        yaml.dump(doc, buf)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".candidates-", suffix=".yml")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(buf.getvalue())
        os.replace(tmp, self.path)
        return self.path

    def __iter__(self) -> Iterator[Candidate]:
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def get(self, cid: str) -> Candidate | None:
        """The candidate with id ``cid`` (a unique prefix is enough)."""
        if cid in self._items:
            return self._items[cid]
        hits = [c for k, c in self._items.items() if k.startswith(cid)]
        return hits[0] if len(hits) == 1 else None

    def add(self, candidates: Iterable[Candidate]) -> list[Candidate]:
        """Add new candidates; one already stored (same intent and text) is kept as it was.

        Returns:
            The candidates actually added.
        """
        added = []
        for c in candidates:
            if c.id not in self._items:
                self._items[c.id] = c
                added.append(c)
        return added

    def put(self, candidate: Candidate) -> None:
        """Store ``candidate``, replacing the one with the same id."""
        self._items[candidate.id] = candidate

    def set_state(self, cid: str, state: ReviewState, reason: str | None = None) -> Candidate:
        """Accept or reject one candidate by id (or unique id prefix).

        Raises:
            InputError: no candidate has that id.
        """
        cand = self.get(cid)
        if cand is None:
            raise InputError(f"no candidate {cid!r} in {self.path}")
        new = replace(cand, state=state, reason=reason if state == "rejected" else None)
        self._items[new.id] = new
        return new

    def select(
        self,
        *,
        state: ReviewState | None = None,
        intent: str | None = None,
        kind: str | None = "utterance",
    ) -> list[Candidate]:
        """The candidates in ``state`` of ``intent`` and ``kind`` (``None`` matches any)."""
        return [
            c
            for c in self._items.values()
            if (state is None or c.state == state)
            and (intent is None or c.intent == intent)
            and (kind is None or c.kind == kind)
        ]

    def counts(self) -> Counter[str]:
        """Number of candidates per state."""
        return Counter(c.state for c in self._items.values())

    def reasons(self) -> Counter[str]:
        """Number of rejected candidates per reason (``label_conflict:x`` counted as one)."""
        return Counter(
            (c.reason or "author").split(":")[0]
            for c in self._items.values()
            if c.state == "rejected"
        )
