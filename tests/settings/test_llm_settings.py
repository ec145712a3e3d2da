"""The LLM reply settings, through :func:`agent.runtime.rewriter_from_settings`.

``openai``: a loopback OpenAI-compatible server records what the rewriter sends (URL, model,
bearer token) and answers as slowly as a test needs. ``local``: llama.cpp is replaced by a
recorder, so no model loads.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent.config import Settings
from agent.runtime import rewriter_from_settings
from nlg.rewrite import ReplyRewriter, RewriteOutcome
from tests.nlg_rewrite.helpers import ASK_TIME, request

REPLY = ["What time ", "would you like to come in?"]


@dataclass
class Endpoint:
    """What the loopback endpoint saw, and how slowly it answers."""

    url: str
    first_delay: float = 0.0  # seconds before the first piece
    rest_delay: float = 0.0  # seconds between the first piece and the rest
    seen: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def openai_endpoint() -> Iterator[Endpoint]:
    state = Endpoint(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            auth = self.headers.get("Authorization")
            state.seen.append({"path": self.path, "model": body.get("model"), "auth": auth})
            chat = self.path.endswith("/chat/completions")
            try:
                if not body.get("stream"):
                    self._json(chat)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                time.sleep(state.first_delay)
                self._event(chat, REPLY[0])
                time.sleep(state.rest_delay)
                self._event(chat, REPLY[1])
                self.wfile.write(b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):  # the client gave up: its budget
                pass

        def _event(self, chat: bool, text: str) -> None:
            choice = {"delta": {"content": text}} if chat else {"text": text}
            self.wfile.write(f"data: {json.dumps({'choices': [choice]})}\n\n".encode())
            self.wfile.flush()

        def _json(self, chat: bool) -> None:
            text = "".join(REPLY)
            choice = {"message": {"role": "assistant", "content": text}} if chat else {"text": text}
            data = json.dumps({"choices": [{**choice, "finish_reason": "stop"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[Endpoint]:
    with openai_endpoint() as state:
        monkeypatch.setenv("AICALL_REPLIES", "llm")
        monkeypatch.setenv("AICALL_LLM", "openai")
        monkeypatch.setenv("AICALL_LLM_URL", state.url)
        monkeypatch.setenv("AICALL_LLM_MODEL", "served-model")
        yield state


def _rewriter() -> ReplyRewriter:
    rewriter = rewriter_from_settings(Settings(), warm_up=False)
    assert rewriter is not None
    return rewriter


def _turn() -> RewriteOutcome:
    rewriter = _rewriter()
    try:
        turn = request("restaurant-en", [ASK_TIME], "a table for two")
        return asyncio.run(rewriter.rewrite(turn))
    finally:
        rewriter.close()


def test_replies_template_means_no_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICALL_LLM", "openai")
    monkeypatch.setenv("AICALL_LLM_URL", "http://127.0.0.1:9/v1")
    assert rewriter_from_settings(Settings(), warm_up=False) is None  # the default: templates
    monkeypatch.setenv("AICALL_REPLIES", "template")
    assert rewriter_from_settings(Settings(), warm_up=False) is None


def test_the_url_model_and_api_key_are_what_the_endpoint_receives(
    endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = _turn()
    assert outcome.source != "template", outcome
    assert outcome.text == "".join(REPLY)  # the LLM's wording reached the caller
    (seen,) = endpoint.seen
    assert seen["path"].startswith("/v1/") and seen["model"] == "served-model"
    assert seen["auth"] is None  # no key: no bearer token
    monkeypatch.setenv("AICALL_LLM_API_KEY", "sk-loopback")
    _turn()
    assert endpoint.seen[-1]["auth"] == "Bearer sk-loopback"


def test_llm_first_token_ms_is_the_first_token_budget(
    endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint.first_delay = 0.6
    assert _turn().reasons == ("timeout:first_token",)  # 300 ms by default
    monkeypatch.setenv("AICALL_LLM_FIRST_TOKEN_MS", "2000")
    late = _turn()
    assert "timeout:first_token" not in late.reasons and late.text == "".join(REPLY)
    monkeypatch.setenv("AICALL_LLM_FIRST_TOKEN_MS", "100")
    endpoint.first_delay = 0.3
    assert _turn().reasons == ("timeout:first_token",)


def test_llm_reply_ms_is_the_whole_reply_budget(
    endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint.rest_delay = 0.8
    assert _turn().text == "".join(REPLY)  # 3000 ms by default
    monkeypatch.setenv("AICALL_LLM_REPLY_MS", "400")
    outcome = _turn()
    assert outcome.reasons == ("timeout:total",) and outcome.source == "template"


def test_llm_model_path_and_threads_are_what_llama_cpp_loads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import nlg.llm
    import nlg.llm._local

    gguf = tmp_path / "instruct.gguf"
    gguf.write_bytes(b"GGUF")
    probed: list[str | None] = []
    loaded: list[dict[str, Any]] = []

    def build_works(model_path: str | None = None) -> tuple[bool, str]:
        probed.append(model_path)
        return True, ""

    class Llama:
        def __init__(self, **kwargs: Any) -> None:
            loaded.append(kwargs)

    monkeypatch.setattr(nlg.llm, "llama_cpp_build_works", build_works)
    monkeypatch.setattr(
        nlg.llm._local, "_import_llama_cpp", lambda: type("M", (), {"Llama": Llama})
    )
    monkeypatch.setenv("AICALL_REPLIES", "llm")
    monkeypatch.setenv("AICALL_LLM_MODEL_PATH", str(gguf))
    monkeypatch.setenv("AICALL_LLM_THREADS", "3")
    rewriter = _rewriter()
    try:
        rewriter.llm.load()  # type: ignore[attr-defined]
    finally:
        rewriter.close()
    assert probed == [str(gguf)]  # the start-up probe runs the configured file
    (kwargs,) = loaded
    assert kwargs["model_path"] == str(gguf)
    assert kwargs["n_threads"] == kwargs["n_threads_batch"] == 3


def test_llm_adapter_is_the_lora_the_local_replies_load(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import nlg.llm
    from common.errors import NotConfiguredError

    monkeypatch.setattr(nlg.llm, "llama_cpp_build_works", lambda model_path=None: (True, ""))
    monkeypatch.setenv("AICALL_REPLIES", "llm")
    # the default: the shipped tuned generator on the bundled model, with its read-back
    rewriter = _rewriter()
    assert rewriter.llm.lora_path == nlg.llm.bundled_adapter_path()  # type: ignore[attr-defined]
    assert rewriter.llm.lora_path is not None  # type: ignore[attr-defined]
    monkeypatch.setenv("AICALL_LLM_ADAPTER", "none")
    assert _rewriter().llm.lora_path is None  # type: ignore[attr-defined]
    bad = tmp_path / "not-an-adapter.gguf"
    bad.write_text("plain text", encoding="utf-8")
    monkeypatch.setenv("AICALL_LLM_ADAPTER", str(bad))
    with pytest.raises(NotConfiguredError, match="not-an-adapter.gguf"):
        _rewriter()
    # another model: the bundled adapter (trained on Gemma 3 270M) is not put on it
    other = tmp_path / "instruct.gguf"
    other.write_bytes(b"GGUF")
    monkeypatch.setenv("AICALL_LLM_ADAPTER", "bundled")
    monkeypatch.setenv("AICALL_LLM_MODEL_PATH", str(other))
    assert _rewriter().llm.lora_path is None  # type: ignore[attr-defined]
