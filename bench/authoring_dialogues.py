"""How often the embedded LLM's caller lines of goal dialogues pass their checks; prints a table.

``.venv/bin/python -m bench authoring_dialogues`` (or ``-m bench.authoring_dialogues
[VARIANTS]``): goal scripts of the shipped restaurant and care-call scenarios, Korean and
English, ``VARIANTS`` dialogue variants each (default 2; ``AD_BENCH_VARIANTS``), written by the
bundled Gemma 3 270M (one llama.cpp thread; ``MEASURE_THREADS``) under each condition of
``AD_BENCH_CONDITIONS`` (comma-separated, default all):

- ``base-json``: the base model, one JSON prompt per dialogue (prompt ``dialogue-v4``,
  :func:`authoring.dialogue_llm.llm_dialogue`);
- ``base-turns``: the base model, one few-shot list prompt per caller turn built from the
  scenario's own examples, ``{slot}`` blanks filled with the goal's exact words, k candidates
  per turn, the first that passes kept (:func:`authoring.dialogue_llm.llm_dialogue_turns`);
- ``adapter-turns``: the same with the bundled LoRA adapter applied;
- ``adapter-task``: the adapter with its own utterance prompt (``### utterances``) per turn;
- ``base+adapter-turns``: ``base-turns``, and for a turn the base model wrote no passing
  line for, the same prompt to the model with the adapter.

A variant passes when every caller line the LLM wrote passes the checks
(:func:`authoring.dialogue_llm.check_lines`); otherwise the template dialogue is what ships.
``AD_BENCH_LANGS=ko`` (or ``en``) writes one language only; ``AD_BENCH_ADAPTER`` is a LoRA
GGUF to use instead of the shipped one. ``AD_BENCH_RUN=1`` also replays each passing variant against the real agent. Prints one row
per condition and language: variants, passing, share, lines that differ from the template's,
seconds per variant, and why the others fell back.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from typing import Any

__all__ = ["CONDITIONS", "GOALS", "main"]

GOALS = [
    ("restaurant-en", "a customer wants a table for 4 tomorrow at 7, asks for a room, "
     "then changes to 6 people"),
    ("restaurant-en", "a customer who booked a table for 4 tomorrow at 7 wants to change it "
     "to 6 people"),
    ("carecall-en", "she slept poorly, ate a little, has a cough, feels low and needs nothing"),
    ("restaurant-ko", "손님이 내일 저녁 7시에 4명 예약하고 룸을 원하다가 6명으로 바꾼다"),
    ("restaurant-ko", "내일 저녁 7시 4명 예약을 6명으로 변경하려는 손님"),
    ("carecall-ko", "어르신이 잠을 못 잤고 식사는 조금 하셨고 기침이 있고 기분이 안 좋고 "
     "필요한 건 없어"),
]  # fmt: skip
CONDITIONS = ("base-json", "base-turns", "adapter-turns", "adapter-task", "base+adapter-turns")


def _write(
    cond: str, clients: dict[bool, Any], sc: Any, goal: Any, variant: int, today: Any
) -> Any:
    from authoring.dialogue_llm import llm_dialogue, llm_dialogue_turns
    from authoring.dialogues import write_dialogue

    template = write_dialogue(sc, goal, today=today, variant=variant)
    llm = clients[cond.startswith("adapter")]
    if cond == "base-json":
        return llm_dialogue(llm, sc, goal, template, today=today, seed=1 + variant)
    return llm_dialogue_turns(
        llm, sc, goal, template, today=today, seed=1 + variant,
        adapter_task=cond == "adapter-task",
        second=clients[True] if cond.startswith("base+adapter") else None,
    )  # fmt: skip


def main(variants: int | None = None) -> None:
    """Write the goal dialogues under each condition and print the table."""
    from authoring.dialogues import write_dialogue
    from authoring.goals import plan_goal
    from authoring.model import DEFAULT_NOW
    from authoring.runs import run_dialogue
    from nlg.llm import LlamaCppClient, bundled_adapter_path, default_model_path
    from scenarios.loader import load_scenarios

    n = variants or int(os.environ.get("AD_BENCH_VARIANTS", "2"))
    conds = [c for c in os.environ.get("AD_BENCH_CONDITIONS", ",".join(CONDITIONS)).split(",") if c]
    unknown = sorted(set(conds) - set(CONDITIONS))
    if unknown:
        raise SystemExit(f"unknown condition(s) {unknown}; have {', '.join(CONDITIONS)}")
    run = os.environ.get("AD_BENCH_RUN", "0") == "1"
    langs = os.environ.get("AD_BENCH_LANGS", "en,ko").split(",")
    scenarios = load_scenarios()
    today = DEFAULT_NOW.date()
    threads = int(os.environ.get("MEASURE_THREADS", "1"))
    clients: dict[bool, Any] = {}
    rows = []
    for cond in conds:
        for adapter in {cond.startswith("adapter"), "adapter" in cond}:
            if adapter not in clients:
                lora = (
                    (os.environ.get("AD_BENCH_ADAPTER") or bundled_adapter_path())
                    if adapter
                    else None
                )
                clients[adapter] = LlamaCppClient(
                    default_model_path(), n_ctx=2048, n_threads=threads, timeout=300, lora_path=lora
                )
                clients[adapter].load()
        for sid, text in GOALS:
            sc = scenarios[sid]
            if sc.language not in langs:
                continue
            goal = plan_goal(sc, text, today=today)
            for v in range(n):
                start = time.monotonic()
                d = _write(cond, clients, sc, goal, v, today)
                took = time.monotonic() - start
                ran = run_dialogue(d, scenarios).passed if run and d.source == "llm" else None
                t = [x for who, x in d.turns if who == "user"]
                tl = write_dialogue(sc, goal, today=today, variant=v).caller_turns
                differ = sum(a != b for a, b in zip(t, tl, strict=True))
                rows.append((cond, sc.language, d.source, d.note or "", ran, differ, len(t), took))
                shown = d.note if d.source != "llm" else " | ".join(t)
                print(f"{cond:13} {sid:13} v{v} {d.source:8} {took:5.1f} s  {shown}", flush=True)
    print(
        "\n| condition | lang | variants | LLM lines pass the checks | lines that differ "
        "from the template's | s per variant | fell back because |"
    )
    print("|---|---|---|---|---|---|---|")  # fmt: skip
    for cond in conds:
        for lang in langs:
            mine = [r for r in rows if r[0] == cond and r[1] == lang]
            ok = [r for r in mine if r[2] == "llm"]
            why = Counter(r[3].split(":")[0].split(" (")[0] for r in mine if r[2] != "llm")
            runs = f", {sum(1 for r in ok if r[4])} pass the agent run" if run else ""
            print(
                f"| {cond} | {lang} | {len(mine)} | {len(ok)} ({len(ok) / max(len(mine), 1):.0%})"
                f"{runs} | {sum(r[5] for r in ok)} of {sum(r[6] for r in ok)} "
                f"| {sum(r[7] for r in mine) / max(len(mine), 1):.1f} "
                f"| {', '.join(f'{k} {v}' for k, v in why.most_common()) or '-'} |",
                flush=True,
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
