"""NLU benchmarks: SNIPS and ATIS (train on train, report validation), Korean robustness, OOS.

Run: ``.venv/bin/python -m bench nlu_benchmarks`` (all), or with environment variables
``NLU_BENCH_ENGINES=classical,joint``, ``NLU_BENCH_DATASETS=snips,atis``,
``NLU_BENCH_PARTS=public,korean``, ``NLU_BENCH_THREADS=2`` and, for the joint model (alone or
in the ``ensemble`` engine), ``NLU_BENCH_JOINT_EPOCHS`` / ``NLU_BENCH_JOINT_SECONDS`` (its epoch
and wall-clock budgets); ``NLU_BENCH_ENCODER_EPOCHS`` / ``NLU_BENCH_ENCODER_SECONDS`` the same for
the ``encoder`` engine (fine-tuned MiniLM-L6).
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
from typing import Any

import torch

from nlu.base import OUT_OF_SCOPE, NLUEngine, engine_class
from nlu.evaluate import evaluate
from nlu.noise import insert_space, one_typo, remove_spaces
from nlu.rasa_format import read_rasa_nlu
from nlu.rules import RulesNLU
from nlu.training import Example, TrainingData, training_data_from_scenario
from scenarios.loader import load_scenarios
from scenarios.schema import Intent, Scenario

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


#: Held-out in-scope Korean utterances (written for this benchmark, not in the scenarios).
HELDOUT_KO: dict[str, list[tuple[str, str]]] = {
    "restaurant-ko": [
        ("토요일 저녁에 자리 하나 예약 부탁해요", "book"),
        ("모레 점심에 세 명 예약 가능할까요", "book"),
        ("다음 주 수요일 일곱 시 두 명이요 예약이요", "book"),
        ("예약을 좀 하고 싶은데요", "book"),
        ("금요일로 테이블 하나 잡아 주실 수 있나요", "book"),
        ("예약한 시간 좀 바꿀게요", "change_booking"),
        ("인원을 다섯 명으로 늘리고 싶어요", "change_booking"),
        ("예약 날짜를 변경하고 싶은데요", "change_booking"),
        ("예약 취소 좀 해 주세요", "cancel_booking"),
        ("일이 생겨서 예약 취소해야 할 것 같아요", "cancel_booking"),
        ("예약했던 거 취소할게요", "cancel_booking"),
        ("몇 시까지 영업하세요", "faq_hours"),
        ("일요일에도 문 여나요", "faq_hours"),
        ("주차할 곳 있나요", "faq_parking"),
        ("차 대기 편한가요 주차 되나요", "faq_parking"),
        ("혼자 가서 밥 먹어도 되나요", "faq_solo"),
        ("열다섯 명 단체로 가도 되나요", "faq_large_group"),
        ("와인 들고 가도 돼요", "faq_corkage"),
        ("네 그렇게 해 주세요", "affirm"),
        ("네 맞아요", "affirm"),
        ("아니요 그게 아니에요", "deny"),
        ("다시 한 번 말해 주실래요", "repeat"),
        ("직원분이랑 통화할 수 있을까요", "human"),
        ("네 감사합니다 끊을게요", "goodbye"),
    ],
    "carecall-ko": [
        ("밥은 잘 챙겨 먹었어요", "inform"),
        ("아침을 못 먹었어", "inform"),
        ("밤에 잠을 자꾸 깼어요", "inform"),
        ("무릎이 쑤셔요", "inform"),
        ("요즘 좀 우울해요", "inform"),
        ("쌀이 떨어졌어요", "inform"),
        ("아픈 데는 없어요", "inform"),
        ("네 맞습니다", "affirm"),
        ("예 그래요", "affirm"),
        ("아니에요 잘못 거셨어요", "deny"),
        ("뭐라고 하셨어요", "repeat"),
        ("잘 안 들리는데 다시 말해 줘요", "repeat"),
        ("담당 선생님 좀 바꿔 줘요", "human"),
        ("이제 끊을게요 수고해요", "goodbye"),
    ],
}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _engine(name: str) -> NLUEngine:
    cls = engine_class(name)
    if name == "encoder":
        enc: dict[str, Any] = {"threads": THREADS}
        if "NLU_BENCH_ENCODER_EPOCHS" in os.environ:
            enc["epochs"] = int(os.environ["NLU_BENCH_ENCODER_EPOCHS"])
        if "NLU_BENCH_ENCODER_SECONDS" in os.environ:
            enc["max_seconds"] = float(os.environ["NLU_BENCH_ENCODER_SECONDS"])
        return cls(**enc)
    if name not in ("joint", "ensemble"):
        return cls()
    kwargs: dict[str, Any] = {"threads": THREADS}
    if "NLU_BENCH_JOINT_EPOCHS" in os.environ:
        epochs = int(os.environ["NLU_BENCH_JOINT_EPOCHS"])
        if name == "ensemble":
            kwargs["joint_kwargs"] = {"epochs": epochs}
        else:
            kwargs["epochs"] = epochs
    if "NLU_BENCH_JOINT_SECONDS" in os.environ:
        kwargs["max_seconds"] = float(os.environ["NLU_BENCH_JOINT_SECONDS"])
    return cls(**kwargs)


def public() -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
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
                    f"{rep.ece():.3f}",
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


def _legacy(sc: Scenario, train: list[Example]) -> RulesNLU:
    """The first version (:class:`nlu.rules.RulesNLU`) trained on ``train``."""
    intents = {
        name: Intent(
            description=intent.description,
            examples=tuple(e.text for e in train if e.intent == name) or ("-",),
        )
        for name, intent in sc.intents.items()
    }
    return RulesNLU(sc.model_copy(update={"intents": intents}))


def _train(name: str, sc: Scenario, data: TrainingData, train: list[Example]) -> Any:
    """A model on ``train`` whose ``intent`` is always its best guess (threshold 0)."""
    if name == "scenario":
        return _legacy(
            sc.model_copy(
                update={"globals": sc.globals.model_copy(update={"intent_threshold": 0.0})}
            ),
            train,
        )
    engine = _engine(name)
    engine.oos_threshold = 0.0
    fold = TrainingData(
        examples=train,
        lookups=data.lookups,
        slot_types=data.slot_types,
        categories=data.categories,
        multiple=data.multiple,
        language="ko",
        domain=sc.domain,
    )
    return engine.train(fold)


def _noisy(examples: list[Example], seed: int) -> dict[str, list[tuple[str, str]]]:
    rng = random.Random(seed)
    return {
        "clean": [(e.text, e.intent) for e in examples],
        "nospace": [(remove_spaces(e.text), e.intent) for e in examples],
        "space": [(insert_space(e.text, rng), e.intent) for e in examples],
        "typo": [(one_typo(e.text, rng), e.intent) for e in examples],
    }


def _acc(model: Any, pairs: list[tuple[str, str]]) -> int:
    return sum(model.parse(t, today=TODAY).intent == i for t, i in pairs)


def _fmt(acc: dict[str, float]) -> list[str]:
    out = [f"{acc['clean']:.1%}"]
    for key in ("nospace", "space", "typo"):
        out.append(f"{acc[key]:.1%} ({(acc[key] - acc['clean']) * 100:+.1f})")
    return out


def korean() -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Korean scenarios: intent accuracy clean vs noisy, and out-of-scope precision/recall.

    Two views: the scenario's own utterances made noisy (the model trained on the clean ones:
    does noise change its answer?) and 5-fold cross-validation (unseen utterances, noisy).
    Out of scope: utterances of the other Korean scenario's own intents and of other domains
    must come out ``out_of_scope`` (recall); of the ``out_of_scope`` decisions on those and on
    the held-out in-scope utterances, the share that is right (precision).
    """
    scenarios = {k: v for k, v in load_scenarios().items() if v.language == "ko"}
    rows_noise: list[tuple[str, ...]] = []
    rows_oos: list[tuple[str, ...]] = []
    for sid, sc in sorted(scenarios.items()):
        data = training_data_from_scenario(sc)
        thr = sc.globals.intent_threshold
        others = [
            ex.text
            for oid, other in scenarios.items()
            if oid != sid
            for ex in training_data_from_scenario(other).examples
            if ex.intent not in GLOBAL and ex.intent not in sc.intents
        ] + OTHER_DOMAIN_KO
        for name in ["scenario", *ENGINES]:
            torch.set_num_threads(THREADS)
            t0 = time.perf_counter()
            full = _train(name, sc, data, data.examples)
            train_s = time.perf_counter() - t0
            variants = _noisy(data.examples, 1)
            own = {k: _acc(full, v) / len(v) for k, v in variants.items()}
            cv_hits = dict.fromkeys(variants, 0)
            fp = 0
            for k, (train, test) in enumerate(_folds(data.examples, 5)):
                model = _train(name, sc, data, train)
                for key, pairs in _noisy(test, 10 + k).items():
                    cv_hits[key] += _acc(model, pairs)
            cv = {k: v / len(data.examples) for k, v in cv_hits.items()}
            held = [Example(t, i) for t, i in HELDOUT_KO.get(sid, [])]
            held_acc = {k: _acc(full, v) / max(len(v), 1) for k, v in _noisy(held, 2).items()}
            for e in held:
                r = full.parse(e.text, today=TODAY)
                fp += r.confidence < thr and not r.slots
            tp = 0
            for text in others:
                r = full.parse(text, today=TODAY)
                tp += r.intent == OUT_OF_SCOPE or (r.confidence < thr and not r.slots)
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / len(others)
            rows_noise.append((name, sid, "own", *_fmt(own), f"{train_s:.1f} s"))
            rows_noise.append((name, sid, "5-fold", *_fmt(cv), ""))
            rows_noise.append((name, sid, f"held-out ({len(held)})", *_fmt(held_acc), ""))
            rows_oos.append(
                (
                    name,
                    sid,
                    f"{precision:.1%}",
                    f"{recall:.1%}",
                    f"{len(others)}",
                    f"{len(held)}",
                )
            )
            for row in (*rows_noise[-3:], rows_oos[-1]):
                print("  ".join(row), flush=True)
    return rows_noise, rows_oos


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
            header: tuple[str, ...] = (
                "engine",
                "dataset",
                "intent acc",
                "slot F1",
                "frame acc",
                "train",
                "parse p50/p99 ms",
                "ECE",
                "model",
            )
            print(_table(header, rows))
    if "korean" in PARTS:
        noise, oos = korean()
        header = (
            "engine",
            "scenario",
            "test",
            "intent acc",
            "no spaces",
            "extra space",
            "one typo",
            "train",
        )
        print(_table(header, noise))
        print(
            _table(
                ("engine", "scenario", "OOS precision", "OOS recall", "n OOS", "n in scope"), oos
            )
        )


if __name__ == "__main__":
    main()
