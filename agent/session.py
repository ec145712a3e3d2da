"""One call's conversation: NLU → policy → templates, with every event stored as it happens.

The voice pipeline calls the ``*_stream`` coroutines: the decision (NLU, policy, database)
runs in a worker thread, and the reply comes back sentence by sentence, worded by the LLM and
checked when a :class:`~nlg.rewrite.ReplyRewriter` is set (``AICALL_REPLIES=llm``; see
docs/replies.md), so speech synthesis starts on the first sentence. The synchronous methods
(``start``, ``user_text``, ``event``) block and are for callers without an event loop (the text
chat, dialogue runs). A session serialises its own turns: an :class:`asyncio.Lock` held from
the decision until the streamed reply is recorded, and a thread lock around every decision,
so a late event (a silence timer, a DTMF key) never races a caller turn of the same call.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import threading
from collections.abc import Callable
from datetime import datetime

from agent.store import CallLog
from common.errors import AicallError, StoreUnavailableError
from common.pii import redact
from dialogue.acts import ActKind, Reply, SystemAct
from dialogue.context import DialogueContext
from dialogue.events import ActionExecuted, BotUttered, CallEnded, ChannelSet
from dialogue.forms import expected_for
from dialogue.policy import Policy
from dialogue.tracker import Tracker
from nlg.rewrite import ReplyRewriter, ReplyStream, RewriteRequest, plan_turn, recent_turns
from nlg.templates import TemplateNLG
from nlu.config import UtteranceParser
from nlu.types import NLUResult
from scenarios.schema import Scenario

__all__ = ["CallSession"]

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class _Decided:
    """A decided turn: its reply, and the rewrite still to run when it is streamed."""

    reply: Reply
    request: RewriteRequest | None = None


class CallSession:
    """The conversation of one call.

    Attributes:
        call_id: the call's id (Twilio's CallSid on the phone).
        scenario: the scenario that drives the conversation.
        tracker: the event log and derived state.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        call_id: str,
        nlu: UtteranceParser,
        context: DialogueContext,
        calls: CallLog | None,
        clock: Callable[[], datetime],
        rewriter: ReplyRewriter | None = None,
    ) -> None:
        self.call_id = call_id
        self.scenario = scenario
        self.tracker = Tracker(call_id)
        self._nlu = nlu
        self._ctx = context
        self._calls = calls
        self._clock = clock
        self._policy = Policy()
        self._nlg = TemplateNLG(scenario, person=context.person)
        self._rewriter = rewriter
        self._stored = 0
        self._closed = False
        self._failure: str | None = None
        self._lock = threading.Lock()
        self._turns = asyncio.Lock()

    @property
    def ended(self) -> bool:
        """True once the dialogue has ended (bye, hand-over, hang-up, failure)."""
        return self.tracker.state.ended

    @property
    def expects(self) -> str | None:
        """What the agent waits for now (slot type, ``yesno``), for end-of-turn and DTMF."""
        exp = expected_for(self.tracker, self.scenario)
        spec = self.scenario.slots.get(exp) if exp else None
        return spec.type if spec is not None else exp

    def understand(self, text: str) -> tuple[str | None, str | None, NLUResult] | None:
        """What ``text`` would mean now, for end-of-turn (blocking: the NLU; no state change).

        Returns:
            What the agent waits for (as :attr:`expects`), the awaited slot's name, and the
            NLU's parse of ``text`` in that context; ``None`` while a turn is being decided.
        """
        if not self._lock.acquire(blocking=False):
            return None
        try:
            expected = expected_for(self.tracker, self.scenario)
            expects = self.expects
            today = self._clock().date()
        finally:
            self._lock.release()
        return expects, expected, self._nlu.parse(text, today=today, expected=expected)

    def set_channel(self, channel: str) -> None:
        """Say how the caller reaches the agent (``voice``: a phone line with a keypad).

        The voice layer calls it before the greeting; text chat never does. The dialogue then
        tells a caller who was not understood that dates, times and menus can be keyed.
        """
        with self._lock:
            self.tracker.update(ChannelSet(channel=channel))

    def start(self) -> Reply:
        """Open the call: the greeting (and the first question of an outbound call)."""
        return self._start(stream=False).reply

    def user_text(self, text: str) -> Reply:
        """One caller turn, as text."""
        return self._user_text(text, stream=False).reply

    def event(self, kind: str, value: str | None = None) -> Reply:
        """A call event: ``silence``, ``dtmf`` (digits), ``barge_in`` (cut prompt), ``hangup``."""
        return self._event(kind, value, stream=False).reply

    async def start_stream(self) -> ReplyStream:
        """:meth:`start`, its reply sentence by sentence (for speech synthesis)."""
        return await self._async_turn(functools.partial(self._start, stream=True))

    async def user_text_stream(self, text: str) -> ReplyStream:
        """:meth:`user_text`, its reply sentence by sentence (for speech synthesis).

        The turn is decided at once (``stream.reply`` has the acts, ``end_call``,
        ``transfer_to``, ``expects``); iterate the stream for the sentences, each released
        once known safe, and close it when cut short. What was said is recorded when the
        stream ends or is closed.
        """
        return await self._async_turn(functools.partial(self._user_text, text, stream=True))

    async def event_stream(self, kind: str, value: str | None = None) -> ReplyStream:
        """:meth:`event`, its reply sentence by sentence (for speech synthesis)."""
        return await self._async_turn(functools.partial(self._event, kind, value, stream=True))

    async def _async_turn(self, decide: Callable[[], _Decided]) -> ReplyStream:
        """Decide a turn in a worker thread, holding the turn lock until its reply is recorded.

        A reply worded by the LLM is recorded when its stream ends or is closed, so the lock
        is released then; a template reply is recorded with the decision.
        """
        await self._turns.acquire()
        try:
            decided = await asyncio.to_thread(decide)
            stream = self._streamed(decided)
        except BaseException:
            self._turns.release()
            raise
        if not stream.rewording:
            self._turns.release()
        return stream

    def _start(self, *, stream: bool) -> _Decided:
        with self._lock:
            return self._turn(lambda: self._policy.start(self.tracker, self._ctx), stream=stream)

    def _user_text(self, text: str, *, stream: bool) -> _Decided:
        with self._lock:
            if self.ended:
                return _Decided(Reply(text="", end_call=True))
            self._ctx.now = self._clock()

            def decide() -> list[SystemAct]:
                result = self._nlu.parse(
                    text,
                    today=self._ctx.now.date(),
                    expected=expected_for(self.tracker, self.scenario),
                )
                return self._policy.on_user(self.tracker, self._ctx, result)

            return self._turn(decide, stream=stream)

    def _event(self, kind: str, value: str | None, *, stream: bool) -> _Decided:
        with self._lock:
            if self.ended:
                return _Decided(Reply(text="", end_call=True))
            self._ctx.now = self._clock()
            return self._turn(
                lambda: self._policy.on_event(self.tracker, self._ctx, kind, value), stream=stream
            )

    def close(self, status: str = "completed", reason: str | None = None) -> bool:
        """Mark the call ended in the store (idempotent once stored).

        A call the agent ended with an apology (:meth:`_apologise`) is stored as ``failed``
        with the reason, whatever ``status`` says (the reason then names what failed).

        Returns:
            Whether the end is stored; ``False`` when the database failed (logged): call it
            again later, the events not stored yet go with it.
        """
        with self._lock:
            if self._closed:
                return True
            if self._calls is None:
                self._closed = True
                return True
            if self._failure is not None:  # the agent apologised and ended the call
                status = "failed"
                reason = f"{reason}: {self._failure}" if reason else self._failure
            try:
                self._flush()
                outcome = self.tracker.state.outcome
                self._calls.end_call(
                    self.call_id,
                    status,
                    outcome=outcome,
                    failure_reason=reason,
                    keep=self.keep_values(),
                )
            except StoreUnavailableError as e:
                log.error("call %s: could not store its end: %s", self.call_id, e)
                return False
            self._closed = True
            return True

    def _turn(self, decide: Callable[[], list[SystemAct]], *, stream: bool = False) -> _Decided:
        try:
            acts = decide()
            reply = self._nlg.reply(acts, expects=self.expects)
        except StoreUnavailableError as e:
            log.error("call %s: store failed during the turn: %s", self.call_id, e)
            return _Decided(self._apologise(str(e)))
        except AicallError as e:  # a backend (the NLU server) failed: its message says how
            log.error("call %s: the turn failed: %s", self.call_id, e)
            return _Decided(self._apologise(f"{type(e).__name__}: {e}", store_down=False))
        except Exception as e:  # a bug: logged with its traceback, but the call stays polite
            log.exception("call %s: the turn failed", self.call_id)
            return _Decided(self._apologise(f"{type(e).__name__}: {e}", store_down=False))
        if self._rewriter is not None and any(s.rewrite for s in plan_turn(acts, self._nlg)):
            request = self._rewrite_request(acts)
            if stream:
                # The text is recorded once spoken (ReplyStream calls _said); store the
                # decision's events now.
                try:
                    self._flush()
                except StoreUnavailableError as e:
                    log.error("call %s: could not store events: %s", self.call_id, e)
                    if not self.ended:
                        return _Decided(self._apologise(str(e)))
                return _Decided(reply, request)
            reply = dataclasses.replace(reply, text=self._reword_blocking(request, reply.text))
        return _Decided(self._record(reply))

    def _reword_blocking(self, request: RewriteRequest, template: str) -> str:
        """The checked LLM wording, for the synchronous methods (text chat, dialogue runs).

        They have no event loop: the rewrite runs on one of its own for this turn (and closes
        the LLM's connections for it); never from inside a running loop (voice uses streams).
        """
        rewriter = self._rewriter
        assert rewriter is not None

        async def reword() -> str:
            try:
                return (await rewriter.rewrite(request)).text
            finally:
                await rewriter.aclose()

        try:
            return asyncio.run(reword())
        except Exception as e:  # never lose the turn to the LLM
            log.warning("call %s: replies: template (%s)", self.call_id, e)
            rewriter.metrics.fallback(("backend_error",))
            return template

    def _rewrite_request(self, acts: list[SystemAct]) -> RewriteRequest:
        assert self._rewriter is not None
        return RewriteRequest(
            acts=tuple(acts),
            nlg=self._nlg,
            history=tuple(
                dataclasses.replace(turn, text=redact(turn.text, keep=self.keep_values()))
                for turn in recent_turns(self.tracker.events, self._rewriter.history_turns)
            ),
            known=dict(self.tracker.state.slots),
            today=self._ctx.now.date(),
            call_id=self.call_id,
        )

    def _streamed(self, decided: _Decided) -> ReplyStream:
        if decided.request is None or self._rewriter is None:
            return ReplyStream(decided.reply)
        reply = decided.reply

        async def said(text: str) -> None:
            try:
                await asyncio.to_thread(self._said, dataclasses.replace(reply, text=text))
            finally:
                self._turns.release()

        return ReplyStream(reply, self._rewriter.stream(decided.request), on_done=said)

    def _said(self, reply: Reply) -> None:
        """Record a streamed reply once spoken."""
        with self._lock:
            self._record(reply)

    def _record(self, reply: Reply) -> Reply:
        """Store what the agent says (and the turn's events)."""
        acts = reply.acts
        if reply.text:
            self.tracker.update(
                BotUttered(text=reply.text, acts=tuple(a.kind for a in acts), expects=reply.expects)
            )
        try:
            self._flush()
        except StoreUnavailableError as e:
            log.error("call %s: could not store events: %s", self.call_id, e)
            if not self.ended:
                return self._apologise(str(e))
        return reply

    def _apologise(self, reason: str, *, store_down: bool = True) -> Reply:
        """A turn failed: say sorry and end the call politely (never a crash, no dead air).

        Args:
            reason: what failed (recorded with the call).
            store_down: the database failed (``store_down``: nothing to store, end the call);
                otherwise something unexpected did (``turn_failed``; then the call is handed
                to a person when the scenario has a hand-over number, else ended).
        """
        self._failure = reason
        template = "store_down" if store_down else "turn_failed"
        name = "backend_failure" if store_down else "turn_failed"
        self.tracker.update(ActionExecuted(name=name, result={"reason": reason}))
        number = None if store_down else self.scenario.handover_number
        if number:
            acts = [
                SystemAct(kind=ActKind.INFORM, template=template),
                SystemAct(kind=ActKind.TRANSFER, values={"number": number}, template="handover"),
            ]
        else:
            acts = [SystemAct(kind=ActKind.BYE, template=template)]
        if not self.ended:
            self.tracker.update(CallEnded(outcome="failed"))
        reply = self._nlg.reply(acts)
        self.tracker.update(BotUttered(text=reply.text, acts=tuple(a.kind for a in acts)))
        if not store_down:
            try:
                self._flush()
            except StoreUnavailableError as e:
                log.error("call %s: could not store events: %s", self.call_id, e)
        return reply

    def keep_values(self) -> tuple[str, ...]:
        """Numbers this call may keep in what it stores and prompts (common.pii ``keep``).

        The caller ID, the scenario's hand-over number and the phone slots it collected; every
        other personal number is masked (docs/privacy.md).
        """
        keep = [self._ctx.caller, self.scenario.handover_number]
        for name, value in self.tracker.state.slots.items():
            spec = self.scenario.slots.get(name)
            if spec is not None and spec.type == "phone":
                keep.append(str(value))
        return tuple(v for v in keep if v)

    def _flush(self) -> None:
        """Append the events not stored yet."""
        if self._calls is None:
            return
        new = self.tracker.events[self._stored :]
        if not new:
            return
        self._calls.append_events(self.call_id, [e.to_dict() for e in new], keep=self.keep_values())
        self._stored = len(self.tracker.events)
