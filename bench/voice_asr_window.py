"""Whisper's encoder window: the stock 30 s padding against windows cut to the utterance.

Caller lines of the restaurant scenarios are synthesised with the project's voices (Piper for
English, espeak-ng for Korean), passed through the phone band (8 kHz mu-law) and recognised
with the scenario's vocabulary as in a live call. Prints, per model and window, word error rate
(English) or character error rate (Korean), exact matches and time per utterance
(``python -m bench.voice_asr_window [--repeat N]``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from agent.voice.asr import RecognitionOptions
from agent.voice.audio import PcmAudio
from agent.voice.models import resolve_whisper_model
from agent.voice.synthesizers import EspeakSynthesizer, PiperSynthesizer
from agent.voice.whisper import FasterWhisperRecognizer

EN_LINES = [
    "I'd like to book a table.",
    "Tomorrow at seven pm.",
    "Four people.",
    "The main hall, please.",
    "John Smith.",
    "Yes.",
    "No, thank you.",
    "Yes, that's right.",
    "Can I change my reservation to eight pm?",
    "I want to cancel my booking.",
    "Do you have parking?",
    "Is there a private room for six people?",
    "Friday evening at half past six.",
    "My number is oh one oh, one two three four, five six seven eight.",
    "Can I bring my own wine?",
    "Outdoor seating, please.",
    "That's all, goodbye.",
    "Could I speak to someone, please?",
    "Two people this Saturday at noon.",
    "No.",
]
KO_LINES = [
    "네",
    "아니요",
    "예약하고 싶어요",
    "내일 저녁 일곱 시요",
    "네 명이요",
    "홀로 해 주세요",
    "김민수입니다",
    "맞아요",
    "취소하고 싶어요",
    "주차 되나요",
    "룸으로 해 주세요",
    "감사합니다",
]
#: The Korean booking script of tests/voice/data/book-ko.yaml, spoken by the simulated caller
#: (espeak-ng slowed to 130 words per minute).
KO_CALLER_LINES = ["예약하고 싶어요", "목요일이요", "한 시요", "홀", "민수", "예", "네", "아니요"]
EN_VOCABULARY = (
    "reservation",
    "booking",
    "Hangang Kitchen",
    "private room",
    "hall",
    "outdoor",
    "terrace",
    "corkage",
    "parking",
    "cancel",
)
KO_VOCABULARY = (
    "예약",
    "한강식당",
    "룸",
    "홀",
    "야외",
    "테라스",
    "콜키지",
    "혼밥",
    "주차",
    "취소",
    "변경",
)

#: Windows compared by default: "stock" (30 s) or "MARGIN:MINIMUM" in seconds.
WINDOWS = "stock,1:1,2:3,1:5,1:10"


def parse_windows(spec: str) -> list[tuple[str, float | None, float]]:
    """``"stock,1:5"`` -> [(label, margin or None for the stock 30 s, minimum seconds)]."""
    out: list[tuple[str, float | None, float]] = []
    for item in spec.split(","):
        if item == "stock":
            out.append(("30 s (stock)", None, 1.0))
        else:
            margin, minimum = (float(x) for x in item.split(":"))
            out.append((f"+{margin:g} s, min {minimum:g} s", margin, minimum))
    return out


def _norm_words(text: str) -> list[str]:
    return "".join(c for c in text.lower() if c.isalnum() or c.isspace()).split()


def edit_distance(ref: list[str] | str, hyp: list[str] | str) -> int:
    """Levenshtein distance between two sequences."""
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)]


def error_rate(language: str, ref: str, hyp: str) -> tuple[int, int]:
    """(errors, reference length): words for English, characters for Korean."""
    if language == "en":
        r, h = _norm_words(ref), _norm_words(hyp)
        return edit_distance(r, h), len(r)
    rc = "".join(c for c in ref if c.isalnum())
    hc = "".join(c for c in hyp if c.isalnum())
    return edit_distance(rc, hc), len(rc)


def phone(audio: PcmAudio) -> PcmAudio:
    """What the agent hears: 8 kHz mu-law, back to 16 kHz."""
    return PcmAudio.from_mulaw_8k(audio.to_mulaw_8k()).resample(16000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per line")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--windows", default=WINDOWS, help="stock and/or MARGIN:MINIMUM seconds")
    parser.add_argument("--models", default="base,tiny.en", help="models to compare")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="aicall-asr-window-"))
    print(f"load average {os.getloadavg()}")
    en_audio = [phone(PiperSynthesizer().synthesize_sync(t)) for t in EN_LINES]
    ko_audio = [phone(EspeakSynthesizer("ko").synthesize_sync(t)) for t in KO_LINES]
    slow = EspeakSynthesizer("ko", speed=130)
    ko_caller_audio = [phone(slow.synthesize_sync(t)) for t in KO_CALLER_LINES]
    sets = [
        ("base", "en", EN_LINES, en_audio, EN_VOCABULARY),
        ("base", "ko", KO_LINES, ko_audio, KO_VOCABULARY),
        ("base", "ko", KO_CALLER_LINES, ko_caller_audio, KO_VOCABULARY),
        ("tiny.en", "en", EN_LINES, en_audio, EN_VOCABULARY),
    ]
    print(
        "\n| model | language | window | lines | WER/CER | exact | median s | p95 s | "
        "differs from stock |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for model, language, lines, audio, vocabulary in sets:
        if model not in args.models.split(","):
            continue
        model_dir = resolve_whisper_model(model, data)
        options = RecognitionOptions(language, vocabulary)
        stock: list[str] = []
        for label, margin, minimum in parse_windows(args.windows):
            rec = FasterWhisperRecognizer(
                model_dir,
                threads=args.threads,
                window_languages=frozenset() if margin is None else frozenset({language}),
                window_margin=margin or 0.0,
                window_min=minimum,
            )
            rec.warm_up()
            rec.recognize_sync(audio[0], options)  # first call allocates
            errors = total = exact = 0
            times: list[float] = []
            texts: list[str] = []
            for ref, clip in zip(lines, audio, strict=True):
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    text = rec.recognize_sync(clip, options).text
                    times.append(time.perf_counter() - started)
                e, n = error_rate(language, ref, text)
                errors, total, exact = errors + e, total + n, exact + (e == 0)
                texts.append(text)
            if margin is None:
                stock = texts
            differs = sum(a != b for a, b in zip(stock, texts, strict=True))
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(
                f"| {model} | {language} | {label} | {len(lines)} | {errors / total:.3f} "
                f"| {exact}/{len(lines)} | {statistics.median(times):.3f} | {p95:.3f} "
                f"| {differs} |"
            )
            if os.environ.get("AICALL_BENCH_VERBOSE"):
                for ref, text in zip(lines, texts, strict=True):
                    print(f"    {ref!r} -> {text!r}")
    print(f"\nload average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
