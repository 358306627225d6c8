"""The system tables identity reads and writes, built from storage's definitions."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa

from apiary.storage.system import memberships, tokens, users


@dataclass(frozen=True, slots=True)
class IdentityTables:
    users: sa.Table
    memberships: sa.Table
    tokens: sa.Table

    @classmethod
    @functools.cache
    def build(cls) -> IdentityTables:
        """Just these three tables: building every system table would cost more than a query.
        Built once per process: the same table objects let SQLAlchemy reuse its compiled
        statements, which saves several milliseconds on every signed-in page."""
        metadata = sa.MetaData()
        return cls(users=users(metadata), memberships=memberships(metadata),
                   tokens=tokens(metadata))
