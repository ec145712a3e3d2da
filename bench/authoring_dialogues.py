"""How often an LLM's goal dialogues pass their checks and the agent run; prints a table.

``.venv/bin/python -m bench.authoring_dialogues [VARIANTS]`` (default 3) with the
embedded model (one llama.cpp thread; ``MEASURE_THREADS`` to change). A benchmark, not a test:
it belongs with ``bench/`` and prints, per language, the dialogues whose LLM lines passed the
checks, how many of those passed the run against the agent, how many of their caller lines
differ from the template's, the time per dialogue and why the others fell back.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter

__all__ = ["GOALS", "main"]

GOALS = [
    ("restaurant-en", "a customer wants a table for 4 tomorrow at 7, asks for a room, "
     "then changes to 6 people"),
    ("restaurant-en", "a customer wants a table for 3 on Saturday at 1 pm in the hall"),
    ("restaurant-en", "a customer who booked a table for 4 tomorrow at 7 wants to change it "
     "to 6 people"),
    ("restaurant-en", "a customer wants to cancel their booking for tomorrow at 7"),
    ("restaurant-ko", "손님이 내일 저녁 7시에 4명 예약하고 룸을 원하다가 6명으로 바꾼다"),
    ("restaurant-ko", "손님이 토요일 오후 1시에 세 명, 홀로 예약"),
    ("restaurant-ko", "내일 저녁 7시 4명 예약을 6명으로 변경하려는 손님"),
    ("restaurant-ko", "손님이 내일 저녁 7시 예약을 취소한다"),
]  # fmt: skip


def main(variants: int = 3) -> None:
    """Write ``variants`` dialogues per goal with the embedded model and print the table."""
    from authoring.dialogue_llm import goal_dialogues
    from authoring.runs import run_dialogue
    from nlg.llm import LlamaCppClient, default_model_path
    from scenarios.loader import load_scenarios

    scenarios = load_scenarios()
    threads = int(os.environ.get("MEASURE_THREADS", "1"))
    llm = LlamaCppClient(default_model_path(), n_ctx=2048, n_threads=threads, timeout=300)
    llm.load()
    rows = []
    for sid, goal in GOALS:
        start = time.monotonic()
        written = goal_dialogues(scenarios[sid], goal, variants, llm=llm, seed=1)
        per = (time.monotonic() - start) / variants
        for d, t in zip(written, goal_dialogues(scenarios[sid], goal, variants), strict=True):
            ran = run_dialogue(d, scenarios).passed if d.source == "llm" else None
            differ = sum(a != b for a, b in zip(d.caller_turns, t.caller_turns, strict=True))
            rows.append((sid[-2:], d.source, d.note or "", ran, differ, len(t.caller_turns), per))
            print(f"{sid} v{d.variant} {d.source:8} {per:5.1f} s  {d.note or d.caller_turns}")
    print(
        "\n| lang | dialogues | LLM lines pass the checks | of those, pass the agent run "
        "| lines that differ from the template's | s per dialogue | fell back because |"
    )
    print("|---|---|---|---|---|---|---|")  # fmt: skip
    for lang in ("en", "ko"):
        mine = [r for r in rows if r[0] == lang]
        ok = [r for r in mine if r[1] == "llm"]
        why = Counter(r[2].split(":")[0].split(" (")[0] for r in mine if r[1] != "llm")
        print(
            f"| {lang} | {len(mine)} | {len(ok)} ({len(ok) / max(len(mine), 1):.0%}) "
            f"| {sum(1 for r in ok if r[3])} | {sum(r[4] for r in ok)} of {sum(r[5] for r in ok)} "
            f"| {sum(r[6] for r in mine) / max(len(mine), 1):.1f} "
            f"| {', '.join(f'{k} {v}' for k, v in why.most_common())} |"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
