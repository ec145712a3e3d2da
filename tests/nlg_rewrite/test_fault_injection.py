"""Every injected fault of tests/nlg_checks, produced by an LLM, reaches no caller's ear.

The same wrong replies that ``check_reply`` is tested on are streamed by a scripted LLM through
the rewriter: the whole-reply path speaks the template; the streaming path releases only
sentences that pass every check a later sentence cannot undo, then the template.
"""

from __future__ import annotations

import asyncio

import pytest

from dialogue.acts import SystemAct
from nlg.checks import check_reply
from nlg.rewrite import ReplyRewriter, RewriteRequest, split_sentences
from nlg.templates import TemplateNLG
from tests.llm.fakes import FakeLLM
from tests.nlg_checks.test_fault_injection import ACTS, FAULTS, TEMPLATES
from tests.nlg_rewrite.conftest import shipped

# The echo faults of tests/nlg_checks echo that module's own prompt; the rewriter's prompts
# are different (test_rewriter.py echoes them).
INJECTED = [f for f in FAULTS if f[3] != "prompt_echo"]


class FixedNLG(TemplateNLG):
    """The shipped scenario's persona, with the fault tests' template for every act."""

    def __init__(self, lang: str, kind: str) -> None:
        super().__init__(shipped()[f"restaurant-{lang}"])
        self._text = TEMPLATES[(lang, kind)]

    def word(self, act: SystemAct) -> str:
        return self._text


def _request(lang: str, kind: str) -> RewriteRequest:
    return RewriteRequest((ACTS[kind],), FixedNLG(lang, kind), call_id="fault")


@pytest.mark.parametrize(("lang", "kind", "candidate", "reason"), INJECTED)
def test_the_template_is_spoken_instead(lang: str, kind: str, candidate: str, reason: str) -> None:
    rewriter = ReplyRewriter(FakeLLM(candidate), first_token_budget=1.0, total_budget=2.0)
    try:
        out = asyncio.run(rewriter.rewrite(_request(lang, kind)))
    finally:
        rewriter.close()
    assert out.source == "template", (candidate, out)
    assert out.text == TEMPLATES[(lang, kind)]


@pytest.mark.parametrize(("lang", "kind", "candidate", "reason"), INJECTED)
def test_streaming_releases_nothing_unsafe(
    lang: str, kind: str, candidate: str, reason: str
) -> None:
    async def main() -> list[str]:
        rewriter = ReplyRewriter(FakeLLM(candidate), first_token_budget=1.0, total_budget=2.0)
        return [s async for s in rewriter.stream(_request(lang, kind))]

    sentences = asyncio.run(main())
    template = TEMPLATES[(lang, kind)]
    assert " ".join(sentences).endswith(template), sentences
    early = sentences[: len(sentences) - len(split_sentences(template))]
    for sentence in early:  # released before the whole was checked: harmless on its own
        assert sentence in candidate
        result = check_reply(
            sentence, acts=[ACTS[kind]], template_text=template, lang=lang, polite=True
        )
        bad = [
            r
            for r in result.reasons
            if not r.startswith(("missing:", "not_asking", "slot_not_asked:", "not_closing"))
        ]
        assert not bad, (sentence, bad)
