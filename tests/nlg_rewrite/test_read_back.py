"""The read-back check: a reply the template does not read back from is not spoken.

A scripted LLM stands in for the tuned generator (the neighbour logic only: which candidate is
spoken, what a scoring failure does). The scoring itself runs on the bundled model in
tests/llm/test_logprobs.py; how well it separates right from wrong rewordings is measured by
bench/nlg_replies.py (docs/replies.md).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

from nlg.checks import meaning_faults
from nlg.llm import LlamaCppClient, LLMBackendError, bundled_adapter_path
from nlg.rewrite import (
    READ_BACK_FLOOR,
    ReplyRewriter,
    RewriteOutcome,
    RewriteRequest,
    persona_line,
    read_back_score,
)
from tests.nlg_rewrite.conftest import shipped
from tests.nlg_rewrite.helpers import ASK_TIME, request
from tests.nlg_rewrite.test_candidates import TakesLLM

FIXTURE = Path(__file__).parent.parent / "nlg_checks" / "data" / "reword_meaning.yaml"
GOOD = "방문하실 시간은 몇 시쯤이세요?"
DRIFT = "몇 시에 요리하고 싶으세요?"


class ScoringLLM(TakesLLM):
    """A tuned generator that scores text: ``scores[reply]`` per token of the template."""

    scores_text = True
    lora_path = "tuned.gguf"

    def __init__(self, takes: list[str], scores: dict[str, float], *, fail: bool = False):
        super().__init__(takes)
        self.scores = scores
        self.fail = fail
        self.scored: list[tuple[str, str]] = []

    async def _logprobs_impl(self, prompt: str, continuation: str) -> tuple[float, ...]:
        self.scored.append((prompt, continuation))
        if self.fail:
            raise LLMBackendError("scripted scoring failure")
        reply = next(r for r in self.scores if f"text: {r}\n" in prompt)
        return (self.scores[reply],) * 3


def rewrite(llm: TakesLLM, req: RewriteRequest, **kwargs: object) -> RewriteOutcome:
    rewriter = ReplyRewriter(
        llm,
        first_token_budget=1.0,
        total_budget=60.0,  # the first check loads the Korean morphology model
        prompt_style="completion",
        candidates=2,
        **kwargs,  # type: ignore[arg-type]
    )
    try:
        return asyncio.run(rewriter.rewrite(req))
    finally:
        rewriter.close()


def test_a_reply_the_template_does_not_read_back_from_gives_way_to_the_next() -> None:
    llm = ScoringLLM([DRIFT, GOOD], {DRIFT: READ_BACK_FLOOR - 1.0, GOOD: READ_BACK_FLOOR + 1.0})
    out = rewrite(llm, request("restaurant-ko", [ASK_TIME]))
    assert (out.source, out.text) == ("llm", GOOD)
    assert out.read_back == READ_BACK_FLOOR + 1.0
    # the template is scored after the reply, in the adapter's reword prompt
    prompt, template = llm.scored[0]
    assert prompt.startswith("### reword\nlanguage: ko\n") and prompt.endswith("reworded:")
    assert template == " 몇 시로 예약해 드릴까요?\n"


def test_no_reply_reads_back_the_template_is_spoken_and_says_why() -> None:
    llm = ScoringLLM([DRIFT], {DRIFT: READ_BACK_FLOOR - 0.5})
    out = rewrite(llm, request("restaurant-ko", [ASK_TIME]))
    assert (out.source, out.text) == ("template", "몇 시로 예약해 드릴까요?")
    assert out.reasons == ("meaning:read_back",)
    assert out.read_back == READ_BACK_FLOOR - 0.5


def test_a_scoring_failure_falls_back_to_the_template() -> None:
    llm = ScoringLLM([GOOD], {GOOD: 0.0}, fail=True)
    out = rewrite(llm, request("restaurant-ko", [ASK_TIME]))
    assert out.source == "template" and out.reasons == ("read_back:failed",)


def test_the_read_back_can_be_turned_off_or_only_measured() -> None:
    off = ScoringLLM([DRIFT], {DRIFT: -99.0})
    assert rewrite(off, request("restaurant-ko", [ASK_TIME]), read_back_floor=None).text == DRIFT
    assert off.scored == []
    measured = ScoringLLM([DRIFT], {DRIFT: -99.0})
    out = rewrite(measured, request("restaurant-ko", [ASK_TIME]), read_back_floor=float("-inf"))
    assert (out.text, out.read_back) == (DRIFT, -99.0)


def test_a_model_without_the_adapter_is_not_read_back() -> None:
    plain = ScoringLLM([DRIFT], {DRIFT: -99.0})
    plain.lora_path = None  # type: ignore[assignment]
    assert rewrite(plain, request("restaurant-ko", [ASK_TIME])).text == DRIFT
    assert plain.scored == []


def test_on_the_labelled_passes_the_shipped_adapter_reads_back_right_above_wrong(
    model_path: str,
) -> None:
    """The scoring on the real adapter: right or awkward rewordings score above wrong ones.

    Over the labelled passes that the rules keep (tests/nlg_checks/data/reword_meaning.yaml),
    the chance that a right or awkward one scores above a wrong one (AUC) was 0.78 to 0.8 when
    the floor was set; any CPU must keep it well above chance (0.5).
    """
    adapter = bundled_adapter_path()
    assert adapter is not None
    llm = LlamaCppClient(model_path, n_ctx=512, n_threads=1, lora_path=adapter)
    scenarios = shipped()
    rows = [
        r
        for r in yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
        if not meaning_faults(
            r["candidate"],
            r["template"],
            r["lang"],
            business=scenarios[r["scenario"]].persona.business,
        )
    ]

    async def scores() -> list[float]:
        return [
            await read_back_score(
                llm,
                r["template"],
                r["candidate"],
                r["lang"],
                persona_line(scenarios[r["scenario"]].persona, r["lang"]),
                budget=60.0,
            )
            for r in rows
        ]

    scored = list(zip(rows, asyncio.run(scores()), strict=True))
    good = [s for r, s in scored if r["label"] != "wrong"]
    bad = [s for r, s in scored if r["label"] == "wrong"]
    assert len(good) >= 30 and len(bad) >= 15
    auc = sum((g > b) + 0.5 * (g == b) for g in good for b in bad) / (len(good) * len(bad))
    assert auc >= 0.7, auc
