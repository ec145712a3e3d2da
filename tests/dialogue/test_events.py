"""Tracker events: JSON-safe, lossless, and replaying them rebuilds the same state."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, time

import pytest

import dialogue.events as events_module
from dialogue.events import (
    ActionExecuted,
    Awaiting,
    BookingLoaded,
    BotUttered,
    CallEnded,
    CallEvent,
    ChannelSet,
    ConfirmationRequested,
    CounterSet,
    Event,
    OffersMade,
    PeriodSaid,
    SlotRequested,
    SlotSet,
    TaskEnded,
    TaskStarted,
    UserUttered,
    WishNoted,
    event_from_dict,
)
from dialogue.state import DialogueState
from dialogue.tracker import Tracker

BOOKING = {
    "id": 7,
    "date": date(2026, 11, 26),
    "time": time(19, 0),
    "start": datetime(2026, 11, 26, 19, 0),
    "party_size": 4,
    "seating": "hall",
    "name": "김민수",
    "phone": "01012345678",
}

#: One of every event kind, in an order a call could produce them.
A_CALL: list[Event] = [
    ChannelSet(channel="voice"),
    BotUttered(text="안녕하세요", acts=("greet",), expects=None),
    UserUttered(
        text="내일 저녁 7시에 4명이요",
        intent="inform",
        confidence=0.9,
        slots=(("date", date(2026, 11, 26)), ("time", time(19, 0)), ("party_size", 4)),
    ),
    TaskStarted(task="book"),
    SlotSet(name="date", value=date(2026, 11, 26)),
    SlotSet(name="time", value=time(19, 0)),
    SlotSet(name="party_size", value=4),
    SlotSet(name="health", value=["pain", "cough"]),
    SlotSet(name="health", value=None),
    OffersMade(
        offers=[
            {"time": time(17, 30), "seating": "room"},
            {"time": time(19, 0), "seating": "hall"},
        ],
        about={"time": time(19, 0), "seating": "room"},
    ),
    Awaiting(kind="offer"),
    SlotRequested(slot="seating"),
    CounterSet(name="no_input", value=1),
    CounterSet(name="misunderstood", value=2),
    CounterSet(name="attempts:meal", value=1),
    CallEvent(kind="barge_in", value="좌석은 룸, 홀"),
    CallEvent(kind="dtmf", value="1"),
    ConfirmationRequested(),
    BookingLoaded(booking=BOOKING),
    ActionExecuted(name="give_up_slot", result={"slot": "meal"}),
    ActionExecuted(name="create_booking", result=BOOKING),
    ActionExecuted(name="record_carecall", result={"answers": {"meal": "unknown"}, "flags": []}),
    TaskEnded(task="book", outcome="done"),
    CallEnded(outcome="completed"),
    PeriodSaid(period="lunch"),
    WishNoted(wish="earliest"),
]


def test_every_event_kind_is_covered() -> None:
    kinds = {
        cls
        for name in events_module.__all__
        if isinstance(cls := getattr(events_module, name), type) and issubclass(cls, Event)
    } - {Event}
    assert kinds == {type(e) for e in A_CALL}


@pytest.mark.parametrize("event", A_CALL, ids=lambda e: f"{e.type_name}")
def test_an_event_round_trips_through_json(event: Event) -> None:
    data = json.loads(json.dumps(event.to_dict(), ensure_ascii=False))
    assert data["type"] == event.type_name
    back = event_from_dict(data)
    assert type(back) is type(event)
    assert back == event


def test_replaying_the_stored_events_rebuilds_the_same_state() -> None:
    live = Tracker("call-1")
    for e in A_CALL:
        live.update(e)
    stored = json.loads(json.dumps(live.dump()))
    replayed = Tracker.replay("call-1", stored)
    assert replayed.state == live.state
    assert replayed.events == live.events


def test_each_prefix_of_the_log_replays_to_the_state_at_that_point() -> None:
    live = Tracker("call-1")
    for i, e in enumerate(A_CALL, start=1):
        live.update(e)
        assert Tracker.replay("call-1", live.dump()[:i]).state == live.state


def test_what_the_events_say_about_the_state() -> None:
    state = Tracker("call-1", A_CALL[:12]).state
    assert state.task == "book" and state.turns == 1
    assert state.slots == {"date": date(2026, 11, 26), "time": time(19, 0), "party_size": 4}
    assert state.requested == "seating" and state.awaiting is None  # asking replaces awaiting
    assert state.offer_about == {"time": time(19, 0), "seating": "room"}
    assert state.pending() == "seating"

    state = Tracker("call-1", A_CALL).state
    assert (state.no_input, state.misunderstood, state.attempts) == (1, 2, {"meal": 1})
    assert state.cut_prompt is None or state.cut_prompt == "좌석은 룸, 홀"
    assert state.booking == BOOKING and state.unintelligible == ["meal"]
    assert state.answers == {"meal": "unknown"}
    assert state.completed == [("book", "done")] and state.task is None
    assert state.ended and state.outcome == "completed"
    assert state.period == "lunch"
    assert state.channel == "voice" and Tracker("call-1", A_CALL[1:]).state.channel is None


def test_a_new_task_starts_empty() -> None:
    tracker = Tracker("call-1", A_CALL[:11])
    tracker.update(TaskStarted(task="cancel"))
    state = tracker.state
    assert (state.task, state.slots, state.offers, state.awaiting, state.booking) == (
        "cancel",
        {},
        [],
        None,
        None,
    )


def test_a_caller_turn_forgets_the_prompt_that_was_cut() -> None:
    tracker = Tracker("c", [CallEvent(kind="barge_in", value="좌석은 룸")])
    assert tracker.state.cut_prompt == "좌석은 룸"
    tracker.update(UserUttered(text="홀이요", intent="inform", confidence=0.9))
    assert tracker.state.cut_prompt is None


def test_the_state_is_never_stored_only_derived() -> None:
    assert all(
        not isinstance(getattr(e, f.name), DialogueState)
        for e in A_CALL
        for f in dataclasses.fields(e)
    )
    assert all("state" not in e.to_dict() for e in A_CALL)
