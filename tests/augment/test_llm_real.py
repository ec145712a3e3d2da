"""A few short generations with the real bundled model: in process and over loopback HTTP."""

from __future__ import annotations

from datetime import date

import pytest

from authoring.candidates import Candidate
from authoring.domain import AuthoringDomain
from authoring.filters import Screen, reject_reason_of_text
from authoring.generate import generate_for_intent
from authoring.recommend import recommend
from nlg.llm import LlamaCppClient, OpenAICompatClient
from scenarios.schema import Scenario

TODAY = date(2026, 11, 25)


def _check(out: list[Candidate], intent: str) -> None:
    assert out, "the model produced nothing at all"
    for c in out:
        assert c.intent == intent and c.generator.startswith("llm_")
        assert c.prompt_version == "v1"
        assert c.state in ("pending", "rejected")
        assert (c.state == "rejected") == bool(c.reason)


def test_embedded_model_paraphrases_and_zero_shot(model_path: str, ko: AuthoringDomain) -> None:
    llm = LlamaCppClient(model_path, n_ctx=1024, n_threads=1, timeout=120)
    _check(generate_for_intent(llm, ko, "cancel_booking", 4, max_calls=1), "cancel_booking")
    out = generate_for_intent(llm, ko, "faq_parking", 4, zero_shot=True, max_calls=1)
    _check(out, "faq_parking")
    # screened like any other candidates: nothing unfit stays pending
    for c in Screen(ko).screen(out):
        assert c.state == "rejected" or reject_reason_of_text(c.text, ko) is None


def test_local_openai_compatible_server(
    llama_server: str, en: AuthoringDomain, scenarios: dict[str, Scenario]
) -> None:
    llm = OpenAICompatClient(llama_server, model="gemma-3-270m", timeout=120, max_retries=0)
    _check(generate_for_intent(llm, en, "faq_parking", 4, max_calls=1), "faq_parking")
    (point,) = recommend(scenarios["restaurant-en"], "book", llm=llm, n=1, slot="date")
    assert point.say[0] == "What date would you like to book?"  # the template stays first
    assert len(point.say) + len(point.dropped) == 2  # one rewording: kept or dropped with a reason


pytestmark = pytest.mark.timeout(300)


def test_embedded_model_writes_a_goal_dialogue_or_the_template_stays(
    model_path: str, scenarios: dict[str, Scenario]
) -> None:
    from authoring.dialogue_llm import check_lines, goal_dialogues

    sc = scenarios["restaurant-ko"]
    goal = "손님이 내일 저녁 7시 예약을 취소한다"
    llm = LlamaCppClient(model_path, n_ctx=2048, n_threads=1, timeout=180)
    (d,) = goal_dialogues(sc, goal, 1, llm=llm)
    (template,) = goal_dialogues(sc, goal, 1)
    assert d.source in ("llm", "template") and d.prior == template.prior
    if d.source == "template":  # the model's lines failed a check: it is named
        assert d.note and d.turns == template.turns
    else:  # the model's lines are in place of the template's and pass every check
        assert d.note is None and d.caller_turns != template.caller_turns
        assert check_lines(sc, template.turns, d.caller_turns, today=TODAY, task="cancel") is None
