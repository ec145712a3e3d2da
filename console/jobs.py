"""Background jobs of the console: augmenting, training, goal runs — off the event loop.

A job runs in a worker thread of its own pool (never on the server's event loop, so live calls
keep their timing), at a lower CPU priority than the calls (Linux lets a thread have its own
nice value). While it runs, the pages poll its progress; when it ends, its outcome is written
as JSON beside the scenario's candidates (``<data dir>/authoring/<scenario-id>/runs/<run id>.json``)
so it outlives the process.

Jobs are kept per organisation: :meth:`JobRegistry.get` answers only for the organisation
that started the job, so one tenant never sees another's progress.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from common.errors import AicallError

__all__ = ["Job", "JobRegistry", "JobState", "Progress", "load_run", "runs_dir", "save_run"]

log = logging.getLogger(__name__)

JobState = Literal["queued", "running", "done", "failed"]
#: nice value of a job's worker thread (live calls keep the default 0)
JOB_NICE = 10
#: finished jobs kept in memory per registry (their outcome is also on disk)
KEEP_FINISHED = 200


def runs_dir(data_dir: Path, scenario_id: str) -> Path:
    """Where the finished runs of a scenario are kept."""
    return Path(data_dir) / "authoring" / scenario_id / "runs"


def save_run(data_dir: Path, scenario_id: str, run: dict[str, Any]) -> Path:
    """Write a finished run (``run["run_id"]``) atomically; returns its path."""
    folder = runs_dir(data_dir, scenario_id)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".run-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(run, f, ensure_ascii=False, indent=1, default=str)
    path = folder / f"{run['run_id']}.json"
    os.replace(tmp, path)
    return path


def load_run(data_dir: Path, scenario_id: str, run_id: str) -> dict[str, Any] | None:
    """A finished run of the scenario, or ``None`` (unknown id, or not a run id at all)."""
    if not run_id.isalnum():
        return None
    path = runs_dir(data_dir, scenario_id) / f"{run_id}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class Progress:
    """What a job reports while it runs: a fraction done and a short message."""

    def __init__(self, job: Job) -> None:
        self._job = job

    def __call__(self, fraction: float, message: str = "") -> None:
        """Record ``fraction`` (0..1) done and what the job is doing."""
        self._job.fraction = max(0.0, min(1.0, float(fraction)))
        if message:
            self._job.message = message


@dataclass
class Job:
    """One background job.

    Attributes:
        run_id: its id (also the name of its outcome file).
        org_id: the organisation that started it (the only one that may see it).
        scenario_id: the scenario it works on.
        kind: ``augment``, ``train``, ``goals``, ``recommend``.
        state: ``queued``, ``running``, ``done`` or ``failed``.
        fraction: progress, 0..1.
        message: what it is doing now.
        result: what it produced (JSON-ready), when done.
        error: why it failed.
        started: wall-clock start (epoch seconds); finished: end.
    """

    run_id: str
    org_id: int
    scenario_id: str
    kind: str
    state: JobState = "queued"
    fraction: float = 0.0
    message: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def ended(self) -> bool:
        """Done or failed."""
        return self.state in ("done", "failed")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (what the API returns and the outcome file holds)."""
        return asdict(self)


class JobRegistry:
    """The console's jobs, run by a small thread pool.

    Args:
        data_dir: the data directory (finished runs are written under it).
        workers: jobs that run at once (the rest wait, ``queued``).
    """

    def __init__(self, data_dir: Path, *, workers: int = 1) -> None:
        self.data_dir = Path(data_dir)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="console-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        org_id: int,
        scenario_id: str,
        kind: str,
        work: Callable[[Progress], dict[str, Any]],
    ) -> Job:
        """Start ``work(progress)`` in the background; its return value becomes the result."""
        job = Job(uuid.uuid4().hex[:16], org_id, scenario_id, kind)
        with self._lock:
            self._jobs[job.run_id] = job
            self._forget_old()
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[Progress], dict[str, Any]]) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), JOB_NICE)
        except (OSError, AttributeError):  # pragma: no cover - not Linux, or not allowed
            pass
        job.state = "running"
        try:
            job.result = work(Progress(job))
            job.fraction = 1.0
            job.state = "done"
        except AicallError as e:
            job.error = str(e)
            job.state = "failed"
        except Exception as e:  # a job must never die silently: the page shows why
            log.exception("console job %s (%s) failed", job.run_id, job.kind)
            job.error = f"{type(e).__name__}: {e}"
            job.state = "failed"
        job.finished = time.time()
        try:
            save_run(self.data_dir, job.scenario_id, job.as_dict())
        except OSError as e:  # pragma: no cover - a full disk: the job stays in memory
            log.error("console job %s: outcome not written: %s", job.run_id, e)

    def get(self, org_id: int, run_id: str) -> Job | None:
        """The job ``run_id`` if the organisation ``org_id`` started it, else ``None``."""
        with self._lock:
            job = self._jobs.get(run_id)
        if job is None or job.org_id != org_id:
            return None
        return job

    def latest(self, org_id: int, scenario_id: str, kind: str) -> Job | None:
        """The newest job of a kind on a scenario, started by the organisation."""
        with self._lock:
            jobs = [
                j
                for j in self._jobs.values()
                if j.org_id == org_id and j.scenario_id == scenario_id and j.kind == kind
            ]
        return max(jobs, key=lambda j: j.started) if jobs else None

    def _forget_old(self) -> None:
        done = sorted((j for j in self._jobs.values() if j.ended), key=lambda j: j.started)
        for j in done[: max(0, len(done) - KEEP_FINISHED)]:
            del self._jobs[j.run_id]

    def wait(self, org_id: int, run_id: str, timeout: float = 60.0) -> Job | None:
        """Block until the job ends (tests and scripts); the job, or ``None`` if unknown."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(org_id, run_id)
            if job is None or job.ended or time.monotonic() > deadline:
                return job
            time.sleep(0.05)

    def close(self) -> None:
        """Stop taking jobs; running ones finish."""
        self._pool.shutdown(wait=False, cancel_futures=True)
