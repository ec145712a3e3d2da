"""``aicall chat`` piped end to end, then what ``bookings list`` and ``carecall results`` show."""

from __future__ import annotations

import json

from tests.cli.conftest import Run

NOW = "2026-11-25T10:00"


def test_korean_booking_by_pipe_then_listed(aicall: Run) -> None:
    caller_lines = "예약하고 싶어요\n내일 저녁 7시에 4명이요\n방으로 될까요?\n김민수입니다\n아니요, 8시로 해 주세요\n네\n아니요\n"
    done = aicall(
        "chat",
        "--scenario",
        "restaurant-ko",
        "--caller",
        "+821012345678",
        "--now",
        NOW,
        stdin=caller_lines,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "agent> 안녕하세요, 한강식당 지수입니다. 무엇을 도와드릴까요?"
    assert "you> 내일 저녁 7시에 4명이요" in out
    assert (
        "agent> 11월 26일 목요일 저녁 8시, 4명, 룸 좌석, 김민수 님, 연락처 010-1234-5678로 예약해 드릴까요?"
        in out
    )
    assert any(line.startswith("agent> 예약이 완료되었습니다") for line in out)
    assert out[-1] == "[call ended: completed]"
    assert done.stderr == ""

    listed = aicall("bookings", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (booking,) = json.loads(listed.stdout)
    assert booking["start"] == "2026-11-26T20:00:00"
    assert (booking["party_size"], booking["seating"], booking["name"]) == (4, "room", "김민수")
    assert (booking["phone"], booking["status"], booking["venue"]) == (
        "01012345678",
        "active",
        "hangang-kitchen",
    )

    table = aicall("bookings", "list")
    assert "2026-11-26 20:00" in table.stdout and "김민수" in table.stdout


def test_english_booking_by_pipe(aicall: Run) -> None:
    caller_lines = "I'd like to book a table\ntomorrow at 7 pm for four\nthe main hall\nmy name is John Smith\nno, make it 8\nyes\nno\n"
    done = aicall(
        "chat",
        "--scenario",
        "restaurant-en",
        "--caller",
        "+15551234567",
        "--now",
        NOW,
        stdin=caller_lines,
    )
    assert done.returncode == 0, done.stderr
    assert "agent> Hello, this is Jisoo at Hangang Kitchen. How can I help you?" in done.stdout
    assert (
        "Thursday, November 26th at 8 pm, 4 people, main hall seating, under John Smith"
        in done.stdout
    )
    assert (
        "agent> Your table is booked for Thursday, November 26th at 8 pm, 4 people." in done.stdout
    )
    assert done.stdout.rstrip().endswith("[call ended: completed]")
    (booking,) = json.loads(aicall("bookings", "list", "--json").stdout)
    assert (booking["start"], booking["name"], booking["phone"]) == (
        "2026-11-26T20:00:00",
        "John Smith",
        "5551234567",
    )


def test_care_calls_by_pipe_then_results_show_the_flags(aicall: Run) -> None:
    ko = "네\n아침은 걸렀어요\n잘 잤어요\n열이 나요\n좋아요\n없어요\n"
    done = aicall("chat", "--scenario", "carecall-ko", "--person", "박순자", stdin=ko)
    assert done.returncode == 0, done.stderr
    assert (
        "agent> 안녕하세요, 행복구청 돌봄센터 하나입니다. 안부 여쭈려고 전화드렸어요. 박순자 어르신 맞으신가요?"
        in done.stdout
    )
    assert "담당 선생님께 전해서" in done.stdout

    en = "yes\nI ate well\nslept well\nno pain\ngood\nnothing\n"
    done = aicall("chat", "--scenario", "carecall-en", stdin=en)
    assert done.returncode == 0, done.stderr
    assert "Am I speaking with Margaret Brown?" in done.stdout

    results = aicall("carecall", "results", "--json")
    assert results.returncode == 0, results.stderr
    rows = json.loads(results.stdout)
    assert [(r["person"], r["flagged"], r["reasons"]) for r in rows] == [
        ("박순자", True, ["symptom", "not_eating"]),  # flagged people first
        ("Margaret Brown", False, []),
    ]
    assert rows[0]["answers"]["health"] == ["fever"] and rows[1]["answers"]["needs"] == "nothing"

    table = aicall("carecall", "results")
    assert "FLAG symptom,not_eating" in table.stdout


def test_end_of_input_hangs_up_and_flags_an_unfinished_care_call(aicall: Run) -> None:
    done = aicall("chat", "--scenario", "carecall-en", stdin="yes\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("[call ended: hangup]")
    (row,) = json.loads(aicall("carecall", "results", "--json").stdout)
    assert row["reasons"] == ["call_incomplete"]


def test_an_unknown_scenario_is_one_clear_line(aicall: Run) -> None:
    done = aicall("chat", "--scenario", "restaurant-fr", stdin="bonjour\n")
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("aicall: error: unknown scenario 'restaurant-fr'")
    assert "restaurant-ko" in line and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_a_bad_now_is_one_clear_line(aicall: Run) -> None:
    done = aicall("chat", "--scenario", "restaurant-ko", "--now", "tomorrow")
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert "--now" in line and "2026-11-25T10:00" in line
