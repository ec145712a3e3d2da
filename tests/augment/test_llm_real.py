"""A few short generations with the real bundled model: in process and over loopback HTTP."""

from __future__ import annotations

import pytest

from nlg.llm import LlamaCppClient, OpenAICompatClient
from scenarios.authoring.candidates import Candidate
from scenarios.authoring.domain import AuthoringDomain
from scenarios.authoring.filters import Screen, reject_reason_of_text
from scenarios.authoring.generate import generate_for_intent
from scenarios.authoring.recommend import recommend
from scenarios.schema import Scenario


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
