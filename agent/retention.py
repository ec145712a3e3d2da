"""Retention periods and people's rights over their data, database and files together.

* :func:`purge_expired` — the purge (``aicall calls purge``; :class:`PurgeJob` runs it in
  ``aicall serve`` at start and every day): for every scenario with a ``retention`` section, the words of its calls older than
  ``transcripts_days`` (events, voice turns, the call's JSON record under ``<data_dir>/calls``)
  and the recordings older than ``recordings_days`` (``<data_dir>/recordings``).
* :func:`export_person` / :func:`delete_person` — everything stored about one person, as JSON,
  or deleted (``aicall person export|delete``): a care-call programme must answer such
  requests.

docs/privacy.md.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.store import Database
from agent.store.retention import CallRetention, ExpiredCall, PersonRecords
from common.errors import AicallError
from scenarios.schema import Scenario

__all__ = [
    "PurgeJob",
    "PurgeReport",
    "delete_person",
    "export_person",
    "purge_expired",
    "retention_cutoffs",
]

log = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    """What a purge removed (or, with ``dry_run``, would remove).

    Attributes:
        calls: the calls whose words expired.
        events: dialogue events removed.
        turns: voice turns removed.
        files: JSON records and recordings removed.
        dry_run: nothing was changed.
    """

    calls: list[ExpiredCall] = field(default_factory=list)
    events: int = 0
    turns: int = 0
    files: list[Path] = field(default_factory=list)
    dry_run: bool = False


def retention_cutoffs(
    scenarios: Mapping[str, Scenario], now: datetime
) -> tuple[dict[str, datetime], dict[str, datetime]]:
    """Per scenario id, the instant before which its transcripts and its recordings expire."""
    transcripts: dict[str, datetime] = {}
    recordings: dict[str, datetime] = {}
    for scenario_id, scenario in scenarios.items():
        days = scenario.retention.transcripts_days
        if days is not None:
            transcripts[scenario_id] = now - timedelta(days=days)
        audio = scenario.retention.recordings()
        if audio is not None:
            recordings[scenario_id] = now - timedelta(days=audio)
    return transcripts, recordings


def _files(directory: Path, suffix: str) -> dict[str, Path]:
    if not directory.is_dir():
        return {}
    return {p.stem: p for p in sorted(directory.glob(f"*{suffix}")) if p.is_file()}


def purge_expired(
    db: Database,
    scenarios: Mapping[str, Scenario],
    data_dir: Path,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Remove what is past its scenario's retention period (see the module docstring).

    Calls still in progress are never touched; a scenario without ``retention`` keeps
    everything; files of calls the database does not know are left alone.

    Args:
        db: the database.
        scenarios: the loaded scenarios (their ``retention`` sections).
        data_dir: the data directory (``calls/`` and ``recordings/`` under it).
        now: the present (aware); now when ``None``.
        dry_run: only report.

    Raises:
        StoreUnavailableError: the database failed (nothing half-removed: the database part
            is one transaction, files are removed after it).
    """
    now = now or datetime.now(UTC)
    transcripts, recordings = retention_cutoffs(scenarios, now)
    retention = CallRetention(db)
    report = PurgeReport(calls=retention.expired(transcripts), dry_run=dry_run)
    records = _files(data_dir / "calls", ".json")
    audio = _files(data_dir / "recordings", ".wav")
    expired_records = retention.started_before(transcripts, records)
    expired_audio = retention.started_before(recordings, audio)
    report.files = [records[i] for i in sorted(expired_records)] + [
        audio[i] for i in sorted(expired_audio)
    ]
    if dry_run:
        report.events = sum(c.events for c in report.calls)
        report.turns = sum(c.turns for c in report.calls)
        return report
    report.events, report.turns = retention.purge(c.id for c in report.calls)
    for path in report.files:
        path.unlink(missing_ok=True)
    log.info(
        "purge: %d calls past retention (%d events, %d voice turns), %d files",
        len(report.calls),
        report.events,
        report.turns,
        len(report.files),
    )
    return report


class PurgeJob:
    """:func:`purge_expired` in a daemon thread: once at start, then every ``interval`` seconds.

    A failed purge (the database away) is logged and tried again at the next interval; the
    job never touches a live call's event loop.

    Args:
        db: the server's database.
        scenarios: the loaded scenarios.
        data_dir: the data directory.
        interval: seconds between two purges (a day by default).
    """

    def __init__(
        self,
        db: Database,
        scenarios: Mapping[str, Scenario],
        data_dir: Path,
        *,
        interval: float = 86400.0,
    ) -> None:
        self._db, self._scenarios, self._data_dir = db, scenarios, data_dir
        self.interval = interval
        self.reports: list[PurgeReport] = []
        self.ran = threading.Event()  # set after each attempt (tests wait on it)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (no-op when no scenario has a retention period)."""
        if not any(retention_cutoffs(self._scenarios, datetime.now(UTC))):
            return
        self._thread = threading.Thread(target=self._loop, name="aicall-purge", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (a purge in progress finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.reports.append(purge_expired(self._db, self._scenarios, self._data_dir))
            except (AicallError, OSError) as e:
                log.error("purge failed (tried again in %.0f s): %s", self.interval, e)
            self.ran.set()
            self._stop.wait(self.interval)


def _call_files(data_dir: Path, call_ids: list[str]) -> list[Path]:
    out = []
    for call_id in call_ids:
        for path in (
            data_dir / "calls" / f"{call_id}.json",
            data_dir / "recordings" / f"{call_id}.wav",
        ):
            if path.is_file():
                out.append(path)
    return out


def export_person(db: Database, data_dir: Path, person: str) -> dict[str, Any]:
    """Everything stored about ``person`` as JSON-ready data (datetimes left as objects).

    Calls come with their events and voice turns and, when present, the call's JSON record;
    recordings are listed by path (audio is not embedded).
    """
    data = PersonRecords(db).collect(person)
    for call in data.calls:
        record = data_dir / "calls" / f"{call['id']}.json"
        if record.is_file():
            try:
                call["record"] = json.loads(record.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                call["record"] = f"unreadable: {e}"
        recording = data_dir / "recordings" / f"{call['id']}.wav"
        call["recording"] = str(recording) if recording.is_file() else None
    return {
        "person": data.person,
        "exported_at": datetime.now(UTC),
        "calls": data.calls,
        "bookings": data.bookings,
        "carecall_answers": data.carecall_answers,
        "followup_flags": data.followup_flags,
        "followup_flag_events": data.followup_flag_events,
        "carecall_person_calls": data.carecall_person_calls,
        "campaign_people": data.campaign_people,
    }


@dataclass(frozen=True)
class DeletedPerson:
    """What :func:`delete_person` removed (counts, and the files)."""

    calls: int
    bookings: int
    carecall_answers: int
    followup_flags: int
    files: tuple[Path, ...]
    campaign_people: int = 0

    @property
    def nothing(self) -> bool:
        """Nothing was stored about the person."""
        return not (
            self.calls
            or self.bookings
            or self.carecall_answers
            or self.followup_flags
            or self.files
            or self.campaign_people
        )


def delete_person(db: Database, data_dir: Path, person: str) -> DeletedPerson:
    """Delete everything stored about ``person``: rows (one transaction), then the call files."""
    data = PersonRecords(db).delete(person)
    files = _call_files(data_dir, data.call_ids)
    for path in files:
        path.unlink(missing_ok=True)
    log.info(
        "person deleted: %d calls, %d bookings, %d care-call answers, %d flags, "
        "%d campaign list rows, %d files",
        len(data.calls),
        len(data.bookings),
        len(data.carecall_answers),
        len(data.followup_flags),
        len(data.campaign_people),
        len(files),
    )
    return DeletedPerson(
        calls=len(data.calls),
        bookings=len(data.bookings),
        carecall_answers=len(data.carecall_answers),
        followup_flags=len(data.followup_flags),
        files=tuple(files),
        campaign_people=len(data.campaign_people),
    )
