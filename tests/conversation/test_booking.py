"""Booking a table, in Korean and in English: the whole call, as the caller would have it."""

from __future__ import annotations

import threading
from datetime import date, datetime, time

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.harness import Call, Clock, book_directly, start_call, venue_rule

KO_CALLER = "+821012345678"
EN_CALLER = "+15551234567"
TOMORROW = date(2026, 11, 26)  # Thursday


def test_full_booking_ko(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-ko", caller=KO_CALLER)
    call.agent("한강식당", "무엇을 도와드릴까요")
    call.user("예약하고 싶어요").agent("몇 월 며칠로")
    call.user("내일이요").agent("몇 시로")
    call.user("저녁 7시요").agent("몇 분이")
    call.user("네 명이요").agent("좌석은 룸, 홀, 야외")
    call.user("홀로 해 주세요").agent("성함")
    call.user("김민수입니다").agent(
        "11월 26일 목요일 저녁 7시, 4명, 홀 좌석, 김민수 님, 연락처 010-1234-5678로 예약해 드릴까요?"
    )
    call.user("네").agent("예약이 완료되었습니다", "더 도와드릴 일이 있을까요?")
    call.user("아니요").agent("감사합니다").ends("completed")
    call.close()

    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.party_size, booking.seating) == (
        datetime(2026, 11, 26, 19, 0),
        4,
        "hall",
    )
    assert (booking.name, booking.phone, booking.venue) == (
        "김민수",
        "01012345678",
        "hangang-kitchen",
    )
    stored = runtime.calls.get_call(call.call_id)
    assert stored is not None and stored.status == "completed" and stored.outcome == "completed"
    assert stored.caller == KO_CALLER and stored.scenario_id == "restaurant-ko"
    # every event is stored, in order, and the log replays to the same conversation
    stored_events = runtime.calls.load_events(call.call_id)
    assert [e.type for e in stored_events] == [e.type_name for e in call.session.tracker.events]
    (created,) = [e.payload for e in stored_events if e.payload.get("name") == "create_booking"]
    assert created["result"]["id"] == booking.id
    replayed = runtime.replay(call.call_id).state
    assert replayed.slots == call.slots
    assert replayed.completed == [("book", "done")] and replayed.ended


def test_full_booking_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-en", caller=EN_CALLER)
    call.agent("Hangang Kitchen", "How can I help you?")
    call.user("I'd like to book a table").agent("What date")
    call.user("tomorrow").agent("What time")
    call.user("7 pm please").agent("How many people")
    call.user("four people").agent("private room, the main hall, or outdoor")
    call.user("inside please").agent("name for the booking")
    call.user("my name is John Smith").agent(
        "Thursday, November 26th at 7 pm, 4 people, main hall seating, under John Smith, "
        "phone 555-123-4567. Shall I book it?"
    )
    call.user("yes").agent("Your table is booked", "anything else")
    call.user("no thanks").agent("Thank you for calling").ends("completed")
    call.close()

    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.party_size, booking.seating) == (
        datetime(2026, 11, 26, 19, 0),
        4,
        "hall",
    )
    assert (booking.name, booking.phone) == ("John Smith", "5551234567")
    assert runtime.replay(call.call_id).state.slots == call.slots


@pytest.mark.parametrize(
    ("scenario", "opening", "several", "asks"),
    [
        ("restaurant-ko", "예약하고 싶어요", "내일 저녁 7시에 4명이요", "좌석은"),
        (
            "restaurant-en",
            "I'd like to book a table",
            "tomorrow at 7 pm for four people",
            "seating",
        ),
    ],
)
def test_several_slots_in_one_answer(
    runtime: AgentRuntime, scenario: str, opening: str, several: str, asks: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(opening)
    assert call.state.requested == "date"
    call.user(several).agent(asks)  # date, time and party size at once: seating is next
    assert call.slots == {"date": TOMORROW, "time": time(19, 0), "party_size": 4}
    assert call.state.requested == "seating"


@pytest.mark.parametrize(
    ("scenario", "first", "asks"),
    [
        ("restaurant-ko", "토요일 점심 12시에 두 명 예약할게요", "좌석은"),
        ("restaurant-en", "table for two on Saturday at noon", "seating"),
    ],
)
def test_the_first_sentence_starts_the_booking_with_its_values(
    runtime: AgentRuntime, scenario: str, first: str, asks: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(first).agent(asks)
    assert call.state.task == "book"
    assert call.slots == {"date": date(2026, 11, 28), "time": time(12, 0), "party_size": 2}


def _to_confirmation(runtime: AgentRuntime, scenario: str) -> Call:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    if scenario == "restaurant-ko":
        call.user("내일 저녁 7시에 4명 룸으로 예약할게요").agent("성함")
        call.user("김민수입니다").agent("저녁 7시", "예약해 드릴까요?")
    else:
        call.user("table for four tomorrow at 7 pm in a private room").agent("name")
        call.user("John Smith").agent("at 7 pm", "Shall I book it?")
    assert call.state.confirming
    return call


def test_correction_at_confirmation_ko(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-ko", caller=KO_CALLER)
    call.user("예약하고 싶어요").user("내일 저녁 7시에 4명이요").user("방으로 될까요?")
    call.user("김민수입니다").agent("저녁 7시, 4명, 룸 좌석", "예약해 드릴까요?")
    call.user("아니요, 8시로 해 주세요").agent("저녁 8시, 4명, 룸 좌석", "예약해 드릴까요?")
    call.agent_not("저녁 7시")
    call.user("네").agent("저녁 8시에 4명")
    (booking,) = runtime.bookings.list()
    assert booking.start == datetime(2026, 11, 26, 20, 0)


def test_correction_at_confirmation_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-en", caller=EN_CALLER)
    call.user("I'd like to book a table").user("tomorrow at 7 pm for four")
    call.user("can we have a private room").user("John Smith").agent("at 7 pm", "Shall I book it?")
    call.user("no, make it 8").agent("at 8 pm, 4 people, private room", "Shall I book it?")
    call.user("yes").agent("booked for Thursday, November 26th at 8 pm")
    (booking,) = runtime.bookings.list()
    assert booking.start == datetime(2026, 11, 26, 20, 0)


@pytest.mark.parametrize(
    ("scenario", "no", "correction", "read_back"),
    [
        ("restaurant-ko", "아니요", "다섯 명이요", "5명"),
        ("restaurant-en", "no", "five people", "5 people"),
    ],
)
def test_no_at_confirmation_asks_what_to_change(
    runtime: AgentRuntime, scenario: str, no: str, correction: str, read_back: str
) -> None:
    call = _to_confirmation(runtime, scenario)
    call.user(no).agent(
        "어느 부분을" if scenario.endswith("ko") else "What would you like to change"
    )
    assert call.state.awaiting == "correction"
    call.user(correction).agent(read_back)
    assert call.state.confirming and call.slots["party_size"] == 5
    assert runtime.bookings.list() == []  # nothing booked before the final yes


FAQ_KO = [
    ("영업시간이 어떻게 돼요?", "오전 11시부터 밤 10시까지"),
    ("주차 돼요?", "2시간 무료 주차"),
    ("혼밥돼요?", "혼자 오셔도 괜찮습니다"),
    ("혼자 먹어도 될까요?", "혼자 오셔도 괜찮습니다"),
    ("콜키지 돼요?", "병당 2만 원"),
    ("단체 예약 되나요?", "최대 12분까지"),
]
FAQ_EN = [
    ("what are your opening hours", "from 11 am to 10 pm"),
    ("is there parking", "free parking for two hours"),
    ("can I eat alone", "dine on your own"),
    ("is there a corkage fee", "20,000 won per bottle"),
    ("do you take large groups", "up to 12 people"),
]


@pytest.mark.parametrize(("question", "answer"), FAQ_KO)
def test_faq_mid_form_returns_to_the_pending_question_ko(
    runtime: AgentRuntime, question: str, answer: str
) -> None:
    call = start_call(runtime, "restaurant-ko", caller=KO_CALLER)
    call.user("예약하고 싶어요").user("내일이요").agent("몇 시로 예약해 드릴까요?")
    call.user(question).agent(answer, "몇 시로 예약해 드릴까요?")
    assert call.acts[0][0] == "inform" and str(call.acts[0][1]).startswith("faq:")
    assert call.acts[-1] == ("request", "ask_time")
    assert call.state.requested == "time" and call.slots == {"date": TOMORROW}
    call.user("저녁 6시요").agent("몇 분이")


@pytest.mark.parametrize(("question", "answer"), FAQ_EN)
def test_faq_mid_form_returns_to_the_pending_question_en(
    runtime: AgentRuntime, question: str, answer: str
) -> None:
    call = start_call(runtime, "restaurant-en", caller=EN_CALLER)
    call.user("I'd like to book a table").user("tomorrow").agent("What time would you like?")
    call.user(question).agent(answer, "What time would you like?")
    assert call.acts[0][0] == "inform" and str(call.acts[0][1]).startswith("faq:")
    assert call.acts[-1] == ("request", "ask_time")
    assert call.state.requested == "time" and call.slots == {"date": TOMORROW}
    call.user("6 pm").agent("How many people")


@pytest.mark.parametrize(
    ("scenario", "question", "answer"),
    [
        ("restaurant-ko", "주차 돼요?", "무료 주차"),
        ("restaurant-en", "is there parking", "free parking"),
    ],
)
def test_faq_at_confirmation_reads_the_booking_back_again(
    runtime: AgentRuntime, scenario: str, question: str, answer: str
) -> None:
    call = _to_confirmation(runtime, scenario)
    before = call.reply.text
    call.user(question).agent(answer, before)
    assert call.state.confirming


@pytest.mark.parametrize(
    ("scenario", "said", "seating"),
    [
        ("restaurant-ko", "방으로 될까요?", "room"),
        ("restaurant-ko", "자리 없으면 밖에 앉아도 괜찮아요", "outdoor"),
        ("restaurant-ko", "홀로 해 주세요", "hall"),
        ("restaurant-ko", "아무 데나 괜찮아요", "hall"),  # "any" takes the default seating
        ("restaurant-ko", "홀 말고 룸으로요", "room"),
        ("restaurant-ko", "룸이 안 되면 야외로 해 주세요", "outdoor"),
        ("restaurant-en", "can we have a private room", "room"),
        ("restaurant-en", "if there is no room, outside is fine", "outdoor"),
        ("restaurant-en", "the main hall", "hall"),
        ("restaurant-en", "anywhere is fine", "hall"),
        ("restaurant-en", "not the hall, a private room please", "room"),
        ("restaurant-en", "no private room, outdoors please", "outdoor"),
    ],
)
def test_seating_phrasings(runtime: AgentRuntime, scenario: str, said: str, seating: str) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    opening = "내일 저녁 7시에 4명이요" if scenario.endswith("ko") else "tomorrow at 7 pm for four"
    call.user(opening)
    assert call.state.requested == "seating"
    call.user(said)
    assert call.slots["seating"] == seating
    assert call.state.requested == "name"


# -- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "monday", "says", "asks", "next_day"),
    [
        (
            "restaurant-ko",
            "다음 주 월요일 저녁 7시에 4명이요",
            "11월 30일 월요일은 휴무일",
            "몇 월 며칠",
            "화요일이요",
        ),
        (
            "restaurant-en",
            "next Monday at 7 pm for four",
            "closed on Monday, November 30th",
            "What date",
            "Tuesday",
        ),
    ],
)
def test_closed_day_is_refused_and_the_date_asked_again(
    runtime: AgentRuntime, scenario: str, monday: str, says: str, asks: str, next_day: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(monday).agent(says, asks)
    assert "date" not in call.slots and call.state.requested == "date"
    assert call.slots == {"time": time(19, 0), "party_size": 4}  # the rest is kept
    call.user(next_day)
    assert call.slots["date"] == date(2026, 12, 1) and call.state.requested == "seating"


@pytest.mark.parametrize(
    ("scenario", "earlier", "says"),
    [
        ("restaurant-ko", "오늘 저녁 5시에 두 명이요", "이미 지난 시간"),
        ("restaurant-en", "today at 5 pm for two", "already passed"),
    ],
)
def test_past_time_is_refused(
    runtime: AgentRuntime, clock: Clock, scenario: str, earlier: str, says: str
) -> None:
    clock.now = datetime(2026, 11, 25, 18, 0)  # the same Wednesday, at six in the evening
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(earlier).agent(says)
    assert "time" not in call.slots and call.state.requested == "time"
    assert call.slots["date"] == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("scenario", "yesterday", "says"),
    [
        ("restaurant-ko", "어제 저녁 7시요", "이미 지난"),
        ("restaurant-en", "yesterday at 7 pm", "already passed"),
    ],
)
def test_past_date_is_refused(
    runtime: AgentRuntime, scenario: str, yesterday: str, says: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user("예약하고 싶어요" if scenario.endswith("ko") else "I'd like to book a table")
    call.user(yesterday).agent(says)
    assert "date" not in call.slots and call.state.requested == "date"


@pytest.mark.parametrize(
    ("scenario", "too_many", "says", "fine", "asks"),
    [
        ("restaurant-ko", "스무 명이요", "최대 12분까지", "열두 명이요", "좌석은"),
        ("restaurant-en", "twenty people", "up to 12 people", "party of 12", "seating"),
    ],
)
def test_party_too_large(
    runtime: AgentRuntime, scenario: str, too_many: str, says: str, fine: str, asks: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user("내일 저녁 7시요" if scenario.endswith("ko") else "tomorrow at 7 pm")
    assert call.state.requested == "party_size"
    call.user(too_many).agent(says)
    assert "party_size" not in call.slots and call.state.requested == "party_size"
    call.user(fine).agent(asks)
    assert call.slots["party_size"] == 12


@pytest.mark.parametrize(
    ("scenario", "late", "says", "fine"),
    [
        ("restaurant-ko", "밤 9시 반이요", "오전 11시부터 저녁 8시 30분까지", "저녁 8시 반이요"),
        ("restaurant-en", "9:30 pm", "from 11 am to 8:30 pm", "8:30 pm"),
    ],
)
def test_outside_hours(
    runtime: AgentRuntime, scenario: str, late: str, says: str, fine: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user("내일 4명이요" if scenario.endswith("ko") else "tomorrow for four people")
    assert call.state.requested == "time"
    call.user(late).agent(says)
    assert "time" not in call.slots and call.state.requested == "time"
    call.user(fine)
    assert call.slots["time"] == time(20, 30)


# -- capacity -------------------------------------------------------------------------------


def test_no_capacity_offers_alternatives_and_one_is_accepted_ko(runtime: AgentRuntime) -> None:
    book_directly(runtime, datetime(2026, 11, 26, 19, 0), seating="room", party_size=12)
    call = start_call(runtime, "restaurant-ko", caller=KO_CALLER)
    call.user("내일 저녁 7시에 4명 방으로 예약할게요").agent(
        "저녁 7시에는 룸 자리가 없습니다", "저녁 5시 30분 또는 저녁 8시 30분 또는 저녁 7시 홀"
    )
    assert call.state.awaiting == "offer"
    call.user("저녁 8시 반으로 해 주세요").agent("성함")
    assert call.slots["time"] == time(20, 30) and call.slots["seating"] == "room"
    call.user("김민수입니다").agent("저녁 8시 30분, 4명, 룸 좌석")
    call.user("네").agent("예약이 완료되었습니다")
    mine = [b for b in runtime.bookings.list() if b.phone == "01012345678"]
    assert [(b.start, b.seating) for b in mine] == [(datetime(2026, 11, 26, 20, 30), "room")]


def test_no_capacity_offers_alternatives_and_one_is_accepted_en(runtime: AgentRuntime) -> None:
    book_directly(runtime, datetime(2026, 11, 26, 19, 0), seating="room", party_size=12)
    call = start_call(runtime, "restaurant-en", caller=EN_CALLER)
    call.user("table for four tomorrow at 7 pm in a private room").agent(
        "no private room table at 7 pm", "5:30 pm or 8:30 pm or 7 pm in the main hall"
    )
    call.user("the main hall").agent("name")
    assert call.slots["time"] == time(19, 0) and call.slots["seating"] == "hall"
    call.user("John Smith").user("yes").agent(
        "Your table is booked for Thursday, November 26th at 7 pm"
    )
    mine = [b for b in runtime.bookings.list() if b.phone == "5551234567"]
    assert [(b.start, b.seating) for b in mine] == [(datetime(2026, 11, 26, 19, 0), "hall")]


@pytest.mark.parametrize(("scenario", "yes"), [("restaurant-ko", "네"), ("restaurant-en", "yes")])
def test_yes_to_an_offer_takes_the_first_one(
    runtime: AgentRuntime, scenario: str, yes: str
) -> None:
    book_directly(runtime, datetime(2026, 11, 26, 19, 0), seating="room", party_size=12)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(
        "내일 저녁 7시에 4명 방으로 예약할게요"
        if scenario.endswith("ko")
        else "table for four tomorrow at 7 pm in a private room"
    )
    first = call.state.offers[0]
    call.user(yes)
    assert call.slots["time"] == first["time"] and call.slots["seating"] == first["seating"]
    assert call.state.requested == "name"


@pytest.mark.parametrize(
    ("scenario", "opening", "says"),
    [
        ("restaurant-ko", "내일 저녁 7시에 4명 방으로 예약할게요", "다른 날짜"),
        ("restaurant-en", "table for four tomorrow at 7 pm in a private room", "another date"),
    ],
)
def test_a_full_day_asks_for_another_date(
    runtime: AgentRuntime, scenario: str, opening: str, says: str
) -> None:
    for hour in range(11, 22):  # every room sitting of Thursday is taken, and so is the rest
        for seating, seats in (("room", 12), ("hall", 40), ("outdoor", 16)):
            for minute in (0, 30):
                start = datetime(2026, 11, 26, hour, minute)
                if runtime.bookings.seats_left(venue_rule(runtime), seating, start) >= seats:
                    book_directly(runtime, start, seating=seating, party_size=seats)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(opening).agent(says)
    assert call.state.requested == "date" and "date" not in call.slots


@pytest.mark.parametrize("scenario", ["restaurant-ko", "restaurant-en"])
def test_two_callers_race_for_the_last_room_and_the_second_gets_alternatives(
    runtime: AgentRuntime, scenario: str
) -> None:
    book_directly(runtime, datetime(2026, 11, 26, 19, 0), seating="room", party_size=8)
    first = _to_confirmation(runtime, scenario)
    second = _to_confirmation(runtime, scenario)  # both were told the room is free (4 of 12 left)
    first.user("네" if scenario.endswith("ko") else "yes").agent(
        "완료" if scenario.endswith("ko") else "booked"
    )
    second.user("네" if scenario.endswith("ko") else "yes")
    second.agent("룸 자리가 없습니다" if scenario.endswith("ko") else "no private room table")
    assert second.state.awaiting == "offer" and second.state.offers
    room_at_seven = [
        b for b in runtime.bookings.list() if b.seating == "room" and b.start.hour == 19
    ]
    assert sum(b.party_size for b in room_at_seven) == 12  # never more than the room holds
    second.user("저녁 7시 홀로 해 주세요" if scenario.endswith("ko") else "the main hall")
    assert second.state.confirming and second.slots["seating"] == "hall"
    second.user("네" if scenario.endswith("ko") else "yes")
    assert len(runtime.bookings.list()) == 3


@pytest.mark.parametrize("scenario", ["restaurant-ko", "restaurant-en"])
def test_two_callers_say_yes_at_the_same_moment(runtime: AgentRuntime, scenario: str) -> None:
    book_directly(runtime, datetime(2026, 11, 26, 19, 0), seating="room", party_size=8)
    calls = [_to_confirmation(runtime, scenario), _to_confirmation(runtime, scenario)]
    yes = "네" if scenario.endswith("ko") else "yes"
    start = threading.Barrier(2)

    def confirm(call: Call) -> None:
        start.wait()
        call.user(yes)

    threads = [threading.Thread(target=confirm, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    outcomes = sorted(
        ("offer" if c.state.awaiting == "offer" else c.state.awaiting) or "" for c in calls
    )
    assert outcomes == ["anything_else", "offer"]  # one is booked, the other offered alternatives
    room_at_seven = [b for b in runtime.bookings.list() if b.seating == "room"]
    assert sum(b.party_size for b in room_at_seven) == 12
