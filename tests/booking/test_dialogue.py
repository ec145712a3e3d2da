"""Booking conversations of any business, in Korean and English, on the inline test clinic.

The real NLU, policy and templates with a real SQLite store; the clock is Wednesday
2026-11-25 10:00 and the caller's number is 010-1234-5678.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pytest

from agent.store import SqlBookingBackend
from dialogue.acts import SystemAct
from dialogue.booking import make_plan
from dialogue.context import DialogueContext
from dialogue.forms import expected_for
from dialogue.policy import Policy
from dialogue.tracker import Tracker
from nlg.templates import TemplateNLG
from nlu.config import scenario_parser
from scenarios.schema import Scenario
from tests.booking.clinic import NOW, load_clinic

CALLER = "+821012345678"
PHONE = "01012345678"
FRI = date(2026, 11, 27)


@dataclass
class Chat:
    """One call: the caller's words in, the agent's template keys and words out."""

    scenario: Scenario
    store: SqlBookingBackend
    caller: str | None = CALLER
    tracker: Tracker = field(default_factory=lambda: Tracker("call-1"))
    policy: Policy = field(default_factory=Policy)
    acts: list[SystemAct] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ctx = DialogueContext(
            scenario=self.scenario,
            call_id="call-1",
            now=NOW,
            caller=self.caller,
            bookings=self.store,
        )
        self.nlg = TemplateNLG(self.scenario)
        self.acts = self.policy.start(self.tracker, self.ctx)

    def say(self, text: str) -> Chat:
        result = scenario_parser(self.scenario).parse(
            text, today=NOW.date(), expected=expected_for(self.tracker, self.scenario)
        )
        self.acts = self.policy.on_user(self.tracker, self.ctx, result)
        return self

    @property
    def templates(self) -> list[str | None]:
        return [a.template for a in self.acts]

    @property
    def text(self) -> str:
        return self.nlg.reply(self.acts).text

    @property
    def slots(self) -> dict[str, object]:
        return dict(self.tracker.state.slots)

    def asks(self, slot: str) -> bool:
        return self.tracker.state.requested == slot


@pytest.fixture(params=["en", "ko"])
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clinic(tmp_path: Path, lang: str) -> Scenario:
    return load_clinic(tmp_path, lang)


def chat(clinic: Scenario, store: SqlBookingBackend) -> Chat:
    return Chat(clinic, store)


WORDS = {
    "en": {
        "book": "I'd like to make an appointment",
        "consultation": "a consultation please",
        "tasting": "a wine tasting",
        "lee": "Dr Lee please",
        "kim": "Dr Kim",
        "friday": "on Friday",
        "thursday": "on Thursday",
        "ten": "10 am",
        "name": "my name is John Smith",
        "yes": "yes",
        "anyone": "anyone is fine",
        "earliest": "the earliest you have",
        "same": "the same doctor as last time",
        "times": "what times do you have on Friday?",
        "who": "which doctor works on Friday afternoon?",
        "checkup_late": "a check-up on Friday at 5:30 pm",
        "two": "two people",
        "cancel": "I need to cancel my appointment",
        "vaccination": "a flu shot",
        "change": "I'd like to change my appointment",
        "friday_11": "Friday at 11 am",
    },
    "ko": {
        "book": "예약하려고요",
        "consultation": "진료요",
        "tasting": "시음이요",
        "lee": "이 원장님이요",
        "kim": "김 원장님이요",
        "friday": "금요일이요",
        "thursday": "목요일이요",
        "ten": "오전 10시요",
        "name": "홍길동입니다",
        "yes": "네",
        "anyone": "아무 선생님이나 괜찮아요",
        "earliest": "제일 빠른 시간으로 해 주세요",
        "same": "지난번 그 선생님으로 해 주세요",
        "times": "금요일에 몇 시 돼요?",
        "who": "금요일 오후에 어느 선생님이 진료하세요?",
        "checkup_late": "금요일 오후 5시 반에 검진이요",
        "two": "두 명이요",
        "cancel": "예약 취소하려고요",
        "vaccination": "독감 주사요",
        "change": "예약 변경하려고요",
        "friday_11": "금요일 오전 11시로요",
    },
}


def test_a_doctors_appointment_asks_no_party_size_and_stores_the_doctor(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"])
    assert c.asks("service"), c.text
    assert c.say(w["consultation"]).asks("provider"), c.text
    assert c.say(w["lee"]).asks("date"), c.text
    assert c.say(w["friday"]).asks("time"), c.text
    assert c.say(w["ten"]).asks("name"), c.text  # no party size for a doctor
    c.say(w["name"])
    assert c.templates[-1] == "confirm_book", c.text
    c.say(w["yes"])
    assert "done_book" in c.templates, c.text
    [made] = store.list(venue="test-clinic")
    assert (made.service, made.provider, made.start) == (
        "consultation",
        "dr_lee",
        datetime(2026, 11, 27, 10, 0),
    )
    assert made.phone == PHONE and made.resources == ("dr_lee",)


def test_a_tasting_asks_the_party_size_and_no_provider(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"]).say(w["tasting"])
    assert c.asks("date"), c.text  # the bar is the only one: not asked
    c.say(w["friday"]).say(w["ten"])
    assert c.asks("party_size"), c.text
    assert c.say(w["two"]).asks("name"), c.text
    assert c.slots["provider"] == "bar"


def test_anyone_is_fine_books_the_first_free_doctor(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    assert clinic.business is not None
    store.book(
        make_plan(clinic.business, "consultation", "dr_kim", datetime(2026, 11, 27, 10), None)
    )
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"]).say(w["consultation"])
    assert c.say(w["anyone"]).asks("date"), c.text
    assert c.slots["provider"] == "any"
    c.say(w["friday"]).say(w["ten"])
    assert c.slots["provider"] == "dr_lee", c.text  # Dr Kim is taken at 10


def test_the_earliest_you_have(clinic: Scenario, store: SqlBookingBackend, lang: str) -> None:
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"]).say(w["consultation"]).say(w["lee"])
    c.say(w["earliest"])
    assert "earliest_found" in c.templates, c.text
    # now + 60 minutes' notice
    assert (c.slots["date"], c.slots["time"]) == (NOW.date(), time(11, 0))
    assert c.asks("name"), c.text
    assert ("11" in c.text) and ("11:00" in c.text or "11 am" in c.text or "오전 11시" in c.text)


def test_the_same_doctor_as_last_time(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    assert clinic.business is not None
    past = make_plan(
        clinic.business, "consultation", "dr_lee", datetime(2026, 10, 2, 11), None, phone=PHONE
    )
    store.book(past)
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"]).say(w["consultation"]).say(w["same"])
    assert "last_provider" in c.templates and c.slots["provider"] == "dr_lee", c.text
    assert c.asks("date")
    assert ("Dr Lee" if lang == "en" else "이 원장님") in c.text


def test_the_same_doctor_without_an_earlier_booking(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"]).say(w["consultation"]).say(w["same"])
    assert c.templates == ["no_last_provider", "ask_provider"], c.text  # no second apology
    assert "provider" not in c.slots


def test_what_times_do_you_have_on_friday(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    w = WORDS[lang]
    c = chat(clinic, store).say(w["times"])
    assert "times_free" in c.templates, c.text
    said = next(a for a in c.acts if a.template == "times_free").values["times"]
    assert 3 <= len(said) <= 4 and said == sorted(said)
    assert c.slots["date"] == FRI  # the booking goes on with Friday
    assert c.asks("service"), c.text


def test_which_doctor_works_on_friday_afternoon(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    c = chat(clinic, store).say(WORDS[lang]["who"])
    assert "providers_found" in c.templates, c.text
    found = next(a for a in c.acts if a.template == "providers_found").values["providers"]
    assert found == (["Dr Lee"] if lang == "en" else ["이 원장님"])  # Dr Kim works mornings


def test_a_doctors_day_off_is_explained(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"]).say(w["consultation"]).say(w["kim"])
    c.say(w["thursday"])
    assert "provider_day_off" in c.templates, c.text
    assert c.asks("date") and "date" not in c.slots
    assert ("Thursday" in c.text) if lang == "en" else ("목요일" in c.text)


def test_a_service_too_long_before_closing_is_explained(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"]).say(w["checkup_late"])
    assert "too_long_closing" in c.templates, c.text
    assert "60" in c.text and "time" not in c.slots
    assert c.slots["date"] == FRI and c.slots["service"] == "checkup"
    assert c.say(w["lee"]).asks("time"), c.text


def test_a_cancellation_too_close_to_the_start_is_refused(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    assert clinic.business is not None
    soon = make_plan(
        clinic.business, "consultation", "dr_lee", datetime(2026, 11, 25, 11, 0), None, phone=PHONE
    )
    made = store.book(soon)
    c = chat(clinic, store).say(WORDS[lang]["cancel"])
    assert "cancel_too_late" in c.templates, c.text
    assert "120" in c.text
    assert store.get(made.id) is not None and store.get(made.id).status == "active"  # type: ignore[union-attr]


def test_moving_an_appointment_keeps_its_service_and_doctor(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    assert clinic.business is not None
    made = store.book(
        make_plan(
            clinic.business, "checkup", "dr_lee", datetime(2026, 11, 26, 15), None, phone=PHONE
        )
    )
    # the room is taken at Friday 11:00 by someone else's check-up with Dr Kim
    store.book(make_plan(clinic.business, "checkup", "dr_kim", datetime(2026, 11, 27, 11), None))
    w = WORDS[lang]
    c = chat(clinic, store).say(w["change"])
    assert "booking_found" in c.templates, c.text
    c.say(w["friday_11"])
    assert "slot_taken_offer" in c.templates, c.text  # the room is held
    c.say(w["yes"])  # the nearest other time
    assert c.templates[-1] == "confirm_change", c.text
    c.say(w["yes"])
    assert "done_change" in c.templates, c.text
    moved = store.get(made.id)
    assert moved is not None and moved.start.date() == FRI and moved.start.hour != 11
    assert (moved.service, moved.provider, moved.resources) == (
        "checkup",
        "dr_lee",
        ("dr_lee", "room"),
    )
    assert len(store.list(venue="test-clinic")) == 2


def test_only_some_doctors_give_the_service(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"]).say(w["vaccination"]).say(w["kim"])
    # Dr Lee is the only one: not asked again, taken once the time is known
    assert c.templates == ["provider_not_for_service", "ask_date"], c.text
    assert ("Dr Lee" if lang == "en" else "이 원장님") in c.text and "provider" not in c.slots
    c.say(w["friday"]).say(w["ten"])
    assert c.slots["provider"] == "dr_lee" and c.asks("name"), c.text


def test_a_taken_slot_offers_times_and_another_doctor_taken_by_name(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    assert clinic.business is not None
    store.book(
        make_plan(clinic.business, "consultation", "dr_lee", datetime(2026, 11, 27, 10), None)
    )
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"]).say(w["consultation"]).say(w["lee"])
    c.say(w["friday"]).say(w["ten"])
    assert "slot_taken_offer" in c.templates, c.text
    offers = c.tracker.state.offers
    assert offers[-1] == {"time": time(10, 0), "provider": "dr_kim"}
    assert ("10 am with Dr Kim" if lang == "en" else "오전 10시 김 원장님") in c.text
    c.say(w["kim"])  # the offer with Dr Kim
    assert (c.slots["provider"], c.slots["time"]) == ("dr_kim", time(10, 0)), c.text
    assert c.asks("name"), c.text


def test_the_earliest_said_before_the_service_is_kept_until_it_is_known(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    w = WORDS[lang]
    first = (
        "the earliest appointment you have please"
        if lang == "en"
        else "제일 빠른 시간으로 예약해 주세요"
    )
    c = chat(clinic, store).say(first)
    assert c.asks("service") and c.tracker.state.wish == "earliest", c.text
    c.say(w["consultation"])  # the earliest with whoever is free then
    assert "earliest_found" in c.templates, c.text
    assert (c.slots["date"], c.slots["time"], c.slots["provider"]) == (
        NOW.date(),
        time(11, 0),
        "dr_kim",
    )
    assert c.tracker.state.wish is None and c.asks("name")


def test_i_need_a_dentist_in_the_afternoon(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    said = "I need a dentist in the afternoon" if lang == "en" else "오후에 진료하는 선생님 계세요?"
    c = chat(clinic, store).say(said)
    assert "providers_found" in c.templates, c.text
    found = next(a for a in c.acts if a.template == "providers_found").values["providers"]
    # Dr Kim's mornings (to 13:00 at most) are no afternoon; the tasting bar is no doctor
    assert found == (["Dr Lee"] if lang == "en" else ["이 원장님"])


def test_a_date_said_only_to_reject_it_is_not_taken(
    clinic: Scenario, store: SqlBookingBackend, lang: str
) -> None:
    w = WORDS[lang]
    c = chat(clinic, store).say(w["book"]).say(w["consultation"]).say(w["lee"])
    c.say("not on Thursday, on Friday please" if lang == "en" else "목요일 말고 금요일로요")
    assert c.slots["date"] == FRI and c.asks("time"), c.text
    c.say("not 9, 10 am" if lang == "en" else "9시 말고 10시로요")
    assert c.slots["time"] == time(10, 0) and c.asks("name"), c.text
