"""Several candidates per turn: the first that passes and is not the template again is spoken.

A scripted LLM answers a different wording on each call (the neighbour logic only; the real
model is measured by bench/nlg_replies.py). Also the near-identical measure and the tuned
prompt's shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from dialogue.acts import SystemAct
from nlg.llm import ChatMessage, GenerationOptions
from nlg.rewrite import (
    HistoryTurn,
    ReplyRewriter,
    RewriteOutcome,
    RewriteRequest,
    near_identical,
    normalised_distance,
    tuned_prompt,
)
from tests.llm.fakes import FakeLLM
from tests.nlg_rewrite.conftest import shipped
from tests.nlg_rewrite.helpers import ASK_TIME, request

TEMPLATE_KO = "몇 시로 예약해 드릴까요?"


class TakesLLM(FakeLLM):
    """Answers ``takes[i]`` on the i-th call (the last one after that); records the options."""

    def __init__(self, takes: list[str]) -> None:
        super().__init__(takes[0])
        self.takes = takes
        self.options: list[GenerationOptions] = []

    def _stream_complete_impl(self, prompt: str, options: GenerationOptions) -> AsyncIterator[str]:
        self.options.append(options)
        self.reply = self.takes[min(len(self.options) - 1, len(self.takes) - 1)]
        return self._pieces(prompt)

    def _stream_chat_impl(
        self, messages: tuple[ChatMessage, ...], options: GenerationOptions
    ) -> AsyncIterator[str]:
        raise AssertionError("completion prompts expected")


def rewrite(llm: FakeLLM, req: RewriteRequest, candidates: int) -> RewriteOutcome:
    rewriter = ReplyRewriter(
        llm,
        first_token_budget=1.0,
        total_budget=60.0,  # the first check loads the Korean morphology model
        prompt_style="completion",
        candidates=candidates,
    )
    try:
        return asyncio.run(rewriter.rewrite(req))
    finally:
        rewriter.close()


def test_a_copy_of_the_template_is_passed_over_for_a_real_rewording() -> None:
    llm = TakesLLM(
        ["네, 몇 시로 예약해 드릴까요?", "몇 시 몇 분, 3명", "방문하실 시간은 몇 시쯤이세요?"]
    )
    out = rewrite(llm, request("restaurant-ko", [ASK_TIME], caller="예약이요"), candidates=3)
    assert (out.source, out.text) == ("llm", "방문하실 시간은 몇 시쯤이세요?")
    # the first candidate greedy, the others sampled with their own seeds
    assert [o.temperature for o in llm.options] == [0.0, 0.8, 0.8]
    assert llm.options[1].seed != llm.options[2].seed


def test_when_no_candidate_differs_the_first_passing_copy_is_spoken() -> None:
    llm = TakesLLM(["인원은 몇 분이세요?", "네, 몇 시로 예약해 드릴까요?"])
    out = rewrite(llm, request("restaurant-ko", [ASK_TIME]), candidates=3)
    assert (out.source, out.text) == ("llm", "네, 몇 시로 예약해 드릴까요?")
    assert len(llm.options) == 3


def test_no_candidate_passes_the_template_with_the_first_ones_reasons() -> None:
    llm = TakesLLM(["몇 시로 예약해?", "인원은 몇 분이세요?"])
    out = rewrite(llm, request("restaurant-ko", [ASK_TIME]), candidates=2)
    assert (out.source, out.text) == ("template", TEMPLATE_KO)
    assert "impolite" in out.reasons


def test_one_candidate_speaks_a_copy_without_asking_again() -> None:
    llm = TakesLLM(["네, 몇 시로 예약해 드릴까요?", "방문하실 시간은 몇 시쯤이세요?"])
    out = rewrite(llm, request("restaurant-ko", [ASK_TIME]), candidates=1)
    assert out.text == "네, 몇 시로 예약해 드릴까요?"
    assert len(llm.options) == 1


def test_candidates_must_be_positive() -> None:
    with pytest.raises(ValueError, match="candidates"):
        ReplyRewriter(FakeLLM(), candidates=0)


def test_the_callers_question_asked_back_falls_back() -> None:
    caller = "몇 시에 예약할 수 있나요?"
    req = request("restaurant-ko", [ASK_TIME], caller=caller)
    out = rewrite(TakesLLM(["네, 몇 시에 예약할 수 있나요?"]), req, candidates=1)
    assert out.source == "template" and "role_flip" in out.reasons


@pytest.mark.parametrize(
    ("reply", "template", "same"),
    [
        ("네, 요즘 기분은 어떠세요?", "요즘 기분은 어떠세요?", True),
        ("Sure, what time would you like?", "What time would you like?", True),
        ("요즘 기분은 좀 어떠신가요?", "요즘 기분은 어떠세요?", False),
        ("And what time works best for you?", "What time would you like?", False),
    ],
)
def test_near_identical_ignores_fillers_and_punctuation(
    reply: str, template: str, same: bool
) -> None:
    assert near_identical(reply, template) is same
    assert (normalised_distance(reply, template) < 0.1) is same


def test_the_tuned_prompt_ends_with_the_task_and_carries_the_persona() -> None:
    persona = shipped()["restaurant-ko"].persona
    shots = tuned_prompt(persona, "ko", TEMPLATE_KO, examples=True)
    bare = tuned_prompt(persona, "ko", TEMPLATE_KO, examples=False)
    assert shots.endswith(bare) and len(shots) > 2 * len(bare)
    assert bare.rstrip().endswith("reworded:") and TEMPLATE_KO in bare
    assert persona.name in bare and persona.business in bare and "존댓말" in bare


def test_history_is_not_needed_for_the_tuned_prompt() -> None:
    # the tuned prompt words the template alone; history still feeds the role check
    req = request("restaurant-ko", [ASK_TIME], caller="네")
    assert req.history == (HistoryTurn("caller", "네"),)


@pytest.mark.parametrize(
    ("scenario", "dropped", "kept"),
    [
        (
            "carecall-en",
            "How are you feeling?",
            "How have you been feeling? Any fever, cough or pain?",
        ),
        (
            "carecall-ko",
            "요즘 몸은 좀 어떠세요?",
            "요즘 몸은 좀 어떠세요? 열이 나거나 기침이나 아픈 데는 없으세요?",
        ),
    ],
)
def test_a_template_question_left_out_falls_back(scenario: str, dropped: str, kept: str) -> None:
    ask = SystemAct("request", slot="health", template="ask_health")
    out = rewrite(TakesLLM([dropped]), request(scenario, [ask]), candidates=1)
    assert out.source == "template" and "drops_question" in out.reasons
    out = rewrite(TakesLLM([kept]), request(scenario, [ask]), candidates=1)
    assert out.source == "llm", out.reasons


@pytest.mark.parametrize(
    ("scenario", "template", "off", "on"),
    [
        (
            "restaurant-ko",
            "what_to_correct",
            "경성동을 이용하는 방법을 알려주십시오.",
            "어느 부분을 고쳐 드리면 될까요?",
        ),
        (
            "restaurant-en",
            "anything_else",
            "What is your cooking time?",
            "Can I help you with anything else?",
        ),
    ],
)
def test_a_reply_about_something_else_falls_back(
    scenario: str, template: str, off: str, on: str
) -> None:
    ask = SystemAct("request", template=template)
    out = rewrite(TakesLLM([off]), request(scenario, [ask]), candidates=1)
    assert out.source == "template" and "off_topic" in out.reasons
    out = rewrite(TakesLLM([on]), request(scenario, [ask]), candidates=1)
    assert out.source == "llm", out.reasons
