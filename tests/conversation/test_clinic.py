"""The clinic (clinic-ko, clinic-en): two doctors, a consultation and a check-up, a lunch break.

Written from the scenario's data only (scenarios/data/clinic-*.yaml): Dr. Kim is off on
Thursdays, Dr. Lee starts at 10 am and is off on Saturdays; the clinic is open 9-18 on weekdays,
9-13 on Saturdays, closed on Sundays, lunch 13-14; a consultation takes 15 minutes, a check-up
60. The clock is Wednesday 2026-11-25 10:00 (tomorrow is Thursday).
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.booking_harness import appointment
from tests.conversation.harness import start_call

KO_CALLER = "+821012345678"
KO_PHONE = "01012345678"
EN_CALLER = "+15551234567"
EN_PHONE = "5551234567"
THURSDAY_10 = datetime(2026, 11, 26, 10, 0)
FRIDAY = datetime(2026, 11, 27)


def test_full_booking_ko(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "clinic-ko", caller=KO_CALLER)
    call.agent("하늘내과의원", "무엇을 도와드릴까요")
    call.user("진료 예약하고 싶어요").agent("김민수 원장님과 이수진 원장님")
    call.user("김 원장님이요").agent("며칠로")
    call.user("금요일이요").agent("몇 시로")
    call.user("오후 3시요").agent("성함")
    call.user("홍길동입니다").agent(
        "11월 27일 금요일 오후 3시, 김민수 원장님 진료, 홍길동 님, 연락처 010-1234-5678로 예약해 드릴까요?"
    )
    call.user("네").agent("예약되었습니다", "신분증", "더 도와드릴 일이")
    call.user("아니요").agent("감사합니다").ends("completed")
    call.close()

    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.service, booking.provider) == (
        datetime(2026, 11, 27, 15, 0),
        "consultation",
        "dr_kim",
    )
    assert (booking.name, booking.phone, booking.venue) == ("홍길동", KO_PHONE, "haneul-clinic")
    assert runtime.replay(call.call_id).state.slots == call.slots


def test_full_booking_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "clinic-en", caller=EN_CALLER)
    call.agent("Haneul Family Clinic", "How can I help you?")
    call.user("I'd like to book a check-up").agent("Dr. Kim or Dr. Lee")
    call.user("Dr. Lee please").agent("What day")
    call.user("next Monday").agent("What time")
    call.user("11 am").agent("patient's name")
    call.user("my name is John Smith").agent(
        "So that's a check-up with Dr. Lee on Monday, November 30th at 11 am, under John Smith, "
        "phone 555-123-4567. Shall I book it?"
    )
    call.user("yes").agent("You're booked", "anything else")
    call.user("no thanks").ends("completed")
    call.close()

    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.service, booking.provider) == (
        datetime(2026, 11, 30, 11, 0),
        "checkup",
        "dr_lee",
    )
    assert (booking.name, booking.phone) == ("John Smith", EN_PHONE)


def test_both_languages_share_the_diary(runtime: AgentRuntime) -> None:
    """clinic-ko and clinic-en are one clinic: an English booking takes the Korean caller's slot."""
    appointment(runtime, "clinic-en", "consultation", "dr_lee", THURSDAY_10, name="John Smith")
    call = start_call(runtime, "clinic-ko", caller=KO_CALLER)
    call.user("진료 예약하고 싶어요").user("이 원장님이요").user("내일 오전 10시요")
    call.agent("오전 10시에는 예약이 찼습니다", "오전 10시 15분")


@pytest.mark.parametrize(
    ("scenario", "lines", "taken", "offered", "pick"),
    [
        (
            "clinic-ko",
            ["진료 예약하고 싶어요", "이 원장님이요", "내일 오전 10시요"],
            "오전 10시에는 예약이 찼습니다",
            "오전 10시 15분",
            "10시 15분으로 해 주세요",
        ),
        (
            "clinic-en",
            ["I'd like to make an appointment", "a consultation", "Dr. Lee", "tomorrow at 10 am"],
            "10 am is already taken",
            "10:15 am",
            "10:15 please",
        ),
    ],
)
def test_the_asked_slot_is_taken_and_a_near_one_is_offered(
    runtime: AgentRuntime,
    scenario: str,
    lines: list[str],
    taken: str,
    offered: str,
    pick: str,
) -> None:
    appointment(runtime, scenario, "consultation", "dr_lee", THURSDAY_10)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(taken, offered)
    call.user(pick).agent_not(taken)
    assert call.slots["time"].isoformat(timespec="minutes") == "10:15"
    call.user("홍길동입니다" if scenario.endswith("ko") else "my name is John Smith")
    call.user("네" if scenario.endswith("ko") else "yes")
    mine = [b for b in runtime.bookings.list() if b.phone == KO_PHONE]
    assert [(b.start, b.provider) for b in mine] == [(datetime(2026, 11, 26, 10, 15), "dr_lee")]


@pytest.mark.parametrize(
    ("scenario", "lines", "says"),
    [
        (
            "clinic-ko",
            ["진료 예약하고 싶어요", "김 원장님이요", "내일이요"],
            ["김민수 원장님", "11월 26일"],
        ),
        (
            "clinic-en",
            ["I'd like to see Dr. Kim", "a consultation", "tomorrow"],
            ["Dr. Kim", "Thursday, November 26th"],
        ),
    ],
)
def test_a_doctors_day_off(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: list[str]
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(*says).goes_on()
    assert "date" not in call.slots  # Thursday is refused; the date is asked again
    assert call.state.requested == "date"
    assert runtime.bookings.list() == []


@pytest.mark.parametrize(
    ("scenario", "lines", "says"),
    [
        (
            "clinic-ko",
            ["건강검진 예약하고 싶어요", "이 원장님이요", "금요일 오후 5시 반이요"],
            ["60분", "6시"],
        ),
        (
            "clinic-en",
            ["I want to book a check-up", "Dr. Lee", "Friday at 5:30 pm"],
            ["60 minutes", "6 pm"],
        ),
    ],
)
def test_a_checkup_too_long_for_the_time_left_before_closing(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: list[str]
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(*says)
    assert call.state.requested == "time"
    # a consultation (15 minutes) at the same time is fine
    call.user("오후 4시요" if scenario.endswith("ko") else "4 pm please")
    assert call.slots["time"].hour == 16 and call.state.requested == "name"


@pytest.mark.parametrize(
    ("scenario", "lines"),
    [
        ("clinic-ko", ["건강검진 예약하고 싶어요", "김 원장님이요", "금요일 낮 12시 반이요"]),
        ("clinic-en", ["I want to book a check-up", "Dr. Kim", "Friday at 12:30 pm"]),
    ],
)
def test_a_checkup_may_not_run_into_the_lunch_break(
    runtime: AgentRuntime, scenario: str, lines: list[str]
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent("1").goes_on()  # the reply names the break (1 pm / 오후 1시)
    assert call.state.requested == "time" and "time" not in call.slots


@pytest.mark.parametrize(
    ("scenario", "lines", "says"),
    [
        ("clinic-ko", ["진료 예약하고 싶어요", "아무나요", "일요일 오전 10시요"], "휴진"),
        (
            "clinic-en",
            ["I'd like an appointment", "a consultation", "anyone", "Sunday at 10"],
            "closed",
        ),
    ],
)
def test_closed_on_sunday(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(says)
    assert "date" not in call.slots


@pytest.mark.parametrize(
    ("scenario", "lines", "name", "yes"),
    [
        (
            "clinic-ko",
            ["내일 오전 11시에 진료 예약하고 싶어요", "아무나 괜찮아요"],
            "홍길동입니다",
            "네",
        ),
        (
            "clinic-en",
            ["I'd like a consultation tomorrow at 11 am", "anyone is fine"],
            "my name is John Smith",
            "yes",
        ),
    ],
)
def test_anyone_books_the_doctor_who_works_then(
    runtime: AgentRuntime, scenario: str, lines: list[str], name: str, yes: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.user(name).user(yes)
    (booking,) = runtime.bookings.list()
    # Dr. Kim is off on Thursdays: "anyone" is Dr. Lee
    assert (booking.start, booking.provider) == (datetime(2026, 11, 26, 11, 0), "dr_lee")


@pytest.mark.parametrize(
    ("scenario", "lines", "says"),
    [
        (
            "clinic-ko",
            ["진료 예약하고 싶어요", "아무나요", "제일 빠른 시간으로 해 주세요"],
            "오전 10시 30분",
        ),
        (
            "clinic-en",
            ["I'd like an appointment", "a consultation", "anyone", "the earliest you have"],
            "10:30 am",
        ),
    ],
)
def test_the_earliest_free_time(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: str
) -> None:
    # 10:00 now, 30 minutes' lead: 10:30 today is the first start
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(says)
    assert call.slots["date"].isoformat() == "2026-11-25"
    assert call.slots["time"].isoformat(timespec="minutes") == "10:30"


def test_the_earliest_skips_what_is_taken(runtime: AgentRuntime) -> None:
    appointment(runtime, "clinic-ko", "consultation", "dr_kim", datetime(2026, 11, 25, 10, 30))
    call = start_call(runtime, "clinic-ko", caller=KO_CALLER)
    call.user("진료 예약하고 싶어요").user("김 원장님이요").user("제일 빠른 시간으로 해 주세요")
    call.agent("오전 10시 45분")


@pytest.mark.parametrize(
    ("scenario", "lines", "says"),
    [
        ("clinic-ko", ["진료 예약하고 싶어요", "지난번 그 선생님으로 해 주세요"], "김민수 원장님"),
        (
            "clinic-en",
            ["I'd like an appointment", "a consultation", "the same doctor as last time"],
            "Dr. Kim",
        ),
    ],
)
def test_the_same_doctor_as_last_time(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: str
) -> None:
    appointment(
        runtime, scenario, "consultation", "dr_kim", datetime(2026, 11, 20, 9, 0), phone=KO_PHONE
    )
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(says)
    assert call.slots["provider"] == "dr_kim"


@pytest.mark.parametrize(
    ("scenario", "first", "line", "says"),
    [
        (
            "clinic-ko",
            "진료 예약하고 싶어요",
            "지난번 그 선생님으로 해 주세요",
            "지난 예약을 찾지 못했습니다",
        ),
        (
            "clinic-en",
            "a consultation please",
            "the same doctor as last time",
            "couldn't find an earlier booking",
        ),
    ],
)
def test_no_last_time_for_a_new_caller(
    runtime: AgentRuntime, scenario: str, first: str, line: str, says: str
) -> None:
    appointment(runtime, scenario, "consultation", "dr_kim", datetime(2026, 11, 20, 9, 0))
    call = start_call(runtime, scenario, caller=KO_CALLER)  # another caller booked, not this one
    call.user(first).user(line).agent(says).goes_on()
    assert "provider" not in call.slots and call.state.requested == "provider"


_TIME_KO = re.compile(r"(오전|오후|낮|저녁) \d+시( \d+분)?")
_TIME_EN = re.compile(r"\b\d+(:\d+)? (am|pm)\b|\bnoon\b")


@pytest.mark.parametrize(
    ("scenario", "line", "day", "taken"),
    [
        ("clinic-ko", "금요일에 몇 시가 비어 있어요?", "11월 27일", "오전 9시"),
        ("clinic-en", "what times do you have on Friday", "November 27th", "9 am"),
    ],
)
def test_what_times_on_friday_lists_a_few_free_ones(
    runtime: AgentRuntime, scenario: str, line: str, day: str, taken: str
) -> None:
    # Dr. Kim is booked at 9 on Friday and Dr. Lee starts at 10: 9 am is not free
    appointment(runtime, scenario, "consultation", "dr_kim", datetime(2026, 11, 27, 9, 0))
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(line).agent(day).goes_on()
    pattern = _TIME_KO if scenario.endswith("ko") else _TIME_EN
    said = [m.group(0) for m in pattern.finditer(call.reply.text)]
    assert 2 <= len(said) <= 4, call  # a few, not the whole day (30-odd starts)
    assert taken not in said, call
    assert runtime.bookings.list()[0].start == datetime(2026, 11, 27, 9, 0)


@pytest.mark.parametrize(
    ("scenario", "line", "named", "not_named"),
    [
        ("clinic-ko", "토요일에 진료하는 선생님 있어요?", "김민수", "이수진"),
        ("clinic-ko", "목요일에 어느 선생님 나오세요", "이수진", "김민수"),
        ("clinic-en", "is there a doctor in on Saturday", "Dr. Kim", "Dr. Lee"),
        ("clinic-en", "which doctor is in on Thursday", "Dr. Lee", "Dr. Kim"),
    ],
)
def test_find_a_doctor_from_the_data(
    runtime: AgentRuntime, scenario: str, line: str, named: str, not_named: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(line).agent(named).agent_not(not_named).goes_on()
    assert runtime.bookings.list() == []


@pytest.mark.parametrize(
    ("scenario", "ask", "found", "move", "confirm", "yes"),
    [
        (
            "clinic-ko",
            "예약 변경하고 싶어요",
            "11월 26일 목요일 오전 10시에 이수진 원장님 진료 예약이 있으시네요",
            "금요일로 바꿔 주세요",
            "예약을 11월 27일 금요일 오전 10시, 이수진 원장님 담당으로 변경해 드릴까요?",
            "네",
        ),
        (
            "clinic-en",
            "I'd like to change my appointment",
            "I found your consultation with Dr. Lee on Thursday, November 26th at 10 am",
            "could you move it to Friday",
            "Shall I move your appointment to Friday, November 27th at 10 am with Dr. Lee?",
            "yes",
        ),
    ],
)
def test_change_an_appointment(
    runtime: AgentRuntime,
    scenario: str,
    ask: str,
    found: str,
    move: str,
    confirm: str,
    yes: str,
) -> None:
    booked = appointment(runtime, scenario, "consultation", "dr_lee", THURSDAY_10, phone=KO_PHONE)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(ask).agent(found)
    call.user(move).agent(confirm)
    call.user(yes)
    (booking,) = runtime.bookings.list()
    assert booking.id == booked.id
    assert (booking.start, booking.provider, booking.service) == (
        datetime(2026, 11, 27, 10, 0),
        "dr_lee",
        "consultation",
    )


def test_change_to_the_other_doctor_ko(runtime: AgentRuntime) -> None:
    appointment(
        runtime,
        "clinic-ko",
        "consultation",
        "dr_lee",
        datetime(2026, 11, 27, 11, 0),
        phone=KO_PHONE,
    )
    call = start_call(runtime, "clinic-ko", caller=KO_CALLER)
    call.user("예약 변경하고 싶어요").user("김 원장님으로 바꿔 주세요").agent(
        "김민수 원장님 담당으로"
    )
    call.user("네")
    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.provider) == (datetime(2026, 11, 27, 11, 0), "dr_kim")


@pytest.mark.parametrize(
    ("scenario", "ask", "confirm", "yes", "done"),
    [
        (
            "clinic-ko",
            "예약 취소하고 싶어요",
            "11월 26일 목요일 오전 10시 이수진 원장님 진료 예약을 취소해 드릴까요?",
            "네",
            "취소되었습니다",
        ),
        (
            "clinic-en",
            "I want to cancel my appointment",
            "Shall I cancel your consultation with Dr. Lee on Thursday, November 26th at 10 am?",
            "yes",
            "is cancelled",
        ),
    ],
)
def test_cancel_an_appointment(
    runtime: AgentRuntime, scenario: str, ask: str, confirm: str, yes: str, done: str
) -> None:
    booked = appointment(runtime, scenario, "consultation", "dr_lee", THURSDAY_10, phone=KO_PHONE)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(ask).agent(confirm)
    call.user(yes).agent(done)
    assert runtime.bookings.list() == []
    (cancelled,) = runtime.bookings.list(include_cancelled=True)
    assert (cancelled.id, cancelled.status) == (booked.id, "cancelled")
    # the freed slot can be booked again
    again = appointment(runtime, scenario, "consultation", "dr_lee", THURSDAY_10)
    assert again.status == "active"


@pytest.mark.parametrize(
    ("scenario", "lines", "no_fix", "readback", "yes"),
    [
        (
            "clinic-ko",
            ["진료 예약하고 싶어요", "이 원장님이요", "내일 오전 11시요", "박지영입니다"],
            "아니요 시간을 11시 반으로 바꿔 주세요",
            "11월 26일 목요일 오전 11시 30분, 이수진 원장님 진료, 박지영 님",
            "네",
        ),
        (
            "clinic-en",
            [
                "I'd like an appointment",
                "a consultation",
                "Dr. Lee",
                "tomorrow at 11 am",
                "my name is Maria Garcia",
            ],
            "no, make it 11:30",
            "consultation with Dr. Lee on Thursday, November 26th at 11:30 am, under Maria Garcia",
            "yes",
        ),
    ],
)
def test_a_correction_at_the_read_back(
    runtime: AgentRuntime, scenario: str, lines: list[str], no_fix: str, readback: str, yes: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.user(no_fix).agent(readback)
    call.user(yes)
    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.provider) == (datetime(2026, 11, 26, 11, 30), "dr_lee")


def test_a_doctors_own_hours_en(runtime: AgentRuntime) -> None:
    """Dr. Lee starts at 10: 9 am with her is refused, 9 am with Dr. Kim on Friday is fine."""
    call = start_call(runtime, "clinic-en", caller=EN_CALLER)
    call.user("I'd like a consultation").user("Dr. Lee").user("Friday at 9 am").goes_on()
    assert "time" not in call.slots
    call.agent("Dr. Lee")
    other = start_call(runtime, "clinic-en", caller=EN_CALLER)
    other.user("I'd like a consultation").user("Dr. Kim").user("Friday at 9 am")
    assert other.slots["time"].hour == 9 and other.state.requested == "name"


@pytest.mark.parametrize(
    ("scenario", "line", "says"),
    [
        ("clinic-ko", "검진 전에 금식해야 되나요", "밤 9시"),
        ("clinic-en", "do I need to fast before the check-up", "9 pm"),
        ("clinic-ko", "점심시간이 언제예요", "오후 1시부터 2시"),
        ("clinic-en", "when is your lunch break", "1 to 2 pm"),
    ],
)
def test_faq(runtime: AgentRuntime, scenario: str, line: str, says: str) -> None:
    start_call(runtime, scenario, caller=KO_CALLER).user(line).agent(says).goes_on()


@pytest.mark.parametrize(
    ("scenario", "lines", "says"),
    [
        ("clinic-ko", ["제일 빠른 시간으로 예약해 주세요", "진료요"], "오전 10시 30분"),
        ("clinic-en", ["the earliest appointment you have please", "a consultation"], "10:30 am"),
    ],
)
def test_the_earliest_said_before_the_service_is_met_once_it_is_known(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(says)
    assert (call.slots["date"].isoformat(), call.slots["time"].isoformat(timespec="minutes")) == (
        "2026-11-25",
        "10:30",
    )


@pytest.mark.parametrize(
    ("scenario", "lines", "name", "yes", "slot_day"),
    [
        (
            "clinic-ko",
            ["금요일에 몇 시가 비어 있어요?", "진료요", "아무나요", "오전 11시요"],
            "홍길동입니다",
            "네",
            "2026-11-27",
        ),
        (
            "clinic-en",
            ["what times do you have on Friday", "a consultation", "anyone", "11 am please"],
            "my name is John Smith",
            "yes",
            "2026-11-27",
        ),
    ],
)
def test_what_times_then_books_on_that_day(
    runtime: AgentRuntime, scenario: str, lines: list[str], name: str, yes: str, slot_day: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    assert call.slots["date"].isoformat() == slot_day and call.state.requested == "name"
    call.user(name).user(yes)
    (booking,) = runtime.bookings.list()
    assert booking.start == datetime(2026, 11, 27, 11, 0) and booking.service == "consultation"


@pytest.mark.parametrize(
    ("scenario", "first", "slots"),
    [
        (
            "clinic-ko",
            "금요일 오후 세 시에 김 원장님한테 진료 볼 수 있을까요",
            {"service": "consultation", "provider": "dr_kim", "hour": 15},
        ),
        (
            "clinic-en",
            "can I get a check-up with Dr. Lee on Friday at 3 pm",
            {"service": "checkup", "provider": "dr_lee", "hour": 15},
        ),
    ],
)
def test_one_sentence_fills_what_it_says(
    runtime: AgentRuntime, scenario: str, first: str, slots: dict[str, object]
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(first)
    assert call.state.task == "book" and call.state.requested == "name", call
    got = call.slots
    assert (got["service"], got["provider"], got["time"].hour) == (
        slots["service"],
        slots["provider"],
        slots["hour"],
    )
    assert got["date"].isoformat() == "2026-11-27"
