"""Rebuilding an SQLite table, for the changes SQLite's ``ALTER TABLE`` cannot make.

SQLite can add, rename and drop columns, but cannot change a column's type, nullability or
foreign key. Such changes follow SQLite's documented procedure: create the new table under a
temporary name, copy the rows, drop the old table, rename the new one. It runs inside the
migration's transaction, so a failure leaves the old table as it was.

The caller must have switched foreign key enforcement off *before* the transaction began
(``PRAGMA foreign_keys`` is ignored inside one): with enforcement on, dropping the old table
would run its ``ON DELETE`` actions against the rows of every table referencing it. Dropping the
old table before renaming the new one keeps other tables' references pointing at the table's
name, which is the new table after the rename; the applier runs ``PRAGMA foreign_key_check``
before committing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from apiary.storage import naming


def rebuild(conn: sa.Connection, table: sa.Table,
            values: Mapping[str, ColumnElement[Any]]) -> None:
    """Give SQLite table ``table.name`` exactly the columns and constraints of ``table``.

    ``values`` maps each column of ``table`` to an expression over the current table that
    gives its value; columns missing from it start as NULL. Indexes are not created here: the
    caller creates them once the values are final.
    """
    assert table.metadata is not None
    copy = sa.MetaData()
    for other in table.metadata.tables.values():
        other.to_metadata(copy)
    # references to the table itself are re-pointed at the new name, and renamed back with it
    new = copy.tables[table.name].to_metadata(copy, name=naming.fit(f"{table.name}__rebuild"))
    conn.execute(sa.schema.CreateTable(new))
    names = [c.name for c in table.columns]
    rows = sa.select(*(values.get(n, sa.null()).label(n) for n in names)) \
        .select_from(sa.table(table.name))
    conn.execute(sa.insert(new).from_select(names, rows))
    sequence = _sequence(conn, table.name)
    quote = conn.dialect.identifier_preparer.quote
    conn.exec_driver_sql(f"DROP TABLE {quote(table.name)}")
    conn.exec_driver_sql(f"ALTER TABLE {quote(new.name)} RENAME TO {quote(table.name)}")
    if sequence is not None:
        # AUTOINCREMENT: ids of rows deleted before the rebuild must stay unused
        conn.execute(sa.text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = :t"),
                     {"seq": sequence, "t": table.name})


def _sequence(conn: sa.Connection, table: str) -> int | None:
    exists = conn.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                  "AND name = 'sqlite_sequence'")).first()
    if exists is None:
        return None
    seq = conn.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"),
                       {"t": table}).scalar()
    return None if seq is None else int(seq)
