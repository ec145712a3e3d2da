"""NLU from descriptions only: the MiniLM description prior, description frames, both.

Parts (``ZS_BENCH_PARTS=snips,scenarios``):

- **SNIPS** (train on what the condition allows, scored on the 700 validation utterances):
  (a) the 7 intents' descriptions only (:data:`SNIPS_SPEC`, written for this benchmark from
  the intent names and SNIPS's slot inventory, one or two sentences each with the slots in
  braces and a few values per slot; never tuned on validation): the prior alone, the
  classical engine on description frames, and the ``prior`` engine (frames + prior) at the
  prior weights tried, the weight picked on 700 SNIPS *train* utterances;
  (b) 5 examples per intent; (c) 5 examples + frames + prior; (d) full train.
- **Scenarios** (``ZS_BENCH_SCENARIOS``, default restaurant-ko, carecall-ko, restaurant-en,
  carecall-en): every example removed, the scenario rebuilt from its intent descriptions
  (frames of the descriptions, the task slots, stock dialogue acts) against the hand-written
  examples, on the scenario's held-out file (``scenarios/heldout/``).

Run: ``.venv/bin/python -m bench zero_shot`` (``ZS_BENCH_FULL=0`` skips training SNIPS's full
data, 2-4 minutes). SNIPS is read from ``../shared/data/nlu-benchmarks`` (or
``$NLU_BENCH_DATA``) and skipped with a message when absent.
"""

from __future__ import annotations

import os
import random
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from authoring.domain import AuthoringDomain
from authoring.frames import FRAME_GENERATOR, frame_candidates
from authoring.training import heldout_path, load_heldout, training_data_with
from nlu.base import engine_class
from nlu.evaluate import evaluate
from nlu.rasa_format import read_rasa_nlu
from nlu.training import Example, TrainingData, training_data_from_scenario
from nlu.zeroshot import PriorEngine
from scenarios.loader import load_scenarios

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("NLU_BENCH_DATA", ROOT.parent / "shared" / "data" / "nlu-benchmarks"))
PARTS = os.environ.get("ZS_BENCH_PARTS", "snips,scenarios").split(",")
SCENARIOS = os.environ.get(
    "ZS_BENCH_SCENARIOS", "restaurant-ko,carecall-ko,restaurant-en,carecall-en"
).split(",")
FULL = os.environ.get("ZS_BENCH_FULL", "1") == "1"
THREADS = int(os.environ.get("ZS_BENCH_THREADS", "2"))
FRAMES_N = int(os.environ.get("ZS_BENCH_FRAMES", "60"))
WEIGHTS = (0.25, 0.5, 0.75)
TODAY = date(2026, 1, 5)
SHOTS = 5

#: SNIPS as an author would describe it: one or two sentences per intent, the slots in
#: braces, a few values per slot. Written from the intent and slot names; never tuned on
#: validation utterances.
SNIPS_SPEC: dict[str, str] = {
    "AddToPlaylist": "The user wants to add {entity_name}, {artist} or this {music_item} to "
    "{playlist_owner} playlist {playlist}.",
    "BookRestaurant": "The user wants to book a table at {restaurant_name} for "
    "{party_size_number} people {timeRange}. The user wants to reserve a {restaurant_type} "
    "in {city} that serves {served_dish}.",
    "GetWeather": "The user asks for the weather forecast in {city} {timeRange}. The user asks "
    "whether it will be {condition_description} in {state}.",
    "PlayMusic": "The user wants to play {artist}, {track}, {album} or some {genre} music on "
    "{service}.",
    "RateBook": "The user gives {rating_value} out of {best_rating} {rating_unit} to "
    "{object_select} {object_type}. The user wants to rate {object_name} {rating_value} "
    "{rating_unit}.",
    "SearchCreativeWork": "The user looks for a {object_type} called {object_name}. The user "
    "wants to find the {object_type} {object_name}.",
    "SearchScreeningEvent": "The user looks for the schedule of {movie_name} at "
    "{location_name}. The user looks for {object_location_type} showing {movie_type} "
    "{timeRange}.",
}

#: a few values per slot, written with the descriptions (not taken from the data)
SNIPS_VALUES: dict[str, list[str]] = {
    "entity_name": ["yesterday", "hotel california", "blue in green", "clair de lune"],
    "artist": ["taylor swift", "miles davis", "the beatles", "adele", "bob marley"],
    "music_item": ["song", "track", "album", "tune", "artist"],
    "playlist_owner": ["my", "our"],
    "playlist": ["chill vibes", "workout mix", "road trip", "jazz classics", "sunday morning"],
    "restaurant_name": ["the olive garden", "joe's diner", "golden dragon"],
    "party_size_number": ["two", "4", "six", "3"],
    "timeRange": ["tomorrow", "tonight", "at 7 pm", "next friday", "this weekend", "now"],
    "restaurant_type": ["restaurant", "bar", "pub", "diner", "cafe"],
    "city": ["paris", "chicago", "seoul", "boston", "austin"],
    "served_dish": ["pizza", "sushi", "tapas", "noodles"],
    "condition_description": ["rainy", "snowy", "sunny", "cloudy", "foggy"],
    "state": ["california", "texas", "ohio", "alaska"],
    "track": ["bohemian rhapsody", "imagine", "let it be"],
    "album": ["thriller", "abbey road", "nevermind"],
    "genre": ["jazz", "rock", "pop", "hip hop", "classical"],
    "service": ["spotify", "youtube", "deezer", "pandora"],
    "rating_value": ["4", "five", "3", "one", "6"],
    "best_rating": ["5", "6", "10"],
    "rating_unit": ["stars", "points"],
    "object_select": ["this", "the current", "that"],
    "object_type": ["book", "novel", "movie", "game", "tv show", "song", "album"],
    "object_name": ["the hobbit", "war and peace", "the matrix", "dune", "hamlet"],
    "movie_name": ["the matrix", "frozen", "inception", "jaws"],
    "location_name": ["amc theaters", "regal cinemas", "the grand cinema"],
    "object_location_type": ["movie theatre", "cinema", "movie house"],
    "movie_type": ["animated movies", "films", "movies", "horror films"],
}


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
        descriptions=dict(base.descriptions),
    )


def _score(
    engine: str, data: TrainingData, valid: list[Example], threshold: float = 0.0, **kw: Any
) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    model = engine_class(engine)(oos_threshold=threshold, **kw)
    model.train(data)
    if isinstance(model, PriorEngine) and model._prior is not None:
        model._prior.warm([e.text for e in valid])  # batches: once per process, then cached
    rep = evaluate(model, valid, today=TODAY)
    return rep.intent_accuracy, rep.slots.f1, time.perf_counter() - t0


def _shots(examples: list[Example], k: int, seed: int = 0) -> list[Example]:
    by: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        by[e.intent].append(e)
    rng = random.Random(seed)
    return [x for intent in by for x in rng.sample(by[intent], min(k, len(by[intent])))]


def _frames(domain: AuthoringDomain, n: int = FRAMES_N, *, stock: bool = True) -> list[Any]:
    rng = random.Random(1)
    out = []
    for intent in domain.intents:
        out += [c.accepted() for c in frame_candidates(domain, intent, n, rng, stock=stock)]
    return out


ROWS: list[tuple[str, ...]] = []


def _row(*cells: str) -> None:
    ROWS.append(cells)
    print("  " + " | ".join(cells), flush=True)


def _fmt(score: tuple[float, float, float]) -> tuple[str, str, str]:
    return f"{score[0]:.1%}", f"{score[1]:.1%}", f"{score[2]:.0f} s"


def snips() -> None:
    train_path, valid_path = DATA / "snips_train.yml", DATA / "snips_valid.yml"
    if not (train_path.is_file() and valid_path.is_file()):
        print(f"skip SNIPS: no {train_path.name}/{valid_path.name} in {DATA}")
        return
    train, valid = read_rasa_nlu(train_path), read_rasa_nlu(valid_path).examples
    train.language = "en"
    base = _with(train, [])
    base.descriptions = dict(SNIPS_SPEC)
    for slot in SNIPS_VALUES:
        base.slot_types.setdefault(slot, "text")
    tune = random.Random(7).sample(train.examples, 700)  # weights are picked here
    domain = AuthoringDomain(
        "en", "snips", dict(SNIPS_SPEC), {k: [] for k in SNIPS_SPEC},
        slot_types={k: "text" for k in SNIPS_VALUES}, slot_examples=SNIPS_VALUES,
    )  # fmt: skip
    frames = _frames(domain)
    data = training_data_with(base, frames)
    print(f"  SNIPS: {len(data.examples)} frame utterances from the descriptions", flush=True)
    n = str(len(data.examples))
    _row("SNIPS", "(a) descriptions", "prior alone (MiniLM)", "0", *_fmt(
        _score("prior", _with(base, []), valid)))  # fmt: skip
    _row("SNIPS", "(a) descriptions", "classical on frames", n, *_fmt(
        _score("classical", data, valid)))  # fmt: skip
    best_w, best_acc = WEIGHTS[0], -1.0
    for w in WEIGHTS:
        acc_tune = _score("prior", data, tune, prior_weight=w)[0]
        res = _score("prior", data, valid, prior_weight=w)
        _row("SNIPS", "(a) descriptions", f"prior engine w={w} (train {acc_tune:.1%})", n,
             *_fmt(res))  # fmt: skip
        if acc_tune > best_acc:
            best_w, best_acc = w, acc_tune
    print(f"  weight picked on SNIPS train: {best_w}", flush=True)
    few = _shots(train.examples, SHOTS)
    b = _score("classical", _with(base, few), valid)
    _row("SNIPS", "(b) 5 per intent", "classical", str(len(few)), *_fmt(b))
    bp = _score("prior", _with(base, few), valid, prior_weight=best_w)
    _row("SNIPS", "(b) 5 per intent", f"prior engine w={best_w}", str(len(few)), *_fmt(bp))
    both = training_data_with(_with(base, few), frames)
    c = _score("prior", both, valid, prior_weight=best_w)
    c_cls = _score("classical", both, valid)
    d = None
    if FULL:
        d = _score("classical", _with(base, train.examples), valid)
    for label, sc in (("classical", c_cls), (f"prior engine w={best_w}", c)):
        gap = ""
        if d is not None and d[0] != b[0]:
            gap = f"{(sc[0] - b[0]) / (d[0] - b[0]):+.0%} / {(sc[1] - b[1]) / (d[1] - b[1]):+.0%}"
        _row("SNIPS", "(c) 5 + frames", label, str(len(both.examples)), *_fmt(sc), gap)
    if d is not None:
        _row("SNIPS", "(d) full train", "classical", str(len(train.examples)), *_fmt(d))


def scenarios() -> None:
    known = load_scenarios()
    for sid in SCENARIOS:
        sc = known[sid]
        path = heldout_path(sid)
        if not path.is_file():
            print(f"skip {sid}: no held-out file {path}")
            continue
        _, valid = load_heldout(path)
        th = sc.globals.intent_threshold
        full = training_data_from_scenario(sc)
        _row(sid, "hand-written examples", "classical", str(len(full.examples)), *_fmt(
            _score("classical", full, valid, th)))  # fmt: skip
        _row(sid, "hand-written examples", "prior engine", str(len(full.examples)), *_fmt(
            _score("prior", full, valid, th)))  # fmt: skip
        domain = AuthoringDomain.from_scenario(sc)
        domain.examples = {k: [] for k in domain.examples}
        empty = _with(full, [])
        _row(sid, "descriptions only", "prior alone (MiniLM)", "0", *_fmt(
            _score("prior", empty, valid, th)))  # fmt: skip
        for stock in (False, True):
            frames = _frames(domain, stock=stock)
            data = training_data_with(empty, frames)
            what = "frames + stock acts" if stock else "frames, no stock acts"
            n = str(len(data.examples))
            if len(data.intents) < 2:  # the stock acts were all there was to learn from
                _row(sid, f"descriptions: {what}", "classical", n, "n/a: one intent")
            else:
                _row(sid, f"descriptions: {what}", "classical", n, *_fmt(
                    _score("classical", data, valid, th)))  # fmt: skip
            _row(sid, f"descriptions: {what}", "prior engine", n, *_fmt(
                _score("prior", data, valid, th)))  # fmt: skip


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    rows = [r + ("",) * (len(header) - len(r)) for r in rows]
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
    if "snips" in PARTS:
        snips()
    if "scenarios" in PARTS:
        scenarios()
    if ROWS:
        header = ("data", "condition", "NLU", "train utt.", "intent acc", "slot F1", "train+eval",
                  "gap closed (intent / slot)")  # fmt: skip
        print()
        print(_table(header, ROWS))
    print(f"(frames: generator {FRAME_GENERATOR!r}, up to {FRAMES_N} per intent)")
