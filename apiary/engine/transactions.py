"""The write transaction every change runs in.

On SQLite the transaction begins with ``BEGIN IMMEDIATE``: it takes the database's write lock
up front, so two writers queue (within the busy timeout) instead of one failing when it upgrades
from reading to writing, and the audit chain is appended by one writer at a time. On PostgreSQL
the record service locks the rows it changes (``FOR UPDATE``) and the audit head row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from apiary.storage import BEGIN_IMMEDIATE


@contextmanager
def write_transaction(db: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a write transaction; committed on success, rolled back on any error."""
    with db.connect() as conn:
        conn.execution_options(**BEGIN_IMMEDIATE)
        with conn.begin():
            yield conn


@contextmanager
def read_transaction(db: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a read transaction, so a page and its count see the same rows."""
    with db.connect() as conn, conn.begin():
        yield conn
