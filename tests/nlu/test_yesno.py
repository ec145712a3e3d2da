import pytest

from nlu.parsers import extract_yesno

from .helpers import check_spans, only

KO_YES = [
    "네",
    "예",
    "맞아요",
    "맞습니다",
    "맞아",
    "그래요",
    "좋아요",
    "좋습니다",
    "응",
    "어",
    "넵",
    "넹",
    "네네",
    "네에",
    "그렇게 해 주세요",
    "그렇게 해주세요",
    "그걸로 해 주세요",
    "그럼요",
    "물론이죠",
    "알겠습니다",
]
KO_NO = [
    "아니요",
    "아뇨",
    "아니에요",
    "아니",
    "아닙니다",
    "틀렸어요",
    "싫어요",
    "안 돼요",
    "아니오",
]
EN_YES = [
    "yes",
    "yeah",
    "yep",
    "yup",
    "sure",
    "correct",
    "that's right",
    "sounds good",
    "ok",
    "okay",
    "alright",
    "absolutely",
    "of course",
    "yes please",
    "no problem",
    "right",
    "perfect",
    "go ahead",
]
EN_NO = [
    "no",
    "nope",
    "nah",
    "not really",
    "that's wrong",
    "incorrect",
    "wrong",
    "that's not right",
    "not at all",
    "I don't think so",
]


@pytest.mark.parametrize("text", KO_YES)
def test_ko_yes(text: str) -> None:
    s = only(extract_yesno(text, "ko"))
    assert (s.name, s.value, s.text) == ("yesno", True, text)


@pytest.mark.parametrize("text", KO_NO)
def test_ko_no(text: str) -> None:
    s = only(extract_yesno(text, "ko"))
    assert (s.value, s.text) == (False, text)


@pytest.mark.parametrize("text", EN_YES)
def test_en_yes(text: str) -> None:
    s = only(extract_yesno(text, "en"))
    assert (s.value, s.text.lower()) == (True, text.lower())


@pytest.mark.parametrize("text", EN_NO)
def test_en_no(text: str) -> None:
    s = only(extract_yesno(text, "en"))
    assert (s.value, s.text) == (False, text)


@pytest.mark.parametrize(
    ("text", "lang", "span", "value"),
    [
        ("아니요, 8시로 해 주세요", "ko", "아니요", False),
        ("네, 네 명이요", "ko", "네", True),
        ("네 맞아요", "ko", "네", True),
        ("예, 그렇게 해 주세요", "ko", "예", True),
        ("No, make it 8", "en", "No", False),
        ("yeah that works", "en", "yeah", True),
        ("Sure, 7 is fine", "en", "Sure", True),
        ("nope, Friday", "en", "nope", False),
    ],
)
def test_answer_at_start_of_longer_reply(text: str, lang: str, span: str, value: bool) -> None:
    slots = extract_yesno(text, lang)
    check_spans(text, slots)
    assert slots[0].text == span
    assert slots[0].start == 0
    assert all(s.value is value for s in slots)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("네 명이요", "ko"),
        ("네 시요", "ko"),
        ("네 분이요", "ko"),
        ("어, 7시요", "ko"),  # a filler, not an answer
        ("안 좋아요", "ko"),
        ("그게 아니라", "ko"),
        ("예약하고 싶어요", "ko"),
        ("아니라고요", "ko"),
        ("그래서 7시로 할게요", "ko"),
        ("그럼 7시로 할게요", "ko"),  # 그럼 alone is "then"; 그럼요 is a yes
        ("응답이 없네요", "ko"),
        ("좋아하는 자리로요", "ko"),
        ("", "ko"),
        ("not sure", "en"),
        ("I know", "en"),
        ("turn right at the corner", "en"),
        ("nobody", "en"),
        ("none of them", "en"),
        ("I'd like a table", "en"),
    ],
)
def test_not_answers(text: str, lang: str) -> None:
    assert extract_yesno(text, lang) == []
