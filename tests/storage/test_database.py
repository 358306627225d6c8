"""Database URLs and engines: accepted URLs, clear errors, SQLite set up for real transactions."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from apiary.storage import (
    BEGIN_IMMEDIATE,
    DatabaseUnavailable,
    DatabaseURLError,
    StorageError,
    connect,
)
from apiary.storage.database import parse_url


@pytest.mark.parametrize(("url", "driver"), [
    ("sqlite:///x.db", "sqlite+pysqlite"),
    ("sqlite+pysqlite:///x.db", "sqlite+pysqlite"),
    ("postgresql://u:p@h/db", "postgresql+psycopg"),
    ("postgres://u:p@h/db", "postgresql+psycopg"),
    ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg"),
])
def test_supported_urls(url: str, driver: str) -> None:
    assert parse_url(url).drivername == driver


def test_a_bare_path_is_an_sqlite_file(tmp_path: Path) -> None:
    parsed = parse_url(str(tmp_path / "app.db"))
    assert parsed.drivername == "sqlite+pysqlite"
    assert parsed.database == str(tmp_path / "app.db")


@pytest.mark.parametrize(("url", "says"), [
    ("mysql://u:secret@h/db", "SQLite or PostgreSQL, not `mysql`"),
    ("postgresql+psycopg2://u:secret@h/db", "driver `psycopg2` is not supported"),
    ("", "No database URL given"),
    ("postgresql://u:secret@h:notaport/db", "is not a database URL"),
])
def test_bad_urls_say_what_to_write(url: str, says: str) -> None:
    with pytest.raises(DatabaseURLError) as exc:
        connect(url)
    assert says in str(exc.value)
    assert "secret" not in str(exc.value)


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match=r"does not exist\. Create it first"):
        connect(str(tmp_path / "nope" / "app.db"))


def test_unreachable_postgres_is_reported_without_the_password() -> None:
    with pytest.raises(DatabaseUnavailable) as exc:
        connect("postgresql://someone:secret@127.0.0.1:1/db?connect_timeout=2")
    message = str(exc.value)
    assert "Cannot connect to PostgreSQL at" in message
    assert "Check that the server is running" in message
    assert "secret" not in message
    assert isinstance(exc.value, StorageError)


def test_sqlite_pragmas(sqlite_url: str) -> None:
    engine = connect(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    engine.dispose()


def test_ddl_is_transactional_on_both_databases(db_url: str) -> None:
    engine = connect(db_url)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE made_in_vain (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("CREATE INDEX ix_made_in_vain ON made_in_vain (id)")
        raise RuntimeError("roll back")
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("made_in_vain")
    engine.dispose()


def test_begin_immediate_takes_the_write_lock_at_begin(sqlite_url: str) -> None:
    engine = connect(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    other = sa.create_engine(sqlite_url, connect_args={"timeout": 0})
    with engine.connect() as conn:
        conn.execution_options(**BEGIN_IMMEDIATE)
        with conn.begin(), other.connect() as raw, \
                pytest.raises(sa.exc.OperationalError, match="locked"):
            raw.exec_driver_sql("BEGIN IMMEDIATE")
    other.dispose()
    engine.dispose()
