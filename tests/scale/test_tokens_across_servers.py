"""Stream tokens across server processes: issued by one, accepted once by any, refused on reuse.

The shared ledgers are tested on the real stores (SQLite file, PostgreSQL, Redis) with
independent handles, as separate processes hold them; then two real `aicall serve` processes
behind the stand-in's balancer: a token from one process's voice webhook admits a media stream
on the other, once.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import text
from starlette.websockets import WebSocketDisconnect
from twilio.request_validator import RequestValidator
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from agent.config import Settings
from agent.server.app import create_app
from agent.store.db import Database
from agent.store.tokens import (
    RedisTokenLedger,
    SqlTokenLedger,
    shared_stream_tokens,
    stream_secret,
    token_ledger,
)
from agent.voice.engines import VoiceEngines
from common.errors import InputError, NotConfiguredError, StoreUnavailableError
from telephony.twilio import protocol
from telephony.twilio.tokens import StreamGrant, StreamTokenIssuer
from tests.scale.cluster import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_URL,
    STREAM_SECRET,
    Cluster,
    RedisServer,
)
from tests.server.test_webhooks import FakeRuntime

pytestmark = pytest.mark.timeout(300)

SECRET = b"s" * 32
GRANT = StreamGrant("CA" + "a" * 32, "carecall-en", "+15550100100", "+15550100277", "outbound")


def _sql_url(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'tokens.db'}"
    return str(request.getfixturevalue("fresh_pg_url"))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_token_from_one_process_is_accepted_once_by_any_sharing_the_database(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _sql_url(kind, tmp_path, request)
    with Database(url) as db_a, Database(url) as db_b:
        a = StreamTokenIssuer(SECRET, ledger=SqlTokenLedger(db_a))
        b = StreamTokenIssuer(SECRET, ledger=SqlTokenLedger(db_b))
        token = a.issue(GRANT)
        assert b.redeem(token) == GRANT
        for issuer in (a, b):
            with pytest.raises(InputError, match="already used"):
                issuer.redeem(token)
        # a token signed with another key is refused before the ledger is asked
        other = StreamTokenIssuer(b"o" * 32, ledger=SqlTokenLedger(db_b))
        with pytest.raises(InputError, match="signature"):
            other.redeem(a.issue(GRANT))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_of_many_racing_for_one_token_exactly_one_wins(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _sql_url(kind, tmp_path, request)
    token = StreamTokenIssuer(SECRET).issue(GRANT)
    databases = [Database(url) for _ in range(6)]
    databases[0].create_schema()
    wins: list[int] = []
    refusals: list[str] = []
    barrier = threading.Barrier(len(databases))

    def redeem(i: int, db: Database) -> None:
        issuer = StreamTokenIssuer(SECRET, ledger=SqlTokenLedger(db))
        barrier.wait()
        try:
            issuer.redeem(token)
            wins.append(i)
        except InputError as e:
            refusals.append(str(e))

    threads = [threading.Thread(target=redeem, args=(i, db)) for i, db in enumerate(databases)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for db in databases:
        db.close()
    assert len(wins) == 1
    assert refusals == ["stream token already used"] * (len(databases) - 1)


def test_expired_redemptions_are_pruned_from_the_table(tmp_path: Path) -> None:
    now = [1_000_000.0]
    with Database(f"sqlite:///{tmp_path / 't.db'}") as db:
        ledger = SqlTokenLedger(db, clock=lambda: now[0])
        assert ledger.claim("n1", now[0] + 60)
        now[0] += 3600  # an hour later the first row is long expired
        assert ledger.claim("n2", now[0] + 60)
        with db.session() as session:
            rows = session.execute(text("SELECT nonce FROM stream_token_uses")).all()
        assert [r[0] for r in rows] == ["n2"]


def test_redis_ledger_accepts_once_and_forgets_with_the_token(scale_redis: RedisServer) -> None:
    client_a = redis.Redis.from_url(scale_redis.url)
    client_b = redis.Redis.from_url(scale_redis.url)
    a = StreamTokenIssuer(SECRET, ledger=RedisTokenLedger(client_a))
    b = StreamTokenIssuer(SECRET, ledger=RedisTokenLedger(client_b))
    token = a.issue(GRANT)
    assert b.redeem(token) == GRANT
    for issuer in (a, b):
        with pytest.raises(InputError, match="already used"):
            issuer.redeem(token)
    keys = client_a.keys("aicall:stream-token:*")
    assert len(keys) == 1
    ttl = client_a.pttl(keys[0])
    assert 0 < ttl <= (a.ttl + 1) * 1000  # gone soon after the token expires


def test_redis_down_refuses_the_token_with_a_clear_error() -> None:
    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)
    issuer = StreamTokenIssuer(SECRET, ledger=RedisTokenLedger(client))
    with pytest.raises(StoreUnavailableError, match="Redis is unavailable for stream tokens"):
        issuer.redeem(issuer.issue(GRANT))


def test_the_secret_comes_from_the_setting_or_the_twilio_auth_token(tmp_path: Path) -> None:
    explicit = Settings(data_dir=tmp_path, stream_secret="x" * 20, twilio_auth_token="t")
    assert stream_secret(explicit) == b"x" * 20
    one = Settings(data_dir=tmp_path, twilio_auth_token="the-account-token")
    two = Settings(data_dir=tmp_path, twilio_auth_token="the-account-token")
    derived = stream_secret(one)
    assert derived is not None and derived == stream_secret(two)
    assert b"the-account-token" not in derived  # derived, not the auth token itself
    assert stream_secret(Settings(data_dir=tmp_path)) is None  # one process: a random key
    with pytest.raises(NotConfiguredError, match="at least 16 characters"):
        stream_secret(Settings(data_dir=tmp_path, stream_secret="short"))


def test_the_ledger_is_redis_when_the_queue_is(tmp_path: Path, scale_redis: RedisServer) -> None:
    with Database(f"sqlite:///{tmp_path / 'l.db'}") as db:
        assert isinstance(token_ledger(db, scale_redis.url), RedisTokenLedger)
        assert isinstance(token_ledger(db, None), SqlTokenLedger)
        settings = Settings(data_dir=tmp_path, stream_secret=STREAM_SECRET)
        tokens = shared_stream_tokens(settings, db)
        assert tokens.redeem(tokens.issue(GRANT)) == GRANT


# -- two real `aicall serve` processes ------------------------------------------------------


def _voice_webhook(base: str, call_sid: str) -> tuple[str, dict[str, str]]:
    """Twilio's voice webhook of an outbound care call, sent to one server; the <Stream>."""
    query = urlencode({"direction": "outbound", "scenario": "carecall-en", "person": "Jane Doe"})
    form = {
        "AccountSid": ACCOUNT_SID,
        "CallSid": call_sid,
        "From": "+15550100100",
        "To": "+15550100277",
        "CallStatus": "in-progress",
        "Direction": "outbound-api",
    }
    public = f"{PUBLIC_URL}/twilio/voice?{query}"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(public, form)
    response = httpx.post(
        f"{base}/twilio/voice?{query}",
        data=form,
        headers={"X-Twilio-Signature": signature},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    stream = ET.fromstring(response.text).find("./Connect/Stream")
    assert stream is not None, response.text
    assert stream.get("url") == "ws://aicall.lb.test/twilio/media"  # the balancer's address
    return stream.get("url", ""), {
        p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")
    }


async def _stream(base: str, call_sid: str, params: dict[str, str]) -> tuple[int, str | None]:
    """Open the media stream on ``base``; ``(agent audio bytes heard, close code and reason)``."""
    heard = 0
    url = base.replace("http://", "ws://") + "/twilio/media"
    async with connect(url, open_timeout=10) as ws:
        stream_sid = "MZ" + "b" * 32
        await ws.send(protocol.build_connected())
        await ws.send(protocol.build_start(stream_sid, call_sid, params, ACCOUNT_SID))
        deadline = time.monotonic() + 60
        try:
            while heard == 0 and time.monotonic() < deadline:
                raw = await asyncio.wait_for(ws.recv(), timeout=60)
                message = json.loads(raw)
                if message.get("event") == "media":
                    heard += len(message["media"]["payload"])
            await ws.send(protocol.build_stop(stream_sid, call_sid))
        except ConnectionClosed:
            pass
    closed = None if ws.close_code in (None, 1000) else f"{ws.close_code} {ws.close_reason}"
    return heard, closed


def test_a_token_issued_by_one_server_is_accepted_once_by_the_other(cluster: Cluster) -> None:
    cluster.ensure_servers()
    a, b = cluster.urls
    call_sid = "CA" + "c" * 32
    _, params = _voice_webhook(a, call_sid)

    heard, closed = asyncio.run(_stream(b, call_sid, params))
    assert heard > 0 and closed is None  # server B ran the call server A answered
    # redeemed in the shared Redis (AICALL_QUEUE_URL), where both servers look
    assert redis.Redis.from_url(cluster.redis_url).keys("aicall:stream-token:*")

    for server in (b, a):  # the same token again, on either process
        heard, closed = asyncio.run(_stream(server, call_sid, params))
        assert heard == 0
        assert closed == "1008 stream token already used"


def test_a_token_for_another_call_is_refused_by_every_server(cluster: Cluster) -> None:
    cluster.ensure_servers()
    a, b = cluster.urls
    _, params = _voice_webhook(b, "CA" + "d" * 32)
    heard, closed = asyncio.run(_stream(a, "CA" + "e" * 32, params))
    assert heard == 0
    assert closed == "1008 stream token was issued for another call"


class _DownLedger:
    def claim(self, nonce: str, expires: float) -> bool:
        raise StoreUnavailableError("Redis is unavailable for stream tokens: ConnectionError")


def test_a_stream_is_refused_1013_while_the_ledger_is_down() -> None:
    """Never accepted unchecked: the caller's stream is closed with 'try again later'."""
    settings = Settings(public_url=PUBLIC_URL, twilio_auth_token=AUTH_TOKEN)
    issuer = StreamTokenIssuer(SECRET, ledger=_DownLedger())
    runtime = FakeRuntime()
    app = create_app(settings, cast(Any, runtime), engines=VoiceEngines(), tokens=issuer)
    grant = StreamGrant("CA" + "f" * 32, "restaurant-en")
    with TestClient(app) as client, client.websocket_connect("/twilio/media") as ws:
        ws.send_text(protocol.build_connected())
        ws.send_text(protocol.build_start("MZ1", grant.call_sid, {"token": issuer.issue(grant)}))
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert exc.value.code == 1013
    assert "stream token not checked" in exc.value.reason
    assert runtime.calls == []
