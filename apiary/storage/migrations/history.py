"""The migration history kept in ``apiary_migrations``: written by the applier, read by anyone.

Each applied migration records the app, the content hash of its definition, the steps (as
:meth:`Step.to_data`, plus the archive table each destructive step filled) and the definition
document itself, so that what the database was migrated to can always be recovered from the
database alone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import sqlalchemy as sa

from apiary.definition.compiled import CompiledApp
from apiary.storage.system import MIGRATIONS, migrations


@dataclass(frozen=True, slots=True)
class MigrationRecord:
    id: int
    app: str
    content_hash: str
    applied_at: dt.datetime
    """UTC."""
    steps: tuple[Mapping[str, Any], ...]
    document: Mapping[str, Any]
    engine_version: str


def start_record(conn: sa.Connection, table: sa.Table, app: CompiledApp) -> int:
    """Insert the migration's row (its steps are written by :func:`finish_record`)."""
    result = conn.execute(sa.insert(table).values(
        app=app.name, content_hash=app.content_hash,
        applied_at=dt.datetime.now(dt.UTC).replace(tzinfo=None), steps=[],
        document=_plain(app.document), engine_version=engine_version()))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def finish_record(conn: sa.Connection, table: sa.Table, migration_id: int,
                  steps: Sequence[Mapping[str, Any]]) -> None:
    conn.execute(sa.update(table).where(table.c.id == migration_id).values(steps=list(steps)))


def last_migration(engine: sa.Engine, app: str) -> MigrationRecord | None:
    """The latest migration applied for ``app``, or None (never migrated, or no history yet)."""
    table = migrations(sa.MetaData())
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(MIGRATIONS):
            return None
        row = conn.execute(sa.select(table).where(table.c.app == app)
                           .order_by(table.c.id.desc()).limit(1)).mappings().first()
    if row is None:
        return None
    return MigrationRecord(id=row["id"], app=row["app"], content_hash=row["content_hash"],
                           applied_at=row["applied_at"], steps=tuple(row["steps"]),
                           document=row["document"], engine_version=row["engine_version"])


def engine_version() -> str:
    try:
        return version("apiary")
    except PackageNotFoundError:
        return "unknown"


def _plain(document: Mapping[str, Any]) -> Any:
    """The document as JSON data: dates and decimals a YAML loader produced become strings."""
    return json.loads(json.dumps(document, default=str))
