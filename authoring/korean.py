"""Korean text helpers for augmentation: particle agreement, numerals, sentence endings.

- :func:`attach` / :func:`agree`: a particle after a word agrees with its last sound —
  이/가, 을/를, 은/는, 과/와, (으)로 (ㄹ takes 로: 내일로, 서울로), 이랑/랑, 이에요/예요, 이요/요.
  Digits are read as Sino-Korean (4 = 사, 7 = 칠 ends in ㄹ), Latin letters by their English
  sound.
- :func:`native_count` / :func:`count_variants`: counts of people use native numerals with
  명, 분 and 사람 (네 명, 두 분, 스무 명), never Sino ones (사 명).
- :data:`ENDINGS`: one sentence ending in three speech levels (해요 / 합니다 / 해).
"""

from __future__ import annotations

import re

__all__ = [
    "ENDINGS",
    "NATIVE",
    "agree",
    "attach",
    "count_variants",
    "final_consonant",
    "has_final",
    "native_count",
    "time_variants",
]

_JONG_RIEUL = 8
# final consonant of the Sino-Korean reading of each digit: 영 일 이 삼 사 오 육 칠 팔 구
_DIGIT_FINAL = {"0": 21, "1": 8, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": 8, "8": 8, "9": 0}
# 십 백 천 만: a number ending in zeros is read by its last power of ten
_TENS_FINAL = {1: 17, 2: 1, 3: 4, 4: 4}  # 십 (ㅂ), 백 (ㄱ), 천 (ㄴ), 만 (ㄴ)
_LATIN_FINAL_SOUNDS = re.compile(r"(?:[lmnr]|ng|[bdgkpt])$", re.IGNORECASE)


def final_consonant(word: str) -> int | None:
    """Index of the final consonant (jongseong) of the last sound of ``word``.

    Returns 0 for a vowel ending, the jongseong index (1..27) otherwise, or ``None`` when the
    word has nothing readable (punctuation only).
    """
    stripped = word.rstrip(" .,!?~'\")]")
    if not stripped:
        return None
    ch = stripped[-1]
    if "가" <= ch <= "힣":
        return (ord(ch) - 0xAC00) % 28
    if ch.isdigit():
        digits = re.search(r"\d+$", stripped)
        assert digits is not None
        number = digits.group(0)
        zeros = len(number) - len(number.rstrip("0"))
        if zeros and number.strip("0"):
            return _TENS_FINAL.get(min(zeros, 4), 4)
        return _DIGIT_FINAL[ch]
    if ch.isascii() and ch.isalpha():
        return (
            _JONG_RIEUL
            if ch.lower() in "lr"
            else (4 if _LATIN_FINAL_SOUNDS.search(stripped) else 0)
        )
    return None


def has_final(word: str) -> bool:
    """Whether the last sound of ``word`` ends in a consonant (받침)."""
    return bool(final_consonant(word))


#: particle -> (after a consonant, after a vowel); (으)로 is special-cased for ㄹ
_PAIRS: tuple[tuple[str, str], ...] = (
    ("이에요", "예요"),
    ("이랑", "랑"),
    ("으로", "로"),
    ("이요", "요"),
    ("이", "가"),
    ("을", "를"),
    ("은", "는"),
    ("과", "와"),
)
_CANONICAL = {
    "이/가": ("이", "가"),
    "을/를": ("을", "를"),
    "은/는": ("은", "는"),
    "와/과": ("과", "와"),
    "과/와": ("과", "와"),
    "(으)로": ("으로", "로"),
    "(이)랑": ("이랑", "랑"),
    "(이)에요": ("이에요", "예요"),
    "(이)요": ("이요", "요"),
}


def attach(word: str, particle: str) -> str:
    """The particle that agrees with ``word`` (not the word itself).

    Args:
        word: the word the particle follows.
        particle: either form (``이`` or ``가``) or a written pair (``이/가``, ``(으)로``).

    Returns:
        The right form: ``attach("4명", "이/가") == "이"``, ``attach("내일", "(으)로") == "로"``.
    """
    pair = _CANONICAL.get(particle)
    if pair is None:
        pair = next((p for p in _PAIRS if particle in p), (particle, particle))
    final = final_consonant(word)
    if final is None:
        return pair[1]
    if pair == ("으로", "로"):
        return "로" if final in (0, _JONG_RIEUL) else "으로"
    return pair[0] if final else pair[1]


# a particle at the start of the text after a slot; longest first, then a word boundary
_LEADING = re.compile(
    r"^(\(이\)에요|\(이\)요|\(으\)로|\(이\)랑|이/가|을/를|은/는|와/과|과/와|"
    r"이에요|예요|이랑|랑|으로|로|이요|요|이|가|을|를|은|는|과|와)"
    r"(?=$|[\s.,!?~]|[가-힣])"
)
_SAFE_FOLLOWERS = ("이에요", "예요", "으로", "로", "이요", "요", "이랑", "랑")


def agree(word: str, following: str) -> str:
    """Make the particle that starts ``following`` agree with ``word``; the rest is kept.

    A one-syllable particle (이, 가, 을, 를, 은, 는, 과, 와) counts only when a space, a
    punctuation mark or the end follows it, so ``"[4명](party_size)이서"`` keeps 이서.
    """
    m = _LEADING.match(following)
    if not m:
        return following
    particle = m.group(1)
    rest = following[m.end() :]
    if (
        particle not in _CANONICAL
        and particle not in _SAFE_FOLLOWERS
        and rest
        and not rest[0].isspace()
        and rest[0] not in ".,!?~"
    ):
        return following
    if particle in ("로", "으로") and rest[:1] in ("서",):  # 으로서 / 로서: same rule, fine
        pass
    return attach(word, particle) + rest


#: native numerals for counting people (1..99)
NATIVE = {
    1: "한",
    2: "두",
    3: "세",
    4: "네",
    5: "다섯",
    6: "여섯",
    7: "일곱",
    8: "여덟",
    9: "아홉",
    10: "열",
    20: "스무",
    30: "서른",
    40: "마흔",
    50: "쉰",
}
_NATIVE_TENS = {20: "스물", 30: "서른", 40: "마흔", 50: "쉰"}


def native_count(n: int) -> str | None:
    """The native numeral of ``n`` before a counter (4 -> 네, 12 -> 열두, 20 -> 스무), up to 59."""
    if n in NATIVE:
        return NATIVE[n]
    tens, ones = divmod(n, 10)
    if not 1 <= tens <= 5 or ones == 0:
        return None
    head = "열" if tens == 1 else _NATIVE_TENS[tens * 10]
    return head + NATIVE[ones]


_NATIVE_TO_INT: dict[str, int] = {}
for _n in range(1, 60):
    _w = native_count(_n)
    if _w:
        _NATIVE_TO_INT[_w] = _n
_COUNT = re.compile(
    r"^(?P<num>\d+|" + "|".join(sorted(_NATIVE_TO_INT, key=len, reverse=True)) + r")"
    r"\s*(?P<counter>명|분|사람)$"
)


def count_variants(text: str) -> list[str]:
    """Other ways to say a count of people: ``4명`` -> ``네 명``, ``네 분``, ``4인``...

    Only a whole slot text of the form NUMBER + 명/분/사람 is rewritten; anything else gives
    no variants. Sino-Korean numerals (사 명) are never produced.
    """
    m = _COUNT.match(text.strip())
    if not m:
        return []
    num = m.group("num")
    n = int(num) if num.isdigit() else _NATIVE_TO_INT[num]
    native = native_count(n)
    # a digit before 분 reads as minutes (4분): people counted with 분 take native numerals
    forms = [f"{n}명"]
    if native:
        forms += [f"{native} 명", f"{native} 분", f"{native}명", f"{native} 사람"]
    forms.append(f"{n} 명")
    return [f for f in dict.fromkeys(forms) if f != text.strip()]


_HOUR_NATIVE = {n: (native_count(n) or "") for n in range(1, 13)}
_HOUR_TO_INT = {v: k for k, v in _HOUR_NATIVE.items()}
_HOUR = re.compile(
    r"(?P<num>\d{1,2}|" + "|".join(sorted(_HOUR_TO_INT, key=len, reverse=True)) + r")\s*시"
)


def time_variants(text: str) -> list[str]:
    """Other ways to say an hour: ``7시`` <-> ``일곱 시`` (hours take native numerals).

    Minutes stay as they are (``30분`` is Sino-Korean, ``반`` is half past).
    """
    m = _HOUR.search(text)
    if not m:
        return []
    num = m.group("num")
    n = int(num) if num.isdigit() else _HOUR_TO_INT[num]
    if not 1 <= n <= 12:
        return []
    forms = [f"{_HOUR_NATIVE[n]} 시", f"{n}시"]
    out = [text[: m.start()] + f + text[m.end() :] for f in forms]
    return [f for f in dict.fromkeys(out) if f != text]


#: one sentence ending in three speech levels: (해요체, 합니다체, 해체)
ENDINGS: tuple[tuple[str, str, str], ...] = (
    ("하고 싶어요", "하고 싶습니다", "하고 싶어"),
    ("고 싶어요", "고 싶습니다", "고 싶어"),
    ("해 주세요", "해 주십시오", "해 줘"),
    ("해 주실 수 있나요", "해 주실 수 있습니까", "해 줄 수 있어"),
    ("바꿔 주세요", "바꿔 주십시오", "바꿔 줘"),
    ("주세요", "주십시오", "줘"),
    ("할게요", "하겠습니다", "할게"),
    ("할 수 있나요", "할 수 있습니까", "할 수 있어"),
    ("되나요", "됩니까", "돼"),
    ("돼요", "됩니다", "돼"),
    ("있나요", "있습니까", "있어"),
    ("있어요", "있습니다", "있어"),
    ("없어요", "없습니다", "없어"),
    ("가능한가요", "가능합니까", "가능해"),
    ("가능해요", "가능합니다", "가능해"),
    ("하려고요", "하려고 합니다", "하려고"),
    ("려고요", "려고 합니다", "려고"),
    ("는데요", "는데요", "는데"),
    ("했어요", "했습니다", "했어"),
    ("해요", "합니다", "해"),
    ("이에요", "입니다", "이야"),
    ("예요", "입니다", "야"),
    ("좋아요", "좋습니다", "좋아"),
    ("괜찮아요", "괜찮습니다", "괜찮아"),
    ("아파요", "아픕니다", "아파"),
    ("먹었어요", "먹었습니다", "먹었어"),
    ("잤어요", "잤습니다", "잤어"),
)
