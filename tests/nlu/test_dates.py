from datetime import date

import pytest

from nlu.parsers import extract_dates

from .helpers import check_spans, only

TODAY = date(2026, 11, 25)  # a Wednesday
SAT = date(2026, 11, 28)
SUN = date(2026, 11, 29)
FRI = date(2026, 11, 27)

KO_CASES = [
    ("오늘", date(2026, 11, 25)),
    ("내일", date(2026, 11, 26)),
    ("모레", date(2026, 11, 27)),
    ("글피", date(2026, 11, 28)),
    ("이번 주 금요일", date(2026, 11, 27)),
    ("이번주 금요일", date(2026, 11, 27)),
    ("다음 주 금요일", date(2026, 12, 4)),
    ("다음주 금욜", date(2026, 12, 4)),
    ("담주 금요일", date(2026, 12, 4)),
    ("다다음주 금요일", date(2026, 12, 11)),
    ("금요일", date(2026, 11, 27)),
    ("토요일", date(2026, 11, 28)),
    ("12월 3일", date(2026, 12, 3)),
    ("3일", date(2026, 12, 3)),
    ("3일날", date(2026, 12, 3)),
    ("25일", date(2026, 11, 25)),
    ("24일", date(2026, 12, 24)),
    ("주말", date(2026, 11, 28)),
    ("이번 주말", date(2026, 11, 28)),
    ("다음 주말", date(2026, 12, 5)),
    ("내일 모레", date(2026, 11, 27)),
    ("내일모레", date(2026, 11, 27)),
    ("11월 20일", date(2027, 11, 20)),
    ("1월 5일", date(2027, 1, 5)),
    ("2027년 1월 2일", date(2027, 1, 2)),
    ("다음 달 15일", date(2026, 12, 15)),
    ("크리스마스", date(2026, 12, 25)),
    ("이틀 뒤", date(2026, 11, 27)),
    ("어제", date(2026, 11, 24)),
]

EN_CASES = [
    ("today", date(2026, 11, 25)),
    ("tonight", date(2026, 11, 25)),
    ("this evening", date(2026, 11, 25)),
    ("tomorrow", date(2026, 11, 26)),
    ("the day after tomorrow", date(2026, 11, 27)),
    ("day after tomorrow", date(2026, 11, 27)),
    ("Friday", date(2026, 11, 27)),
    ("this Friday", date(2026, 11, 27)),
    ("Friday next week", date(2026, 12, 4)),
    ("Saturday", date(2026, 11, 28)),
    ("next Monday", date(2026, 11, 30)),
    ("Dec 3rd", date(2026, 12, 3)),
    ("Dec. 3", date(2026, 12, 3)),
    ("December 3", date(2026, 12, 3)),
    ("3rd of December", date(2026, 12, 3)),
    ("3 December", date(2026, 12, 3)),
    ("the 3rd", date(2026, 12, 3)),
    ("the twenty-first", date(2026, 12, 21)),
    ("12/3", date(2026, 12, 3)),
    ("12/3/2026", date(2026, 12, 3)),
    ("December 3rd, 2027", date(2027, 12, 3)),
    ("this weekend", date(2026, 11, 28)),
    ("the weekend", date(2026, 11, 28)),
    ("next weekend", date(2026, 12, 5)),
    ("November 20", date(2027, 11, 20)),
    ("Jan 5", date(2027, 1, 5)),
    ("the 20th", date(2026, 12, 20)),
    ("yesterday", date(2026, 11, 24)),
]


@pytest.mark.parametrize(("text", "expected"), KO_CASES)
def test_ko_dates(text: str, expected: date) -> None:
    slots = extract_dates(text, "ko", TODAY)
    s = only(slots)
    assert s.value == expected
    assert s.name == "date"
    assert s.text == text
    assert (s.start, s.end) == (0, len(text))


@pytest.mark.parametrize(("text", "expected"), EN_CASES)
def test_en_dates(text: str, expected: date) -> None:
    s = only(extract_dates(text, "en", TODAY))
    assert s.value == expected
    assert s.text == text


@pytest.mark.parametrize(
    ("text", "lang", "span", "expected"),
    [
        ("금요일 저녁 7시에 4명 예약할게요", "ko", "금요일", date(2026, 11, 27)),
        ("이번주 금욜 저녁 일곱시 반에 네 명이요", "ko", "이번주 금욜", date(2026, 11, 27)),
        ("내일 점심 예약 가능해요?", "ko", "내일", date(2026, 11, 26)),
        ("3일날 7시에 갈게요", "ko", "3일날", date(2026, 12, 3)),
        ("오늘 밤 12시요", "ko", "오늘", date(2026, 11, 25)),
        ("다음주 월요일 저녁 7시", "ko", "다음주 월요일", date(2026, 11, 30)),
        ("Can I book on Friday at 7?", "en", "Friday", date(2026, 11, 27)),
        ("a table for two on the 24th please", "en", "the 24th", date(2026, 12, 24)),
        ("tomorrow night at 8", "en", "tomorrow", date(2026, 11, 26)),
        ("I'd like December 3rd if possible", "en", "December 3rd", date(2026, 12, 3)),
        # the day of this month, even when it has passed (the dialogue says it has)
        ("on 11th of this month", "en", "11th of this month", date(2026, 11, 11)),
        ("the 28th of this month please", "en", "the 28th of this month", date(2026, 11, 28)),
        ("on the 2nd of next month", "en", "the 2nd of next month", date(2026, 12, 2)),
        ("on 28th", "en", "28th", date(2026, 11, 28)),
        ("이번 달 11일에", "ko", "이번 달 11일", date(2026, 11, 11)),
        ("이번달 28일로 해 주세요", "ko", "이번달 28일", date(2026, 11, 28)),
        ("다음 달 2일이요", "ko", "다음 달 2일", date(2026, 12, 2)),
    ],
)
def test_dates_in_sentences(text: str, lang: str, span: str, expected: date) -> None:
    slots = extract_dates(text, lang, TODAY)
    check_spans(text, slots)
    s = only(slots)
    assert (s.text, s.value) == (span, expected)
    assert s.start == text.index(span)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("다음주", "ko"),
        ("3시", "ko"),
        ("저녁 7시", "ko"),
        ("1시간 후", "ko"),
        ("지금", "ko"),
        ("네 명", "ko"),
        ("다음 달", "ko"),
        ("2월 30일", "ko"),
        ("at 7 pm", "en"),
        ("2/30", "en"),
        ("on the third floor", "en"),
        ("on 3rd floor", "en"),
        ("I sat there", "en"),
        ("four people", "en"),
        ("555-123-4567", "en"),
    ],
)
def test_not_dates(text: str, lang: str) -> None:
    assert extract_dates(text, lang, TODAY) == []


# --- rules: next Friday, weekends, same weekday, year rollover -------------------------------


def test_en_next_friday_is_friday_of_next_week_and_ambiguous_midweek() -> None:
    s = only(extract_dates("next Friday", "en", TODAY))
    assert s.value == date(2026, 12, 4)
    assert s.ambiguous  # on a Wednesday some callers mean the coming Friday


def test_en_next_friday_on_saturday_is_not_ambiguous() -> None:
    s = only(extract_dates("next Friday", "en", SAT))
    assert (s.value, s.ambiguous) == (date(2026, 12, 4), False)


def test_en_next_friday_on_friday_is_a_week_later() -> None:
    s = only(extract_dates("next Friday", "en", FRI))
    assert (s.value, s.ambiguous) == (date(2026, 12, 4), False)


def test_ko_next_week_friday_is_next_calendar_week() -> None:
    for today in (TODAY, SAT, SUN, date(2026, 11, 23)):
        s = only(extract_dates("다음 주 금요일", "ko", today))
        monday = today.toordinal() - today.weekday() + 7
        assert s.value == date.fromordinal(monday + 4)
        assert not s.ambiguous


def test_ko_bare_next_friday_is_the_coming_one_marked_ambiguous() -> None:
    s = only(extract_dates("다음 금요일", "ko", TODAY))
    assert (s.value, s.ambiguous) == (date(2026, 11, 27), True)


def test_ko_bare_next_friday_on_saturday_is_unambiguous() -> None:
    s = only(extract_dates("다음 금요일", "ko", SAT))
    assert (s.value, s.ambiguous) == (date(2026, 12, 4), False)


@pytest.mark.parametrize(("text", "lang"), [("금요일", "ko"), ("Friday", "en")])
def test_bare_weekday_said_that_day_is_next_week_and_ambiguous(text: str, lang: str) -> None:
    s = only(extract_dates(text, lang, FRI))
    assert (s.value, s.ambiguous) == (date(2026, 12, 4), True)


def test_en_this_friday_on_friday_is_today() -> None:
    assert only(extract_dates("this Friday", "en", FRI)).value == FRI


@pytest.mark.parametrize(
    ("text", "lang"), [("이번 주말", "ko"), ("주말", "ko"), ("this weekend", "en")]
)
def test_weekend_said_on_sunday_is_today(text: str, lang: str) -> None:
    assert only(extract_dates(text, lang, SUN)).value == SUN


def test_ko_this_week_past_weekday_moves_forward_and_is_ambiguous() -> None:
    s = only(extract_dates("이번 주 월요일", "ko", TODAY))
    assert (s.value, s.ambiguous) == (date(2026, 11, 30), True)


@pytest.mark.parametrize(
    ("text", "lang"), [("12월 3일 금요일", "ko"), ("Friday, December 3rd", "en")]
)
def test_weekday_contradicting_date_keeps_date_and_is_ambiguous(text: str, lang: str) -> None:
    s = only(extract_dates(text, lang, TODAY))
    assert s.value == date(2026, 12, 3)  # a Thursday
    assert s.ambiguous
    assert s.text == text


@pytest.mark.parametrize(
    ("text", "lang"), [("12월 4일 금요일", "ko"), ("Friday, December 4", "en")]
)
def test_weekday_matching_date_is_not_ambiguous(text: str, lang: str) -> None:
    s = only(extract_dates(text, lang, TODAY))
    assert (s.value, s.ambiguous) == (date(2026, 12, 4), False)


@pytest.mark.parametrize(
    ("text", "lang"), [("11월 24일", "ko"), ("November 24", "en"), ("11/24", "en")]
)
def test_passed_date_without_year_is_next_year(text: str, lang: str) -> None:
    assert only(extract_dates(text, lang, TODAY)).value == date(2027, 11, 24)


@pytest.mark.parametrize(("text", "lang"), [("11월 25일", "ko"), ("November 25", "en")])
def test_today_without_year_stays_this_year(text: str, lang: str) -> None:
    assert only(extract_dates(text, lang, TODAY)).value == TODAY


def test_en_the_3rd_passed_this_month_is_next_month() -> None:
    assert only(extract_dates("the 3rd", "en", TODAY)).value == date(2026, 12, 3)
    assert only(extract_dates("the 31st", "en", date(2026, 11, 1))).value == date(2026, 12, 31)


def test_year_end_rollover() -> None:
    dec30 = date(2026, 12, 30)
    assert only(extract_dates("1월 2일", "ko", dec30)).value == date(2027, 1, 2)
    assert only(extract_dates("Jan 2nd", "en", dec30)).value == date(2027, 1, 2)
    assert only(extract_dates("내일", "ko", date(2026, 12, 31))).value == date(2027, 1, 1)
    assert only(extract_dates("tomorrow", "en", date(2026, 12, 31))).value == date(2027, 1, 1)
