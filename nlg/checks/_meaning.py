"""Does a reworded reply still mean what its template means? The ``meaning:*`` checks.

The other checks see values, questions, register and who speaks; a rewording can keep all of
them and still ask something else ("What time would you like?" -> "What is your cooking
time?", "몇 분이 오시나요?" -> "몇 분이 오셨어요?"). These checks compare the reply with its
template (calibrated by reading the benchmark's own passes, tests/nlg_checks/data/
reword_meaning.yaml; docs/replies.md "The meaning check"):

* ``meaning:tense`` (Korean): the reply adds a past tense (-었/았/였-) its template does not
  have ("오시나요?" -> "오셨어요?").
* ``meaning:asks_else``: the reply asks *how, why* or *who* (어떻게, 왜, 누구) where its
  template does not: "예약자 성함을 말씀해 주세요." -> "예약자 성함은 어떻게 해야합니까?".
  (What, which, when, where and how many change with the wording: "몇 시로" -> "언제로",
  "What date" -> "Which date", seating -> "Where would you like to sit?".)
* ``meaning:speaker``: the reply speaks of "나/내" (the agent, in 반말's first person) where
  its template does not: "내 머릿속에는 어떠한 기분이세요?"; or tells the caller "your name
  is…" outside a read-back: "Hello, your name is Jisoo at Hangang Kitchen." (the agent's own
  introduction given to the caller).
* ``meaning:list``: an item of a list the template offers (날짜, 시간, 인원, 좌석 / fever,
  cough or pain) is not said (a word of it, by its first three letters in English: "outdoor"
  said as "outside"). Not for read-backs, whose values the value checks hold.
* ``meaning:presumes`` (Korean): a question turned into one that presumes the answer
  (-죠/-지요: "있으세요?" -> "있으시죠?"); not for a read-back (``confirming``), where
  "맞으시죠?" is the question.
* ``meaning:doer`` (Korean): the template says the agent does something for the caller
  (드리다: 바꿔 드릴까요, 전화드릴게요) and the reply no longer does, asking what *can* be
  done instead ("어느 쪽에서 바꾸실 수 있을까요?": the caller changes it) or dropping the
  agent's promise (a goodbye without "전화드릴게요"). A question that simply no longer says
  드리다 ("방문하실 시간은 몇 시쯤이세요?") is not a fault.
* ``meaning:negation``: the reply says *not* where its template does not (not, never,
  n't; 안, 못, -지 않-, -지 말-): "Have a nice day." -> "I don't have a good day.", "아픈 데는
  없으세요?" -> "기침을 하지 않으세요?". 없다 is not counted: "필요하신 것 있으세요?" and
  "필요하신 것 없으세요?" ask the same.
* ``meaning:business``: a question that newly names the agent's own business (``business``:
  "한강식당", "Hangang Kitchen") asks about the business, not the caller: "몇 분이 오시나요?"
  -> "한강식당은 몇 분 안에 몇시인가요?", "What date would you like to book?" -> "What
  dates? I'm looking for a hangang kitchen restaurant.". Only for a template that asks and
  does not name it; a goodbye that thanks the caller for calling the business is not asked.
* ``meaning:closed``: an open question (what, which, when, where, how; 몇, 며칠, 어느, 어떤,
  무엇, 언제, 어디, 어떻게...) turned into a yes-or-no one with no question word left: "What
  date would you like to book?" -> "Would you like to book a reservation for a restaurant?",
  "And how has your mood been lately?" -> "Have you been feeling well lately?". Not for a
  read-back (``confirming``), which asks for a yes. Asking to be told is open: "방문하실 시간을
  말씀해 주시겠어요?", "Could you tell me the date?".

Rules only, no model: about a millisecond (a Korean analysis or two).

What lost (measured on the same file and on the fault-injection suite's 31 faithful
paraphrases; docs/replies.md "The meaning check"):

* **MiniLM similarity** of reply and template (the encoder the zero-shot NLU ships): the wrong
  English rewordings score 0.41-0.93 (10 of 12 below 0.70), but faithful paraphrases score
  0.44-0.92 ("Thank you, goodbye." 0.44, "What time should I put you down for?" 0.59,
  read-backs 0.52-0.77): a threshold of 0.70 also rejects 10 of 24 faithful or right English
  replies. Korean reaches MiniLM-L6 as jamo: faithful 0.45-0.97, wrong 0.26-0.90.
* **Retrieval** (the reply nearer its own template than every other template of the scenario):
  in English it catches only what similarity catches; in Korean it rejects a right rewording
  ("연락 가능한 전화번호를 알려주십시오." is nearer another template).
* **A new Korean noun** that no wording of the scenario uses ("머릿속", "경성동"): it also
  rejects "방문하실 시간은 몇 시쯤이세요?", a faithful paraphrase.
"""

from __future__ import annotations

import re

from nlg.checks._morph import morphs

__all__ = ["meaning_faults"]

_YOUR_NAME = re.compile(r"\byour name is\b", re.IGNORECASE)
_PAST = frozenset({"었", "았", "였", "었었", "았었"})
_PRESUME = re.compile(r"(?:죠|지요)[?.!]?$")
_WH_KO = frozenset({"어떻게", "누구", "왜"})
_WH_EN = re.compile(r"\b(who|whom|why|how)\b(?!\s+(?:many|much|long))", re.IGNORECASE)
# "A, B, C" or "A, B or C": three or more items (up to four words each) the reply must keep.
_WORD = r"(?!(?:or|and)\b)[^\s,.?!]+"
_ITEM = {"en": rf"{_WORD}(?:\s{_WORD}){{0,3}}", "ko": r"[^\s,.?!]+"}
_LIST = {
    lang: re.compile(
        rf"({item})((?:,\s*{item}){{1,}}),?\s*(?:(?:or|and)\s+({item}))?", re.IGNORECASE
    )
    for lang, item in _ITEM.items()
}
# Korean alternatives joined by -거나 ("열이 나거나 기침을 하시거나 아픈 데는"): each clause's
# own word must be kept; light verbs say nothing of their own.
_LIGHT = frozenset({"하", "되", "있", "없", "나", "주", "드리", "계시", "보", "가", "오"})
_EN_ARTICLES = re.compile(r"^(?:the|a|an|any|some|your)\s+", re.IGNORECASE)
_KO_LIST_TAIL = re.compile(r"\s*(?:중에서|중|등|이나|나)$")
_NEG_EN = re.compile(r"\b(?:not|never|no longer)\b|n't\b", re.IGNORECASE)
_NEG_KO = frozenset({("안", "MAG"), ("못", "MAG"), ("않", "VX"), ("말", "VX")})
_SPACES = re.compile(r"\s+")
_OPEN_EN = re.compile(r"\b(?:what|which|when|where|who|whom|whose|why|how)\b", re.IGNORECASE)
_OPEN_KO = ("몇", "며칠", "어느", "어떤", "어떻", "어떠", "어때", "무엇", "무슨", "뭐", "뭘", "언제",
            "어디", "누구", "얼마", "왜")  # fmt: skip
# asking to be told is asking openly ("방문하실 시간을 말씀해 주시겠어요?")
_TELL_EN = re.compile(r"\b(?:tell|let me know|give|share|say)\b", re.IGNORECASE)
_TELL_KO = ("말씀", "알려")


def _open_question(text: str, lang: str) -> bool:
    """Whether ``text`` asks openly: a question word, or asks to be told ("말씀해 주시겠어요?")."""
    if lang == "ko":
        return any(w in text for w in (*_OPEN_KO, *_TELL_KO))
    return bool(_OPEN_EN.search(text) or _TELL_EN.search(text))


def _past(text: str) -> bool:
    return any(m.tag == "EP" and m.form in _PAST for m in morphs(text))


def _names(text: str, name: str) -> bool:
    return _SPACES.sub("", name.lower()) in _SPACES.sub("", text.lower())


def _negates(text: str, lang: str) -> bool:
    if lang == "ko":
        return any((m.form, m.tag) in _NEG_KO for m in morphs(text))
    return bool(_NEG_EN.search(text))


def _wh_words(text: str, lang: str) -> set[str]:
    if lang == "ko":
        ms = morphs(text)
        found = {m.form for m in ms if m.form in _WH_KO and m.tag in ("MAG", "NP")}
        # the analyser reads 어떻게 as 어떻 + 게
        found |= {
            "어떻게"
            for m, nxt in zip(ms, ms[1:], strict=False)
            if m.form == "어떻" and nxt.form == "게"
        }
        return found
    return {w.lower() for w in _WH_EN.findall(text)}


def _speaks_of_self(text: str) -> bool:
    return any(m.form == "나" and m.tag == "NP" for m in morphs(text))


def _doer(text: str) -> bool:
    return any(m.form == "드리" and m.tag in ("VX", "VV") for m in morphs(text))


def _promises(text: str) -> bool:
    ms = morphs(text)
    return any(
        m.form == "드리" and nxt.tag == "EF" and nxt.form.startswith(("ᆯ게", "ㄹ게", "겠"))
        for m, nxt in zip(ms, ms[1:], strict=False)
    ) or any(m.form == "드리" and nxt.form == "겠" for m, nxt in zip(ms, ms[1:], strict=False))


def _can(text: str) -> bool:
    ms = morphs(text)
    return any(
        m.form == "수" and m.tag == "NNB" and nxt.form == "있"
        for m, nxt in zip(ms, ms[1:], strict=False)
    )


def _list_items(template: str, lang: str) -> list[str]:
    items: list[str] = []
    for sentence in re.split(r"(?<=[.?!])\s+", template):
        for m in _LIST.get(lang, _LIST["en"]).finditer(sentence):
            found = [m.group(1), *re.split(r",\s*", m.group(2).lstrip(", ")), m.group(3) or ""]
            found = [f.strip() for f in found if f and f.strip()]
            if len(found) < 3:
                continue
            for item in found:
                if lang == "en":
                    item = _EN_ARTICLES.sub("", re.sub(r"^(?:or|and)\s+", "", item, flags=re.I))
                else:
                    item = _KO_LIST_TAIL.sub("", item)
                if item:
                    items.append(item)
        if lang == "ko" and "거나" in sentence:
            items.extend(
                m.form
                for m in morphs(sentence)
                if m.tag in ("NNG", "VV", "VA", "VA-I", "VV-I") and m.form not in _LIGHT
            )
    return items


def _item_said(item: str, text: str, lang: str) -> bool:
    if lang == "ko":
        return item in text or item in {m.form for m in morphs(text)}
    words = [w for w in re.findall(r"[a-z]+", item.lower()) if len(w) > 2]
    low = text.lower()
    # a word of the item, by its first three letters ("outdoor" seating said as "outside")
    return any(re.search(rf"\b{re.escape(w[:3])}", low) for w in words) if words else True


def meaning_faults(
    text: str,
    template_text: str,
    lang: str,
    *,
    confirming: bool = False,
    business: str | None = None,
) -> tuple[str, ...]:
    """Reasons ``text`` no longer means what ``template_text`` means (empty when it does).

    Args:
        text: the reworded reply (the whole of it).
        template_text: the template wording it replaces.
        lang: ``ko`` or ``en``.
        confirming: the reply reads values back for a yes or no (a ``confirm`` act), where a
            question ending in -죠 is the question itself.
        business: the persona's business name, for ``meaning:business``.

    Returns:
        ``meaning:*`` reason codes, in a stable order.
    """
    reasons: list[str] = []
    if lang == "ko" and _past(text) and not _past(template_text):
        reasons.append("meaning:tense")
    if _wh_words(text, lang) - _wh_words(template_text, lang):
        reasons.append("meaning:asks_else")
    if _negates(text, lang) and not _negates(template_text, lang):
        reasons.append("meaning:negation")
    if (
        business
        and "?" in template_text
        and _names(text, business)
        and not _names(template_text, business)
    ):
        reasons.append("meaning:business")
    if lang == "ko" and _speaks_of_self(text) and not _speaks_of_self(template_text):
        reasons.append("meaning:speaker")
    elif (
        lang != "ko"
        and not confirming
        and _YOUR_NAME.search(text)
        and not _YOUR_NAME.search(template_text)
    ):
        reasons.append("meaning:speaker")
    if (
        not confirming
        and "?" in text
        and _open_question(template_text, lang)
        and not _open_question(text, lang)
    ):
        reasons.append("meaning:closed")
    items = () if confirming else _list_items(template_text, lang)
    if any(not _item_said(item, text, lang) for item in items):
        reasons.append("meaning:list")
    if lang == "ko":
        presumes = _PRESUME.search(text.rstrip())
        if presumes and not confirming and not _PRESUME.search(template_text.rstrip()):
            reasons.append("meaning:presumes")
        if _doer(template_text) and not _doer(text) and (_can(text) or _promises(template_text)):
            reasons.append("meaning:doer")
    return tuple(reasons)
