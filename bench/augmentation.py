"""What augmentation is worth: intent accuracy and slot F1 with (a)-(d) training conditions.

Conditions, on SNIPS (validation split) and on the shipped scenarios (their held-out files,
``scenarios/heldout/*.yaml``, phrasings no generator saw):

- (a) intent descriptions only: the embedded model's zero-shot utterances train the NLU;
- (b) 5 examples per intent (seeded sample);
- (c) (b) plus augmentation: deterministic augmenters alone, and deterministic + the embedded
  model (few-shot paraphrases and slot templates); every candidate the screen keeps is
  accepted (no human review: a lower bound of what review gives);
- (d) full training data (SNIPS train: 13,084 utterances; a scenario: all its examples);
- (e) scenarios only: all examples plus the deterministic augmenters (what an author ships).

The NLU is the ``classical`` engine of ``nlu.base`` (``AUG_BENCH_ENGINE=encoder`` etc. for
another). "gap closed" = (c - b) / (d - b).

Run: ``.venv/bin/python -m bench augmentation``. Environment: ``AUG_BENCH_PARTS=snips,scenarios``,
``AUG_BENCH_SCENARIOS=restaurant-ko,restaurant-en``, ``AUG_BENCH_LLM=1`` (0: deterministic
only), ``AUG_BENCH_LLM_N=12`` (LLM candidates per intent on SNIPS; 4 on scenarios),
``AUG_BENCH_THREADS=2``, ``AUG_BENCH_ZERO_SHOT=snips`` (where to run condition (a): ``snips``
and/or scenario ids; on a loaded machine a grammar-constrained call can take minutes, see
docs/authoring.md). LLM calls are bounded: on SNIPS 2 zero-shot calls and up to 5
few-shot calls per intent, on the scenarios 1 of each per intent. SNIPS is read from
``../shared/data/nlu-benchmarks`` (or ``$NLU_BENCH_DATA``) and skipped with a message when
absent. Measured: SNIPS part 8 minutes (full training 2-4.5 of them), scenario part 15 minutes
on 2 cores shared with other work (LLM calls 7-28 s each there, ~3 s on an idle core); about
1 minute in all with ``AUG_BENCH_LLM=0 AUG_BENCH_PARTS=scenarios``.
"""

from __future__ import annotations

import os
import random
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from authoring.candidates import Candidate
from authoring.domain import AuthoringDomain, annotate_example
from authoring.pipeline import augment
from authoring.training import heldout_path, load_heldout, training_data_with
from nlu.base import engine_class
from nlu.evaluate import evaluate
from nlu.rasa_format import read_rasa_nlu
from nlu.training import Example, TrainingData, training_data_from_scenario
from scenarios.loader import load_scenarios

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("NLU_BENCH_DATA", ROOT.parent / "shared" / "data" / "nlu-benchmarks"))
PARTS = os.environ.get("AUG_BENCH_PARTS", "snips,scenarios").split(",")
SCENARIOS = os.environ.get("AUG_BENCH_SCENARIOS", "restaurant-ko,restaurant-en").split(",")
USE_LLM = os.environ.get("AUG_BENCH_LLM", "1") == "1"
ZERO_SHOT = os.environ.get("AUG_BENCH_ZERO_SHOT", "snips").split(",")
LLM_N = int(os.environ.get("AUG_BENCH_LLM_N", "12"))
THREADS = int(os.environ.get("AUG_BENCH_THREADS", "2"))
ENGINE = os.environ.get("AUG_BENCH_ENGINE", "classical")
TODAY = date(2026, 1, 5)
SHOTS = 5

#: written for this benchmark from the intent names (SNIPS has no descriptions)
SNIPS_DESCRIPTIONS = {
    "AddToPlaylist": "The user wants to add a song, an artist or an album to a playlist.",
    "BookRestaurant": "The user wants to book a table at a restaurant.",
    "GetWeather": "The user asks for the weather forecast somewhere or at some time.",
    "PlayMusic": "The user wants to play a song, an artist, an album or some music.",
    "RateBook": "The user gives a rating to a book.",
    "SearchCreativeWork": "The user looks for a book, a film, a song, a TV show or a game.",
    "SearchScreeningEvent": "The user looks for movie showtimes or cinemas showing a film.",
}

SAMPLES: list[tuple[str, Candidate]] = []


def _llm() -> Any:
    if not USE_LLM:
        return None
    from nlg.llm import LlamaCppClient, llama_cpp_build_works

    works, detail = llama_cpp_build_works()
    if not works:
        print(f"no embedded model: {detail}")
        return None
    llm = LlamaCppClient(n_ctx=1024, n_threads=THREADS, timeout=120)
    llm.load()
    return llm


def _score(data: TrainingData, valid: list[Example], threshold: float = 0.0) -> tuple[float, float]:
    engine = engine_class(ENGINE)(oos_threshold=threshold)
    engine.train(data)
    rep = evaluate(engine, valid, today=TODAY)
    return rep.intent_accuracy, rep.slots.f1


def _shots(examples: list[Example], k: int, seed: int = 0) -> list[Example]:
    by: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        by[e.intent].append(e)
    rng = random.Random(seed)
    return [x for intent in by for x in rng.sample(by[intent], min(k, len(by[intent])))]


def _with(base: TrainingData, examples: list[Example]) -> TrainingData:
    return TrainingData(
        examples=list(examples),
        lookups=base.lookups,
        slot_types=base.slot_types,
        categories=base.categories,
        multiple=base.multiple,
        synonyms=base.synonyms,
        language=base.language,
        domain=base.domain,
    )


def _accept_all(cands: list[Candidate], label: str) -> list[Candidate]:
    for c in cands[:: max(1, len(cands) // 6)]:
        SAMPLES.append((label, c))
    return [c.accepted() for c in cands if c.state == "pending"]


def _rows(
    name: str,
    base: TrainingData,
    full: list[Example],
    valid: list[Example],
    domain_of: Any,
    llm: Any,
    llm_n: int,
    threshold: float,
    calls: int | None = None,
) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    few = _shots(full, SHOTS)
    t0 = time.perf_counter()
    b = _score(_with(base, few), valid, threshold)
    d = _score(_with(base, full), valid, threshold)
    print(f"  {name}: (b) and (d) trained in {time.perf_counter() - t0:.0f} s", flush=True)

    def row(cond: str, aug: str, n: int, score: tuple[float, float]) -> None:
        gi = (score[0] - b[0]) / (d[0] - b[0]) if d[0] != b[0] else 0.0
        gs = (score[1] - b[1]) / (d[1] - b[1]) if d[1] != b[1] else 0.0
        closed = f"{gi:+.0%} / {gs:+.0%}" if cond.startswith("(c)") else ""
        rows.append((name, cond, aug, str(n), f"{score[0]:.1%}", f"{score[1]:.1%}", closed))
        print("  " + "  ".join(rows[-1]), flush=True)

    if llm is not None and (name == "SNIPS" and "snips" in ZERO_SHOT or name in ZERO_SHOT):
        t0 = time.perf_counter()
        domain = domain_of([])
        zs = augment(
            domain, n=max(3, llm_n // 2), llm=llm, zero_shot=True, seed=1, max_calls=calls or 2
        )
        acc = _accept_all(zs, f"{name} zero-shot")
        data = training_data_with(_with(base, []), acc)
        if len(data.intents) >= 2:
            row(
                "(a) descriptions",
                "embedded LLM",
                len(data.examples),
                _score(data, valid, threshold),
            )
        print(f"  (a) took {time.perf_counter() - t0:.0f} s", flush=True)
    row("(b) 5 per intent", "-", len(few), b)
    domain = domain_of(few)
    det = _accept_all(augment(domain, n=40, seed=1), f"{name} deterministic")
    data = training_data_with(_with(base, few), det)
    row("(c) 5 + augmented", "deterministic", len(data.examples), _score(data, valid, threshold))
    if llm is not None:
        t0 = time.perf_counter()
        gen = augment(
            domain, n=llm_n, llm=llm, deterministic=False, seed=1, accepted=det, max_calls=calls
        )
        both = det + _accept_all(gen, f"{name} LLM")
        data = training_data_with(_with(base, few), both)
        row(
            "(c) 5 + augmented", "determ. + LLM", len(data.examples), _score(data, valid, threshold)
        )
        print(f"  (c) LLM took {time.perf_counter() - t0:.0f} s", flush=True)
    row("(d) full", "-", len(full), d)
    if len(full) < 2000:  # what an author does: every example, plus the augmenters
        aug = _accept_all(augment(domain_of(full), n=40, seed=1), f"{name} full+det")
        data = training_data_with(_with(base, full), aug)
        row(
            "(e) full + augmented",
            "deterministic",
            len(data.examples),
            _score(data, valid, threshold),
        )
    return rows


def snips(llm: Any) -> list[tuple[str, ...]]:
    train_path, valid_path = DATA / "snips_train.yml", DATA / "snips_valid.yml"
    if not (train_path.is_file() and valid_path.is_file()):
        print(f"skip SNIPS: no {train_path.name}/{valid_path.name} in {DATA}")
        return []
    train, valid = read_rasa_nlu(train_path), read_rasa_nlu(valid_path)
    train.language = "en"

    def domain_of(examples: list[Example]) -> AuthoringDomain:
        return AuthoringDomain.from_training_data(
            _with(train, examples), SNIPS_DESCRIPTIONS, name="snips"
        )

    return _rows(
        "SNIPS", _with(train, []), train.examples, valid.examples, domain_of, llm, LLM_N, 0.0
    )


def scenarios(llm: Any) -> list[tuple[str, ...]]:
    rows = []
    known = load_scenarios()
    for sid in SCENARIOS:
        sc = known[sid]
        path = heldout_path(sid)
        if not path.is_file():
            print(f"skip {sid}: no held-out file {path}")
            continue
        _, valid = load_heldout(path)
        base = training_data_from_scenario(sc)
        full = base.examples
        scenario_domain = AuthoringDomain.from_scenario(sc)

        def domain_of(
            examples: list[Example], d: AuthoringDomain = scenario_domain
        ) -> AuthoringDomain:
            by: dict[str, list[str]] = {k: [] for k in d.descriptions}
            for e in examples:
                by[e.intent].append(annotate_example(e))
            return AuthoringDomain(
                d.language, d.name, d.descriptions, by, d.slot_types, d.categories,
                d.out_of_scope, d.threshold,
            )  # fmt: skip

        rows += _rows(sid, base, full, valid, domain_of, llm, 4, sc.globals.intent_threshold, 1)
    return rows


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    import torch

    torch.set_num_threads(THREADS)
    llm = _llm()
    rows: list[tuple[str, ...]] = []
    if "snips" in PARTS:
        rows += snips(llm)
    if "scenarios" in PARTS:
        rows += scenarios(llm)
    if rows:
        header = (
            "data",
            "condition",
            "augmenter",
            "train utt.",
            "intent acc",
            "slot F1",
            "gap closed (intent / slot)",
        )
        print()
        print(_table(header, rows))
    if SAMPLES:
        print("\nsample candidates (state, reason, generator, text):")
        for label, c in SAMPLES[:80]:
            print(
                f"  {label:28} {c.intent:20} {c.state:8} {c.reason or '':24} {c.generator:15} {c.text}"
            )
