"""The LoRA adapter loading path: a tiny adapter written by the exporter, run on the bundled model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from common.errors import NotConfiguredError
from nlg.llm import (
    LlamaCppClient,
    bundled_adapter_path,
    check_lora_gguf,
    utterance_prompt,
    write_lora_gguf,
)
from nlg.llm._tuned import gguf_lora_name

pytest.importorskip("gguf")

PROMPT = "The capital of France is"


def _tiny(path: Path, scale: float) -> Path:
    """Random rank-4 LoRA pairs on two blocks' query and MLP-down projections."""
    rng = np.random.default_rng(7)
    pairs = {}
    for layer in (0, 1):
        for proj, (n_in, n_out) in {
            "self_attn.q_proj": (640, 1024),
            "mlp.down_proj": (2048, 640),
        }.items():
            a = rng.normal(0, scale, (4, n_in))
            b = rng.normal(0, scale, (n_out, 4))
            pairs[gguf_lora_name(layer, proj)] = (a, b)
    write_lora_gguf(path, pairs, alpha=8.0)
    return path


def test_exporter_writes_what_the_checker_reads(tmp_path: Path) -> None:
    info = check_lora_gguf(_tiny(tmp_path / "tiny.gguf", 0.1), architecture="gemma3")
    assert info.rank == 4 and info.alpha == 8.0 and info.architecture == "gemma3"
    assert info.targets == (
        "blk.0.attn_q.weight", "blk.0.ffn_down.weight", "blk.1.attn_q.weight", "blk.1.ffn_down.weight",
    )  # fmt: skip
    with pytest.raises(NotConfiguredError, match="gemma3"):
        check_lora_gguf(tmp_path / "tiny.gguf", architecture="llama")


def test_exporter_refuses_mismatched_ranks(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="blk.0.attn_q.weight"):
        write_lora_gguf(
            tmp_path / "bad.gguf",
            {"blk.0.attn_q.weight": (np.zeros((4, 640)), np.zeros((1024, 3)))},
            alpha=1,
        )


def test_a_tiny_adapter_loads_and_changes_generation(model_path: str, tmp_path: Path) -> None:
    adapter = _tiny(tmp_path / "tiny.gguf", 0.5)
    base = LlamaCppClient(model_path, n_ctx=256, n_threads=1, timeout=60)
    tuned = LlamaCppClient(model_path, n_ctx=256, n_threads=1, timeout=60, lora_path=str(adapter))
    plain = base.complete_sync(PROMPT, max_tokens=8)
    adapted = tuned.complete_sync(PROMPT, max_tokens=8)
    assert adapted.completion_tokens > 0 and adapted.text.strip()
    # strong random deltas on the query and MLP of two blocks move greedy decoding
    assert adapted.text != plain.text


def test_a_malformed_adapter_names_the_file(model_path: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk-adapter.gguf"
    junk.write_bytes(b"GGUF" + b"\x00" * 40)
    with pytest.raises(NotConfiguredError, match="junk-adapter.gguf"):
        LlamaCppClient(model_path, lora_path=str(junk))
    text = tmp_path / "notes.gguf"
    text.write_text("not a model", encoding="utf-8")
    with pytest.raises(NotConfiguredError, match="notes.gguf"):
        LlamaCppClient(model_path, lora_path=str(text))
    with pytest.raises(NotConfiguredError, match="missing.gguf"):
        LlamaCppClient(model_path, lora_path=str(tmp_path / "missing.gguf"))


def test_a_base_model_gguf_is_not_taken_for_an_adapter(model_path: str) -> None:
    with pytest.raises(NotConfiguredError, match="not a LoRA adapter"):
        check_lora_gguf(model_path)


def test_the_shipped_adapter_is_a_gemma3_lora() -> None:
    path = bundled_adapter_path()
    assert path is not None, "nlg/llm/data/generator-lora.gguf is missing from the package"
    info = check_lora_gguf(path, architecture="gemma3")
    assert info.rank >= 1 and len(info.targets) >= 2


def test_the_utterance_prompt_keeps_one_line_per_field() -> None:
    p = utterance_prompt("The user wants\nto book   a table.", ["date", "party_size"], "en")
    assert p.splitlines() == [
        "### utterances", "language: en", "intent: The user wants to book a table.",
        "slots: date, party_size", "-",
    ]  # fmt: skip
