"""What a reworded turn must still do, beyond ``nlg.checks``: checks of the dialogue's contract.

``check_reply`` sees values, form and speech acts. Two things it cannot know are about the
dialogue around the reply:

* ``identity``: a reply whose template names the agent or the business (the greeting) names
  them too; a caller must know who answered.
* ``asks_other:<slot>``: a request asks for its slot and no other; the dialogue waits for that
  slot (``expects`` tunes speech recognition and DTMF), and a second question would be
  answered into the wrong slot.
* ``promises``: a confirmation states what the agent *will* do before the caller said yes
  ("Yes, I'll change it to Friday… Shall I change it?"): not a claim that it is done (that is
  ``claims_done``), but a commitment the caller has not agreed to. Seen in the benchmark.
* ``label_leak``: a label of the rewriter's own prompts ("대본:", "Script:", "손님:",
  "Agent:"), which ``check_reply``'s list does not all know; the benchmark caught
  "대본: 어젯밤에 잘 주무셨어요?" passing.
* ``drops_question``: a template that asks two questions (care calls: "How are you feeling?
  Any fever, cough or pain?") is reworded with each of them still asked, by a content word of
  its own; the benchmark saw the symptom question dropped ("How are you feeling?").
* ``off_topic``: the reply shares no content word (noun, verb or adjective stem; English
  words of 3+ letters that are not function words) with its template: "어느 부분을 바꿔
  드릴까요?" -> "경성동을 이용하는 방법을 알려주십시오." (seen in the benchmark with sampled
  candidates). A paraphrase in entirely other words is lost too; the template is spoken.
  Not for a request of a slot: ``check_reply`` holds it to its slot's words.
* ``not_asked:<slot>``: a request's question is asked in the words of *its own* template. For
  slots without a word list (care calls: meal, sleep, mood) ``check_reply`` accepts any content
  word of the whole segment's template, so "어르신 제 말 들리세요?" passed for "요즘 기분은
  어떠세요?" when both were in one turn.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dialogue.acts import ActKind, SystemAct
from nlg.checks._morph import content_words_ko
from nlg.checks._speech import asks_about
from nlg.rewrite._prompt import LABELS
from scenarios.schema import Persona

__all__ = ["contract_faults"]

# Words that can only mean a question about that slot (no overlap between slots).
_ASKS = {
    "ko": {
        "date": ("며칠", "몇 월", "무슨 요일", "어느 날", "날짜"),
        "time": ("몇 시",),
        "party_size": ("몇 분", "몇 명", "인원"),
        "seating": ("좌석",),
        "name": ("성함", "이름"),
        "phone": ("전화번호", "연락처"),
    },
    "en": {
        "date": ("what date", "which date", "which day", "what day"),
        "time": ("what time",),
        "party_size": ("how many",),
        "seating": ("seating", "where would you like to sit"),
        "name": ("your name", "the name", "what name"),
        "phone": ("phone number", "number to reach", "contact number"),
    },
}


_PROMISE = {
    "ko": re.compile(r"(?:예약|변경|취소)(?:해\s?드리겠|하겠|해\s?드릴게|할게)"),
    "en": re.compile(
        r"\b(?:I'?ll|I will|we'?ll|we will|I'm going to|let me)\s+(?:go ahead and\s+)?"
        r"(?:book|change|cancel|move|reserve|update|make)\b",
        re.IGNORECASE,
    ),
}


_PROMPT_LABEL = re.compile(
    "(?:^|(?<=[\\s.?!]))(?:"
    + "|".join(re.escape(x) for labels in LABELS.values() for x in labels.values())
    + r")\s*[:：]",
    re.IGNORECASE,
)


def _questions(text: str) -> list[str]:
    return [q for q in re.split(r"(?<=[.?!])\s+", text) if q.rstrip().endswith("?")]


_EN_FUNCTION = frozenset(
    "the a an and or but to of for in on at is are was be you your i we our me my it this "
    "that what which would like please could can may have has had with from will shall do "
    "does did any how there been about some".split()
)


def _content(text: str, lang: str) -> set[str]:
    if lang == "ko":
        return content_words_ko(text)
    return set(re.findall(r"[a-z']{3,}", text.lower())) - _EN_FUNCTION


def _drops_question(text: str, template_text: str, lang: str) -> bool:
    """A template with two or more questions, one of which the reply no longer asks about."""
    questions = _questions(template_text)
    if len(questions) < 2:
        return False
    said = _content(text, lang)
    return any(_content(q, lang) and not (_content(q, lang) & said) for q in questions)


def contract_faults(
    text: str,
    *,
    acts: Sequence[SystemAct],
    template_text: str,
    lang: str,
    persona: Persona,
    act_texts: Mapping[int, str] | None = None,
) -> tuple[str, ...]:
    """Reasons ``text`` breaks the dialogue's contract (empty when it keeps it).

    Args:
        text: the reworded reply (or one sentence of it).
        acts: the acts it words.
        template_text: their template wording.
        lang: the scenario's language.
        persona: who the agent is.
        act_texts: each act's own template wording, by position in ``acts`` (for
            ``not_asked``; left out when checking a single sentence).
    """
    reasons: list[str] = []
    if _PROMPT_LABEL.search(text) and not _PROMPT_LABEL.search(template_text):
        reasons.append("label_leak")
    for i, act in enumerate(acts):
        own = (act_texts or {}).get(i)
        if act.kind == ActKind.REQUEST and act.slot and own and own != template_text:
            if not asks_about(text, lang, act.slot, own):
                reasons.append(f"not_asked:{act.slot}")
    if act_texts is not None and _drops_question(text, template_text, lang):
        reasons.append("drops_question")
    # (a request for a slot is held to its slot's words by check_reply already)
    slotted = any(a.kind == ActKind.REQUEST and a.slot for a in acts)
    theirs = _content(template_text, lang)
    if act_texts is not None and not slotted and theirs and not theirs & _content(text, lang):
        reasons.append("off_topic")
    for who in (persona.business, persona.name):
        if who and who in template_text and who not in text:
            reasons.append("identity")
            break
    promise = _PROMISE.get(lang)
    if (
        promise is not None
        and any(a.kind == ActKind.CONFIRM for a in acts)
        and promise.search(text)
        and not promise.search(template_text)
    ):
        reasons.append("promises")
    requested = {a.slot for a in acts if a.kind == ActKind.REQUEST and a.slot}
    if requested:
        cues = _ASKS.get(lang, {})
        template = template_text.lower()
        for question in _questions(text):
            q = question.lower()
            for slot, words in cues.items():
                if slot in requested:
                    continue
                if any(w in q and w not in template for w in words):
                    reasons.append(f"asks_other:{slot}")
    return tuple(dict.fromkeys(reasons))
