"""The read-back never loops: off-script answers are understood, rephrased, or end the call.

A caller once repeated the phone number at "… 예약해 드릴까요?" and heard the same read-back 13
times. The values read back said again are a yes; agreement in other words is a yes; anything
else is rephrased (never the identical read-back twice in a row) and counted, and after
``max_misunderstandings`` (3) the scenario's fallback hands the call over.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.harness import Call, start_call

KO_CALLER = "+821055550101"  # read back as 010-5555-0101
EN_CALLER = "+15551234567"  # read back as 555-123-4567
BOOKED = datetime(2026, 11, 26, 19, 0)


def _to_readback(runtime: AgentRuntime, scenario: str) -> Call:
    if scenario == "restaurant-ko":
        call = start_call(runtime, scenario, caller=KO_CALLER)
        call.user("내일 저녁 7시에 4명 룸으로 예약할게요").agent("성함")
        call.user("김민수입니다").agent("연락처 010-5555-0101로 예약해 드릴까요?")
    else:
        call = start_call(runtime, scenario, caller=EN_CALLER)
        call.user("table for four tomorrow at 7 pm in a private room").agent("name")
        call.user("John Smith").agent("phone 555-123-4567. Shall I book it?")
    assert call.state.confirming
    return call


def _booked(runtime: AgentRuntime, call: Call) -> None:
    call.goes_on()
    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.party_size, booking.seating) == (BOOKED, 4, "room")
    assert call.state.completed == [("book", "done")]


def test_the_phone_number_said_again_is_a_yes_ko(runtime: AgentRuntime) -> None:
    call = _to_readback(runtime, "restaurant-ko")
    call.user("공일공 오오오오 공일공일").agent("예약이 완료되었습니다")
    _booked(runtime, call)
    assert runtime.bookings.list()[0].phone == "01055550101"


def test_the_phone_number_said_again_is_a_yes_en(runtime: AgentRuntime) -> None:
    call = _to_readback(runtime, "restaurant-en")
    call.user("five five five, one two three, four five six seven").agent("Your table is booked")
    _booked(runtime, call)


@pytest.mark.parametrize(
    ("scenario", "answer"),
    [
        ("restaurant-ko", "그걸로 해 주세요"),
        ("restaurant-ko", "그렇게 해 주세요"),
        ("restaurant-ko", "좋아요"),
        ("restaurant-ko", "네네 그걸로요"),
        ("restaurant-ko", "맞아요 그 번호요"),
        ("restaurant-ko", "그대로 진행해 주세요"),
        ("restaurant-ko", "저녁 7시 맞아요"),
        ("restaurant-ko", "그걸로요"),
        ("restaurant-en", "go ahead"),
        ("restaurant-en", "that works"),
        ("restaurant-en", "sounds good"),
        ("restaurant-en", "perfect"),
        ("restaurant-en", "yeah that's the one"),
        ("restaurant-en", "works for me"),
        ("restaurant-en", "7 pm is right"),
        ("restaurant-en", "please book it"),
    ],
)
def test_agreement_in_other_words_books(runtime: AgentRuntime, scenario: str, answer: str) -> None:
    call = _to_readback(runtime, scenario)
    call.user(answer)
    _booked(runtime, call)


@pytest.mark.parametrize(
    ("scenario", "other_number", "new_read_back"),
    [
        ("restaurant-ko", "공일공 일일일일 이이이이", "010-1111-2222"),
        ("restaurant-en", "five five five, nine eight seven, six five four three", "555-987-6543"),
    ],
)
def test_another_number_is_a_correction(
    runtime: AgentRuntime, scenario: str, other_number: str, new_read_back: str
) -> None:
    call = _to_readback(runtime, scenario)
    call.user(other_number).agent(new_read_back)
    assert call.state.confirming and not runtime.bookings.list()


@pytest.mark.parametrize(
    ("scenario", "unclear", "rephrased"),
    [
        ("restaurant-ko", "어디 보자", "예약을 이대로 진행할까요? 네 또는 아니요로"),
        ("restaurant-ko", "음 글쎄요", "네 또는 아니요로"),
        (
            "restaurant-en",
            "let me think",
            "Shall I go ahead with this booking? Please say yes or no.",
        ),
        ("restaurant-en", "hmm I dunno", "Please say yes or no"),
        # "what?": the read-back again, this time with how to answer it
        ("restaurant-ko", "음 뭐라고요?", "맞으면 네, 아니면 아니요라고"),
        ("restaurant-en", "hmm what?", "Please say yes or no"),
    ],
)
def test_an_unclear_answer_is_rephrased_not_repeated(
    runtime: AgentRuntime, scenario: str, unclear: str, rephrased: str
) -> None:
    call = _to_readback(runtime, scenario)
    read_back = call.reply.text
    call.user(unclear).agent(rephrased)
    assert call.reply.text != read_back
    assert call.state.confirming and call.state.misunderstood == 1
    call.user("네" if scenario == "restaurant-ko" else "yes")
    _booked(runtime, call)


@pytest.mark.parametrize(
    ("scenario", "unclear"),
    [
        ("restaurant-ko", ["음 뭐라고요?", "어디 보자", "글쎄 모르겠네"]),
        ("restaurant-en", ["hmm what?", "let me think", "I'm not sure"]),
    ],
)
def test_three_unclear_answers_hand_the_call_over(
    runtime: AgentRuntime, scenario: str, unclear: list[str]
) -> None:
    call = _to_readback(runtime, scenario)
    replies = [call.reply.text]
    for said in unclear[:2]:
        call.user(said).goes_on()
        assert call.reply.text != replies[-1]  # never the same question twice in a row
        replies.append(call.reply.text)
    call.user(unclear[2]).ends("handover")
    assert call.reply.transfer_to == "+8225550100"
    assert not runtime.bookings.list()
