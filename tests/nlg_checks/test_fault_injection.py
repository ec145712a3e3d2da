"""Fault injection: deliberately wrong LLM replies are all caught; faithful paraphrases pass.

The booking read back is Friday 2026-12-04, 19:00, four people.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from dialogue.acts import SystemAct
from nlg.checks import Reason, check_reply

DAY = date(2026, 12, 4)  # a Friday
CONFIRM = SystemAct("confirm", values={"date": DAY, "time": time(19, 0), "party_size": 4})
REQUEST_TIME = SystemAct("request", slot="time")
BYE = SystemAct("bye")

TEMPLATES = {
    ("ko", "confirm"): "12월 4일 오후 7시, 4명으로 예약해 드릴까요?",
    ("ko", "request"): "몇 시로 예약해 드릴까요?",
    ("ko", "bye"): "전화 주셔서 감사합니다. 좋은 하루 보내세요.",
    ("en", "confirm"): "So that's December 4th at 7 pm, 4 people. Shall I book it?",
    ("en", "request"): "What time would you like?",
    ("en", "bye"): "Thank you for calling. Have a nice day.",
}
ACTS = {"confirm": CONFIRM, "request": REQUEST_TIME, "bye": BYE}
PROMPT_KO = (
    "다음 안내 문장을 친절한 상담원 말투로 바꿔 말하세요. 숫자와 날짜는 그대로 둡니다.\n"
    "안내: 12월 4일 오후 7시, 4명으로 예약해 드릴까요?\n상담원:"
)
PROMPT_EN = (
    "Rewrite the agent's line in a warm, natural phone voice. Keep every date and number.\n"
    "Line: So that's December 4th at 7 pm, 4 people. Shall I book it?\nAgent:"
)


def check(lang: str, kind: str, candidate: str, **kwargs: object):
    prompt = PROMPT_KO if lang == "ko" else PROMPT_EN
    return check_reply(
        candidate,
        acts=[ACTS[kind]],
        template_text=TEMPLATES[(lang, kind)],
        lang=lang,
        prompt=prompt,
        **kwargs,  # type: ignore[arg-type]
    )


GOOD = [
    ("ko", "confirm", "네, 12월 4일 금요일 저녁 일곱 시에 네 분 맞으실까요?"),
    ("ko", "confirm", "12월 4일 저녁 7시에 4명으로 예약해 드릴까요?"),
    ("ko", "confirm", "확인차 여쭤볼게요. 4일 금요일 오후 7시, 네 분 예약 맞으세요?"),
    ("ko", "confirm", "금요일 19:00에 네 분 자리로 잡아 드리면 될까요?"),
    ("ko", "confirm", "말씀하신 대로 12월 4일 저녁 7시, 4명 예약 진행해 드릴까요?"),
    ("ko", "confirm", "좋습니다! 그럼 12월 4일 금요일 저녁 7시에 4분 예약으로 진행할까요?"),
    ("ko", "confirm", "네 고객님, 12월 4일 오후 7시에 네 분 방문 맞으시죠?"),
    ("ko", "confirm", "알겠습니다. 4일 저녁 7시, 4명 맞으신가요?"),
    ("ko", "confirm", "12월 4일 금요일 저녁 7시, 성인 네 분 맞으신지 확인 부탁드립니다."),
    ("ko", "request", "몇 시쯤 오실 예정이세요?"),
    ("ko", "request", "예약 시간은 언제로 해 드릴까요?"),
    ("ko", "request", "방문하실 시간을 말씀해 주시겠어요?"),
    ("ko", "request", "좋습니다. 그럼 몇 시로 잡아 드릴까요?"),
    ("ko", "bye", "감사합니다. 좋은 하루 되세요!"),
    ("ko", "bye", "전화 주셔서 고맙습니다. 안녕히 계세요."),
    ("ko", "bye", "네, 감사합니다. 그럼 그날 뵙겠습니다!"),
    (
        "en",
        "confirm",
        "Just to confirm, that's Friday, December 4th at 7 pm for four people. Is that right?",
    ),
    (
        "en",
        "confirm",
        "So a table for four on Dec 4 at seven in the evening. Shall I go ahead and book it?",
    ),
    ("en", "confirm", "That's the 4th at 19:00, party of 4. Shall I book that for you?"),
    ("en", "confirm", "Friday at 7 pm, four guests. Does that sound right?"),
    (
        "en",
        "confirm",
        "Okay, December 4th, seven o'clock in the evening, 4 people. Should I book it?",
    ),
    ("en", "confirm", "Perfect - Friday the 4th at 7 pm for four. Shall I reserve that?"),
    (
        "en",
        "confirm",
        "Great, so that's a table for 4 on December 4th at 7:00 pm. Would you like me to book it?",
    ),
    ("en", "confirm", "Lovely! December 4th at seven pm for a party of four, is that correct?"),
    (
        "en",
        "confirm",
        "Let me just confirm: four people, Friday December 4th, 7 p.m. Is that right?",
    ),
    ("en", "request", "What time should I put you down for?"),
    ("en", "request", "Sure! What time would suit you best?"),
    ("en", "request", "And what time works best for you?"),
    ("en", "bye", "Thanks for calling, and have a great evening!"),
    ("en", "bye", "Thank you, goodbye."),
    ("en", "bye", "You're welcome. Goodbye and have a lovely evening!"),
]

# (lang, act, candidate, the reason that must be among those reported)
FAULTS = [
    # wrong time
    ("ko", "confirm", "네, 12월 4일 저녁 8시에 네 분 맞으실까요?", Reason.EXTRA_TIME),
    ("ko", "confirm", "12월 4일 오전 7시에 네 분 맞으실까요?", Reason.EXTRA_TIME),
    ("ko", "confirm", "12월 4일 저녁 7시 반에 네 분 맞으실까요?", Reason.EXTRA_TIME),
    (
        "en",
        "confirm",
        "So that's December 4th at 8 pm for four people. Shall I book it?",
        Reason.EXTRA_TIME,
    ),
    ("en", "confirm", "December 4th at 7 am for four people, is that right?", Reason.EXTRA_TIME),
    (
        "en",
        "confirm",
        "So December 4th at half past seven in the evening for four?",
        Reason.EXTRA_TIME,
    ),
    # wrong date / weekday
    ("ko", "confirm", "12월 5일 저녁 7시에 네 분 맞으실까요?", Reason.EXTRA_DATE),
    ("ko", "confirm", "12월 4일 토요일 저녁 7시에 네 분 맞으실까요?", Reason.EXTRA_DATE),
    (
        "en",
        "confirm",
        "So that's December 5th at 7 pm for four people. Shall I book it?",
        Reason.EXTRA_DATE,
    ),
    ("en", "confirm", "Saturday, December 4th at 7 pm for four. Is that right?", Reason.EXTRA_DATE),
    # extra number, price, phone, name
    ("ko", "confirm", "12월 4일 저녁 7시에 네 분, 두 시간 이용 맞으실까요?", Reason.EXTRA_NUMBER),
    ("ko", "confirm", "12월 4일 저녁 7시에 네 분, 3번 테이블로 맞으실까요?", Reason.EXTRA_NUMBER),
    (
        "ko",
        "confirm",
        "12월 4일 저녁 7시에 네 분, 예약금 2만 원입니다. 괜찮으실까요?",
        Reason.EXTRA_PRICE,
    ),
    (
        "ko",
        "confirm",
        "12월 4일 저녁 7시 네 분, 연락처 010-9999-8888 맞으실까요?",
        Reason.EXTRA_PHONE,
    ),
    ("ko", "confirm", "김철수 님, 12월 4일 저녁 7시에 네 분 맞으실까요?", Reason.EXTRA_NAME),
    (
        "en",
        "confirm",
        "December 4th at 7 pm for four, and we hold the table for 15 minutes. OK?",
        Reason.EXTRA_NUMBER,
    ),
    (
        "en",
        "confirm",
        "December 4th at 7 pm for four, with a $20 deposit. Shall I book it?",
        Reason.EXTRA_PRICE,
    ),
    (
        "en",
        "confirm",
        "December 4th at 7 pm for four, phone 555-123-4567. Right?",
        Reason.EXTRA_PHONE,
    ),
    (
        "en",
        "confirm",
        "December 4th at 7 pm for four under Johnson. Shall I book it?",
        Reason.EXTRA_NAME,
    ),
    # missing value
    ("ko", "confirm", "네, 12월 4일 저녁 7시 맞으실까요?", f"{Reason.MISSING}:party_size"),
    ("ko", "confirm", "네 분이서 저녁 7시 맞으실까요?", f"{Reason.MISSING}:date"),
    (
        "en",
        "confirm",
        "So that's December 4th at 7 pm. Shall I book it?",
        f"{Reason.MISSING}:party_size",
    ),
    (
        "en",
        "confirm",
        "A table for four on December 4th. Shall I book it?",
        f"{Reason.MISSING}:time",
    ),
    # 반말 for a polite persona
    ("ko", "confirm", "12월 4일 저녁 7시에 네 명 맞아?", Reason.IMPOLITE),
    ("ko", "request", "당신은 몇 시로 예약해 드릴까요?", Reason.IMPOLITE),  # 당신: talks down
    ("ko", "confirm", "알았어, 12월 4일 저녁 7시에 네 명이지? 예약해 줄게.", Reason.IMPOLITE),
    ("ko", "request", "몇 시에 올 거야?", Reason.IMPOLITE),
    ("ko", "bye", "그래, 전화 고마워. 잘 지내.", Reason.IMPOLITE),
    # -니 (the benchmark spoke "필요하신 것은 아니니, …" before this was caught)
    ("ko", "confirm", "12월 4일 저녁 7시에 네 명 맞니?", Reason.IMPOLITE),
    # wrong language or script
    ("ko", "confirm", "Is December 4th at 7 pm for four people correct?", Reason.WRONG_LANGUAGE),
    ("ko", "confirm", "12월 4일 7 pm에 four people 맞으신가요?", Reason.WRONG_LANGUAGE),
    ("ko", "confirm", "12月4日 저녁 7시에 네 분 맞으실까요?", Reason.WRONG_LANGUAGE),
    ("en", "confirm", "12월 4일 저녁 7시에 네 분 맞으실까요?", Reason.WRONG_LANGUAGE),
    ("en", "confirm", "December 4th at 7 pm for four people, 맞죠?", Reason.WRONG_LANGUAGE),
    ("en", "bye", "Thank you for calling. До свидания!", Reason.WRONG_LANGUAGE),
    # claims a booking that is not made
    ("ko", "confirm", "네, 12월 4일 저녁 7시에 네 분 예약 완료되었습니다.", Reason.CLAIMS_DONE),
    ("ko", "confirm", "12월 4일 저녁 7시 네 분으로 예약됐어요. 맞으시죠?", Reason.CLAIMS_DONE),
    (
        "ko",
        "confirm",
        "12월 4일 저녁 7시에 네 분 자리 잡아 드렸습니다. 괜찮으세요?",
        Reason.CLAIMS_DONE,
    ),
    (
        "en",
        "confirm",
        "Great, you're all set for December 4th at 7 pm for four people!",
        Reason.CLAIMS_DONE,
    ),
    (
        "en",
        "confirm",
        "I've booked a table for four on December 4th at 7 pm. Anything else?",
        Reason.CLAIMS_DONE,
    ),
    (
        "en",
        "confirm",
        "Your table for four on December 4th at 7 pm is confirmed. Right?",
        Reason.CLAIMS_DONE,
    ),
    # the act not done: confirm/request not asking, request asking something else, bye not closing
    ("ko", "confirm", "12월 4일 저녁 7시에 네 분이시군요.", Reason.NOT_ASKING),
    ("ko", "request", "네, 알겠습니다.", Reason.NOT_ASKING),
    ("ko", "request", "인원은 몇 분이세요?", f"{Reason.SLOT_NOT_ASKED}:time"),
    ("ko", "bye", "더 필요하신 건 없으세요?", Reason.NOT_CLOSING),
    ("en", "confirm", "December 4th at 7 pm for four people.", Reason.NOT_ASKING),
    ("en", "request", "Okay, got it.", Reason.NOT_ASKING),
    ("en", "request", "How many people will there be?", f"{Reason.SLOT_NOT_ASKED}:time"),
    ("en", "bye", "Is there anything else I can help with?", Reason.NOT_CLOSING),
    # truncated
    ("ko", "confirm", "네, 12월 4일 저녁 일곱 시에 네 분 맞으", Reason.TRUNCATED),
    ("ko", "confirm", "12월 4일 저녁 7시에 네 분으로 예약을", Reason.TRUNCATED),
    ("en", "confirm", "So that's December 4th at 7 pm for four people. Shall I", Reason.TRUNCATED),
    ("en", "bye", "Thank you for calling, have a", Reason.TRUNCATED),
    # the prompt echoed, labels and markup leaking
    (
        "ko",
        "confirm",
        "다음 안내 문장을 친절한 상담원 말투로 바꿔 말하세요. 12월 4일 오후 7시, 4명으로 예약해 드릴까요?",
        Reason.PROMPT_ECHO,
    ),
    ("ko", "confirm", "상담원: 12월 4일 저녁 7시에 네 분 맞으실까요?", Reason.LABEL_LEAK),
    ("ko", "confirm", '{"reply": "12월 4일 저녁 7시에 네 분 맞으실까요?"}', Reason.MARKUP),
    (
        "en",
        "confirm",
        "Rewrite the agent's line in a warm, natural phone voice. December 4th at 7 pm, 4 people?",
        Reason.PROMPT_ECHO,
    ),
    (
        "en",
        "confirm",
        "Reply: December 4th at 7 pm for four people. Shall I book it?",
        Reason.LABEL_LEAK,
    ),
    ("en", "confirm", "**December 4th** at 7 pm for {party_size}. Shall I book it?", Reason.MARKUP),
    # the roles swapped: the agent speaks as the caller (seen in the benchmark: "Is there
    # anything else I can help you with?" -> "What can you help me with?")
    ("ko", "request", "몇 시로 예약해 주실 수 있나요?", Reason.ROLE_FLIP),
    ("ko", "confirm", "12월 4일 오후 7시에 4명으로 예약해 주시겠어요?", Reason.ROLE_FLIP),
    ("ko", "request", "저 몇 시로 예약하고 싶어요. 몇 시가 좋을까요?", Reason.ROLE_FLIP),
    ("en", "request", "What time can you book me in for?", Reason.ROLE_FLIP),
    (
        "en",
        "confirm",
        "Could you book December 4th at 7 pm for 4 people for me?",
        Reason.ROLE_FLIP,
    ),
    ("en", "request", "I'd like to book a table. What time works?", Reason.ROLE_FLIP),
    # the caller's own number asked for as the agent's ("the best number to call me")
    ("en", "request", "What time works, and what is the best number to call me?", Reason.ROLE_FLIP),
    ("ko", "request", "몇 시로 예약해 드릴까요? 저한테 전화 주세요.", Reason.ROLE_FLIP),
    # empty
    ("ko", "confirm", "", Reason.EMPTY),
    ("ko", "bye", "   \n ", Reason.EMPTY),
    ("en", "confirm", "", Reason.EMPTY),
    ("en", "request", "\t", Reason.EMPTY),
]


@pytest.mark.parametrize(("lang", "kind", "candidate"), GOOD)
def test_faithful_paraphrases_are_accepted(lang: str, kind: str, candidate: str) -> None:
    result = check(lang, kind, candidate)
    assert result.ok, result.reasons


@pytest.mark.parametrize(("lang", "kind", "candidate", "reason"), FAULTS)
def test_injected_faults_are_caught(lang: str, kind: str, candidate: str, reason: str) -> None:
    result = check(lang, kind, candidate)
    assert not result.ok
    assert reason in result.reasons, result.reasons


def test_every_fault_kind_is_injected_in_both_languages() -> None:
    kinds = {
        "wrong time": Reason.EXTRA_TIME,
        "extra number": Reason.EXTRA_NUMBER,
        "missing value": Reason.MISSING,
        "wrong language": Reason.WRONG_LANGUAGE,
        "claims booking": Reason.CLAIMS_DONE,
        "truncated": Reason.TRUNCATED,
        "echoed prompt": Reason.PROMPT_ECHO,
        "empty": Reason.EMPTY,
        "role flip": Reason.ROLE_FLIP,
    }
    for lang in ("ko", "en"):
        for name, reason in kinds.items():
            assert any(f[0] == lang and f[3].startswith(reason) for f in FAULTS), (lang, name)
    assert any(f[0] == "ko" and f[3] == Reason.IMPOLITE for f in FAULTS)


# (lang, kind, caller's line, reply): the caller's own question asked back to them.
CALLER_ECHOES = [
    ("ko", "request", "몇 시에 예약할 수 있나요?", "네, 몇 시에 예약할 수 있나요?"),
    ("en", "request", "What time can I come in?", "Sure. What time can I come in?"),
]


@pytest.mark.parametrize(("lang", "kind", "caller", "candidate"), CALLER_ECHOES)
def test_the_callers_question_asked_back_is_a_role_flip(
    lang: str, kind: str, caller: str, candidate: str
) -> None:
    assert Reason.ROLE_FLIP in check(lang, kind, candidate, caller_text=caller).reasons
    # the same reply after another caller line is judged on its own words
    assert Reason.ROLE_FLIP not in check(lang, kind, candidate, caller_text="네").reasons


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_agents_question_after_a_caller_question_is_no_echo(lang: str) -> None:
    caller = "몇 시까지 영업해요?" if lang == "ko" else "How late are you open?"
    reply = TEMPLATES[(lang, "request")]
    assert check(lang, "request", reply, caller_text=caller).ok


def test_the_briefs_example_has_the_wrong_weekday() -> None:
    # 2026-12-03 is a Thursday: "12월 3일 금요일" contradicts the date and must not be spoken.
    act = SystemAct(
        "confirm", values={"date": date(2026, 12, 3), "time": time(19), "party_size": 4}
    )
    template = "12월 3일 오후 7시, 4명으로 예약해 드릴까요?"
    bad = check_reply(
        "네, 12월 3일 금요일 저녁 일곱 시에 네 분 맞으실까요?",
        acts=[act],
        template_text=template,
        lang="ko",
    )
    assert Reason.EXTRA_DATE in bad.reasons
    good = check_reply(
        "네, 12월 3일 목요일 저녁 일곱 시에 네 분 맞으실까요?",
        acts=[act],
        template_text=template,
        lang="ko",
    )
    assert good.ok, good.reasons


def test_casual_persona_may_use_banmal() -> None:
    result = check("ko", "confirm", "12월 4일 저녁 7시에 네 명 맞아?", polite=False)
    assert result.ok, result.reasons


def test_length_limit() -> None:
    long = "12월 4일 저녁 7시에 네 분 맞으실까요? " + "정말 감사합니다. " * 20
    assert Reason.TOO_LONG in check("ko", "confirm", long.strip()).reasons
    short = check("ko", "confirm", "12월 4일 저녁 7시에 네 분 맞으실까요?", max_chars=10)
    assert short.reasons == (Reason.TOO_LONG,)


def test_a_reply_to_a_template_that_asks_must_ask() -> None:
    act = SystemAct("offer", values={"options": [time(18), time(20)]})
    template = "죄송하지만 7시에는 자리가 없습니다. 6시 또는 8시 가능합니다. 어떻게 해 드릴까요?"
    kwargs = {"acts": [act], "template_text": template, "lang": "ko"}
    assert check_reply("7시는 어렵고 6시나 8시는 됩니다. 어느 쪽이 좋으세요?", **kwargs).ok  # type: ignore[arg-type]
    flat = check_reply("7시는 어렵고 6시나 8시는 됩니다.", **kwargs)  # type: ignore[arg-type]
    assert Reason.NOT_ASKING in flat.reasons
