"""LLM seam benchmark: load time, first-token latency and decode speed, local and over HTTP.

Also a small probe of what the bundled base model's few-shot rewrites are worth: how many pass
``nlg.checks.check_reply``.

    .venv/bin/python -m bench.llm_bench [--threads 1 2] [--runs 5] [--no-server] [--no-probe]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from datetime import time as clock

import httpx

from dialogue.acts import SystemAct
from nlg.checks import check_reply
from nlg.llm import LlamaCppClient, LLMClient, OpenAICompatClient, default_model_path

PROMPT_EN = (
    "Rewrite each line the way a friendly restaurant host says it on the phone.\n"
    "Line: What date would you like to book?\n"
    "Host: Sure! Which day would you like to come in?\n"
    "Line: How many people will there be?\n"
    "Host: Lovely, and how many of you will be joining us?\n"
    "Line: So that's December 4th at 7 pm, 4 people. Shall I book it?\n"
    "Host:"
)
PROMPT_KO = (
    "안내 문장을 친절한 식당 직원의 전화 말투로 바꿔 말합니다.\n"
    "안내: 몇 월 며칠로 예약해 드릴까요?\n"
    "직원: 네, 언제로 예약 도와드릴까요?\n"
    "안내: 몇 분이 오시나요?\n"
    "직원: 몇 분이서 오실 예정이세요?\n"
    "안내: 12월 4일 오후 7시, 4명으로 예약해 드릴까요?\n"
    "직원:"
)

FRI = date(2026, 12, 4)
PROBES = [
    (
        "en",
        SystemAct("confirm", values={"date": FRI, "time": clock(19), "party_size": 4}),
        "So that's December 4th at 7 pm, 4 people. Shall I book it?",
    ),
    (
        "en",
        SystemAct(
            "confirm", values={"date": date(2026, 12, 11), "time": clock(18, 30), "party_size": 2}
        ),
        "So that's December 11th at 6:30 pm, 2 people. Shall I book it?",
    ),
    ("en", SystemAct("request", slot="time"), "What time would you like?"),
    ("en", SystemAct("request", slot="name"), "May I have the name for the booking?"),
    ("en", SystemAct("bye"), "Thank you for calling. Have a nice day."),
    (
        "ko",
        SystemAct("confirm", values={"date": FRI, "time": clock(19), "party_size": 4}),
        "12월 4일 오후 7시, 4명으로 예약해 드릴까요?",
    ),
    (
        "ko",
        SystemAct(
            "confirm", values={"date": date(2026, 12, 11), "time": clock(18, 30), "party_size": 2}
        ),
        "12월 11일 오후 6시 30분, 2명으로 예약해 드릴까요?",
    ),
    ("ko", SystemAct("request", slot="time"), "몇 시로 예약해 드릴까요?"),
    ("ko", SystemAct("request", slot="name"), "예약자 성함을 말씀해 주세요."),
    ("ko", SystemAct("bye"), "전화 주셔서 감사합니다. 좋은 하루 보내세요."),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _stream_once(llm: LLMClient, prompt: str, max_tokens: int) -> tuple[float, float, int]:
    started = time.perf_counter()
    first = None
    pieces = 0
    async for _ in llm.stream_complete(prompt, max_tokens=max_tokens, stop=["\n"]):
        if first is None:
            first = time.perf_counter() - started
        pieces += 1
    total = time.perf_counter() - started
    return first or total, total, pieces


async def _measure(llm: LLMClient, runs: int) -> dict[str, float]:
    firsts: list[float] = []
    speeds: list[float] = []
    await _stream_once(llm, PROMPT_EN, 4)  # warm-up (graph allocation, prompt cache)
    for i in range(runs):
        prompt = PROMPT_EN if i % 2 == 0 else PROMPT_KO
        # A different first line per run: the prompt cache must not hide prompt processing.
        prompt = f"({i})\n{prompt}"
        first, total, pieces = await _stream_once(llm, prompt, 48)
        firsts.append(first)
        if pieces > 1 and total > first:
            speeds.append((pieces - 1) / (total - first))
    return {
        "first_p50": statistics.median(firsts),
        "first_max": max(firsts),
        "tok_s": statistics.median(speeds) if speeds else float("nan"),
    }


def _row(name: str, r: dict[str, float]) -> str:
    return (
        f"| {name} | {r['first_p50'] * 1000:.0f} ms | {r['first_max'] * 1000:.0f} ms "
        f"| {r['tok_s']:.1f} |"
    )


async def _probe(llm: LLMClient) -> list[tuple[str, str, str, str]]:
    rows = []
    for lang, act, template in PROBES:
        head = PROMPT_KO if lang == "ko" else PROMPT_EN
        prefix, label = head.rsplit("\n", 2)[0], ("직원:" if lang == "ko" else "Host:")
        line = "안내" if lang == "ko" else "Line"
        prompt = f"{prefix}\n{line}: {template}\n{label}"
        out = (await llm.complete(prompt, max_tokens=48, stop=["\n"])).text.strip()
        result = check_reply(out, acts=[act], template_text=template, lang=lang, prompt=prompt)
        rows.append((lang, template, out, "pass" if result.ok else ",".join(result.reasons)))
    return rows


def main() -> None:
    """Print the benchmark tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--no-probe", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    path = default_model_path()
    assemble_s = time.perf_counter() - started
    print(f"model: {path} ({os.path.getsize(path) / 1e6:.0f} MB), assemble() {assemble_s:.2f} s")
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}\n")
    print("| backend | first token p50 | first token max | tokens/s (decode) |")
    print("|---|---|---|---|")
    for threads in args.threads:
        llm = LlamaCppClient(path, n_threads=threads, n_ctx=1024)
        load_s = llm.load()
        r = asyncio.run(_measure(llm, args.runs))
        print(_row(f"llama.cpp in-process, {threads} thread(s) (load {load_s:.2f} s)", r))

    if not args.no_server:
        port = _free_port()
        threads = max(args.threads)
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", path, "--host", "127.0.0.1"]
        cmd += ["--port", str(port), "--n_ctx", "1024", "--n_threads", str(threads)]
        cmd += ["--verbose", "False"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}/v1"
        try:
            while True:
                try:
                    if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            ready_s = time.perf_counter() - t0
            remote = OpenAICompatClient(base, model="gemma-3-270m", timeout=60)
            r = asyncio.run(_measure(remote, args.runs))
            name = f"llama_cpp.server on loopback, {threads} thread(s) (ready {ready_s:.1f} s)"
            print(_row(name, r))
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    if not args.no_probe:
        llm = LlamaCppClient(path, n_threads=max(args.threads), n_ctx=1024)
        rows = asyncio.run(_probe(llm))
        passed = sum(1 for r in rows if r[3] == "pass")
        print(
            f"\nfew-shot rewrites by the bundled base model: {passed}/{len(rows)} pass the checks\n"
        )
        print("| lang | template | model output | verdict |")
        print("|---|---|---|---|")
        for lang, template, out, verdict in rows:
            print(f"| {lang} | {template} | {out.replace('|', '/')} | {verdict} |")


if __name__ == "__main__":
    main()
