"""LLM generators of utterances for one intent, with few-shot completion prompts.

The bundled model is a small *base* model: it continues text, so every prompt shows the format
it should continue. Three generators, each recorded in a candidate's provenance with
:data:`PROMPT_VERSION`:

- ``llm_zero_shot``: from the intent's description alone. The prompt demonstrates the format
  on two built-in intents of another domain (a taxi, a table) and asks for JSON that
  :meth:`~nlg.llm.LLMClient.complete_json` constrains (llama.cpp grammar locally,
  ``response_format`` remotely) and validates.
- ``llm_paraphrase``: a list of a few of the intent's examples, continued by the model.
- ``llm_slots``: the examples as slot templates (``{date} {time}에 {party_size} 예약할게요``),
  continued by the model, then filled from the slot values with agreeing particles.
- ``llm_tuned``: with the tuned generator (a local model carrying a LoRA adapter, by default
  the one shipped in :mod:`nlg.llm`), the description and the slots that have values go into
  the adapter's own prompt (:func:`nlg.llm.utterance_prompt`); its ``{slot}`` lines are filled
  like ``llm_slots``, so their annotations are exact. Used for zero-shot generation.

Output that cannot be used becomes a rejected candidate with its reason (``malformed_json``,
``empty``); an unreachable model raises :class:`LLMUnavailableError` so a command can say so
and still offer the deterministic augmenters.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from authoring.annotated import Segment, Utterance
from authoring.candidates import Candidate
from authoring.domain import AuthoringDomain
from authoring.templates import PLACEHOLDER, fill_template, to_template
from common.errors import AicallError, BackendUnavailableError, InputError, NotConfiguredError
from nlg.llm import (
    ADAPTER_FORMAT,
    LLMClient,
    LLMOutputError,
    LLMTimeoutError,
    utterance_prompt,
)

__all__ = [
    "PROMPT_VERSION",
    "LLMUnavailableError",
    "annotate_known",
    "ask_llm",
    "generate_for_intent",
    "is_tuned",
    "tuned_slots",
]

PROMPT_VERSION = "v1"
#: seconds for one grammar-constrained zero-shot call; past it, the plain-list prompt is used
#: (llama.cpp checks the grammar against Gemma's 262k-token vocabulary: a few calls crawl)
JSON_BUDGET = 20.0
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "utterances": {
            "type": "array",
            "items": {"type": "string", "minLength": 2, "maxLength": 100},
            "minItems": 1,
            "maxItems": 6,
        }
    },
    "required": ["utterances"],
}
_DEMO = {
    "en": (
        ("the caller wants a taxi.", ["can you send a taxi", "I need a cab to the airport"]),
        ("the caller wants to book a table.", ["I'd like to book a table for tonight"]),
    ),
    "ko": (
        ("택시를 부르려는 발화", ["택시 좀 불러 주세요", "공항 가는 택시 한 대요"]),
        ("식당에 자리를 예약하려는 발화", ["예약하고 싶어요", "내일 저녁 자리 있나요"]),
    ),
}
_HEAD = {
    "en": "Things a caller says on the phone, one per line. Intent: {d}",
    "ko": "전화한 손님이 하는 말, 한 줄에 하나. 의도: {d}",
}
_SLOT_HEAD = {
    "en": "What a caller says, one per line; {{braces}} mark a blank. Intent: {d}",
    "ko": "전화한 손님이 하는 말, 한 줄에 하나. 중괄호는 빈칸. 의도: {d}",
}

Progress = Callable[[int], None]


class LLMUnavailableError(BackendUnavailableError):
    """The LLM cannot be reached or loaded; the deterministic augmenters still work."""


def ask_llm(make: Callable[[], Any]) -> Any:
    """Run one LLM request (``make()``), turning an unreachable LLM into :class:`LLMUnavailableError`.

    A bad or slow answer (:class:`~nlg.llm.LLMOutputError`, :class:`~nlg.llm.LLMTimeoutError`)
    and bad input pass through: the caller records them and goes on.
    """
    try:
        return make()
    except (LLMOutputError, LLMTimeoutError):
        raise  # one bad or slow answer: the caller records it and goes on
    except (BackendUnavailableError, NotConfiguredError) as e:
        raise LLMUnavailableError(
            f"the LLM is unavailable ({e}); the deterministic augmenters still work "
            "(aicall scenario augment --llm none)"
        ) from e
    except InputError:
        raise
    except AicallError as e:  # pragma: no cover - any other project error is still reported
        raise LLMUnavailableError(str(e)) from e


def _lines(text: str, cut: bool) -> list[str]:
    out = []
    rows = text.split("\n")
    if cut and rows:
        rows = rows[:-1]  # the last line was cut by max_tokens
    for row in rows:
        row = row.strip()
        if not row:
            break
        out.append(re.sub(r"^[-•*]\s*", "", row).strip())
    return out


def annotate_known(text: str, values: dict[str, list[tuple[str, str | None]]]) -> str:
    """Mark the known slot values a generated utterance contains (longest first).

    A paraphrase without annotations would teach a slot tagger that a value's words are not a
    slot; values of three characters or more seen in the examples or synonyms are marked.
    """
    if "[" in text or "]" in text:
        return text
    found: list[tuple[int, int, str, str | None]] = []
    pool = sorted(
        ((surface, slot, value) for slot, vs in values.items() for surface, value in vs),
        key=lambda x: -len(x[0]),
    )
    lowered = text.lower()
    for surface, slot, value in pool:
        if len(surface) < 3:
            continue
        for m in re.finditer(rf"(?<!\w){re.escape(surface.lower())}(?!\w)", lowered):
            if all(m.end() <= a or b <= m.start() for a, b, _, _ in found):
                found.append((m.start(), m.end(), slot, value))
    if not found:
        return text
    segs: list[Segment] = []
    pos = 0
    for a, b, slot, value in sorted(found):
        segs += [Segment(text[pos:a]), Segment(text[a:b], slot, value)]
        pos = b
    segs.append(Segment(text[pos:]))
    return Utterance(()).with_segments(segs).annotated


def _zero_shot(llm: LLMClient, domain: AuthoringDomain, intent: str, seed: int) -> list[str]:
    lang = domain.language if domain.language in _DEMO else "en"
    label = "의도" if lang == "ko" else "Intent"
    parts = []
    for desc, utts in _DEMO[lang]:
        quoted = ", ".join(f'"{u}"' for u in utts)
        parts.append(f'{label}: {desc}\n{{"utterances": [{quoted}]}}')
    parts.append(f"{label}: {domain.descriptions.get(intent, intent)}\n")
    prompt = "\n".join(parts)
    data = ask_llm(
        lambda: llm.complete_json_sync(
            prompt, _SCHEMA, max_tokens=96, temperature=0.8, seed=seed, budget=JSON_BUDGET
        )
    )
    return [str(u) for u in data["utterances"]]


def _zero_shot_lines(llm: LLMClient, domain: AuthoringDomain, intent: str, seed: int) -> list[str]:
    # the same demonstrations as a plain list: no grammar, so never stuck in one
    lang = domain.language if domain.language in _DEMO else "en"
    blocks = [
        _HEAD[lang].format(d=desc) + "\n" + "\n".join(f"- {u}" for u in utts)
        for desc, utts in _DEMO[lang]
    ]
    blocks.append(_HEAD[lang].format(d=domain.descriptions.get(intent, intent)) + "\n-")
    return _continue(llm, "\n\n".join(blocks), seed)


def _continue(llm: LLMClient, prompt: str, seed: int, max_tokens: int = 64) -> list[str]:
    done = ask_llm(
        lambda: llm.complete_sync(
            prompt, max_tokens=max_tokens, temperature=0.8, seed=seed, stop=["\n\n"]
        )
    )
    return _lines(done.text, cut=done.finish_reason == "length")


def _paraphrase(
    llm: LLMClient, domain: AuthoringDomain, intent: str, shown: list[str], seed: int
) -> list[str]:

    lang = domain.language if domain.language in _HEAD else "en"
    head = _HEAD[lang].format(d=domain.descriptions.get(intent, intent))
    body = "\n".join(f"- {Utterance.parse(s).text}" for s in shown)
    return _continue(llm, f"{head}\n{body}\n-", seed)


def _slot_templates(
    llm: LLMClient, domain: AuthoringDomain, intent: str, shown: list[str], seed: int
) -> list[str]:
    lang = domain.language if domain.language in _SLOT_HEAD else "en"
    head = _SLOT_HEAD[lang].format(d=domain.descriptions.get(intent, intent))
    body = "\n".join(f"- {to_template(s)}" for s in shown)
    return _continue(llm, f"{head}\n{body}\n-", seed)


def is_tuned(llm: LLMClient) -> bool:
    """Whether ``llm`` is the tuned generator (a local model with a LoRA adapter)."""
    return getattr(llm, "lora_path", None) is not None


def tuned_slots(domain: AuthoringDomain, intent: str) -> list[str]:
    """The slots the tuned prompt offers for ``intent``: those its examples use, else all that have values."""
    values = domain.slot_values()
    used = [
        seg.slot
        for e in domain.examples.get(intent, [])
        for seg in Utterance.parse(e).slots
        if seg.slot in values
    ]
    return list(dict.fromkeys(used)) or sorted(values)[:8]


def _tuned(
    llm: LLMClient, domain: AuthoringDomain, intent: str, rng: random.Random, seed: int
) -> list[Candidate]:
    gen = "llm_tuned"
    values = domain.slot_values()
    prompt = utterance_prompt(
        domain.descriptions.get(intent, intent), tuned_slots(domain, intent), domain.language
    )
    done = ask_llm(
        lambda: llm.complete_sync(prompt, max_tokens=96, temperature=0.8, seed=seed, stop=["\n\n"])
    )
    out: list[Candidate] = []
    for line in _lines(done.text, cut=done.finish_reason == "length"):
        slots = PLACEHOLDER.findall(line)
        if not slots:
            out.append(Candidate(intent, annotate_known(line, values), gen, ADAPTER_FORMAT, None))
            continue
        unknown = [s for s in slots if s not in values]
        if unknown:
            out.append(
                Candidate(intent, line, gen, ADAPTER_FORMAT).rejected(f"unknown_slot:{unknown[0]}")
            )
            continue
        filled = fill_template(line, values, rng, domain.language)
        if filled is not None:
            out.append(Candidate(intent, filled, gen, ADAPTER_FORMAT, None))
    return out


def _timed_out(intent: str, gen: str, call: int) -> Candidate:
    return Candidate(intent, f"(output #{call})", gen, PROMPT_VERSION).rejected("timeout")


def generate_for_intent(
    llm: LLMClient,
    domain: AuthoringDomain,
    intent: str,
    n: int,
    *,
    zero_shot: bool = False,
    seed: int = 0,
    max_calls: int | None = None,
    progress: Progress | None = None,
) -> list[Candidate]:
    """Ask the LLM for about ``n`` utterances of ``intent`` (unscreened candidates).

    With ``zero_shot`` (or an intent without examples) only the description is used;
    otherwise paraphrases of the examples alternate with slot templates (when the examples
    have slots). Unusable output comes back as rejected candidates with the reason.

    Raises:
        LLMUnavailableError: the model cannot be reached or loaded.
    """
    rng = random.Random(f"{seed}:{intent}")
    examples = domain.examples.get(intent, [])
    with_slots = [e for e in examples if "](" in e]
    values = domain.slot_values()
    out: list[Candidate] = []
    calls = 0
    limit = max_calls if max_calls is not None else (n + 2) // 3 + 1
    produced = 0
    while produced < n and calls < limit:
        call_seed = rng.randrange(1 << 30)
        calls += 1
        if (zero_shot or not examples) and is_tuned(llm):
            gen = "llm_tuned"
            try:
                new = _tuned(llm, domain, intent, rng, call_seed)
            except LLMTimeoutError:
                new = [_timed_out(intent, gen, calls)]
        elif zero_shot or not examples:
            gen = "llm_zero_shot"
            try:
                try:
                    texts = _zero_shot(llm, domain, intent, call_seed)
                except LLMTimeoutError:
                    out.append(
                        Candidate(intent, f"(output #{calls})", gen, PROMPT_VERSION).rejected(
                            "timeout: JSON output too slow, plain list used"
                        )
                    )
                    texts = _zero_shot_lines(llm, domain, intent, call_seed)
            except LLMOutputError as e:
                out.append(
                    Candidate(
                        intent, f"(output #{calls})", gen, PROMPT_VERSION, None, "rejected",
                        f"malformed_json: {str(e)[:80]}",
                    )
                )  # fmt: skip
                continue
            demo = {u for _, utts in _DEMO.get(domain.language, _DEMO["en"]) for u in utts}
            new = [
                Candidate(intent, t, gen, PROMPT_VERSION, None).rejected("prompt_echo")
                if t.strip() in demo
                else Candidate(intent, annotate_known(t, values), gen, PROMPT_VERSION, None)
                for t in texts
            ]
        elif with_slots and calls % 2 == 0:
            gen = "llm_slots"
            shown = rng.sample(with_slots, min(4, len(with_slots)))
            new = []
            try:
                templates = _slot_templates(llm, domain, intent, shown, call_seed)
            except LLMTimeoutError:
                templates = []
                new.append(_timed_out(intent, gen, calls))
            for t in templates:
                slots = PLACEHOLDER.findall(t)
                unknown = [s for s in slots if s not in values]
                if unknown:
                    new.append(
                        Candidate(intent, t, gen, PROMPT_VERSION, shown[0]).rejected(
                            f"unknown_slot:{unknown[0]}"
                        )
                    )
                    continue
                filled = fill_template(t, values, rng, domain.language)
                if filled is not None:
                    new.append(Candidate(intent, filled, gen, PROMPT_VERSION, shown[0]))
        else:
            gen = "llm_paraphrase"
            shown = rng.sample(examples, min(4, len(examples)))
            try:
                new = [
                    Candidate(intent, annotate_known(t, values), gen, PROMPT_VERSION, shown[0])
                    for t in _paraphrase(llm, domain, intent, shown, call_seed)
                ]
            except LLMTimeoutError:
                new = [_timed_out(intent, gen, calls)]
        if not new:
            out.append(
                Candidate(intent, f"(output #{calls})", gen, PROMPT_VERSION).rejected("empty")
            )
        out.extend(new)
        produced += sum(1 for c in new if c.state != "rejected")
        if progress is not None:
            progress(len(new))
    return out
