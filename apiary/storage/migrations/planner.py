"""The migration planner: the steps from the live database to the tables an app wants.

:func:`plan` compares the desired tables (:class:`AppTables`: the app's tables and the system
tables) with what the database holds now, reflected. It considers only this app's tables (those
starting with ``<app>__``) and the system tables; other apps sharing the database are invisible to
it. System tables are only ever added to, never dropped from.

Renames come from the definition (``renamed_from`` on a field or an entity): a renamed column or
table keeps its data. Type changes are found by comparing the reflected column type with the
desired one, both reduced to a :class:`~apiary.storage.types.Kind`, and classified by
:func:`~apiary.storage.migrations.conversions.classify`.

Whether a step is destructive depends on the data there *now*: dropping a column that holds no
value, or narrowing a column whose values all fit, loses nothing and is not destructive. The
planner counts (rows, values, NULLs, duplicates, values that would be altered) with one small
query each, so that the plan can say exactly what is at stake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from apiary.definition.compiled import CompiledApp
from apiary.storage.column_info import info_of
from apiary.storage.migrations.conversions import ConversionError, backfill, classify
from apiary.storage.migrations.reflection import LiveColumn, LiveTable, reflect, table_names
from apiary.storage.migrations.steps import MigrationPlan, Step, StepKind
from apiary.storage.system import SYSTEM_TABLE_NAMES
from apiary.storage.tables import AppTables
from apiary.storage.types import kind_of

_ARCHIVED = "copied to an archive table first"
_DEFAULT_HINT = "give it a default or make it optional first"


def plan(app: CompiledApp, engine: sa.Engine) -> MigrationPlan:
    """The steps that would bring ``engine``'s database to the tables ``app`` needs.

    Reads the database and changes nothing. Apply the result with :func:`apply`.
    """
    with engine.connect() as conn:
        return plan_on(conn, AppTables(app))


def plan_on(conn: sa.Connection, tables: AppTables) -> MigrationPlan:
    """:func:`plan` on an open connection (the applier re-plans inside its transaction)."""
    return _Planner(conn, tables).plan()


def rows(n: int, noun: str = "row") -> str:
    """``1 row``, ``3 rows``, ``2 indexes``."""
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun}{'es' if noun.endswith(('s', 'x')) else 's'}"


class _Planner:
    def __init__(self, conn: sa.Connection, tables: AppTables) -> None:
        self.conn = conn
        self.tables = tables
        self.app = tables.app
        self.prefix = tables.prefix
        relevant = [n for n in table_names(conn)
                    if n.startswith(self.prefix) or n in SYSTEM_TABLE_NAMES]
        self.live = reflect(conn, relevant)
        self.steps: list[Step] = []
        self._row_counts: dict[str, int] = {}
        self._entity_of = {t.name: name for name, t in tables.entity_tables.items()}
        self.live_name: dict[str, str] = {}
        """Desired table name -> the live table it is made from (differs for a renamed table)."""

    def plan(self) -> MigrationPlan:
        for name in [n for n in self.tables.metadata.tables if n in SYSTEM_TABLE_NAMES]:
            self._table(self.tables.metadata.tables[name], self.live.get(name), system=True)
        desired = {t.name for t in self.tables.entity_tables.values()}
        matched: dict[str, LiveTable | None] = {}
        for entity_name, table in self.tables.entity_tables.items():
            live = self.live.get(table.name)
            old_entity = self.app.entities[entity_name].renamed_from
            if live is None:
                live = self._renamed_source(old_entity, desired)
                if live is not None:
                    self._add(StepKind.RENAME_TABLE, table.name,
                              f"rename table {live.name} to {table.name} (entity "
                              f"`{entity_name}` was `{old_entity}`)",
                              details={"from": live.name, "to": table.name})
            matched[table.name] = live
            if live is not None:
                self.live_name[table.name] = live.name
        for table in self.tables.entity_tables.values():
            self._table(table, matched[table.name], system=False)
        used = {live.name for live in matched.values() if live is not None}
        for name, live in self.live.items():
            if name.startswith(self.prefix) and name not in desired and name not in used:
                self._drop_table(live)
        ordered = sorted(enumerate(self.steps), key=lambda item: (item[1].kind.order, item[0]))
        return MigrationPlan(app=self.app.name, content_hash=self.app.content_hash,
                             dialect=self.conn.dialect.name, steps=tuple(s for _, s in ordered),
                             tables=self.tables, live=self.live)

    # -- tables -----------------------------------------------------------------------------

    def _renamed_source(self, old_entity: str | None, desired: set[str]) -> LiveTable | None:
        """The live table of entity ``old_entity``; table names are the snake-cased entity name,
        so comparing without underscores needs no copy of the naming rule."""
        if old_entity is None:
            return None
        found = [live for name, live in self.live.items()
                 if name.startswith(self.prefix) and name not in desired
                 and name[len(self.prefix):].replace("_", "") == old_entity.lower()]
        return found[0] if len(found) == 1 else None

    def _table(self, table: sa.Table, live: LiveTable | None, *, system: bool) -> None:
        if live is None:
            what = "system table" if system else f"table for `{self._entity_of[table.name]}`"
            self._add(StepKind.CREATE_TABLE, table.name,
                      f"create {what} {table.name} ({rows(len(table.columns), 'column')}, "
                      f"{rows(len(table.indexes), 'index')})",
                      details={"columns": [{"name": c.name, "type": str(kind_of(c.type)),
                                            "nullable": c.nullable} for c in table.columns]})
            return
        sources = self._columns(table, live, system=system)
        self._references(table, live, sources)
        self._indexes(table, live, sources, system=system)

    def _drop_table(self, live: LiveTable) -> None:
        n = self._rows(live)
        self._add(StepKind.DROP_TABLE, live.name, f"drop table {live.name}",
                  destructive=n > 0,
                  reason=f"no entity of app `{self.app.name}` is stored in it any more",
                  loses=f"all {rows(n)} ({_ARCHIVED})" if n else None,
                  details={"rows": n})

    # -- columns ----------------------------------------------------------------------------

    def _columns(self, table: sa.Table, live: LiveTable, *,
                 system: bool) -> dict[str, LiveColumn]:
        """Plan column steps; returns desired column name -> the live column it is made from."""
        sources: dict[str, LiveColumn] = {}
        for column in table.columns:
            if column.primary_key:
                continue
            old_name = info_of(column).renamed_from or ""
            source = live.columns.get(column.name)
            if source is None and old_name in live.columns and old_name not in table.columns:
                source = live.columns[old_name]
                self._add(StepKind.RENAME_COLUMN, table.name,
                          f"rename column {table.name}.{old_name} to {column.name}",
                          column.name, details={"from": old_name, "to": column.name})
            if source is None:
                self._add_column(table, live, column)
                continue
            sources[column.name] = source
            self._compare(table, live, column, source)
        kept = {s.name for s in sources.values()}
        for name, source in live.columns.items():
            if name not in kept and name not in table.columns and not system:
                self._drop_column(table, live, source)
        return sources

    def _add_column(self, table: sa.Table, live: LiveTable, column: sa.Column[Any]) -> None:
        kind = kind_of(column.type)
        n = self._rows(live)
        where = f"{table.name}.{column.name}"
        text = f"add column {where} ({kind}, {'optional' if column.nullable else 'required'})"
        details: dict[str, Any] = {"type": str(kind), "nullable": column.nullable, "rows": n}
        if column.nullable or n == 0:
            self._add(StepKind.ADD_COLUMN, table.name, text, column.name, details=details)
            return
        value, problem = self._backfill(column)
        if problem is not None:
            self._add(StepKind.ADD_COLUMN, table.name, text, column.name, blocked=True,
                      reason=f"the table has {rows(n)} and `{column.name}` is required but "
                             f"{problem}", hint=_DEFAULT_HINT, details=details)
            return
        details["backfill"] = _jsonable(value)
        self._add(StepKind.ADD_COLUMN, table.name,
                  f"{text}; the {rows(n)} present get {_show(value)}", column.name,
                  details=details)

    def _drop_column(self, table: sa.Table, live: LiveTable, source: LiveColumn) -> None:
        values = self._count(live, sa.column(source.name).is_not(None))
        entity = self._entity_of.get(table.name, table.name)
        self._add(StepKind.DROP_COLUMN, table.name, f"drop column {table.name}.{source.name}",
                  source.name, destructive=values > 0,
                  reason=f"`{source.name}` is no longer a field of `{entity}`",
                  loses=f"the values of {rows(values)} ({_ARCHIVED})" if values else None,
                  details={"values": values})

    def _compare(self, table: sa.Table, live: LiveTable, column: sa.Column[Any],
                 source: LiveColumn) -> None:
        where = f"{table.name}.{column.name}"
        new = kind_of(column.type)
        if new != source.kind:
            self._type_change(table, live, column, source)
        if not column.nullable and source.nullable:
            nulls = self._count(live, sa.column(source.name).is_(None))
            details: dict[str, Any] = {"nulls": nulls}
            if nulls == 0:
                self._add(StepKind.SET_NOT_NULL, table.name, f"make {where} required",
                          column.name, details=details)
                return
            value, problem = self._backfill(column)
            if problem is not None:
                self._add(StepKind.SET_NOT_NULL, table.name, f"make {where} required",
                          column.name, blocked=True,
                          reason=f"{rows(nulls)} {_have(nulls)} no value for "
                                 f"`{column.name}`, which {problem}",
                          hint=f"fill in those {rows(nulls)}, or {_DEFAULT_HINT}",
                          details=details)
                return
            details["backfill"] = _jsonable(value)
            self._add(StepKind.SET_NOT_NULL, table.name,
                      f"make {where} required; the {rows(nulls)} without a value get "
                      f"{_show(value)}", column.name, details=details)
        elif column.nullable and not source.nullable:
            self._add(StepKind.DROP_NOT_NULL, table.name, f"make {where} optional", column.name)

    def _type_change(self, table: sa.Table, live: LiveTable, column: sa.Column[Any],
                     source: LiveColumn) -> None:
        new = kind_of(column.type)
        change = classify(source.kind, new)
        where = f"{table.name}.{column.name}"
        details: dict[str, Any] = {"from": str(source.kind), "to": str(new)}
        if change.kind is StepKind.WIDEN_TYPE:
            self._add(change.kind, table.name, f"widen {where} from {source.kind} to {new}",
                      column.name, details=details)
            return
        values = self._count(live, sa.column(source.name).is_not(None))
        affected = 0
        if values and change.always_lossy:
            affected = values
        elif values and change.lossy is not None:
            affected = self._count(live, change.lossy(sa.column(source.name, source.type)))
        details.update(values=values, affected=affected)
        verb = "narrow" if change.kind is StepKind.NARROW_TYPE else "change the type of"
        counted = f"{rows(values, 'value')} to convert" if change.always_lossy \
            else f"{affected} of {rows(values, 'value')}"
        self._add(change.kind, table.name, f"{verb} {where} from {source.kind} to {new}",
                  column.name, destructive=affected > 0,
                  reason=f"{change.loss} ({counted})" if affected else None,
                  loses=f"{rows(affected, 'value')} as they are now ({_ARCHIVED})"
                  if affected else None,
                  details=details)

    def _backfill(self, column: sa.Column[Any]) -> tuple[Any, str | None]:
        """(value for existing rows, None) or (None, why there is none)."""
        wanted = info_of(column).backfill
        if wanted is None:
            return None, "has no default"
        try:
            return backfill(wanted, kind_of(column.type)), None
        except ConversionError as exc:
            return None, f"has the default {wanted!r}, which {exc}"

    # -- references and indexes -------------------------------------------------------------

    def _references(self, table: sa.Table, live: LiveTable,
                    sources: Mapping[str, LiveColumn]) -> None:
        for name, source in sources.items():
            column = table.columns[name]
            wanted = next(iter(column.foreign_keys), None)
            current = live.references.get(source.name)
            where = f"{table.name}.{name}"
            if wanted is None:
                if current is not None:
                    self._add(StepKind.DROP_REFERENCE, table.name,
                              f"remove the reference from {where} to {current.target}", name,
                              details={"constraint": current.name})
                continue
            target = wanted.target_fullname.split(".")[0]
            on_delete = (wanted.ondelete or "").upper() or None
            details = {"target": target, "on_delete": on_delete,
                       "constraint": current.name if current else None}
            text = f"{where} refers to {target}.id, on delete {(on_delete or 'no action').lower()}"
            if current is None:
                self._add(StepKind.ADD_REFERENCE, table.name, f"make {text}", name,
                          details=details)
            elif current.target != self.live_name.get(target, target):
                values = self._count(live, sa.column(source.name).is_not(None))
                self._add(StepKind.CHANGE_REFERENCE, table.name, f"change reference: {text}",
                          name, destructive=values > 0,
                          reason=f"{rows(values, 'value')} {_refer(values)} to records of "
                                 f"{current.target}; they would be read as ids of {target}"
                          if values else None,
                          loses="what those values referred to" if values else None,
                          details=details)
            elif current.on_delete != on_delete:
                self._add(StepKind.CHANGE_REFERENCE, table.name, f"change reference: {text}",
                          name, details=details)

    def _indexes(self, table: sa.Table, live: LiveTable, sources: Mapping[str, LiveColumn],
                 *, system: bool) -> None:
        wanted = {str(ix.name): ix for ix in table.indexes}
        for name, current in live.indexes.items():
            ix = wanted.get(name)
            if ix is not None and _same_index(ix, current.columns, current.unique, sources):
                continue
            if ix is None and system:
                continue
            self._add(StepKind.DROP_INDEX, table.name, f"drop index {name} on {table.name}",
                      details={"index": name, "columns": list(current.columns)})
        for name, ix in wanted.items():
            found = live.indexes.get(name)
            if found is not None and _same_index(ix, found.columns, found.unique, sources):
                continue
            cols = [c.name for c in ix.columns]
            details: dict[str, Any] = {"index": name, "columns": cols, "unique": ix.unique}
            text = (f"create {'unique ' if ix.unique else ''}index {name} on "
                    f"{table.name} ({', '.join(cols)})")
            duplicates = self._duplicates(table, live, cols, sources) if ix.unique else 0
            if duplicates:
                details["duplicates"] = duplicates
                self._add(StepKind.CREATE_INDEX, table.name, text, cols[0], blocked=True,
                          reason=f"{rows(duplicates)} share their value of "
                                 f"`{', '.join(cols)}` with another row",
                          hint="make those values unique first, or drop `unique`",
                          details=details)
            else:
                self._add(StepKind.CREATE_INDEX, table.name, text, cols[0], details=details)

    def _duplicates(self, table: sa.Table, live: LiveTable, cols: list[str],
                    sources: Mapping[str, LiveColumn]) -> int:
        """Rows whose value of ``cols`` another row shares (single-column indexes)."""
        if len(cols) != 1:
            return 0
        if cols[0] not in sources:
            # a new column: every present row gets the same value, unless it stays NULL
            n = self._rows(live)
            return n if n > 1 and not table.columns[cols[0]].nullable else 0
        t = sa.table(live.name)
        c: sa.ColumnClause[Any] = sa.column(sources[cols[0]].name)
        repeated = (sa.select(c).select_from(t).where(c.is_not(None)).group_by(c)
                    .having(sa.func.count() > 1).correlate(None))
        return self._count(live, c.in_(repeated))

    # -- counting ---------------------------------------------------------------------------

    def _rows(self, live: LiveTable) -> int:
        if live.name not in self._row_counts:
            self._row_counts[live.name] = self._count(live, None)
        return self._row_counts[live.name]

    def _count(self, live: LiveTable, where: ColumnElement[bool] | None) -> int:
        query = sa.select(sa.func.count()).select_from(sa.table(live.name))
        if where is not None:
            query = query.where(where)
        return int(self.conn.execute(query).scalar_one())

    def _add(self, kind: StepKind, table: str, description: str, column: str | None = None,
             **kwargs: Any) -> None:
        self.steps.append(Step(kind=kind, table=table, description=description, column=column,
                               **kwargs))


def _same_index(ix: sa.Index, live_columns: tuple[str, ...], live_unique: bool,
                sources: Mapping[str, LiveColumn]) -> bool:
    wanted = tuple(sources[c.name].name if c.name in sources else c.name for c in ix.columns)
    return wanted == live_columns and bool(ix.unique) == live_unique


def _have(n: int) -> str:
    return "has" if n == 1 else "have"


def _refer(n: int) -> str:
    return "refers" if n == 1 else "refer"


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, bool | int | float | str) or value is None else str(value)


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(_jsonable(value))
