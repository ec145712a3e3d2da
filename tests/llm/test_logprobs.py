"""Scoring text with the bundled model: ``LlamaCppClient.logprobs`` (no generation)."""

from __future__ import annotations

import asyncio

import pytest

from common.errors import InputError, NotConfiguredError
from nlg.llm import LlamaCppClient, OpenAICompatClient

PROMPT = "The capital of France is"


def score(llm: LlamaCppClient, prompt: str, continuation: str) -> tuple[float, ...]:
    return asyncio.run(llm.logprobs(prompt, continuation))


def test_each_token_of_the_continuation_gets_a_log_probability(
    local_llm: LlamaCppClient,
) -> None:
    tokens = local_llm._model().llama.tokenize(b" Paris, in Europe.", add_bos=False)
    scores = score(local_llm, PROMPT, " Paris, in Europe.")
    assert len(scores) == len(tokens) and all(s <= 0.0 for s in scores)
    # the likely word scores far above an unlikely one, on any CPU
    assert score(local_llm, PROMPT, " Paris")[0] > score(local_llm, PROMPT, " banana")[0] + 3


def test_scores_agree_with_llama_cpp_s_own_log_probabilities(model_path: str) -> None:
    # llama-cpp-python computes them itself on a model that keeps every position's logits
    llama_cpp = pytest.importorskip("llama_cpp")
    text = " Paris, in Europe."
    reference = llama_cpp.Llama(
        model_path=model_path, n_ctx=128, n_threads=1, logits_all=True, verbose=False
    )
    echoed = reference.create_completion(PROMPT + text, max_tokens=1, echo=True, logprobs=1)
    theirs = echoed["choices"][0]["logprobs"]["token_logprobs"]
    ours = score(LlamaCppClient(model_path, n_ctx=128, n_threads=1), PROMPT, text)
    assert len(ours) == 5  # " Paris", ",", " in", " Europe", "."
    # quantised matrix kernels differ a little with the batch's shape (0.1 seen)
    assert list(ours) == pytest.approx(theirs[-len(ours) - 1 : -1], abs=0.3)


def test_scoring_leaves_generation_and_later_scores_unchanged(local_llm: LlamaCppClient) -> None:
    before = local_llm.complete_sync(PROMPT, max_tokens=8).text
    first = score(local_llm, PROMPT, " Paris.")
    score(local_llm, "Once upon a time", " there was a king.")
    after = local_llm.complete_sync(PROMPT, max_tokens=8).text
    assert after == before
    assert score(local_llm, PROMPT, " Paris.") == pytest.approx(first, abs=1e-3)


def test_empty_or_oversized_text_is_an_input_error(model_path: str) -> None:
    llm = LlamaCppClient(model_path, n_ctx=64, n_threads=1)
    with pytest.raises(InputError, match="empty"):
        score(llm, PROMPT, "")
    with pytest.raises(InputError, match="do not fit"):
        score(llm, PROMPT, " word" * 80)


def test_a_backend_without_scores_says_so() -> None:
    remote = OpenAICompatClient("http://127.0.0.1:9", model="m")
    assert not remote.scores_text
    with pytest.raises(NotConfiguredError, match="cannot score"):
        asyncio.run(remote.logprobs(PROMPT, " Paris"))
