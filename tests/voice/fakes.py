"""A fake dialogue runtime and session for voice tests that must not depend on the dialogue."""

from __future__ import annotations

from types import SimpleNamespace

from dialogue.acts import Reply
from nlg.rewrite import ReplyStream


class FakeSession:
    """Answers by rule; records every call the voice layer makes.

    The sync methods decide; the async ``*_stream`` ones (the voice layer's port) wrap them.
    """

    def __init__(self, call_id: str, *, fail_on_text: bool = False) -> None:
        self.call_id = call_id
        self.fail_on_text = fail_on_text
        self.log: list[tuple[str, str | None]] = []
        self.closed: tuple[str, str | None] | None = None
        self._ended = False

    @property
    def ended(self) -> bool:
        return self._ended

    def start(self) -> Reply:
        self.log.append(("start", None))
        return Reply(text="Hello.")

    def set_channel(self, channel: str) -> None:
        self.channel = channel

    def user_text(self, text: str) -> Reply:
        self.log.append(("text", text))
        if self.fail_on_text:
            raise RuntimeError("the dialogue broke")
        return Reply(text="Okay.")

    def event(self, kind: str, value: str | None = None) -> Reply:
        self.log.append((kind, value))
        if kind == "silence":
            return Reply(text="Are you there?")
        if kind == "dtmf":
            return Reply(text="Okay.")
        if kind == "hangup":
            self._ended = True
        return Reply(text="")

    async def start_stream(self) -> ReplyStream:
        return ReplyStream(self.start())

    async def user_text_stream(self, text: str) -> ReplyStream:
        return ReplyStream(self.user_text(text))

    async def event_stream(self, kind: str, value: str | None = None) -> ReplyStream:
        return ReplyStream(self.event(kind, value))

    def keep_values(self) -> tuple[str, ...]:
        return ()

    def close(self, status: str, reason: str | None = None) -> None:
        self.closed = (status, reason)


class FakeRuntime:
    """Hands out :class:`FakeSession` objects for an English test scenario."""

    def __init__(self, **session_options) -> None:
        self.sessions: list[FakeSession] = []
        self.unreached: list[dict] = []
        self._options = session_options

    def scenario(self, scenario_id: str):
        return SimpleNamespace(id=scenario_id, language="en", vocabulary=(), handover_number=None)

    def new_call(self, scenario_id: str, *, caller=None, callee=None, call_id=None, direction=None):
        session = FakeSession(call_id or "fake", **self._options)
        self.sessions.append(session)
        return session

    def prepare_nlu(self, scenario_ids=None) -> None:
        pass

    def mark_interrupted(self, call, reason: str) -> bool:
        return False  # nothing is stored: no call of a fake is ever in progress after a stop

    def record_unreached(self, **call) -> bool:
        self.unreached.append(call)
        return True
