"""Korean speech recognition on real speech: Whisper base settings on the kospeech sample.

The dev set is the 100 utterances of spontaneous Korean speech in sooftware/kospeech at commit
7982bc9c, ``data/sample/KaiSpeech_*.pcm`` (16 kHz 16-bit mono raw) with their ``.txt``
transcripts (cp949). It is not part of this repository; extract it once (docs/voice.md,
"Korean on real speech") and point ``AICALL_KOSPEECH_DIR`` at the directory holding
``KaiSpeech_000001.pcm``... Without it the benchmark says so and does nothing.

Each utterance goes through the phone band (8 kHz mu-law and back, as on a Twilio call) and is
recognised with each setting. Prints per setting the character error rate without and with
spaces (punctuation stripped, spaces collapsed), exact matches, time per utterance (p50, p95),
how often the cut window fell back to the stock one, and against the first setting (the stock
window by default): utterances worse / better and a bootstrap 95% interval of the CER
difference. The settings take turns on each utterance, so the load of shared cores falls on
all of them alike.

    AICALL_KOSPEECH_DIR=/work/data/kospeech python -m bench.voice_asr_kospeech \\
        [--limit 20] [--settings stock,cut,checked] [--vocabulary] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.config import Settings
from agent.voice.asr import RecognitionOptions
from agent.voice.audio import PcmAudio
from agent.voice.models import resolve_whisper_model
from agent.voice.whisper import Decoded, FasterWhisperRecognizer

#: The restaurant-ko scenario's vocabulary, as a call passes it (hotwords).
VOCABULARY = (
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
KO = frozenset({"ko"})

#: Settings by name: keyword arguments of :class:`FasterWhisperRecognizer`, plus "temperatures"
#: (stock path only: faster-whisper's temperature fallback) and "prompt" (the vocabulary as an
#: initial prompt instead of hotwords).
SETTINGS: dict[str, dict[str, Any]] = {
    "stock": {},
    "cut": {"window_languages": KO, "window_min": 3.0},
    "checked": {"window_languages": KO, "window_min": 3.0, "checked_languages": KO},
    "cut-min10": {"window_languages": KO, "window_min": 10.0},
    "checked-min10": {"window_languages": KO, "window_min": 10.0, "checked_languages": KO},
    "checked-min10-logprob": {
        "window_languages": KO,
        "window_min": 10.0,
        "checked_languages": KO,
        "suspect_logprob": -1.0,
    },
    "cut-min6": {"window_languages": KO, "window_min": 6.0},
    "checked-min6": {"window_languages": KO, "window_min": 6.0, "checked_languages": KO},
    "cut-min15": {"window_languages": KO, "window_min": 15.0},
    "checked-min10-margin2": {
        "window_languages": KO,
        "window_min": 10.0,
        "window_margin": 2.0,
        "checked_languages": KO,
    },
    "stock-beam5": {"beam_size": 5},
    "checked-min10-beam5": {
        "window_languages": KO,
        "window_min": 10.0,
        "checked_languages": KO,
        "beam_size": 5,
    },
    "stock-fallback": {"temperatures": (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)},
    "stock-prompt": {"prompt": True},
    "checked-min10-prompt": {
        "window_languages": KO,
        "window_min": 10.0,
        "checked_languages": KO,
        "prompt": True,
    },
}


class _Variant(FasterWhisperRecognizer):
    """The recognizer with the benchmark-only knobs (temperature fallback, prompt bias)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        temperatures: tuple[float, ...] = (0.0,),
        prompt: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(model_dir, timeout=600, **kwargs)
        self.temperatures = temperatures
        self.prompt = prompt

    def _bias(self, options: RecognitionOptions) -> dict[str, Any]:
        if self.prompt and options.vocabulary:
            return {"initial_prompt": ", ".join(options.vocabulary) + "."}
        return super()._bias(options)

    def _decode_stock(
        self, model: Any, samples: np.ndarray, language: str, bias: dict[str, Any]
    ) -> Decoded:
        if self.temperatures == (0.0,):
            return super()._decode_stock(model, samples, language, bias)
        segments, _ = model.transcribe(
            samples,
            language=language,
            beam_size=self.beam_size,
            temperature=list(self.temperatures),
            condition_on_previous_text=False,
            without_timestamps=True,
            no_speech_threshold=None,
            max_new_tokens=self.max_new_tokens,
            no_repeat_ngram_size=3,
            **bias,
        )
        segs = list(segments)
        text = " ".join(s.text.strip() for s in segs)
        worst = max((s.no_speech_prob for s in segs), default=0.0)
        logprob = min((s.avg_logprob for s in segs), default=0.0)
        return Decoded(text, worst, logprob, "stock")


@dataclass(frozen=True)
class Utterance:
    """One dev-set utterance: its id, reference transcript and phone-band audio (16 kHz)."""

    name: str
    text: str
    audio: PcmAudio


def load(directory: Path, limit: int | None = None) -> list[Utterance]:
    """The dev set, through the phone band; ``limit`` takes every (100 / limit)-th utterance."""
    pcms = sorted(directory.glob("KaiSpeech_[0-9]*.pcm"))
    if limit:
        step = max(1, len(pcms) // limit)
        pcms = pcms[::step][:limit]
    out = []
    for pcm in pcms:
        raw = PcmAudio(pcm.read_bytes(), 16000)
        heard = PcmAudio.from_mulaw_8k(raw.to_mulaw_8k()).resample(16000)
        text = pcm.with_suffix(".txt").read_bytes().decode("cp949").strip()
        out.append(Utterance(pcm.stem, text, heard))
    return out


def normalise(text: str, *, spaces: bool) -> str:
    """NFC, lower case, punctuation dropped, spaces collapsed (or dropped)."""
    text = unicodedata.normalize("NFC", text).lower()
    kept = "".join(c if c.isalnum() else " " for c in text)
    return " ".join(kept.split()) if spaces else "".join(kept.split())


def edit_distance(ref: str, hyp: str) -> int:
    """Levenshtein distance between two strings."""
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)]


def errors(ref: str, hyp: str, *, spaces: bool) -> tuple[int, int]:
    """(character errors, reference characters) after :func:`normalise`."""
    r, h = normalise(ref, spaces=spaces), normalise(hyp, spaces=spaces)
    return edit_distance(r, h), len(r)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bootstrap_difference(
    a: list[tuple[int, int]], b: list[tuple[int, int]], rounds: int = 2000
) -> tuple[float, float]:
    """95% interval of CER(b) - CER(a) over utterances resampled with replacement."""
    rng = random.Random(0)
    n = len(a)
    diffs = []
    for _ in range(rounds):
        idx = [rng.randrange(n) for _ in range(n)]
        total = sum(a[i][1] for i in idx) or 1
        diffs.append((sum(b[i][0] for i in idx) - sum(a[i][0] for i in idx)) / total)
    diffs.sort()
    return diffs[int(0.025 * rounds)], diffs[int(0.975 * rounds)]


def run_settings(
    names: list[str], utterances: list[Utterance], model_dir: Path, vocabulary: tuple[str, ...]
) -> dict[str, list[dict[str, Any]]]:
    """Decode every utterance with each setting; one record per utterance and setting.

    The settings take turns on each utterance (one model, loaded once), so a change of load
    on shared cores falls on all of them alike.
    """
    options = RecognitionOptions("ko", vocabulary)
    recognizers = {name: _Variant(model_dir, **SETTINGS[name]) for name in names}
    for recognizer in recognizers.values():
        recognizer.warm_up()
        recognizer.decode(utterances[0].audio, options)  # the first decode allocates
    records: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for u in utterances:
        for name, recognizer in recognizers.items():
            started = time.perf_counter()
            decoded = recognizer.decode(u.audio, options)
            seconds = time.perf_counter() - started
            records[name].append(
                {
                    "name": u.name,
                    "ref": u.text,
                    "hyp": decoded.text,
                    "seconds": seconds,
                    "audio_seconds": u.audio.duration,
                    "window": decoded.window,
                    "suspect": decoded.suspect,
                    "avg_logprob": decoded.avg_logprob,
                    "no_speech_prob": decoded.no_speech_prob,
                }
            )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dir", default=os.environ.get("AICALL_KOSPEECH_DIR"))
    parser.add_argument("--limit", type=int, default=None, help="a spread subset of N")
    parser.add_argument("--settings", default="stock,cut,checked", help=", ".join(SETTINGS))
    parser.add_argument(
        "--vocabulary", action="store_true", help="bias with restaurant-ko's words, as a call"
    )
    parser.add_argument("--out", default=None, help="write each setting's transcripts here")
    args = parser.parse_args()
    if not args.dir or not (Path(args.dir) / "KaiSpeech_000001.pcm").is_file():
        print(
            "skipped: set AICALL_KOSPEECH_DIR to the kospeech sample (KaiSpeech_*.pcm/.txt; "
            "docs/voice.md, 'Korean on real speech')"
        )
        return
    names = [s for s in args.settings.split(",") if s]
    unknown = [s for s in names if s not in SETTINGS]
    if unknown:
        parser.error(f"unknown settings {unknown}; have {', '.join(SETTINGS)}")
    utterances = load(Path(args.dir), args.limit)
    model_dir = resolve_whisper_model("base", Settings().data_dir)
    vocabulary = VOCABULARY if args.vocabulary else ()
    seconds = sum(u.audio.duration for u in utterances)
    print(f"{len(utterances)} utterances, {seconds:.0f} s of audio, vocabulary: {bool(vocabulary)}")
    print(
        "\n| setting | CER | CER with spaces | exact | p50 s | p95 s | mean s | fell back "
        "| vs first: worse / better | CER diff 95% |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    load_before = os.getloadavg()[0]
    results = run_settings(names, utterances, model_dir, vocabulary)
    load_after = os.getloadavg()[0]
    baseline: list[tuple[int, int]] | None = None
    for name in names:
        records = results[name]
        if args.out:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            suffix = "-vocab" if vocabulary else ""
            (out / f"{name}{suffix}.json").write_text(
                json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        plain = [errors(r["ref"], r["hyp"], spaces=False) for r in records]
        spaced = [errors(r["ref"], r["hyp"], spaces=True) for r in records]
        times = [r["seconds"] for r in records]
        cer = sum(e for e, _ in plain) / sum(n for _, n in plain)
        cer_spaces = sum(e for e, _ in spaced) / sum(n for _, n in spaced)
        exact = sum(e == 0 for e, _ in plain)
        fell = sum(r["window"] == "cut, then stock" for r in records)
        if baseline is None:
            baseline = plain
            versus = interval = "-"
        else:
            worse = sum(p[0] > b[0] for p, b in zip(plain, baseline, strict=True))
            better = sum(p[0] < b[0] for p, b in zip(plain, baseline, strict=True))
            low, high = bootstrap_difference(baseline, plain)
            versus, interval = f"{worse} / {better}", f"{low:+.3f} .. {high:+.3f}"
        print(
            f"| {name} | {cer:.3f} | {cer_spaces:.3f} | {exact}/{len(records)} "
            f"| {percentile(times, 0.5):.2f} | {percentile(times, 0.95):.2f} "
            f"| {statistics.mean(times):.2f} | {fell} | {versus} | {interval} |",
            flush=True,
        )
        if os.environ.get("AICALL_BENCH_VERBOSE"):
            for r, (e, n) in zip(records, plain, strict=True):
                print(f"    {r['name']} {e}/{n} {r['window']} {r['ref']!r} -> {r['hyp']!r}")
    print(f"\nload average (1 min) {load_before:.1f} at the start, {load_after:.1f} at the end")


if __name__ == "__main__":
    main()
