"""Read-back: whether the tuned generator can recover the template from the reworded reply.

The meaning rules (``nlg.checks.meaning_faults``) see a tense, a question word or a listed item
that changed; they cannot see a word swapped for another of its kind ("What time would you
like?" -> "What is your cooking time?"). The tuned generator can judge that a little: it was
trained to reword in both directions, so the reply, given as the text to reword, should make
the template a likely rewording of it. The score is the mean log-probability per token of
``" " + template`` after the adapter's own reword prompt with the reply as its text; no text is
generated (one batch evaluation of about 60 tokens).

A reply whose score is below :data:`READ_BACK_FLOOR` fails with ``meaning:read_back``; the
floor was set on the labelled rewordings of ``tests/nlg_checks/data/reword_meaning.yaml`` and
measured on a later run's (docs/replies.md, "Read-back").
"""

from __future__ import annotations

from nlg.llm import LLMClient, reply_prompt

__all__ = ["READ_BACK_FLOOR", "read_back_score"]

#: mean log-probability per template token under which a reply fails ``meaning:read_back``
READ_BACK_FLOOR = -2.0


async def read_back_score(
    llm: LLMClient, template: str, reply: str, lang: str, persona: str, *, budget: float
) -> float:
    """The mean log-probability of ``template``'s tokens as a rewording of ``reply``.

    Args:
        llm: a client that scores text (``llm.scores_text``) with the tuned adapter loaded.
        template: the line the reply rewords.
        reply: the reworded reply.
        lang: ``ko`` or ``en``.
        persona: the persona line of the reword prompt.
        budget: seconds allowed.

    Raises:
        NotConfiguredError, LLMTimeoutError, LLMBackendError, InputError: as
        :meth:`nlg.llm.LLMClient.logprobs`.
    """
    scores = await llm.logprobs(
        reply_prompt(reply, lang, persona), " " + " ".join(template.split()) + "\n", budget=budget
    )
    return sum(scores) / len(scores)
