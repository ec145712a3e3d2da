"""The purpose-tuned generator: a LoRA adapter on the bundled Gemma 3 270M, and its prompts.

The bundled model is a small *base* model. A LoRA adapter trained on public intent and
paraphrase data (``tools/train_generator``, ``make train-generator``; docs/authoring.md) ships
inside this package as ``nlg/llm/data/generator-lora.gguf`` and teaches it narrow jobs in a
fixed prompt format, one per job:

- :func:`utterance_prompt`: an intent's description (and slot names) -> utterances, one per
  ``- `` line, slots as ``{slot}`` blanks (filled with typed values afterwards, so their
  annotations are exact);
- :func:`reply_prompt`: a reply template's text -> the same reply reworded, every value kept.

The adapter is a llama.cpp LoRA GGUF (``general.type = adapter``, ``adapter.type = lora``,
``adapter.lora.alpha``; tensors ``<base tensor>.lora_a`` / ``.lora_b``), written by
:func:`write_lora_gguf` and checked by :func:`check_lora_gguf` before llama.cpp sees it, so a
malformed file gives an error naming the file rather than a crash or a silent base model.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from common.errors import NotConfiguredError

__all__ = [
    "ADAPTER_FORMAT",
    "HF_TO_GGUF",
    "LoraInfo",
    "bundled_adapter_path",
    "check_lora_gguf",
    "chosen_adapter",
    "gguf_lora_name",
    "reply_prompt",
    "utterance_prompt",
    "write_lora_gguf",
]

#: the prompt format the shipped adapter was trained on (recorded in candidates' provenance)
ADAPTER_FORMAT = "tuned-v1"
_BUNDLED = Path(__file__).parent / "data" / "generator-lora.gguf"

#: Hugging Face projection name -> llama.cpp tensor name (Gemma 3 blocks)
HF_TO_GGUF = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}


def bundled_adapter_path() -> str | None:
    """The adapter shipped in this package, or ``None`` when this install has none."""
    return str(_BUNDLED) if _BUNDLED.is_file() else None


def chosen_adapter(choice: str, *, model_path: str | None = None) -> str | None:
    """The LoRA file a setting names (``AICALL_LLM_ADAPTER``, ``--adapter``), or ``None``.

    Args:
        choice: ``bundled`` (the shipped tuned generator), ``none`` (or empty: the plain
            model) or a ``.gguf`` path (checked when the client loads it).
        model_path: the local model (``None``: the bundled Gemma 3 270M). The bundled
            adapter was trained on that model only: with another, ``bundled`` means none.

    Raises:
        NotConfiguredError: ``bundled`` on the bundled model, and this install has no adapter.
    """
    name = choice.strip()
    if name.lower() in ("", "none"):
        return None
    if name.lower() != "bundled":
        return name
    if model_path is not None:
        return None
    path = bundled_adapter_path()
    if path is None:
        raise NotConfiguredError(
            "this install has no bundled generator adapter (nlg/llm/data/generator-lora.gguf): "
            "set the adapter to none or a path"
        )
    return path


def gguf_lora_name(layer: int, hf_projection: str) -> str:
    """The llama.cpp base tensor a LoRA pair adapts: ``(3, "mlp.up_proj")`` -> ``blk.3.ffn_up.weight``."""
    return f"blk.{layer}.{HF_TO_GGUF[hf_projection]}.weight"


# ---------------------------------------------------------------------------------- prompts


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def utterance_prompt(description: str, slots: Iterable[str], language: str) -> str:
    """The prompt asking the tuned generator for utterances of one intent.

    The completion is ``- `` lines (an utterance each, ``{slot}`` for a slot's value), ended
    by a blank line.
    """
    names = ", ".join(s for s in slots if s) or "none"
    return (
        f"### utterances\nlanguage: {language}\nintent: {_one_line(description)}\nslots: {names}\n-"
    )


def reply_prompt(text: str, language: str, persona: str = "") -> str:
    """The prompt asking the tuned generator to reword ``text`` keeping every value.

    The completion is one line, the reworded text, ended by a newline.
    """
    who = _one_line(persona) or "polite phone agent"
    return f"### reword\nlanguage: {language}\npersona: {who}\ntext: {_one_line(text)}\nreworded:"


# ---------------------------------------------------------------------------------- GGUF


@dataclass(frozen=True)
class LoraInfo:
    """What a LoRA GGUF holds: architecture, rank, alpha and the adapted base tensors."""

    path: str
    architecture: str
    rank: int
    alpha: float
    targets: tuple[str, ...]


def _import_gguf() -> Any:
    try:
        import gguf
    except ImportError as e:
        raise NotConfiguredError(
            "the gguf package is missing (pip install 'aicall[llm]'): it reads and writes "
            "LoRA adapters"
        ) from e
    return gguf


def write_lora_gguf(
    path: str | os.PathLike[str],
    pairs: Mapping[str, tuple[Any, Any]],
    *,
    alpha: float,
    architecture: str = "gemma3",
    name: str = "aicall generator",
    half: bool = True,
) -> None:
    """Write a llama.cpp LoRA adapter.

    Args:
        path: the ``.gguf`` file to write.
        pairs: base tensor name (``blk.0.attn_q.weight``) -> ``(A, B)`` as float arrays in
            PyTorch's layout: ``A`` is ``(rank, in)``, ``B`` is ``(out, rank)``; llama.cpp
            adds ``alpha / rank * B @ A`` to the base weight.
        alpha: the LoRA alpha.
        architecture: the base model's ``general.architecture``.
        name: ``general.name``.
        half: store float16 (half the size; llama.cpp computes the same).

    Raises:
        ValueError: no pairs, or a pair whose ranks disagree.
    """
    gguf = _import_gguf()
    if not pairs:
        raise ValueError("a LoRA adapter needs at least one tensor pair")
    dtype = np.float16 if half else np.float32
    w = gguf.GGUFWriter(os.fspath(path), architecture)
    w.add_string("general.type", "adapter")
    w.add_string("general.name", name)
    w.add_string("adapter.type", "lora")
    w.add_float32("adapter.lora.alpha", float(alpha))
    for base, (a, b) in sorted(pairs.items()):
        a32 = np.ascontiguousarray(np.asarray(a, dtype=np.float32).astype(dtype))
        b32 = np.ascontiguousarray(np.asarray(b, dtype=np.float32).astype(dtype))
        if a32.ndim != 2 or b32.ndim != 2 or a32.shape[0] != b32.shape[1]:
            raise ValueError(f"{base}: A {a32.shape} and B {b32.shape} do not form a LoRA pair")
        w.add_tensor(f"{base}.lora_a", a32)
        w.add_tensor(f"{base}.lora_b", b32)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def check_lora_gguf(path: str | os.PathLike[str], *, architecture: str | None = None) -> LoraInfo:
    """Read a LoRA GGUF's header and tensor list and say what it holds.

    Raises:
        NotConfiguredError: the file is missing, is not a GGUF, is not a LoRA adapter, has
            unpaired tensors, or is for another architecture; the message names the file.
    """
    p = os.fspath(path)
    if not os.path.isfile(p):
        raise NotConfiguredError(f"LoRA adapter not found: {p}")
    gguf = _import_gguf()
    try:
        reader = gguf.GGUFReader(p)
    except (ValueError, OSError, IndexError, KeyError, TypeError) as e:
        raise NotConfiguredError(f"{p} is not a readable GGUF file ({e})") from e

    def field(key: str) -> Any:
        f = reader.fields.get(key)
        if f is None:
            return None
        return f.contents()

    if field("general.type") != "adapter" or field("adapter.type") != "lora":
        raise NotConfiguredError(
            f"{p} is a GGUF file but not a LoRA adapter (general.type={field('general.type')!r}, "
            f"adapter.type={field('adapter.type')!r})"
        )
    arch = str(field("general.architecture"))
    if architecture is not None and arch != architecture:
        raise NotConfiguredError(f"{p} adapts a {arch!r} model, not {architecture!r}")
    alpha = field("adapter.lora.alpha")
    if alpha is None:
        raise NotConfiguredError(f"{p} has no adapter.lora.alpha")
    a_of: dict[str, Any] = {}
    b_of: dict[str, Any] = {}
    for t in reader.tensors:
        if t.name.endswith(".lora_a"):
            a_of[t.name[: -len(".lora_a")]] = t
        elif t.name.endswith(".lora_b"):
            b_of[t.name[: -len(".lora_b")]] = t
        else:
            raise NotConfiguredError(f"{p}: tensor {t.name!r} is neither .lora_a nor .lora_b")
    if not a_of or set(a_of) != set(b_of):
        odd = sorted(set(a_of) ^ set(b_of))[:3]
        raise NotConfiguredError(f"{p}: LoRA tensors are missing or unpaired ({odd or 'none'})")
    ranks = set()
    for base, a in a_of.items():
        # GGUF shapes are reversed: A is (in, rank), B is (rank, out)
        rank_a, rank_b = int(a.shape[1]), int(b_of[base].shape[0])
        if rank_a != rank_b:
            raise NotConfiguredError(f"{p}: {base} has A of rank {rank_a} and B of rank {rank_b}")
        ranks.add(rank_a)
    return LoraInfo(p, arch, max(ranks), float(alpha), tuple(sorted(a_of)))
