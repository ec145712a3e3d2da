"""A refusal always says why, even when the scenario has no template for it.

The operator's clinic line (tests/scenarios/data/clinic-*.yaml) has no ``closed_day``,
``outside_hours`` or ``party_too_large`` template: the agent used to refuse a Saturday or a
7 am appointment in silence and just ask again. Now it says the built-in reason in the
scenario's language, then asks again.
"""

from __future__ import annotations

import functools
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from dialogue.ports import BookingRequest
from dialogue.restaurant import capacity_rule
from scenarios.loader import load_scenario
from scenarios.schema import Scenario
from tests.dialogue.conftest import NOW, Dialogue

DATA = Path(__file__).parents[1] / "scenarios" / "data"


@functools.cache
def clinic(lang: str) -> Scenario:
    """The clinic line in ``lang``, without refusal templates."""
    sc = load_scenario(DATA / f"clinic-{lang}.yaml")
    assert not {"closed_day", "outside_hours", "party_too_large"} & set(sc.templates)
    return sc


# (language, a closed day, the reason, a time before opening, the reason, the re-asked question)
CASES = [
    (
        "en",
        "I'd like to make an appointment on Saturday",
        "I'm sorry, we're closed on Saturday, November 28th.",
        "tomorrow at 7 am",
        "I'm sorry, we take bookings from 9 am to 5:30 pm.",
        ("What day would you like to come in?", "What time would suit you?"),
    ),
    (
        "ko",
        "토요일에 진료 예약하고 싶어요",
        "죄송하지만 11월 28일 토요일은 휴무입니다.",
        "내일 오전 7시요",
        "죄송하지만 예약은 오전 9시부터 저녁 5시 30분까지 가능합니다.",
        ("어느 날로 예약해 드릴까요?", "몇 시가 편하세요?"),
    ),
]


@pytest.mark.parametrize(
    ("lang", "closed", "closed_reason", "early", "hours_reason", "asks"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_a_refusal_says_why_in_the_scenario_language(
    lang: str,
    closed: str,
    closed_reason: str,
    early: str,
    hours_reason: str,
    asks: tuple[str, str],
) -> None:
    d = Dialogue(clinic(lang))
    text = d.say(closed).reply.text
    assert text.startswith(closed_reason), text
    assert asks[0] in text  # then the date again
    assert "date" not in d.tracker.state.slots

    text = d.say(early).reply.text
    assert text.startswith(hours_reason), text
    assert asks[1] in text  # then the time again
    assert "time" not in d.tracker.state.slots


@pytest.mark.parametrize(
    ("lang", "said", "reason"),
    [
        ("en", "an appointment tomorrow at 10 am for three people", "up to 2 people"),
        ("ko", "내일 오전 10시에 세 명 예약할게요", "2명까지만"),
    ],
)
def test_too_many_people_is_explained_too(lang: str, said: str, reason: str) -> None:
    text = Dialogue(clinic(lang)).say(said).reply.text
    assert reason in text, text


def test_the_scenario_template_wins_over_the_built_in(restaurant: Dialogue) -> None:
    text = restaurant.say(
        "다음 주 월요일로 예약할게요"
        if restaurant.scenario.language == "ko"
        else "book next Monday"
    ).reply.text
    assert text.startswith(restaurant.scenario.templates["closed_day"].split("{")[0]), text


@pytest.mark.parametrize(
    ("lang", "said", "reason"),
    [
        (
            "en",
            "I'd like to see the doctor tomorrow at 10 am, just me",
            "I'm sorry, there is no doctor free at 10 am. We have 9:30 am or 10:30 am",
        ),
        (
            "ko",
            "내일 오전 10시에 진료 예약할게요 저 혼자요",
            "죄송하지만 오전 10시에는 진료 자리가 없습니다. 오전 9시 30분 또는 오전 10시 30분",
        ),
    ],
)
def test_a_full_time_is_explained_with_the_alternatives(lang: str, said: str, reason: str) -> None:
    sc = clinic(lang)
    d = Dialogue(sc)
    assert sc.venue is not None
    taken = BookingRequest(
        venue=sc.venue.id,
        start=datetime.combine(NOW.date() + timedelta(days=1), time(10, 0)),
        party_size=1,
        seating="doctor",
        name="someone",
        phone="5550000000",
        call_id="earlier",
    )
    d.bookings.create(capacity_rule(sc.venue), taken)
    text = d.say(said).reply.text
    assert reason in text, text
