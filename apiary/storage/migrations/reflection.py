"""What the database holds now: the live tables, reflected into small immutable records.

The planner compares these with the desired tables. Only the tables it is asked about are
reflected (one app's tables and the system tables), in a handful of queries per database rather
than several per table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from apiary.storage.types import Kind, kind_of


@dataclass(frozen=True, slots=True)
class LiveColumn:
    name: str
    type: TypeEngine[Any]
    kind: Kind
    nullable: bool


@dataclass(frozen=True, slots=True)
class LiveReference:
    name: str | None
    column: str
    target: str
    on_delete: str | None
    """``CASCADE``, ``SET NULL``, ``RESTRICT``; None for the default (no action)."""


@dataclass(frozen=True, slots=True)
class LiveIndex:
    name: str
    columns: tuple[str, ...]
    unique: bool


@dataclass(frozen=True, slots=True)
class LiveTable:
    name: str
    columns: Mapping[str, LiveColumn]
    """By name, in table order."""
    indexes: Mapping[str, LiveIndex]
    references: Mapping[str, LiveReference]
    """Foreign keys by their (single) column."""
    primary_key: str | None
    """Name of the primary key constraint, where the database keeps one."""


def table_names(conn: sa.Connection) -> list[str]:
    return list(sa.inspect(conn).get_table_names())


def reflect(conn: sa.Connection, names: Iterable[str]) -> dict[str, LiveTable]:
    """Reflect the named tables; names that do not exist are left out."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    inspector = sa.inspect(conn)
    columns = _by_table(inspector.get_multi_columns(filter_names=wanted))
    indexes = _by_table(inspector.get_multi_indexes(filter_names=wanted))
    fks = _by_table(inspector.get_multi_foreign_keys(filter_names=wanted))
    pks = _by_table(inspector.get_multi_pk_constraint(filter_names=wanted))
    out: dict[str, LiveTable] = {}
    for name in wanted:
        if name not in columns:
            continue
        cols = {c["name"]: LiveColumn(c["name"], c["type"], kind_of(c["type"]),
                                      bool(c["nullable"])) for c in columns[name]}
        idx = {i["name"]: LiveIndex(i["name"], tuple(str(c) for c in i["column_names"]),
                                    bool(i["unique"]))
               for i in indexes.get(name, [])
               if i["name"] and None not in i["column_names"]
               and not i.get("duplicates_constraint")}
        refs = {f["constrained_columns"][0]: LiveReference(
                    f["name"], f["constrained_columns"][0], f["referred_table"],
                    _on_delete(f.get("options", {}).get("ondelete")))
                for f in fks.get(name, []) if len(f["constrained_columns"]) == 1}
        pk = pks.get(name)
        out[name] = LiveTable(name, MappingProxyType(cols), MappingProxyType(idx),
                              MappingProxyType(refs), pk.get("name") if pk else None)
    return out


def _by_table(result: Mapping[tuple[str | None, str], Any]) -> dict[str, Any]:
    return {table: value for (_schema, table), value in result.items()}


def _on_delete(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.upper()
    return None if value == "NO ACTION" else value
