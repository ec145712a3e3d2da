"""Changing and cancelling a booking found by the caller's phone number, in both languages."""

from __future__ import annotations

from datetime import datetime

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.harness import book_directly, start_call

CALLER = "+821012345678"
PHONE = "01012345678"
THURSDAY_7PM = datetime(2026, 11, 26, 19, 0)


@pytest.fixture
def booked(runtime: AgentRuntime):
    """The caller's booking: Thursday 7 pm, 4 people, hall, made before this call."""
    return book_directly(runtime, THURSDAY_7PM, phone=PHONE, name="김민수")


def test_change_ko(runtime: AgentRuntime, booked) -> None:
    call = start_call(runtime, "restaurant-ko", caller=CALLER)
    call.user("예약 변경하고 싶어요").agent(
        "11월 26일 목요일 저녁 7시에 4명 예약이 있으시네요", "어떻게 바꿔 드릴까요?"
    )
    call.user("8시로 바꿔 주세요").agent(
        "예약을 11월 26일 목요일 저녁 8시, 4명, 홀 좌석으로 변경해 드릴까요?"
    )
    call.user("네").agent("저녁 8시, 4명으로 변경되었습니다", "더 도와드릴 일이")
    call.user("아니요").ends("completed")
    (booking,) = runtime.bookings.list()
    assert booking.id == booked.id
    assert (booking.start, booking.party_size, booking.name) == (
        datetime(2026, 11, 26, 20, 0),
        4,
        "김민수",
    )


def test_change_en(runtime: AgentRuntime, booked) -> None:
    call = start_call(runtime, "restaurant-en", caller=CALLER)
    call.user("I'd like to change my booking").agent(
        "I found your booking on Thursday, November 26th at 7 pm for 4 people",
        "What would you like to change?",
    )
    call.user("make it six people instead").agent(
        "Shall I change your booking to Thursday, November 26th at 7 pm, 6 people"
    )
    call.user("yes").agent("Your booking is now Thursday, November 26th at 7 pm, 6 people")
    (booking,) = runtime.bookings.list()
    assert (booking.id, booking.party_size, booking.start) == (booked.id, 6, THURSDAY_7PM)


def test_cancel_ko(runtime: AgentRuntime, booked) -> None:
    call = start_call(runtime, "restaurant-ko", caller=CALLER)
    call.user("예약 취소하고 싶어요").agent("11월 26일 목요일 저녁 7시 4명 예약을 취소해 드릴까요?")
    call.user("네").agent("11월 26일 목요일 저녁 7시 예약이 취소되었습니다")
    assert runtime.bookings.list() == []
    (cancelled,) = runtime.bookings.list(include_cancelled=True)
    assert cancelled.status == "cancelled" and cancelled.id == booked.id


def test_cancel_en(runtime: AgentRuntime, booked) -> None:
    call = start_call(runtime, "restaurant-en", caller=CALLER)
    call.user("I want to cancel my booking").agent(
        "Shall I cancel your booking on Thursday, November 26th at 7 pm for 4 people?"
    )
    call.user("yes").agent("Your booking on Thursday, November 26th at 7 pm is cancelled")
    assert runtime.bookings.list() == []


@pytest.mark.parametrize(
    ("scenario", "cancel", "no", "kept"),
    [
        ("restaurant-ko", "예약 취소해 주세요", "아니요", "그대로 두겠습니다"),
        ("restaurant-en", "please cancel my reservation", "no", "keep your booking"),
    ],
)
def test_no_to_a_cancellation_keeps_the_booking(
    runtime: AgentRuntime, booked, scenario: str, cancel: str, no: str, kept: str
) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(cancel).user(no).agent(kept)
    assert [b.id for b in runtime.bookings.list()] == [booked.id]
    assert call.state.completed == [("cancel", "kept")]


@pytest.mark.parametrize(
    ("scenario", "change", "phone", "found"),
    [
        ("restaurant-ko", "예약 변경하고 싶어요", "010-1234-5678이에요", "예약이 있으시네요"),
        ("restaurant-ko", "예약 변경하고 싶어요", "공일공 일이삼사 오육칠팔", "예약이 있으시네요"),
        (
            "restaurant-en",
            "I'd like to change my booking",
            "it's 010-1234-5678",
            "I found your booking",
        ),
    ],
)
def test_without_caller_id_the_phone_is_asked(
    runtime: AgentRuntime, booked, scenario: str, change: str, phone: str, found: str
) -> None:
    call = start_call(runtime, scenario, caller=None)
    call.user(change).agent("전화번호" if scenario.endswith("ko") else "phone number")
    assert call.state.awaiting == "lookup_phone" and call.reply.expects == "phone"
    call.user(phone).agent(found)
    assert call.state.booking is not None and call.state.booking["id"] == booked.id


@pytest.mark.parametrize("scenario", ["restaurant-ko", "restaurant-en"])
def test_phone_typed_on_the_keypad(runtime: AgentRuntime, booked, scenario: str) -> None:
    call = start_call(runtime, scenario, caller=None)
    call.user("예약 취소하고 싶어요" if scenario.endswith("ko") else "I want to cancel my booking")
    call.keys("01012345678#").agent(
        "취소해 드릴까요" if scenario.endswith("ko") else "Shall I cancel"
    )
    call.keys("1")  # 1 = yes
    assert runtime.bookings.list() == []


@pytest.mark.parametrize(
    ("scenario", "cancel", "says"),
    [
        ("restaurant-ko", "예약 취소하고 싶어요", "예약을 찾지 못했습니다"),
        ("restaurant-en", "I want to cancel my booking", "couldn't find a booking"),
    ],
)
def test_no_booking_under_the_number(
    runtime: AgentRuntime, scenario: str, cancel: str, says: str
) -> None:
    book_directly(runtime, THURSDAY_7PM, phone="01055556666")  # someone else's
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(cancel).agent(says).goes_on()
    assert call.state.completed == [("cancel", "not_found")]
    assert len(runtime.bookings.list()) == 1


def test_a_korean_booking_is_changed_in_english(runtime: AgentRuntime) -> None:
    ko = start_call(runtime, "restaurant-ko", caller=CALLER)
    ko.user("내일 저녁 7시에 4명 홀로 예약할게요").user("김민수입니다").user("네").agent(
        "예약이 완료되었습니다"
    )
    (made,) = runtime.bookings.list()

    en = start_call(runtime, "restaurant-en", caller=CALLER)  # same venue id: same bookings
    en.user("can I change my reservation").agent(
        "I found your booking on Thursday, November 26th at 7 pm for 4 people"
    )
    en.user("move it to Friday").agent("Friday, November 27th at 7 pm, 4 people, main hall seating")
    en.user("yes").agent("Your booking is now Friday, November 27th at 7 pm")
    (changed,) = runtime.bookings.list()
    assert changed.id == made.id and changed.start == datetime(2026, 11, 27, 19, 0)
    assert changed.name == "김민수"  # the name given in Korean stays


@pytest.mark.parametrize(
    ("scenario", "change", "too_many", "says"),
    [
        ("restaurant-ko", "예약 변경하고 싶어요", "열다섯 명으로 바꿔 주세요", "최대 12분까지"),
        (
            "restaurant-en",
            "I'd like to change my booking",
            "make it fifteen people",
            "up to 12 people",
        ),
    ],
)
def test_a_change_is_validated_like_a_booking(
    runtime: AgentRuntime, booked, scenario: str, change: str, too_many: str, says: str
) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(change).user(too_many).agent(says)
    assert call.state.requested == "party_size"
    assert runtime.bookings.list()[0].party_size == 4


@pytest.mark.parametrize("scenario", ["restaurant-ko", "restaurant-en"])
def test_a_change_keeps_its_own_seats(runtime: AgentRuntime, scenario: str) -> None:
    # the room holds 12; the caller's 8 plus 4 others fill it: growing to 10 must count only the others
    mine = book_directly(runtime, THURSDAY_7PM, seating="room", party_size=8, phone=PHONE)
    book_directly(runtime, THURSDAY_7PM, seating="room", party_size=2)
    call = start_call(runtime, scenario, caller=CALLER)
    if scenario.endswith("ko"):
        call.user("인원 변경하려고요").user("열 명으로 바꿔 주세요").user("네")
    else:
        call.user("can we change the number of people").user("ten people").user("yes")
    changed = runtime.bookings.get(mine.id)
    assert changed is not None and changed.party_size == 10


@pytest.mark.parametrize(
    ("scenario", "change", "leave_it", "kept"),
    [
        ("restaurant-ko", "예약 변경하고 싶어요", "아니요 그냥 둘게요", "그대로 두겠습니다"),
        (
            "restaurant-en",
            "I'd like to change my booking",
            "no, leave it as it is",
            "keep your booking",
        ),
    ],
)
def test_no_change_after_all_keeps_the_booking(
    runtime: AgentRuntime,
    booked,
    scenario: str,
    change: str,
    leave_it: str,
    kept: str,
) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(change)
    assert call.state.awaiting == "change_what"
    call.user(leave_it).agent(kept).goes_on()
    assert call.state.completed == [("change", "kept")] and call.state.misunderstood == 0
    (booking,) = runtime.bookings.list()
    assert (booking.id, booking.start) == (booked.id, THURSDAY_7PM)
