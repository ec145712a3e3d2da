"""What works at any point of a call: hand-over, goodbye, repeat, out of scope, silence, keys."""

from __future__ import annotations

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.harness import start_call

CALLER = "+821012345678"
KO, EN = "restaurant-ko", "restaurant-en"
BOOK = {KO: "예약하고 싶어요", EN: "I'd like to book a table"}
DATE_PROMPT = {KO: "몇 월 며칠로 예약해 드릴까요?", EN: "What date would you like to book?"}


@pytest.mark.parametrize(
    ("scenario", "person", "says"),
    [
        (KO, "상담원 연결해 주세요", "담당 직원에게 연결해 드리겠습니다"),
        (KO, "사람이랑 통화하고 싶어요", "담당 직원에게 연결해 드리겠습니다"),
        (EN, "can I talk to a person", "put you through to a member of staff"),
        (EN, "I want to speak to someone", "put you through to a member of staff"),
    ],
)
def test_asking_for_a_person_hands_the_call_over(
    runtime: AgentRuntime, scenario: str, person: str, says: str
) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(BOOK[scenario]).user(person).agent(says).ends("handover")
    assert call.acts == [("transfer", "handover")]
    assert call.reply.transfer_to == "+8225550100"
    call.close()
    stored = runtime.calls.get_call(call.call_id)
    assert stored is not None and stored.outcome == "handover"


@pytest.mark.parametrize(
    ("scenario", "gibberish", "sorry", "handover"),
    [
        (KO, ["음", "블라블라", "ㅁㄴㅇㄹ"], "잘 이해하지 못했습니다", "담당 직원에게 연결"),
        (EN, ["hmm", "blah blah", "qwerty"], "didn't quite understand", "member of staff"),
    ],
)
def test_misunderstandings_end_in_the_scenarios_fallback(
    runtime: AgentRuntime, scenario: str, gibberish: list[str], sorry: str, handover: str
) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(BOOK[scenario])
    call.user(gibberish[0]).agent(sorry, DATE_PROMPT[scenario]).goes_on()
    call.user(gibberish[1]).agent(sorry, DATE_PROMPT[scenario]).goes_on()
    assert call.state.misunderstood == 2
    call.user(gibberish[2]).agent(handover).ends("handover")  # max_misunderstandings: 3
    assert call.reply.transfer_to == "+8225550100"


@pytest.mark.parametrize(
    ("scenario", "gibberish", "answer"),
    [(KO, "블라블라", "내일이요"), (EN, "blah blah", "tomorrow")],
)
def test_an_understood_answer_resets_the_misunderstanding_count(
    runtime: AgentRuntime, scenario: str, gibberish: str, answer: str
) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(BOOK[scenario]).user(gibberish).user(gibberish)
    assert call.state.misunderstood == 2
    call.user(answer).goes_on()
    assert call.state.misunderstood == 0
    call.user(gibberish).user(gibberish).goes_on()


@pytest.mark.parametrize(
    ("scenario", "bye", "says"),
    [
        (KO, "안녕히 계세요", "전화 주셔서 감사합니다"),
        (KO, "끊을게요", "전화 주셔서 감사합니다"),
        (EN, "goodbye", "Thank you for calling"),
        (EN, "thanks bye", "Thank you for calling"),
    ],
)
def test_goodbye_ends_the_call(runtime: AgentRuntime, scenario: str, bye: str, says: str) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(BOOK[scenario]).user(bye).agent(says).ends("abandoned")  # nothing was done
    assert runtime.bookings.list() == []


@pytest.mark.parametrize(
    ("scenario", "again"),
    [
        (KO, "다시 말씀해 주세요"),
        (KO, "뭐라고요"),
        (EN, "sorry can you repeat that"),
        (EN, "say that again"),
    ],
)
def test_repeat_says_the_last_reply_again(runtime: AgentRuntime, scenario: str, again: str) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(BOOK[scenario]).user("내일이요" if scenario == KO else "tomorrow")
    asked = call.reply.text
    call.user(again)
    assert call.reply.text == asked
    assert call.state.requested == "time"


@pytest.mark.parametrize(
    ("scenario", "unrelated", "says"),
    [
        (KO, "오늘 날씨 어때요", "도와드리기 어렵습니다"),
        (KO, "택시 불러 주세요", "도와드리기 어렵습니다"),
        (EN, "what's the weather like", "I can't help with that"),
        (EN, "call me a taxi", "I can't help with that"),
    ],
)
def test_out_of_scope_is_declined_and_the_question_asked_again(
    runtime: AgentRuntime, scenario: str, unrelated: str, says: str
) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(BOOK[scenario]).user(unrelated).agent(says, DATE_PROMPT[scenario])
    assert call.slots == {}  # "오늘" in "오늘 날씨 어때요" is not a booking date
    assert call.state.requested == "date"


@pytest.mark.parametrize(
    ("scenario", "hello", "end"),
    [
        (KO, "여보세요, 제 말씀 들리시나요?", "통화를 종료하겠습니다"),
        (EN, "are you still there?", "call us again later"),
    ],
)
def test_silence_is_reprompted_then_the_call_ends(
    runtime: AgentRuntime, scenario: str, hello: str, end: str
) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(BOOK[scenario])
    call.silence().agent(hello, DATE_PROMPT[scenario]).goes_on()
    call.silence().agent(hello, DATE_PROMPT[scenario]).goes_on()  # max_reprompts: 2
    call.silence().agent(end).ends("no_input")
    assert not call.reply.transfer_to


@pytest.mark.parametrize("scenario", [KO, EN])
def test_speaking_again_resets_the_silence_count(runtime: AgentRuntime, scenario: str) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(BOOK[scenario]).silence().silence()
    call.user("내일이요" if scenario == KO else "tomorrow")
    assert call.state.no_input == 0
    call.silence().silence().goes_on()


@pytest.mark.parametrize(
    ("scenario", "name", "read_back"),
    [(KO, "김민수입니다", "연락처 010-9876-5432"), (EN, "John Smith", "phone 010-9876-5432")],
)
def test_phone_digits_on_the_keypad_without_caller_id(
    runtime: AgentRuntime, scenario: str, name: str, read_back: str
) -> None:
    call = start_call(runtime, scenario, caller=None)
    call.user(
        "내일 저녁 7시에 4명 홀로 예약할게요"
        if scenario == KO
        else "table for four tomorrow at 7 pm in the main hall"
    )
    call.user(name)
    assert call.state.requested == "phone" and call.reply.expects == "phone"
    call.keys("01098765432#").agent(read_back)
    assert call.state.confirming
    call.keys("1")  # 1 = yes
    (booking,) = runtime.bookings.list()
    assert booking.phone == "01098765432"


@pytest.mark.parametrize(
    ("scenario", "sorry"), [(KO, "잘 이해하지 못했습니다"), (EN, "didn't quite understand")]
)
def test_keys_that_cannot_answer_the_question_are_not_understood(
    runtime: AgentRuntime, scenario: str, sorry: str
) -> None:
    call = start_call(runtime, scenario, caller=None)
    call.user(BOOK[scenario])
    call.keys("123").agent(sorry, DATE_PROMPT[scenario])  # three keys cannot say a date
    assert call.slots == {}
    call.user("내일 저녁 7시요" if scenario == KO else "tomorrow at 7 pm")
    call.keys("4")  # but they can say a party size
    assert call.slots["party_size"] == 4
    call.user("홀이요" if scenario == KO else "the main hall").user(
        "김민수입니다" if scenario == KO else "John Smith"
    )
    call.keys("1")  # too short for a phone number
    assert "phone" not in call.slots and call.state.requested == "phone"


@pytest.mark.parametrize(
    ("scenario", "yes", "what", "faq", "answer"),
    [
        (KO, "네", "무엇을 도와드릴까요?", "주차 돼요?", "무료 주차"),
        (EN, "yes", "What can I do for you?", "is there parking", "free parking"),
    ],
)
def test_yes_to_anything_else_lets_the_caller_go_on(
    runtime: AgentRuntime, scenario: str, yes: str, what: str, faq: str, answer: str
) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(
        "내일 저녁 7시에 4명 홀로 예약할게요"
        if scenario == KO
        else "table for four tomorrow at 7 pm in the main hall"
    )
    call.user("김민수입니다" if scenario == KO else "John Smith").user(yes)
    assert call.state.awaiting == "anything_else"
    call.user(yes).agent(what).goes_on()
    assert call.state.misunderstood == 0
    call.user(faq).agent(answer)
    call.user("끊을게요" if scenario == KO else "bye").ends("completed")
