"""End of turn: how long to wait after the caller stops before answering, from what was said.

Silero VAD reports the end of speech after a short silence (``vad_stop_secs``). That is too
short for a caller dictating a phone number or a date, who pauses between groups of digits;
too long a wait costs every turn. Recognition starts at VAD's end of speech, during the hold
(speculatively): if the caller goes on, its result is discarded and the utterance continues.

Two modes (``AICALL_ENDPOINTING``):

* ``silence``: the hold depends only on what the dialogue expects (0.5 s of silence in all
  for an ordinary answer, 1.0 s for a date, 1.6 s for a phone number).
* ``dialogue`` (the default: see docs/voice.md): VAD ends speech after 0.15 s; the speculative
  transcript is parsed by the scenario's NLU in the dialogue's context
  (:meth:`agent.session.CallSession.understand`, in a worker thread) and judged by
  :func:`judge_completeness`. A turn that completes what was asked (a time when a time was
  asked, yes or no at the read-back, a whole phone number, a request the NLU is sure of) is
  answered at 0.4 s of silence, at 0.25 s when its last words close the sentence ("…, please",
  "…이요"); an unfinished one ("I'd like to book a table for", "다음 주", "예약하고", half a
  phone number) waits up to an extended silence; an unclear one waits as in ``silence`` mode.
  Voice heard as the turn would be taken holds it until VAD can tell (the caller going on).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from pipecat.audio.vad.vad_analyzer import VADParams

from nlu.types import OUT_OF_SCOPE, NLUResult

__all__ = [
    "Completeness",
    "EndpointPolicy",
    "TurnJudge",
    "judge_completeness",
    "phone_digits",
    "session_judge",
]

log = logging.getLogger(__name__)

EndpointMode = Literal["dialogue", "silence"]


class Completeness(StrEnum):
    """What a speculative transcript says about the caller's turn."""

    CLOSED = "closed"  # it answers what was asked and closes the sentence ("…, please", "…요")
    COMPLETE = "complete"  # it answers what was asked: reply at once
    INCOMPLETE = "incomplete"  # the caller is mid-sentence: wait longer
    UNSURE = "unsure"  # wait as long as the silence-only endpointer would


#: judges a speculative transcript in the call's dialogue context (blocking: NLU; in a thread)
TurnJudge = Callable[[str], Completeness]


@dataclass(frozen=True)
class EndpointPolicy:
    """How long to wait after the caller's last word, by what the dialogue expects.

    Silences are counted from the caller's last voiced audio; the hold after VAD's end of
    speech is the silence minus ``vad_stop_secs``.

    Attributes:
        mode: ``dialogue`` (judge the speculative transcript) or ``silence`` (holds only).
        vad_start_secs: speech after which Silero VAD reports the start of speech. pipecat's
            default (0.2 s) never fires on a short "Yes." or "네" (0.3-0.4 s of voice on the
            phone): they would be lost entirely.
        vad_stop_secs: silence after which Silero VAD reports the end of speech (the
            speculative recognition starts then).
        vad_confidence: Silero's speech probability that counts as voice.
        vad_min_volume: loudness that counts as voice (pipecat's 0.6 missed 3 in 8 "No."s).
        default_silence: silence before an ordinary answer is taken as finished.
        silences: silence per expected input kind.
        complete_silence: silence before a turn judged complete is answered (the recognition
            and the judgement run inside it). Not less than the pauses inside a finished
            sentence: the caller voice pauses up to 0.33 s at a comma ("Yes, that's right."),
            and a reply after "Yes" would cut into "that's right".
        closed_silence: the same for a complete turn whose last word closes a sentence
            ("…, please", "that's right", a Korean polite ending "…이요", "…습니다"): nothing
            is left to add after it, so the comma pause above does not apply.
        incomplete_silence: silence before a turn judged unfinished is taken anyway.
        incomplete_silences: the same per expected input kind (a phone number being
            dictated waits longer).
        onset_secs: when the hold ends, audio as loud as voice within this last stretch may
            be the caller starting again before VAD can say so (it needs ``vad_start_secs``
            of voice): the turn is then held ``onset_guard`` longer for VAD's verdict.
        onset_guard: see ``onset_secs``.
    """

    mode: EndpointMode = "dialogue"
    vad_start_secs: float = 0.1
    vad_stop_secs: float = 0.15
    vad_confidence: float = 0.6
    vad_min_volume: float = 0.4
    default_silence: float = 0.5
    silences: dict[str, float] = field(
        default_factory=lambda: {
            "phone": 1.6,
            "date": 1.0,
            "time": 0.8,
            "datetime": 1.0,
            "name": 0.7,
            "yesno": 0.4,
        }
    )
    complete_silence: float = 0.4
    closed_silence: float = 0.25
    incomplete_silence: float = 1.5
    incomplete_silences: dict[str, float] = field(default_factory=lambda: {"phone": 1.6})
    onset_secs: float = 0.15
    onset_guard: float = 0.25

    def __post_init__(self) -> None:
        if self.mode not in ("dialogue", "silence"):
            raise ValueError(f"endpointing mode must be 'dialogue' or 'silence', not {self.mode!r}")

    def silence(self, expects: str | None) -> float:
        """Silence before an answer to ``expects`` counts as finished (silence only)."""
        if expects is None:
            return self.default_silence
        return self.silences.get(expects, self.default_silence)

    def hold(self, expects: str | None) -> float:
        """The hold after VAD's end of speech when the dialogue expects ``expects``."""
        return max(0.0, self.silence(expects) - self.vad_stop_secs)

    def extended_hold(self, expects: str | None) -> float:
        """The longest hold, for a turn judged unfinished."""
        longest = self.incomplete_silences.get(expects or "", self.incomplete_silence)
        return max(self.hold(expects), longest - self.vad_stop_secs)

    def decided_hold(self, expects: str | None, decision: Completeness) -> float:
        """The hold after VAD's end of speech once the transcript is judged."""
        if decision is Completeness.CLOSED:  # never longer than the silence-only wait
            return min(self.hold(expects), max(0.0, self.closed_silence - self.vad_stop_secs))
        if decision is Completeness.COMPLETE:
            return min(self.hold(expects), max(0.0, self.complete_silence - self.vad_stop_secs))
        if decision is Completeness.INCOMPLETE:
            return self.extended_hold(expects)
        return self.hold(expects)

    async def wait(
        self,
        recognition: asyncio.Future[Any],
        expects: str | None,
        judge: TurnJudge | None,
        earlier: str | None = None,
    ) -> Completeness | None:
        """Hold after VAD's end of speech until the caller's turn counts as finished.

        Called as VAD reports the end of speech, with the speculative recognition already
        running. Cancelled (by the recognition stage) when the caller speaks again.

        Args:
            recognition: the speculative recognition (a :class:`~agent.voice.asr.Transcript`).
            expects: what the dialogue expects (a slot type, ``yesno``).
            judge: the call's completeness judge (``None``, or ``silence`` mode: holds only).
            earlier: the speculative transcript of this utterance at the caller's previous
                pause, if any (a number cannot have grown by more than a group since).

        Returns:
            The judgement (``None`` when the silence alone decided).
        """
        if self.mode != "dialogue" or judge is None:
            await asyncio.sleep(self.hold(expects))
            return None
        loop = asyncio.get_running_loop()
        started = loop.time()
        longest = self.extended_hold(expects)
        done, _ = await asyncio.wait({recognition}, timeout=longest)
        decision = Completeness.UNSURE
        if done and not recognition.cancelled() and recognition.exception() is None:
            text = recognition.result().text
            if text:
                try:
                    decision = await asyncio.to_thread(judge, text)
                except Exception as e:  # never lose a turn to the judge: hold as usual
                    log.warning("end-of-turn judgement failed: %s", e)
                if expects == "phone" and _grew_too_much(earlier, text, decision):
                    decision = Completeness.UNSURE
        remaining = self.decided_hold(expects, decision) - (loop.time() - started)
        if remaining > 0:
            await asyncio.sleep(remaining)
        return decision

    def vad_analyzer(self) -> Any:
        """A Silero VAD analyzer with this policy's start and stop times (one per call)."""
        from pipecat.audio.vad.silero import SileroVADAnalyzer

        params = VADParams(
            start_secs=self.vad_start_secs,
            stop_secs=self.vad_stop_secs,
            confidence=self.vad_confidence,
            min_volume=self.vad_min_volume,
        )
        return SileroVADAnalyzer(params=params)


# Judging a transcript ------------------------------------------------------------------------

#: English words a finished answer does not end with ("a table for", "at", "and", "um")
_TRAIL_EN = frozenset(
    """for at to and or but so the a an my our your his her their on in of with about is are
    was were be it's its um uh er erm hmm like around than then because if that this these
    next i i'd i'm we we'd we're you could can would will just maybe some under by from
    into as say uhm mm""".split()
)
#: prepositions Whisper closes a cut-off fragment after with a pronoun ("for it.")
_HANGING_PREPOSITIONS = frozenset(("for", "to", "at", "on", "with", "about", "of"))
#: Korean connectives and fillers a finished answer does not end with
_TRAIL_KO_WORDS = frozenset(
    "그리고 그런데 근데 그래서 그러니까 그러면 아니면 또는 음 어 저 그 저기 아 뭐 좀 그게 다음 이번 제".split()
)
#: Korean connective endings ("예약하고", "7시인데", "가는데", "있어서", "되면", "좋지만")
_TRAIL_KO_ENDINGS = ("고", "데", "서", "면", "며", "지만", "거나", "랑", "든지", "는지")
#: how finished Korean sentences end (polite and plain endings, yes and no)
#: (Whisper writes a mumbled "…요" as "…오", "…여", "…어" or "…야" too: "모레요" → "모니오")
_FINAL_KO = ("요", "다", "까", "죠", "네", "예", "응", "래", "아니", "세요", "오", "여", "어", "야")
#: Korean particles a word hangs on when the sentence goes on ("다음 주에", "네 명이")
_PARTICLES_KO = (
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "에",
    "의",
    "로",
    "와",
    "과",
    "도",
    "부터",
    "까지",
    "하고",
)
#: a date or time said only in part ("next week", "다음 주", "this", "저녁")
_PART_EN = frozenset("next this week month morning afternoon evening tonight around about".split())
_PART_KO = ("주", "다음", "이번", "저녁", "오후", "오전", "아침", "점심", "밤", "달")

_KO_DIGIT_RUN = re.compile(r"^[공영빵일이삼사오육륙칠팔구]+$")
_KO_SUFFIX = re.compile(r"(이요|이에요|입니다|에요|예요|이고|하고|다시|에|요|고)$")
_WORD = re.compile(r"[\w']+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def phone_digits(text: str) -> str:
    """The digits of a number being dictated, written or spoken, in Korean or English.

    ``"oh one oh, one two three"`` → ``"010123"``; ``"공일공 일이삼사"`` → ``"0101234"``;
    ``"double five"`` → ``"55"``. Other words are skipped (a Korean word counts only when it
    is made of digit syllables, so "이번" adds nothing).
    """
    ko = dict(zip("공영빵일이삼사오육륙칠팔구", "0001234566789", strict=True))
    en = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4"}
    en |= {"five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
    out: list[str] = []
    repeat = 1
    for word in _words(text):
        if word in ("double", "triple"):
            repeat = 2 if word == "double" else 3
            continue
        if word.isdigit():
            out.append(word[0] * repeat + word[1:])
        elif word in en:
            out.append(en[word] * repeat)
        else:
            stem = _KO_SUFFIX.sub("", word)
            if stem and _KO_DIGIT_RUN.match(stem):
                out.append("".join(ko[c] for c in stem))
            else:
                continue
        repeat = 1
    return "".join(out)


def _phone_complete(digits: str, language: str) -> Completeness:
    """Whether ``digits`` are a whole phone number (national form)."""
    n = len(digits)
    if digits.startswith("0") or language == "ko":
        if digits.startswith("01"):  # mobile: 010-1234-5678 (old 011-123-4567)
            return Completeness.COMPLETE if n >= 11 else _short(n, 10)
        if digits.startswith("02"):  # Seoul: 02-123-4567 or 02-1234-5678
            return Completeness.COMPLETE if n >= 10 else _short(n, 9)
        return Completeness.COMPLETE if n >= 11 else _short(n, 10)
    if digits.startswith("1"):  # 1-555-123-4567
        return Completeness.COMPLETE if n >= 11 else Completeness.INCOMPLETE
    return Completeness.COMPLETE if n >= 10 else Completeness.INCOMPLETE


#: digits a caller dictating a number by groups says after one pause (a group of 3 or 4)
GROUP_DIGITS = 4


def _grew_too_much(earlier: str | None, text: str, decision: Completeness) -> bool:
    """Whether a number judged whole grew by more than a group since the previous pause.

    Whisper completes a number cut after its second group on its own ("three one two" …
    "eight four seven" → "312-847-8147"): the caller said three digits after the pause, the
    transcript gained seven.
    """
    if decision not in (Completeness.COMPLETE, Completeness.CLOSED) or earlier is None:
        return False
    return len(phone_digits(text)) - len(phone_digits(earlier)) > GROUP_DIGITS


def _repeated_digits(text: str) -> bool:
    """Whether the digits look read twice, as Whisper does on a cut number ("818-555-55-55").

    A group of digits that comes again, or a run of one digit followed by more of it
    ("666-6666"), is more often Whisper repeating itself than the caller.
    """
    groups = re.findall(r"\d+", text)
    if len(groups) != len(set(groups)):
        return True
    digits = phone_digits(text)
    triples = [digits[i : i + 3] for i in range(len(digits) - 2)]
    mixed = [t for t in triples if len(set(t)) > 1]
    if len(mixed) != len(set(mixed)):  # "818-555-55818-5555": "818" twice
        return True
    return any(
        len(set(a)) == 1 and set(a) == set(b) for a, b in zip(groups, groups[1:], strict=False)
    )


def _repeats_itself(text: str) -> bool:
    """Whether the transcript loops ("here with the, here with the, here with the"): a guess."""
    words = _words(text)
    grams = [" ".join(words[i : i + 2]) for i in range(len(words) - 1)]
    return any(grams.count(g) >= 3 for g in set(grams))


def _short(n: int, maybe: int) -> Completeness:
    return Completeness.UNSURE if n == maybe else Completeness.INCOMPLETE


def _trails_off(text: str, language: str) -> bool:
    """Whether ``text`` ends mid-sentence (a connective, a preposition, a filler, "...")."""
    stripped = text.strip()
    if stripped.endswith(("...", "…", "-", "—")):
        return True
    words = _words(stripped)
    if not words:
        return False
    last = words[-1]
    if last in _TRAIL_EN:
        return True
    if len(words) >= 3 and words[-2] in _HANGING_PREPOSITIONS and last in ("it", "that", "you"):
        return True  # Whisper completes a cut "a table for" as "a table for it."
    if language == "ko" or re.search(r"[가-힣]", last):
        if last in _TRAIL_KO_WORDS:
            return True
        if last.endswith(_TRAIL_KO_ENDINGS) and (len(last) >= 2 or len(words) >= 2):
            return True  # "예약하고", and "예약한 고" as Whisper spaces it
    return False


def _hangs_ko(text: str) -> bool:
    """Whether the last Korean word hangs on a particle ("다음 주에", "네 명이", "7시를")."""
    words = _words(text)
    if not words:
        return False
    last = words[-1]
    return (
        len(last) >= 2 and re.search(r"[가-힣]$", last) is not None and last.endswith(_PARTICLES_KO)
    )


def _partial_when(text: str, language: str) -> bool:
    """Whether ``text`` ends on part of a date or time ("next week", "다음 주", "저녁")."""
    words = _words(text)
    if not words:
        return False
    last = words[-1]
    return last in _PART_EN or (language == "ko" and last.endswith(_PART_KO))


def _mentions_when(text: str, language: str) -> bool:
    """Whether ``text`` names part of a date or time anywhere ("evening", "다음 주", "저녁")."""
    words = _words(text)
    if any(w in _PART_EN for w in words):
        return True
    return language == "ko" and any(w.endswith(_PART_KO) for w in words)


#: inner sentence ends that leave it open ("Could I book a table for? Could I put a table…")
_HANGING_INSIDE = frozenset(
    "for to at on with about of and or but the a an my in from by than because if".split()
)
#: English last words that close an answer ("…, please", "that's right", "thank you")
_CLOSING_EN = frozenset("please thanks".split())
_CLOSING_EN_PAIRS = frozenset(
    (("thank", "you"), ("that's", "right"), ("that's", "correct"), ("that's", "it"))
)
#: Korean polite endings that close a sentence ("…이요", "…니다"), but not "…는데요" or
#: "…하고요" (often a lead-in to more) nor "아니요" ("아니요, 틀려요")
_CLOSING_KO = ("요", "니다", "까", "죠")
_OPEN_KO = ("데요", "고요", "아니요", "아니오")


def _hangs_inside(text: str) -> bool:
    """Whether a sentence before the last one ends on a preposition or a connective.

    Whisper reads a cut "Could I book a table for" as "Could I book a table for? Could I
    put a table fort?": the first sentence is left hanging.
    """
    sentences = [_words(s) for s in re.split(r"[.?!]+", text)]
    sentences = [s for s in sentences if s]
    return any(s[-1] in _HANGING_INSIDE for s in sentences[:-1])


def _says_twice(text: str) -> bool:
    """Whether the transcript says its first sentence again, nearly word for word (a guess)."""
    sentences = [s for s in (_words(s) for s in re.split(r"[.?!]+", text)) if len(s) >= 3]
    for a, b in zip(sentences, sentences[1:], strict=False):
        same = sum(x == y for x, y in zip(a, b, strict=False))
        if same >= 0.6 * min(len(a), len(b)):
            return True
    return False


#: single words that may follow an English yes or no in a finished answer ("Yes, please.")
_AFTER_YESNO_EN = frozenset(
    """please thanks sure correct right exactly ok okay yes yeah yep no nope perfect great good
    fine absolutely definitely indeed""".split()
)


def _asks_back(text: str) -> bool:
    """Whether a yes or no is followed by a question or by one unexpected English word.

    Whisper closes a cut "Yes, but" as "Yes, what?" or "Yes, bye.": a yes followed by a word
    that is neither a courtesy nor a confirmation is more likely the start of a clause.
    """
    words = _words(text)
    if len(words) > 1 and text.rstrip().endswith("?"):
        return True
    return (
        len(words) == 2
        and re.search(r"[가-힣]", text) is None
        and words[0] in _AFTER_YESNO_EN
        and words[1] not in _AFTER_YESNO_EN
    )


def _closes(text: str, language: str) -> bool:
    """Whether the last words close the sentence: nothing is left to add after them.

    "Tomorrow" may go on (", please"); "Tomorrow, please" or "내일이요" does not.
    """
    words = _words(text)
    if not words:
        return False
    last = words[-1]
    if re.search(r"[가-힣]", last):
        return len(last) >= 2 and last.endswith(_CLOSING_KO) and not last.endswith(_OPEN_KO)
    if language == "ko":
        return False
    return last in _CLOSING_EN or tuple(words[-2:]) in _CLOSING_EN_PAIRS


def _final_ko(text: str) -> bool:
    """Whether a Korean sentence ends as a finished one does ("…요", "…다", "…까", "네")."""
    words = _words(text)
    return bool(words) and words[-1].endswith(_FINAL_KO)


#: how a name is introduced ("My name is…", "It's under…", "제 이름은…")
_NAME_LEAD_EN = re.compile(
    r"^(?:(?:my|the)\s+name(?:'s|\s+is)|it's\s+under|it\s+is\s+under|it's|it\s+is|"
    r"this\s+is|under|name's)\s+",
    re.IGNORECASE,
)
_NAME_LEAD_KO = re.compile(r"^(?:제\s*)?(?:이름은|성함은|예약자는|예약자\s*이름은)\s*")
_NAME_END_KO = re.compile(r"(?:이요|이에요|예요|입니다|이고요|요)$")
#: words that are no part of a name (Whisper's reading of a cut "My name is" → "My name")
_NOT_NAME_EN = frozenset(
    """my name is it's under this the a for booking reservation table please thanks and
    it hello hi yes no""".split()
)
#: the common Korean family names (a full name is one of these and a given name)
_SURNAMES_KO = frozenset(
    "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 손 배 백 허 남 심 노 "
    "하 곽 성 차 주 우 구 민 진 나 지 엄 변 채 원 천 방 공 현 함 여 염 석 추 도 소 설 선 마 길 연 위 "
    "표 명 기 반 왕 금 옥 육 인 맹 모 탁 국 어 은 편 용 예 경 봉 사 부 가 복 태 목 형 피 두 감".split()
)


def _whole_name(text: str, language: str) -> bool:
    """Whether the transcript gives a whole name ("John Smith", "김민수요").

    A first and a family name, or a Korean family name and given name. At the name question anything else waits as unfinished: a cut "My name is" or "It's
    under" comes back from Whisper as "My name is My name" or "It's 100.", a cut "제 이름은"
    as "케이블" — all of which the NLU would take as a name — and a given name alone may be
    followed by the family name.
    """
    stripped = text.strip().rstrip(".!?").strip()
    if language == "ko" or re.search(r"[가-힣]", stripped):
        core = _NAME_END_KO.sub("", _NAME_LEAD_KO.sub("", stripped)).replace(" ", "")
        return bool(re.fullmatch(r"[가-힣]{3}", core) and core[0] in _SURNAMES_KO) or bool(
            re.fullmatch(r"(?:남궁|황보|선우|제갈|독고)[가-힣]{2}", core)
        )
    core = _NAME_LEAD_EN.sub("", stripped)
    core = re.sub(r",?\s*please$", "", core, flags=re.IGNORECASE)
    words = core.replace(",", " ").split()
    return 2 <= len(words) <= 4 and all(
        w[0].isupper()
        and w.replace("-", "").replace("'", "").isalpha()
        and w.lower() not in _NOT_NAME_EN
        for w in words
    )


def judge_completeness(
    text: str,
    language: str,
    expects: str | None,
    result: NLUResult | None,
    *,
    slot: str | None = None,
) -> Completeness:
    """Whether a speculative transcript completes what the dialogue asked.

    Args:
        text: the transcript so far.
        language: ``ko`` or ``en``.
        expects: what the dialogue waits for: a slot type (``date``, ``time``, ``count``,
            ``phone``, ``name``, ``category``...), ``yesno`` at a read-back, or ``None`` (an
            open question such as the greeting).
        result: the NLU's parse of ``text`` in the dialogue context (``None``: not parsed).
        slot: the name of the awaited slot (``party_size`` for ``count``).

    Returns:
        ``COMPLETE`` when it answers what was asked (``CLOSED`` when its last words also close
        the sentence: "…, please", "…이요"); ``INCOMPLETE`` when the caller is mid-sentence or
        mid-number; ``UNSURE`` otherwise.
    """
    decision = _judge(text, language, expects, result, slot)
    if decision is Completeness.COMPLETE and _closes(text, language):
        return Completeness.CLOSED
    return decision


def _judge(
    text: str, language: str, expects: str | None, result: NLUResult | None, slot: str | None
) -> Completeness:
    if not text.strip():
        return Completeness.UNSURE
    if _trails_off(text, language) or _hangs_inside(text):
        return Completeness.INCOMPLETE
    found = {s.name for s in result.slots} if result is not None else set()
    if _repeats_itself(text) or _says_twice(text):
        return Completeness.INCOMPLETE  # a hallucination of a cut utterance: wait for the rest
    if expects == "phone":
        digits = phone_digits(text)
        if "phone" in found or len(digits) >= 3:
            if not digits:
                return Completeness.COMPLETE
            judged = _phone_complete(digits, language)
            if judged is Completeness.COMPLETE and _repeated_digits(text):
                return Completeness.UNSURE
            return judged
    answered = expects is not None and bool({expects, slot} & found)
    if expects == "yesno" and result is not None:
        answered = answered or result.intent in ("affirm", "deny")
    if expects == "datetime":
        answered = {"date", "time"} <= found
    if not answered and (_partial_when(text, language) or (language == "ko" and _hangs_ko(text))):
        return Completeness.INCOMPLETE
    if not answered and expects in ("date", "time", "datetime") and _mentions_when(text, language):
        return Completeness.INCOMPLETE  # "In the evening, around…": the time is still to come
    sure = (
        result is not None
        and result.intent not in (OUT_OF_SCOPE, "inform")
        and result.confidence >= 0.8
    )
    if (
        not answered
        and language == "ko"
        and expects != "name"
        and not _final_ko(text)
        and not (sure and expects is None)
    ):
        # neither what was asked nor a finished sentence: Whisper's reading of a fragment
        # ("저녁" → "종료", "다음 주" → "다음초", "저 그" → "쫙글"); the rest is still to come.
        # Not a request the NLU is sure of at an open question: Whisper's "예약하고시퍼별" for
        # "예약하고 싶어요" waits as unsure (0.5 s), not as unfinished (1.5 s).
        return Completeness.INCOMPLETE
    if answered and expects == "yesno" and _asks_back(text):
        return Completeness.INCOMPLETE  # "Yes, but" read as "Yes, what?": the caller goes on
    if answered and expects != "name":
        return Completeness.COMPLETE
    if expects == "name":
        return Completeness.COMPLETE if _whole_name(text, language) else Completeness.INCOMPLETE
    if result is None or expects == "name":
        return Completeness.UNSURE
    # an open question, or another request than the one asked ("what time do you close?")
    if sure and language == "ko" and not _final_ko(text):
        return Completeness.UNSURE  # "예약한 고…": the request is clear, the sentence is not over
    if sure and (expects is None or result.intent not in ("affirm", "deny")):
        return Completeness.COMPLETE
    return Completeness.UNSURE


def session_judge(understand: Callable[[str], Any] | None, language: str) -> TurnJudge | None:
    """The completeness judge of a call whose session can ``understand`` a transcript.

    ``understand(text)`` (:meth:`agent.session.CallSession.understand`) returns what the
    dialogue awaits (its type, the slot's name) and the NLU's parse in that context, or
    ``None`` while a turn is being decided; blocking, so the judge runs in a worker thread.
    """
    if understand is None:
        return None

    def judge(text: str) -> Completeness:
        seen = understand(text)
        if seen is None:
            return Completeness.UNSURE
        expects, slot, result = seen
        return judge_completeness(text, language, expects, result, slot=slot)

    return judge
