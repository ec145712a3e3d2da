"""Stream tokens shared by every server process: the signing key and the ledger of used tokens.

``aicall serve`` runs as N stateless processes behind a load balancer. The ``<Stream>`` token
that ``POST /twilio/voice`` hands to Twilio on one process may come back on the media WebSocket
of another, so:

* every process signs with the same key, :func:`stream_secret` (``AICALL_STREAM_SECRET``, or a
  key derived from ``TWILIO_AUTH_TOKEN``, which they share anyway);
* a redeemed token is noted in a store they all reach, so it is accepted once across all of
  them: a row of ``stream_token_uses`` (its primary key is the token's nonce; the insert is
  ``ON CONFLICT DO NOTHING``, so of two processes racing for one token exactly one inserts),
  or, when ``AICALL_QUEUE_URL`` names Redis, a key set with ``SET NX`` that expires with the
  token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from agent.config import Settings
from agent.store.db import Database, safe_url
from agent.store.models import StreamTokenUse
from common.errors import NotConfiguredError, StoreUnavailableError
from telephony.twilio.tokens import RedemptionLedger, StreamTokenIssuer

__all__ = [
    "RedisTokenLedger",
    "SqlTokenLedger",
    "is_redis_url",
    "shared_stream_tokens",
    "stream_secret",
    "token_ledger",
]

log = logging.getLogger(__name__)

#: The shortest ``AICALL_STREAM_SECRET`` accepted (characters).
MIN_SECRET_CHARS = 16
#: Seconds between two deletions of expired rows by one ledger.
_PRUNE_EVERY = 60.0


def stream_secret(settings: Settings) -> bytes | None:
    """The key stream tokens are signed with, the same in every process of a deployment.

    ``AICALL_STREAM_SECRET`` when set; else a key derived from ``TWILIO_AUTH_TOKEN`` (HMAC with
    a fixed label, so the auth token itself never signs anything else); else ``None`` (a random
    key per process: one process only, e.g. the softphone demo).

    Raises:
        NotConfiguredError: ``AICALL_STREAM_SECRET`` is shorter than 16 characters.
    """
    if settings.stream_secret is not None:
        if len(settings.stream_secret) < MIN_SECRET_CHARS:
            raise NotConfiguredError(
                f"AICALL_STREAM_SECRET must be at least {MIN_SECRET_CHARS} characters "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        return settings.stream_secret.encode()
    if settings.twilio_auth_token:
        key = settings.twilio_auth_token.encode()
        return hmac.new(key, b"aicall stream tokens v1", hashlib.sha256).digest()
    return None


def is_redis_url(url: str | None) -> bool:
    """Whether ``url`` names a Redis server (``redis://``, ``rediss://``, ``unix://``)."""
    return bool(url) and str(url).startswith(("redis://", "rediss://", "unix://"))


class SqlTokenLedger:
    """Redeemed tokens as rows of ``stream_token_uses`` (SQLite or PostgreSQL).

    Args:
        db: the database every server process shares.
        clock: Unix time (tests).
    """

    def __init__(self, db: Database, *, clock: Any = time.time) -> None:
        self._db = db
        self._clock = clock
        self._pruned = 0.0
        self._lock = threading.Lock()

    def claim(self, nonce: str, expires: float) -> bool:
        """Insert the nonce; ``False`` when a row for it exists (the token was used).

        Raises:
            StoreUnavailableError: the database failed.
        """
        row = {"nonce": nonce, "expires_at": datetime.fromtimestamp(expires, UTC)}
        insert = pg_insert if self._db.dialect == "postgresql" else sqlite_insert
        statement = (
            insert(StreamTokenUse)
            .values(**row)
            .on_conflict_do_nothing()
            .returning(StreamTokenUse.nonce)
        )
        now = self._clock()
        with self._db.transaction() as session:
            inserted = session.execute(statement).scalar_one_or_none() is not None
            if inserted and self._prune_due(now):
                cutoff = datetime.fromtimestamp(now, UTC)
                session.execute(delete(StreamTokenUse).where(StreamTokenUse.expires_at < cutoff))
        return inserted

    def _prune_due(self, now: float) -> bool:
        with self._lock:
            if now - self._pruned < _PRUNE_EVERY:
                return False
            self._pruned = now
            return True


class RedisTokenLedger:
    """Redeemed tokens as Redis keys (``SET key 1 NX PX ttl``), gone when the token expires.

    Args:
        client: a ``redis.Redis`` client.
        prefix: the keys' prefix.
        clock: Unix time (tests).
    """

    def __init__(
        self, client: Any, *, prefix: str = "aicall:stream-token:", clock: Any = time.time
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._clock = clock

    def claim(self, nonce: str, expires: float) -> bool:
        """Set the key unless it exists; ``False`` when it did (the token was used).

        Raises:
            StoreUnavailableError: Redis cannot be reached.
        """
        ttl_ms = max(1000, int((expires - self._clock()) * 1000) + 1000)
        try:
            return bool(self._client.set(self._prefix + nonce, b"1", nx=True, px=ttl_ms))
        except Exception as e:  # redis.RedisError and socket errors alike
            raise StoreUnavailableError(
                f"Redis is unavailable for stream tokens: {type(e).__name__}: {e}"
            ) from e


def token_ledger(db: Database, queue_url: str | None = None) -> RedemptionLedger:
    """The ledger every server process sharing ``db`` (and ``queue_url``) uses.

    Redis when ``queue_url`` names it (one round trip, no database write per call), else the
    database.

    Raises:
        NotConfiguredError: Redis is named but the ``redis`` package is not installed.
    """
    if is_redis_url(queue_url):
        assert queue_url is not None
        try:
            import redis  # noqa: PLC0415 - optional: only deployments on Redis need it
        except ImportError as e:
            raise NotConfiguredError(
                "AICALL_QUEUE_URL names Redis but the redis package is not installed: "
                "pip install 'aicall[redis]'"
            ) from e
        client = redis.Redis.from_url(queue_url, socket_timeout=5.0, socket_connect_timeout=5.0)
        log.info("stream tokens redeemed in Redis at %s", safe_url(queue_url))
        return RedisTokenLedger(client)
    return SqlTokenLedger(db)


def shared_stream_tokens(
    settings: Settings, db: Database, queue_url: str | None = None
) -> StreamTokenIssuer:
    """The stream-token issuer of a server process that may have siblings behind a balancer.

    Signed with :func:`stream_secret`, redeemed in :func:`token_ledger`.

    Raises:
        NotConfiguredError: a too-short secret, or Redis without its package.
    """
    return StreamTokenIssuer(
        stream_secret(settings),
        ttl=settings.stream_token_ttl,
        ledger=token_ledger(db, queue_url),
    )
