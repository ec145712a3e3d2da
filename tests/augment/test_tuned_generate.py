"""The tuned generator in authoring: its prompt, its ``{slot}`` lines filled exactly, the setting."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from authoring.annotated import Utterance
from authoring.domain import AuthoringDomain
from authoring.generate import LLMUnavailableError, generate_for_intent, is_tuned, tuned_slots
from cli.authoring import make_authoring_llm
from cli.main import app
from nlg.llm import ADAPTER_FORMAT, bundled_adapter_path, write_lora_gguf
from nlg.llm._tuned import gguf_lora_name
from tests.augment.conftest import ScriptedLLM


class TunedScript(ScriptedLLM):
    """A scripted LLM that says it carries an adapter, recording its prompts."""

    lora_path = "scripted.gguf"

    def __init__(self, replies: list[str]) -> None:
        super().__init__(replies)
        self.prompts: list[str] = []

    async def _answer(self, request):  # type: ignore[no-untyped-def]
        self.prompts.append(str(request))
        return await super()._answer(request)


def test_tuned_lines_are_filled_with_exact_annotations(en: AuthoringDomain) -> None:
    llm = TunedScript(
        [" a table for {party_size} on {date}\n- book it please\n- a {color} table\n\n"]
    )
    assert is_tuned(llm)
    out = generate_for_intent(llm, en, "book", 3, zero_shot=True, seed=1, max_calls=1)
    prompt = llm.prompts[0]
    assert prompt.startswith("### utterances\nlanguage: en\nintent: ") and prompt.endswith("\n-")
    assert "party_size" in prompt and "date" in prompt
    assert all(c.generator == "llm_tuned" and c.prompt_version == ADAPTER_FORMAT for c in out)
    filled = Utterance.parse(out[0].text)
    assert {s.slot for s in filled.slots} == {"party_size", "date"}
    assert "{" not in filled.text
    assert out[1].text == "book it please" and out[1].state != "rejected"
    assert out[2].state == "rejected" and out[2].reason == "unknown_slot:color"


def test_tuned_slots_are_those_the_examples_use(en: AuthoringDomain) -> None:
    used = tuned_slots(en, "book")
    assert used and set(used) <= set(en.slot_values())
    assert "date" in used


def test_an_untuned_client_keeps_the_few_shot_prompts(en: AuthoringDomain) -> None:
    llm = ScriptedLLM(['{"utterances": ["a table tonight please"]}'])
    assert not is_tuned(llm)
    out = generate_for_intent(llm, en, "book", 1, zero_shot=True, seed=1, max_calls=1)
    assert out[0].generator == "llm_zero_shot"


def _tiny_adapter(path: Path) -> Path:
    rng = np.random.default_rng(3)
    pairs = {
        gguf_lora_name(0, "self_attn.q_proj"): (
            rng.normal(0, 0.01, (2, 640)),
            rng.normal(0, 0.01, (1024, 2)),
        )
    }
    write_lora_gguf(path, pairs, alpha=2.0)
    return path


def test_the_adapter_setting_picks_what_the_local_model_carries(
    model_path: str, tmp_path: Path
) -> None:
    bundled = make_authoring_llm("local", None, None, None, adapter="bundled")
    assert bundled.lora_path == bundled_adapter_path() is not None
    assert make_authoring_llm("local", None, None, None, adapter="none").lora_path is None
    own = _tiny_adapter(tmp_path / "own.gguf")
    assert make_authoring_llm("local", None, None, None, adapter=str(own)).lora_path == str(own)
    bad = tmp_path / "broken-adapter.gguf"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(LLMUnavailableError, match="broken-adapter.gguf"):
        make_authoring_llm("local", None, None, None, adapter=str(bad))


def test_aicall_llm_adapter_reaches_augment(
    model_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in os.environ if k.startswith("AICALL_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AICALL_DATA_DIR", str(tmp_path / "data"))
    bad = tmp_path / "not-an-adapter.gguf"
    bad.write_text("plain text", encoding="utf-8")
    monkeypatch.setenv("AICALL_LLM_ADAPTER", str(bad))
    result = CliRunner().invoke(
        app, ["scenario", "augment", "restaurant-en", "--n", "1", "--intent", "book", "--zero-shot"]
    )
    assert result.exit_code != 0
    assert "not-an-adapter.gguf" in (result.output + str(result.exception))
