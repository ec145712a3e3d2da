"""LLM generators with a scripted model: bad output is rejected with a reason, never accepted."""

from __future__ import annotations

from collections import Counter

import pytest

from authoring.annotated import Utterance
from authoring.domain import AuthoringDomain
from authoring.generate import PROMPT_VERSION, LLMUnavailableError, generate_for_intent
from authoring.korean import attach
from authoring.pipeline import augment
from common.errors import BackendUnavailableError
from nlg.llm import make_llm_client
from tests.augment.conftest import ScriptedLLM


def test_paraphrases_keep_provenance(ko: AuthoringDomain) -> None:
    llm = ScriptedLLM([" 토요일에 자리 하나 부탁드려요\n- 가족 모임 예약 되나요\n"])
    out = generate_for_intent(llm, ko, "faq_parking", 2, max_calls=1)
    assert [c.text for c in out] == ["토요일에 자리 하나 부탁드려요", "가족 모임 예약 되나요"]
    assert {(c.generator, c.prompt_version, c.state) for c in out} == {
        ("llm_paraphrase", PROMPT_VERSION, "pending")
    }
    assert all(c.seed in ko.examples["faq_parking"] for c in out)
    prompt = llm.requests[0]
    assert isinstance(prompt, str) and "주차가 되는지 묻는 발화" in prompt and prompt.endswith("-")


def test_slot_templates_are_filled_with_agreeing_particles(ko: AuthoringDomain) -> None:
    llm = ScriptedLLM([" x\n", " {seating}으로 자리 있어요?\n- {seat}에 앉고 싶어요\n"])
    out = generate_for_intent(llm, ko, "book", 5, max_calls=2)
    slots = [c for c in out if c.generator == "llm_slots"]
    kept = [c.text for c in slots if c.state == "pending"]
    assert kept and all(t.startswith("[") and "](seating:" in t for t in kept)
    for text in kept:
        u = Utterance.parse(text)
        seat, rest = u.segments[0].text, u.segments[1].text
        assert rest.startswith(attach(seat, "(으)로") + " "), text
    assert [c.reason for c in slots if c.state == "rejected"] == ["unknown_slot:seat"]


def test_zero_shot_uses_json_and_rejects_bad_output(en: AuthoringDomain) -> None:
    llm = ScriptedLLM(
        [
            '{"utterances": ["is there a place to park", "can you send a taxi"]}',
            '{"utterances": [',  # cut short: does not parse
            '{"utterances": []}',  # does not validate (minItems)
        ]
    )
    out = generate_for_intent(llm, en, "faq_parking", 10, zero_shot=True, max_calls=3)
    by = {c.text: c for c in out}
    assert by["is there a place to park"].state == "pending"
    assert by["can you send a taxi"].reason == "prompt_echo"
    assert sum(1 for c in out if (c.reason or "").startswith("malformed_json")) == 2
    assert all(c.generator == "llm_zero_shot" and c.seed is None for c in out)


def test_every_kind_of_bad_output_is_rejected(ko: AuthoringDomain) -> None:
    junk = (
        " 주차 되나요 주차\n"  # fine
        "- I want to park my car\n"  # wrong language
        "- 씨발 주차\n"  # offensive
        "- 주차 돼요?\n"  # duplicate of an example
        '- {"text": "주차"}\n'  # malformed
        "- 예약 취소하고 싶은데요\n"  # another intent
        "- 오늘 날씨 좀 알려 주세요\n"  # off topic
    )
    llm = ScriptedLLM([junk, ""])
    out = augment(ko, intents=["faq_parking"], n=8, llm=llm, deterministic=False)
    reasons = Counter((c.reason or "kept").split(":")[0] for c in out)
    assert reasons["kept"] == 1
    for reason in (
        "wrong_language",
        "offensive",
        "duplicate",
        "malformed",
        "label_conflict",
        "off_topic",
    ):
        assert reasons[reason] >= 1, reasons
    assert reasons["empty"] >= 1  # the second call answered nothing
    assert all(c.state == "rejected" for c in out if c.reason)


def test_unreachable_llm_is_a_clear_error_and_deterministic_still_works(
    ko: AuthoringDomain,
) -> None:
    llm = make_llm_client(
        "openai", base_url="http://127.0.0.1:9/v1", model="x", max_retries=0, timeout=5
    )
    assert llm is not None
    with pytest.raises(LLMUnavailableError, match="deterministic augmenters still work"):
        augment(ko, intents=["book"], n=3, llm=llm)
    assert issubclass(LLMUnavailableError, BackendUnavailableError)
    out = augment(ko, intents=["book"], n=10, llm=None)
    assert len(out) == 10 and {c.generator for c in out} >= {"speech_level", "spacing", "typo"}


def test_generated_utterances_get_known_values_annotated(en: AuthoringDomain) -> None:
    llm = ScriptedLLM([" could we get a private room tomorrow\n- is the terrace free\n"])
    out = generate_for_intent(llm, en, "book", 2, max_calls=1)
    assert out[0].text == "could we get a [private room](seating:room) [tomorrow](date)"
    assert out[1].text == "is the [terrace](seating:outdoor) free"


def test_a_slow_answer_is_recorded_and_the_run_goes_on(en: AuthoringDomain) -> None:
    import asyncio

    class Slow(ScriptedLLM):
        async def _json_impl(self, request, schema, options):  # type: ignore[no-untyped-def]
            await asyncio.sleep(5)
            return await super()._json_impl(request, schema, options)

    llm = Slow([" is there a car park nearby\n"])
    import authoring.generate as generate

    old, generate.JSON_BUDGET = generate.JSON_BUDGET, 0.05
    try:
        out = generate_for_intent(llm, en, "faq_parking", 1, zero_shot=True, max_calls=1)
    finally:
        generate.JSON_BUDGET = old
    assert out[0].state == "rejected" and out[0].reason.startswith("timeout")
    assert out[1].text == "is there a car park nearby" and out[1].state == "pending"
