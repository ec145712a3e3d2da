"""NLU benchmarks: SNIPS and ATIS (train on train, report validation), Korean robustness, OOS.

Run: ``.venv/bin/python -m bench nlu_benchmarks`` (all), or with environment variables
``NLU_BENCH_ENGINES=classical,joint``, ``NLU_BENCH_DATASETS=snips,atis``,
``NLU_BENCH_PARTS=public,korean`` and ``NLU_BENCH_THREADS=2`` to pick parts.
The data is read from ``../shared/data/nlu-benchmarks`` (or ``$NLU_BENCH_DATA``); missing data
skips that part with a message.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import torch

from nlu.base import OUT_OF_SCOPE, NLUEngine, engine_class
from nlu.evaluate import evaluate
from nlu.noise import insert_space, one_typo, remove_spaces
from nlu.training import Example, TrainingData, training_data_from_scenario
from scenarios.loader import load_scenarios
from scenarios.rasa import read_rasa_nlu

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("NLU_BENCH_DATA", ROOT.parent / "shared" / "data" / "nlu-benchmarks"))
ENGINES = os.environ.get("NLU_BENCH_ENGINES", "classical,joint").split(",")
DATASETS = os.environ.get("NLU_BENCH_DATASETS", "snips,atis").split(",")
PARTS = os.environ.get("NLU_BENCH_PARTS", "public,korean").split(",")
THREADS = int(os.environ.get("NLU_BENCH_THREADS", "2"))
TODAY = date(2026, 1, 5)
GLOBAL = {"affirm", "deny", "repeat", "human", "goodbye", "inform"}

#: Korean utterances of other domains, never in a shipped scenario.
OTHER_DOMAIN_KO = [
    "오늘 날씨 어때요",
    "주식 좀 추천해 주세요",
    "노래 한 곡 틀어 줘",
    "택시 좀 불러 주세요",
    "비행기표 예매하려고요",
    "보일러가 고장 났는데 수리 되나요",
    "휴대폰 요금제 바꾸고 싶어요",
    "택배가 아직 안 왔어요",
    "환율이 얼마예요",
    "영화 시간표 알려 주세요",
    "은행 계좌 만들고 싶어요",
    "지하철 막차가 몇 시예요",
    "축구 경기 결과 알려 줘",
    "세탁기 배송 언제 와요",
]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _engine(name: str) -> NLUEngine:
    cls = engine_class(name)
    return cls(threads=THREADS) if name == "joint" else cls()


def public() -> list[tuple[str, ...]]:
    rows = []
    for ds in DATASETS:
        train_path, valid_path = DATA / f"{ds}_train.yml", DATA / f"{ds}_valid.yml"
        if not (train_path.is_file() and valid_path.is_file()):
            print(f"skip {ds}: no {train_path.name}/{valid_path.name} in {DATA}")
            continue
        train, valid = read_rasa_nlu(train_path), read_rasa_nlu(valid_path)
        for name in ENGINES:
            torch.set_num_threads(THREADS)
            engine = _engine(name)
            t0 = time.perf_counter()
            engine.train(train)
            train_s = time.perf_counter() - t0
            torch.set_num_threads(1)
            for ex in valid.examples[:20]:  # warm-up
                engine.parse(ex.text, today=TODAY)
            rep = evaluate(engine, valid.examples, today=TODAY)
            tmp = Path(tempfile.mkdtemp(prefix="nlu-bench-"))
            try:
                engine.save(tmp)
                size = _size(tmp)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            rows.append(
                (
                    name,
                    ds,
                    f"{rep.intent_accuracy:.2%}",
                    f"{rep.slots.f1:.2%}",
                    f"{rep.sentence_accuracy:.2%}",
                    f"{train_s:.0f} s",
                    f"{rep.latency(0.5):.2f}/{rep.latency(0.99):.2f}",
                    f"{size / 1e6:.1f} MB",
                )
            )
            print("  ".join(rows[-1]), flush=True)
    return rows


def _folds(
    examples: list[Example], k: int, seed: int = 0
) -> list[tuple[list[Example], list[Example]]]:
    order = list(examples)
    random.Random(seed).shuffle(order)
    return [([e for j, e in enumerate(order) if j % k != i], order[i::k]) for i in range(k)]


def korean() -> list[tuple[str, ...]]:
    """5-fold cross-validation on each Korean scenario: clean vs noisy intent accuracy, OOS."""
    scenarios = {k: v for k, v in load_scenarios().items() if v.language == "ko"}
    rows = []
    for sid, sc in sorted(scenarios.items()):
        data = training_data_from_scenario(sc)
        others = [
            ex.text
            for oid, other in scenarios.items()
            if oid != sid
            for ex in training_data_from_scenario(other).examples
            if ex.intent not in GLOBAL and ex.intent not in sc.intents
        ] + OTHER_DOMAIN_KO
        for name in ENGINES:
            torch.set_num_threads(THREADS)
            rng = random.Random(1)
            counts = {"clean": 0, "nospace": 0, "space": 0, "typo": 0}
            n = 0
            in_scope_oos = 0
            train_s = []
            engines = []
            for train, test in _folds(data.examples, 5):
                fold = TrainingData(
                    examples=train,
                    lookups=data.lookups,
                    slot_types=data.slot_types,
                    categories=data.categories,
                    language="ko",
                    domain=sc.domain,
                )
                engine = _engine(name)
                engine.oos_threshold = sc.globals.intent_threshold
                t0 = time.perf_counter()
                engine.train(fold)
                train_s.append(time.perf_counter() - t0)
                engines.append(engine)
                for ex in test:
                    variants = {
                        "clean": ex.text,
                        "nospace": remove_spaces(ex.text),
                        "space": insert_space(ex.text, rng),
                        "typo": one_typo(ex.text, rng),
                    }
                    for key, text in variants.items():
                        res = engine.parse(text, today=TODAY)
                        counts[key] += res.intent == ex.intent
                    if ex.intent != OUT_OF_SCOPE:
                        in_scope_oos += engine.parse(ex.text, today=TODAY).intent == OUT_OF_SCOPE
                n += len(test)
            # out of scope: utterances of other scenarios' own intents and other domains
            tp = sum(engines[0].parse(t, today=TODAY).intent == OUT_OF_SCOPE for t in others)
            n_in = sum(1 for e in data.examples if e.intent != OUT_OF_SCOPE)
            precision = tp / (tp + in_scope_oos) if tp + in_scope_oos else 0.0
            recall = tp / len(others) if others else 0.0
            acc = {k: v / n for k, v in counts.items()}
            rows.append(
                (
                    name,
                    sid,
                    f"{acc['clean']:.1%}",
                    f"{acc['nospace']:.1%} ({(acc['nospace'] - acc['clean']) * 100:+.1f})",
                    f"{acc['space']:.1%} ({(acc['space'] - acc['clean']) * 100:+.1f})",
                    f"{acc['typo']:.1%} ({(acc['typo'] - acc['clean']) * 100:+.1f})",
                    f"{precision:.1%}/{recall:.1%} (n={len(others)}+{n_in})",
                    f"{sum(train_s) / len(train_s):.1f} s",
                )
            )
            print("  ".join(rows[-1]), flush=True)
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
    if "public" in PARTS:
        rows = public()
        if rows:
            header = (
                "engine",
                "dataset",
                "intent acc",
                "slot F1",
                "frame acc",
                "train",
                "parse p50/p99 ms",
                "model",
            )
            print(_table(header, rows))
    if "korean" in PARTS:
        rows = korean()
        header = (
            "engine",
            "scenario",
            "intent acc (5-fold)",
            "no spaces",
            "extra space",
            "one typo",
            "OOS P/R",
            "train",
        )
        print(_table(header, rows))


if __name__ == "__main__":
    main()
