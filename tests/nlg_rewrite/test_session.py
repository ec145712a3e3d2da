"""A call with LLM replies: the setting, the sync turns, the stream for speech, the fallbacks."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, timedelta
from pathlib import Path

import pytest

from agent.config import Settings
from agent.runtime import AgentRuntime
from dialogue.events import BotUttered
from nlg.rewrite import ReplyRewriter
from nlu.types import NLUResult, SlotValue
from tests.conversation.harness import Clock
from tests.llm.fakes import FakeLLM
from tests.nlg_rewrite.conftest import shipped
from tests.nlg_rewrite.fakes import PiecesLLM


class ScriptedNLU:
    """Understands the few lines these tests say (training the real NLU costs 5-15 s)."""

    INTENTS = {
        "I'd like to book a table": "book",
        "sorry can you repeat that": "repeat",
        "tomorrow": "inform",
    }

    def parse(self, text: str, *, today: date, expected: str | None = None) -> NLUResult:
        slots: tuple[SlotValue, ...] = ()
        if text == "tomorrow":
            slots = (SlotValue("date", today + timedelta(days=1), text, 0, len(text)),)
        return NLUResult(text, "restaurant", self.INTENTS[text], 1.0, slots)


@pytest.fixture(autouse=True)
def scripted_nlu(monkeypatch: pytest.MonkeyPatch) -> None:
    # the dialogue, the store and the rewriter are real; conversations with the real NLU are
    # tests/conversation's job
    monkeypatch.setattr("agent.runtime.make_parser", lambda *_, **__: ScriptedNLU())


def runtime(tmp_path: Path, rewriter: ReplyRewriter | None = None, **env: object) -> AgentRuntime:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'a.db'}", **env)  # type: ignore[arg-type]
    return AgentRuntime(settings, clock=Clock(), scenarios=shipped(), rewriter=rewriter)


def said(rt: AgentRuntime, call_id: str) -> list[str]:
    return [e.payload["text"] for e in rt.calls.load_events(call_id) if e.type == "bot"]


def test_templates_are_the_default(tmp_path: Path) -> None:
    rt = runtime(tmp_path)
    try:
        assert rt.settings.replies == "template" and rt.rewriter is None
    finally:
        rt.close()


def test_llm_replies_are_spoken_and_stored(tmp_path: Path) -> None:
    llm = FakeLLM("Sure, I can help with that. Which date would you like to come in?")
    rt = runtime(tmp_path, ReplyRewriter(llm, first_token_budget=1.0, total_budget=2.0))
    try:
        session = rt.new_call("restaurant-en", caller="+15555550123")
        greeting = session.start()
        assert greeting.text.startswith("Hello, this is Jisoo")  # the rewording lost the name
        reply = session.user_text("I'd like to book a table")
        assert reply.text == "Sure, I can help with that. Which date would you like to come in?"
        assert reply.expects == "date"
        # the LLM saw the caller's words
        assert "I'd like to book a table" in "\n".join(str(r) for r in llm.requests)
        assert said(rt, session.call_id)[-1] == reply.text
        # "repeat" repeats what was said, verbatim (no second rewording)
        again = session.user_text("sorry can you repeat that")
        assert again.text == reply.text
        m = rt.rewriter.metrics.snapshot() if rt.rewriter else None
        # the greeting lost the business's name (template); repeats never reach the LLM
        assert m is not None and (m.turns, m.passed) == (2, 1)
        assert m.fallbacks == {"identity": 1}
    finally:
        rt.close()


def test_an_unreachable_llm_set_by_the_environment_never_stops_the_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICALL_REPLIES", "llm")
    monkeypatch.setenv("AICALL_LLM", "openai")
    monkeypatch.setenv("AICALL_LLM_URL", "http://127.0.0.1:9/v1")  # discard port: refused
    monkeypatch.setenv("AICALL_LLM_MODEL", "any")
    rt = runtime(tmp_path)
    try:
        assert rt.rewriter is not None
        session = rt.new_call("restaurant-en", caller="+15555550123")
        assert "How can I help" in session.start().text
        assert session.user_text("I'd like to book a table").text == (
            "What date would you like to book?"
        )
        snap = rt.rewriter.metrics.snapshot()
        assert snap.fallbacks == {"unreachable": 2}
    finally:
        rt.close()


def test_the_stream_for_speech(tmp_path: Path) -> None:
    llm = FakeLLM("Sure thing. Which date would you like to come in?")
    rt = runtime(tmp_path, ReplyRewriter(llm, first_token_budget=1.0, total_budget=2.0))

    async def main() -> None:
        session = rt.new_call("restaurant-en", caller="+15555550123")
        stream = await session.start_stream()
        assert stream.reply.expects is None and not stream.reply.end_call
        greeting = [s async for s in stream]
        assert greeting[0].startswith("Hello, this is Jisoo")
        stream = await session.user_text_stream("I'd like to book a table")
        assert stream.reply.expects == "date"  # known before the first sentence
        async with contextlib.aclosing(stream):
            sentences = [s async for s in stream]
        assert sentences == ["Sure thing.", "Which date would you like to come in?"]
        assert stream.reply.text == " ".join(sentences)
        assert stream.outcome is not None and stream.outcome.source == "llm"
        bot = [e for e in session.tracker.events if isinstance(e, BotUttered)]
        assert bot[-1].text == stream.reply.text  # recorded once spoken
        assert said(rt, session.call_id)[-1] == stream.reply.text

        # a barge-in after the first sentence: only what was released is recorded
        llm.reply = "Got it. And what time would you like?"
        stream = await session.user_text_stream("tomorrow")
        first = await anext(stream)
        await stream.aclose()
        assert first == "Got it."
        assert session.tracker.state.last_text == first

    try:
        asyncio.run(main())
    finally:
        rt.close()


def test_streams_without_a_rewriter_speak_the_template(tmp_path: Path) -> None:
    rt = runtime(tmp_path)

    async def main() -> None:
        session = rt.new_call("restaurant-en", caller="+15555550123")
        text = await (await session.start_stream()).read()
        assert text == session.tracker.state.last_text
        stream = await session.event_stream("silence")
        assert [s async for s in stream] == [
            "Hello, are you still there?",
            "What can I do for you?",
        ]

    try:
        asyncio.run(main())
    finally:
        rt.close()


def test_a_turn_waits_for_the_streamed_reply_before_it_to_be_recorded(tmp_path: Path) -> None:
    cue = asyncio.Event()
    llm = PiecesLLM(["Sure thing. ", "Which date would you like to come in?"], cue=cue)
    rt = runtime(tmp_path, ReplyRewriter(llm, first_token_budget=1.0, total_budget=5.0))

    async def main() -> None:
        session = rt.new_call("restaurant-en", caller="+15555550123")
        await (await session.start_stream()).read()
        stream = await session.user_text_stream("I'd like to book a table")
        # a silence timer fires while the reply is still being worded: it must wait
        late = asyncio.ensure_future(session.event_stream("silence"))
        await asyncio.sleep(0.2)
        assert not late.done()
        cue.set()
        assert await stream.read() == "Sure thing. Which date would you like to come in?"
        reprompt = await asyncio.wait_for(late, 5.0)
        await reprompt.read()
        bot = [e.text for e in session.tracker.events if isinstance(e, BotUttered)]
        # the reply was recorded before the re-prompt that followed it
        assert bot[-2] == stream.reply.text and bot[-1] == reprompt.reply.text

    try:
        asyncio.run(main())
    finally:
        rt.close()
