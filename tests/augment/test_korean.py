"""Particles agree with the word before them; counts of people take native numerals."""

from __future__ import annotations

import pytest

from authoring.korean import agree, attach, count_variants, native_count, time_variants


@pytest.mark.parametrize(
    ("word", "particle", "expected"),
    [
        ("룸", "이/가", "이"),
        ("홀", "이/가", "이"),
        ("테라스", "이/가", "가"),
        ("예약", "을/를", "을"),
        ("시간", "은/는", "은"),
        ("날짜", "은/는", "는"),
        ("날짜", "을/를", "를"),
        ("친구", "와/과", "와"),
        ("가족", "와/과", "과"),
        ("방", "(으)로", "으로"),
        ("테라스", "(으)로", "로"),
        ("내일", "(으)로", "로"),  # ㄹ takes 로
        ("8시", "(으)로", "로"),
        ("4명", "(이)요", "이요"),
        ("7시", "(이)요", "요"),
        ("김민수", "(이)에요", "예요"),
        ("박지훈", "(이)에요", "이에요"),
        ("010-1234-5678", "(이)에요", "이에요"),  # 팔
        ("7", "(으)로", "로"),  # 칠
        ("3", "(으)로", "으로"),  # 삼
        ("10", "은/는", "은"),  # 십
        ("2", "이/가", "가"),  # 이
        ("가족", "와", "과"),  # either form names the pair
    ],
)
def test_attach(word: str, particle: str, expected: str) -> None:
    assert attach(word, particle) == expected


def test_agree_fixes_only_a_leading_particle() -> None:
    assert agree("테라스", "으로 해 주세요") == "로 해 주세요"
    assert agree("룸", "가 있나요") == "이 있나요"
    assert agree("홀", "를 원해요") == "을 원해요"
    assert agree("두 분", "이서 갈게요") == "이서 갈게요"  # 이서 is not the subject particle
    assert agree("테라스", "에 앉을게요") == "에 앉을게요"  # 에 does not alternate


def test_native_numerals_for_people() -> None:
    assert [native_count(n) for n in (1, 2, 3, 4, 10, 12, 20, 21)] == [
        "한", "두", "세", "네", "열", "열두", "스무", "스물한",
    ]  # fmt: skip


def test_count_variants_never_sino() -> None:
    forms = count_variants("4명")
    assert "네 명" in forms and "네 분" in forms
    assert not any(f.startswith(("사 ", "사명", "4분")) for f in forms)
    assert "6명" in count_variants("여섯 명")
    assert count_variants("내일") == []


def test_hours_take_native_numerals() -> None:
    assert "저녁 일곱 시" in time_variants("저녁 7시")
    assert "7시 반" in time_variants("일곱 시 반")
    assert not any("칠 시" in f for f in time_variants("7시"))
