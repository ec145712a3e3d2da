"""Campaign settings, set in the environment: the queue, Twilio's API base URL, the clock."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from huey import RedisHuey, SqliteHuey

from agent.campaigns import CampaignSpec, FileClock, build_queue, read_people
from agent.campaigns.clock import parse_instant
from agent.config import Settings
from common.errors import NotConfiguredError
from telephony.twilio.outbound import OutboundCall
from tests.telephony.twilio_api import ACCOUNT_SID, AUTH_TOKEN, twilio_stand_in


def test_queue_url_is_where_dispatch_tasks_go(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path, tmp_path: Path
) -> None:
    default = build_queue(Settings())  # unset: SQLite in the data directory, no server
    assert isinstance(default.huey, SqliteHuey)
    default.enqueue_dispatch("gangnam")
    assert (clean_env / "queue.db").is_file()
    assert default.huey.pending_count() == 1

    monkeypatch.setenv("AICALL_QUEUE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    other = build_queue(Settings())
    assert other.huey.pending_count() == 0
    other.enqueue_dispatch("gangnam")
    other.enqueue_dispatch("gangnam")
    assert (tmp_path / "elsewhere.db").is_file() and other.huey.pending_count() == 2
    assert default.huey.pending_count() == 1  # a different queue

    monkeypatch.setenv("AICALL_QUEUE_URL", "redis://127.0.0.1:6399/3")
    redis = build_queue(Settings()).huey
    assert isinstance(redis, RedisHuey)
    assert redis.storage.conn.connection_pool.connection_kwargs["port"] == 6399

    monkeypatch.setenv("AICALL_QUEUE_URL", "amqp://broker")
    with pytest.raises(NotConfiguredError, match="AICALL_QUEUE_URL"):
        build_queue(Settings())


def test_twilio_api_url_is_where_calls_are_placed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("AICALL_PUBLIC_URL", "https://agent.example.test")
    call = OutboundCall(
        to="+821012345678",
        scenario="carecall-ko",
        from_="+15550100100",
        person="박순자",
        attempt="7",
        machine_detection="DetectMessageEnd",
    )
    with twilio_stand_in() as api:
        monkeypatch.setenv("AICALL_TWILIO_API_URL", api.url)
        placed = build_queue(Settings()).dialer.place(call)
    assert placed.sid.startswith("CA")
    (form,) = api.requests
    assert form["MachineDetection"] == ["DetectMessageEnd"]
    query = parse_qs(urlsplit(form["Url"][0]).query)
    assert query["attempt"] == ["7"] and query["person"] == ["박순자"]
    assert parse_qs(urlsplit(form["StatusCallback"][0]).query)["attempt"] == ["7"]


def test_clock_is_what_campaigns_decide_by(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    clock_file = tmp_path / "clock.txt"
    FileClock(clock_file).set(parse_instant("2026-09-21T09:00:00+09:00"))  # Monday, before 10
    monkeypatch.setenv("AICALL_CLOCK", f"file:{clock_file}")
    campaigns = build_queue(Settings()).campaigns
    request.addfinalizer(campaigns.db.close)
    campaigns.create(CampaignSpec("gangnam", "carecall-ko", caller_id="+15550100100"))
    people = tmp_path / "people.csv"
    people.write_text("name,phone\n김영희,010-1234-5678\n", encoding="utf-8")
    campaigns.import_people("gangnam", read_people(people, region="KR"))
    campaigns.start("gangnam")
    assert campaigns.claim_due("gangnam") == []
    FileClock(clock_file).set(parse_instant("2026-09-21T10:00:00+09:00"))  # the window opens
    assert len(campaigns.claim_due("gangnam")) == 1

    monkeypatch.setenv("AICALL_CLOCK", "fixed:2026-09-25T10:00:00+09:00")  # Chuseok
    fixed = build_queue(Settings()).campaigns
    fixed.db.close()
    assert fixed.clock.now() == parse_instant("2026-09-25T10:00:00+09:00")
    monkeypatch.setenv("AICALL_CLOCK", "tomorrow")
    with pytest.raises(NotConfiguredError, match="AICALL_CLOCK"):
        build_queue(Settings()).campaigns  # noqa: B018  (building it is the point)
