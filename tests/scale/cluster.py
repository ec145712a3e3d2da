"""Real processes on loopback for the multi-process tests: Redis, `aicall serve`, `aicall worker`.

Each process gets its own data directory and log file, the environment a deployment would
give it (docs/deploy.md), and is stopped with SIGTERM (or killed with SIGKILL by a test).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = [
    "ACCOUNT_SID",
    "AUTH_TOKEN",
    "REDIS_MISSING",
    "AicallProcess",
    "CloudProcess",
    "Cluster",
    "PUBLIC_URL",
    "STREAM_SECRET",
    "WARM",
    "RedisServer",
    "free_port",
    "redis_server_binary",
    "serve_process",
    "start_cluster",
]

REDIS_MISSING = "Redis not installed: apt-get install redis-server"
#: The Twilio account the stand-in plays (tests/scale/twilio_cloud.py).
ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "cloud-stand-in-auth-token"
_AICALL = str(Path(sys.executable).parent / "aicall")
_REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_server_binary() -> str | None:
    """``redis-server`` on PATH (or Debian's /usr/bin), else ``None``."""
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )


class RedisServer:
    """A private Redis on 127.0.0.1 (no persistence), in a temporary directory."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = 0
        self.root: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20.0) -> None:
        """Start it and wait until it answers PING."""
        self.root = Path(tempfile.mkdtemp(prefix="aicall-redis-"))
        for _ in range(3):  # another process may take the free port in between
            self.port = free_port()
            log = open(self.root / "redis.log", "wb")
            self._proc = subprocess.Popen(
                [
                    self.binary,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.root),
                    "--protected-mode",
                    "yes",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            log.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self._proc.poll() is None:
                if self._ping():
                    return
                time.sleep(0.05)
            self._proc.kill()
            self._proc.wait()
        raise RuntimeError(f"redis-server did not start:\n{self.log_tail()}")

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of its log."""
        if self.root is None:
            return ""
        try:
            text = (self.root / "redis.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop it and delete its directory."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None


class AicallProcess:
    """One ``aicall`` command as its own process (``serve``, ``worker``).

    Args:
        name: a short name for messages and the log file.
        args: the command's arguments after ``aicall``.
        env: variables added to a minimal environment.
        workdir: its working and data directory.
    """

    def __init__(
        self,
        name: str,
        args: list[str],
        env: Mapping[str, str],
        workdir: Path,
        *,
        program: list[str] | None = None,
    ) -> None:
        self.name = name
        self.argv = [*(program or [_AICALL]), *args]
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(workdir)),
            "LANG": "C.UTF-8",
            "AICALL_DATA_DIR": str(workdir),
            "AICALL_ASR_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            **env,
        }
        self.log = workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process (returns at once)."""
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_http(self, url: str, timeout: float = 240.0) -> None:
        """Wait until ``url`` answers 200 (the process must stay alive meanwhile)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.name}: {url} not up after {timeout:g} s:\n{self.log_tail()}"
                )
            time.sleep(0.25)

    @property
    def alive(self) -> bool:
        """Whether the process is running."""
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """``kill -9``: no clean-up of any kind."""
        if self.alive:
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout``."""
        if not self.alive:
            return
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of its log."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def serve_process(
    name: str, workdir: Path, env: Mapping[str, str], *extra: str
) -> tuple[AicallProcess, str]:
    """An ``aicall serve`` on a free loopback port; returns it and its base URL (not started)."""
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), *extra]
    proc = AicallProcess(name, args, env, workdir)
    return proc, f"http://127.0.0.1:{port}"


class CloudProcess(AicallProcess):
    """The Twilio stand-in (``python -m tests.scale.twilio_cloud``) as its own process."""

    def __init__(self, workdir: Path, port: int, config: Path) -> None:
        super().__init__(
            "cloud",
            ["-m", "tests.scale.twilio_cloud", "--port", str(port), "--config", str(config)],
            {"PYTHONPATH": str(_REPO)},
            workdir,
            program=[sys.executable],
        )


#: What the servers and the stand-in share (the stand-in's account, the balancer's address).
PUBLIC_URL = "http://aicall.lb.test"
STREAM_SECRET = "scale-test-stream-secret-0123456789"
#: The scenarios the servers prepare (English care calls keep the start-up short).
WARM = '["carecall-en"]'


@dataclass
class Cluster:
    """Two `aicall serve` processes on one PostgreSQL database and one Redis, a Twilio stand-in
    (with its load balancer) in front of them, and a simulated clock file.

    Attributes:
        root: the cluster's directory (one sub-directory per process).
        database_url: the shared database.
        redis_url: the shared Redis (``AICALL_QUEUE_URL``).
        cloud_url: the Twilio stand-in's base URL (``AICALL_TWILIO_API_URL``).
        clock_file: the simulated clock (``AICALL_CLOCK=file:...``).
        servers: the `aicall serve` processes; ``urls`` their base URLs.
    """

    root: Path
    database_url: str
    redis_url: str
    cloud_url: str
    clock_file: Path
    servers: list[AicallProcess] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    cloud: AicallProcess | None = None

    @property
    def env(self) -> dict[str, str]:
        """What every process of the deployment gets (docs/deploy.md)."""
        return {
            "AICALL_DATABASE_URL": self.database_url,
            "AICALL_QUEUE_URL": self.redis_url,
            "AICALL_PUBLIC_URL": PUBLIC_URL,
            "AICALL_STREAM_SECRET": STREAM_SECRET,
            "AICALL_TWILIO_API_URL": self.cloud_url,
            "AICALL_CLOCK": f"file:{self.clock_file}",
            "AICALL_WARM_SCENARIOS": WARM,
            # every webhook comes from the balancer's one address (docs/deploy.md)
            "AICALL_WEBHOOK_RATE_LIMIT": "0",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        }

    def ensure_servers(self) -> None:
        """Start the servers that are not running (at first, or after a test killed one)."""
        for server in self.servers:
            if not server.alive:
                server.start()
        for server, url in zip(self.servers, self.urls, strict=True):
            server.wait_http(f"{url}/healthz")

    def stop(self) -> None:
        """Stop every process."""
        for proc in [*self.servers, *([self.cloud] if self.cloud else [])]:
            proc.stop()


def start_cluster(root: Path, database_url: str, redis_url: str, servers: int = 2) -> Cluster:
    """Start the stand-in and ``servers`` `aicall serve` processes; wait until they answer."""
    clock_file = root / "clock.txt"
    clock_file.write_text("2026-09-21T10:00:00+09:00", encoding="utf-8")
    cloud_port = free_port()
    c = Cluster(
        root=root,
        database_url=database_url,
        redis_url=redis_url,
        cloud_url=f"http://127.0.0.1:{cloud_port}",
        clock_file=clock_file,
    )
    for name in [f"serve-{chr(ord('a') + i)}" for i in range(servers)]:
        proc, url = serve_process(name, root / name, c.env)
        c.servers.append(proc)
        c.urls.append(url)
    config = root / "cloud.json"
    config.write_text(
        json.dumps({"public_url": PUBLIC_URL, "upstreams": c.urls, "clock_file": str(clock_file)}),
        encoding="utf-8",
    )
    c.cloud = CloudProcess(root / "cloud", cloud_port, config)
    try:
        c.cloud.start()
        c.ensure_servers()
        c.cloud.wait_http(f"{c.cloud_url}/_standin/healthz")
    except BaseException:
        c.stop()
        raise
    return c
