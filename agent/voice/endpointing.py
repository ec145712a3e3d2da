"""End-of-turn: how long to wait after the caller stops before answering.

Silero VAD reports the end of speech after a short silence (``stop_secs``). That is too short
for a caller dictating a phone number or a date, who pauses between groups of digits; too long
a wait costs every turn. So the extra hold after VAD's end of speech depends on what the
dialogue expects. Recognition starts at VAD's end of speech, during the hold (speculatively):
if the caller goes on, its result is discarded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipecat.audio.vad.vad_analyzer import VADParams

__all__ = ["EndpointPolicy"]


@dataclass(frozen=True)
class EndpointPolicy:
    """Seconds to hold after VAD's end of speech, by expected input.

    Attributes:
        vad_start_secs: speech after which Silero VAD reports the start of speech. pipecat's
            default (0.2 s) never fires on a short "Yes." or "네" (0.3-0.4 s of voice on the
            phone): they would be lost entirely.
        vad_stop_secs: silence after which Silero VAD reports the end of speech.
        vad_confidence: Silero's speech probability that counts as voice.
        vad_min_volume: loudness that counts as voice (pipecat's 0.6 missed 3 in 8 "No."s).
        default_hold: extra hold for ordinary answers.
        holds: extra hold per expected input kind.
    """

    vad_start_secs: float = 0.1
    vad_stop_secs: float = 0.2
    vad_confidence: float = 0.6
    vad_min_volume: float = 0.4
    default_hold: float = 0.3
    holds: dict[str, float] = field(
        default_factory=lambda: {
            "phone": 1.4,
            "date": 0.8,
            "time": 0.6,
            "datetime": 0.8,
            "name": 0.5,
            "yesno": 0.2,
        }
    )

    def hold(self, expects: str | None) -> float:
        """The extra hold when the dialogue expects ``expects``."""
        if expects is None:
            return self.default_hold
        return self.holds.get(expects, self.default_hold)

    def vad_analyzer(self) -> Any:
        """A Silero VAD analyzer with this policy's start and stop times (one per call)."""
        from pipecat.audio.vad.silero import SileroVADAnalyzer

        params = VADParams(
            start_secs=self.vad_start_secs,
            stop_secs=self.vad_stop_secs,
            confidence=self.vad_confidence,
            min_volume=self.vad_min_volume,
        )
        return SileroVADAnalyzer(params=params)
