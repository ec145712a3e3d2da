"""The meaning check on the benchmark's own reworded passes, labelled by reading.

    .venv/bin/python -m bench.meaning_check

Reads tests/nlg_checks/data/reword_meaning.yaml (every distinct reworded reply that passed the
checks of its time in the runs of bench/nlg_replies.py, labelled right / awkward / wrong) and
prints, per language and split (C: calibration; F and other runs: held out; G: the adapter of
4 December), how many of each label ``nlg.checks.meaning_faults`` rejects; the check's time per
reply; when the MiniLM encoder is installed, the similarity measurement that lost (reply vs
template cosine, for the labelled passes and the fault-injection suite's faithful paraphrases);
and, with llama.cpp and the shipped adapter, the read-back score (``meaning:read_back``) of
the passes the rules keep: its floor was set on splits C, F and other, G is held out.
"""

from __future__ import annotations

import asyncio
import importlib.util
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from nlg.checks import meaning_faults
from nlg.llm import LlamaCppClient, bundled_adapter_path, llama_cpp_build_works
from nlg.rewrite import READ_BACK_FLOOR, persona_line, read_back_score
from nlu.zeroshot import encoder_available, sentence_encoder
from scenarios.loader import load_scenarios
from tests.nlg_checks.test_fault_injection import GOOD, TEMPLATES

FIXTURE = Path(__file__).resolve().parent.parent / "tests/nlg_checks/data/reword_meaning.yaml"
LABELS = ("right", "awkward", "wrong")
_SPLITS = {"C": "calibration (C)", "G": "4 December adapter (G)"}


def _rows() -> list[dict[str, Any]]:
    rows = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    assert isinstance(rows, list)
    return rows


def _confusion(rows: list[dict[str, Any]]) -> None:
    seen: Counter[tuple[str, str, str, bool]] = Counter()
    reasons: Counter[str] = Counter()
    scenarios = load_scenarios()
    for r in rows:
        business = scenarios[r["scenario"]].persona.business
        faults = meaning_faults(r["candidate"], r["template"], r["lang"], business=business)
        split = _SPLITS.get(r["split"], "held out (F, A, B, E)")
        seen[(split, r["lang"], r["label"], bool(faults))] += 1
        reasons.update(faults)
    print("| split | language | right kept | awkward kept | wrong rejected |")
    print("|---|---|---|---|---|")
    for split in ("calibration (C)", "held out (F, A, B, E)", "4 December adapter (G)"):
        for lang in ("ko", "en"):
            cells = []
            for label in LABELS:
                rejected = seen[(split, lang, label, True)]
                total = rejected + seen[(split, lang, label, False)]
                shown = rejected if label == "wrong" else total - rejected
                cells.append(f"{shown} / {total}")
            print(f"| {split} | {lang} | " + " | ".join(cells) + " |")
    print("reasons:", ", ".join(f"{k} {v}" for k, v in reasons.most_common()))


def _latency(rows: list[dict[str, Any]]) -> None:
    for r in rows:  # load the Korean analyser first
        meaning_faults(r["candidate"], r["template"], r["lang"])
    for lang in ("ko", "en"):
        times = []
        for _ in range(20):
            for r in rows:
                if r["lang"] != lang:
                    continue
                t0 = time.perf_counter()
                meaning_faults(r["candidate"], r["template"], lang)
                times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"meaning_faults, {lang}: p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, "
            f"max {times[-1]:.2f} ms over {len(times)} calls"
        )


def _similarity(rows: list[dict[str, Any]]) -> None:
    # the measurement that lost: MiniLM cosine of reply and template
    if not encoder_available():
        print("MiniLM encoder not installed: similarity not measured")
        return
    enc = sentence_encoder()

    def cos(a: str, b: str) -> float:
        v = enc.encode([a, b])
        return float(v[0] @ v[1])

    groups: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        groups.setdefault((r["lang"], r["label"]), []).append(cos(r["candidate"], r["template"]))
    for lang, kind, candidate in GOOD:
        groups.setdefault((lang, "faithful (fault suite)"), []).append(
            cos(candidate, TEMPLATES[(lang, kind)])
        )
    print("MiniLM cosine of reply and template (min - max, n):")
    for (lang, label), values in sorted(groups.items()):
        print(f"  {lang} {label}: {min(values):.2f} - {max(values):.2f} (n={len(values)})")
    for lang, cut in (("en", 0.70), ("ko", 0.50)):
        wrong = groups.get((lang, "wrong"), [])
        good = groups.get((lang, "faithful (fault suite)"), []) + groups.get((lang, "right"), [])
        print(
            f"  {lang}: a threshold of {cut:.2f} rejects {sum(v < cut for v in wrong)}/{len(wrong)} "
            f"wrong and {sum(v < cut for v in good)}/{len(good)} faithful or right"
        )


def _read_back(rows: list[dict[str, Any]]) -> None:
    """The read-back score of the passes the rules let through (the shipped adapter)."""
    works, detail = llama_cpp_build_works() if _has_llama_cpp() else (False, "no llama-cpp")
    adapter = bundled_adapter_path()
    if not works or adapter is None:
        print(f"read-back not measured: {detail or 'no adapter shipped'}")
        return
    llm = LlamaCppClient(lora_path=adapter, n_threads=2)
    llm.load()
    scenarios = load_scenarios()

    async def scores() -> list[tuple[dict[str, Any], float, float]]:
        out = []
        for r in rows:
            persona = scenarios[r["scenario"]].persona
            if meaning_faults(r["candidate"], r["template"], r["lang"], business=persona.business):
                continue
            t0 = time.perf_counter()
            score = await read_back_score(
                llm,
                r["template"],
                r["candidate"],
                r["lang"],
                persona_line(persona, r["lang"]),
                budget=30.0,
            )
            out.append((r, score, (time.perf_counter() - t0) * 1000))
        return out

    scored = asyncio.run(scores())
    print(f"\nRead-back (meaning:read_back, floor {READ_BACK_FLOOR}) of the passes the rules keep:")
    print(
        "| split | rows | AUC right+awkward vs wrong | right kept | awkward kept | wrong rejected |"
    )
    print("|---|---|---|---|---|---|")
    for name, splits in (("C, F, other (the floor set here)", ("C", "F", "other")), ("G", ("G",))):
        part = [(r, s) for r, s, _ in scored if r["split"] in splits]
        good = [s for r, s in part if r["label"] != "wrong"]
        bad = [s for r, s in part if r["label"] == "wrong"]
        pairs = sum((g > b) + 0.5 * (g == b) for g in good for b in bad)
        auc = f"{pairs / (len(good) * len(bad)):.2f}" if good and bad else "-"
        cells = []
        for label in LABELS:
            values = [s for r, s in part if r["label"] == label]
            hit = sum((s < READ_BACK_FLOOR) == (label == "wrong") for s in values)
            cells.append(f"{hit} / {len(values)}")
        print(f"| {name} | {len(part)} | {auc} | " + " | ".join(cells) + " |")
    times = sorted(ms for _, _, ms in scored)
    print(f"read-back time: p50 {statistics.median(times):.0f} ms, max {times[-1]:.0f} ms")


def _has_llama_cpp() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def main() -> None:
    rows = _rows()
    print(
        f"{len(rows)} distinct reworded passes: "
        + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r["label"] for r in rows).items()))
    )
    _confusion(rows)
    _latency(rows)
    _similarity(rows)
    _read_back(rows)


if __name__ == "__main__":
    main()
