"""The Twilio stand-in end to end: calls placed with twilio's own REST client through
``TwilioDialer``, played out against two real `aicall serve` processes behind its balancer.

Each outcome reaches the servers the way Twilio's would: answered calls run the conversation
over Media Streams (on another server than the one that answered the voice webhook), unanswered
ones arrive as status callbacks and are stored with their status.
"""

from __future__ import annotations

import time

import httpx
import pytest

from agent.store.calls import CallLog
from agent.store.db import Database
from telephony.twilio.outbound import OutboundCall, TwilioDialer
from tests.scale.cluster import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, Cluster
from tests.scale.twilio_cloud import Rates

pytestmark = pytest.mark.timeout(300)

FROM = "+15550100100"
SCRIPT = {
    "+15550109001": ["answer"],
    "+15550109002": ["no-answer"],
    "+15550109003": ["busy"],
    "+15550109004": ["failed"],
    "+15550109005": ["voicemail"],
}
STORED = {
    "+15550109002": "no_answer",
    "+15550109003": "busy",
    "+15550109004": "failed",
    "+15550109005": "voicemail",
}


def _calls(cluster: Cluster) -> dict:
    return httpx.get(f"{cluster.cloud_url}/_standin/calls", timeout=10).json()


def _wait_idle(cluster: Cluster, count: int, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        report = _calls(cluster)
        ended = [c for c in report["calls"] if c["ended_at"] and c["statuses"]]
        if len(report["calls"]) >= count and len(ended) == len(report["calls"]):
            if report["in_flight"] == 0:
                return report
        assert time.monotonic() < deadline, report
        time.sleep(0.2)


def test_each_outcome_reaches_the_servers_as_twilio_would(cluster: Cluster) -> None:
    cluster.ensure_servers()
    before = len(_calls(cluster)["calls"])
    httpx.post(
        f"{cluster.cloud_url}/_standin/config", json={"script": SCRIPT, "caller_seconds": 1.5}
    ).raise_for_status()
    dialer = TwilioDialer(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        public_url=PUBLIC_URL,
        api_base_url=cluster.cloud_url,
    )
    placed = {
        to: dialer.place(
            OutboundCall(
                to=to,
                scenario="carecall-en",
                from_=FROM,
                person=f"Person {to[-1]}",
                detect_voicemail=True,
            )
        )
        for to in SCRIPT
    }
    report = _wait_idle(cluster, before + len(SCRIPT))
    calls = {c["sid"]: c for c in report["calls"][before:]}
    assert set(calls) == {p.sid for p in placed.values()}

    answered = calls[placed["+15550109001"].sid]
    assert answered["outcome"] == "answer" and answered["errors"] == []
    assert answered["heard_bytes"] > 0  # the agent's greeting, over Media Streams
    # the stream landed on the other server than the one that answered the voice webhook
    assert {answered["webhook_upstream"], answered["stream_upstream"]} == set(cluster.urls)
    assert answered["statuses"][-1] == "completed"

    machine = calls[placed["+15550109005"].sid]
    assert "<Hangup" in machine["twiml"] and "<Stream" not in machine["twiml"]
    for to, status in STORED.items():
        call = calls[placed[to].sid]
        assert call["errors"] == [], call
        expected_final = "completed" if to == "+15550109005" else status.replace("_", "-")
        assert call["statuses"][-1] == expected_final
        assert call["heard_bytes"] == 0

    with Database(cluster.database_url) as db:
        log = CallLog(db)
        deadline = time.monotonic() + 30
        while (stored := log.get_call(answered["sid"])) is None or stored.ended_at is None:
            assert time.monotonic() < deadline, stored
            time.sleep(0.2)
        assert stored.direction == "outbound" and stored.callee == "+15550109001"
        for to, status in STORED.items():
            row = log.get_call(placed[to].sid)
            assert row is not None and row.status == status, (to, row)


def test_outcome_rates_are_drawn_reproducibly() -> None:
    rates = Rates(no_answer=0.25, busy=0.25, failed=0.25, voicemail=0.125)
    assert [rates.draw(u) for u in (0.0, 0.3, 0.6, 0.8, 0.9, 0.99)] == [
        "no-answer",
        "busy",
        "failed",
        "voicemail",
        "answer",
        "answer",
    ]
