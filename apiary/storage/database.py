"""Database URLs and engines: the one place where a connection is configured.

Every part of Apiary that needs a database calls :func:`connect`; it returns a plain SQLAlchemy
``Engine`` set up the way the rest of the code assumes:

- SQLite: WAL journal (readers never block the writer), foreign keys enforced, a busy timeout so
  that concurrent writers wait instead of failing, and *real* transactions around DDL. The
  ``sqlite3`` module normally commits before DDL and begins transactions only before DML, so a
  migration that failed half way would leave half its tables behind. We follow SQLAlchemy's
  documented recipe: the driver's own transaction handling is switched off
  (``isolation_level = None``) and SQLAlchemy emits ``BEGIN`` itself when a transaction starts.
- PostgreSQL: the psycopg 3 driver, with connections checked before use (a server restart must not
  surface as an error on the first request afterwards).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from apiary.storage.errors import DatabaseUnavailable, DatabaseURLError

BUSY_TIMEOUT_MS: Final = 5000
"""How long an SQLite writer waits for another writer before giving up."""

BEGIN_IMMEDIATE: Final = {"apiary_sqlite_begin": "IMMEDIATE"}
"""Execution options for a connection whose transaction will write: on SQLite it takes the write
lock at ``BEGIN``, so two writers queue up instead of one failing with "database is locked" when
it upgrades from reading to writing. PostgreSQL ignores it."""

_SQLITE_PRAGMAS: Final = (
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
_BEGIN_MODES: Final = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})
_HELP: Final = ("Use sqlite:///path/to/app.db (or just a file path) or "
                "postgresql://user:password@host:5432/database.")


def connect(url: str) -> sa.Engine:
    """Open the database named by ``url`` and check that it can be reached.

    ``url`` is ``sqlite:///path``, a bare file path (SQLite), or ``postgresql://...``
    (``postgres://`` and ``postgresql+psycopg://`` are accepted too). Raises
    :class:`DatabaseURLError` for a URL we cannot use and :class:`DatabaseUnavailable` when the
    database cannot be opened; both say what to do.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_folder(parsed)
        engine = sa.create_engine(parsed)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    else:
        engine = sa.create_engine(parsed, pool_pre_ping=True)
    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        raise DatabaseUnavailable(_unavailable_message(parsed, exc)) from None
    return engine


def parse_url(url: str) -> sa.URL:
    """Normalise a user-supplied database URL to the SQLAlchemy URL Apiary uses."""
    text = url.strip()
    if not text:
        raise DatabaseURLError(f"No database URL given. {_HELP}")
    if "://" not in text:
        return sa.URL.create("sqlite+pysqlite", database=str(Path(text).expanduser().resolve()))
    try:
        parsed = make_url(text)
    except (sa.exc.ArgumentError, ValueError):
        raise DatabaseURLError(f"`{_redact(text)}` is not a database URL. {_HELP}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return parsed.set(drivername="sqlite+pysqlite")
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend in ("postgresql", "postgres"):
        raise DatabaseURLError(f"The PostgreSQL driver `{driver}` is not supported; Apiary uses "
                               "psycopg 3. Write the URL as postgresql://...")
    raise DatabaseURLError(f"Apiary stores data in SQLite or PostgreSQL, not `{backend}`. {_HELP}")


def _check_sqlite_folder(url: sa.URL) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    folder = Path(database).parent
    if not folder.is_dir():
        raise DatabaseUnavailable(f"Cannot create the SQLite database {database}: the folder "
                                  f"{folder} does not exist. Create it first, or choose another "
                                  "path.")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver must not begin or commit on its own; _sqlite_on_begin does it (see module doc).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _sqlite_on_begin(conn: sa.Connection) -> None:
    mode = str(conn.get_execution_options().get("apiary_sqlite_begin", "DEFERRED")).upper()
    if mode not in _BEGIN_MODES:
        raise ValueError(f"apiary_sqlite_begin must be one of {sorted(_BEGIN_MODES)}")
    conn.exec_driver_sql(f"BEGIN {mode}")


def _unavailable_message(url: sa.URL, exc: sa.exc.DBAPIError) -> str:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    if url.get_backend_name() == "sqlite":
        return (f"Cannot open the SQLite database {url.database}: {reason}. Check that the path "
                "is a database file you may read and write.")
    where = url.set(password=None).render_as_string(hide_password=True)
    return (f"Cannot connect to PostgreSQL at {where}: {reason}. Check that the server is "
            "running and that host, port, database, user and password in the URL are right.")


def _redact(text: str) -> str:
    """Hide a password in a URL we could not parse before echoing it back."""
    scheme, sep, rest = text.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return text
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"
