"""System tables, and the system columns every entity table has.

System tables (users, migrations, memberships, tokens, audit; later definition versions) live in
the same database as the apps and are created and evolved by the same migration planner, which
only ever *adds* to them: they are shared by every app, so one app's migration must not remove
what another engine version put there.

Adding a system table is one function that builds it on a ``MetaData`` plus one entry in
:data:`SYSTEM_TABLES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import sqlalchemy as sa

from apiary.storage import naming
from apiary.storage.column_info import ColumnInfo, attach
from apiary.storage.types import id_type, json_type

USERS: Final = "apiary_users"
MIGRATIONS: Final = "apiary_migrations"
MEMBERSHIPS: Final = "apiary_memberships"
TOKENS: Final = "apiary_tokens"
AUDIT: Final = "apiary_audit"
AUDIT_HEAD: Final = "apiary_audit_head"


def new_table(name: str, metadata: sa.MetaData, *items: sa.schema.SchemaItem) -> sa.Table:
    """A table with Apiary's ``id`` primary key: ``BIGINT`` on PostgreSQL, the rowid on SQLite.

    ``AUTOINCREMENT`` on SQLite means ids of deleted rows are never reused, as with PostgreSQL
    sequences, so an audit entry or an archived row can never be mistaken for a newer record.
    """
    pk = attach(sa.Column("id", id_type(), primary_key=True, autoincrement=True),
                ColumnInfo(system=True))
    return sa.Table(name, metadata, pk, *items,
                    sa.PrimaryKeyConstraint("id", name=naming.primary_key(name)),
                    sqlite_autoincrement=True)


def system_column(name: str, type_: sa.types.TypeEngine[Any], *args: Any, backfill: Any = None,
                  **kwargs: Any) -> sa.Column[Any]:
    return attach(sa.Column(name, type_, *args, **kwargs),
                  ColumnInfo(backfill=backfill, system=True))


def entity_system_columns(table: str) -> list[sa.Column[Any]]:
    """``created_at`` ... ``row_version``: the columns besides ``id`` the engine maintains."""
    return [
        system_column("created_at", sa.DateTime(), nullable=False, backfill="now"),
        system_column("updated_at", sa.DateTime(), nullable=False, backfill="now"),
        _user_ref(table, "created_by"),
        _user_ref(table, "updated_by"),
        system_column("row_version", sa.Integer(), nullable=False, default=1, backfill=1),
    ]


def _user_ref(table: str, name: str) -> sa.Column[Any]:
    fk = sa.ForeignKey(f"{USERS}.id", ondelete="SET NULL", name=naming.foreign_key(table, name))
    return system_column(name, id_type(), fk, nullable=True)


def users(metadata: sa.MetaData) -> sa.Table:
    return new_table(
        USERS, metadata,
        system_column("email", sa.String(320), nullable=False),
        system_column("display_name", sa.String(255), nullable=True),
        system_column("is_active", sa.Boolean(), nullable=False, default=True, backfill=True),
        system_column("created_at", sa.DateTime(), nullable=False, backfill="now"),
        system_column("password_hash", sa.String(255), nullable=True),
        sa.Index(naming.index(USERS, ["email"], unique=True), "email", unique=True),
    )


def migrations(metadata: sa.MetaData) -> sa.Table:
    """One row per applied migration: what changed, and the definition it brought in."""
    return new_table(
        MIGRATIONS, metadata,
        system_column("app", sa.String(64), nullable=False),
        system_column("content_hash", sa.String(100), nullable=False),
        system_column("applied_at", sa.DateTime(), nullable=False),
        system_column("steps", json_type(), nullable=False),
        system_column("document", json_type(), nullable=False),
        system_column("engine_version", sa.String(40), nullable=False),
        sa.Index(naming.index(MIGRATIONS, ["app"]), "app"),
    )


def memberships(metadata: sa.MetaData) -> sa.Table:
    """Which roles a user has in which app; one row per (user, app, role)."""
    fk = sa.ForeignKey(f"{USERS}.id", ondelete="CASCADE",
                       name=naming.foreign_key(MEMBERSHIPS, "user_id"))
    columns = ["user_id", "app", "role"]
    return new_table(
        MEMBERSHIPS, metadata,
        system_column("user_id", id_type(), fk, nullable=False),
        system_column("app", sa.String(64), nullable=False),
        system_column("role", sa.String(64), nullable=False),
        sa.Index(naming.index(MEMBERSHIPS, columns, unique=True), *columns, unique=True),
        sa.Index(naming.index(MEMBERSHIPS, ["app"]), "app"),
    )


def tokens(metadata: sa.MetaData) -> sa.Table:
    """API tokens: only a hash of each token is kept, with a short prefix to recognise it by."""
    fk = sa.ForeignKey(f"{USERS}.id", ondelete="CASCADE",
                       name=naming.foreign_key(TOKENS, "user_id"))
    return new_table(
        TOKENS, metadata,
        system_column("user_id", id_type(), fk, nullable=False),
        system_column("name", sa.String(100), nullable=True),
        system_column("token_hash", sa.String(64), nullable=False),
        system_column("prefix", sa.String(16), nullable=False),
        system_column("created_at", sa.DateTime(), nullable=False, backfill="now"),
        system_column("expires_at", sa.DateTime(), nullable=True),
        system_column("revoked_at", sa.DateTime(), nullable=True),
        system_column("last_used_at", sa.DateTime(), nullable=True),
        sa.Index(naming.index(TOKENS, ["token_hash"], unique=True), "token_hash", unique=True),
        sa.Index(naming.index(TOKENS, ["user_id"]), "user_id"),
        sa.Index(naming.index(TOKENS, ["prefix"]), "prefix"),
    )


def audit(metadata: sa.MetaData) -> sa.Table:
    """The audit trail: one hash-chained entry per change, written with the change.

    ``actor_id`` has no foreign key on purpose: removing a user must not rewrite (and so break
    the hashes of) the entries that name them.
    """
    record = ["app", "entity", "record_id"]
    return new_table(
        AUDIT, metadata,
        system_column("at", sa.DateTime(), nullable=False),
        system_column("app", sa.String(64), nullable=False),
        system_column("entity", sa.String(64), nullable=False),
        system_column("record_id", sa.BigInteger(), nullable=False),
        system_column("action", sa.String(16), nullable=False),
        system_column("actor_id", sa.BigInteger(), nullable=True),
        system_column("actor_email", sa.String(320), nullable=True),
        system_column("request_id", sa.String(100), nullable=True),
        system_column("changes", json_type(), nullable=False),
        system_column("from_state", sa.String(64), nullable=True),
        system_column("to_state", sa.String(64), nullable=True),
        system_column("comment", sa.Text(), nullable=True),
        system_column("prev_hash", sa.String(64), nullable=False),
        system_column("hash", sa.String(64), nullable=False),
        sa.Index(naming.index(AUDIT, record), *record),
        sa.Index(naming.index(AUDIT, ["hash"], unique=True), "hash", unique=True),
    )


def audit_head(metadata: sa.MetaData) -> sa.Table:
    """One row: the last audit entry and its hash. Appending locks it, so the chain never forks,
    and verification compares it with the last entry, so removing entries at the end shows."""
    return new_table(
        AUDIT_HEAD, metadata,
        system_column("last_id", sa.BigInteger(), nullable=False),
        system_column("hash", sa.String(64), nullable=False),
    )


SYSTEM_TABLES: Final[tuple[Callable[[sa.MetaData], sa.Table], ...]] = (
    users, migrations, memberships, tokens, audit, audit_head)
"""Every system table, in creation order."""


def system_metadata() -> sa.MetaData:
    """A ``MetaData`` holding just the system tables (an app's tables are added beside them)."""
    metadata = sa.MetaData()
    for build in SYSTEM_TABLES:
        build(metadata)
    return metadata


SYSTEM_TABLE_NAMES: Final = frozenset(system_metadata().tables)
