"""Utterances from an intent's description, with slot annotations exact by construction.

A *frame* is an utterance with ``{slot}`` placeholders (``{date} {time}에 {party_size} 예약하고
싶어요``, ``add {artist} to {playlist}``). Filling a frame puts a typed value into each
placeholder and writes the annotation around exactly the words put in
(:func:`authoring.templates.fill_template`: Korean particles agree, English a/an too), so a
generated utterance never teaches the tagger a wrong span.

Frames come from:

- the description, read by a small pattern grammar per language: "The caller wants to VP",
  "asks about NP", "asks whether they can VP", "looks for NP", "gives NP" (English);
  "…하려는 발화", "…지 묻는 발화", "…을 묻는 발화", "…고 싶다는 발화", "…해 달라는 발화"
  (Korean); lists ("a song, an artist or an album", "영업시간이나 쉬는 날") give one frame
  per item; ``{slot}`` placeholders written in the description are kept;
- the slots of the intent's task (a booking intent gets ``{date}``, ``{time}``, ...
  before the Korean verb, after the English one), and answer intents ("only gives booking
  details", "질문에 대한 대답") get bare answers of every slot;
- stock dialogue acts by intent name (``affirm``, ``deny``, ``repeat``, ``human``,
  ``goodbye``, ``out_of_scope``, ``greet``, ``thanks``), written by hand per language;
- any other source of ``{slot}`` templates (an LLM), through :func:`fill_frames`.

Values: the scenario's category synonyms, the values listed for a slot with the description
(``slot_examples``), the values already annotated in examples, and for typed slots
(``date``, ``time``, ``count``, ``phone``, ``name``) built-in values the typed parsers read.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

from authoring.candidates import Candidate
from authoring.domain import AuthoringDomain
from authoring.korean import attach, has_final
from authoring.templates import PLACEHOLDER, fill_template

__all__ = [
    "FRAME_GENERATOR",
    "STOCK",
    "TYPED_VALUES",
    "description_frames",
    "fill_frames",
    "frame_candidates",
    "frame_values",
    "ko_sentence",
]

FRAME_GENERATOR = "frames"

#: values the typed parsers read, per slot type and language (surface text, no canonical value)
TYPED_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "date": {
        "en": ("tomorrow", "today", "Friday", "next Saturday", "this Sunday", "December 3rd",
               "the day after tomorrow", "next Monday"),
        "ko": ("내일", "오늘", "모레", "이번 주 금요일", "다음 주 토요일", "12월 3일", "토요일",
               "다음 주 월요일"),
    },
    "time": {
        "en": ("7 pm", "noon", "6:30 pm", "8 pm", "7:30", "1 pm", "half past six"),
        "ko": ("저녁 7시", "오후 1시", "7시 반", "여덟 시", "저녁 6시", "오후 2시", "12시"),
    },
    "count": {
        "en": ("four", "two", "6", "three people", "five", "eight people"),
        "ko": ("4명", "두 명", "세 명", "다섯 명", "여섯 명", "두 사람", "세 분"),
    },
    "phone": {
        "en": ("555-123-4567", "555 987 6543"),
        "ko": ("010-1234-5678", "010 9876 5432"),
    },
    "name": {
        "en": ("Alex Kim", "Maria Lopez", "John Park", "Sam Lee"),
        "ko": ("김민수", "이지은", "박서준", "최유나"),
    },
}  # fmt: skip

#: stock dialogue acts by intent name: what every call agent hears, written by hand
STOCK: dict[str, dict[str, tuple[str, ...]]] = {
    "affirm": {
        "en": ("yes", "yeah", "yes please", "that's right", "correct", "sure", "okay",
               "yes that's correct", "sounds great", "yep", "right", "absolutely"),
        "ko": ("네", "예", "응", "맞아요", "예 그렇습니다", "그래요", "좋아요", "네 좋아요", "넵",
               "그렇게 해 주세요", "네 그렇게 할게요", "맞습니다"),
    },
    "deny": {
        "en": ("no", "nah", "no thanks", "that's wrong", "not really", "no that's not it",
               "no it isn't", "incorrect", "no I don't"),
        "ko": ("아니요", "아뇨", "아니에요", "아니", "틀렸어요", "그게 아니에요", "아니요 괜찮아요",
               "없어요", "아니요 다른 거요"),
    },
    "repeat": {
        "en": ("sorry?", "say that again", "can you repeat that", "what was that",
               "pardon", "I didn't catch that", "could you say it again please"),
        "ko": ("네?", "뭐라고요", "다시 말씀해 주세요", "잘 못 들었어요", "한 번 더 말해 주세요",
               "다시요", "방금 뭐라고 하셨어요"),
    },
    "human": {
        "en": ("can I talk to a person", "a real person please", "put me through to someone",
               "I want to speak to a human", "let me talk to the manager", "an agent please",
               "transfer me to a staff member"),
        "ko": ("상담원 연결해 주세요", "사람이랑 통화하고 싶어요", "직원 바꿔 주세요",
               "담당자 연결해 주세요", "사람 바꿔 줘요", "매니저님 연결해 주세요", "상담원이요"),
    },
    "goodbye": {
        "en": ("bye", "bye bye", "thanks bye", "that's all thank you", "have a nice day",
               "see you", "I'm going to hang up"),
        "ko": ("끊을게요", "안녕히 계세요", "수고하세요", "감사합니다 끊을게요", "이만 끊겠습니다",
               "네 들어가세요", "됐어요 고마워요"),
    },
    "greet": {
        "en": ("hello", "hi", "hi there", "good morning", "hello is this"),
        "ko": ("여보세요", "안녕하세요", "네 여보세요", "여보세요 안녕하세요"),
    },
    "thanks": {
        "en": ("thank you", "thanks a lot", "many thanks", "I appreciate it"),
        "ko": ("감사합니다", "고마워요", "고맙습니다", "감사해요"),
    },
    "out_of_scope": {
        "en": ("what's the weather like", "tell me a joke", "play some music",
               "call me a taxi", "what's the score of the game", "I want to buy shoes",
               "how do I reset my password", "what's the news today", "order me a pizza",
               "how much is bitcoin"),
        "ko": ("날씨 어때요", "농담 하나 해 주세요", "음악 틀어 주세요", "택시 불러 주세요",
               "야구 점수 알려 주세요", "신발 사고 싶어요", "비밀번호 바꾸는 법 알려 주세요",
               "오늘 뉴스 뭐예요", "피자 주문해 주세요", "환율 얼마예요"),
    },
}  # fmt: skip

# --- English ------------------------------------------------------------------------------

_EN_SUBJECT = re.compile(
    r"^(?:the |a )?(?:user|caller|customer|person|client|patient|guest|speaker)\s+"
    r"(?:only\s+)?",
    re.IGNORECASE,
)
_EN_PREP = {"to", "at", "in", "on", "for", "from", "with", "by", "about", "of", "into", "near"}
_EN_WANT = ("I want to {}", "I'd like to {}", "can you {}", "please {}", "{}", "I need to {}",
            "could you {} please", "can I {}", "I would like to {}", "{} please")  # fmt: skip
_EN_ASK = ("what about {}", "tell me about {}", "I have a question about {}", "{}?",
           "can you tell me about {}", "I'd like to know about {}", "a question about {}",
           "how about {}", "do you have {}")  # fmt: skip
_EN_ASK_FOR = ("{}", "what is {}", "tell me {}", "give me {}", "I need {}", "what's {}",
               "can you check {}", "show me {}", "I want {}")  # fmt: skip
_EN_CAN = ("can I {}", "is it ok to {}", "could I {}", "may I {}", "am I allowed to {}",
           "is it possible to {}", "can we {}", "is it fine if I {}")  # fmt: skip
_EN_WILL = ("will it {}", "is it going to {}", "is it gonna {}", "will it {} or not")
_EN_REQUEST = ("please {}", "can you {}", "could you {}", "would you {}", "{} please", "{}")
_EN_FIND = ("find {}", "I'm looking for {}", "search for {}", "look for {}",
            "where can I find {}", "show me {}", "can you find {}", "I need {}")  # fmt: skip
_EN_ANSWER = ("{}", "{} please", "it's {}", "make it {}", "{}, please", "um {}")
_EN_SLOT_PHRASE = {"date": "{}", "time": "at {}", "count": "for {}", "category": "{}"}
_KO_ANSWER = ("{}이요", "{}입니다", "{}으로 해 주세요", "{}으로 할게요", "{}", "음 {}이요")
_KO_SLOT_PHRASE = {"date": "{}", "time": "{}에", "count": "{}", "category": "{}으로"}


def _en_pronouns(text: str) -> str:
    repl = {"their": "my", "they": "I", "themselves": "myself", "his": "my", "her": "my"}
    return " ".join(repl.get(w.lower(), w) for w in text.split())


def _en_base(verb: str) -> str:
    v = verb.lower()
    if v in ("has", "is", "does", "goes"):
        return {"has": "have", "is": "be", "does": "do", "goes": "go"}[v]
    if v.endswith("ies") and len(v) > 4:
        return v[:-3] + "y"
    if re.search(r"(?:ch|sh|ss|x|z)es$", v):
        return v[:-2]
    if v.endswith("s") and not v.endswith("ss"):
        return v[:-1]
    return v


def _alternatives(phrase: str, prepositions: set[str] = _EN_PREP) -> list[str]:
    """``add a song, an artist or an album to a playlist`` -> one phrase per list item.

    The last item runs from ``or``/``and`` to the next preposition, comma or the end; items
    between commas are what the commas delimit; the first item is as long (in words) as the
    item after it.
    """
    words = phrase.split()
    for k, w in enumerate(words):
        if w not in ("or", "and") or k == 0:
            continue
        end = k + 1
        while end < len(words) and words[end] not in prepositions:
            end += 1
            if words[end - 1].endswith(","):
                break
        last = [x.rstrip(",") for x in words[k + 1 : end]]
        if not last:
            continue
        commas = [i for i in range(k) if words[i].endswith(",")]
        items: list[list[str]] = []
        stop = k
        for c in reversed(commas):
            items.insert(0, [x.rstrip(",") for x in words[c + 1 : stop]])
            stop = c + 1
        size = len(items[0]) if items else len(last)
        start = max(0, stop - size)
        items.insert(0, [x.rstrip(",") for x in words[start:stop]])
        head, tail = words[:start], words[end:]
        out: list[str] = []
        for item in [*items, last]:
            out.extend(_alternatives(" ".join([*head, *item, *tail]), prepositions))
        return list(dict.fromkeys(out))
    if ", " in phrase:  # "bringing their own wine, corkage": a list without a conjunction
        return [p.strip() for p in phrase.split(", ") if p.strip()]
    return [phrase]


def _en_frames(sentence: str) -> list[str]:
    s = re.sub(r"\([^)]*\)", "", sentence).strip().rstrip(".!?").strip()
    m = _EN_SUBJECT.match(s)
    if not m:
        return []
    rest = s[m.end() :]
    patterns: tuple[str, ...]
    for lead, pats in (
        (r"(?:wants|would like|needs|tries|is trying|is calling) to ", _EN_WANT),
        (r"asks (?:the agent|you|us|someone) to ", _EN_REQUEST),
        (r"asks to ", _EN_WANT),
        (r"asks (?:whether|if) (?:they|he|she|one|I) (?:can|could|may) ", _EN_CAN),
        (r"asks (?:whether|if) it will ", _EN_WILL),
        (r"asks about ", _EN_ASK),
        (r"asks for ", _EN_ASK_FOR),
        (r"(?:looks|searches|is looking) for ", _EN_FIND),
    ):
        mm = re.match(lead, rest, re.IGNORECASE)
        if mm:
            body, patterns = rest[mm.end() :], pats
            break
    else:
        verb, _, obj = rest.partition(" ")
        if not obj or not verb.lower().endswith("s"):
            return []
        body, patterns = f"{_en_base(verb)} {obj}", _EN_WANT
    out = []
    for alt in _alternatives(_en_pronouns(body)):
        out += [p.format(alt) for p in patterns]
    return out


# --- Korean -------------------------------------------------------------------------------

_HANGUL0 = 0xAC00


def _compose(text: str, final: int) -> str:
    """``text`` with the last syllable's final consonant set to ``final`` (ㄹ = 8, ㄴ = 4)."""
    ch = text[-1]
    if not ("가" <= ch <= "힣") or (ord(ch) - _HANGUL0) % 28:
        return ""
    return text[:-1] + chr(ord(ch) + final)


def _pp(word: str, particle: str) -> str:
    """``word`` followed by ``particle`` in the form that agrees with it."""
    return word + attach(word, particle)


def _ko_eo(stem: str) -> str:
    """The 아/어 form of a verb stem: 하 -> 해, 바꾸 -> 바꿔, 되 -> 돼, 가 -> 가."""
    last = stem[-1]
    table = {"하": "해", "되": "돼", "주": "줘", "두": "둬", "보": "봐", "오": "와", "이": "여",
             "리": "려", "시": "셔", "기": "겨", "지": "져", "치": "쳐", "우": "워", "꾸": "꿔"}  # fmt: skip
    if last in table:
        return stem[:-1] + table[last]
    if not has_final(last):
        return stem  # 가, 서, 내: the stem is the form
    return stem + ("아" if (ord(last) - _HANGUL0) // 588 in (0, 8) else "어")


def _ko_l(stem: str) -> str:
    """The ㄹ form: 하 -> 할, 바꾸 -> 바꿀, 먹 -> 먹을."""
    return _compose(stem, 8) or stem + "을"


def _ko_ryeo(stem: str) -> str:
    return stem + ("려" if not has_final(stem[-1]) or stem.endswith(("ㄹ",)) else "으려")


_KO_PARTICLE = re.compile(
    r"(이나|에서|으로|이랑|까지|부터|이|가|을|를|은|는|의|에|와|과|나|로|도)$"
)


def _ko_bare(word: str) -> str:
    """A noun without its particle: 자리를 -> 자리, 영업시간이나 -> 영업시간."""
    stripped = _KO_PARTICLE.sub("", word)
    return stripped or word


def _ko_split_alts(text: str) -> list[str]:
    """Korean list items, each with the last item's particle and predicate.

    ``영업시간이나 쉬는 날을`` -> [영업시간을, 쉬는 날을]; ``와인이나 술을 가져가도 되`` ->
    [와인을 가져가도 되, 술을 가져가도 되].
    """
    parts = re.split(r",\s*|(?<=[가-힣])(?:이나|나|와|과|이랑|랑)\s+", text)
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) < 2:
        return [text]
    last = parts[-1].split()
    k = next((i for i, w in enumerate(last) if re.search(r"[가-힣](?:을|를|이|가)$", w)), None)
    if k is not None:
        particle = last[k][-1]
        tail = " ".join(last[k + 1 :])
    else:
        m = _KO_PARTICLE.search(last[-1])
        particle, tail = (m.group(1) if m else ""), ""
    base = {"가": "이", "를": "을", "는": "은", "와": "과"}.get(particle, particle)
    out = []
    for p in parts[:-1]:
        if particle and not _KO_PARTICLE.search(p):
            p = _pp(p, base)
        out.append(f"{p} {tail}".strip())
    out.append(parts[-1])
    return out


def _ko_want(pre: str, stem: str) -> list[str]:
    obj = pre.split()[-1] if pre.split() else ""
    noun = stem[:-1] if stem.endswith("하") and len(stem) > 1 else ""
    forms = [
        f"{stem}고 싶어요", f"{stem}고 싶은데요", f"{_ko_ryeo(stem)}고요",
        f"{_ko_ryeo(stem)}고 전화했어요", f"{_ko_l(stem)}게요", f"{_ko_eo(stem)} 주세요",
        f"{_ko_l(stem)} 수 있나요", f"{_ko_l(stem)} 수 있을까요", f"{stem}고 싶습니다",
    ]  # fmt: skip
    out = [f"{obj} {f}" if obj and i % 2 == 0 else f for i, f in enumerate(forms)]
    if noun:
        out += [f"{noun} 부탁드려요", _pp(noun, "이요"), f"{noun} 좀 할게요",
                f"{noun} 가능한가요", f"{noun} 되나요", f"{noun} 좀 해 주세요"]  # fmt: skip
        if obj:
            out += [f"{_ko_bare(obj)} {noun}하고 싶어요", f"{_ko_bare(obj)} {noun} 돼요?"]
    return out


def _ko_can(clause: str) -> list[str]:
    out = []
    for c in _ko_split_alts(clause):
        for variant in dict.fromkeys([c, re.sub(r"(?<=[가-힣])[이가을를] ", " ", c)]):
            if not variant:
                continue
            out += [f"{variant}나요", f"{_ko_eo(variant)}요?", f"{_ko_l(variant)}까요?",
                    f"{variant}는지 궁금해요", f"혹시 {variant}나요"]  # fmt: skip
    return out


def _ko_ask(np_text: str) -> list[str]:
    out = []
    for alt in _ko_split_alts(np_text):
        n = _ko_bare(alt.split()[-1]) if alt.split() else alt
        n = " ".join([*alt.split()[:-1], n])
        out += [f"{_pp(n, '이')} 어떻게 돼요", f"{n} 알려 주세요", f"{n} 궁금해요",
                f"{n} 있어요?", f"{_pp(n, '은')} 어때요", f"{n} 좀 물어볼게요", f"{n} 문의요",
                f"{_pp(n, '이요')}?"]  # fmt: skip
    return out


def _ko_frames(description: str) -> list[str]:
    d = re.sub(r"\([^)]*\)", "", description).strip().rstrip(".")
    d = re.sub(r"\s*(?:발화|말|답|대답|인사|질문|요청)$", "", d).strip()
    m = re.match(r"^(.*?)(\S+?)(?:하)?(?:려는|고자 하는|고 싶다는|고 싶어 하는)$", d)
    if m and not d.endswith("묻는"):
        pre = m.group(1).strip()
        word = m.group(2)
        stem = word if d[m.end(2) : m.end(2) + 1] != "하" else word + "하"
        if re.search(r"(?:려는|고자 하는)$", d) and d[: -len("려는")].endswith("하"):
            stem = d[: -len("려는")].split()[-1]
        elif d.endswith("고 싶다는") or d.endswith("고 싶어 하는"):
            stem = d.rsplit("고 싶", 1)[0].split()[-1]
        out = []
        for alt in _ko_split_alts(pre) if pre else [""]:
            out += _ko_want(alt, stem)
        return out
    m = re.match(r"^(.*?)(?:는지|은지|ㄴ지|지),?\s*(.*?)묻는$", d)
    if m:
        clause = m.group(1).strip()
        rest = m.group(2).strip()
        if clause and "가" <= clause[-1] <= "힣" and (ord(clause[-1]) - _HANGUL0) % 28 == 4:
            clause = clause[:-1] + chr(ord(clause[-1]) - 4)  # 가능한(지) -> 가능하
        out = _ko_can(clause)
        if rest:
            out += _ko_ask(rest)
        return out
    m = re.match(r"^(.*?)(?:을|를)?\s*묻는$", d)
    if m and m.group(1).strip():
        return _ko_ask(m.group(1).strip())
    m = re.match(r"^(.*?)(?:해|어|아)?\s*달라는$", d)
    if m and m.group(1).strip():
        base = m.group(1).strip()
        stem = base if base.endswith(("해", "줘")) else base + "해"
        return [f"{stem} 주세요", f"{stem} 주실래요", f"{stem} 줄 수 있어요?", f"{stem} 줘요",
                f"{stem} 주시겠어요", f"좀 {stem} 주세요"]  # fmt: skip
    return []


# --- frames of an intent ------------------------------------------------------------------

_ANSWER = re.compile(
    r"only (?:gives|says|tells)|an answer|answers? to|대답|만 말하는|에 대한 답", re.IGNORECASE
)
_TYPED = ("date", "time", "count", "phone", "name")


def _is_answer(description: str) -> bool:
    return bool(_ANSWER.search(description))


def description_frames(description: str, language: str) -> list[str]:
    """Frames (``{slot}`` templates or plain utterances) the description's wording gives."""
    out: list[str] = []
    if language == "ko":
        for part in re.split(r"[.\n]+", description):
            if part.strip():
                out += _ko_frames(part)
    else:
        for sentence in re.split(r"(?<=[.!?])\s+|\n", description):
            if sentence.strip():
                out += _en_frames(sentence)
    return list(dict.fromkeys(f.strip() for f in out if f.strip()))


def _slot_kind(slot_type: str) -> str:
    return slot_type if slot_type in ("date", "time", "count") else "category"


def _with_slots(frames: list[str], slots: Sequence[str], domain: AuthoringDomain,
                rng: random.Random) -> list[str]:  # fmt: skip
    """Frames with some of the task's slots said in them (before the Korean verb)."""
    usable = [s for s in slots if domain.slot_types.get(s) in ("date", "time", "count", "category")]
    out = []
    for f in frames:
        if "{" in f or not usable or rng.random() < 0.4:
            continue
        chosen = [s for s in usable if rng.random() < 0.5] or [rng.choice(usable)]
        if domain.language == "ko":
            phrase = " ".join(
                _KO_SLOT_PHRASE[_slot_kind(domain.slot_types[s])].format("{" + s + "}")
                for s in chosen
            )
            out.append(f"{phrase} {f}")
        else:
            phrase = " ".join(
                _EN_SLOT_PHRASE[_slot_kind(domain.slot_types[s])].format("{" + s + "}")
                for s in chosen
            )
            out.append(f"{f.rstrip('?')} {phrase}")
    return out


def _answer_frames(domain: AuthoringDomain, rng: random.Random) -> list[str]:
    slots = [s for s, t in domain.slot_types.items() if t not in ("yesno", "text")]
    pats = _KO_ANSWER if domain.language == "ko" else _EN_ANSWER
    phrase = _KO_SLOT_PHRASE if domain.language == "ko" else _EN_SLOT_PHRASE
    out = []
    for s in slots:
        t = domain.slot_types[s]
        if domain.language == "ko" and t == "category" and _fragmentary(domain, s):
            out += [_KO_CATEGORY_ANSWER] * 3
            continue
        out += [p.format("{" + s + "}") for p in pats]
    combinable = [s for s in slots if domain.slot_types[s] in ("date", "time", "count")]
    for _ in range(len(combinable)):
        if len(combinable) >= 2:
            a, b = sorted(rng.sample(combinable, 2), key=combinable.index)
            ka, kb = _slot_kind(domain.slot_types[a]), _slot_kind(domain.slot_types[b])
            text = f"{phrase[ka].format('{' + a + '}')} {phrase[kb].format('{' + b + '}')}"
            out.append(text + ("이요" if domain.language == "ko" else ""))
    return out


_KO_CATEGORY_ANSWER = "{_category}"
#: stock intents whose descriptions say nothing a caller says ("Yes.", "The caller ends the call.")
_STOCK_ONLY = {"affirm", "deny", "goodbye", "out_of_scope", "greet", "thanks"}


def _fragmentary(domain: AuthoringDomain, slot: str) -> bool:
    """Whether a Korean category's synonyms are stems (잘 먹었, 입맛이 없) rather than words."""
    forms = [f for fs in domain.categories.get(slot, {}).values() for f in fs]
    return sum(1 for f in forms if not f.endswith("요")) > len(forms) / 2


def ko_sentence(stem: str) -> tuple[str, str]:
    """A category stem made a sentence: (the stem, the ending after it)."""
    last = stem[-1]
    if last == "요" or not ("가" <= last <= "힣"):
        return stem, ""
    if not has_final(last):
        return stem, "요"  # 아파, 쑤셔, 좋아, 열이: already a form that takes 요
    final = (ord(last) - _HANGUL0) % 28
    if final == 20 or last in ("없", "있", "먹", "렀", "였"):  # 먹었, 잤, 없: 어요
        return stem, "어요"
    if last in ("좋", "않", "많", "괜찮", "찮", "얗"):
        return stem, "아요"
    return stem, "이에요"  # a noun or an adverb: 기침이에요, 그럭저럭이에요


def frame_values(domain: AuthoringDomain) -> dict[str, list[tuple[str, str | None]]]:
    """``(surface, canonical value)`` choices per slot.

    Category synonyms, annotated examples, values listed with the description, built-in
    typed values.
    """
    values = {k: list(v) for k, v in domain.slot_values().items()}
    for slot, listed in domain.slot_examples.items():
        values.setdefault(slot, []).extend((x, None) for x in listed)
    for slot, t in domain.slot_types.items():
        typed = TYPED_VALUES.get(t, {}).get(domain.language, ())
        values.setdefault(slot, []).extend((x, None) for x in typed)
    return {k: list(dict.fromkeys(v)) for k, v in values.items() if v}


def fill_frames(
    frames: Sequence[str],
    values: Mapping[str, Sequence[tuple[str, str | None]]],
    rng: random.Random,
    language: str,
    *,
    per_frame: int = 1,
) -> list[str]:
    """Annotated utterances from ``{slot}`` frames.

    A frame naming a slot without values is dropped; plain frames come back as they are.
    """
    out: list[str] = []
    for frame in frames:
        if not PLACEHOLDER.search(frame):
            out.append(frame)
            continue
        for _ in range(per_frame):
            filled = fill_template(frame, values, rng, language)
            if filled is not None:
                out.append(filled)
    return list(dict.fromkeys(out))


def _category_answers(domain: AuthoringDomain, rng: random.Random, n: int) -> list[str]:
    out = []
    slots = [s for s, t in domain.slot_types.items() if t == "category" and _fragmentary(domain, s)]
    for _ in range(n):
        if not slots:
            break
        slot = rng.choice(slots)
        key, forms = rng.choice(list(domain.categories[slot].items()))
        stem, ending = ko_sentence(rng.choice(forms))
        lead = rng.choice(["", "", "네 ", "음 ", "요즘 ", "좀 "])
        out.append(f"{lead}[{stem}]({slot}:{key}){ending}")
    return out


def frame_candidates(
    domain: AuthoringDomain, intent: str, n: int, rng: random.Random, *, stock: bool = True
) -> list[Candidate]:
    """Up to ``n`` utterances of ``intent`` from its description and stock dialogue acts.

    They come back as unscreened candidates of generator :data:`FRAME_GENERATOR`.
    """
    lang = domain.language if domain.language in ("ko", "en") else "en"
    description = domain.descriptions.get(intent, "")
    frames: list[str] = []
    if stock and intent in STOCK:
        frames += list(STOCK[intent][lang])
    answer = _is_answer(description)
    if answer:
        frames += _answer_frames(domain, rng)
    elif intent not in _STOCK_ONLY:
        own = description_frames(description, lang)
        frames += own
        frames += _with_slots(own, domain.intent_slots.get(intent, ()), domain, rng)
    values = frame_values(domain)
    texts: list[str] = []
    if answer and lang == "ko":
        frames = [f for f in frames if f != _KO_CATEGORY_ANSWER]
        texts += _category_answers(domain, rng, max(4, n - len(frames)))
    texts += fill_frames(frames, values, rng, lang, per_frame=2)
    texts = list(dict.fromkeys(texts))
    rng.shuffle(texts)
    return [Candidate(intent, t, FRAME_GENERATOR) for t in texts[:n]]
