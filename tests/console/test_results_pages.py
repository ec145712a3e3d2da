"""The console's results: bookings calendar, care-call people and trends, flags, CSV (C4, #14).

Over genuine calls (tests/console/c4_data.py): acme's restaurant bookings (ko, en) and care
calls; city's clinic booking.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from agent.store import SqlCareCallRecorder
from console.models import AuditEntry
from tests.console.c4_data import C4Env, Made, c4_env
from tests.conversation.harness import start_call

__all__ = ["c4_env"]


@pytest.fixture
def made(c4_env: C4Env) -> Made:
    return c4_env.made


@pytest.fixture
def client_for(c4_env: C4Env) -> Callable[..., Any]:
    return c4_env.client


def test_week_and_day_calendars_per_venue_and_resource(made: Made, client_for: Callable) -> None:
    acme = client_for("acme-viewer")
    week = acme.get("/console/bookings", params={"day": "2026-11-26", "view": "week"})
    assert week.status_code == 200
    html = week.text
    assert "hangang-kitchen" in html and "haneul-clinic" not in html  # city's venue
    assert "김민수" in html and "Sarah Lee" in html and "홍길동" not in html
    assert "2026-11-23 – 2026-11-29" in html  # Monday to Sunday
    # a day: rows of times, a column per seating area; 김민수 at 19:00 in the hall
    day = acme.get(
        "/console/bookings",
        params={"day": "2026-11-26", "view": "day", "venue": "hangang-kitchen"},
    ).text
    assert "Sarah Lee" not in day  # Friday's
    row = re.search(r"<th scope=\"row\">19:00</th>(.*?)</tr>", day, re.S)
    assert row is not None and "김민수" in row.group(1)
    # one resource only: the terrace has Sarah Lee, not 김민수
    outdoor = acme.get(
        "/console/bookings", params={"day": "2026-11-26", "view": "week", "resource": "outdoor"}
    ).text
    assert "Sarah Lee" in outdoor and "김민수" not in outdoor
    # city: the clinic, one column per doctor, 홍길동 with 김 원장 (dr_kim) at 15:00 on Friday
    city = client_for("city-viewer")
    clinic = city.get("/console/bookings", params={"day": "2026-11-27", "view": "day"}).text
    assert "haneul-clinic" in clinic and "hangang-kitchen" not in clinic
    heads = re.findall(r'<th scope="col">([^<]*)</th>', clinic)
    assert "dr_kim" in heads and "dr_lee" in heads
    row = re.search(r"<th scope=\"row\">15:00</th>(.*?)</tr>", clinic, re.S)
    assert row is not None and "홍길동" in row.group(1)


def test_booking_page_api_and_csv(made: Made, client_for: Callable) -> None:
    acme = client_for("acme-viewer")
    # Results opens the care calls of an org that runs them, else its bookings
    assert acme.get("/console/results", follow_redirects=False).headers["location"] == (
        "/console/carecall"
    )
    city_home = client_for("city-viewer").get("/console/results", follow_redirects=False)
    assert city_home.headers["location"] == "/console/bookings"
    data = acme.get("/api/v1/bookings", params={"day": "2026-11-26"}).json()
    assert data["venue"] == "hangang-kitchen"
    names = {b["name"]: b for b in data["bookings"]}
    assert {"김민수", "Sarah Lee"} <= set(names)
    kim = names["김민수"]
    assert (kim["start"], kim["party_size"], kim["resources"]) == (
        "2026-11-26T19:00:00",
        4,
        ["hall"],
    )
    page = acme.get(f"/console/bookings/{kim['id']}")
    assert page.status_code == 200 and made.booking_ko in page.text
    assert acme.get(f"/api/v1/bookings/{kim['id']}").json()["call_id"] == made.booking_ko
    city = client_for("city-viewer")
    assert city.get(f"/console/bookings/{kim['id']}").status_code == 404
    assert city.get(f"/api/v1/bookings/{kim['id']}").status_code == 404
    exported = acme.get("/console/bookings.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert {r["name"] for r in rows} >= {"김민수", "Sarah Lee"} and "홍길동" not in exported.text
    clinic = list(
        csv.DictReader(io.StringIO(city.get("/api/v1/bookings.csv").text.lstrip("\ufeff")))
    )
    assert [(r["name"], r["service"], r["provider"]) for r in clinic] == [
        ("홍길동", "consultation", "dr_kim")
    ]


def test_flagged_people_first_with_trends(made: Made, client_for: Callable) -> None:
    acme = client_for("acme-viewer")
    html = acme.get("/console/carecall").text
    order = re.findall(r'data-person="([^"]+)"', html)
    assert order.index("p-001") < order.index("p-002")
    assert 'class="flagged" data-person="p-001"' in html
    assert "/close" not in html  # a viewer closes nothing
    assert "식사 거름" in html and "도움 요청" in html  # p-001's reasons, in the page's language
    answers = re.findall(r'<td class="answers">(.*?)</td>', html, re.S)
    assert answers and any("기분: " in a for a in answers)  # what was asked, in Korean too
    assert not any(re.search(r"<span>(meal|sleep|mood|health|needs): ", a) for a in answers)
    people = acme.get("/api/v1/carecall/people").json()
    flagged = [p["person_id"] for p in people if p["open_flags"]]
    assert "p-001" in flagged and "p-002" not in flagged
    assert people[0]["open_flags"]  # flagged first
    page = acme.get("/console/carecall/people/p-001")
    assert page.status_code == 200
    assert 'id="trend-chart"' in page.text and "chart.umd.min.js" in page.text
    person = acme.get("/api/v1/carecall/people/p-001").json()
    assert len(person["calls"]) == 3
    mood = person["trends"]["trends"]["mood"]
    assert [p["value"] for p in mood["points"]] == ["good", "so_so", "bad"]
    assert [p["score"] for p in mood["points"]] == [1.0, 0.5, 0.0]
    assert mood["direction"] == "falling"
    assert any("나빠지는 중" in s for s in person["summary"])
    city = client_for("city-admin")
    assert city.get("/console/carecall/people/p-001").status_code == 404
    assert city.get("/api/v1/carecall/people/p-001").status_code == 404
    assert "p-001" not in city.get("/console/carecall").text


def test_operator_closes_a_flag_with_a_note(c4_env: C4Env, client_for: Callable) -> None:
    # a care call of its own (carecall-en: no other test counts those)
    call = start_call(c4_env.runtime, "carecall-en", person="Ruth Jones", person_id="p-ruth")
    call.user("yes")
    call.user("I skipped breakfast")
    call.user("I couldn't sleep at all")
    call.user("my back hurts and I've been coughing")
    call.user("I'm a bit lonely")
    call.user("I've run out of groceries").ends("completed")
    call.close()
    recorder = SqlCareCallRecorder(c4_env.db)
    assert [f.call_id for f in recorder.flags(person_id="p-ruth")] == [call.call_id]
    viewer = client_for("acme-viewer")
    denied = viewer.post(f"/console/carecall/calls/{call.call_id}/close", data={"note": "x"})
    assert denied.status_code == 403
    city = client_for("city-operator")
    assert city.post(f"/console/carecall/calls/{call.call_id}/close", data={}).status_code == 404
    operator = client_for("acme-operator")
    page = operator.get("/console/carecall").text
    assert f"/console/carecall/calls/{call.call_id}/close" in page
    done = operator.post(
        f"/console/carecall/calls/{call.call_id}/close",
        data={"note": "called back, back is better"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "closed=p-ruth" in done.headers["location"]
    (flag,) = recorder.flags(open_only=False, person_id="p-ruth")
    assert not flag.open and flag.note == "called back, back is better" and flag.closed_by
    with c4_env.db.session() as s:
        entries = s.execute(
            select(AuditEntry.action, AuditEntry.username).where(AuditEntry.target == call.call_id)
        ).all()
    assert [tuple(e) for e in entries] == [("carecall.flag_close", "acme-operator")]
    again = operator.post(f"/api/v1/carecall/calls/{call.call_id}/close", json={"note": "again"})
    assert again.status_code == 409 and "closed already" in again.json()["detail"]
    history = operator.get("/console/carecall/people/p-ruth").text
    assert "called back, back is better" in history


def test_carecall_csv(made: Made, client_for: Callable, c4_env: C4Env) -> None:
    text = client_for("acme-viewer").get("/console/carecall.csv").text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    mine = [r for r in rows if r["person_id"] == "p-001"]
    assert [r["mood"] for r in mine] == ["good", "so_so", "bad"]
    assert mine[-1]["flag"] == "open" and "asks_for_help" in mine[-1]["flag_reasons"]
    assert "health" in rows[0] and "meal" in rows[0]
    city = client_for("city-viewer").get("/api/v1/carecall/results.csv").text
    assert "p-001" not in city
