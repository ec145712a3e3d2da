"""The console's calls pages and API over genuine calls (helper C4, #14).

Calls are made through the real runtime (text calls of the shipped scenarios); org "acme" owns
the restaurant and care-call scenarios, "city" the clinic ones.
"""

from __future__ import annotations

import re
import wave
from collections.abc import Callable
from typing import Any

import pytest

from agent.store import VoiceTurnLog, VoiceTurnRecord
from console.queries_calls import CallFilter, search_calls
from tests.console.c4_data import C4Env, Made, c4_env
from tests.conversation.harness import start_call

__all__ = ["c4_env"]  # the module's shared console with genuine calls


@pytest.fixture
def made(c4_env: C4Env) -> Made:
    return c4_env.made


@pytest.fixture
def client_for(c4_env: C4Env) -> Callable[..., Any]:
    return c4_env.client


@pytest.fixture
def console_env(c4_env: C4Env) -> C4Env:
    return c4_env


def _ids(html: str) -> set[str]:
    return set(re.findall(r'href="/console/calls/([0-9a-f]{32})"', html))


def test_list_is_the_orgs_newest_first_and_searchable(made: Made, client_for: Callable) -> None:
    acme = client_for("acme-viewer")
    page = acme.get("/console/calls")
    assert page.status_code == 200
    shown = _ids(page.text)
    assert {made.booking_ko, made.booking_en, *made.care, made.care_ok} <= shown
    assert made.clinic not in page.text  # city's call
    # free text over what was said (Korean and English, either side)
    found = acme.get("/console/calls", params={"q": "김민수"})
    assert _ids(found.text) == {made.booking_ko}
    assert _ids(acme.get("/console/calls", params={"q": "TERRACE"}).text) == {made.booking_en}
    # words of the agent too
    assert made.booking_ko in _ids(acme.get("/console/calls", params={"q": "한강식당"}).text)
    # city's words are not found by acme
    assert _ids(acme.get("/console/calls", params={"q": "홍길동"}).text) == set()
    # flagged: the third weekly call of p-001, not the good ones
    flagged = _ids(acme.get("/console/calls", params={"flagged": "1"}).text)
    assert made.care[2] in flagged and not flagged & {made.care[0], made.care_ok, made.booking_ko}
    # scenario and outcome
    only = acme.get("/console/calls", params={"scenario": "restaurant-en", "outcome": "completed"})
    assert _ids(only.text) == {made.booking_en}
    # htmx asks for the table alone
    part = acme.get(
        "/console/calls",
        params={"q": "김민수"},
        headers={"HX-Request": "true", "HX-Target": "calls"},
    )
    assert "<html" not in part.text and made.booking_ko in part.text
    # a day range in the console's time zone: the calls were made today
    assert _ids(acme.get("/console/calls", params={"until": "2020-01-01"}).text) == set()
    bad = acme.get("/console/calls", params={"since": "yesterday"})
    assert bad.status_code == 422


def test_pages_of_the_list(made: Made, console_env: Any) -> None:
    with console_env.db.session() as s:
        ids = {"restaurant-en", "carecall-ko"}  # no other test adds calls of these
        first = search_calls(s, ids, CallFilter(per_page=3), "Asia/Seoul")
        second = search_calls(s, ids, CallFilter(per_page=3, page=2), "Asia/Seoul")
        beyond = search_calls(s, ids, CallFilter(per_page=3, page=9), "Asia/Seoul")
    assert (first.total, first.pages, len(first.calls), len(second.calls)) == (5, 2, 3, 2)
    assert not {c.call.id for c in first.calls} & {c.call.id for c in second.calls}
    assert beyond.page == 2
    starts = [c.call.started_at for c in first.calls + second.calls]
    assert starts == sorted(starts, reverse=True)


def test_call_page_transcript_events_and_booking(made: Made, client_for: Callable) -> None:
    acme = client_for("acme-viewer")
    page = acme.get(f"/console/calls/{made.booking_ko}")
    assert page.status_code == 200
    html = page.text
    for said in ("예약하고 싶어요", "김민수입니다", "예약이 완료되었습니다"):
        assert said in html
    assert "create_booking" in html and "task_started" in html  # the dialogue events
    assert "hangang-kitchen" in html and "/console/bookings/" in html
    api = acme.get(f"/api/v1/calls/{made.booking_ko}").json()
    assert api["call"]["scenario_id"] == "restaurant-ko"
    assert [t["who"] for t in api["transcript"]][:2] == ["bot", "user"]
    assert api["bookings"][0]["name"] == "김민수" and api["recording"] is None
    assert api["turns"] == []


def test_voice_timings_and_recording(made: Made, client_for: Callable, console_env: Any) -> None:
    call_id = made.booking_en
    VoiceTurnLog(console_env.db).save_turns(
        call_id,
        [
            VoiceTurnRecord(
                "greeting", agent="Hangang Kitchen, how can I help you?", first_audio=0.4
            ),
            VoiceTurnRecord(
                "speech",
                user="I'd like to book a table",
                agent="What date?",
                speech_end=3.0,
                transcript_ready=3.35,
                reply_ready=3.5,
                first_audio=3.9,
                asr_seconds=0.31,
            ),
            # the caller cut into the agent: its text is the agent's words that were cut
            VoiceTurnRecord("barge_in", user="What date would", reply_ready=4.2),
        ],
    )
    wav = console_env.data_dir / "recordings" / f"{call_id}.wav"
    wav.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 1600)
    acme = client_for("acme-viewer")
    html = acme.get(f"/console/calls/{call_id}").text
    assert "<audio" in html and f"/console/calls/{call_id}/recording" in html
    assert "0.90" in html  # voice to voice of the spoken turn: 3.9 - 3.0
    # kinds in the page's language; a cut-into reply stands in the agent's column
    assert "말 끊음" in html and "첫인사" in html and "barge_in" not in html
    assert '<td></td><td class="muted">What date would</td>' in html
    audio = acme.get(f"/console/calls/{call_id}/recording")
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    assert audio.content[:4] == b"RIFF"
    api = acme.get(f"/api/v1/calls/{call_id}").json()
    assert api["turns"][1]["voice_to_voice"] == 0.9 and api["voice_to_voice"]["turns"] == 1
    # another org: no call, no recording; nobody logged in: no recording either
    city = client_for("city-admin")
    assert city.get(f"/console/calls/{call_id}").status_code == 404
    assert city.get(f"/console/calls/{call_id}/recording").status_code == 404
    assert city.get(f"/api/v1/calls/{call_id}").status_code == 404
    anonymous = client_for()
    assert anonymous.get(
        f"/console/calls/{call_id}/recording", follow_redirects=False
    ).status_code in (
        303,
        401,
    )
    # a call without a recording has no audio element, and its recording URL is 404
    assert "<audio" not in acme.get(f"/console/calls/{made.booking_ko}").text
    assert acme.get(f"/console/calls/{made.booking_ko}/recording").status_code == 404


def test_personal_numbers_are_shown_masked(console_env: Any, client_for: Callable) -> None:
    call = start_call(console_env.runtime, "restaurant-ko", caller="+821012345678")
    call.user("예약하고 싶어요")
    call.user("제 카드번호는 4111 1111 1111 1111이에요")
    call.close()
    acme = client_for("acme-viewer")
    html = acme.get(f"/console/calls/{call.call_id}").text
    assert "[CARD]" in html and "4111 1111" not in html
    # the search finds the call by the mask, never by the number
    assert call.call_id in acme.get("/console/calls", params={"q": "[CARD]"}).text
    assert call.call_id not in acme.get("/console/calls", params={"q": "4111"}).text
    # the caller's own number, which the call keeps, is shown
    assert "+821012345678" in html


def test_api_list(made: Made, client_for: Callable) -> None:
    acme = client_for("acme-viewer")
    data = acme.get("/api/v1/calls", params={"q": "terrace"}).json()
    assert data["total"] == 1 and data["calls"][0]["id"] == made.booking_en
    city = client_for("city-viewer").get("/api/v1/calls").json()
    assert made.clinic in [c["id"] for c in city["calls"]]
    assert {c["scenario_id"] for c in city["calls"]} <= {"clinic-ko", "clinic-en"}
    assert client_for().get("/api/v1/calls").status_code == 401
