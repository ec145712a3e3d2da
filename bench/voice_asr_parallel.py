"""Simultaneous recognitions on 2 cores: one decoder with 2 threads or 2 decoders with 1 each.

K English caller lines (Piper, phone band) are recognised at the same moment, as when K calls
end a turn together, with the encoder window cut to the utterance. Prints, per layout and K,
the median and the slowest completion time (``python -m bench.voice_asr_parallel``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from agent.voice.audio import PcmAudio
from agent.voice.models import resolve_whisper_model
from agent.voice.synthesizers import PiperSynthesizer
from agent.voice.whisper_window import decode_window, window_frames

LINES = ["I'd like to book a table.", "Tomorrow at seven pm.", "Four people.", "John Smith."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--k", default="1,2,4,8")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from faster_whisper import WhisperModel

    model_dir = resolve_whisper_model("base", Path(tempfile.mkdtemp(prefix="aicall-par-")))
    voice = PiperSynthesizer()
    clips = [
        PcmAudio.from_mulaw_8k(voice.synthesize_sync(t).to_mulaw_8k()).resample(16000).float32()
        for t in LINES
    ]
    print(f"load average {os.getloadavg()}")
    print("\n| layout | K | median s | slowest s |")
    print("|---|---|---|---|")
    for threads, workers in ((2, 1), (1, 2), (1, 1)):
        model = WhisperModel(
            str(model_dir),
            device="cpu",
            compute_type="int8",
            cpu_threads=threads,
            num_workers=workers,
        )

        def one(i: int, model=model) -> float:
            clip = clips[i % len(clips)]
            frames = window_frames(len(clip) // 160 + 1, margin=100, minimum=300)
            started = time.perf_counter()
            decode_window(model, clip, language="en", frames=frames)
            return time.perf_counter() - started

        one(0)
        for k in (int(x) for x in args.k.split(",")):
            done: list[float] = []
            with ThreadPoolExecutor(max_workers=k) as pool:
                for _ in range(args.rounds):
                    done += list(pool.map(one, range(k)))
            print(
                f"| {threads} thread(s) x {workers} worker(s) | {k} "
                f"| {statistics.median(done):.2f} | {max(done):.2f} |"
            )
    print(f"\nload average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
