"""The database handle: engine, schema, sessions and the mapping of driver errors.

SQLite (a file; the default) and PostgreSQL (``postgresql+psycopg://``) are supported with the
same code. Every driver failure leaves this module as :class:`common.errors.StoreUnavailableError`
with a message that names the database URL with its password hidden.

Nothing here waits forever: PostgreSQL connects with a ``connect_timeout`` and runs with a
``lock_timeout`` and ``statement_timeout``; SQLite waits at most ``lock_timeout`` seconds for the
write lock (its busy timeout); the connection pool waits at most as long for a free connection.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from agent.store.models import Base
from common.errors import AicallError, StoreUnavailableError

__all__ = ["Database", "safe_url"]

# Execution option that makes the SQLite "begin" hook take the write lock up front.
_BEGIN_OPTION = "aicall_sqlite_begin"
# Key of the advisory lock that serialises schema creation across PostgreSQL clients.
_SCHEMA_LOCK_KEY = zlib.crc32(b"aicall.store.schema")


def safe_url(url: str | URL) -> str:
    """Render a database URL with its password hidden (``***``), even if it does not parse.

    Args:
        url: the URL as given by the user, or a parsed SQLAlchemy URL.

    Returns:
        The URL as text, safe to print or log.
    """
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _describe(error: BaseException) -> str:
    """One line of what the driver said, without SQL text or bound values (they may hold PII)."""
    orig = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(orig).strip().splitlines()
    first = lines[0] if lines else ""
    return f"{type(orig).__name__}: {first}" if first else type(orig).__name__


class Database:
    """A SQLite or PostgreSQL database holding the agent's calls, bookings and care-call results.

    The engine is created at once (a malformed URL fails here); the first session connects and
    creates any missing tables. One instance is shared by every store class and every thread of a
    process; sessions are per unit of work.

    Example::

        db = Database("sqlite:///var/aicall.db")
        with db.transaction() as session:
            ...
        db.close()

    Args:
        url: ``sqlite:///path/aicall.db`` or ``postgresql+psycopg://user:pw@host/db``
            (``postgresql://`` is read as psycopg 3). ``sqlite://`` is an in-memory database
            for tests: one shared connection, used by one thread at a time.
        connect_timeout: seconds to wait for a PostgreSQL server to accept a connection.
        lock_timeout: seconds a transaction waits for a lock (SQLite's write lock, PostgreSQL row
            locks) or for a free pooled connection before giving up.
        statement_timeout: seconds one PostgreSQL statement may run.
        pool_size: connections kept open (PostgreSQL and SQLite files).
        max_overflow: extra connections opened under load, closed when returned.
        echo: log every SQL statement (debugging).

    Raises:
        StoreUnavailableError: the URL is malformed, names an unsupported database or a driver
            that is not installed.
    """

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = 10.0,
        lock_timeout: float = 15.0,
        statement_timeout: float = 60.0,
        pool_size: int = 5,
        max_overflow: int = 10,
        echo: bool = False,
    ) -> None:
        self._url_text = safe_url(url)
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError) as e:
            raise StoreUnavailableError(
                f"database URL {self._url_text!r} is not valid: {e}; expected "
                "'sqlite:///path/aicall.db' or 'postgresql+psycopg://user:password@host/db'"
            ) from e
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        self._url = parsed
        self._url_text = safe_url(parsed)
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise StoreUnavailableError(
                f"database URL {self._url_text!r}: unsupported database {backend!r}; "
                "use 'sqlite:///path/aicall.db' or 'postgresql+psycopg://...'"
            )
        self._memory = backend == "sqlite" and parsed.database in (None, "", ":memory:")
        self._lock_timeout = lock_timeout
        try:
            self._engine = self._create_engine(
                parsed,
                connect_timeout=connect_timeout,
                lock_timeout=lock_timeout,
                statement_timeout=statement_timeout,
                pool_size=pool_size,
                max_overflow=max_overflow,
                echo=echo,
            )
        except (ArgumentError, NoSuchModuleError, ImportError) as e:
            raise StoreUnavailableError(
                f"database {self._url_text}: cannot create the engine: {e}"
            ) from e
        self._write_engine = self._engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        self._read_sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        # An in-memory SQLite database is one connection; transactions must take turns.
        self._memory_lock = threading.RLock() if self._memory else None
        self._closed = False

    def _create_engine(
        self,
        url: URL,
        *,
        connect_timeout: float,
        lock_timeout: float,
        statement_timeout: float,
        pool_size: int,
        max_overflow: int,
        echo: bool,
    ) -> Engine:
        if url.get_backend_name() == "postgresql":
            options = (
                f"-c lock_timeout={int(lock_timeout * 1000)} "
                f"-c statement_timeout={int(statement_timeout * 1000)} "
                f"-c idle_in_transaction_session_timeout={int(max(statement_timeout, 60) * 1000)}"
            )
            return create_engine(
                url,
                echo=echo,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_timeout=lock_timeout,
                pool_pre_ping=True,
                connect_args={
                    "connect_timeout": max(1, round(connect_timeout)),
                    "options": options,
                    "application_name": "aicall",
                },
            )
        kwargs: dict[str, Any] = {"echo": echo}
        connect_args: dict[str, Any] = {"timeout": lock_timeout, "check_same_thread": False}
        if self._memory:
            kwargs["poolclass"] = StaticPool
        else:
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=lock_timeout)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", self._on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine

    def _on_sqlite_connect(self, dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control away from the sqlite3 module: it would BEGIN lazily (deferred)
        # and only before writes, so a read-then-write transaction could not hold the write lock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(self._lock_timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not self._memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @property
    def url(self) -> str:
        """The database URL with its password hidden."""
        return self._url_text

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._url.get_backend_name()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tools and tests; store classes use sessions)."""
        return self._engine

    def create_schema(self) -> None:
        """Create missing tables; safe to call from many threads and processes at once.

        Raises:
            StoreUnavailableError: the database cannot be reached, opened or written.
        """
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            self._check_open()
            self._prepare_sqlite_file()
            with self._guard():
                with self._write_engine.begin() as conn:
                    if self.dialect == "postgresql":
                        conn.execute(
                            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY}
                        )
                    Base.metadata.create_all(conn)
            self._schema_ready = True

    def _prepare_sqlite_file(self) -> None:
        if self.dialect != "sqlite" or self._memory or not self._url.database:
            return
        parent = Path(self._url.database).expanduser().parent
        if parent.exists() and not parent.is_dir():
            raise StoreUnavailableError(
                f"database {self._url_text}: {str(parent)!r} is not a directory"
            )
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreUnavailableError(
                f"database {self._url_text}: cannot create the directory {str(parent)!r}: {e}"
            ) from e

    def check(self) -> None:
        """Connect, create missing tables and run a trivial query.

        Raises:
            StoreUnavailableError: the database cannot be reached, opened or written.
        """
        with self.session() as session:
            session.execute(text("SELECT 1"))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading; whatever it did is rolled back at the end.

        Yields:
            A SQLAlchemy session.

        Raises:
            StoreUnavailableError: the database failed (the session is rolled back).
        """
        self.create_schema()
        with self._guard(), self._read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session for writing, committed at the end or rolled back on any error.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE``: it holds the database's write
        lock from its first statement, so a check followed by a write is atomic. On PostgreSQL it
        is a normal READ COMMITTED transaction; callers lock rows (``FOR UPDATE``) as needed.

        Yields:
            A SQLAlchemy session inside a transaction.

        Raises:
            StoreUnavailableError: the database failed; nothing was written.
        """
        self.create_schema()
        with self._guard(), self._write_sessions.begin() as session:
            yield session

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn driver and pool errors into ``StoreUnavailableError``; pass project errors."""
        self._check_open()
        if self._memory_lock is not None and not self._memory_lock.acquire(
            timeout=self._lock_timeout
        ):
            raise StoreUnavailableError(
                f"database {self._url_text}: gave up waiting {self._lock_timeout:g}s for the lock"
            )
        try:
            yield
        except AicallError:
            raise
        except PoolTimeoutError as e:
            raise StoreUnavailableError(
                f"database {self._url_text}: no free connection after {self._lock_timeout:g}s"
            ) from e
        except (SQLAlchemyError, sqlite3.Error) as e:
            raise StoreUnavailableError(
                f"database {self._url_text} is unavailable: {_describe(e)}"
            ) from e
        finally:
            if self._memory_lock is not None:
                self._memory_lock.release()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailableError(f"database {self._url_text} is closed")

    def close(self) -> None:
        """Close every pooled connection; the instance cannot be used afterwards."""
        self._closed = True
        self._engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self._url_text!r})"


def _on_sqlite_begin(conn: Connection) -> None:
    """Emit SQLite's BEGIN ourselves: IMMEDIATE for write sessions, deferred for reads."""
    mode = conn.get_execution_options().get(_BEGIN_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")
