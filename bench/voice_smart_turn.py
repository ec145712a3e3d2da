"""pipecat's bundled smart-turn v3.2 model on phone audio: does it tell finished turns apart?

Complete caller lines and unfinished ones (the same kind of line stopped mid-way, as a caller
pausing while dictating) are synthesised with the project's voices, passed through the phone
band and followed by the 0.2 s of silence after which VAD reports the end of speech. Prints, per
language, how often the model calls each kind complete and its time per decision, and how often
Whisper's transcript (the speculative one, ready during the hold) ends a sentence with ``.?!``,
the other cheap signal of a finished turn (``python -m bench.voice_smart_turn``). The model
ships inside pipecat-ai: nothing is downloaded.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from agent.config import Settings
from agent.voice.asr import RecognitionOptions
from agent.voice.audio import PcmAudio
from agent.voice.engines import VoiceEngines
from agent.voice.synthesizers import EspeakSynthesizer, PiperSynthesizer

COMPLETE = {
    "en": [
        "I'd like to book a table.",
        "Tomorrow at seven pm.",
        "Four people.",
        "The main hall, please.",
        "John Smith.",
        "Yes.",
        "No, thank you.",
        "My number is oh one oh, one two three four, five six seven eight.",
        "Do you have parking?",
        "Friday evening at half past six.",
    ],
    "ko": [
        "네",
        "아니요",
        "예약하고 싶어요",
        "내일 저녁 일곱 시요",
        "네 명이요",
        "홀로 해 주세요",
        "김민수입니다",
        "취소하고 싶어요",
        "주차 되나요",
        "제 번호는 공일공 일이삼사 오육칠팔이에요",
    ],
}
UNFINISHED = {
    "en": [
        "I'd like to book a table for",
        "Tomorrow at",
        "My number is oh one oh,",
        "My number is oh one oh, one two three four,",
        "The main",
        "I want to",
        "Can I change my reservation to",
        "Is there a",
        "Friday evening at half",
        "My name is John and",
    ],
    "ko": [
        "내일 저녁",
        "제 번호는 공일공",
        "제 번호는 공일공 일이삼사",
        "예약을",
        "네 명이고",
        "김민수",
        "그러니까",
        "혹시 주차는",
        "홀로 하고",
        "다음 주 금요일",
    ],
}


def phone_with_pause(audio: PcmAudio, pause: float = 0.2) -> PcmAudio:
    """The caller's audio as the agent hears it, with VAD's trailing silence."""
    heard = PcmAudio.from_mulaw_8k(audio.to_mulaw_8k()).resample(16000)
    return heard + PcmAudio.silence(pause, 16000)


def main() -> None:
    from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3

    print(f"load average {os.getloadavg()}")
    started = time.perf_counter()
    model = LocalSmartTurnAnalyzerV3(cpu_count=1)
    model.set_sample_rate(16000)
    print(f"model load {time.perf_counter() - started:.2f} s")
    voices = {"en": PiperSynthesizer(), "ko": EspeakSynthesizer("ko", speed=130)}
    engines = VoiceEngines.from_settings(Settings(data_dir=Path(tempfile.mkdtemp())))
    print(
        "\n| lines | n | smart-turn: complete | mean probability | median ms | max ms "
        "| transcript ends a sentence |"
    )
    print("|---|---|---|---|---|---|---|")
    for language, voice in voices.items():
        for kind, lines in (("complete", COMPLETE), ("unfinished", UNFINISHED)):
            probs, times, ended = [], [], 0
            for line in lines[language]:
                audio = phone_with_pause(voice.synthesize_sync(line))
                t = time.perf_counter()
                result = model._predict_endpoint(audio.float32())
                times.append(1000 * (time.perf_counter() - t))
                probs.append(result["probability"])
                text = (
                    engines.recognizer(language)
                    .recognize_sync(audio, RecognitionOptions(language))
                    .text
                )
                ended += text.rstrip().endswith((".", "?", "!"))
                if os.environ.get("AICALL_BENCH_VERBOSE"):
                    print(f"    {line!r}: {result['probability']:.2f} {text!r}")
            called = sum(p > 0.5 for p in probs)
            print(
                f"| {language} {kind} | {len(lines[language])} | {called} "
                f"| {statistics.mean(probs):.2f} | {statistics.median(times):.0f} "
                f"| {max(times):.0f} | {ended} |"
            )
    print(f"\nload average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
