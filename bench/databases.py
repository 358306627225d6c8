"""What every benchmark needs from a database: a fresh one, removed afterwards, and a line
saying what it is, so that figures are always printed beside the setup that produced them."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator

import sqlalchemy as sa

from apiary.storage import connect


@contextlib.contextmanager
def fresh_database(spec: str) -> Iterator[str]:
    """The URL of an empty database, removed afterwards: a temporary SQLite file for
    ``sqlite``, or a new database on the server of a PostgreSQL URL."""
    if spec == "sqlite":
        with tempfile.TemporaryDirectory(prefix="apiary-bench-") as folder:
            yield f"sqlite:///{os.path.join(folder, 'bench.db')}"
        return
    if not spec.startswith(("postgresql", "postgres:")):
        raise SystemExit("--db takes `sqlite` or a PostgreSQL URL (postgresql://...)")
    server = connect(spec).execution_options(isolation_level="AUTOCOMMIT")
    name = f"apiary_bench_{secrets.token_hex(4)}"
    try:
        with server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield server.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def describe_database(db: sa.Engine) -> str:
    with db.connect() as conn:
        if db.dialect.name == "sqlite":
            version = conn.exec_driver_sql("select sqlite_version()").scalar()
            return f"SQLite {version} (file, WAL, synchronous=NORMAL)"
        version = conn.exec_driver_sql("show server_version").scalar()
        fsync = conn.exec_driver_sql("show fsync").scalar()
        sync = conn.exec_driver_sql("show synchronous_commit").scalar()
        return f"PostgreSQL {version} (local; fsync={fsync}, synchronous_commit={sync})"


def on_fresh_database(spec: str, run: Callable[[str], None]) -> int:
    """Run a benchmark on a fresh database of ``spec``, print how long it all took, and give
    the exit status."""
    began = time.perf_counter()
    with fresh_database(spec) as url:
        run(url)
    print(f"\ntotal run time {time.perf_counter() - began:.0f} s")
    return 0
