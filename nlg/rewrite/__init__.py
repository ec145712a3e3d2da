"""LLM-backed replies that stay on script: reword a turn's template, speak it only if it passes.

::

    rewriter = make_rewriter("local", first_token_budget=0.3, total_budget=3.0)
    outcome = await rewriter.rewrite(RewriteRequest(acts=acts, nlg=template_nlg, history=...))
    outcome.text, outcome.source, outcome.reasons       # "llm" | "template" | "verbatim"

    async for sentence in rewriter.stream(request):     # for speech synthesis
        ...

The template is the reference and the fallback; ``nlg.checks.check_reply`` decides. Which acts
may be reworded, how streaming meets whole-reply checks, and the benchmark: docs/replies.md.
"""

from nlg.rewrite._factory import make_rewriter
from nlg.rewrite._history import recent_turns
from nlg.rewrite._metrics import RewriteMetrics, RewriteSnapshot
from nlg.rewrite._plan import (
    REWRITABLE_KINDS,
    VERBATIM_TEMPLATES,
    Segment,
    is_rewritable,
    plan_turn,
)
from nlg.rewrite._prompt import (
    HistoryTurn,
    chat_messages,
    completion_prompt,
    persona_line,
    tuned_prompt,
)
from nlg.rewrite._readback import READ_BACK_FLOOR, read_back_score
from nlg.rewrite._request import RewriteOutcome, RewriteRequest
from nlg.rewrite._rewriter import PromptStyle, ReplyRewriter, RewriteStream
from nlg.rewrite._sentences import SentenceSplitter, split_sentences
from nlg.rewrite._similar import near_identical, normalised_distance
from nlg.rewrite._stream import ReplyStream

__all__ = [
    "READ_BACK_FLOOR",
    "REWRITABLE_KINDS",
    "VERBATIM_TEMPLATES",
    "HistoryTurn",
    "PromptStyle",
    "ReplyRewriter",
    "ReplyStream",
    "RewriteMetrics",
    "RewriteOutcome",
    "RewriteRequest",
    "RewriteSnapshot",
    "RewriteStream",
    "Segment",
    "SentenceSplitter",
    "chat_messages",
    "completion_prompt",
    "is_rewritable",
    "make_rewriter",
    "near_identical",
    "normalised_distance",
    "persona_line",
    "plan_turn",
    "read_back_score",
    "recent_turns",
    "split_sentences",
    "tuned_prompt",
]
