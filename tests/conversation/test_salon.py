"""The hair salon (salon-ko, salon-en): three stylists, services of different lengths.

Written from the scenario's data only (scenarios/data/salon-*.yaml): open 10-20, closed on
Mondays; Jieun works every open day, Minho is off on Thursdays, Sua works 12-20; a cut takes
30 minutes, a treatment 60, a colour 90 and a perm 120 (colour and perm leave 10 minutes'
clean-up); only Jieun and Minho do perms; bookings need an hour's notice and can be changed or
cancelled until 3 hours before. The clock is Wednesday 2026-11-25 10:00.
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
FRIDAY_10 = datetime(2026, 11, 27, 10, 0)
FRIDAY_14 = datetime(2026, 11, 27, 14, 0)


def test_full_booking_ko(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "salon-ko", caller=KO_CALLER)
    call.agent("라온헤어", "무엇을 도와드릴까요")
    call.user("펌 예약하려고요").agent("지은 원장님, 민호 실장님, 수아 디자이너")
    call.user("민호 실장님이요").agent("며칠로")
    call.user("금요일 오후 2시요").agent("성함")
    call.user("김하늘입니다").agent(
        "11월 27일 금요일 오후 2시, 민호 실장님 펌, 김하늘 님, 연락처 010-1234-5678로 예약해 드릴까요?"
    )
    call.user("네").agent("예약되었습니다", "더 도와드릴 일이")
    call.user("아니요").agent("감사합니다").ends("completed")
    call.close()

    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.service, booking.provider) == (FRIDAY_14, "perm", "minho")
    assert (booking.name, booking.phone, booking.venue) == ("김하늘", KO_PHONE, "raon-hair")
    assert runtime.replay(call.call_id).state.slots == call.slots


def test_full_booking_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "salon-en", caller=EN_CALLER)
    call.agent("Raon Hair", "How can I help you?")
    call.user("I'd like a haircut tomorrow at 3 pm").agent("Jieun, Minho or Sua")
    call.user("Sua please").agent("your name")
    call.user("my name is Emily Clark").agent(
        "So that's a cut with Sua on Thursday, November 26th at 3 pm, under Emily Clark, "
        "phone 555-123-4567. Shall I book it?"
    )
    call.user("yes").agent("You're booked", "anything else")
    call.user("no thanks").ends("completed")
    call.close()

    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.service, booking.provider) == (
        datetime(2026, 11, 26, 15, 0),
        "cut",
        "sua",
    )
    assert (booking.name, booking.phone) == ("Emily Clark", EN_PHONE)


@pytest.mark.parametrize(
    ("scenario", "lines", "says", "never"),
    [
        (
            "salon-ko",
            ["펌 하려고 하는데요", "수아 디자이너요"],
            ["지은 원장님", "민호 실장님"],
            "수아",
        ),
        ("salon-en", ["I'd like to book a perm", "Sua please"], ["Jieun", "Minho"], "Sua"),
    ],
)
def test_only_some_stylists_do_perms(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: list[str], never: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(*says).goes_on()
    assert call.slots.get("provider") != "sua"
    assert call.state.requested == "provider"


@pytest.mark.parametrize(
    ("scenario", "lines", "says"),
    [
        ("salon-ko", ["커트 예약하려고요", "민호 실장님이요", "내일이요"], ["민호 실장님", "휴무"]),
        (
            "salon-en",
            ["I'd like a haircut", "Minho please", "tomorrow"],
            ["Minho is off", "Thursday"],
        ),
    ],
)
def test_a_stylists_day_off(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: list[str]
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(*says).goes_on()
    assert "date" not in call.slots and call.state.requested == "date"


@pytest.mark.parametrize(
    ("scenario", "lines", "says", "earlier", "hour"),
    [
        (
            "salon-ko",
            ["펌 예약하려고요", "지은 원장님이요", "금요일 저녁 6시 반이요"],
            ["120분", "저녁 8시"],
            "오후 5시요",
            17,
        ),
        (
            "salon-en",
            ["I'd like to book a perm", "Jieun", "Friday at 6:30 pm"],
            ["120 minutes", "8 pm"],
            "5 pm then",
            17,
        ),
    ],
)
def test_a_perm_too_long_for_the_time_left_before_closing(
    runtime: AgentRuntime,
    scenario: str,
    lines: list[str],
    says: list[str],
    earlier: str,
    hour: int,
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(*says)
    assert call.state.requested == "time" and "time" not in call.slots
    call.user(earlier)
    assert call.slots["time"].hour == hour and call.state.requested == "name"


def test_a_cut_at_the_same_late_time_fits_en(runtime: AgentRuntime) -> None:
    """The length is the service's: a 30-minute cut at 6:30 pm ends well before 8."""
    call = start_call(runtime, "salon-en", caller=EN_CALLER)
    call.user("I'd like a haircut").user("Jieun").user("Friday at 6:30 pm")
    assert call.slots["time"].isoformat(timespec="minutes") == "18:30"
    assert call.state.requested == "name"


@pytest.mark.parametrize(
    ("scenario", "lines", "taken", "offered", "pick", "name", "yes"),
    [
        (
            "salon-ko",
            ["커트 예약하려고요", "지은 원장님이요", "금요일 오전 11시 반이요"],
            "오전 11시 30분에는 예약이 찼습니다",
            "낮 12시",
            "12시로 해 주세요",
            "김하늘입니다",
            "네",
        ),
        (
            "salon-en",
            ["I'd like a haircut", "Jieun please", "Friday at 11:30 am"],
            "11:30 am is already taken",
            "noon",
            "noon please",
            "my name is Emily Clark",
            "yes",
        ),
    ],
)
def test_a_colour_holds_the_stylist_with_its_clean_up(
    runtime: AgentRuntime,
    scenario: str,
    lines: list[str],
    taken: str,
    offered: str,
    pick: str,
    name: str,
    yes: str,
) -> None:
    # Jieun colours someone from 10:00: 90 minutes plus 10 of clean-up, so 11:30 is not free
    appointment(runtime, scenario, "colour", "jieun", FRIDAY_10)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(taken, offered)
    call.user(pick).user(name).user(yes)
    mine = [b for b in runtime.bookings.list() if b.phone == KO_PHONE]
    assert [(b.start, b.provider, b.service) for b in mine] == [
        (datetime(2026, 11, 27, 12, 0), "jieun", "cut")
    ]


@pytest.mark.parametrize(
    ("scenario", "lines", "name", "yes"),
    [
        ("salon-ko", ["내일 오전 11시에 커트 예약할게요", "아무나 괜찮아요"], "김하늘입니다", "네"),
        (
            "salon-en",
            ["I'd like a haircut tomorrow at 11 am", "anyone is fine"],
            "my name is Emily Clark",
            "yes",
        ),
    ],
)
def test_anyone_books_the_stylist_who_works_then(
    runtime: AgentRuntime, scenario: str, lines: list[str], name: str, yes: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.user(name).user(yes)
    (booking,) = runtime.bookings.list()
    # Thursday 11 am: Minho is off and Sua starts at noon, so "anyone" is Jieun
    assert (booking.start, booking.provider) == (datetime(2026, 11, 26, 11, 0), "jieun")


def test_anyone_when_jieun_is_busy_ko(runtime: AgentRuntime) -> None:
    appointment(runtime, "salon-ko", "cut", "jieun", datetime(2026, 11, 26, 11, 0))
    call = start_call(runtime, "salon-ko", caller=KO_CALLER)
    call.user("내일 오전 11시에 커트 예약할게요").user("아무나 괜찮아요")
    # nobody else works Thursday at 11: the reply offers other times instead of booking
    call.agent("예약이 찼습니다").goes_on()
    assert "time" not in call.slots


@pytest.mark.parametrize(
    ("scenario", "lines", "says"),
    [
        ("salon-ko", ["커트 예약하려고요", "아무나요", "제일 빠른 시간으로요"], "오전 11시"),
        ("salon-en", ["I'd like a haircut", "anyone", "the earliest you have"], "11 am"),
    ],
)
def test_the_earliest_free_time(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: str
) -> None:
    # an hour's notice from 10:00: 11:00 today
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(says)
    assert (call.slots["date"].isoformat(), call.slots["time"].hour) == ("2026-11-25", 11)


@pytest.mark.parametrize(
    ("scenario", "lines", "says"),
    [
        ("salon-ko", ["커트 예약하려고요", "지난번 그 선생님으로 해 주세요"], "민호 실장님"),
        ("salon-en", ["I'd like a haircut", "the same stylist as last time"], "Minho"),
    ],
)
def test_the_same_stylist_as_last_time(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: str
) -> None:
    appointment(runtime, scenario, "cut", "minho", datetime(2026, 11, 1, 15, 0), phone=KO_PHONE)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(says)
    assert call.slots["provider"] == "minho" and call.state.requested == "date"


_TIME_KO = re.compile(r"(오전|오후|낮|저녁) \d+시( \d+분)?")
_TIME_EN = re.compile(r"\b\d+(:\d+)? (am|pm)\b|\bnoon\b")


@pytest.mark.parametrize(
    ("scenario", "line", "day"),
    [
        ("salon-ko", "토요일에 몇 시가 비어 있어요?", "11월 28일"),
        ("salon-en", "what times do you have on Saturday", "November 28th"),
    ],
)
def test_what_times_on_saturday_lists_a_few(
    runtime: AgentRuntime, scenario: str, line: str, day: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(line).agent(day).goes_on()
    pattern = _TIME_KO if scenario.endswith("ko") else _TIME_EN
    said = [m.group(0) for m in pattern.finditer(call.reply.text)]
    assert 2 <= len(said) <= 4, call  # a few of the 20 starts


def test_no_times_on_a_closed_monday_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "salon-en", caller=EN_CALLER)
    call.user("what times do you have on Monday").agent("Monday, November 30th").goes_on()
    assert not _TIME_EN.search(call.reply.text.split("?")[0]), call


@pytest.mark.parametrize(
    ("scenario", "line", "named", "not_named"),
    [
        ("salon-ko", "펌은 어느 선생님이 하세요", ["지은 원장님", "민호 실장님"], "수아"),
        ("salon-ko", "목요일에 어느 디자이너 계세요", ["지은 원장님", "수아 디자이너"], "민호"),
        ("salon-en", "who does perms", ["Jieun", "Minho"], "Sua"),
        ("salon-en", "which stylist is in on Thursday", ["Jieun", "Sua"], "Minho"),
    ],
)
def test_find_a_stylist_from_the_data(
    runtime: AgentRuntime, scenario: str, line: str, named: list[str], not_named: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(line).agent(*named).agent_not(not_named).goes_on()


@pytest.mark.parametrize(
    ("scenario", "ask", "found", "move", "confirm", "yes"),
    [
        (
            "salon-ko",
            "예약 변경하고 싶어요",
            "11월 27일 금요일 오후 2시에 민호 실장님 펌 예약이 있으시네요",
            "토요일로 바꿔 주세요",
            "예약을 11월 28일 토요일 오후 2시, 민호 실장님 담당으로 변경해 드릴까요?",
            "네",
        ),
        (
            "salon-en",
            "I'd like to change my appointment",
            "I found your perm with Minho on Friday, November 27th at 2 pm",
            "could you move it to Saturday",
            "Shall I move your appointment to Saturday, November 28th at 2 pm with Minho?",
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
    booked = appointment(runtime, scenario, "perm", "minho", FRIDAY_14, phone=KO_PHONE)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(ask).agent(found)
    call.user(move).agent(confirm)
    call.user(yes)
    (booking,) = runtime.bookings.list()
    assert (booking.id, booking.start, booking.provider, booking.service) == (
        booked.id,
        datetime(2026, 11, 28, 14, 0),
        "minho",
        "perm",
    )


def test_a_change_keeps_the_service_length_ko(runtime: AgentRuntime) -> None:
    """Moving a perm to 6:30 pm is refused for its length, as a new booking would be."""
    appointment(runtime, "salon-ko", "perm", "minho", FRIDAY_14, phone=KO_PHONE)
    call = start_call(runtime, "salon-ko", caller=KO_CALLER)
    call.user("예약 변경하고 싶어요").user("저녁 6시 반으로 바꿔 주세요").agent("120분")
    (booking,) = runtime.bookings.list()
    assert booking.start == FRIDAY_14


@pytest.mark.parametrize(
    ("scenario", "ask", "confirm", "yes", "done"),
    [
        (
            "salon-ko",
            "예약 취소하고 싶어요",
            "11월 27일 금요일 오후 2시 민호 실장님 펌 예약을 취소해 드릴까요?",
            "네",
            "취소되었습니다",
        ),
        (
            "salon-en",
            "I want to cancel my appointment",
            "Shall I cancel your perm with Minho on Friday, November 27th at 2 pm?",
            "yes",
            "is cancelled",
        ),
    ],
)
def test_cancel_an_appointment(
    runtime: AgentRuntime, scenario: str, ask: str, confirm: str, yes: str, done: str
) -> None:
    booked = appointment(runtime, scenario, "perm", "minho", FRIDAY_14, phone=KO_PHONE)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(ask).agent(confirm)
    call.user(yes).agent(done)
    (cancelled,) = runtime.bookings.list(include_cancelled=True)
    assert (cancelled.id, cancelled.status) == (booked.id, "cancelled")


@pytest.mark.parametrize(
    ("scenario", "ask", "says"),
    [
        ("salon-ko", "예약 취소하고 싶어요", "180분 전"),
        ("salon-en", "I want to cancel my appointment", "180 minutes"),
    ],
)
def test_too_late_to_cancel_by_phone(
    runtime: AgentRuntime, scenario: str, ask: str, says: str
) -> None:
    # today at noon: two hours away, the salon's cut-off is three
    appointment(runtime, scenario, "cut", "jieun", datetime(2026, 11, 25, 12, 0), phone=KO_PHONE)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(ask)
    if says not in call.reply.text:  # the refusal may come after the read-back's yes
        call.user("네" if scenario.endswith("ko") else "yes")
    call.agent(says)
    (booking,) = runtime.bookings.list()
    assert booking.status == "active"


@pytest.mark.parametrize(
    ("scenario", "lines", "fix", "readback", "yes"),
    [
        (
            "salon-ko",
            ["커트 예약하려고요", "수아 디자이너요", "금요일 오후 3시요", "김하늘입니다"],
            "아니요 지은 원장님으로 해 주세요",
            "11월 27일 금요일 오후 3시, 지은 원장님 커트, 김하늘 님",
            "네",
        ),
        (
            "salon-en",
            ["I'd like a haircut", "Sua", "Friday at 3 pm", "my name is Emily Clark"],
            "no, with Jieun please",
            "cut with Jieun on Friday, November 27th at 3 pm, under Emily Clark",
            "yes",
        ),
    ],
)
def test_a_correction_of_the_stylist_at_the_read_back(
    runtime: AgentRuntime, scenario: str, lines: list[str], fix: str, readback: str, yes: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.user(fix).agent(readback)
    call.user(yes)
    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.provider) == (datetime(2026, 11, 27, 15, 0), "jieun")


@pytest.mark.parametrize(
    ("scenario", "lines", "says"),
    [
        ("salon-ko", ["커트 예약하려고요", "아무나요", "월요일 오후 2시요"], "휴무"),
        ("salon-en", ["I'd like a haircut", "anyone", "Monday at 2 pm"], "closed"),
    ],
)
def test_closed_on_monday(
    runtime: AgentRuntime, scenario: str, lines: list[str], says: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.agent(says)
    assert "date" not in call.slots


@pytest.mark.parametrize(
    ("scenario", "line", "says"),
    [
        ("salon-ko", "펌 하면 얼마나 걸려요", "2시간"),
        ("salon-en", "how much does a perm cost", "100,000 won"),
    ],
)
def test_faq(runtime: AgentRuntime, scenario: str, line: str, says: str) -> None:
    start_call(runtime, scenario, caller=KO_CALLER).user(line).agent(says).goes_on()


@pytest.mark.parametrize(
    ("scenario", "book", "hint", "name", "yes"),
    [
        (
            "salon-ko",
            "예약하고 싶어요",
            "커트는 1번, 클리닉은 2번, 염색은 3번, 펌은 4번",
            "김하늘입니다",
            "1",
        ),
        ("salon-en", "I'd like to make an appointment", "press 1 for a cut", "Emily Clark", "1"),
    ],
)
def test_a_caller_on_a_bad_line_keys_the_service_and_the_stylist(
    runtime: AgentRuntime, scenario: str, book: str, hint: str, name: str, yes: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER, channel="voice")
    call.user(book)
    assert call.state.requested == "service"
    call.user("음").user("어").agent(hint)  # re-prompted on the phone: the keypad menu is said
    call.keys("4#")  # perm
    assert call.slots["service"] == "perm" and call.state.requested == "provider"
    call.keys("2#")  # Minho
    assert call.slots["provider"] == "minho"
    call.keys("1127#").keys("1400#")
    call.user(name).keys(yes)
    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.service, booking.provider) == (FRIDAY_14, "perm", "minho")
