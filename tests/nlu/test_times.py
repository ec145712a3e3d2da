from datetime import date, time

import pytest

from nlu.parsers import extract_all, extract_period, extract_times

from .helpers import check_spans, only

# (text, value, ambiguous); the whole text is the span
KO_CASES = [
    ("저녁 7시", time(19, 0), False),
    ("저녁 일곱 시", time(19, 0), False),
    ("저녁7시", time(19, 0), False),
    ("오후 세 시 반", time(15, 30), False),
    ("오후 3시 반", time(15, 30), False),
    ("7시 30분", time(7, 30), True),
    ("일곱 시 삼십 분", time(7, 30), True),
    ("19시", time(19, 0), False),
    ("19시 30분", time(19, 30), False),
    ("정오", time(12, 0), False),
    ("자정", time(0, 0), False),
    ("아침 9시", time(9, 0), False),
    ("오전 11시", time(11, 0), False),
    ("밤 9시", time(21, 0), False),
    ("밤 12시", time(0, 0), False),
    ("새벽 2시", time(2, 0), False),
    ("7시 반", time(7, 30), True),
    ("7시", time(7, 0), True),
    ("열두 시", time(12, 0), True),
    ("열두시 반", time(12, 30), True),
    ("오후 12시", time(12, 0), False),
    ("낮 2시", time(14, 0), False),
    ("점심 1시", time(13, 0), False),
    ("열한 시 사십오 분", time(11, 45), True),
    ("8시 10분 전", time(7, 50), True),
    ("다섯시", time(5, 0), True),
    ("밤열시", time(22, 0), False),
    ("0시", time(0, 0), False),
    ("7시 정각", time(7, 0), True),
    # the part of the day said first, with a particle between it and the hour
    ("저녁 4시 15분", time(16, 15), False),
    ("오후에 3시 반", time(15, 30), False),
    ("오후에는 3시", time(15, 0), False),
    ("저녁은 7시", time(19, 0), False),
    ("점심때 1시", time(13, 0), False),
    ("저녁쯤 7시", time(19, 0), False),
]

EN_CASES = [
    ("7 pm", time(19, 0), False),
    ("7pm", time(19, 0), False),
    ("7 p.m.", time(19, 0), False),
    ("7:30 pm", time(19, 30), False),
    ("7.30pm", time(19, 30), False),
    ("7 am", time(7, 0), False),
    ("12 pm", time(12, 0), False),
    ("12 am", time(0, 0), False),
    ("half past seven", time(7, 30), True),
    ("quarter past 7", time(7, 15), True),
    ("a quarter past seven", time(7, 15), True),
    ("quarter to eight", time(7, 45), True),
    # the part of the day belongs to the time said, not to the hour counted down to
    ("quarter to 12 in the morning", time(11, 45), False),
    ("ten to 1 in the afternoon", time(12, 50), False),
    ("ten past seven", time(7, 10), True),
    ("twenty to eight", time(7, 40), True),
    ("19:30", time(19, 30), False),
    ("7:30", time(7, 30), True),
    ("noon", time(12, 0), False),
    ("midday", time(12, 0), False),
    ("midnight", time(0, 0), False),
    ("seven o'clock", time(7, 0), True),
    ("7 o'clock", time(7, 0), True),
    ("seven thirty", time(7, 30), True),
    ("seven thirty pm", time(19, 30), False),
    ("nine oh five", time(9, 5), True),
    ("eight in the evening", time(20, 0), False),
    ("8 in the morning", time(8, 0), False),
    ("8 tonight", time(20, 0), False),
    ("10 at night", time(22, 0), False),
    ("half seven", time(7, 30), True),
    ("twenty five past seven", time(7, 25), True),
    ("ten minutes past seven", time(7, 10), True),
    ("10 minutes to 8", time(7, 50), True),
    # the part of the day said before the hour
    ("in the evening 4:15", time(16, 15), False),
    ("in afternoon 3:30", time(15, 30), False),
    ("the afternoon 12", time(12, 0), False),
    ("this evening at 7", time(19, 0), False),
    ("tonight 7:30", time(19, 30), False),
    ("in the morning 9", time(9, 0), False),
]


@pytest.mark.parametrize(("text", "value", "ambiguous"), KO_CASES)
def test_ko_times(text: str, value: time, ambiguous: bool) -> None:
    s = only(extract_times(text, "ko"))
    assert (s.value, s.ambiguous) == (value, ambiguous)
    assert (s.name, s.text, s.start, s.end) == ("time", text, 0, len(text))


@pytest.mark.parametrize(("text", "value", "ambiguous"), EN_CASES)
def test_en_times(text: str, value: time, ambiguous: bool) -> None:
    s = only(extract_times(text, "en"))
    assert (s.value, s.ambiguous) == (value, ambiguous)
    assert (s.name, s.text) == ("time", text)


@pytest.mark.parametrize(
    ("text", "lang", "span", "value", "ambiguous"),
    [
        ("일곱 시요", "ko", "일곱 시", time(7, 0), True),
        ("7시요", "ko", "7시", time(7, 0), True),
        ("아니요, 8시로 해 주세요", "ko", "8시", time(8, 0), True),
        ("7시 반쯤 갈게요", "ko", "7시 반", time(7, 30), True),
        ("7시도 괜찮아요", "ko", "7시", time(7, 0), True),
        ("저녁 7시인가요?", "ko", "저녁 7시", time(19, 0), False),
        ("세 시간 말고 네 시요", "ko", "네 시", time(4, 0), True),
        ("오늘저녁일곱시반에요", "ko", "저녁일곱시반", time(19, 30), False),
        ("금요일 저녁 6시 반에 세 명", "ko", "저녁 6시 반", time(18, 30), False),
        ("at 7", "en", "7", time(7, 0), True),
        ("at seven", "en", "seven", time(7, 0), True),
        ("around 6 in the morning", "en", "6 in the morning", time(6, 0), False),
        ("a table for 4 at 7 please", "en", "7", time(7, 0), True),
        ("can we come at 8:30?", "en", "8:30", time(8, 30), True),
        ("for 7 pm tomorrow", "en", "7 pm", time(19, 0), False),
    ],
)
def test_times_in_sentences(text: str, lang: str, span: str, value: time, ambiguous: bool) -> None:
    slots = extract_times(text, lang)
    check_spans(text, slots)
    s = only(slots)
    assert (s.text, s.value, s.ambiguous) == (span, value, ambiguous)
    assert s.start == text.index(span)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("4명", "ko"),
        ("네 명", "ko"),
        ("1시간 후", "ko"),
        ("세 시간 걸려요", "ko"),
        ("다시 말씀해 주세요", "ko"),
        ("30분", "ko"),
        ("12월 3일", "ko"),
        ("party of 7", "en"),
        ("at 7 people", "en"),
        ("7.5 percent", "en"),
        ("555-123-4567", "en"),
        ("12/3", "en"),
        ("I am here", "en"),
        ("no, make it 8", "en"),
        ("5 to 7 people", "en"),
        ("from five to seven", "en"),
        # a meal or a part of the day is no time: the agent asks the hour (test_periods below)
        ("점심", "ko"),
        ("점심때", "ko"),
        ("점심시간", "ko"),
        ("저녁때", "ko"),
        ("저녁쯤에요", "ko"),
        ("lunchtime", "en"),
        ("around dinner time", "en"),
        ("later this evening", "en"),
        ("in the evening 4 people", "en"),
    ],
)
def test_not_times(text: str, lang: str) -> None:
    assert extract_times(text, lang) == []


@pytest.mark.parametrize("hour", range(13, 24))
def test_ko_afternoon_hours_are_not_ambiguous(hour: int) -> None:
    s = only(extract_times(f"{hour}시", "ko"))
    assert (s.value, s.ambiguous) == (time(hour, 0), False)


@pytest.mark.parametrize("hour", range(13, 24))
def test_en_afternoon_hours_are_not_ambiguous(hour: int) -> None:
    s = only(extract_times(f"{hour}:00", "en"))
    assert (s.value, s.ambiguous) == (time(hour, 0), False)


@pytest.mark.parametrize("hour", range(1, 13))
def test_meridiem_words_resolve_every_hour(hour: int) -> None:
    ko = only(extract_times(f"오후 {hour}시", "ko"))
    en = only(extract_times(f"{hour} pm", "en"))
    expected = time(12 if hour == 12 else hour + 12, 0)
    assert ko.value == en.value == expected
    assert not ko.ambiguous and not en.ambiguous


def test_two_times_in_one_utterance() -> None:
    slots = extract_times("7시 말고 8시 반으로요", "ko")
    assert [(s.text, s.value) for s in slots] == [("7시", time(7, 0)), ("8시 반", time(8, 30))]
    slots = extract_times("not 7 pm, 8 pm", "en")
    assert [s.value for s in slots] == [time(19, 0), time(20, 0)]


@pytest.mark.parametrize(
    ("text", "lang", "period"),
    [
        ("다음 주 금요일 점심에 예약 좀 하려고요", "ko", "lunch"),
        ("점심때 갈게요", "ko", "lunch"),
        ("점심시간에요", "ko", "lunch"),
        ("저녁쯤에요", "ko", "dinner"),
        ("내일 저녁에 네 명이요", "ko", "dinner"),
        ("오후에 갈게요", "ko", "afternoon"),
        ("오늘 밤에 자리 있어요?", "ko", "evening"),
        ("a table for lunch on Friday", "en", "lunch"),
        ("around dinner time", "en", "dinner"),
        ("later this evening", "en", "evening"),
        ("tonight", "en", "evening"),
        ("could I book a table for two tonight?", "en", "evening"),  # two people, not 2 pm
        ("in the afternoon", "en", "afternoon"),
        ("dinner at 7", "en", "dinner"),  # the hour is read in it: 19:00
    ],
)
def test_periods_said_without_an_hour(text: str, lang: str, period: str) -> None:
    assert extract_period(text, lang) == period


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("저녁 7시요", "ko"),
        ("점심 1시에", "ko"),
        ("오후에 3시 반", "ko"),
        ("좋은 아침이에요", "ko"),
        ("내일 4명이요", "ko"),
        ("8 tonight", "en"),
        ("in the evening 4:15", "en"),
        ("good evening, a table for two please", "en"),
        ("tomorrow at 7 pm", "en"),
    ],
)
def test_no_vague_period(text: str, lang: str) -> None:
    assert extract_period(text, lang) is None


@pytest.mark.parametrize("text", ["yeah that's the one", "this one please", "that one"])
def test_the_one_is_no_bare_hour(text: str) -> None:
    """At the read-back a bare number is an hour ("no, make it 8"); "the one" is none."""
    slots = extract_all(text, "en", date(2026, 11, 25), expected="time")
    assert [s for s in slots if s.name == "time"] == []
