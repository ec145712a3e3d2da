"""Dispatch on a job queue: huey (SQLite embedded by default, Redis at scale).

Why huey (docs/campaigns.md, "The queue"): it runs embedded on a SQLite file with no server
(``make demo``, one machine), the same code runs on Redis when ``AICALL_QUEUE_URL=redis://...``,
it schedules tasks for a later time (``eta``) and runs periodic tasks, and its consumer is one
small process (``aicall worker``). Celery needs a broker even for a demo; RQ and arq have no
embedded mode; procrastinate ties the queue to PostgreSQL.

The queue only carries *which* work to do; the database holds the truth (attempt states,
claims, leases), so a lost task (a worker killed with ``kill -9`` while running it) loses
nobody: the periodic sweep re-queues what the lost task held once its lease expires.

Tasks::

    dispatch(campaign_id)   claim due attempts (window, cap) and enqueue one place() each
    place(claim)            place one call (the Twilio REST request)
    sweep()                 every minute: leases, weekly rounds, then dispatch() per campaign
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from agent.campaigns.clock import clock_from_spec
from agent.campaigns.service import Campaigns, Claim, Dialer
from agent.config import Settings
from agent.store.db import Database
from common.errors import AicallError, NotConfiguredError
from telephony.twilio.outbound import TwilioDialer

__all__ = ["CampaignQueue", "build_queue", "make_huey"]

log = logging.getLogger(__name__)

#: The queue's name in its storage (the SQLite table / Redis keys).
QUEUE_NAME = "aicall-campaigns"


def make_huey(url: str | None, data_dir: Path) -> Huey:
    """The huey instance ``AICALL_QUEUE_URL`` names.

    Args:
        url: ``None`` / ``sqlite:///path/queue.db`` (embedded), ``redis://host:port/db``,
            or ``memory://`` (one process: tests).
        data_dir: where the embedded default keeps ``queue.db``.

    Task results are not kept (``results=False``): the database holds every outcome, and a
    result nobody reads would pile up in the queue's storage.

    Raises:
        NotConfiguredError: an unsupported URL.
    """
    if not url or url.startswith("sqlite:"):
        path = Path(url[len("sqlite:///") :]) if url and url.startswith("sqlite:///") else None
        if url and path is None:
            raise NotConfiguredError(
                f"AICALL_QUEUE_URL={url!r}: a SQLite queue is sqlite:///path/queue.db"
            )
        path = path or data_dir / "queue.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), utc=True, results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, utc=True, results=False)
    if url == "memory://":
        return MemoryHuey(QUEUE_NAME, utc=True, results=False)
    raise NotConfiguredError(
        f"AICALL_QUEUE_URL={url!r}: expected sqlite:///path/queue.db (embedded, the default), "
        "redis://host:6379/0 or memory://"
    )


class CampaignQueue:
    """The campaign tasks on one huey instance.

    The enqueueing side (``aicall campaign start``, ``aicall serve`` after a status callback)
    and the consumer side (``aicall worker``) build the same object; only the consumer opens
    the dialer. Everything a task needs is built lazily, once per process.

    Args:
        huey: the queue.
        campaigns: a factory of the campaign API (database, clock).
        dialer: a factory of the dialer that places calls (Twilio's REST API).
        caller_id: the caller id for campaigns created without one (``AICALL_CALLER_ID``).
    """

    def __init__(
        self,
        huey: Huey,
        campaigns: Callable[[], Campaigns],
        dialer: Callable[[], Dialer],
        *,
        caller_id: str | None = None,
    ) -> None:
        self.huey = huey
        self._make_campaigns = campaigns
        self._make_dialer = dialer
        self._caller_id = caller_id
        self._lock = threading.Lock()
        self._campaigns: Campaigns | None = None
        self._dialer: Dialer | None = None
        self._dispatch = huey.task(name="campaign_dispatch")(self._run_dispatch)
        self._place = huey.task(name="campaign_place")(self._run_place)
        self._sweep = huey.periodic_task(crontab(minute="*"), name="campaign_sweep")(
            self._run_sweep
        )

    @property
    def campaigns(self) -> Campaigns:
        """The campaign API of this process."""
        with self._lock:
            if self._campaigns is None:
                self._campaigns = self._make_campaigns()
            return self._campaigns

    @property
    def dialer(self) -> Dialer:
        """The dialer of this process (built on first use: only workers place calls)."""
        with self._lock:
            if self._dialer is None:
                self._dialer = self._make_dialer()
            return self._dialer

    # -- enqueueing --------------------------------------------------------------------------

    def enqueue_dispatch(self, campaign_id: str, *, at: datetime | None = None) -> None:
        """Ask a worker to dispatch ``campaign_id`` now (or at ``at``, on the campaigns' clock)."""
        if at is None:
            self._dispatch(campaign_id)
            return
        delay = max(0.0, (at - self.campaigns.clock.now()).total_seconds())
        self._dispatch.schedule((campaign_id,), delay=delay)

    def enqueue_sweep(self) -> None:
        """Ask a worker to sweep every running campaign now (then dispatch them)."""
        self._sweep.call_local() if self.huey.immediate else self.huey.enqueue(self._sweep.s())

    # -- tasks -------------------------------------------------------------------------------

    def _run_dispatch(self, campaign_id: str) -> int:
        claims = self.campaigns.claim_due(campaign_id)
        for claim in claims:
            self._place(asdict(claim))
        if claims:
            log.info("campaign %s: %d call(s) dispatched", campaign_id, len(claims))
        return len(claims)

    def _run_place(self, claim: dict[str, Any]) -> str | None:
        try:
            return self.campaigns.place(Claim(**claim), self.dialer, caller_id=self._caller_id)
        except AicallError as e:  # the attempt's lease brings it back; say why
            log.error("campaign %s: call not placed: %s", claim.get("campaign_id"), e)
            return None

    def _run_sweep(self) -> dict[str, int]:
        counts = self.campaigns.sweep()
        for campaign_id in self.campaigns.running():
            self._dispatch(campaign_id)
        return counts

    # -- consuming ---------------------------------------------------------------------------

    def consumer(self, workers: int = 4) -> Any:
        """A huey consumer running the tasks with ``workers`` threads (``aicall worker``)."""
        return self.huey.create_consumer(
            workers=workers,
            worker_type="thread",
            periodic=True,
            check_worker_health=True,
            # an idle worker polls the embedded (SQLite) queue at most a second apart (huey's
            # default backs off to 10 s: a dispatch could wait that long); Redis blocks instead
            max_delay=1.0,
        )


def build_queue(
    settings: Settings,
    *,
    campaigns: Campaigns | None = None,
    dialer: Dialer | None = None,
    immediate: bool = False,
) -> CampaignQueue:
    """The campaign queue as the settings say.

    ``AICALL_QUEUE_URL`` (the queue), ``AICALL_DATABASE_URL`` and ``AICALL_CLOCK`` (the
    campaigns), Twilio's credentials and ``AICALL_TWILIO_API_URL`` (the dialer).

    Args:
        settings: process settings.
        campaigns: the campaign API to use (default: one on the settings' database and clock).
        dialer: the dialer (default: Twilio's REST API, built when the first call is placed).
        immediate: run each task at once in the caller (tests, ``--now``).
    """
    huey = make_huey(settings.queue_url, settings.data_dir)
    huey.immediate_use_memory = False
    huey.immediate = immediate

    def make_campaigns() -> Campaigns:
        if campaigns is not None:
            return campaigns
        db = Database(settings.resolved_database_url())
        return Campaigns(db, clock_from_spec(settings.clock))

    def make_dialer() -> Dialer:
        if dialer is not None:
            return dialer
        return TwilioDialer(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            public_url=settings.public_url,
            api_base_url=settings.twilio_api_url,
        )

    return CampaignQueue(huey, make_campaigns, make_dialer)
