"""Deterministic names for constraints, indexes and archive tables.

Names are derived from the table and column names only, so that planning a migration twice gives
the same names and the planner can compare the desired indexes with the live ones by name. They
must fit PostgreSQL's 63-byte identifier limit (longer names are silently truncated there, which
would make two long names collide); a name that does not fit is shortened and given a hash suffix
of the full name, which keeps it unique and stable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Final

MAX_IDENTIFIER: Final = 63
ARCHIVE_PREFIX: Final = "apiary_archive_"


def fit(name: str) -> str:
    """``name`` itself when it fits, else its first 54 characters, ``_`` and 8 hex of its hash."""
    if len(name.encode()) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_IDENTIFIER - 9]}_{digest}"


def primary_key(table: str) -> str:
    return fit(f"pk_{table}")


def foreign_key(table: str, column: str) -> str:
    return fit(f"fk_{table}__{column}")


def index(table: str, columns: Iterable[str], *, unique: bool = False) -> str:
    return fit(f"{'uq' if unique else 'ix'}_{table}__{'__'.join(columns)}")


def archive_table(migration_id: int, table: str) -> str:
    """Where migration ``migration_id`` keeps the data it removed from ``table``."""
    return fit(f"{ARCHIVE_PREFIX}{migration_id}_{table}")
