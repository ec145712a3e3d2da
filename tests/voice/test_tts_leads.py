"""The read-back's fixed start is a chunk of its own, synthesised once and then cached (#18)."""

from __future__ import annotations

import asyncio

from agent.voice.audio import PcmAudio
from agent.voice.tts import Synthesizer, lead_ins, speech_chunks

READ_BACK = (
    "So that's Thursday, November 26th at 7 pm, 4 people, main hall seating, under John "
    "Smith, phone 010-1234-5678. Shall I book it?"
)
TEMPLATES = [
    "So that's {date} at {time}, {party_size}, {seating} seating, under {name}. Shall I book it?",
    "What time would you like? We take bookings from {start} to {end}.",
    "I'm sorry, the {thing} is closed.",
    "{date} {time}, {party_size}, {name} 님으로 예약해 드릴까요?",
    "How many people will there be?",
]


class CountingSynthesizer(Synthesizer):
    def __init__(self) -> None:
        super().__init__()
        self.made: list[str] = []

    def _synthesize(self, text: str) -> PcmAudio:
        self.made.append(text)
        return PcmAudio(b"\x00\x01" * 80, 8000)


def test_lead_ins_are_the_fixed_words_before_the_first_value() -> None:
    # a first sentence without values is a fixed chunk already; an article ends no lead
    assert lead_ins(TEMPLATES) == frozenset({"So that's"})


def test_a_reply_that_begins_with_a_lead_has_it_as_its_own_chunk() -> None:
    plain = speech_chunks(READ_BACK)
    split = speech_chunks(READ_BACK, leads=frozenset({"So that's", "So"}))
    assert split[0] == "So that's"  # the longest lead
    assert " ".join(split) == " ".join(plain)
    assert speech_chunks("So thatsy.", leads=frozenset({"So that's"})) == ["So thatsy."]


def test_the_lead_is_synthesised_once_and_only_the_values_again() -> None:
    tts = CountingSynthesizer()
    tts.learn_templates(TEMPLATES)

    async def say(text: str) -> None:
        async for _audio in tts.stream(text):
            pass

    asyncio.run(say(READ_BACK))
    other = READ_BACK.replace("Thursday, November 26th", "Friday, November 27th")
    asyncio.run(say(other))
    assert tts.made.count("So that's") == 1
    assert tts.cache_hits >= 2  # the lead and "Shall I book it?" the second time
    assert any(chunk.startswith("Friday") for chunk in tts.made)
