"""What the voice layer says on its own (failures, waits), per language.

The dialogue words everything else; these cover the moments when it cannot answer in time.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["VoicePhrases", "phrases_for"]


@dataclass(frozen=True)
class VoicePhrases:
    """Fixed prompts of the voice layer (synthesised once per process, then cached).

    Attributes:
        not_heard: recognition failed; ask again.
        trouble: the dialogue failed on this turn; ask again.
        wait: the answer is taking a moment (so the line is never silent for long).
        still_waiting: the answer is still coming (said again while the wait goes on).
        goodbye_failure: the call cannot go on.
        time_limit: the call reached its maximum duration.
    """

    not_heard: str
    trouble: str
    wait: str
    still_waiting: str
    goodbye_failure: str
    time_limit: str


_PHRASES = {
    "en": VoicePhrases(
        not_heard="Sorry, I didn't catch that. Could you say it again?",
        trouble="Sorry, something went wrong on my side. Could you say that again?",
        wait="One moment, please.",
        still_waiting="Thank you for waiting, I'm still on it.",
        goodbye_failure="I'm sorry, we are having technical trouble. Please call again later. Goodbye.",
        time_limit="I'm sorry, we have reached the time limit for this call. Goodbye.",
    ),
    "ko": VoicePhrases(
        not_heard="죄송합니다, 잘 못 들었어요. 다시 한 번 말씀해 주시겠어요?",
        trouble="죄송합니다, 잠시 문제가 있었어요. 다시 한 번 말씀해 주시겠어요?",
        wait="잠시만 기다려 주세요.",
        still_waiting="기다려 주셔서 감사합니다. 계속 확인하고 있어요.",
        goodbye_failure="죄송합니다, 지금 기술적인 문제가 있습니다. 나중에 다시 전화해 주세요. 안녕히 계세요.",
        time_limit="죄송합니다, 통화 시간이 다 되었습니다. 안녕히 계세요.",
    ),
}


def phrases_for(language: str) -> VoicePhrases:
    """The phrases of ``language`` (English when unknown)."""
    return _PHRASES.get(language, _PHRASES["en"])
