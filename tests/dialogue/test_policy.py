"""The form policy by text alone (fake backends), where a full conversation would be clumsy."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from dialogue.actions import lookup_booking
from dialogue.events import TaskStarted
from dialogue.forms import expected_for
from dialogue.ports import BookingRequest
from dialogue.restaurant import capacity_rule
from dialogue.turn import Turn
from tests.dialogue.conftest import Dialogue, shipped

KO = {
    "three": "내일 저녁 7시에 4명이요",
    "hall": "홀로 해 주세요",
    "name": "김민수입니다",
    "yes": "네",
    "no": "아니요",
}
EN = {
    "three": "tomorrow at 7 pm for four",
    "hall": "the main hall",
    "name": "John Smith",
    "yes": "yes",
    "no": "no",
}


def lines(d: Dialogue) -> dict[str, str]:
    return KO if d.scenario.language == "ko" else EN


def _to_confirmation(d: Dialogue) -> Dialogue:
    said = lines(d)
    d.say(said["three"]).say(said["hall"]).say(said["name"])
    assert d.tracker.state.confirming
    return d


def test_values_out_of_the_blue_start_the_booking(restaurant: Dialogue) -> None:
    restaurant.say(lines(restaurant)["three"])
    state = restaurant.tracker.state
    assert state.task == "book" and state.requested == "seating"
    assert restaurant.templates == ["ask_seating"]


def test_caller_id_fills_the_phone_without_asking(restaurant: Dialogue) -> None:
    _to_confirmation(restaurant)
    assert restaurant.tracker.state.slots["phone"] == "01012345678"
    assert restaurant.templates == ["confirm_book"]


def test_a_bare_hour_is_read_as_the_evening_when_the_venue_is_open_then(
    restaurant: Dialogue,
) -> None:
    ko = restaurant.scenario.language == "ko"
    restaurant.say("예약하고 싶어요" if ko else "I'd like to book a table").say(
        "내일" if ko else "tomorrow"
    )
    assert expected_for(restaurant.tracker, restaurant.scenario) == "time"
    restaurant.say("일곱 시요" if ko else "seven")
    assert restaurant.tracker.state.slots["time"] == time(19, 0)


def test_a_bare_number_answers_the_party_size(restaurant: Dialogue) -> None:
    ko = restaurant.scenario.language == "ko"
    restaurant.say("내일 저녁 7시요" if ko else "tomorrow at 7 pm")
    assert expected_for(restaurant.tracker, restaurant.scenario) == "party_size"
    restaurant.say("넷이요" if ko else "four")
    assert restaurant.tracker.state.slots["party_size"] == 4


def test_a_lost_race_offers_fresh_alternatives(restaurant: Dialogue) -> None:
    _to_confirmation(restaurant)
    restaurant.bookings.steal_before_next_write = 38  # another call takes the hall meanwhile
    restaurant.say(lines(restaurant)["yes"])
    state = restaurant.tracker.state
    assert state.awaiting == "offer" and state.offers
    assert restaurant.templates == ["no_capacity_offer"]
    assert [e.name for e in restaurant.tracker.events if e.type_name == "action"] == [
        "capacity_race"
    ]
    assert [b.name for b in restaurant.bookings.active()] == ["other"]  # never over capacity


def test_a_store_failure_at_the_action_apologises_and_ends(restaurant: Dialogue) -> None:
    _to_confirmation(restaurant)
    restaurant.bookings.down = True
    restaurant.say(lines(restaurant)["yes"])
    assert restaurant.templates == ["store_down"]
    assert restaurant.reply.end_call
    assert restaurant.tracker.state.outcome == "failed"
    assert restaurant.bookings.records == []


def test_dtmf_at_confirmation_is_yes_or_no(restaurant: Dialogue) -> None:
    _to_confirmation(restaurant)
    restaurant.event("dtmf", "2")
    assert restaurant.tracker.state.awaiting == "correction"
    restaurant.say(lines(restaurant)["yes"])  # nothing to change after all
    assert restaurant.tracker.state.confirming
    restaurant.event("dtmf", "1#")
    assert len(restaurant.bookings.active()) == 1


@pytest.mark.parametrize(
    ("keys", "slot", "value"),
    [("4", "party_size", 4), ("12#", "party_size", 12), ("abc", "party_size", None)],
)
def test_dtmf_answers_a_count(restaurant: Dialogue, keys: str, slot: str, value: object) -> None:
    ko = restaurant.scenario.language == "ko"
    restaurant.say("내일 저녁 7시요" if ko else "tomorrow at 7 pm")
    restaurant.event("dtmf", keys)
    assert restaurant.tracker.state.slots.get(slot) == value


def test_expected_follows_what_the_agent_waits_for(restaurant: Dialogue) -> None:
    sc = restaurant.scenario
    assert expected_for(restaurant.tracker, sc) is None
    _to_confirmation(restaurant)
    assert expected_for(restaurant.tracker, sc) == "yesno"
    restaurant.say(lines(restaurant)["no"])
    # "what should I change?": a bare number is a time, as at the confirmation ("no, make it 8")
    assert expected_for(restaurant.tracker, sc) == "time"


def test_the_policy_keeps_no_state_of_its_own(restaurant: Dialogue) -> None:
    other = Dialogue(restaurant.scenario, policy=restaurant.policy)  # one policy, two calls
    restaurant.say(lines(restaurant)["three"])
    other.say(lines(restaurant)["name"])
    assert restaurant.tracker.state.slots["party_size"] == 4
    assert "party_size" not in other.tracker.state.slots


def test_lookup_finds_the_soonest_booking_of_the_phone() -> None:
    d = Dialogue(shipped()["restaurant-ko"])
    venue = d.scenario.venue
    assert venue is not None
    for day in (28, 27):
        d.bookings.create(
            capacity_rule(venue),
            BookingRequest(
                venue=venue.id,
                start=datetime(2026, 11, day, 19, 0),
                party_size=2,
                seating="hall",
                name="김민수",
                phone="01012345678",
            ),
        )
    d.say("예약 취소하고 싶어요")
    booking = d.tracker.state.booking
    assert booking is not None and booking["date"] == date(2026, 11, 27)
    assert d.templates == ["booking_found", "confirm_cancel"]


def test_lookup_without_a_booking_backend_is_a_programming_error() -> None:
    d = Dialogue(shipped()["restaurant-en"])
    d.ctx.bookings = None
    d.tracker.update(TaskStarted(task="cancel"))
    with pytest.raises(RuntimeError, match="booking backend"):
        lookup_booking(Turn(d.tracker, d.ctx), "01012345678")


@pytest.mark.parametrize("scenario", ["carecall-ko", "carecall-en"])
def test_a_care_call_opens_with_the_identity_question(scenario: str) -> None:
    d = Dialogue(shipped()[scenario], caller=None)
    assert d.templates == ["greet", "ask_identity"]
    assert d.tracker.state.task == "checkin" and d.tracker.state.requested == "identity"
    assert d.reply.expects is None and not d.reply.end_call


@pytest.mark.parametrize(("scenario", "yes"), [("carecall-ko", "1"), ("carecall-en", "1")])
def test_dtmf_answers_the_identity_question(scenario: str, yes: str) -> None:
    d = Dialogue(shipped()[scenario], caller=None)
    d.event("dtmf", yes)
    assert d.tracker.state.slots == {"identity": True}


@pytest.mark.parametrize(
    ("scenario", "answers"),
    [
        ("carecall-ko", ["네", "잘 먹었어요", "잘 잤어요", "아픈 데 없어요", "좋아요", "없어요"]),
        ("carecall-en", ["yes", "I ate well", "slept well", "no pain", "good", "nothing"]),
    ],
)
def test_a_store_failure_when_recording_a_care_call(scenario: str, answers: list[str]) -> None:
    d = Dialogue(shipped()[scenario], caller=None)
    for said in answers[:-1]:
        d.say(said)
    d.carecall.down = True
    d.say(answers[-1])
    assert d.templates == ["store_down"] and d.reply.end_call
    assert d.tracker.state.outcome == "failed"
    assert d.carecall.answers == {}


@pytest.mark.parametrize(
    ("scenario", "said", "health"),
    [
        ("carecall-ko", "열도 나고 기침도 나요", ["fever", "cough"]),
        ("carecall-ko", "아픈 데는 없는데 기침이 좀 나요", ["cough"]),
        ("carecall-en", "I have a fever and a cough", ["fever", "cough"]),
        ("carecall-en", "no pain but I've been coughing", ["cough"]),
    ],
)
def test_several_symptoms_in_one_answer(scenario: str, said: str, health: list[str]) -> None:
    d = Dialogue(shipped()[scenario], caller=None)
    ko = scenario.endswith("ko")
    d.say("네" if ko else "yes").say("잘 먹었어요" if ko else "I ate well").say(
        "잘 잤어요" if ko else "slept well"
    )
    assert d.tracker.state.requested == "health"
    d.say(said)
    assert d.tracker.state.slots["health"] == health
