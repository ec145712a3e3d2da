"""The speech engines of one process: a recognizer and a synthesizer per language.

Built once from :class:`~agent.config.Settings` at the edge (server, simulator) and shared by
every call: models are loaded once per process, never per call.
"""

from __future__ import annotations

import logging
from dataclasses import astuple, dataclass, field

from agent.config import Settings
from agent.voice import models
from agent.voice.asr import SpeechRecognizer
from agent.voice.coqui import CoquiSynthesizer
from agent.voice.phrases import phrases_for
from agent.voice.synthesizers import EspeakSynthesizer, PiperSynthesizer
from agent.voice.tts import Synthesizer
from agent.voice.whisper import FasterWhisperRecognizer
from common.errors import AicallError, NotConfiguredError

__all__ = ["VoiceEngines"]

log = logging.getLogger(__name__)


@dataclass
class VoiceEngines:
    """Recognizers and synthesizers by language (``"ko"``, ``"en"``).

    Attributes:
        recognizers: the recognizer of each language.
        synthesizers: the synthesizer of each language.
    """

    recognizers: dict[str, SpeechRecognizer] = field(default_factory=dict)
    synthesizers: dict[str, Synthesizer] = field(default_factory=dict)

    def recognizer(self, language: str) -> SpeechRecognizer:
        """The recognizer for ``language``.

        Raises:
            NotConfiguredError: no recognizer speaks it.
        """
        try:
            return self.recognizers[language]
        except KeyError:
            raise NotConfiguredError(f"no speech recognizer for language {language!r}") from None

    def synthesizer(self, language: str) -> Synthesizer:
        """The synthesizer for ``language``.

        Raises:
            NotConfiguredError: no synthesizer speaks it.
        """
        try:
            return self.synthesizers[language]
        except KeyError:
            raise NotConfiguredError(f"no speech synthesizer for language {language!r}") from None

    def warm_up(self) -> None:
        """Load every model now (blocking; call it off the event loop at start-up).

        The voice layer's own phrases (apologies, "one moment") are synthesised and pinned:
        a caller still hears them when the synthesizer fails or is slow.
        """
        for r in self.recognizers.values():
            r.warm_up()
        for language, s in self.synthesizers.items():
            s.warm_up()
            try:
                for text in astuple(phrases_for(language)):
                    s.pin(text)
            except AicallError as e:  # its calls will say why; serving goes on
                log.warning("could not prepare the %s voice's own phrases: %s", language, e)

    @classmethod
    def from_settings(cls, settings: Settings) -> VoiceEngines:
        """The embedded engines: faster-whisper, Piper (English) and espeak-ng (Korean).

        ``AICALL_TTS_COQUI_MODEL_EN`` / ``_KO`` put a coqui-tts model in place of a voice.

        Raises:
            NotConfiguredError: a model package or espeak-ng is missing (with an install hint).
        """

        def recognizer(name: str) -> FasterWhisperRecognizer:
            # The short encoder window is measured on base only: tiny.en falls into
            # repetition loops with it (docs/voice.md), other models are untested.
            languages = settings.asr_window_languages if name == "base" else []
            return FasterWhisperRecognizer(
                models.resolve_whisper_model(name, settings.data_dir),
                threads=settings.asr_threads,
                window_languages=frozenset(languages),
                checked_languages=frozenset(settings.asr_checked_languages),
            )

        main = recognizer(settings.asr_model)
        english = recognizer(settings.asr_model_en) if settings.asr_model_en else main
        recognizers: dict[str, SpeechRecognizer] = {"en": english}
        if not main.english_only:
            recognizers["ko"] = main
        synthesizers: dict[str, Synthesizer] = {
            "en": PiperSynthesizer(),
            "ko": EspeakSynthesizer("ko"),
        }
        coqui = {"en": settings.tts_coqui_model_en, "ko": settings.tts_coqui_model_ko}
        for language, model_dir in coqui.items():
            if model_dir is not None:
                synthesizers[language] = CoquiSynthesizer(model_dir, language=language)
        return cls(recognizers=recognizers, synthesizers=synthesizers)
