"""A booking caller's shortcuts: "anyone is fine", "the earliest you have", "same as last time".

"아무 선생님이나 괜찮아요" / "anyone is fine" leave the provider to the agent; "제일 빠른 시간으로요" /
"the earliest you have" asks for the first free start; "지난번 그 선생님으로요" / "the same person
as last time" names the provider of the caller's last booking. The dialogue decides what each
means for the booking in progress (:mod:`dialogue.booking`).
"""

from __future__ import annotations

import re

__all__ = ["WISHES", "extract_wishes"]

#: What a caller may wish, as the dialogue knows it (``no_preference``: "I don't mind",
#: "상관없어요", anyone only when it answers "which doctor?").
WISHES = ("anyone", "earliest", "same_as_last", "no_preference")

_KO = {
    "anyone": re.compile(
        "아무(?:\\s*(?:선생님|원장님|디자이너|분|쌤|의사)(?:이|이나|나|으로|로|도)?)?\\s*"
        "(?:나|이나|라도|한테|께|에게)?\\s*(?:괜찮|상관|좋|되|돼|해|예약)"
        "|아무나|아무\\s*분(?:이나|이라도)?|누구(?:든지|든|라도|나)\\s*(?:괜찮|상관|좋|되|돼)?"
        "|(?:선생님|원장님|디자이너|담당)(?:은|는)?\\s*(?:상관\\s*없|아무나|누구든)"
    ),
    "no_preference": re.compile(
        "^\\W*(?:아무\\s*(?:분|쪽)?이?나\\s*)?(?:상관\\s*없|괜찮|다\\s*좋)"
    ),
    "earliest": re.compile(
        "(?:제일|가장|젤|최대한)\\s*(?:빠른|빨리|이른|일찍)|빠른\\s*(?:시간|날|걸로|거로|날짜)"
        "|(?:되는|가능한|비어\\s*있는|빈)\\s*(?:시간\\s*)?(?:중에\\s*)?(?:제일|가장)\\s*(?:빠른|먼저)"
        "|최대한\\s*빨리|빨리\\s*되는"
    ),
    "same_as_last": re.compile(
        "(?:지난번|저번|지난\\s*번|전번|예전|전에|지난\\s*주|이전)(?:에)?\\s*(?:봐\\s*주신|해\\s*주신|진료\\s*(?:해\\s*)?주신|그|봤던|본|했던|받았던)?\\s*"
        "(?:그\\s*)?(?:선생님|원장님|디자이너|분|쌤|의사|담당)"
        "|(?:같은|똑같은)\\s*(?:선생님|원장님|디자이너|분|담당)"
    ),
}
_EN = {
    "anyone": re.compile(
        r"\b(?:any(?:one|body)|whoever|whichever)\b(?:\s+(?:is|will|who|'s))?"
        r"|\bany\s+(?:doctor|stylist|dentist|therapist|provider|hairdresser)\b",
        re.IGNORECASE,
    ),
    # only an answer to "which doctor?": said to another question it is about that one
    "no_preference": re.compile(
        r"\b(?:don'?t|do not|doesn'?t)\s+(?:mind|care|have a preference)\b"
        r"(?!\s+(?:the\s+)?(?:time|day|date|when))|\bno\s+preference\b|\beither(?:\s+one)?\s+is\s+fine\b",
        re.IGNORECASE,
    ),
    "earliest": re.compile(
        r"\b(?:earliest|soonest|first\s+(?:available|free|opening|slot)|next\s+(?:available|free|opening)"
        r"|as\s+soon\s+as\s+possible|asap)\b",
        re.IGNORECASE,
    ),
    "same_as_last": re.compile(
        r"\b(?:same|usual)\s+(?:one|person|doctor|stylist|dentist|therapist|provider|hairdresser|guy|lady)\b"
        r"|\b(?:as|like)\s+(?:last\s+time|before)\b|\bi\s+(?:saw|had|went\s+to)\s+last\s+time\b"
        r"|\b(?:my|the)\s+(?:usual|regular)\b",
        re.IGNORECASE,
    ),
}


def extract_wishes(text: str, lang: str) -> set[str]:
    """The shortcuts said in ``text`` (a subset of :data:`WISHES`); never raises.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.

    Returns:
        "아무 선생님이나 괜찮아요" → ``{"anyone"}``, "제일 빠른 시간으로 해 주세요" →
        ``{"earliest"}``, "지난번 그 선생님으로요" → ``{"same_as_last"}``, "the earliest you
        have with anyone" → ``{"earliest", "anyone"}``, "7시요" → ``set()``.
    """
    if not isinstance(text, str) or not text:
        return set()
    is_ko = isinstance(lang, str) and lang.lower().startswith("ko")
    table = _KO if is_ko else _EN
    found = {name for name, pattern in table.items() if pattern.search(text)}
    if (
        "same_as_last" in found
        and is_ko is False
        and re.search(r"\bnot\s+the\s+same\b", text, re.I)
    ):
        found.discard("same_as_last")
    return found
