"""Runs of digits in text as a recogniser sees them: written, dictated, or both mixed.

A phone, card or account number reaches the agent the way Whisper writes what the caller said:
``"010-1234-5678"``, ``"공일공 일이삼사 오육칠팔"``, ``"구공공일공일 다시 일이삼사오육칠"``,
``"four one one one, one one one one"``, ``"oh one oh 1234 5678"``. :func:`digit_runs` finds
each maximal run of digit groups joined only by separators (spaces, ``-``, ``.``, ``,``,
brackets, ``다시``, ``에``, ``하고``, ``dash``) and gives every group its digits and its span
in the text, so a recogniser can test any consecutive groups and a redactor can mask exactly
the characters they came from.

Korean digit syllables (공 영 일 이 삼 사 오 육 칠 팔 구) are also ordinary syllables
("사람", "오늘", "일요일"): a run of them counts only where it stands as a word of its own —
after a space, a separator or the start, and before a non-Hangul character, a separator or a
particle ("이에요", "요", "이고", ...). A trailing ``이`` before ``요``/``에요``/``고`` is the
copula ("오육칠팔이에요" ends in 8), and Hangul right after written digits is a particle or a
unit ("5678이", "3일"), never a digit.

Standard library only (this is :mod:`common`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DigitGroup", "DigitRun", "digit_runs"]

_KO_DIGITS = dict(zip("공영빵일이삼사오육륙칠팔구", "0001234566789", strict=True))
_EN_DIGITS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_EN_WORDS = "|".join(sorted([*_EN_DIGITS, "double", "triple"], key=len, reverse=True))
_TOKEN = re.compile(
    r"(?P<num>[0-9０-９]+)"
    r"|(?P<ko>[공영빵일이삼사오육륙칠팔구]+)"
    rf"|(?P<en>\b(?:{_EN_WORDS})\b(?!'))"
    r"|(?P<sep>다시|하고|\bdash\b|\bhyphen\b|[-–—.,()/+]|\s+|에(?![가-힣])|에(?=[공영빵일이삼사오육륙칠팔구]))",
    re.IGNORECASE,
)
# Particles and endings that may follow a run of Korean digit syllables.
_KO_AFTER = re.compile(
    r"(?:이요|이에요|이에여|이고|이구요|이구|이야|이며|이랑|이라|입니다|이었|였|예요|에요|요|고|"
    r"에|다시|하고|번|은|는|을|를|으로|로|까지|랑|과|와|도|만|이|라고|인데|이니|니까)"
)
# A trailing 이 followed by these is the copula, not the digit 2.
_COPULA_AFTER = re.compile(r"(?:요|에요|에여|고|구|야|며|랑|라|었|니)")
_HANGUL = re.compile(r"[가-힣]")
_LATIN = re.compile(r"[A-Za-z_]")
_MAX_GAP = 8  # characters of separators allowed between two groups of one run


@dataclass(frozen=True)
class DigitGroup:
    """One group of digits as said or written ("010", "일이삼사", "four one one one").

    Attributes:
        digits: its digits (ASCII).
        start: its first character in the text.
        end: one past its last character.
        spoken: said in words (Korean syllables or English words), not written in digits.
    """

    digits: str
    start: int
    end: int
    spoken: bool


@dataclass(frozen=True)
class DigitRun:
    """Groups of digits joined only by separators, in text order."""

    groups: tuple[DigitGroup, ...]

    @property
    def digits(self) -> str:
        """All its digits."""
        return "".join(g.digits for g in self.groups)


def _en_digits(words: list[str]) -> str:
    out: list[str] = []
    repeat = 1
    for word in words:
        low = word.lower()
        if low in ("double", "triple"):
            repeat = 2 if low == "double" else 3
            continue
        out.append(_EN_DIGITS[low] * repeat)
        repeat = 1
    return "".join(out)


def _ko_group(text: str, start: int, end: int, glued_before: bool) -> tuple[int, int] | None:
    """Where a run of Korean digit syllables is a number word of its own (else ``None``)."""
    if start > 0 and _HANGUL.match(text[start - 1]) and not glued_before:
        return None  # inside a word: "사람", "제일"
    if end < len(text) and _HANGUL.match(text[end]):
        rest = text[end:]
        if text[end - 1] == "이" and end - 1 > start and _COPULA_AFTER.match(rest):
            end -= 1  # "오육칠팔이에요": the copula
        elif not _KO_AFTER.match(rest) and end - start < 4:
            return None  # "오늘", "일곱", "삼성"
    return start, end


def digit_runs(text: str) -> list[DigitRun]:
    """The runs of digits in ``text``, written or dictated (see the module docstring)."""
    runs: list[DigitRun] = []
    groups: list[DigitGroup] = []
    en_words: list[str] = []
    en_span: list[int] = []
    gap = 0  # separator characters since the last group
    last_end = -1  # where the previous token (group or separator) ended

    def close_en() -> None:
        if en_words:
            groups.append(DigitGroup(_en_digits(en_words), en_span[0], en_span[1], True))
            en_words.clear()

    def close_run() -> None:
        nonlocal gap
        close_en()
        if groups:
            runs.append(DigitRun(tuple(groups)))
            groups.clear()
        gap = 0

    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if start != last_end and last_end >= 0:
            close_run()  # other text between: the run is over
        kind = match.lastgroup
        if kind == "sep":
            last_end = end
            sep = match.group()
            if sep.isspace() and en_words:
                gap += end - start
                continue  # "four one one one": words of one group
            close_en()
            gap += end - start
            if gap > _MAX_GAP:
                close_run()
            continue
        if kind == "en":
            word = match.group()
            if en_words:
                en_span[1] = end
            else:
                if groups and gap == 0:
                    close_run()
                en_span[:] = [start, end]
            en_words.append(word)
            last_end = end
            gap = 0
            continue
        close_en()
        if kind == "num":
            if _LATIN.match(text[start - 1 : start]) or _LATIN.match(text[end : end + 1]):
                close_run()  # inside an identifier: "5d8c44b7118b", "CA1234…", "1Z999AA1"
                last_end = -1
                continue
            if groups and gap == 0:
                close_run()  # "3월4" is not one number
            digits = "".join(str(int(ch)) for ch in match.group())
            groups.append(DigitGroup(digits, start, end, False))
            last_end, gap = end, 0
            continue
        # Korean digit syllables
        glued = start == last_end  # right after a separator such as 에 or 다시
        if start > 0 and text[start - 1].isdigit():
            close_run()  # "5678이", "3일": a particle or a unit after written digits
            last_end = end
            continue
        span = _ko_group(text, start, end, glued)
        if span is None:
            close_run()
            last_end = -1
            continue
        ko_start, ko_end = span
        groups.append(
            DigitGroup(
                "".join(_KO_DIGITS[ch] for ch in text[ko_start:ko_end]), ko_start, ko_end, True
            )
        )
        gap = 0
        last_end = ko_end
        if ko_end != end:
            close_run()
            last_end = -1
    close_run()
    return runs
