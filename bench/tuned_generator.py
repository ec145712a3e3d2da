"""The tuned generator (LoRA adapter on the bundled Gemma 3 270M) against the plain base model.

SNIPS, the 7 intent descriptions only (``bench.augmentation.SNIPS_DESCRIPTIONS``; SNIPS is never
in the adapter's training data): each model writes utterances per intent (zero-shot, through
:func:`authoring.pipeline.augment` with no deterministic variants, so only the LLM counts);
every candidate the screen keeps is accepted; the ``classical`` NLU trained on them alone is
scored on SNIPS validation. Reported: candidates kept of those asked for, distinct texts,
seconds per LLM call, intent accuracy and slot F1. The zero-shot MiniLM prior and frame
filling (the other half of issue 16) are benchmarked in ``bench zero_shot``.

    .venv/bin/python -m bench tuned_generator
Environment: ``TUNED_BENCH_MODELS=base,tuned``, ``TUNED_BENCH_N=12`` (utterances asked per
intent), ``TUNED_BENCH_CALLS=4`` (LLM calls per intent at most), ``TUNED_BENCH_THREADS=2``,
``TUNED_BENCH_ADAPTER`` (a LoRA GGUF; default the shipped one).
"""

from __future__ import annotations

import os
import time
from typing import Any

from authoring.domain import AuthoringDomain
from authoring.pipeline import augment
from authoring.training import training_data_with
from bench.augmentation import DATA, SNIPS_DESCRIPTIONS, _score, _table, _with
from nlu.rasa_format import read_rasa_nlu

MODELS = os.environ.get("TUNED_BENCH_MODELS", "base,tuned").split(",")
N = int(os.environ.get("TUNED_BENCH_N", "12"))
CALLS = int(os.environ.get("TUNED_BENCH_CALLS", "4"))
THREADS = int(os.environ.get("TUNED_BENCH_THREADS", "2"))


def _client(kind: str) -> Any:
    from nlg.llm import LlamaCppClient, bundled_adapter_path

    lora = None
    if kind == "tuned":
        lora = os.environ.get("TUNED_BENCH_ADAPTER") or bundled_adapter_path()
        if lora is None:
            raise SystemExit("no adapter: nlg/llm/data/generator-lora.gguf is missing")
    llm = LlamaCppClient(n_ctx=1024, n_threads=THREADS, timeout=180, lora_path=lora)
    llm.load()
    return llm


def snips_rows(samples: dict[str, list[str]]) -> list[tuple[str, ...]]:
    """One row per model: SNIPS descriptions only."""
    train_path, valid_path = DATA / "snips_train.yml", DATA / "snips_valid.yml"
    if not (train_path.is_file() and valid_path.is_file()):
        print(f"skip SNIPS: no {train_path.name}/{valid_path.name} in {DATA}")
        return []
    train, valid = read_rasa_nlu(train_path), read_rasa_nlu(valid_path)
    train.language = "en"
    base = _with(train, [])
    domain = AuthoringDomain.from_training_data(base, SNIPS_DESCRIPTIONS, name="snips")
    rows = []
    for kind in MODELS:
        llm = _client(kind)
        t0 = time.perf_counter()
        made = augment(
            domain, n=N, llm=llm, zero_shot=True, deterministic=False, seed=1, max_calls=CALLS
        )
        took = time.perf_counter() - t0
        calls = llm.metrics.snapshot().calls
        kept = [c.accepted() for c in made if c.state == "pending"]
        samples[kind] = [f"{c.intent}: {c.text}" for c in kept[:: max(1, len(kept) // 10)]]
        data = training_data_with(_with(base, []), kept)
        distinct = len({c.text.lower() for c in kept})
        if len(data.intents) >= 2:
            acc, f1 = _score(data, valid.examples)
            score = (f"{acc:.1%}", f"{f1:.1%}")
        else:
            score = ("-", "-")
        rows.append(
            (
                kind,
                f"{len(kept)} / {N * len(SNIPS_DESCRIPTIONS)}",
                str(distinct),
                str(len(data.intents)),
                f"{took / max(1, calls):.1f}",
                *score,
            )
        )
        print("  " + "  ".join(rows[-1]), flush=True)
    return rows


def main() -> None:
    """Print the table and sample utterances."""
    load = os.getloadavg()[0]
    samples: dict[str, list[str]] = {}
    rows = snips_rows(samples)
    header = ("model", "kept / asked", "distinct", "intents", "s / call", "intent acc.", "slot F1")
    print(f"\nSNIPS, 7 descriptions only, {THREADS} threads (load average {load:.1f} before):\n")
    print(_table(header, rows))
    for kind, lines in samples.items():
        print(f"\n{kind} samples:")
        for line in lines:
            print(f"  {line}")


if __name__ == "__main__":
    main()
