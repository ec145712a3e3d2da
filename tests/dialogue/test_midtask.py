"""Mid-booking changes, ranges and offers by text alone: keys, replay, what the log says."""

from __future__ import annotations

from datetime import time

from dialogue.events import Awaiting, OffersMade, TaskStarted
from dialogue.forms import expected_for
from dialogue.offers import pick_offer
from dialogue.tracker import Tracker
from dialogue.turn import Turn
from tests.dialogue.conftest import Dialogue


def _cancel_line(d: Dialogue) -> str:
    return "취소할게요" if d.scenario.language == "ko" else "cancel"


def test_keys_answer_drop_the_booking(restaurant: Dialogue) -> None:
    ko = restaurant.scenario.language == "ko"
    restaurant.say("내일 저녁 7시에 4명이요" if ko else "tomorrow at 7 pm for four")
    restaurant.say(_cancel_line(restaurant))
    assert restaurant.templates == ["confirm_abandon"]
    assert expected_for(restaurant.tracker, restaurant.scenario) == "yesno"
    restaurant.event("dtmf", "1")
    assert restaurant.tracker.state.completed == [("book", "abandoned")]
    assert restaurant.templates == ["booking_abandoned", "anything_else"]


def test_keys_answer_make_it_the_larger_number(restaurant: Dialogue) -> None:
    ko = restaurant.scenario.language == "ko"
    restaurant.say("내일 저녁 7시에 대여섯 명이요" if ko else "tomorrow at 7 pm, five or six of us")
    assert restaurant.templates == ["confirm_range"]
    assert expected_for(restaurant.tracker, restaurant.scenario) == "party_size"
    restaurant.event("dtmf", "2")
    assert restaurant.tracker.state.requested == "party_size"
    restaurant.event("dtmf", "5")
    assert restaurant.tracker.state.slots["party_size"] == 5


def test_a_silence_repeats_the_pending_yes_no_question(restaurant: Dialogue) -> None:
    ko = restaurant.scenario.language == "ko"
    restaurant.say("내일 저녁 7시에 4명이요" if ko else "tomorrow at 7 pm for four")
    restaurant.say(_cancel_line(restaurant)).event("silence")
    assert restaurant.templates == ["no_input", "confirm_abandon"]


def test_the_log_replays_to_the_abandoned_booking(restaurant: Dialogue) -> None:
    ko = restaurant.scenario.language == "ko"
    restaurant.say("내일 저녁 7시에 4명이요" if ko else "tomorrow at 7 pm for four")
    restaurant.say(_cancel_line(restaurant)).say("네" if ko else "yes")
    replayed = Tracker.replay("call-1", restaurant.tracker.dump()).state
    assert replayed.completed == [("book", "abandoned")] and replayed.task is None


def test_picking_an_offer_by_place_or_time(restaurant: Dialogue) -> None:
    tracker = restaurant.tracker
    tracker.update(TaskStarted(task="book"))
    offers = [{"time": time(20, 30), "seating": "room"}, {"time": time(17, 30), "seating": "room"}]
    tracker.update(OffersMade(offers=offers))
    tracker.update(Awaiting(kind="offer"))
    turn = Turn(tracker, restaurant.ctx)
    ko = restaurant.scenario.language == "ko"
    assert pick_offer(turn, "세 번째요" if ko else "the third one", {}, None) == {}
    assert pick_offer(turn, "네" if ko else "yes", {}, True) == offers[0]
    assert pick_offer(turn, "늦은 시간으로요" if ko else "the later one", {}, None) == offers[0]
    assert pick_offer(turn, "이른 시간으로" if ko else "the earlier one", {}, None) == offers[1]
    assert pick_offer(turn, "마지막 거요" if ko else "the last one", {}, None) == offers[1]
