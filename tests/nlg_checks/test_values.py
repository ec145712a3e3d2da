"""Value normalisation: every form of a date, time, count and phone is recognised."""

from __future__ import annotations

from datetime import date, time

import pytest

from dialogue.acts import SystemAct
from nlg.checks import Reason, check_reply, find_mentions

THU = date(2026, 12, 3)


def missing(candidate: str, lang: str, **values: object) -> list[str]:
    act = SystemAct("inform", values=dict(values))
    result = check_reply(candidate, acts=[act], template_text="", lang=lang)
    return [r for r in result.reasons if r.startswith(Reason.MISSING)]


@pytest.mark.parametrize(
    "said",
    ["7시", "일곱 시", "저녁 7시", "19:00", "오후 7시", "저녁 일곱 시", "밤 7시", "19시"],
)
def test_korean_forms_of_seven_pm(said: str) -> None:
    assert missing(f"{said}에 뵙겠습니다.", "ko", time=time(19)) == []


@pytest.mark.parametrize(
    "said",
    ["7 pm", "7pm", "7 p.m.", "seven", "seven pm", "19:00", "seven o'clock", "7 in the evening"],
)
def test_english_forms_of_seven_pm(said: str) -> None:
    assert missing(f"See you at {said}.", "en", time=time(19)) == []


@pytest.mark.parametrize("said", ["4명", "네 명", "네 분", "4분", "4인", "넷이서"])
def test_korean_forms_of_four_people(said: str) -> None:
    assert missing(f"{said} 오시는 거죠?", "ko", party_size=4) == []


@pytest.mark.parametrize(
    "said", ["four people", "4 people", "a party of four", "a table for 4", "4"]
)
def test_english_forms_of_four_people(said: str) -> None:
    assert missing(f"That is {said}.", "en", party_size=4) == []


@pytest.mark.parametrize(
    "said", ["12월 3일", "3일", "목요일", "2026년 12월 3일", "12월 3일 목요일"]
)
def test_korean_forms_of_a_date(said: str) -> None:
    assert missing(f"{said}에 뵙겠습니다.", "ko", date=THU) == []


@pytest.mark.parametrize(
    "said", ["December 3rd", "Dec 3", "3 December", "the 3rd", "Thursday", "Thursday, December 3"]
)
def test_english_forms_of_a_date(said: str) -> None:
    assert missing(f"See you on {said}.", "en", date=THU) == []


def test_relative_days_need_today() -> None:
    act = SystemAct("inform", values={"date": THU})
    kwargs = {"acts": [act], "template_text": "", "lang": "ko"}
    assert not check_reply("내일 뵙겠습니다.", **kwargs).ok  # type: ignore[arg-type]
    assert check_reply("내일 뵙겠습니다.", today=date(2026, 12, 2), **kwargs).ok  # type: ignore[arg-type]


def test_phone_forms() -> None:
    assert missing("연락처는 010-1234-5678 맞으시죠?", "ko", phone="01012345678") == []
    assert missing("I have +82 10 1234 5678 as your number.", "en", phone="010-1234-5678") == []


def test_category_labels_and_names() -> None:
    act = SystemAct("confirm", values={"seating": "room", "name": "김민수"})
    kwargs = {"acts": [act], "template_text": "룸 좌석, 김민수 님 맞으세요?", "lang": "ko"}
    labels = {"room": ["룸", "방", "별실"]}
    assert check_reply("별실로, 민수 님 맞으실까요?", labels=labels, **kwargs).ok  # type: ignore[arg-type]
    result = check_reply("홀로, 김민수 님 맞으실까요?", labels=labels, **kwargs)  # type: ignore[arg-type]
    assert f"{Reason.MISSING}:seating" in result.reasons


def test_offer_of_several_times_needs_them_all() -> None:
    act = SystemAct("offer", values={"options": [time(18), time(20, 30)]})
    template = "죄송하지만 7시에는 자리가 없습니다. 오후 6시 또는 오후 8시 30분 가능합니다."
    kwargs = {"acts": [act], "template_text": template, "lang": "ko"}
    ok = check_reply("7시는 어렵고, 저녁 6시나 8시 반은 가능합니다. 어떠세요?", **kwargs)  # type: ignore[arg-type]
    assert ok.ok, ok.reasons
    dropped = check_reply("7시는 어렵고, 저녁 6시는 가능합니다. 어떠세요?", **kwargs)  # type: ignore[arg-type]
    assert f"{Reason.MISSING}:options" in dropped.reasons


def test_facts_may_be_repeated_from_allowed_text() -> None:
    act = SystemAct("inform")
    fact = "와인 콜키지는 병당 2만 원입니다."
    result = check_reply(
        "콜키지는 한 병에 2만 원 받고 있어요.",
        acts=[act],
        template_text=fact,
        lang="ko",
    )
    assert result.ok, result.reasons
    other = check_reply("콜키지는 한 병에 3만 원이에요.", acts=[act], template_text=fact, lang="ko")
    assert Reason.EXTRA_PRICE in other.reasons


def test_mentions_keep_ambiguity() -> None:
    (seven,) = find_mentions("7시요", "ko")
    assert seven.hours == frozenset({7, 19})
    (evening,) = find_mentions("저녁 7시요", "ko")
    assert evening.hours == frozenset({19})


def test_nlu_parsers_add_what_the_own_finder_misses() -> None:
    pytest.importorskip("nlu.parsers")
    act = SystemAct("confirm", values={"time": time(19)})
    kwargs = {"acts": [act], "template_text": "오후 7시로 예약해 드릴까요?", "lang": "ko"}
    assert check_reply("저녁일곱시로 예약해 드릴까요?", **kwargs).ok  # type: ignore[arg-type]
    wrong = check_reply("저녁여덟시로 예약해 드릴까요?", **kwargs)  # type: ignore[arg-type]
    assert Reason.EXTRA_TIME in wrong.reasons


def test_hyphenated_english_times() -> None:
    assert missing("See you at seven-thirty pm.", "en", time=time(19, 30)) == []


def test_phone_read_out_in_korean_digits() -> None:
    act = SystemAct("confirm", values={"phone": "010-1234-5678"})
    kwargs = {"acts": [act], "template_text": "연락처 010-1234-5678 맞으세요?", "lang": "ko"}
    assert check_reply("연락처 공일공 일이삼사 오육칠팔 맞으시죠?", **kwargs).ok  # type: ignore[arg-type]
    wrong = check_reply("연락처 공일공 일이삼사 오육칠구 맞으시죠?", **kwargs)  # type: ignore[arg-type]
    assert Reason.EXTRA_PHONE in wrong.reasons
