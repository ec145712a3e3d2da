"""The rewriter on the bundled model, in process and behind the real llama_cpp.server.

Kept to a few short generations (one thread). Whatever the small base model says, what is
spoken is either its wording that passed every check or exactly the template.
"""

from __future__ import annotations

import asyncio

from nlg.checks import check_reply
from nlg.llm import LlamaCppClient, OpenAICompatClient
from nlg.rewrite import ReplyRewriter, RewriteOutcome, RewriteRequest
from tests.nlg_rewrite.helpers import ASK_TIME, BYE, request


def _spoken_is_safe(out: RewriteOutcome, req: RewriteRequest) -> None:
    if out.source == "llm":
        sc = req.nlg.scenario
        result = check_reply(
            out.text,
            acts=req.acts,
            template_text=out.template_text,
            lang=sc.language,
            allowed_text=[sc.persona.name, sc.persona.business],
        )
        assert result.ok, (out, result)
    else:
        assert out.reasons, out
        assert out.text == out.template_text


def test_local_model_rewording_is_checked(model_path: str) -> None:
    llm = LlamaCppClient(model_path, n_ctx=1024, n_threads=1, max_retries=0)
    rewriter = ReplyRewriter(llm, first_token_budget=20.0, total_budget=30.0)
    try:
        assert rewriter.warm_up()
        req = request("restaurant-en", [BYE], caller="No, that's all. Thanks!")
        out = asyncio.run(rewriter.rewrite(req))
        _spoken_is_safe(out, req)
        assert out.candidate is not None and out.first_token_s is not None
        # a first-token budget nobody can meet: the template, at once
        rewriter.first_token_budget = 0.001
        late = asyncio.run(
            rewriter.rewrite(request("restaurant-ko", [ASK_TIME], caller="네 명이요"))
        )
        assert late.reasons == ("timeout:first_token",)
        assert late.text == "몇 시로 예약해 드릴까요?"
    finally:
        rewriter.close()
    snap = rewriter.metrics.snapshot()
    assert snap.turns == 2 and snap.fallbacks.get("timeout:first_token") == 1


def test_openai_compatible_server_on_loopback(llama_server: str) -> None:
    llm = OpenAICompatClient(llama_server, model="gemma", max_retries=0)
    rewriter = ReplyRewriter(llm, first_token_budget=30.0, total_budget=60.0)
    try:
        req = request("restaurant-en", [ASK_TIME], caller="A table for four tomorrow, please.")
        out = asyncio.run(rewriter.rewrite(req))
        _spoken_is_safe(out, req)
        assert out.candidate is not None  # the server answered (the chat path)
    finally:
        rewriter.close()
