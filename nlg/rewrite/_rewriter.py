"""Reword a turn's template text with an LLM, speaking only what passes the checks.

::

    rewriter = ReplyRewriter(make_llm_client("local"), first_token_budget=0.3)
    outcome = await rewriter.rewrite(request)           # the whole reply, checked
    stream = rewriter.stream(request)                   # sentence by sentence
    async for sentence in stream: speak(sentence)
    stream.outcome                                      # how it went, once done

See docs/replies.md for how streaming is reconciled with whole-reply checks.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from common.errors import AicallError
from dialogue.acts import ActKind
from nlg.checks import check_reply, meaning_faults
from nlg.llm import (
    ChatMessage,
    LlamaCppClient,
    LLMBackendError,
    LLMClient,
    LLMTimeoutError,
)
from nlg.rewrite._contract import contract_faults
from nlg.rewrite._metrics import RewriteMetrics
from nlg.rewrite._plan import Segment, plan_turn
from nlg.rewrite._prompt import chat_messages, completion_prompt, persona_line, tuned_prompt
from nlg.rewrite._readback import READ_BACK_FLOOR, read_back_score
from nlg.rewrite._request import RewriteOutcome, RewriteRequest, Source
from nlg.rewrite._sentences import SentenceSplitter, split_sentences
from nlg.rewrite._similar import near_identical
from scenarios.schema import Persona

__all__ = ["PromptStyle", "ReplyRewriter", "RewriteStream"]

log = logging.getLogger(__name__)

PromptStyle = Literal["auto", "completion", "chat"]

# Reasons a later sentence can still make good: a sentence on its own may lack a value or the
# question that the rest of the reply brings. Every other reason condemns the whole reply.
_COMPLETABLE = (
    "missing:",
    "not_asking",
    "slot_not_asked:",
    "not_asked:",
    "not_closing",
    "drops_question",
)


def _completable(reason: str) -> bool:
    return reason.startswith(_COMPLETABLE)


@dataclass
class _Attempt:
    """One candidate wording of a segment."""

    candidate: str = ""
    reasons: tuple[str, ...] = ()
    pieces: int = 0
    first_token_s: float | None = None
    unreleased: list[str] = field(default_factory=list)
    stop: bool = False  # the LLM failed: no further candidate
    read_back: float | None = None


@dataclass
class _Trace:
    """What happened while a turn was worded (filled in by :meth:`ReplyRewriter._run`)."""

    template_text: str = ""
    source: Source = "verbatim"
    reasons: tuple[str, ...] = ()
    candidate: str | None = None
    segment_text: str | None = None
    first_token_s: float | None = None
    total_s: float | None = None
    released_early: int = 0
    read_back: float | None = None
    spoken: list[str] = field(default_factory=list)

    def outcome(self) -> RewriteOutcome:
        return RewriteOutcome(
            text=" ".join(self.spoken),
            template_text=self.template_text,
            source=self.source,
            reasons=self.reasons,
            candidate=self.candidate,
            segment_text=self.segment_text,
            first_token_s=self.first_token_s,
            total_s=self.total_s,
            released_early=self.released_early,
            read_back=self.read_back,
        )


class RewriteStream:
    """The sentences of one turn, released as each is known safe; iterate once.

    ``outcome`` is set once the iteration has finished (or the stream was closed). Close a
    stream left early (``await stream.aclose()`` or ``contextlib.aclosing``) to stop the LLM.
    """

    def __init__(self, rewriter: ReplyRewriter, request: RewriteRequest, *, early: bool) -> None:
        self._trace = _Trace(template_text=request.template_text)
        self._gen = rewriter._run(request, self._trace, early=early)
        self.outcome: RewriteOutcome | None = None

    def __aiter__(self) -> RewriteStream:
        return self

    async def __anext__(self) -> str:
        try:
            sentence = await anext(self._gen)
        except StopAsyncIteration:
            self.outcome = self._trace.outcome()
            raise
        self._trace.spoken.append(sentence)
        return sentence

    async def aclose(self) -> None:
        """Stop early (a barge-in): the LLM stops at its next token."""
        await self._gen.aclose()
        if self.outcome is None:
            self.outcome = self._trace.outcome()


@contextlib.asynccontextmanager
async def _closing(iterator: AsyncIterator[str]) -> AsyncGenerator[AsyncIterator[str], None]:
    """Close an LLM stream however the block is left (frees the model at once)."""
    try:
        yield iterator
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


class ReplyRewriter:
    """Words turns with an LLM under a time budget; the template when the checks say no.

    One per process, shared by every call (it keeps no per-call data; its metrics are
    process-wide counters).

    Args:
        llm: the LLM client (local or OpenAI-compatible).
        first_token_budget: seconds until the LLM's first piece of text, else the template.
        total_budget: seconds for the LLM's whole reply, else the template.
        prompt_style: ``completion`` (few-shot, for base models), ``chat`` (instruction-tuned
            models) or ``auto`` (completion for a local model without a chat template, chat
            otherwise).
        history_turns: lines of the dialogue so far given to the LLM.
        metrics: counters to share (a new set by default).
        candidates: wordings tried per turn: the first greedy, the others sampled; the first
            that passes the checks and is not the template again (``near_identical``) is
            spoken, else the first that passes, else the template. More than one turns
            early release off and costs up to that many generations (docs/replies.md).
        temperature: sampling temperature of the candidates after the first.
        tuned_examples: with a tuned adapter (``lora_path``), put worked rewordings in its
            prompt (few-shot) rather than the bare task; off by default (the adapter copies
            them: docs/replies.md).
        read_back_floor: with a tuned adapter on a client that scores text, a reply that
            passed every other check fails ``meaning:read_back`` when the template reads
            back from it below this mean log-probability per token (``nlg.rewrite._readback``);
            ``None`` turns the read-back off, ``-inf`` measures it without rejecting.
    """

    def __init__(
        self,
        llm: LLMClient,
        *,
        first_token_budget: float = 0.3,
        total_budget: float = 3.0,
        prompt_style: PromptStyle = "auto",
        history_turns: int = 4,
        metrics: RewriteMetrics | None = None,
        candidates: int = 1,
        temperature: float = 0.8,
        tuned_examples: bool = False,
        read_back_floor: float | None = READ_BACK_FLOOR,
    ) -> None:
        if candidates < 1:
            raise ValueError(f"candidates must be at least 1, not {candidates}")
        self.llm = llm
        self.candidates = candidates
        self.temperature = temperature
        self.tuned_examples = tuned_examples
        self.read_back_floor = read_back_floor
        self.first_token_budget = first_token_budget
        self.total_budget = total_budget
        self._style = prompt_style
        self.history_turns = history_turns
        self.metrics = metrics or RewriteMetrics()

    # ------------------------------------------------------------------ public API

    def stream(self, request: RewriteRequest) -> RewriteStream:
        """The turn's sentences as each is known safe (for speech synthesis).

        Verbatim acts before the reworded one are released at once; a reworded sentence is
        released as soon as it passes every check that does not depend on the rest of the
        reply; the rest of the reply is released after the whole passed the checks, or the
        template in its place.
        """
        return RewriteStream(self, request, early=True)

    async def rewrite(self, request: RewriteRequest) -> RewriteOutcome:
        """Word the whole turn: the LLM's wording if it passes the checks, else the template."""
        stream = RewriteStream(self, request, early=False)
        async with contextlib.aclosing(stream):
            async for _ in stream:
                pass
        assert stream.outcome is not None
        return stream.outcome

    def warm_up(self) -> bool:
        """Load the model and run one short generation before calls come.

        Blocking, on an event loop of its own (``LLMClient.complete_sync``): call it at start-up,
        never from inside a running event loop.

        Returns:
            Whether the LLM answered; a failure is logged, and turns then fall back.
        """
        try:
            if isinstance(self.llm, LlamaCppClient):
                self.llm.load()
            self.llm.complete_sync("Hello", max_tokens=1, budget=30.0)
        except Exception as e:
            log.warning("replies: the LLM did not answer its warm-up (%s)", e)
            return False
        return True

    async def aclose(self) -> None:
        """Close the LLM's connections held for the running event loop (HTTP clients)."""
        await self.llm._aclose_loop()

    def close(self) -> None:
        """Release the rewriter at the end of the process.

        Nothing runs in the background: the LLM's connections belong to the event loops that
        used them, closed by :meth:`aclose` on that loop or with it.
        """

    # ------------------------------------------------------------------ machinery

    def _uses_chat(self) -> bool:
        if self._style != "auto":
            return self._style == "chat"
        if isinstance(self.llm, LlamaCppClient):
            return self.llm.uses_chat_template()
        return True

    def _check_args(self, request: RewriteRequest, segment: Segment, prompt: str) -> dict[str, Any]:
        nlg = request.nlg
        sc = nlg.scenario
        labels = {
            key: [value.label, *value.synonyms]
            for spec in sc.slots.values()
            for key, value in spec.values.items()
        }
        allowed = [sc.persona.name, sc.persona.business]
        if nlg.person:
            allowed.append(nlg.person)
        for slot, value in request.known.items():
            if value is None or slot not in sc.slots:
                continue
            with contextlib.suppress(Exception):  # a value the renderer cannot say: skip it
                allowed.append(nlg.render(slot, value))
        return {
            "acts": segment.acts,
            "template_text": segment.text,
            "lang": nlg.lang,
            "polite": sc.persona.honorific != "casual",
            "labels": labels,
            "allowed_text": allowed,
            "today": request.today,
            "prompt": prompt,
            "caller_text": next(
                (t.text for t in reversed(request.history) if t.speaker == "caller"), None
            ),
        }

    def _max_tokens(self, text: str, lang: str) -> int:
        # About one token per Korean syllable, four characters per English token; a reply
        # more than twice the template's length is rejected anyway.
        per_char = 1.3 if lang == "ko" else 0.4
        return min(200, int(len(text) * per_char) + 24)

    async def _run(
        self, request: RewriteRequest, trace: _Trace, *, early: bool
    ) -> AsyncGenerator[str, None]:
        segments = plan_turn(request.acts, request.nlg)
        target = next((s for s in segments if s.rewrite), None)
        if target is None:
            self.metrics.verbatim()
            for seg in segments:
                for sentence in split_sentences(seg.text):
                    yield sentence
            return
        for seg in segments:
            if seg is target:
                async for sentence in self._rewrite_segment(request, seg, trace, early=early):
                    yield sentence
                continue
            for sentence in split_sentences(seg.text):
                yield sentence

    def _prompt(
        self, request: RewriteRequest, segment: Segment, history: tuple[Any, ...]
    ) -> tuple[str, list[ChatMessage] | None]:
        """The prompt's text (for the echo check) and, for chat models, the messages."""
        nlg = request.nlg
        persona = nlg.scenario.persona
        if self._uses_chat():
            messages = chat_messages(persona, nlg.lang, history, segment.text)
            return "\n".join(m.content for m in messages), messages
        if getattr(self.llm, "lora_path", None) is not None:
            # the tuned generator (a LoRA adapter): its own prompt format
            return (
                tuned_prompt(persona, nlg.lang, segment.text, examples=self.tuned_examples),
                None,
            )
        return completion_prompt(persona, nlg.lang, history, segment.text), None

    async def _rewrite_segment(
        self, request: RewriteRequest, segment: Segment, trace: _Trace, *, early: bool
    ) -> AsyncGenerator[str, None]:
        """Up to ``candidates`` wordings; the first that passes and is not the template again.

        The first candidate is greedy; the others are sampled. Early release is for a single
        candidate only: with several, a sentence spoken from one could not be taken back.
        """
        nlg = request.nlg
        history = tuple(request.history[-self.history_turns :]) if self.history_turns else ()
        prompt_text, messages = self._prompt(request, segment, history)
        check_args = self._check_args(request, segment, prompt_text)
        check_args["max_chars"] = max(2 * len(segment.text), 120 if nlg.lang == "ko" else 240)
        trace.segment_text = segment.text
        several = self.candidates > 1
        started = time.perf_counter()
        first: _Attempt | None = None
        same: _Attempt | None = None
        chosen: _Attempt | None = None
        for i in range(max(1, self.candidates)):
            attempt = _Attempt()
            sampled = i > 0
            async for sentence in self._attempt(
                request,
                segment,
                prompt_text,
                messages,
                check_args,
                attempt,
                trace,
                early=early and not several,
                temperature=self.temperature if sampled else 0.0,
                seed=i if sampled else None,
            ):
                yield sentence
            if first is None:
                first = attempt
                trace.first_token_s = attempt.first_token_s
            if not attempt.reasons:
                if not several or not near_identical(attempt.candidate, segment.text):
                    chosen = attempt
                    break
                same = same or attempt
            if attempt.stop or time.perf_counter() - started > self.total_budget:
                break  # the LLM failed (timeout, unreachable) or the turn's time is up
        chosen = chosen or same
        trace.total_s = time.perf_counter() - started
        self.metrics.latency(trace.first_token_s, trace.total_s if first and first.pieces else None)
        if chosen is not None:
            trace.candidate = chosen.candidate
            trace.read_back = chosen.read_back
            trace.source = "llm"
            self.metrics.passed()
            log.debug("call %s: reply from the LLM: %r", request.call_id, chosen.candidate[:200])
            for sentence in chosen.unreleased:
                yield sentence
            return
        assert first is not None
        trace.candidate = first.candidate
        trace.read_back = first.read_back
        trace.source = "template"
        trace.reasons = first.reasons
        self.metrics.fallback(first.reasons)
        log.info(
            "call %s: reply from the template (%s); the LLM said %r",
            request.call_id,
            ", ".join(first.reasons),
            first.candidate[:200],
        )
        for sentence in split_sentences(segment.text):
            yield sentence

    async def _attempt(
        self,
        request: RewriteRequest,
        segment: Segment,
        prompt_text: str,
        messages: list[ChatMessage] | None,
        check_args: dict[str, Any],
        attempt: _Attempt,
        trace: _Trace,
        *,
        early: bool,
        temperature: float,
        seed: int | None,
    ) -> AsyncGenerator[str, None]:
        """One wording: yields the sentences released early, fills in ``attempt``."""
        nlg = request.nlg
        lang = nlg.lang
        persona = nlg.scenario.persona
        max_tokens = self._max_tokens(segment.text, lang)
        if messages is not None:
            pieces_source = self.llm.stream_chat(
                messages,
                max_tokens=max_tokens,
                budget=self.total_budget,
                first_token_budget=self.first_token_budget,
                temperature=temperature,
                seed=seed,
            )
        else:
            pieces_source = self.llm.stream_complete(
                prompt_text,
                max_tokens=max_tokens,
                stop=["\n"],
                budget=self.total_budget,
                first_token_budget=self.first_token_budget,
                temperature=temperature,
                seed=seed,
            )
        splitter = SentenceSplitter()
        released: list[str] = []
        held: list[str] = []
        reasons: tuple[str, ...] = ()
        text_so_far = ""
        started = time.perf_counter()
        try:
            async with _closing(pieces_source) as pieces_iter:
                async for raw in pieces_iter:
                    if attempt.pieces == 0:
                        attempt.first_token_s = time.perf_counter() - started
                    attempt.pieces += 1
                    # The reply is the first line of text: chat models often open with a
                    # newline (a stop string would end them before they begin).
                    piece = raw.lstrip() if not text_so_far.strip() else raw
                    line_ends = "\n" in piece
                    piece = piece.split("\n", 1)[0]
                    text_so_far += piece
                    for sentence in splitter.feed(piece):
                        bad = self._sentence_faults(sentence, check_args, persona)
                        if bad:
                            reasons = bad
                            break
                        if (
                            early
                            and not held
                            and self._identified(released, sentence, segment.text, persona)
                        ):
                            released.append(sentence)
                            trace.released_early += 1
                            yield sentence
                        else:
                            held.append(sentence)
                    if reasons or line_ends:
                        break  # stop generating: the reply cannot pass, or it is complete
        except LLMTimeoutError:
            reasons = ("timeout:first_token" if attempt.pieces == 0 else "timeout:total",)
            attempt.stop = True
        except LLMBackendError as e:
            reasons = ("unreachable" if e.transient or e.status is None else "backend_error",)
            attempt.stop = True
        except AicallError:
            reasons = ("backend_error",)
            attempt.stop = True
        attempt.candidate = text_so_far.strip()
        if not reasons:
            rest = splitter.flush()
            candidate = " ".join([*released, *held, rest]).strip()
            attempt.candidate = candidate
            result = check_reply(candidate, **check_args)
            reasons = result.reasons + contract_faults(
                candidate,
                acts=segment.acts,
                template_text=segment.text,
                lang=lang,
                persona=persona,
                act_texts={i: nlg.word(a) for i, a in enumerate(segment.acts)},
            )
            if not reasons:
                # Meaning (nlg.checks._meaning): does it still ask and say what the template
                # does; only for a reply that passed everything else.
                reasons = meaning_faults(
                    candidate,
                    segment.text,
                    lang,
                    confirming=any(a.kind == ActKind.CONFIRM for a in segment.acts),
                    business=persona.business,
                )
            if not reasons and self._reads_back():
                reasons = await self._read_back(candidate, segment.text, lang, persona, attempt)
            attempt.unreleased = [*held, *([rest] if rest else [])]
        attempt.reasons = reasons

    def _reads_back(self) -> bool:
        return (
            self.read_back_floor is not None
            and self.llm.scores_text
            and getattr(self.llm, "lora_path", None) is not None
            and not self._uses_chat()
        )

    async def _read_back(
        self, candidate: str, template: str, lang: str, persona: Persona, attempt: _Attempt
    ) -> tuple[str, ...]:
        """``meaning:read_back`` when the template does not read back from ``candidate``.

        A scoring failure fails the candidate too (``read_back:failed``): the reply could not
        be vouched for, and the template is always safe.
        """
        assert self.read_back_floor is not None
        try:
            score = await read_back_score(
                self.llm,
                template,
                candidate,
                lang,
                persona_line(persona, lang),
                budget=self.total_budget,
            )
        except AicallError as e:
            log.warning("replies: the read-back failed (%s)", e)
            return ("read_back:failed",)
        attempt.read_back = score
        return ("meaning:read_back",) if score < self.read_back_floor else ()

    @staticmethod
    def _identified(released: list[str], sentence: str, template: str, persona: Persona) -> bool:
        """Whether the agent has named itself by ``sentence`` when the template does.

        Until then sentences are held, not released: a greeting must not open with anything
        that could be followed by the template (which names the agent) after all.
        """
        text = " ".join([*released, sentence])
        return not any(
            who and who in template and who not in text for who in (persona.business, persona.name)
        )

    @staticmethod
    def _sentence_faults(
        sentence: str, check_args: dict[str, Any], persona: Persona
    ) -> tuple[str, ...]:
        """Reasons that condemn a reply containing ``sentence``, whatever follows it."""
        result = check_reply(sentence, **check_args)
        faults = result.reasons + contract_faults(
            sentence,
            acts=check_args["acts"],
            template_text=check_args["template_text"],
            lang=check_args["lang"],
            persona=persona,
        )
        # a later sentence may still name the agent
        return tuple(r for r in faults if not _completable(r) and r != "identity")
