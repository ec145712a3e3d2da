"""Does a reply do what its act does: ask, request a slot, not claim a booking, close the call."""

from __future__ import annotations

import difflib
import re

from nlg.checks._morph import content_words_ko, morphs

__all__ = ["asks", "asks_about", "claims_done", "closes", "echoes_caller", "speaks_as_caller"]

_I = re.IGNORECASE

# A claim that something is already done: the booking made, changed, cancelled, confirmed.
_DONE_KO = re.compile(
    r"(?:완료|확정|접수)\s*(?:되었|됐|되셨|했|하였|해\s?드렸|처리|입니다|이에요|예요|돼\s?있)"
    r"|(?:예약|변경|취소|등록)(?:이|가|을|를|은|는)?\s*(?:되었|됐|되셨|돼\s?있|완료|확정|잡혔|끝났)"
    r"|(?:예약|변경|취소)(?:을|를)?\s*(?:했|하였|해\s?드렸|해\s?놓았|해\s?놨|해\s?두었|해\s?뒀|마쳤)"
    r"|잡아\s?(?:드렸|놓았|놨|두었|뒀)"
)
_DONE_EN = re.compile(
    r"\b(?:is|are|was|has been|have been|i've|i have|we've|we have|it's|you're|you are|all)\s+"
    r"(?:now\s+|all\s+|been\s+)?(?:booked|confirmed|reserved|set|done|complete|completed|"
    r"cancell?ed|changed|made|finali[sz]ed|locked in)\b"
    r"|\ball set\b|\byou'?re set\b|\bbooking (?:is )?(?:confirmed|complete|made|done)\b"
    r"|\bi(?:'ve| have)? (?:booked|reserved|confirmed|cancell?ed|changed|made)\b",
    _I,
)

_QUESTION_ENDINGS_KO = (
    "까요",
    "나요",
    "가요",
    "니까",
    "죠",
    "지요",
    "래요",
    "세요",
    "어요",
    "에요",
)
_REQUEST_KO = re.compile(r"주세요|주시겠|주실래|주실\s*수|부탁드|알려\s?주|말씀해")
_QUESTION_EN = re.compile(
    r"\?|\b(?:please (?:tell|let|say|give)|may i (?:have|ask|get)|could you|can you|would you|"
    r"let me know|tell me)\b",
    _I,
)

_SLOT_WORDS = {
    "ko": {
        "date": ("날짜", "며칠", "몇 월", "언제", "어느 날", "무슨 요일", "요일", "날로", "날에"),
        "time": ("몇 시", "시간", "언제", "시로", "시에"),
        "party_size": ("몇 분", "몇 명", "인원", "몇 사람", "몇 분이", "분이 오", "명이"),
        "seating": ("좌석", "자리", "룸", "홀", "야외", "방"),
        "name": ("성함", "이름", "예약자", "존함"),
        "phone": ("전화번호", "연락처", "번호", "전화"),
    },
    "en": {
        "date": ("date", "day", "when", "which day"),
        "time": ("time", "when", "what time"),
        "party_size": ("how many", "people", "guests", "party", "number of"),
        "seating": ("seat", "room", "hall", "outdoor", "table", "inside", "outside"),
        "name": ("name",),
        "phone": ("phone", "number", "reach you", "contact"),
    },
}

_CLOSING = {
    "ko": re.compile(
        r"안녕히|감사합니다|감사해요|고맙습니다|좋은 하루|즐거운 하루|들어가세요|다음에|건강하세요|"
        r"종료하겠|끊겠|끊을게요|수고하세요|뵙겠습니다|뵐게요|찾아 주세요"
    ),
    "en": re.compile(
        r"\b(?:good ?bye|bye|have a (?:nice|good|great|lovely|wonderful)|thank you for calling|"
        r"thanks for calling|take care|see you|talk to you)\b",
        _I,
    ),
}
_EN_STOP = frozenset(
    "the a an and or but to of for in on at is are was be you your i we our me my it this that "
    "what which would like please could can may have has with from will shall do does".split()
)


# The caller's side of the call: asking the agent for help or a booking, wanting one, "my
# booking". The agent offers (드릴까요, "shall I", "can I help you"); the caller asks
# (해 주세요, "help me", "I'd like to book"). A rewording that crosses over speaks as the
# caller ("What can you help me with?" for "Is there anything else I can help you with?").
_CALLER_KO = re.compile(
    r"(?:예약|변경|취소|주문)(?:을|를)?\s*(?:해|하여)\s?(?:주세요|주실|주시겠|주시나|줄\s?수|주라)"
    r"|(?:예약|변경|취소|주문)(?:을|를)?\s*하"
    r"(?:고\s?싶(?:어요|습니다|은데|어서)|려고(?:요|\s?하는데|\s?해요|\s?합니다|\s?전화))"
    r"|도와\s?(?:주세요|주실|주시겠|주시나|줄\s?수)"
    r"|(?:^|\s)제\s?(?:예약|자리|테이블)"
    r"|(?:저한테|저에게|제게)\s*(?:전화|연락)"  # "call me": the caller's own number
)
_CALLER_EN = re.compile(
    r"\b(?:help|assist|book|reserve|seat)\s+(?:me|us)\b"
    r"|\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:book|reserve|make|change|cancel|"
    r"move|help)\b"
    r"|\bI(?:'d| would)\s+like\s+to\s+(?:book|reserve|make|change|cancel|move)\b"
    r"|\bI\s+(?:want|need)\s+to\s+(?:book|reserve|make|change|cancel|move)\b"
    r"|\bmy\s+(?:booking|reservation|table)\b"
    r"|\b(?:call|reach|contact|text)\s+me\b",  # "the best number to call me"
    _I,
)


def speaks_as_caller(text: str, lang: str) -> bool:
    """True when ``text`` says what a caller says to the agent, not what the agent says."""
    return bool((_CALLER_KO if lang == "ko" else _CALLER_EN).search(text))


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def echoes_caller(text: str, caller_text: str, lang: str) -> bool:
    """True when ``text`` asks the caller's own question back to them.

    A question of ``text`` that is (nearly) the caller's question, letter for letter: the
    reply took the caller's turn instead of answering or asking its own.
    """
    if not caller_text or not asks(caller_text, lang):
        return False
    theirs = _letters(caller_text)
    if len(theirs) < 4:
        return False
    for sentence in re.split(r"(?<=[.?!])\s+", text):
        mine = _letters(sentence)
        if mine and asks(sentence, lang) and _similar(mine, theirs) >= 0.8:
            return True
    return False


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def claims_done(text: str, lang: str) -> bool:
    """True when ``text`` says a booking (or change, cancellation) is already made."""
    return bool((_DONE_KO if lang == "ko" else _DONE_EN).search(text))


def asks(text: str, lang: str) -> bool:
    """True when ``text`` asks the caller something (a question or a polite request)."""
    if "?" in text:
        return True
    if lang != "ko":
        return bool(_QUESTION_EN.search(text))
    if _REQUEST_KO.search(text):
        return True
    finals = [m.form for m in morphs(text) if m.tag == "EF"]
    return bool(finals) and finals[-1].endswith(_QUESTION_ENDINGS_KO[:7])


def asks_about(text: str, lang: str, slot: str | None, template_text: str) -> bool:
    """True when ``text`` asks about ``slot`` (by its usual words, or a word of the template)."""
    words = _SLOT_WORDS.get(lang, {}).get(slot or "")
    lowered = text.lower()
    if words and any(w in lowered for w in words):
        return True
    # A slot without a word list (care calls: meal, sleep...): share a content word.
    if lang == "ko":
        return bool(content_words_ko(text) & content_words_ko(template_text))
    template_words = set(re.findall(r"[a-z']{4,}", template_text.lower())) - _EN_STOP
    return bool(template_words & set(re.findall(r"[a-z']{4,}", lowered)))


def closes(text: str, lang: str) -> bool:
    """True when ``text`` ends the call (a goodbye or thanks) and asks nothing more."""
    pattern = _CLOSING.get(lang, _CLOSING["en"])
    return bool(pattern.search(text)) and "?" not in text
