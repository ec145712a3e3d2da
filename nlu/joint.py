"""The joint torch model: one encoder, an intent head and a CRF slot tagger.

Each token is embedded from its word, its characters (Hangul syllables decomposed into jamo,
so a one-jamo typo changes one input out of several), its kiwipiepy morpheme tag and its
gazetteer marks (lookup tables, regexes, typed parsers). A BiLSTM reads the sentence; the intent
head pools it (max and mean); the slot head sees each token and the intent distribution
(slot-gated, as in Goo et al. 2018) and a CRF decodes BIO tags. No pre-trained weights.

Training holds out 10% of larger data sets to pick the best epoch and to fit a softmax
temperature, so the intent confidence is calibrated (see ``docs/nlu.md`` for the measured
calibration error).
"""

from __future__ import annotations

import json
import math
import pickle
import random
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

from nlu.base import NLUEngine, Progress
from nlu.classical import ClassicalEngine
from nlu.crf import CRF
from nlu.features import Gazetteer
from nlu.noise import typo_variants
from nlu.tokens import Token, bio_tags, jamo, spans_from_tags, tokenize
from nlu.torch_train import bio_constraints, fit_temperature, frame_score, with_ngram
from nlu.training import Example, TrainingData

__all__ = ["JointEngine", "JointNet"]

_PAD, _UNK = 0, 1
#: One encoded sentence: word ids (T), char ids (T, C), tag ids (T), gazetteer marks (T, M).
Encoded = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]
_MAX_CHARS = 20
_SMALL = 2000  # examples: scenario data below, public benchmarks above


class JointNet(nn.Module):
    """Word + character + tag + mark embeddings -> BiLSTM -> intent head and CRF tagger."""

    def __init__(
        self,
        *,
        n_words: int,
        n_chars: int,
        n_tags: int,
        n_marks: int,
        n_intents: int,
        n_labels: int,
        word_dim: int = 100,
        char_dim: int = 32,
        char_filters: int = 64,
        hidden: int = 128,
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        self.word = nn.Embedding(n_words, word_dim, padding_idx=_PAD)
        self.char = nn.Embedding(n_chars, char_dim, padding_idx=_PAD)
        self.char_cnn = nn.Conv1d(char_dim, char_filters, kernel_size=3, padding=1)
        self.tag = nn.Embedding(n_tags, 16, padding_idx=_PAD)
        self.marks = nn.Linear(max(n_marks, 1), 16)
        self.drop = nn.Dropout(dropout)
        self.lstm = nn.LSTM(
            word_dim + char_filters + 16 + 16, hidden, batch_first=True, bidirectional=True
        )
        self.intent_head = nn.Linear(4 * hidden, n_intents)
        self.intent_to_slot = nn.Linear(n_intents, 2 * hidden)
        self.slot_head = nn.Linear(2 * hidden, n_labels)
        self.crf = CRF(n_labels)

    def forward(
        self,
        words: torch.Tensor,
        chars: torch.Tensor,
        tags: torch.Tensor,
        marks: torch.Tensor,
        mask: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Intent logits (batch, intents) and slot emissions (batch, time, labels)."""
        b, t, c = chars.shape
        ch = self.char(chars.view(b * t, c)).transpose(1, 2)
        ch = torch.relu(self.char_cnn(ch)).max(dim=2).values.view(b, t, -1)
        x = torch.cat([self.word(words), ch, self.tag(tags), torch.relu(self.marks(marks))], dim=2)
        h, _ = self.lstm(self.drop(x))
        h = self.drop(h)
        m = mask.unsqueeze(2).float()
        mean = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        mx = h.masked_fill(~mask.unsqueeze(2), -1e4).max(1).values
        intent_logits = self.intent_head(torch.cat([mx, mean], dim=1))
        gate = torch.tanh(self.intent_to_slot(torch.softmax(intent_logits, dim=1)))
        emissions = self.slot_head(h + gate.unsqueeze(1))
        return intent_logits, emissions


class JointEngine(NLUEngine):
    """Joint intent classifier and slot tagger (BiLSTM-CRF) trained from scratch on CPU.

    Args:
        epochs: maximum passes over the training data.
        max_seconds: stop training after this long (the best epoch so far is kept).
        batch_size: sentences per step.
        lr: Adam learning rate.
        threads: torch threads for training and inference.
        hidden: LSTM size per direction.
        ngram_intents: combine the intent head with the n-gram logistic regression of the
            classical engine (geometric mean of the two distributions).
    """

    name = "joint"

    def __init__(
        self,
        *,
        epochs: int = 30,
        max_seconds: float = 420.0,
        batch_size: int = 64,
        lr: float = 3e-3,
        threads: int = 2,
        hidden: int = 128,
        ngram_intents: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.epochs = epochs
        self.max_seconds = max_seconds
        self.batch_size = batch_size
        self.lr = lr
        self.threads = threads
        self.hidden = hidden
        self.temperature = 1.0
        self._words: dict[str, int] = {}
        self._chars: dict[str, int] = {}
        self._tags: dict[str, int] = {}
        self._marks: dict[str, int] = {}
        self._labels: list[str] = []
        self._net: JointNet | None = None
        self._gazetteer: Gazetteer | None = None
        self._config: dict[str, Any] = {}
        self.ngram_intents = ngram_intents
        self._ngram: Any = None

    # --- encoding -------------------------------------------------------------------------

    def _encode(self, text: str, tokens: list[Token], *, grow: bool = False) -> Encoded:
        def idx(table: dict[str, int], key: str) -> int:
            if grow and key not in table:
                table[key] = len(table)
            return table.get(key, _UNK)

        assert self._gazetteer is not None
        marks = self._gazetteer.marks(text, tokens)
        n = len(tokens)
        char_ids = [
            [idx(self._chars, ch) for ch in jamo(t.text.lower())[:_MAX_CHARS]] for t in tokens
        ]
        chars = torch.zeros(n, max(1, max((len(c) for c in char_ids), default=1)), dtype=torch.long)
        for i, cs in enumerate(char_ids):
            if cs:
                chars[i, : len(cs)] = torch.tensor(cs)
        mk = torch.zeros(n, max(len(self._marks), 1))
        for i, ms in enumerate(marks):
            for m in ms:
                j = self._marks.get(m)
                if j is not None:
                    mk[i, j] = 1.0
        words = torch.tensor([idx(self._words, t.text.lower()) for t in tokens], dtype=torch.long)
        tags = torch.tensor([idx(self._tags, t.tag) for t in tokens], dtype=torch.long)
        return words, chars, tags, mk

    @staticmethod
    def _batch(encoded: list[Encoded]) -> tuple[torch.Tensor, ...]:
        width = max(e[1].shape[1] for e in encoded)
        words = pad_sequence([e[0] for e in encoded], batch_first=True)
        chars = pad_sequence(
            [nn.functional.pad(e[1], (0, width - e[1].shape[1])) for e in encoded], batch_first=True
        )
        tags = pad_sequence([e[2] for e in encoded], batch_first=True)
        marks = pad_sequence([e[3] for e in encoded], batch_first=True)
        lengths = torch.tensor([len(e[0]) for e in encoded])
        mask = torch.arange(words.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
        return words, chars, tags, marks, mask

    def _new_net(self, n_intents: int) -> JointNet:
        self._config = {
            "n_words": len(self._words),
            "n_chars": len(self._chars),
            "n_tags": len(self._tags),
            "n_marks": len(self._marks),
            "n_intents": n_intents,
            "n_labels": len(self._labels),
            "hidden": self.hidden,
        }
        return JointNet(**self._config)

    # --- training -------------------------------------------------------------------------

    def _fit(self, data: TrainingData, progress: Progress) -> None:
        torch.set_num_threads(self.threads)
        torch.manual_seed(self.seed)
        rng = random.Random(self.seed)
        self._gazetteer = Gazetteer(data.lookups, data.regexes, data.language, typed=True)
        self._words = {"<pad>": _PAD, "<unk>": _UNK}
        self._chars = {"<pad>": _PAD, "<unk>": _UNK}
        self._tags = {"<pad>": _PAD, "<unk>": _UNK}
        self._marks = {
            m: i for i, m in enumerate(f"{p}|{n}" for n in self._gazetteer.names for p in "BI")
        }
        self._labels = ["O"] + [f"{p}-{e}" for e in data.entities for p in "BI"]
        label_id = {label: i for i, label in enumerate(self._labels)}
        intent_id = {name: i for i, name in enumerate(self.intents)}
        examples = [ex for ex in data.examples if ex.text.strip()]
        rng.shuffle(examples)
        n_dev = len(examples) // 10 if len(examples) >= 300 else 0
        dev, train = examples[:n_dev], examples[n_dev:]
        if len(examples) < _SMALL:
            # short answers get every one-jamo typo ("내" for "네"), as in the n-gram model
            known = {ex.text.strip() for ex in examples}
            train += [
                Example(v, ex.intent)
                for ex in train
                if not ex.entities
                for v in typo_variants(ex.text.strip())
                if v not in known
            ]
        counts: dict[str, int] = {}
        progress(0.0, "encoding")

        def prepare(exs: list[Example], grow: bool) -> list[tuple[Any, ...]]:
            out = []
            for ex in exs:
                toks = tokenize(ex.text)
                if not toks:
                    continue
                if grow:
                    for t in toks:
                        counts[t.text.lower()] = counts.get(t.text.lower(), 0) + 1
                enc = self._encode(ex.text, toks, grow=grow)
                gold = bio_tags(toks, [(e.start, e.end, e.entity) for e in ex.entities])
                labels = torch.tensor([label_id.get(g, 0) for g in gold], dtype=torch.long)
                out.append((enc, labels, intent_id[ex.intent]))
            return out

        train_set = prepare(train, True)
        dev_set = prepare(dev, False)
        singleton_mask = torch.zeros(len(self._words), dtype=torch.bool)
        for w, n in counts.items():
            if n == 1:
                singleton_mask[self._words[w]] = True
        net = self._new_net(len(self.intents))
        crf = net.crf
        crf.constrain(*bio_constraints(self._labels))
        self._net = net
        opt = torch.optim.Adam(net.parameters(), lr=self.lr)
        ce = nn.CrossEntropyLoss(label_smoothing=0.05)
        t0 = time.perf_counter()
        best: tuple[float, dict[str, torch.Tensor]] | None = None
        # small data: smaller batches, so an epoch still makes several updates
        batch_size = min(self.batch_size, max(8, len(train_set) // 10))
        steps_per_epoch = math.ceil(len(train_set) / batch_size)
        for epoch in range(self.epochs):
            net.train()
            # batches of similar length, in random order
            order = sorted(
                range(len(train_set)), key=lambda i: (len(train_set[i][1]), rng.random())
            )
            batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
            rng.shuffle(batches)
            for k, bidx in enumerate(batches):
                words, chars, tags, marks, mask = self._batch([train_set[i][0] for i in bidx])
                # word dropout: rare words become <unk> so the characters carry unseen ones
                drop = singleton_mask[words] & (torch.rand(words.shape) < 0.5)
                words = words.masked_fill(drop, _UNK)
                gold = pad_sequence([train_set[i][1] for i in bidx], batch_first=True)
                intents = torch.tensor([train_set[i][2] for i in bidx])
                logits, emissions = net(words, chars, tags, marks, mask)
                loss = ce(logits, intents) + crf.nll(emissions, gold, mask)
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), 5.0)
                opt.step()
                if k % 20 == 0:
                    done = (epoch + k / max(steps_per_epoch, 1)) / self.epochs
                    progress(min(done, 0.99), f"epoch {epoch + 1}/{self.epochs}")
            for group in opt.param_groups:
                group["lr"] *= 0.92
            if dev_set:
                score = self._dev_score(dev_set)
                if best is None or score >= best[0]:
                    best = (score, {k: v.detach().clone() for k, v in net.state_dict().items()})
            if time.perf_counter() - t0 > self.max_seconds:
                break
        if best is not None:
            net.load_state_dict(best[1])
        net.eval()
        if dev_set:
            self.temperature = self._fit_temperature(dev_set)
        if self.ngram_intents:
            progress(0.99, "n-gram intent model")
            self._ngram = ClassicalEngine.intent_model(data)
        progress(1.0, "done")

    @torch.no_grad()
    def _dev_logits(self, dev_set: list[tuple[Any, ...]]) -> tuple[torch.Tensor, list[bool]]:
        assert self._net is not None
        self._net.eval()
        logits_all, slot_ok = [], []
        for i in range(0, len(dev_set), 64):
            chunk = dev_set[i : i + 64]
            words, chars, tags, marks, mask = self._batch([c[0] for c in chunk])
            logits, emissions = self._net(words, chars, tags, marks, mask)
            logits_all.append(logits)
            for r, c in enumerate(chunk):
                path = self._net.crf.decode(emissions[r, : len(c[1])])
                slot_ok.append(path == c[1].tolist())
        return torch.cat(logits_all), slot_ok

    def _dev_score(self, dev_set: list[tuple[Any, ...]]) -> float:
        logits, slot_ok = self._dev_logits(dev_set)
        return frame_score(logits, torch.tensor([c[2] for c in dev_set]), slot_ok)

    def _fit_temperature(self, dev_set: list[tuple[Any, ...]]) -> float:
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
        words, chars, tags, marks, mask = self._batch([enc])
        logits, emissions = self._net(words, chars, tags, marks, mask)
        probs = torch.softmax(logits[0] / self.temperature, dim=0)
        if self._ngram is not None:
            probs = with_ngram(probs, self._ngram, text, tokens, self.intents)
        top = torch.argsort(probs, descending=True)[:5].tolist()
        ranked = [(self.intents[i], float(probs[i])) for i in top]
        path = self._net.crf.decode(emissions[0])
        token_probs = torch.softmax(emissions[0], dim=1)
        labels = [self._labels[p] for p in path]
        scores = [float(token_probs[i, p]) for i, p in enumerate(path)]
        return ranked, spans_from_tags(tokens, labels, scores)

    # --- persistence ----------------------------------------------------------------------

    def _save(self, path: Path) -> None:
        assert self._net is not None
        torch.save(self._net.state_dict(), path / "joint.pt")
        vocab = {
            "words": self._words,
            "chars": self._chars,
            "tags": self._tags,
            "marks": self._marks,
            "labels": self._labels,
            "config": self._config,
            "temperature": self.temperature,
            "threads": self.threads,
        }
        (path / "joint.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

        with open(path / "gazetteer.pkl", "wb") as f:
            pickle.dump({"gazetteer": self._gazetteer, "ngram": self._ngram}, f)

    def _load(self, path: Path) -> None:

        vocab = json.loads((path / "joint.json").read_text(encoding="utf-8"))
        self._words = vocab["words"]
        self._chars = vocab["chars"]
        self._tags = vocab["tags"]
        self._marks = vocab["marks"]
        self._labels = vocab["labels"]
        self._config = vocab["config"]
        self.temperature = vocab["temperature"]
        self.threads = vocab.get("threads", 2)
        with open(path / "gazetteer.pkl", "rb") as f:
            state = pickle.load(f)  # our own model files only
        self._gazetteer = state["gazetteer"]
        self._ngram = state["ngram"]
        net = JointNet(**self._config)
        state = torch.load(path / "joint.pt", map_location="cpu", weights_only=True)
        net.load_state_dict(state)
        net.eval()
        self._net = net
