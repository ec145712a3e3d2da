"""Memory between care calls through the real command: two weekly ``aicall chat`` calls of one
person (``--person-id``), then ``carecall flags``, ``close``, ``history`` and ``trends``."""

from __future__ import annotations

import json

from tests.cli.conftest import Run

WEEK1, WEEK2 = "2026-11-18T10:00", "2026-11-25T10:00"


def _chat(aicall: Run, scenario: str, now: str, lines: list[str], *extra: str) -> list[str]:
    done = aicall(
        "chat", "--scenario", scenario, "--now", now, *extra, stdin="\n".join(lines) + "\n"
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_second_week_by_chat_refers_back_then_flags_history_trends_ko(aicall: Run) -> None:
    who = ("--person", "김영희", "--person-id", "seoul-0001")
    _chat(
        aicall,
        "carecall-ko",
        WEEK1,
        ["네", "아침은 걸렀어요", "푹 잤어요", "무릎이 아파요", "좀 외로워요", "없어요"],
        *who,
    )
    out = _chat(
        aicall,
        "carecall-ko",
        WEEK2,
        ["네", "더 아파요", "네 잘 먹었어요", "잠을 통 못 잤어요", "허리가 아파요", "더 우울해요"]
        + ["기분이 안 좋아요", "없어요"],
        *who,
    )
    assert "agent> 지난주에 몸이 아프다고 하셨는데 좀 어떠세요?" in out
    assert any("지난주에 기분이 좀 울적하다고 하셨는데" in line for line in out)
    assert out[-1] == "[call ended: completed]"

    listed = aicall("carecall", "flags", "--json", "--person", "seoul-0001")
    assert listed.returncode == 0, listed.stderr
    first, second = json.loads(listed.stdout)
    assert first["reasons"] == ["symptom", "not_eating"] and first["open"]
    assert "getting_worse" in second["reasons"] and second["person_id"] == "seoul-0001"

    closed = aicall("carecall", "close", str(first["id"]), "--by", "박복지", "--note", "통화함")
    assert closed.returncode == 0, closed.stderr
    assert f"flag #{first['id']} of seoul-0001 closed by 박복지" in closed.stdout
    again = aicall("carecall", "close", str(first["id"]), "--by", "박복지")
    assert again.returncode == 2 and "closed already by 박복지" in again.stderr

    history = aicall("carecall", "history", "seoul-0001")
    assert history.returncode == 0, history.stderr
    assert "referred back to health=pain (health_change)" in history.stdout
    assert "closed by 박복지" in history.stdout and "통화함" in history.stdout

    trends = aicall("carecall", "trends", "seoul-0001")
    assert trends.returncode == 0, trends.stderr
    assert "seoul-0001 (김영희): 2 call(s), 1 open flag(s)" in trends.stdout
    assert "mood: 최근 2번 중 0번 좋음, 마지막 대답: 좋지 않음" in trends.stdout
    assert (
        "sleep: 최근 2번 중 1번 잘 주무심, 마지막 대답: 잘 못 주무심, 나빠지는 중" in trends.stdout
    )
    (data,) = json.loads(aicall("carecall", "trends", "--json").stdout)
    assert [p["value"] for p in data["trends"]["meal"]["points"]] == ["skipped", "ate_well"]
    assert data["trends"]["meal"]["direction"] == "rising"


def test_bad_input_gets_clear_errors(aicall: Run) -> None:
    unknown = aicall("carecall", "close", "99", "--by", "Kim")
    assert unknown.returncode == 2 and "no follow-up flag '99'" in unknown.stderr
    window = aicall("carecall", "trends", "--window", "0")
    assert window.returncode == 2 and "--window" in window.stderr
