"""Speech for phone calls: recognition, synthesis, the per-call pipeline and a caller simulator.

Heavy optional dependencies (faster-whisper, piper-tts, pipecat-ai) come with the ``voice``
extra: ``pip install 'aicall[voice]'``. Importing this package imports none of them.
"""

from agent.voice.asr import RecognitionOptions, SpeechRecognizer, Transcript
from agent.voice.audio import PcmAudio
from agent.voice.engines import VoiceEngines
from agent.voice.tts import Synthesizer

__all__ = [
    "PcmAudio",
    "RecognitionOptions",
    "SpeechRecognizer",
    "Synthesizer",
    "Transcript",
    "VoiceEngines",
]
