"""May this LLM reply be spoken instead of the template? Checks of faithfulness and form."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from dialogue.acts import ActKind, SystemAct
from nlg.checks._en import find_mentions_en
from nlg.checks._ko import find_mentions_ko
from nlg.checks._mention import (
    COUNT,
    DATE,
    NUMBER,
    PHONE,
    PRICE,
    TIME,
    Mention,
    date_matches,
    mentions_compatible,
    normalise_phone,
    time_matches,
)
from nlg.checks._morph import impolite_endings, proper_nouns, sentence_complete_ko
from nlg.checks._nlu import nlu_mentions
from nlg.checks._speech import (
    asks,
    asks_about,
    claims_done,
    closes,
    echoes_caller,
    speaks_as_caller,
)

__all__ = ["CheckResult", "Reason", "check_reply", "find_mentions"]


class Reason:
    """Why a reply was rejected; ``missing:<key>`` and ``slot_not_asked:<slot>`` carry a name."""

    EMPTY = "empty"
    TRUNCATED = "truncated"
    TOO_LONG = "too_long"
    MARKUP = "markup"
    LABEL_LEAK = "label_leak"
    PROMPT_ECHO = "prompt_echo"
    WRONG_LANGUAGE = "wrong_language"
    IMPOLITE = "impolite"
    MISSING = "missing"  # missing:<value key>
    EXTRA_DATE = "extra:date"
    EXTRA_TIME = "extra:time"
    EXTRA_NUMBER = "extra:number"
    EXTRA_PHONE = "extra:phone"
    EXTRA_PRICE = "extra:price"
    EXTRA_NAME = "extra:name"
    CLAIMS_DONE = "claims_done"
    NOT_ASKING = "not_asking"
    SLOT_NOT_ASKED = "slot_not_asked"  # slot_not_asked:<slot>
    NOT_CLOSING = "not_closing"
    ROLE_FLIP = "role_flip"  # speaks as the caller, or asks the caller's question back


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one candidate reply.

    Attributes:
        ok: the reply may be spoken.
        reasons: why not (empty when ``ok``), in a stable order, see :class:`Reason`.
    """

    ok: bool
    reasons: tuple[str, ...] = ()


def find_mentions(text: str, lang: str) -> list[Mention]:
    """Dates, times, counts, numbers, phones and prices in ``text`` (``lang`` ``ko`` or ``en``)."""
    return find_mentions_ko(text) if lang == "ko" else find_mentions_en(text)


def _all_mentions(text: str, lang: str, today: date | None) -> list[Mention]:
    # Where both finders read the same span, the checks' own reading wins (it keeps every
    # reading and the half hour); the NLU parsers add what the own finder did not see at all.
    own = find_mentions(text, lang)
    extra = [
        m
        for m in nlu_mentions(text, lang, today)
        if not any(o.start < m.end and m.start < o.end for o in own)
    ]
    return own + extra


_DEFAULT_MIN_LIMIT = {"ko": 120, "en": 240}
_LABEL = re.compile(
    r"(?:^|(?<=[\s\n.?!]))(?:system|user|assistant|caller|customer|agent|bot|reply|response|"
    r"answer|template|acts?|persona|input|output|context|instructions?|example|note|"
    r"고객|손님|상담원|직원|답변|응답|시스템|템플릿|발화|에이전트|예시)\s*[:：]",
    re.IGNORECASE,
)
_MARKUP = re.compile(
    r"[{}<>\[\]|]|```|\*\*|__|^\s*#|^\s*[-*•]\s|\"\w+\"\s*:|<\|", re.MULTILINE | re.UNICODE
)
_EN_NOT_NAMES = frozenset(
    "I I'm I'll I've I'd OK Okay Mr Mrs Ms Dr AM PM January February March April May June July "
    "August September October November December Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday".split()
)
_ECHO_WINDOW = 20


@dataclass(frozen=True)
class _Value:
    key: str
    value: Any


def _flatten(acts: Sequence[SystemAct]) -> list[_Value]:
    out: list[_Value] = []

    def add(key: str, value: Any) -> None:
        if value is None or isinstance(value, bool):
            return
        if isinstance(value, list | tuple | set | frozenset):
            for v in value:
                add(key, v)
            return
        if isinstance(value, datetime):
            out.append(_Value(key, value.date()))
            out.append(_Value(key, value.time()))
            return
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(_Value(key, value))

    for act in acts:
        for key, value in act.values.items():
            add(key, value)
    return out


def _is_phone(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return len(digits) >= 7 and not re.search(r"[^\d\s+().-]", value)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _script_counts(text: str) -> tuple[int, int, int]:
    hangul = latin = other = 0
    for ch in text:
        o = ord(ch)
        if 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            hangul += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
        elif ch.isalpha():
            name = unicodedata.name(ch, "")
            if name.startswith("LATIN"):
                latin += 1
            else:
                other += 1
    return hangul, latin, other


def _strip_allowed(text: str, allowed: Iterable[str]) -> str:
    for word in sorted({w for w in allowed if w}, key=len, reverse=True):
        text = text.replace(word, " ")
    return text


def _language_ok(text: str, lang: str, allowed_words: set[str]) -> bool:
    # Foreign-script words the template or the values use themselves ("KTX", a Korean name in
    # an English scenario) do not count against the reply; native words are never stripped.
    foreign = {
        w
        for w in allowed_words
        if (_script_counts(w)[0] > 0) == (lang != "ko") or _script_counts(w)[2]
    }
    hangul, latin, other = _script_counts(_strip_allowed(text, foreign))
    if other:
        return False
    if lang == "ko":
        return hangul > 0 and latin <= 0.1 * (hangul + latin)
    return hangul == 0 and latin > 0


def _truncated(text: str, lang: str) -> bool:
    if lang == "ko":
        return not sentence_complete_ko(text)
    return text.rstrip("\"')] ")[-1:] not in (".", "?", "!", "…")


def _text_present(value: str, candidate: str, labels: Sequence[str]) -> bool:
    squashed = _squash(candidate)
    forms = [value, *labels]
    if any(_squash(f) in squashed for f in forms if f):
        return True
    tokens = [t for t in re.split(r"\s+", value.strip()) if len(t) >= 2]
    if len(tokens) > 1 and any(t.casefold() in candidate.casefold() for t in tokens):
        return True  # "Kim Minsu" said as "Mr Kim"
    # A Korean full name said by its given name ("김민수" -> "민수 님").
    return bool(re.fullmatch(r"[가-힣]{3,4}", value)) and value[1:] in candidate


def _echoes(candidate: str, prompt: str, reference: str) -> bool:
    flat = " ".join(candidate.split())
    flat_prompt = " ".join(prompt.split())
    flat_ref = " ".join(reference.split())
    if len(flat) < _ECHO_WINDOW:
        return flat in flat_prompt and flat not in flat_ref and len(flat) >= 12
    for i in range(0, len(flat) - _ECHO_WINDOW + 1, 4):
        window = flat[i : i + _ECHO_WINDOW]
        if window in flat_prompt and window not in flat_ref:
            return True
    return False


def _english_names(text: str) -> list[str]:
    names = []
    for m in re.finditer(r"\b[A-Z][a-z]+(?:'[a-z]+)?\b", text):
        before = text[: m.start()].rstrip(" \"'(")
        if not before or before[-1] in ".?!:;":
            continue  # sentence-initial capital
        if m.group() in _EN_NOT_NAMES:
            continue
        names.append(m.group())
    return names


def _mention_allowed(
    m: Mention,
    values: list[_Value],
    reference: list[Mention],
    numbers: set[int],
    today: date | None,
) -> bool:
    if any(mentions_compatible(m, r) for r in reference):
        return True
    for v in values:
        x = v.value
        if m.kind == DATE and isinstance(x, date) and date_matches(m, x, today):
            return True
        if m.kind == TIME and isinstance(x, time) and time_matches(m, x):
            return True
        if m.kind in (COUNT, NUMBER, PRICE) and isinstance(x, int) and m.number == x:
            return True
        if m.kind == PHONE and isinstance(x, str) and _is_phone(x):
            if m.digits == normalise_phone(x):
                return True
    return m.kind == NUMBER and m.number in numbers


def _value_present(
    v: _Value, mentions: list[Mention], candidate: str, labels: Sequence[str], today: date | None
) -> bool:
    x = v.value
    if isinstance(x, date):
        return any(m.kind == DATE and date_matches(m, x, today) for m in mentions)
    if isinstance(x, time):
        if any(m.kind == TIME and time_matches(m, x) for m in mentions):
            return True
        # A bare hour ("Friday, seven, four people?") says the time without contradicting it.
        hour = x.hour % 12 or 12
        return x.minute == 0 and any(m.kind == NUMBER and m.number == hour for m in mentions)
    if isinstance(x, int):
        return any(m.kind in (COUNT, NUMBER, PRICE) and m.number == x for m in mentions)
    if isinstance(x, str) and _is_phone(x):
        return any(m.kind == PHONE and m.digits == normalise_phone(x) for m in mentions)
    return _text_present(str(x), candidate, labels)


def _value_numbers(values: list[_Value], reference: list[Mention]) -> set[int]:
    numbers: set[int] = set()
    for v in values:
        x = v.value
        if isinstance(x, date):
            numbers.update({x.month, x.day})
        elif isinstance(x, time):
            numbers.update({x.hour, x.hour % 12 or 12, x.minute})
        elif isinstance(x, int):
            numbers.add(x)
    for r in reference:
        numbers |= r.numbers()
    numbers.discard(0)
    return numbers


_EXTRA_REASON = {
    DATE: Reason.EXTRA_DATE,
    TIME: Reason.EXTRA_TIME,
    COUNT: Reason.EXTRA_NUMBER,
    NUMBER: Reason.EXTRA_NUMBER,
    PHONE: Reason.EXTRA_PHONE,
    PRICE: Reason.EXTRA_PRICE,
}


def check_reply(
    candidate: str,
    *,
    acts: Sequence[SystemAct],
    template_text: str,
    lang: str,
    polite: bool = True,
    max_chars: int | None = None,
    labels: Mapping[str, Sequence[str]] | None = None,
    allowed_text: Sequence[str] = (),
    today: date | None = None,
    prompt: str | None = None,
    caller_text: str | None = None,
) -> CheckResult:
    """Decide whether ``candidate`` may be spoken instead of ``template_text``.

    Pure and fast (no model; Korean morphology by kiwipiepy, cached).

    Args:
        candidate: the LLM's reply.
        acts: the system acts the reply words; every value in ``act.values`` must be conveyed.
        template_text: the template's wording of the same acts (the reference: what it states
            may be stated again).
        lang: ``ko`` or ``en``, the scenario's language.
        polite: the persona speaks 존댓말 (Korean): any 반말 ending is rejected.
        max_chars: length limit; ``None`` takes twice the template, at least 120 (ko) or
            240 (en) characters.
        labels: surface forms of category keys (``{"room": ["룸", "방"]}``): a value ``room``
            is conveyed when one of them is said.
        allowed_text: other texts whose facts and names may be said (persona name, business
            name, scenario facts).
        today: the call's date, so that "내일"/"tomorrow" can convey a date value.
        prompt: the prompt the reply came from, to catch it being echoed back.
        caller_text: the caller's last line, to catch its question asked back to them.

    Returns:
        ``CheckResult(ok, reasons)``; reasons are :class:`Reason` codes.
    """
    text = candidate.strip()
    if not text:
        return CheckResult(False, (Reason.EMPTY,))
    reasons: list[str] = []
    labels = labels or {}
    values = _flatten(acts)
    reference_texts = [template_text, *allowed_text]
    reference = [m for t in reference_texts for m in _all_mentions(t, lang, today)]
    str_values = [str(v.value) for v in values if isinstance(v.value, str)]
    label_forms = [form for forms in labels.values() for form in forms]

    # Form: what must never reach a caller's ear.
    if _LABEL.search(text) and not _LABEL.search(template_text):
        reasons.append(Reason.LABEL_LEAK)
    if _MARKUP.search(text):
        reasons.append(Reason.MARKUP)
    if prompt and _echoes(text, prompt, " ".join(reference_texts)):
        reasons.append(Reason.PROMPT_ECHO)
    if _truncated(text, lang):
        reasons.append(Reason.TRUNCATED)
    limit = max_chars or max(2 * len(template_text), _DEFAULT_MIN_LIMIT.get(lang, 240))
    if len(text) > limit:
        reasons.append(Reason.TOO_LONG)

    # Language and persona.
    allowed_words = {
        w for t in [*reference_texts, *str_values, *label_forms] for w in re.findall(r"\w+", t)
    }
    if not _language_ok(text, lang, allowed_words):
        reasons.append(Reason.WRONG_LANGUAGE)
    elif lang == "ko" and polite and impolite_endings(text):
        reasons.append(Reason.IMPOLITE)

    # Faithfulness: every value said, nothing else said.
    mentions = _all_mentions(text, lang, today)
    for v in values:
        key_labels = labels.get(str(v.value), ())
        if not _value_present(v, mentions, text, key_labels, today):
            reasons.append(f"{Reason.MISSING}:{v.key}")
    numbers = _value_numbers(values, reference)
    for m in mentions:
        if not _mention_allowed(m, values, reference, numbers, today):
            reasons.append(_EXTRA_REASON[m.kind])
    known = _squash(" ".join([*reference_texts, *str_values, *label_forms]))
    names = proper_nouns(text) if lang == "ko" else _english_names(text)
    if any(_squash(n) not in known for n in names):
        reasons.append(Reason.EXTRA_NAME)

    # The reply does what its acts do.
    kinds = {a.kind for a in acts}
    if claims_done(text, lang) and not claims_done(template_text, lang):
        reasons.append(Reason.CLAIMS_DONE)
    # A confirmation or a request asks; so does any reply whose template asks (an offer, a
    # greeting): the caller must know it is their turn.
    must_ask = bool(kinds & {ActKind.CONFIRM, ActKind.REQUEST}) or asks(template_text, lang)
    if must_ask and not asks(text, lang):
        reasons.append(Reason.NOT_ASKING)
    for act in acts:
        if act.kind == ActKind.REQUEST and act.slot:
            if not asks_about(text, lang, act.slot, template_text):
                reasons.append(f"{Reason.SLOT_NOT_ASKED}:{act.slot}")
    if ActKind.BYE in kinds and not closes(text, lang):
        reasons.append(Reason.NOT_CLOSING)
    # The agent stays the agent: not the caller's request ("What can you help me with?"),
    # not the caller's own question asked back.
    if (speaks_as_caller(text, lang) and not speaks_as_caller(template_text, lang)) or (
        caller_text and echoes_caller(text, caller_text, lang)
    ):
        reasons.append(Reason.ROLE_FLIP)

    unique = tuple(dict.fromkeys(reasons))
    return CheckResult(not unique, unique)
