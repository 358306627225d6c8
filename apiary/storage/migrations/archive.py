"""Archive tables, and converting a column's values from its archived copy.

Before a migration drops a column or a table, or converts a column's values to another type, it
copies what it is about to lose into ``apiary_archive_<migration id>_<table>``: the row ``id``
plus the affected columns with their old types (the whole row for a dropped table). The
migration's row in ``apiary_migrations`` names the archive tables it filled. Archives are never
read by the engine; restore from them by hand, or drop them once they are no longer wanted.

Converting reads the old values back from the archive in batches, converts each one in Python and
writes it to the (already retyped) column, so that a value that cannot be converted is reported
with its row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from apiary.storage import naming
from apiary.storage.migrations.conversions import ConversionError, convert
from apiary.storage.types import Kind

BATCH: Final = 1000


def archive(conn: sa.Connection, migration_id: int, table: str,
            columns: Sequence[tuple[str, TypeEngine[Any]]]) -> sa.Table:
    """Copy ``id`` and ``columns`` of every row of ``table`` to a new archive table."""
    target = sa.Table(
        naming.archive_table(migration_id, table), sa.MetaData(),
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        *(sa.Column(name, type_) for name, type_ in columns))
    conn.execute(sa.schema.CreateTable(target))
    names = ["id", *(name for name, _ in columns)]
    source = sa.table(table, *(sa.column(n) for n in names))
    conn.execute(sa.insert(target).from_select(names, sa.select(*source.c)))
    return target


class ValueNotConverted(Exception):
    def __init__(self, row_id: int, value: Any, problem: ConversionError) -> None:
        super().__init__(str(problem))
        self.row_id = row_id
        self.value = value
        self.problem = problem


def convert_column(conn: sa.Connection, table: sa.Table, column: str, kind: Kind,
                   archived: sa.Table, *, lossy_ok: bool) -> None:
    """Set ``table.column`` of every archived row to its archived value, converted to ``kind``.

    Raises :class:`ValueNotConverted` for the first value that cannot be converted.
    """
    old = archived.c[column]
    update = (sa.update(table).where(table.c.id == sa.bindparam("apiary_row_id"))
              .values({column: sa.bindparam("apiary_value")}))
    last: int | None = None
    while True:
        query = sa.select(archived.c.id, old).where(old.is_not(None)) \
            .order_by(archived.c.id).limit(BATCH)
        if last is not None:
            query = query.where(archived.c.id > last)
        batch = conn.execute(query).all()
        if not batch:
            return
        params = []
        for row_id, value in batch:
            try:
                params.append({"apiary_row_id": row_id,
                               "apiary_value": convert(value, kind, lossy_ok=lossy_ok)})
            except ConversionError as exc:
                raise ValueNotConverted(row_id, value, exc) from exc
        conn.execute(update, params)
        last = batch[-1][0]
