"""The LLM seam: one async client API over a local llama.cpp model or a remote endpoint.

::

    client = make_llm_client("local")              # bundled Gemma 3 270M (a base model)
    text = (await client.complete(prompt, max_tokens=32, stop=["."])).text
    async for piece in client.stream_complete(prompt):
        ...
    data = await client.complete_json(prompt, {"type": "object", ...})

See docs/llm.md for configuration, metrics and the errors raised.
"""

from nlg.llm._base import LLMClient, PromptOrMessages
from nlg.llm._factory import LLMKind, make_llm_client
from nlg.llm._local import LlamaCppClient, default_model_path, llama_cpp_build_works
from nlg.llm._metrics import LLMMetrics, MetricsSnapshot
from nlg.llm._openai import OpenAICompatClient
from nlg.llm._tuned import (
    ADAPTER_FORMAT,
    LoraInfo,
    bundled_adapter_path,
    check_lora_gguf,
    chosen_adapter,
    reply_prompt,
    utterance_prompt,
    write_lora_gguf,
)
from nlg.llm._types import (
    ChatMessage,
    Completion,
    GenerationOptions,
    LLMBackendError,
    LLMOutputError,
    LLMTimeoutError,
)

__all__ = [
    "ADAPTER_FORMAT",
    "ChatMessage",
    "Completion",
    "GenerationOptions",
    "LLMBackendError",
    "LLMClient",
    "LLMKind",
    "LLMMetrics",
    "LLMOutputError",
    "LLMTimeoutError",
    "LlamaCppClient",
    "LoraInfo",
    "MetricsSnapshot",
    "OpenAICompatClient",
    "PromptOrMessages",
    "bundled_adapter_path",
    "check_lora_gguf",
    "chosen_adapter",
    "default_model_path",
    "llama_cpp_build_works",
    "make_llm_client",
    "reply_prompt",
    "utterance_prompt",
    "write_lora_gguf",
]
