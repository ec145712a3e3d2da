"""The recognisers of personal numbers: each scores a candidate from its digits and context.

The structure is Presidio's (a recogniser per entity kind; a pattern, then a validator that
raises or drops the score — date, check digit, Luhn, number plan —, then context words around
the match that raise it, and words that lower it: "주문번호", "order number"), on the digit runs
of :mod:`common.digit_runs` instead of regular expressions over the raw text, so dictated
numbers are read like written ones. Why not Presidio itself: docs/privacy.md.

A candidate is one or more consecutive groups of a run; its ``shape`` is the lengths of its
groups (``(3, 4, 4)`` for "010-1234-5678"; one group when dictated without pauses).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["RECOGNIZERS", "Candidate", "Recognizer", "national_phone"]

#: Words after which a number is someone's reference, not personal data ("주문번호 ...").
NOT_PERSONAL = (
    "주문번호",
    "주문 번호",
    "예약번호",
    "예약 번호",
    "승인번호",
    "승인 번호",
    "송장",
    "운송장",
    "영수증",
    "접수번호",
    "접수 번호",
    "티켓",
    "order number",
    "order no",
    "order #",
    "order id",
    "confirmation",
    "booking number",
    "booking reference",
    "reference number",
    "tracking",
    "invoice",
    "receipt",
    "ticket",
)


@dataclass(frozen=True)
class Candidate:
    """Consecutive digit groups of a run, with the text around them.

    Attributes:
        digits: the digits.
        shape: the lengths of its groups.
        before: up to 40 characters before it (lower case).
        after: up to 20 characters after it (lower case).
    """

    digits: str
    shape: tuple[int, ...]
    before: str
    after: str

    def near(self, words: Sequence[str]) -> bool:
        """One of ``words`` stands just before or after the candidate."""
        return any(w in self.before or w in self.after for w in words)


class Recognizer:
    """One kind of personal number: a pattern, validators and context words.

    Subclasses set ``kind`` (the mask says it: ``[RRN]``), ``context`` (words that make the
    kind likely) and implement :meth:`base_score` (0 when the digits cannot be of the kind).
    """

    kind = ""
    context: tuple[str, ...] = ()
    against: tuple[str, ...] = ()  # words of another kind: "account number" is no phone
    context_boost = 0.35
    not_personal_penalty = 0.45

    def score(self, cand: Candidate) -> float:
        """How likely ``cand`` is this kind, 0..1 (redacted from :data:`THRESHOLD` on)."""
        base = self.base_score(cand)
        if base <= 0:
            return 0.0
        if cand.near(self.context):
            base += self.context_boost
        if cand.near(NOT_PERSONAL):
            base -= self.not_personal_penalty
        if cand.near(self.against):
            base -= 0.3
        return max(0.0, min(1.0, base))

    def base_score(self, cand: Candidate) -> float:  # pragma: no cover - abstract
        """The score from the digits and their grouping alone."""
        raise NotImplementedError


def _rrn_date_ok(digits: str) -> bool:
    """A real birth date: in its calendar, and not in the future (the 7th digit's century)."""
    century = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000}
    century |= {"8": 2000, "9": 1800, "0": 1800}
    year = century[digits[6]] + int(digits[:2])
    month, day = int(digits[2:4]), int(digits[4:6])
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        return False
    return date(year, month, day) <= date.today()


def _rrn_checksum_ok(digits: str) -> bool:
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    total = sum(int(d) * w for d, w in zip(digits[:12], weights, strict=True))
    return (11 - total % 11) % 10 == int(digits[12])


class ResidentNumberRecognizer(Recognizer):
    """주민등록번호 / 외국인등록번호: YYMMDD-GNNNNNN, 13 digits.

    A valid birth date with a sex/century digit 1–8 is enough; the check digit (numbers issued
    before October 2020) and context words raise the score. Any 13 digits after "주민번호" count.
    """

    kind = "RRN"
    context = (
        "주민",
        "주민번호",
        "주민등록",
        "외국인등록",
        "등록번호",
        "생년월일",
        "resident registration",
        "registration number",
        "resident number",
        "rrn",
        "social security",
        "ssn",
        "national id",
    )
    context_boost = 0.4

    def base_score(self, cand: Candidate) -> float:
        digits = cand.digits
        if len(digits) != 13 or cand.shape not in ((13,), (6, 7)):
            return 0.0
        if digits[6] not in "12345678" or not _rrn_date_ok(digits):
            return 0.15
        return 0.9 if _rrn_checksum_ok(digits) else 0.6


def luhn_ok(digits: str) -> bool:
    """The Luhn check of card numbers."""
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


_CARD_SHAPES = {(4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3), (4, 4, 4, 3), (4, 4, 4, 2)}


class CardRecognizer(Recognizer):
    """Payment cards: 13–19 digits starting 2–6 or 9 (Korean domestic), Luhn-checked.

    A number that fails Luhn is a card only next to "카드" / "card" (a digit misheard).
    """

    kind = "CARD"
    context = (
        "카드",
        "card",
        "visa",
        "비자",
        "마스터",
        "master",
        "amex",
        "credit",
        "debit",
        "신용",
        "체크",
        "결제",
        "cvc",
        "유효기간",
    )
    context_boost = 0.3

    def base_score(self, cand: Candidate) -> float:
        digits = cand.digits
        if not 13 <= len(digits) <= 19 or digits[0] not in "234569":
            return 0.0
        if len(cand.shape) > 1 and cand.shape not in _CARD_SHAPES:
            return 0.0
        if luhn_ok(digits):
            return 0.8 if len(digits) in (15, 16) else 0.65
        return 0.25


#: Group shapes of Korean banks' account numbers (국민, 신한, 우리, 하나, 농협, 기업,
#: 카카오뱅크, 토스뱅크, 케이뱅크, SC제일, 씨티, 새마을금고, 우체국, 수협, 대구, 부산).
_BANK_SHAPES = {
    (6, 2, 6),
    (3, 2, 4, 3),
    (4, 2, 7),
    (3, 3, 6),
    (3, 2, 6),
    (4, 3, 6),
    (3, 6, 5),
    (3, 4, 4, 2),
    (3, 2, 6, 1),
    (3, 6, 2, 3),
    (3, 3, 3, 3),
    (4, 4, 4),
    (3, 4, 4, 3),
    (3, 8, 2),
    (3, 6, 3),
    (3, 2, 6, 3),
    (6, 2, 5),
    (4, 4, 5),
    (3, 3, 3),
    (3, 3, 6, 1),
    (2, 2, 6),
    (3, 6, 6),
    (5, 2, 6),
    (6, 6),
}


class AccountRecognizer(Recognizer):
    """Bank account numbers: Korean banks' groupings (10–14 digits), any 8–17 digits in context.

    A bare run of digits is an account only next to a bank word ("계좌", "통장", "국민은행",
    "account number", "bank"); a grouping that is a Korean bank's format is one by itself.
    """

    kind = "ACCOUNT"
    context = (
        "계좌",
        "통장",
        "입금",
        "송금",
        "이체",
        "은행",
        "뱅크",
        "국민",
        "신한",
        "농협",
        "카카오",
        "토스",
        "새마을",
        "우체국",
        "수협",
        "account",
        "acct",
        "bank",
        "routing",
        "iban",
        "deposit",
        "transfer",
        "savings",
        "checking",
    )
    context_boost = 0.4

    def base_score(self, cand: Candidate) -> float:
        n = len(cand.digits)
        if not 8 <= n <= 17:
            return 0.0
        if cand.shape in _BANK_SHAPES and 10 <= n <= 14:
            return 0.55
        return 0.2 if n >= 10 else 0.15


def national_phone(digits: str) -> str:
    """A phone number's national digits: 82 10… → 010…, 1 555… (11 digits) → 555…."""
    if digits.startswith("82") and len(digits) in (11, 12) and digits[2] != "0":
        return "0" + digits[2:]
    if digits.startswith("820") and len(digits) in (12, 13):
        return digits[2:]
    if len(digits) == 11 and digits.startswith("1") and digits[1] in "23456789":
        return digits[1:]
    return digits


def _phone_plan_score(digits: str) -> float:
    """How well ``digits`` fit the Korean or North American number plans."""
    n = len(digits)
    if digits.startswith("01") and digits[2:3] in ("0", "1", "6", "7", "8", "9") and n in (10, 11):
        return 0.75  # mobile
    if digits.startswith("02") and n in (9, 10):
        return 0.6  # Seoul
    if digits[:1] == "0" and digits[1:2] in "3456" and digits[2:3] in "12345" and n in (10, 11):
        return 0.6  # other areas
    if digits.startswith(("070", "050")) and n in (11, 12):
        return 0.6  # internet phone, safe numbers
    if n == 10 and digits[0] in "23456789":
        return 0.5  # North America: NXX NXX XXXX
    return 0.0


#: How phone numbers are grouped (after a country code): 010-1234-5678, 02-123-4567,
#: (555) 123-4567, 010 12345678; dictated without pauses: one group.
_PHONE_SHAPES = {(3, 4, 4), (3, 3, 4), (2, 3, 4), (2, 4, 4), (3, 7), (3, 8), (2, 7), (2, 8)}


def _phone_shape_ok(shape: tuple[int, ...], digits: str) -> bool:
    if len(shape) == 1:
        return True
    if digits.startswith("82") and shape[0] == 2:
        shape = (shape[1] + 1, *shape[2:])  # +82 10-1234-5678: the 0 of 010 dropped
    elif digits.startswith("1") and shape[0] == 1:
        shape = shape[1:]  # 1-555-123-4567
    return shape in _PHONE_SHAPES or len(shape) == 1


class PhoneRecognizer(Recognizer):
    """Phone numbers (Korean and North American plans); business numbers (1588-…) are not."""

    kind = "PHONE"
    context = (
        "전화",
        "번호",
        "연락",
        "핸드폰",
        "휴대폰",
        "휴대전화",
        "폰",
        "phone",
        "number",
        "call",
        "cell",
        "mobile",
        "reach",
        "text me",
        "contact",
    )
    against = ("계좌", "통장", "account", "bank", "카드", "card", "주민", "resident")
    context_boost = 0.3

    def base_score(self, cand: Candidate) -> float:
        digits = national_phone(cand.digits)
        score = _phone_plan_score(digits)
        if score == 0.0 and len(digits) == 7 and digits[0] in "23456789":
            return 0.25 if cand.shape in ((3, 4), (7,)) else 0.0  # "555-1234", in context
        if not _phone_shape_ok(cand.shape, cand.digits):
            return 0.0  # "2026-12-03 19": grouped unlike a phone number
        return score


#: Every recogniser, strongest evidence first (ties go to the earlier one).
RECOGNIZERS: tuple[Recognizer, ...] = (
    ResidentNumberRecognizer(),
    CardRecognizer(),
    PhoneRecognizer(),
    AccountRecognizer(),
)
