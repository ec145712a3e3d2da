"""The template itself is always a faithful reply: the checks must never reject it."""

from __future__ import annotations

from datetime import date, time

import pytest

from dialogue.acts import SystemAct
from nlg.checks import check_reply

CASES = [
    ("ko", SystemAct("greet"), "안녕하세요, 한강식당 지수입니다. 무엇을 도와드릴까요?"),
    ("ko", SystemAct("request", slot="date"), "몇 월 며칠로 예약해 드릴까요?"),
    ("ko", SystemAct("request", slot="party_size"), "몇 분이 오시나요?"),
    ("ko", SystemAct("request", slot="name"), "예약자 성함을 말씀해 주세요."),
    ("ko", SystemAct("request", slot="phone"), "연락 가능한 전화번호를 말씀해 주세요."),
    ("ko", SystemAct("request", slot="meal"), "오늘 식사는 잘 하셨어요?"),
    ("ko", SystemAct("inform"), "죄송하지만 예약은 오전 11시부터 저녁 8시 30분까지 가능합니다."),
    ("ko", SystemAct("inform"), "건물 지하 주차장에 2시간 무료 주차가 됩니다."),
    ("ko", SystemAct("bye"), "통화가 어려운 것 같아 다음에 다시 전화드릴게요. 건강하세요."),
    (
        "ko",
        SystemAct("ack", values={"date": date(2026, 12, 4), "time": time(19), "party_size": 4}),
        "예약이 완료되었습니다. 12월 4일 오후 7시에 4명 자리 준비해 두겠습니다.",
    ),
    (
        "ko",
        SystemAct("confirm", values={"name": "김민수", "phone": "010-1234-5678"}),
        "김민수 님, 연락처 010-1234-5678로 예약해 드릴까요?",
    ),
    ("en", SystemAct("greet"), "Hello, this is Jisoo at Hangang Kitchen. How can I help you?"),
    (
        "en",
        SystemAct("request", slot="seating"),
        "Would you like a private room, the main hall, or outdoor seating?",
    ),
    ("en", SystemAct("request", slot="mood"), "And how has your mood been lately?"),
    ("en", SystemAct("inform"), "I'm sorry, we take bookings from 11 am to 8:30 pm."),
    (
        "en",
        SystemAct("transfer"),
        "Let me put you through to a member of staff. One moment please.",
    ),
    ("en", SystemAct("bye"), "Take care, and have a lovely day. I'll call again soon."),
    (
        "en",
        SystemAct("ack", values={"date": date(2026, 12, 4), "time": time(19), "party_size": 4}),
        "Your table is booked for December 4th at 7 pm, 4 people. We look forward to seeing you.",
    ),
    (
        "en",
        SystemAct("confirm", values={"name": "Alex Kim", "phone": "010-1234-5678"}),
        "Under Alex Kim, phone 010-1234-5678. Shall I book it?",
    ),
]


@pytest.mark.parametrize(("lang", "act", "template"), CASES)
def test_template_passes_its_own_checks(lang: str, act: SystemAct, template: str) -> None:
    result = check_reply(template, acts=[act], template_text=template, lang=lang)
    assert result.ok, result.reasons
