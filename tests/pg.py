"""A throw-away PostgreSQL server on loopback for tests (Debian's binaries, no system service).

``PostgresServer`` runs ``initdb`` into a fresh temporary directory, starts the server on
127.0.0.1 on a free port (its unix socket stays inside that directory), creates databases on
demand and removes everything on ``stop()``. As root it runs the server as the ``postgres`` OS
user (PostgreSQL refuses to run as root); as any other user it runs as that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

__all__ = ["PG_MISSING", "PostgresServer", "find_pg_bindir"]

PG_MISSING = "PostgreSQL not installed: apt-get install postgresql"


def find_pg_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` with initdb and pg_ctl, else one on PATH."""

    def version(path: str) -> int:
        match = re.search(r"/postgresql/(\d+)/", path)
        return int(match.group(1)) if match else 0

    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version, reverse=True):
        bindir = Path(initdb).parent
        if (bindir / "pg_ctl").exists():
            return bindir
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A private PostgreSQL server for one test session.

    Args:
        bindir: directory holding ``initdb`` and ``pg_ctl``.
        timeout: seconds any one step (initdb, start, stop) may take.
    """

    def __init__(self, bindir: Path, *, timeout: float = 120.0) -> None:
        self.bindir = bindir
        self.timeout = timeout
        self.port = 0
        self.root: Path | None = None
        self._user: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as e:
                raise RuntimeError(
                    "running as root, but there is no 'postgres' OS user to run the server "
                    "(apt-get install postgresql creates it)"
                ) from e
            self._user = "postgres"

    @property
    def admin_url(self) -> str:
        """libpq URL of the ``postgres`` maintenance database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        """SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """initdb into a new temporary directory and start the server; wait until it accepts."""
        self.root = Path(tempfile.mkdtemp(prefix="aicall-pg-"))
        if self._user is not None:
            entry = pwd.getpwnam(self._user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        os.chmod(self.root, 0o700)
        data, sock = self.root / "data", self.root / "sock"
        self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        )
        self._run("mkdir", str(sock), program=True)
        last_error = ""
        for _attempt in range(3):  # another process may grab the free port in between
            self.port = _free_port()
            options = (
                f"-h 127.0.0.1 -p {self.port} -k {sock} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100 "
                "-c shared_buffers=32MB"
            )
            result = self._run(
                "pg_ctl",
                "-D",
                str(data),
                "-l",
                str(self.root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                str(int(self.timeout)),
                "start",
                check=False,
            )
            if result.returncode == 0:
                self._wait_ready()
                return
            last_error = self.log_tail()
        self.stop()
        raise RuntimeError(f"PostgreSQL did not start:\n{last_error}")

    def pause(self) -> None:
        """Stop the server as an outage would (fast shutdown), keeping its data and port."""
        assert self.root is not None, "start() first"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start a paused server again on the same port; wait until it accepts."""
        assert self.root is not None, "start() first"
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.root / 'sock'} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100 "
            "-c shared_buffers=32MB"
        )
        data, log = str(self.root / "data"), str(self.root / "server.log")
        self._run("pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start")
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                with psycopg.connect(self.admin_url, connect_timeout=5):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"bad database name {name!r}")
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast, then immediate) and delete its directory."""
        if self.root is None:
            return
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            result = self._run(
                "pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop", check=False
            )
            if result.returncode != 0:
                self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server log (for failure messages)."""
        if self.root is None:
            return ""
        try:
            text = (self.root / "server.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _run(
        self, name: str, *args: str, check: bool = True, program: bool = False
    ) -> subprocess.CompletedProcess[str]:
        exe = name if program else str(self.bindir / name)
        result = subprocess.run(
            [exe, *args],
            capture_output=True,
            text=True,
            timeout=self.timeout,
            user=self._user,
            group=self._user,
            extra_groups=[] if self._user else None,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
            cwd=self.root,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{name} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result
