"""Which Korean caller phrasings survive espeak-ng -> the phone band -> Whisper base.

Each phrase is spoken by espeak-ng Korean in 12 renditions (125/130/135 wpm x 0.3/0.5 s of
silence before x 0.3/0.6 s after), converted to 8 kHz mu-law and back, and transcribed in
Korean with the restaurant-ko vocabulary as hotwords by both decoders of
:mod:`agent.voice.whisper` (the stock 30 s window and the window cut to the utterance).
Prints the markdown table of docs/voice.md, "Korean calls".

    python -m bench.voice_ko_phrases [--phrases "네,한 시"]
"""

from __future__ import annotations

import argparse
import collections
import subprocess
from pathlib import Path

from agent.voice.asr import RecognitionOptions
from agent.voice.audio import PcmAudio, read_wav
from agent.voice.models import resolve_whisper_model
from agent.voice.simulator import _trim
from agent.voice.whisper import FasterWhisperRecognizer

PHRASES = (
    "네,예,아니요,예약하고 싶어요,내일,목요일이요,일곱 시,저녁 일곱 시,한 시,네 명이요,홀,민수"
)
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


def renditions(text: str) -> list[PcmAudio]:
    """``text`` by espeak-ng Korean, 12 ways, as a recognizer gets it from a phone call."""
    out = []
    for speed in (125, 130, 135):
        command = ["espeak-ng", "-v", "ko", "-s", str(speed), "--stdout", text]
        wav = subprocess.run(command, capture_output=True, check=True).stdout
        audio = PcmAudio.from_mulaw_8k(_trim(read_wav(wav)).to_mulaw_8k())
        rate = audio.sample_rate
        for before in (0.3, 0.5):
            for after in (0.3, 0.6):
                out.append(PcmAudio.silence(before, rate) + audio + PcmAudio.silence(after, rate))
    return out


def main() -> None:
    """Print phrase -> how often each decoder got it (in the transcript), and what it heard most."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--phrases", default=PHRASES, help="comma-separated Korean phrases")
    args = parser.parse_args()
    model = resolve_whisper_model("base", Path(".aicall"))
    decoders = {
        "stock window": FasterWhisperRecognizer(model, timeout=120),
        "cut window": FasterWhisperRecognizer(
            model, timeout=120, window_languages=frozenset({"ko"})
        ),
    }
    options = RecognitionOptions("ko", VOCABULARY)
    print("| caller says | " + " | ".join(f"{d}: right | heard most" for d in decoders) + " |")
    print("|---" * (2 * len(decoders) + 1) + "|")
    for phrase in (p.strip() for p in args.phrases.split(",") if p.strip()):
        audios = renditions(phrase)
        cells = []
        for recognizer in decoders.values():
            heard = collections.Counter(recognizer.recognize_sync(a, options).text for a in audios)
            want = phrase.replace(" ", "")
            right = sum(n for t, n in heard.items() if want in t.replace(" ", ""))
            top, count = heard.most_common(1)[0]
            cells += [f"{right}/{len(audios)}", f"{top or '(nothing)'} ({count})"]
        print(f"| {phrase} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
