"""Real processes on loopback for the multi-process tests: Redis, `aicall serve`, `aicall worker`.

Each process gets its own data directory and log file, the environment a deployment would
give it (docs/deploy.md), and is stopped with SIGTERM (or killed with SIGKILL by a test).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

__all__ = [
    "ACCOUNT_SID",
    "AUTH_TOKEN",
    "REDIS_MISSING",
    "AicallProcess",
    "CloudProcess",
    "RedisServer",
    "free_port",
    "redis_server_binary",
    "serve_process",
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
