"""Small inline test businesses (a clinic with a room and a tasting bar), in Korean and English.

Written to a temporary file and loaded by the real loader, so each test uses exactly what an
operator would write. The clock of every test is Wednesday 2026-11-25 10:00 (:data:`NOW`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from scenarios.loader import load_scenario
from scenarios.schema import Scenario

__all__ = ["BOOKING", "NOW", "write_clinic", "load_clinic"]

#: Wednesday 25 November 2026, 10:00 at the clinic.
NOW = datetime(2026, 11, 25, 10, 0)

#: The business: two doctors (Kim mornings only, off Thursdays; only Lee vaccinates), a treatment
#: room a check-up also needs, a tasting bar of 6 seats whose sitting lasts by party size.
BOOKING = """\
booking:
  id: test-clinic
  timezone: Asia/Seoul
  slot_minutes: 15
  hours:
    default: {open: "09:00", close: "18:00"}
    saturday: {open: "09:00", close: "13:00"}
  closed_days: [sunday]
  breaks: [{start: "12:30", end: "13:30", days: [monday, tuesday, wednesday, thursday, friday]}]
  lead_minutes: 60
  horizon_days: 30
  cancel_until_minutes: 120
  kinds:
    doctor: {label: doctor, synonyms: [dentist, 선생님, 원장님, 의사]}
  resources:
    dr_kim: {label: Dr Kim, kind: doctor, hours: {default: {open: "09:00", close: "13:00"}}, days_off: [thursday]}
    dr_lee: {label: Dr Lee, kind: doctor}
    room: {label: treatment room, kind: room}
    bar: {label: tasting bar, kind: seating, capacity: 6}
  services:
    consultation: {label: consultation, minutes: 20, buffer_minutes: 10, provider_kind: doctor}
    checkup: {label: check-up, minutes: 60, provider_kind: doctor, also_needs: [room]}
    vaccination: {label: vaccination, minutes: 10, provider_kind: doctor, providers: [dr_lee]}
    tasting:
      label: tasting
      minutes_by_party: [{up_to: 2, minutes: 60}, {up_to: 6, minutes: 90}]
      provider_kind: seating
      units: party
"""

_EN = """\
id: test-clinic-en
language: en
direction: inbound
domain: clinic
persona: {name: Sarah, business: Test Clinic}
{booking}
slots:
  service:
    type: category
    prompt: ask_service
    values:
      consultation: {label: consultation, synonyms: [consultation, see a doctor]}
      checkup: {label: check-up, synonyms: [check-up, checkup, physical]}
      tasting: {label: tasting, synonyms: [tasting, wine tasting]}
      vaccination: {label: vaccination, synonyms: [vaccination, flu shot, vaccine]}
  provider:
    type: category
    prompt: ask_provider
    values:
      dr_kim: {label: Dr Kim, synonyms: [Dr Kim, Doctor Kim, Kim]}
      dr_lee: {label: Dr Lee, synonyms: [Dr Lee, Doctor Lee, Lee]}
      bar: {label: the bar, synonyms: [the bar, bar]}
      any: {label: any doctor, synonyms: [anyone, any doctor, either]}
  date: {type: date, prompt: ask_date}
  time: {type: time, prompt: ask_time}
  party_size: {type: count, prompt: ask_party_size, min: 1, max: 12}
  name: {type: name, prompt: ask_name}
  phone: {type: phone, prompt: ask_phone, default: caller_id}
intents:
  book:
    description: The caller wants an appointment.
    examples:
      - I'd like to make an appointment
      - can I book an appointment
      - I need to see a doctor
      - "I'd like a [check-up](service:checkup) [on Friday](date)"
      - "an appointment with [Dr Lee](provider:dr_lee) please"
      - book me in please
      - the earliest appointment you have please
  change_booking:
    description: The caller moves an appointment.
    examples: [I'd like to change my appointment, can I reschedule my appointment, move my appointment please]
  cancel_booking:
    description: The caller cancels an appointment.
    examples: [I need to cancel my appointment, cancel my booking please, I want to cancel]
  list_times:
    description: The caller asks which times are free.
    examples:
      - "what times do you have [on Friday](date)?"
      - what times are free?
      - "which times are available [tomorrow](date)"
      - "when are you free [on Monday](date)?"
      - what slots do you have
  find_provider:
    description: The caller asks which doctor works when.
    examples:
      - I need a dentist in the afternoon
      - which doctor works in the afternoon?
      - "which doctors are in [on Thursday](date)?"
      - who is working in the morning
      - is there a doctor in the afternoon
  inform:
    description: The caller gives details.
    examples:
      - "[tomorrow](date)"
      - "[10 am](time) please"
      - "[Dr Kim](provider:dr_kim)"
      - "[a check-up](service:checkup)"
      - "my name is [John Smith](name)"
      - anyone is fine
      - "[two](party_size) people"
  affirm: {description: yes, examples: ["yes", "yes please", "that's right", "sure"]}
  deny: {description: no, examples: ["no", "no thanks", "that's wrong"]}
  repeat: {description: repeat, examples: ["sorry?", "could you say that again"]}
  human: {description: human, examples: ["can I talk to a person", "a real person please"]}
  goodbye: {description: bye, examples: ["bye", "goodbye", "that's all, bye"]}
tasks:
  book:
    intent: book
    slots: {book_slots}
    action: create_booking
    validate: booking_availability
  change:
    intent: change_booking
    slots: [provider, date, time]
    action: change_booking
    lookup: booking_by_phone
    validate: booking_availability
  cancel:
    intent: cancel_booking
    slots: []
    action: cancel_booking
    lookup: booking_by_phone
  list_times: {intent: list_times, slots: [], action: list_times, confirm: false}
  find_provider: {intent: find_provider, slots: [], action: find_provider, confirm: false}
templates:
  greet: Test Clinic, how can I help?
  not_understood: Sorry, I didn't catch that.
  no_input: Are you still there?
  fallback_end: Please call again. Goodbye.
  handover: Let me put you through.
  bye: Goodbye.
  anything_else: Anything else?
  confirm_yes_no: Is that right?
  ask_service: Which service would you like?
  ask_provider: Which doctor would you like?
  ask_date: Which day?
  ask_time: What time?
  ask_party_size: How many people?
  ask_name: Your name please?
  ask_phone: Your phone number?
  confirm_book: "{service} with {provider} on {date} at {time} for {name}. Shall I book it?"
  done_book: "Booked: {service} with {provider} on {date} at {time}."
  confirm_change: "Move your {service} to {date} at {time} with {provider}?"
  done_change: "Your {service} is now on {date} at {time} with {provider}."
  confirm_cancel: "Cancel your {service} on {date} at {time}?"
  done_cancel: Your appointment on {date} at {time} is cancelled.
  what_to_correct: What should I change?
  keep_booking: I'll keep it as it is.
  booking_found: "I found your {service} on {date} at {time}."
  booking_not_found: I couldn't find an appointment under that number.
  ask_change_what: What would you like to change?
  confirm_abandon: Shall I drop the new appointment?
  booking_abandoned: All right, I've dropped it.
"""

_KO = """\
id: test-clinic-ko
language: ko
direction: inbound
domain: clinic
persona: {name: 하늘, business: 테스트 의원}
{booking}
slots:
  service:
    type: category
    prompt: ask_service
    values:
      consultation: {label: 진료, synonyms: [진료, 상담, 진찰]}
      checkup: {label: 검진, synonyms: [검진, 건강검진, 건강 검진]}
      tasting: {label: 시음, synonyms: [시음]}
      vaccination: {label: 예방접종, synonyms: [예방접종, 독감 주사, 주사]}
  provider:
    type: category
    prompt: ask_provider
    values:
      dr_kim: {label: 김 원장님, synonyms: [김 원장님, 김 선생님, 김원장님]}
      dr_lee: {label: 이 원장님, synonyms: [이 원장님, 이 선생님, 이원장님]}
      bar: {label: 바, synonyms: [바 자리]}
      any: {label: 아무 선생님, synonyms: [아무나, 아무 선생님이나, 상관없어요]}
  date: {type: date, prompt: ask_date}
  time: {type: time, prompt: ask_time}
  party_size: {type: count, prompt: ask_party_size, min: 1, max: 12}
  name: {type: name, prompt: ask_name}
  phone: {type: phone, prompt: ask_phone, default: caller_id}
intents:
  book:
    description: 예약
    examples:
      - 진료 예약하고 싶어요
      - 예약하려고요
      - 예약 좀 할게요
      - "[금요일](date)에 [검진](service:checkup) 예약하고 싶어요"
      - "[이 원장님](provider:dr_lee)으로 예약해 주세요"
      - 제일 빠른 시간으로 예약해 주세요
      - 진료 받고 싶은데요
  change_booking:
    description: 변경
    examples: [예약 변경하려고요, 예약 시간 바꾸고 싶어요, 예약을 옮기고 싶어요]
  cancel_booking:
    description: 취소
    examples: [예약 취소하려고요, 예약 취소해 주세요, 취소할게요]
  list_times:
    description: 빈 시간 문의
    examples:
      - "[금요일](date)에 몇 시 돼요?"
      - 몇 시에 시간 돼요?
      - "[내일](date) 빈 시간 있어요?"
      - "[월요일](date)은 언제 가능해요?"
      - 가능한 시간이 언제예요?
  find_provider:
    description: 의사 문의
    examples:
      - 어느 선생님이 오후에 진료하세요?
      - 오후에 진료하는 선생님 계세요?
      - "[목요일](date)에 어느 선생님 계세요?"
      - 오전에는 누가 진료하세요?
      - 어떤 원장님이 계세요?
  inform:
    description: 정보
    examples:
      - "[내일](date)이요"
      - "[오전 10시](time)요"
      - "[김 원장님](provider:dr_kim)이요"
      - "[검진](service:checkup)이요"
      - "[홍길동](name)입니다"
      - 아무 선생님이나 괜찮아요
      - "[두 명](party_size)이요"
  affirm: {description: 네, examples: ["네", "네 맞아요", "좋아요", "그렇게 해 주세요"]}
  deny: {description: 아니요, examples: ["아니요", "아니에요", "틀렸어요"]}
  repeat: {description: 다시, examples: ["네?", "다시 말씀해 주세요"]}
  human: {description: 상담원, examples: ["상담원 연결해 주세요", "사람이랑 통화하고 싶어요"]}
  goodbye: {description: 끝, examples: ["끊을게요", "안녕히 계세요"]}
tasks:
  book:
    intent: book
    slots: {book_slots}
    action: create_booking
    validate: booking_availability
  change:
    intent: change_booking
    slots: [provider, date, time]
    action: change_booking
    lookup: booking_by_phone
    validate: booking_availability
  cancel:
    intent: cancel_booking
    slots: []
    action: cancel_booking
    lookup: booking_by_phone
  list_times: {intent: list_times, slots: [], action: list_times, confirm: false}
  find_provider: {intent: find_provider, slots: [], action: find_provider, confirm: false}
templates:
  greet: 테스트 의원입니다. 무엇을 도와드릴까요?
  not_understood: 죄송하지만 잘 못 들었어요.
  no_input: 여보세요?
  fallback_end: 다시 전화해 주세요.
  handover: 연결해 드릴게요.
  bye: 감사합니다.
  anything_else: 더 필요하신 건 없으세요?
  confirm_yes_no: 맞으세요?
  ask_service: 어떤 진료를 원하세요?
  ask_provider: 어느 선생님으로 해 드릴까요?
  ask_date: 어느 날로 해 드릴까요?
  ask_time: 몇 시로 해 드릴까요?
  ask_party_size: 몇 분이세요?
  ask_name: 성함이 어떻게 되세요?
  ask_phone: 연락처를 말씀해 주세요.
  confirm_book: "{date} {time} {provider} {service}, {name} 님 맞으세요?"
  done_book: "{date} {time} {provider} {service} 예약되었습니다."
  confirm_change: "{date} {time} {provider} {service}로 바꿔 드릴까요?"
  done_change: "{date} {time} {provider} {service}로 바뀌었습니다."
  confirm_cancel: "{date} {time} {service} 예약을 취소할까요?"
  done_cancel: "{date} {time} 예약이 취소되었습니다."
  what_to_correct: 어떤 걸 바꿔 드릴까요?
  keep_booking: 그대로 두겠습니다.
  booking_found: "{date} {time} {service} 예약이 있으시네요."
  booking_not_found: 그 번호로 된 예약이 없습니다.
  ask_change_what: 무엇을 바꿔 드릴까요?
  confirm_abandon: 새 예약은 그만둘까요?
  booking_abandoned: 네, 새 예약은 하지 않겠습니다.
"""

DEFAULT_SLOTS = "[service, provider, date, time, party_size, name, phone]"


def write_clinic(
    directory: Path, lang: str, *, booking: str = BOOKING, book_slots: str = DEFAULT_SLOTS
) -> Path:
    """Write the test clinic in ``lang`` into ``directory``; return the file."""
    text = (_KO if lang == "ko" else _EN).replace("{booking}", booking.rstrip("\n"))
    text = text.replace("{book_slots}", book_slots)
    path = directory / f"test-clinic-{lang}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_clinic(directory: Path, lang: str, **kwargs: str) -> Scenario:
    """The test clinic in ``lang``, loaded by the real loader."""
    return load_scenario(write_clinic(directory, lang, **kwargs))
