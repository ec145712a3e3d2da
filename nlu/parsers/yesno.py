"""Yes / no answers: "네", "맞아요", "그렇게 해 주세요", "아니요"; "yes", "sounds good", "nope".

Korean "네" is also the numeral four: "네 명", "네 시", "네 분" are not answers, and a 네 followed
by a counter is skipped here. "어" is a yes only when it is the whole utterance (elsewhere it is
a filler: "어... 7시요"), and so is "그런데요" ("that's me"; elsewhere it is "but"). The "-는데요"
endings answer too: "맞는데요" yes, "아닌데요" no. A yes word right after a negation ("안 좋아요",
"not sure") is not a yes; "not really", "that's not right" are no. "no problem" and "no worries"
are yes.
"""

from __future__ import annotations

import re

from nlu.types import SlotValue

from ._common import make_slot

__all__ = ["extract_yesno"]

_F = re.IGNORECASE
# Hangul right after an answer word makes it a longer word (그래서, 응답, 좋아하는, 아니라).
_KO_END = "(?![가-힣])"
_COUNTERS = "명|분|시|사람|개|번|살|달|마리|장|잔|병|그릇|인분|가지|군데|곳|대"
_KO_YES = re.compile(
    "(?<![가-힣])(?:"
    "(?:네|예)(?:\\s*(?:네|예))*(?!\\s*(?:" + _COUNTERS + "))|넵|넹|네에"
    "|맞(?:아요|아|습니다|죠|지요|네요|는데요|는데)|그래(?:요)?|그럼요|그렇(?:습니다|죠|지요)"
    "|좋(?:아요|아|습니다|죠|지요)|응(?:응)?|ㅇㅇ|물론(?:이죠|입니다)?|당연하죠|알겠(?:습니다|어요)"
    "|그렇게\\s*(?:해|하)\\s*주세요|그걸로\\s*(?:해|하)\\s*주세요|그렇게\\s*해\\s*줘)" + _KO_END
)
_KO_NO = re.compile(
    "(?<![가-힣])(?:아니(?:요|오|에요|예요|야)?|아닌데(?:요)?|아닙니다|아뇨|아녀|틀렸(?:어요|습니다|어)"
    "|틀려요|싫(?:어요|어|습니다)|안\\s*(?:돼요|됩니다|돼|되요)|됐어요|아니거든요)" + _KO_END
)
_KO_NEGATED = re.compile("안\\s*$|못\\s*$")
_KO_ALONE_EO = re.compile("^\\W*(?:어|어어)\\W*$")
# "그런데요" is "that's right" (on the phone: "speaking") only as the whole answer; elsewhere it
# is "but": "그런데요, 7시는 안 되나요?"
_KO_ALONE_SO = re.compile("^\\W*(?:네\\W*)?(?P<w>그런데요|그런데)\\W*$")

_EN_YES = re.compile(
    r"\b(?:yes(?:\s+please)?|yeah|yep|yup|yea|ya|sure(?:\s+thing)?|correct|that'?s\s+(?:right|correct|fine|perfect|great)"
    r"|sounds\s+(?:good|great|perfect|fine)|ok(?:ay)?|all\s?right|alright|absolutely|of\s+course"
    r"|definitely|exactly|perfect|right|no\s+problem|no\s+worries|affirmative|please\s+do|go\s+ahead)\b",
    _F,
)
_EN_NO = re.compile(
    r"\b(?:no(?!\s+(?:problem|worries))|nope|nah|not\s+really|not\s+at\s+all|that'?s\s+(?:wrong|not\s+(?:right|correct))"
    r"|(?:that\s+is|it'?s)\s+(?:wrong|not\s+(?:right|correct))|incorrect|wrong|negative"
    r"|i\s+don'?t\s+think\s+so|not\s+(?:right|correct|okay|ok))\b",
    _F,
)
_EN_NEGATED = re.compile(r"\b(?:not|n't|no)\s*$", _F)
_EN_RIGHT_ALONE = re.compile(r"^\W*right\b", _F)


def _ko(text: str) -> list[SlotValue]:
    out: list[SlotValue] = []
    for m in _KO_NO.finditer(text):
        out.append(make_slot("yesno", False, text, m.start(), m.end()))
    for m in _KO_YES.finditer(text):
        if _KO_NEGATED.search(text, 0, m.start()) or any(s.start <= m.start() < s.end for s in out):
            continue
        out.append(make_slot("yesno", True, text, m.start(), m.end()))
    alone = _KO_ALONE_SO.match(text)
    if alone and not any(o.start <= alone.start("w") < o.end for o in out):
        out.append(make_slot("yesno", True, text, alone.start("w"), alone.end("w")))
    if _KO_ALONE_EO.match(text):
        start = text.index("어")
        end = start + (2 if text.startswith("어어", start) else 1)
        out.append(make_slot("yesno", True, text, start, end, confidence=0.7))
    return out


def _en(text: str) -> list[SlotValue]:
    out: list[SlotValue] = []
    for m in _EN_NO.finditer(text):
        out.append(make_slot("yesno", False, text, m.start(), m.end()))
    for m in _EN_YES.finditer(text):
        if any(s.start <= m.start() < s.end or m.start() <= s.start < m.end() for s in out):
            continue
        if _EN_NEGATED.search(text[max(0, m.start() - 8) : m.start()]):
            continue
        word = m.group(0).lower()
        if word == "right" and not _EN_RIGHT_ALONE.match(text):
            continue  # "turn right", "right now" are not answers
        out.append(make_slot("yesno", True, text, m.start(), m.end()))
    return out


def extract_yesno(text: str, lang: str) -> list[SlotValue]:
    """Find yes/no answers in ``text``.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.

    Returns:
        ``yesno`` slots (value True for yes, False for no) in text order.
    """
    found = _ko(text) if lang == "ko" else _en(text)
    return sorted(found, key=lambda s: s.start)
