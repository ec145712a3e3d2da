"""Training examples for the tuned generator, from public intent and paraphrase data.

Reads the data from ``--data`` (default ``$GENERATOR_TRAIN_DATA`` or ``/work/data``), laid out as

- ``clinc/data_full.json``: CLINC150 (github.com/clinc/oos-eval, ``data/data_full.json``);
- ``hwu64/trainset/*.csv``: HWU64 (github.com/xliuhw/NLU-Evaluation-Data,
  ``CrossValidation/autoGeneFromRealAnno/autoGene_2018_03_22-13_01_25_169/CrossValidation/KFold_1/trainset``);
- ``parakqc/paraKQC_v1.txt``: paraKQC (github.com/warnikchow/paraKQC, ``data/paraKQC_v1.txt``);
- ``sgd/train/schema.json`` and ``sgd/train/dialogues_*.json``: the SGD *train* split
  (github.com/google-research-datasets/dstc8-schema-guided-dialogue, ``train/``).

SNIPS and ATIS are never read: they are the reported benchmarks. Writes JSONL lines
``{"task", "prompt", "target"}`` whose prompts are exactly those of :mod:`nlg.llm._tuned`:

- ``utterances``: description [+ slot names] -> 3-5 ``- `` lines with ``{slot}`` blanks
  (SGD intent descriptions; HWU64 and CLINC150 intent names as descriptions; paraKQC: one
  paraphrase stands for the intent, in Korean);
- ``reword``: a line -> another line of the same intent with *the same values* and the same
  sentence kind (SGD system turns with equal act and slot sets, filled with one set of values;
  paraKQC paraphrases in 존댓말 that share every number).

    python -m tools.train_generator.data --out /work/data/generator/train.jsonl
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import random
import re
from collections import defaultdict
from collections.abc import Iterator

from nlg.llm._tuned import reply_prompt, utterance_prompt

DATA = os.environ.get("GENERATOR_TRAIN_DATA", "/work/data")
PERSONAS = {
    "en": ["polite phone agent", "friendly receptionist", "calm, concise assistant"],
    "ko": ["친절한 전화 상담원", "차분한 안내원", "밝은 예약 담당자"],
}


def _targets(lines: list[str]) -> str:
    return " " + "\n- ".join(lines) + "\n\n"


# ------------------------------------------------------------------------------- sources


Groups = dict[str, tuple[str, list[str]]]


def sgd(root: str) -> tuple[Groups, dict[str, list[tuple[str, dict[str, str]]]], Groups]:
    """SGD train: user templates, system (template, values) pairs, and the user lines as said.

    Returns intent -> (description, user templates); act key -> system (template, values);
    intent -> (description, the user lines as said, values and all).
    """
    schema = json.load(open(os.path.join(root, "sgd/train/schema.json"), encoding="utf-8"))
    desc = {
        f"{s['service_name']}:{i['name']}": i["description"] for s in schema for i in s["intents"]
    }
    user: Groups = {}
    said: Groups = {}
    system: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for f in sorted(glob.glob(os.path.join(root, "sgd/train/dialogues_*.json"))):
        try:
            dialogues = json.load(open(f, encoding="utf-8"))
        except json.JSONDecodeError:
            print(f"skipped {f}: not whole JSON (fetch it again)")
            continue
        for d in dialogues:
            for turn in d["turns"]:
                text = turn["utterance"]
                for fr in turn["frames"]:
                    spans = sorted(fr.get("slots", []), key=lambda s: s["start"])
                    tpl, pos, values = "", 0, {}
                    for s in spans:
                        if s["start"] < pos:
                            break
                        tpl += text[pos : s["start"]] + "{" + s["slot"] + "}"
                        values[s["slot"]] = text[s["start"] : s["exclusive_end"]]
                        pos = s["exclusive_end"]
                    else:
                        tpl += text[pos:]
                        if turn["speaker"] == "USER":
                            acts = {a["act"] for a in fr["actions"]}
                            intent = fr["state"].get("active_intent")
                            if "INFORM_INTENT" in acts and intent and intent != "NONE":
                                key = f"{fr['service']}:{intent}"
                                if key in desc:
                                    user.setdefault(key, (desc[key], []))[1].append(tpl)
                                    said.setdefault(key, (desc[key], []))[1].append(text)
                        elif values:
                            acts_key = "|".join(
                                sorted(f"{a['act']}:{a['slot']}" for a in fr["actions"])
                            )
                            system[
                                f"{fr['service'].split('_')[0]}|{acts_key}|{','.join(sorted(values))}"
                            ].append((tpl, values))
    return user, system, said


def hwu(root: str) -> tuple[Groups, Groups]:
    """HWU64 train fold: intent -> (description from its name, templates).

    And the same with the lines as said (values in place of the blanks).
    """
    out: Groups = {}
    said: Groups = {}
    for f in sorted(glob.glob(os.path.join(root, "hwu64/trainset/*.csv"))):
        with open(f, encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter=";"):
                scen, intent = row["scenario"], row["intent"]
                tpl = re.sub(r"\[(\w+)\s*:\s*[^\]]*\]", r"{\1}", row["answer_annotation"])
                if "[" in tpl or "]" in tpl:
                    continue
                words = intent.replace("_", " ")
                d = f"The user wants to {words} ({scen.replace('_', ' ')})."
                out.setdefault(f"{scen}_{intent}", (d, []))[1].append(tpl.strip())
                text = re.sub(r"\[(\w+)\s*:\s*([^\]]*)\]", r"\2", row["answer_annotation"])
                said.setdefault(f"{scen}_{intent}", (d, []))[1].append(" ".join(text.split()))
    return out, said


def clinc(root: str) -> dict[str, tuple[str, list[str]]]:
    """CLINC150 train: intent -> (description from its name, utterances)."""
    data = json.load(open(os.path.join(root, "clinc/data_full.json"), encoding="utf-8"))
    out: dict[str, tuple[str, list[str]]] = {}
    for text, intent in data["train"]:
        d = f"The user's request: {intent.replace('_', ' ')}."
        out.setdefault(intent, (d, []))[1].append(text)
    return out


def parakqc(root: str) -> list[list[str]]:
    """paraKQC: groups of ten Korean paraphrases (one intent each)."""
    rows = [
        line.rstrip("\n").split("\t")[-1].strip()
        for line in open(os.path.join(root, "parakqc/paraKQC_v1.txt"), encoding="utf-8")
    ]
    return [rows[i : i + 10] for i in range(0, len(rows) - 9, 10)]


# ------------------------------------------------------------------------------- examples


def _fill(tpl: str, values: dict[str, str]) -> str | None:
    try:
        return tpl.format(**values)
    except (KeyError, IndexError, ValueError):
        return None


def utterance_examples(root: str, rng: random.Random) -> Iterator[dict[str, str]]:
    """Description -> utterances, several draws per intent."""
    user, _, user_said = sgd(root)
    hwu_tpl, hwu_said = hwu(root)
    groups: list[tuple[str, list[str], str, int]] = []
    groups += [(d, ts, "en", 6) for d, ts in user.values()]
    groups += [(d, ts, "en", 6) for d, ts in hwu_tpl.values()]
    groups += [(d, ts, "en", 3) for d, ts in clinc(root).values()]
    # The same intents as said, under "slots: none": with no slot to fill, the lines carry
    # their own words, never a {blank} (an adapter that wrote blanks for a domain without
    # slot values lost every line of SNIPS GetWeather to unknown_slot).
    groups += [(d, ts, "en", 2) for d, ts in [*user_said.values(), *hwu_said.values()]]
    all_slots = sorted({s for _, ts, _, _ in groups for t in ts for s in re.findall(r"{(\w+)}", t)})
    for d, ts, lang, draws in groups:
        ts = sorted({t for t in ts if 2 <= len(t) <= 110})
        if len(ts) < 3:
            continue
        for _ in range(draws):
            pick = rng.sample(ts, min(len(ts), rng.randint(3, 5)))
            slots = sorted({s for t in pick for s in re.findall(r"{(\w+)}", t)})
            slots += rng.sample(all_slots, rng.randint(0, 2)) if slots else []
            rng.shuffle(slots)
            yield {
                "task": "utterances",
                "prompt": utterance_prompt(d, dict.fromkeys(slots), lang),
                "target": _targets(pick),
            }
    for group in parakqc(root):
        for _ in range(2):
            head, *rest = rng.sample(group, len(group))
            d = f"'{head}'와 같은 뜻으로 하는 말"
            pick = rest[: rng.randint(3, 5)]
            yield {
                "task": "utterances",
                "prompt": utterance_prompt(d, [], "ko"),
                "target": _targets(pick),
            }


_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve "
    "하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열 한 두 세 네"
).split()
_POLITE_END = re.compile(r"(요|니다|니까|세요|죠|시오)$")
_NEGATION = re.compile(r"\b(?:not|never|no longer)\b|n't\b|(?:^|\s)(?:안|못)\s|지\s?(?:않|마|말)")
_BANMAL = re.compile(r"(^|\s)(너|너는|너의|네가|니가|나|나는|내가|내|날|나한테|너한테|야)(\s|$)")


def _numbers(text: str) -> list[str]:
    """The digits and number words of a line: a rewording must keep every one."""
    words = re.findall(r"\d+|[A-Za-z가-힣]+", text.lower())
    return sorted(w for w in words if w.isdigit() or w in _NUMBER_WORDS)


def _same_kind(a: str, b: str) -> bool:
    """Both questions or both not: a rewording keeps what the line asks."""
    return a.rstrip().endswith("?") == b.rstrip().endswith("?")


def polite_korean(text: str) -> bool:
    """A line an agent could say: a 존댓말 ending and no 반말 pronoun (나, 너, 네가...)."""
    end = re.sub(r"[\s.?!~]+$", "", text)
    return bool(_POLITE_END.search(end)) and not _BANMAL.search(text)


def _bigrams(text: str) -> set[str]:
    letters = re.sub(r"\s+", "", text.lower())
    return {letters[i : i + 2] for i in range(len(letters) - 1)}


def closeness(a: str, b: str) -> float:
    """Character-bigram Jaccard of two lines (spaces and case aside)."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / max(1, len(x | y))


def keeps_meaning(a: str, b: str, *, close: float = 0.3) -> bool:
    """A pair fit to teach rewording: the same numbers, sentence kind and negation, and close.

    ``close``: the least character-bigram overlap. paraKQC's and SGD's far paraphrases (a
    statement of failure beside an offer, "언제 저녁 먹는다고 하셨어요?" beside a lecture on
    sales) taught the adapter to drift from the line it rewords.
    """
    return (
        a != b
        and _numbers(a) == _numbers(b)
        and _same_kind(a, b)
        and bool(_NEGATION.search(a)) == bool(_NEGATION.search(b))
        and closeness(a, b) >= close
    )


def reword_examples(root: str, rng: random.Random) -> Iterator[dict[str, str]]:
    """A line an agent says -> another line of the same meaning with the same values.

    English: SGD *system* turns with the same acts and slots (agent-side lines), filled with
    one set of values. Korean: paraKQC paraphrases, both in 존댓말 (a 반말 target taught the
    adapter to answer callers in 반말). Either way a pair whose numbers or sentence kind differ
    (SGD's unannotated counts: "3 rooms" beside "2 rooms") is left out: it taught dropping and
    changing values.
    """
    _, system, _ = sgd(root)
    pools = [(k, v) for k, v in system.items() if len({t for t, _ in v}) >= 2]
    for _key, items in pools:
        for _ in range(min(4, len(items) // 2)):
            (ta, va), (tb, _vb) = rng.sample(items, 2)
            a, b = _fill(ta, va), _fill(tb, va)
            if a and b and keeps_meaning(a, b):
                persona = rng.choice(PERSONAS["en"])
                yield {
                    "task": "reword",
                    "prompt": reply_prompt(a, "en", persona),
                    "target": " " + b + "\n",
                }
    for group in parakqc(root):
        polite = [s for s in group if polite_korean(s)]
        if len(polite) < 2:
            continue
        seen: set[tuple[str, str]] = set()
        for _ in range(6):
            a, b = rng.sample(polite, 2)
            if (a, b) in seen or not keeps_meaning(a, b):
                continue
            seen.add((a, b))
            persona = rng.choice(PERSONAS["ko"])
            yield {
                "task": "reword",
                "prompt": reply_prompt(a, "ko", persona),
                "target": " " + b + "\n",
            }


def main(argv: list[str] | None = None) -> None:
    """Write the examples (command line)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DATA, help="where the fetched data sets are (see above)")
    ap.add_argument("--out", default=os.path.join(DATA, "generator", "train.jsonl"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    for need in (
        "clinc/data_full.json",
        "hwu64/trainset",
        "parakqc/paraKQC_v1.txt",
        "sgd/train/schema.json",
    ):
        if not os.path.exists(os.path.join(args.data, need)):
            raise SystemExit(
                f"missing {os.path.join(args.data, need)}: fetch it as this module's docstring says"
            )
    rng = random.Random(args.seed)
    rows = list(utterance_examples(args.data, rng)) + list(reword_examples(args.data, rng))
    rng.shuffle(rows)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["task"] + ":" + r["prompt"].split("\n")[1]] += 1
    print(f"{len(rows)} examples -> {args.out}: {dict(counts)}")


if __name__ == "__main__":
    main()
