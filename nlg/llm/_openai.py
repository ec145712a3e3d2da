"""Any OpenAI-compatible HTTP endpoint: vLLM, Ollama, llama.cpp server, HyperCLOVA X, OpenAI."""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import AsyncIterator, Mapping
from typing import Any

from common.errors import InputError, NotConfiguredError
from nlg.llm._base import LLMClient
from nlg.llm._types import (
    ChatMessage,
    Completion,
    GenerationOptions,
    LLMBackendError,
    LLMTimeoutError,
)

__all__ = ["OpenAICompatClient"]

try:
    import httpx
except ImportError:  # pragma: no cover - depends on the environment
    httpx = None  # type: ignore[assignment]


def _body(options: GenerationOptions) -> dict[str, Any]:
    body: dict[str, Any] = {
        "max_tokens": options.max_tokens,
        "temperature": options.temperature,
    }
    if options.stop:
        body["stop"] = list(options.stop)
    if options.seed is not None:
        body["seed"] = options.seed
    return body


def _messages(messages: tuple[ChatMessage, ...]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


def _piece(choice: Mapping[str, Any]) -> str:
    text = choice.get("text")
    if text is None:
        text = (choice.get("delta") or choice.get("message") or {}).get("content")
    return text or ""


class OpenAICompatClient(LLMClient):
    """A model behind an OpenAI-compatible API, over async HTTP (httpx) with SSE streaming.

    ``base_url`` includes the API version prefix, as with the OpenAI SDKs:
    ``http://127.0.0.1:8080/v1``, ``http://localhost:11434/v1`` (Ollama),
    ``https://api.openai.com/v1``. :meth:`complete` uses ``/completions``, :meth:`chat`
    ``/chat/completions``; JSON output sends ``response_format`` with the JSON schema.

    Connection failures, HTTP 5xx, 408 and 429 are transient (retried); 401/403/404 raise
    ``NotConfiguredError`` (key, URL or model name wrong); other 4xx raise ``InputError``.

    Args:
        base_url: the API root, e.g. ``http://127.0.0.1:8080/v1``.
        api_key: sent as a bearer token when given.
        model: the model name the server expects.
        timeout: seconds allowed per call (retries included).
        connect_timeout: seconds allowed to connect (an unreachable server fails fast).
        headers: extra HTTP headers.
        transport: an httpx transport (tests, proxies); the default opens TCP connections.
        json_format: how JSON output is requested: ``json_schema`` (OpenAI, vLLM, Ollama:
            ``{"type": "json_schema", "json_schema": {"schema": ...}}``), ``json_object``
            (llama-cpp-python's server: ``{"type": "json_object", "schema": ...}``) or ``auto``
            (the first, then the second if the server refuses it; the answer is remembered).
        **kwargs: retries, first-token budget and concurrency, as in :class:`LLMClient`.
    """

    name = "openai-compatible"
    max_concurrency = 4

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        model: str,
        timeout: float | None = None,
        connect_timeout: float = 3.0,
        headers: Mapping[str, str] | None = None,
        transport: Any = None,
        json_format: str = "auto",
        **kwargs: Any,
    ) -> None:
        if httpx is None:
            raise NotConfiguredError(
                "the OpenAI-compatible client needs 'httpx': pip install 'aicall[llm]'"
            )
        super().__init__(timeout=timeout, **kwargs)
        if not base_url.startswith(("http://", "https://")):
            raise InputError(f"base_url must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.connect_timeout = connect_timeout
        self._headers = {"Content-Type": "application/json", **(headers or {})}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._transport = transport
        if json_format not in ("auto", "json_schema", "json_object"):
            raise InputError(
                f"json_format must be auto, json_schema or json_object: {json_format!r}"
            )
        self._json_format: str | None = None if json_format == "auto" else json_format
        # httpx clients hold connections bound to one event loop.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = httpx.AsyncClient(
                base_url=self.base_url,
                headers=self._headers,
                # The base class enforces the whole-call budget; httpx only bounds the connect.
                timeout=httpx.Timeout(None, connect=self.connect_timeout),
                transport=self._transport,
            )
            self._clients[loop] = client
        return client

    async def _aclose_loop(self) -> None:
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections of the running event loop."""
        await self._aclose_loop()

    # ------------------------------------------------------------------ HTTP

    def _vendor_error(self, e: Exception) -> Exception:
        if isinstance(e, httpx.ConnectTimeout | httpx.ConnectError):
            return LLMBackendError(
                f"{self.name}: cannot connect to {self.base_url}: {e}", transient=True
            )
        if isinstance(e, httpx.TimeoutException):
            return LLMTimeoutError(f"{self.name}: {self.base_url} timed out: {e}")
        if isinstance(e, httpx.TransportError):
            return LLMBackendError(f"{self.name}: {self.base_url}: {e}", transient=True)
        return LLMBackendError(f"{self.name}: {type(e).__name__}: {e}")

    def _status_error(self, status: int, body: str) -> Exception:
        detail = f"{self.name}: HTTP {status} from {self.base_url}: {body[:300]}"
        if status in (408, 429) or status >= 500:
            return LLMBackendError(detail, transient=True, status=status)
        if status in (401, 403, 404):
            return NotConfiguredError(f"{detail} (check the URL, API key and model name)")
        return InputError(detail)

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client().post(path, json={"model": self.model, **body})
        except httpx.HTTPError as e:
            raise self._vendor_error(e) from e
        if response.status_code >= 400:
            raise self._status_error(response.status_code, response.text)
        try:
            data = response.json()
            if "error" in data:
                raise LLMBackendError(f"{self.name}: {data['error']}")
            data["choices"][0]
        except (ValueError, KeyError, IndexError, TypeError) as e:
            raise LLMBackendError(
                f"{self.name}: unexpected response: {response.text[:300]!r}"
            ) from e
        return dict(data)

    async def _sse(self, path: str, body: dict[str, Any]) -> AsyncIterator[str]:
        payload = {"model": self.model, **body, "stream": True}
        try:
            async with self._client().stream("POST", path, json=payload) as response:
                if response.status_code >= 400:
                    text = (await response.aread()).decode("utf-8", "replace")
                    raise self._status_error(response.status_code, text)
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, comments (": ping"), "event:" lines
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    try:
                        event = json.loads(data)
                    except json.JSONDecodeError as e:
                        raise LLMBackendError(f"{self.name}: bad SSE event {data[:200]!r}") from e
                    if "error" in event:
                        raise LLMBackendError(f"{self.name}: {event['error']}")
                    for choice in event.get("choices") or ():
                        piece = _piece(choice)
                        if piece:
                            yield piece
        except httpx.HTTPError as e:
            raise self._vendor_error(e) from e

    async def _request(self, path: str, body: dict[str, Any]) -> Completion:
        started = time.perf_counter()
        data = await self._post(path, body)
        choice = data["choices"][0]
        usage = data.get("usage") or {}
        return Completion(
            text=_piece(choice),
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            total_s=time.perf_counter() - started,
        )

    # ------------------------------------------------------------------ capabilities

    async def _complete_impl(self, prompt: str, options: GenerationOptions) -> Completion:
        return await self._request("/completions", {"prompt": prompt, **_body(options)})

    async def _chat_impl(
        self, messages: tuple[ChatMessage, ...], options: GenerationOptions
    ) -> Completion:
        return await self._request(
            "/chat/completions", {"messages": _messages(messages), **_body(options)}
        )

    def _stream_complete_impl(self, prompt: str, options: GenerationOptions) -> AsyncIterator[str]:
        return self._sse("/completions", {"prompt": prompt, **_body(options)})

    def _stream_chat_impl(
        self, messages: tuple[ChatMessage, ...], options: GenerationOptions
    ) -> AsyncIterator[str]:
        return self._sse("/chat/completions", {"messages": _messages(messages), **_body(options)})

    async def _json_impl(
        self,
        request: str | tuple[ChatMessage, ...],
        schema: Mapping[str, Any],
        options: GenerationOptions,
    ) -> Completion:
        styles = [self._json_format] if self._json_format else ["json_schema", "json_object"]
        for i, style in enumerate(styles):
            if style == "json_schema":
                response_format: dict[str, Any] = {
                    "type": "json_schema",
                    "json_schema": {"name": "output", "schema": dict(schema), "strict": True},
                }
            else:
                response_format = {"type": "json_object", "schema": dict(schema)}
            body: dict[str, Any]
            if isinstance(request, str):
                path, body = "/completions", {"prompt": request}
            else:
                path, body = "/chat/completions", {"messages": _messages(request)}
            body.update(response_format=response_format, **_body(options))
            try:
                result = await self._request(path, body)
            except (InputError, LLMBackendError) as e:
                # The server does not know this response_format: try the next. (llama-cpp-python
                # answers a request it cannot validate with HTTP 500, hence the message test.)
                refused = isinstance(e, InputError) or "response_format" in str(e)
                if refused and i + 1 < len(styles):
                    continue
                raise
            self._json_format = style
            return result
        raise AssertionError("unreachable")  # pragma: no cover
