"""The clinic and salon NLU on real users' appointment turns: SGD Services_1–4, train and dev only.

The Schema-Guided Dialogue dataset (google-research-datasets/dstc8-schema-guided-dialogue,
CC BY-SA 4.0) has crowd-sourced users booking hair stylists (Services_1), dentists (Services_2),
doctors (Services_3) and therapists (Services_4). None of its turns is in a scenario: the shipped
``salon-en`` (for Services_1) and ``clinic-en`` (Services_2–4) are scored on them as they are,
with the NLU live calls use (the scenario's default engine trained on the scenario file).

Scored, per scenario and split:

- **intent**: every user turn whose SGD acts say ``INFORM_INTENT BookAppointment`` (our ``book``)
  or ``INFORM_INTENT FindProvider`` (our ``find_provider``): the NLU's intent must be that one.
- **dates / times**: every user turn that informs ``appointment_date`` / ``appointment_time``:
  the NLU's ``date`` / ``time`` value must equal SGD's canonical value (``2019-03-07``,
  ``16:30``). SGD's "today" is Friday 2019-03-01 (its canonical values say so), so relative
  dates resolve against it. A time said without am/pm ("at 4") is resolved as a call resolves it:
  the later hour when the business is open then. When the system asked for the date or time just
  before, the parser is told so (``expected``), as in a call.

Data: ``$AICALL_SGD_DIR`` or ``../shared/data/sgd``, laid out as in the dataset's repository
(``train/dialogues_*.json``, ``dev/dialogues_*.json``; only dialogues of Services_1–4 are read,
so a folder holding just those is enough). The ``test`` split is never read. Missing data skips
the benchmark with a message saying how to get it (docs/booking.md).

Run: ``.venv/bin/python -m bench booking_sgd``; ``BOOKING_SGD_ENGINE=joint`` scores another
engine.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any, cast

from authoring.training import heldout_path, load_heldout
from nlu.base import NLUEngine
from nlu.config import DEFAULT_ENGINE, UtteranceParser, scenario_parser
from nlu.evaluate import evaluate
from nlu.types import NLUResult
from scenarios.loader import load_scenarios
from scenarios.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("AICALL_SGD_DIR", ROOT.parent / "shared" / "data" / "sgd"))
ENGINE = os.environ.get("BOOKING_SGD_ENGINE", DEFAULT_ENGINE)
SPLITS = ("train", "dev")  # never "test"
SGD_TODAY = date(2019, 3, 1)  # SGD's canonical values put "today" on Friday 1 March 2019

#: SGD service -> the shipped scenario scored on it.
SERVICES = {
    "Services_1": "salon-en",  # hair stylists
    "Services_2": "clinic-en",  # dentists
    "Services_3": "clinic-en",  # doctors
    "Services_4": "clinic-en",  # therapists
}
HELDOUT = ("clinic-ko", "salon-ko", "clinic-en", "salon-en")
INTENTS = {"BookAppointment": "book", "FindProvider": "find_provider"}
_RELATIVE = re.compile(
    r"today|tomorrow|day after|next|this|week|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday",
    re.IGNORECASE,
)


@dataclass
class Turn:
    """One user turn of SGD with what it should be understood as."""

    split: str
    service: str
    text: str
    intent: str | None  # book / find_provider when the turn states one
    date: date | None
    date_text: str | None
    time: time | None
    expected: str | None  # the slot the system asked for just before


@dataclass
class Score:
    """Counts of one scenario and split."""

    turns: int = 0
    intent_n: int = 0
    intent_ok: int = 0
    by_intent: Counter[tuple[str, str]] = field(default_factory=Counter)
    date_n: int = 0
    date_ok: int = 0
    explicit_n: int = 0
    explicit_ok: int = 0
    time_n: int = 0
    time_ok: int = 0
    misses: list[str] = field(default_factory=list)


def read_turns(root: Path) -> list[Turn]:
    """The user turns of Services_1–4 in ``root/train`` and ``root/dev``."""
    out: list[Turn] = []
    for split in SPLITS:
        for path in sorted((root / split).glob("dialogues_*.json")):
            for dialogue in json.loads(path.read_text(encoding="utf-8")):
                if any(s in SERVICES for s in dialogue["services"]):
                    out.extend(_turns(split, dialogue))
    return out


def _turns(split: str, dialogue: dict[str, Any]) -> list[Turn]:
    out: list[Turn] = []
    asked: str | None = None
    for turn in dialogue["turns"]:
        frames = [f for f in turn["frames"] if f["service"] in SERVICES]
        if turn["speaker"] == "SYSTEM":
            asked = None
            for frame in frames:
                for act in frame["actions"]:
                    if act["act"] == "REQUEST" and act["slot"] == "appointment_date":
                        asked = "date"
                    elif act["act"] == "REQUEST" and act["slot"] == "appointment_time":
                        asked = "time"
            continue
        for frame in frames:
            intent = day = hour = day_text = None
            for act in frame["actions"]:
                values = act["canonical_values"]
                if act["act"] == "INFORM_INTENT" and values and values[0] in INTENTS:
                    intent = INTENTS[values[0]]
                elif act["act"] == "INFORM" and act["slot"] == "appointment_date" and values:
                    day = date.fromisoformat(values[0])
                    day_text = act["values"][0]
                elif act["act"] == "INFORM" and act["slot"] == "appointment_time" and values:
                    hour = time.fromisoformat(values[0])
            if intent or day or hour:
                out.append(
                    Turn(
                        split,
                        frame["service"],
                        turn["utterance"],
                        intent,
                        day,
                        day_text,
                        hour,
                        asked,
                    )  # fmt: skip
                )
    return out


def resolve_hour(value: time, ambiguous: bool, sc: Scenario) -> time:
    """A time said without am/pm: the later hour when the business is open then."""
    business = sc.booking
    if not ambiguous or value.hour >= 12 or business is None:
        return value
    later = value.replace(hour=value.hour + 12)
    for hours in business.hours.values():
        if hours.open <= later < hours.close:
            return later
    return value


def score_turn(score: Score, turn: Turn, result: NLUResult, sc: Scenario) -> None:
    """Add one parsed turn to ``score``."""
    score.turns += 1
    wrong: list[str] = []
    if turn.intent is not None:
        score.intent_n += 1
        score.by_intent[(turn.intent, result.intent)] += 1
        if result.intent == turn.intent:
            score.intent_ok += 1
        else:
            wrong.append(f"intent {result.intent} (want {turn.intent})")
    if turn.date is not None:
        got = result.slot("date")
        ok = got is not None and got.value == turn.date
        explicit = not _RELATIVE.search(turn.date_text or "")
        score.date_n += 1
        score.date_ok += ok
        score.explicit_n += explicit
        score.explicit_ok += ok and explicit
        if not ok:
            wrong.append(f"date {got.value if got else None} (want {turn.date})")
    if turn.time is not None:
        got = result.slot("time")
        value = resolve_hour(got.value, got.ambiguous, sc) if got is not None else None
        ok = value == turn.time
        score.time_n += 1
        score.time_ok += ok
        if not ok:
            wrong.append(f"time {value} (want {turn.time})")
    if wrong:
        score.misses.append(f"{turn.text!r}: {', '.join(wrong)}")


def _pct(ok: int, n: int) -> str:
    return f"{ok}/{n} ({ok / n:.1%})" if n else "–"


def heldout() -> None:
    """Score the clinic and salon NLU on their hand-written held-out files (never trained on)."""
    scenarios = load_scenarios()
    confusions: dict[str, str] = {}
    print("Held-out phrasings (scenarios/heldout/, written by hand, never trained on)")
    print()
    print(
        "| scenario | turns | intent accuracy | book / find_provider right | slot F1 (exact spans) |"
    )
    print("|---|---:|---:|---:|---:|")
    for sid in HELDOUT:
        _, examples = load_heldout(heldout_path(sid))
        parser = scenario_parser(scenarios[sid], engine=ENGINE)
        rep = evaluate(cast(NLUEngine, parser), examples, today=date(2026, 11, 25))
        key = [e for e in examples if e.intent in ("book", "find_provider")]
        ok = sum(parser.parse(e.text, today=date(2026, 11, 25)).intent == e.intent for e in key)
        print(
            f"| {sid} | {rep.n} | {_pct(rep.intent_correct, rep.n)} | {_pct(ok, len(key))} | "
            f"{rep.slots.f1:.1%} |"
        )
        confusions[sid] = ", ".join(
            f"{gold} -> {pred} {n}" for (gold, pred), n in rep.confusions.most_common(5)
        )
    print()
    for sid, text in confusions.items():
        print(f"{sid} confusions (want -> got): {text or 'none'}")
    print()


def main() -> None:
    """The held-out table, then salon-en and clinic-en on SGD Services_1–4 (train, dev)."""
    heldout()
    if not any((DATA / s).is_dir() for s in SPLITS):
        print(
            f"skip: no SGD data in {DATA} (set AICALL_SGD_DIR to a copy of "
            "google-research-datasets/dstc8-schema-guided-dialogue with train/ and dev/; "
            "docs/booking.md says how)"
        )
        return
    turns = read_turns(DATA)
    if not turns:
        print(f"skip: no Services_1-4 dialogues in {DATA}/train or {DATA}/dev")
        return
    scenarios = load_scenarios()
    parsers: dict[str, UtteranceParser] = {}
    scores: dict[tuple[str, str, str], Score] = {}
    for turn in turns:
        sid = SERVICES[turn.service]
        sc = scenarios[sid]
        parser = parsers.get(sid)
        if parser is None:
            parser = parsers[sid] = scenario_parser(sc, engine=ENGINE)
        expected = turn.expected if turn.intent is None else None
        result = parser.parse(turn.text, today=SGD_TODAY, expected=expected)
        keys = [(sid, turn.service, turn.split), (sid, "all", "all"), ("all", "all", "all")]
        for key in keys:
            score_turn(scores.setdefault(key, Score()), turn, result, sc)
    print(f"SGD Services_1-4 ({DATA}), engine {ENGINE}, today = {SGD_TODAY}")
    print()
    print(
        "| scenario | SGD service | split | user turns | intent book/find_provider | "
        "dates exact | of them explicit dates | times exact |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for (sid, service, split), s in sorted(
        scores.items(), key=lambda kv: (kv[0].count("all"), kv[0])
    ):
        print(
            f"| {sid} | {service} | {split} | {s.turns} | "
            f"{_pct(s.intent_ok, s.intent_n)} | {_pct(s.date_ok, s.date_n)} | "
            f"{_pct(s.explicit_ok, s.explicit_n)} | {_pct(s.time_ok, s.time_n)} |"
        )
    total = scores[("all", "all", "all")]
    print()
    print("intent confusions (want -> got):")
    for (want, got), n in total.by_intent.most_common():
        if want != got:
            print(f"  {want} -> {got}: {n}")
    print()
    print(f"first misses (of {len(total.misses)}):")
    for line in total.misses[:25]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
