"""Check an exported adapter: the same prompts through torch (base + LoRA) and llama.cpp.

Reads the LoRA GGUF back into the torch model (so it checks the export, not the training
process's memory), generates greedily for a few prompts in both runtimes, prints both outputs
next to the base model's, and the decode speed of each on ``--threads`` threads.

    python -m tools.train_generator.check --adapter nlg/llm/data/generator-lora.gguf
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from nlg.llm import default_model_path, reply_prompt, utterance_prompt
from nlg.llm._tuned import HF_TO_GGUF, check_lora_gguf
from tools.train_generator.train import LoRALinear, load_base

PROMPTS = [
    utterance_prompt(
        "The user wants to book a table at a restaurant.", ["party_size", "time"], "en"
    ),
    utterance_prompt("The user asks for the weather forecast somewhere or at some time.", [], "en"),
    utterance_prompt("식당에 자리를 예약하려는 발화", ["date", "party_size"], "ko"),
    reply_prompt("What time would you like to book for 3 people on December 11?", "en"),
    reply_prompt("12월 11일 저녁 6시 30분, 3명으로 예약해 드릴까요?", "ko", "친절한 전화 상담원"),
]


def load_lora_into(model: torch.nn.Module, path: str) -> None:
    """Wrap the projections the GGUF adapts, with its A and B (float32)."""
    import gguf

    info = check_lora_gguf(path)
    reader = gguf.GGUFReader(path)
    tensors = {t.name: np.array(t.data, dtype=np.float32) for t in reader.tensors}
    by_gguf = {v: k for k, v in HF_TO_GGUF.items()}
    for base in info.targets:
        _, layer, short, _ = base.split(".")
        proj = by_gguf[short]
        parent_name, attr = proj.split(".")
        parent = getattr(model.model.layers[int(layer)], parent_name)  # type: ignore[union-attr]
        a, b = tensors[f"{base}.lora_a"], tensors[f"{base}.lora_b"]
        lora = LoRALinear(getattr(parent, attr), a.shape[0], info.alpha)
        lora.lora_A.weight.data = torch.from_numpy(a.copy())
        lora.lora_B.weight.data = torch.from_numpy(b.copy())
        setattr(parent, attr, lora)


def main(argv: list[str] | None = None) -> None:
    """Compare (command line)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--adapter", default="nlg/llm/data/generator-lora.gguf")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tokens", type=int, default=40)
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args(argv)
    import llama_cpp

    torch.set_num_threads(args.threads)
    outs: dict[str, list[str]] = {}
    speed: dict[str, float] = {}
    for name, lora in (("llama.cpp base", None), ("llama.cpp tuned", args.adapter)):
        llm = llama_cpp.Llama(
            model_path=default_model_path(), lora_path=lora, n_ctx=512,
            n_threads=args.threads, verbose=False,
        )  # fmt: skip
        outs[name], n, t = [], 0, 0.0
        for p in PROMPTS:
            t0 = time.perf_counter()
            r = llm(p, max_tokens=args.tokens, temperature=0.0, stop=["\n\n"])
            t += time.perf_counter() - t0
            n += r["usage"]["completion_tokens"]
            outs[name].append(r["choices"][0]["text"])
        speed[name] = n / t
    if not args.no_torch:
        tok, model = load_base()
        load_lora_into(model, args.adapter)
        model.eval()
        outs["torch tuned"], n, t = [], 0, 0.0
        for p in PROMPTS:
            ids = tok(p, return_tensors="pt")
            t0 = time.perf_counter()
            with torch.no_grad():
                o = model.generate(**ids, max_new_tokens=args.tokens, do_sample=False)
            t += time.perf_counter() - t0
            new = o[0][ids.input_ids.shape[1] :]
            n += len(new)
            outs["torch tuned"].append(tok.decode(new, skip_special_tokens=True).split("\n\n")[0])
        speed["torch tuned"] = n / t
    for i, p in enumerate(PROMPTS):
        print("=" * 60 + "\n" + p)
        for name, o in outs.items():
            print(f"--- {name}:\n{o[i]}")
    print("\ndecode tokens/s (prompt included):", {k: round(v, 1) for k, v in speed.items()})


if __name__ == "__main__":
    main()
