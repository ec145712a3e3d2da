"""LoRA-tune the bundled Gemma 3 270M on the generator data; export a llama.cpp LoRA GGUF.

The base weights come from the bundled GGUF itself (transformers dequantises it: needs the
``train`` extra: accelerate, gguf). LoRA (rank ``--rank``) on the attention and MLP
projections of every block; the loss is on the completion tokens only, and the output layer
(262k tokens wide: most of the compute) runs only on those positions. CPU, ``--threads``.

    python -m tools.train_generator.train --data /work/data/generator/train.jsonl \
        --steps 400 --stop-at 200 --mix utterances=0.5,reword=0.5 --out nlg/llm/data/generator-lora.gguf
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from typing import Any

import torch
from torch import nn

from nlg.llm import default_model_path
from nlg.llm._tuned import HF_TO_GGUF, check_lora_gguf, gguf_lora_name, write_lora_gguf


class LoRALinear(nn.Module):
    """``base(x) + alpha / rank * B(A(x))`` with the base frozen."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        self.rank, self.alpha = rank, alpha
        self.lora_A = nn.Linear(base.in_features, rank, bias=False)
        self.lora_B = nn.Linear(rank, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The base projection plus the scaled low-rank update."""
        return self.base(x) + self.lora_B(self.lora_A(x)) * (self.alpha / self.rank)


def load_base(path: str | None = None) -> tuple[Any, Any]:
    """Tokenizer and float32 model from the bundled GGUF."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    p = path or default_model_path()
    d, f = os.path.dirname(p), os.path.basename(p)
    tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32)
    return tok, model


def add_lora(model: Any, rank: int, alpha: float) -> dict[str, LoRALinear]:
    """Wrap every block's projections; returns GGUF base tensor name -> module."""
    for p in model.parameters():
        p.requires_grad_(False)
    out: dict[str, LoRALinear] = {}
    for i, layer in enumerate(model.model.layers):
        for proj in HF_TO_GGUF:
            parent_name, attr = proj.split(".")
            parent = getattr(layer, parent_name)
            lora = LoRALinear(getattr(parent, attr), rank, alpha)
            setattr(parent, attr, lora)
            out[gguf_lora_name(i, proj)] = lora
    return out


def export(loras: dict[str, LoRALinear], path: str, alpha: float) -> None:
    """Write the adapter (float32) and read it back."""
    pairs = {
        name: (m.lora_A.weight.detach().numpy(), m.lora_B.weight.detach().numpy())
        for name, m in loras.items()
    }
    write_lora_gguf(path, pairs, alpha=alpha)
    info = check_lora_gguf(path, architecture="gemma3")
    print(
        f"wrote {path}: {len(info.targets)} tensors, rank {info.rank}, {os.path.getsize(path) / 1e6:.1f} MB"
    )


def encode(tok: Any, rows: list[dict[str, str]], max_len: int) -> list[tuple[list[int], int]]:
    """(token ids, index of the first completion token), BOS first; too-long rows cut."""
    out = []
    for r in rows:
        p = tok(r["prompt"], add_special_tokens=False).input_ids
        t = tok(r["target"], add_special_tokens=False).input_ids
        ids = [tok.bos_token_id, *p, *t][:max_len]
        if len(p) + 1 < len(ids):
            out.append((ids, len(p) + 1))
    return out


def step_loss(
    model: Any,
    batch: list[tuple[list[int], int]],
    pad: int,
    vocab: torch.Tensor,
    remap: torch.Tensor,
) -> torch.Tensor:
    """Mean next-token loss over the completion tokens, softmax over the corpus's tokens.

    The output layer is 262k tokens wide: scoring only the tokens the training targets use
    (``vocab``; ``remap`` maps a token id to its row) cuts most of a step's compute on CPU.
    """
    n = max(len(ids) for ids, _ in batch)
    x = torch.full((len(batch), n), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    for i, (ids, _) in enumerate(batch):
        x[i, : len(ids)] = torch.tensor(ids)
        mask[i, : len(ids)] = 1
    hidden = model.model(input_ids=x, attention_mask=mask).last_hidden_state
    rows, cols, labels = [], [], []
    for i, (ids, start) in enumerate(batch):
        for j in range(start - 1, len(ids) - 1):
            rows.append(i)
            cols.append(j)
            labels.append(ids[j + 1])
    h = hidden[torch.tensor(rows), torch.tensor(cols)]
    logits = h @ model.lm_head.weight[vocab].T
    cap = getattr(model.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return nn.functional.cross_entropy(logits, remap[torch.tensor(labels)])


def main(argv: list[str] | None = None) -> None:
    """Train and export (command line)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/work/data/generator/train.jsonl")
    ap.add_argument("--out", default="nlg/llm/data/generator-lora.gguf")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--max-len", type=int, default=80)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16.0)
    ap.add_argument("--lr", type=float, default=4e-4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save-every", type=int, default=10, help="export the adapter every N steps")
    ap.add_argument("--mix", default="utterances=0.625,reword=0.375", help="task shares of a batch")
    ap.add_argument("--minutes", type=float, default=0, help="stop after this long (0: no limit)")
    ap.add_argument(
        "--stop-at",
        type=int,
        default=0,
        help="stop after this step of the --steps schedule (0: run it all); the export is then"
        " that step's adapter",
    )
    ap.add_argument(
        "--snapshots",
        default="",
        help="steps whose adapter is also kept as OUT-stepN.gguf (comma-separated), to compare",
    )
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    rows = [json.loads(line) for line in open(args.data, encoding="utf-8")]
    t0 = time.time()
    tok, model = load_base()
    loras = add_lora(model, args.rank, args.alpha)
    print(f"base loaded in {time.time() - t0:.0f} s; {len(loras)} LoRA pairs")
    model.train()
    by_task: dict[str, list[tuple[list[int], int]]] = {}
    for task in {r["task"] for r in rows}:
        by_task[task] = encode(tok, [r for r in rows if r["task"] == task], args.max_len)
    used = sorted({i for enc in by_task.values() for ids, start in enc for i in ids[start:]})
    vocab = torch.tensor(used)
    remap = torch.zeros(model.config.vocab_size, dtype=torch.long)
    remap[vocab] = torch.arange(len(used))
    print(f"softmax over {len(used)} target tokens of {model.config.vocab_size}")
    shares = {k: float(v) for k, v in (kv.split("=") for kv in args.mix.split(","))}
    params = [p for m in loras.values() for p in (m.lora_A.weight, m.lora_B.weight)]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    warm = max(1, args.steps // 20)
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    t1 = time.time()
    ema = None
    for step in range(1, args.steps + 1):
        lr = (
            args.lr
            * min(1.0, step / warm)
            * max(0.05, 1 - (step - warm) / max(1, args.steps - warm))
        )
        for g in opt.param_groups:
            g["lr"] = lr
        batch = []
        for task, share in shares.items():
            batch += rng.sample(by_task[task], max(1, round(args.batch * share)))
        loss = step_loss(model, batch, pad, vocab, remap)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.9 * ema + 0.1 * loss.item()
        if step % 10 == 0 or step == 1:
            el = time.time() - t1
            print(
                f"step {step}/{args.steps} loss {loss.item():.3f} ema {ema:.3f} lr {lr:.1e} {el / step:.1f} s/step",
                flush=True,
            )
        if step % args.save_every == 0:
            export(loras, args.out, args.alpha)
        if str(step) in args.snapshots.split(","):
            export(loras, f"{os.path.splitext(args.out)[0]}-step{step}.gguf", args.alpha)
        if args.minutes and time.time() - t1 > args.minutes * 60:
            print(f"time limit reached at step {step}")
            break
        if step == args.stop_at:
            print(f"stopped at step {step} of the {args.steps}-step schedule")
            break
    export(loras, args.out, args.alpha)
    print(f"trained {step} steps in {(time.time() - t1) / 60:.1f} min on {args.threads} threads")


if __name__ == "__main__":
    main()
