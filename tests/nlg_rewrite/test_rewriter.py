"""The rewriter on scripted LLMs: what passes is spoken, everything else is the template."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import pytest

from dialogue.acts import SystemAct
from nlg.rewrite import (
    ReplyRewriter,
    RewriteOutcome,
    RewriteRequest,
    chat_messages,
    completion_prompt,
)
from tests.llm.fakes import FakeLLM
from tests.nlg_rewrite.fakes import PiecesLLM
from tests.nlg_rewrite.helpers import ASK_TIME, BYE, CONFIRM_BOOK, request

FAQ_PARKING = SystemAct("inform", template="faq:faq_parking")


def rewrite(
    llm: FakeLLM, req: RewriteRequest, *, first_token_budget: float = 1.0, total_budget: float = 2.0
) -> RewriteOutcome:
    rewriter = ReplyRewriter(llm, first_token_budget=first_token_budget, total_budget=total_budget)
    try:
        return asyncio.run(rewriter.rewrite(req))
    finally:
        rewriter.close()


def test_a_faithful_rewording_is_spoken() -> None:
    req = request("restaurant-ko", [ASK_TIME], caller="내일 네 명 예약할게요")
    out = rewrite(FakeLLM("네, 알겠습니다. 몇 시쯤 오실 예정이세요?"), req)
    assert (out.source, out.reasons) == ("llm", ())
    assert out.text == "네, 알겠습니다. 몇 시쯤 오실 예정이세요?"
    assert out.template_text == "몇 시로 예약해 드릴까요?"


def test_values_the_call_already_holds_may_be_restated() -> None:
    req = request("restaurant-ko", [ASK_TIME], caller="네 명이요", known={"party_size": 4})
    out = rewrite(FakeLLM("네, 4명이시군요. 몇 시로 예약해 드릴까요?"), req)
    assert out.source == "llm", out.reasons
    unknown = request("restaurant-ko", [ASK_TIME], caller="네 명이요")
    out = rewrite(FakeLLM("네, 4명이시군요. 몇 시로 예약해 드릴까요?"), unknown)
    assert out.source == "template" and "extra:number" in out.reasons


def test_english_confirmation_read_back() -> None:
    act = SystemAct(
        "confirm", values={**CONFIRM_BOOK.values, "name": "Alex Kim"}, template="confirm_book"
    )
    req = request("restaurant-en", [act], caller="Alex Kim, 010 1234 5678")
    good = (
        "Thanks, Mr Kim. Friday, December 4th at 7 pm for 4 people in the main hall, "
        "phone 010-1234-5678. Shall I book it?"
    )
    out = rewrite(FakeLLM(good), req)
    assert out.source == "llm", out.reasons
    wrong = good.replace("Friday, December 4th", "Saturday, December 5th")
    out = rewrite(FakeLLM(wrong), req)
    assert out.source == "template" and "extra:date" in out.reasons


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("네, 저녁 8시로 예약해 드릴까요?", "extra:time"),  # a time nobody said
        ("", "empty"),
        ("몇 시로 예약해", "truncated"),  # cut by max_tokens
        ("예약이 완료되었습니다.", "claims_done"),
        ("몇 시에 올 거야?", "impolite"),
        ("What time would you like?", "wrong_language"),
    ],
)
def test_a_faulty_rewording_falls_back_to_the_template(reply: str, reason: str) -> None:
    req = request("restaurant-ko", [ASK_TIME], caller="내일 예약할게요")
    out = rewrite(FakeLLM(reply), req)
    assert out.source == "template"
    assert reason in out.reasons
    assert out.text == "몇 시로 예약해 드릴까요?"


@pytest.mark.parametrize("style", ["chat", "completion"])
def test_the_prompt_echoed_back_falls_back(style: str) -> None:
    req = request("restaurant-ko", [ASK_TIME], caller="내일 예약할게요")
    persona, template = req.nlg.scenario.persona, "몇 시로 예약해 드릴까요?"
    if style == "chat":
        prompt = chat_messages(persona, "ko", req.history, template)[0].content
        start = prompt.index("대본에 없는")
    else:
        prompt = completion_prompt(persona, "ko", req.history, template)
        start = prompt.index("대본의 날짜")
    echo = prompt[start : prompt.index("않습니다.", start)] + "않습니다. " + template
    rewriter = ReplyRewriter(FakeLLM(echo), prompt_style=style)  # type: ignore[arg-type]
    try:
        out = asyncio.run(rewriter.rewrite(req))
    finally:
        rewriter.close()
    assert out.source == "template" and "prompt_echo" in out.reasons


def test_unreachable_llm_falls_back_and_the_call_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    req = request("restaurant-en", [ASK_TIME], caller="A table tomorrow")
    with caplog.at_level(logging.INFO, logger="nlg.rewrite"):
        out = rewrite(FakeLLM("never", fail_first=99, transient=True, max_retries=1), req)
    assert (out.source, out.reasons, out.text) == (
        "template",
        ("unreachable",),
        "What time would you like?",
    )
    assert "unreachable" in caplog.text


def test_a_slow_first_token_falls_back() -> None:
    req = request("restaurant-en", [ASK_TIME])
    out = rewrite(FakeLLM("late", block=asyncio.Event()), req, first_token_budget=0.05)
    assert out.reasons == ("timeout:first_token",)
    assert out.text == "What time would you like?"


def test_a_reply_that_stalls_midway_falls_back() -> None:
    req = request("restaurant-en", [ASK_TIME])
    llm = PiecesLLM(["Sure", " thing.", " What time?"], stall_after=1)
    out = rewrite(llm, req, total_budget=0.1)
    assert out.reasons == ("timeout:total",)
    assert out.text == "What time would you like?"


def test_turns_with_nothing_to_reword_make_no_llm_call() -> None:
    llm = FakeLLM("anything")
    out = rewrite(llm, request("restaurant-ko", [FAQ_PARKING], caller="주차 돼요?"))
    assert out.source == "verbatim" and llm.attempts == 0
    assert out.text == out.template_text


def test_verbatim_acts_keep_their_words_around_the_reworded_one() -> None:
    req = request("restaurant-ko", [FAQ_PARKING, ASK_TIME], caller="주차 돼요?")
    out = rewrite(FakeLLM("혹시 몇 시쯤 오실 예정이세요?"), req)
    fact = req.nlg.scenario.facts["parking"]
    assert out.source == "llm"
    assert out.text == f"{fact} 혹시 몇 시쯤 오실 예정이세요?"


def test_metrics_count_passes_and_fallbacks_by_reason() -> None:
    llm = FakeLLM("네, 알겠습니다. 몇 시쯤 오실 예정이세요?")
    rewriter = ReplyRewriter(llm, first_token_budget=1.0, total_budget=2.0)
    try:
        asyncio.run(rewriter.rewrite(request("restaurant-ko", [ASK_TIME])))
        llm.reply = "저녁 8시요?"
        asyncio.run(rewriter.rewrite(request("restaurant-ko", [ASK_TIME])))
        asyncio.run(rewriter.rewrite(request("restaurant-ko", [FAQ_PARKING])))
    finally:
        rewriter.close()
    m = rewriter.metrics.snapshot()
    assert (m.turns, m.passed, m.verbatim, m.fallback_total) == (3, 1, 1, 1)
    assert m.fallbacks == {"extra:time": 1}
    assert m.first_token_p50_s is not None and m.total_p95_s is not None


# -- streaming -------------------------------------------------------------------------------


async def collect(stream: object) -> list[str]:
    out = []
    async for sentence in stream:  # type: ignore[attr-defined]
        out.append(sentence)
    return out


def test_a_safe_first_sentence_is_released_before_the_rest_is_generated() -> None:
    async def main() -> None:
        cue = asyncio.Event()
        llm = PiecesLLM(["네, 알겠습니다. ", "몇 시쯤 ", "오실 예정이세요?"], cue=cue)
        rewriter = ReplyRewriter(llm, first_token_budget=1.0, total_budget=2.0)
        stream = rewriter.stream(request("restaurant-ko", [ASK_TIME], caller="네 명이요"))
        async with contextlib.aclosing(stream):
            first = await anext(stream)
            assert first == "네, 알겠습니다."
            assert llm.produced == 1  # the rest is not generated yet
            cue.set()
            rest = await collect(stream)
        assert rest == ["몇 시쯤 오실 예정이세요?"]
        assert stream.outcome is not None and stream.outcome.source == "llm"
        assert stream.outcome.released_early == 1

    asyncio.run(main())


def test_an_unsafe_sentence_stops_the_llm_and_the_template_follows() -> None:
    async def main() -> None:
        llm = PiecesLLM(["네, 알겠습니다. ", "저녁 8시 어떠세요? ", "아니면 ", "9시요?"])
        rewriter = ReplyRewriter(llm, first_token_budget=1.0, total_budget=2.0)
        stream = rewriter.stream(request("restaurant-ko", [ASK_TIME], caller="네 명이요"))
        sentences = await collect(stream)
        # the first sentence was safe whatever followed; the second names a time nobody said
        assert sentences == ["네, 알겠습니다.", "몇 시로 예약해 드릴까요?"]
        assert llm.produced == 2  # stopped at the sentence that failed, not at the end
        assert stream.outcome is not None
        assert stream.outcome.reasons == ("extra:time",)

    asyncio.run(main())


def test_verbatim_sentences_are_released_before_the_llm_answers() -> None:
    async def main() -> None:
        gate = asyncio.Event()
        llm = FakeLLM("몇 시쯤 오실 예정이세요?", block=gate)
        rewriter = ReplyRewriter(llm, first_token_budget=1.0, total_budget=2.0)
        req = request("restaurant-ko", [FAQ_PARKING, ASK_TIME], caller="주차 돼요?")
        stream = rewriter.stream(req)
        fact = req.nlg.scenario.facts["parking"]
        got = await anext(stream)
        assert got == fact.split(". ")[0] + ("." if ". " in fact else "")
        gate.set()
        rest = await collect(stream)
        assert rest[-1] == "몇 시쯤 오실 예정이세요?"

    asyncio.run(main())


def _spoken(sentences: Sequence[str]) -> str:
    return " ".join(sentences)


def test_closing_a_stream_early_stops_the_llm() -> None:
    async def main() -> None:
        cue = asyncio.Event()
        llm = PiecesLLM(["네, 알겠습니다. ", "몇 시쯤 ", "오실 예정이세요?"], cue=cue)
        rewriter = ReplyRewriter(llm, first_token_budget=1.0, total_budget=2.0)
        stream = rewriter.stream(request("restaurant-ko", [ASK_TIME]))
        assert await anext(stream) == "네, 알겠습니다."
        await stream.aclose()  # a barge-in
        assert llm.produced == 1
        assert stream.outcome is not None and _spoken([]) == ""

    asyncio.run(main())


def test_bye_must_still_close() -> None:
    out = rewrite(FakeLLM("네, 알겠습니다."), request("restaurant-ko", [BYE], caller="아니요"))
    assert out.source == "template" and "not_closing" in out.reasons


def test_each_request_is_asked_in_its_own_words() -> None:
    # a greeting and a question in one turn: the question must be asked, not just the greeting
    greet = SystemAct("greet", template="greet")
    identity = SystemAct("request", slot="identity", template="ask_identity")
    req = request("carecall-ko", [greet, identity], caller=None)
    dropped = "안녕하세요, 행복구청 돌봄센터 하나입니다. 안부 여쭈려고 전화드렸어요?"
    out = rewrite(FakeLLM(dropped), req)
    assert out.source == "template" and "not_asked:identity" in out.reasons, out.reasons


def test_a_request_asks_no_other_slot() -> None:
    req = request("restaurant-ko", [ASK_TIME], caller="예약할게요")
    out = rewrite(FakeLLM("몇 시에 몇 분이 오시나요?"), req)
    assert out.source == "template" and "asks_other:party_size" in out.reasons


@pytest.mark.parametrize(
    ("scenario", "reply"),
    [
        (
            "restaurant-en",
            "Yes, I'll change it to Friday, December 4th at 7 pm, 4 people, main hall seating, "
            "under 김민수, phone 010-1234-5678. Shall I change it?",
        ),
        (
            "restaurant-ko",
            "네, 12월 4일 금요일 저녁 7시, 4명, 홀 좌석, 김민수 님, 연락처 010-1234-5678로 "
            "예약해 드리겠습니다. 괜찮으실까요?",
        ),
    ],
)
def test_a_confirmation_promises_nothing_before_the_yes(scenario: str, reply: str) -> None:
    out = rewrite(FakeLLM(reply), request(scenario, [CONFIRM_BOOK], caller="네"))
    assert out.source == "template" and "promises" in out.reasons, out.reasons


@pytest.mark.parametrize(
    ("scenario", "reply"),
    [("restaurant-ko", "대본: 몇 시로 예약해 드릴까요?"), ("restaurant-en", "Script: What time?")],
)
def test_the_prompts_own_labels_never_reach_the_caller(scenario: str, reply: str) -> None:
    # seen in the benchmark on the llama.cpp server's chat path
    out = rewrite(FakeLLM(reply), request(scenario, [ASK_TIME], caller="네"))
    assert out.source == "template" and "label_leak" in out.reasons, out.reasons
