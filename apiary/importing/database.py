"""Reading an existing database's tables, keys and foreign keys as source tables.

Declared facts win over guesses: column types, NOT NULL, primary keys, unique constraints and
foreign keys come from the database's catalogue (through SQLAlchemy's inspector); only columns
whose declared type says little (SQLite lets a column hold anything) are typed from their
values. The legacy tables are only read, never changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

import sqlalchemy as sa

from apiary.importing import inference, values
from apiary.importing.errors import ImportFailed
from apiary.importing.tables import SourceTable

SAMPLE_ROWS: Final = 20_000
SKIPPED_PREFIXES: Final = ("apiary_", "sqlite_")
DeclaredRefs = dict[tuple[str, int], tuple[str, int]]


def read_database(engine: sa.Engine, schema: str | None = None
                  ) -> tuple[list[SourceTable], dict[str, list[inference.Column]], DeclaredRefs]:
    """The tables of ``engine`` (Apiary's own tables left out), their typed columns and the
    references their foreign keys declare."""
    try:
        inspector = sa.inspect(engine)
        names = [n for n in inspector.get_table_names(schema=schema)
                 if not n.startswith(SKIPPED_PREFIXES) and "__" not in n]
    except sa.exc.SQLAlchemyError as exc:
        raise ImportFailed(f"Cannot read the database: {exc.__class__.__name__}: "
                           f"{str(exc).splitlines()[0]}") from None
    if not names:
        raise ImportFailed("The database has no tables to import.")
    metadata = sa.MetaData()
    tables: list[SourceTable] = []
    columns: dict[str, list[inference.Column]] = {}
    reflected: dict[str, sa.Table] = {}
    for name in sorted(names):
        try:
            table = sa.Table(name, metadata, autoload_with=engine, schema=schema)
        except sa.exc.SQLAlchemyError as exc:
            raise ImportFailed(f"Cannot read the table `{name}`: {exc.__class__.__name__}: "
                               f"{str(exc).splitlines()[0]}") from None
        reflected[str(name)] = table
        source, typed = _table(engine, table, inspector, schema)
        tables.append(source)
        columns[name] = typed
    return tables, columns, _references(reflected)


def _table(engine: sa.Engine, table: sa.Table, inspector: Any, schema: str | None
           ) -> tuple[SourceTable, list[inference.Column]]:
    cols = list(table.columns)
    order = [c for c in table.primary_key.columns] or cols[:1]

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(
                sa.select(*cols).order_by(*order))
            for number, row in enumerate(result, start=1):
                yield number, tuple(row)

    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        first = sa.select(*cols).order_by(*order).limit(SAMPLE_ROWS)
        sample: list[Sequence[Any]] = [tuple(r) for r in conn.execute(first)]
    unique = {tuple(u["column_names"]) for u in inspector.get_unique_constraints(
        table.name, schema=schema)}
    unique |= {tuple(i["column_names"]) for i in inspector.get_indexes(table.name, schema=schema)
               if i.get("unique")}
    if engine.dialect.name == "sqlite":
        unique |= _sqlite_unique(engine, table.name)
    notes = []
    if len(table.primary_key.columns) > 1:
        notes.append(f"`{table.name}` has a composite primary key; imported as separate "
                     "fields (composite keys are not enforced yet).")
    for combo in sorted(u for u in unique if len(u) > 1):
        notes.append(f"`{table.name}`: the unique constraint on {', '.join(combo)} is not "
                     "enforced by the app (composite unique constraints are not supported yet).")
    typed = []
    for i, column in enumerate(cols):
        cells = [row[i] for row in sample]
        spec = _declared(column, cells, count)
        if spec is None:
            spec = inference.infer(str(column.name), cells, len(sample))
        single = (column.name,) in unique or (column.primary_key and
                                              len(table.primary_key.columns) == 1)
        spec.unique = single
        spec.required = not column.nullable or bool(column.primary_key)
        if spec.unique:
            spec.distinct = frozenset(values.text(c) for c in cells if c is not None)
        typed.append(spec)
    source = SourceTable(name=str(table.name), headers=[str(c.name) for c in cols], rows=rows,
                         sample=sample, row_count=count, notes=notes)
    return source, typed


def _declared(column: sa.Column[Any], cells: list[Any], count: int) -> inference.Column | None:
    """A column typed from its declaration, or None when the declaration says too little."""
    kind = column.type
    header = str(column.name)
    pii = bool(inference.PII_WORDS.search(header))
    if isinstance(kind, sa.Boolean):
        return inference.Column(header, "boolean", _same, pii=pii)
    if isinstance(kind, sa.Integer):
        return inference.Column(header, "integer", _integer, pii=pii)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        scale = kind.scale if kind.scale is not None else 2
        return inference.Column(header, "decimal", values.number, scale=scale, pii=pii)
    if isinstance(kind, sa.Float):
        return inference.Column(header, "decimal", values.number, scale=6, pii=pii)
    if isinstance(kind, sa.DateTime):
        return inference.Column(header, "datetime", _same_datetime, pii=pii)
    if isinstance(kind, sa.Date):
        return inference.Column(header, "date", _same_date, pii=pii)
    if isinstance(kind, sa.Enum) and kind.enums:
        return inference.Column(header, "enum", values.text, choices=list(kind.enums), pii=pii)
    if isinstance(kind, sa.JSON):
        return inference.Column(header, "json", _same, pii=pii)
    if isinstance(kind, sa.LargeBinary):
        return None
    if isinstance(kind, sa.String):
        inferred = inference.infer(header, cells, count)
        if inferred.type in ("email", "url", "phone", "date", "datetime", "text"):
            return inferred
        if inferred.type == "enum" and kind.length is not None and kind.length <= 40:
            return inferred
        length = kind.length if isinstance(kind.length, int) else None
        return inference.Column(header, "string", values.text, max_length=length, pii=pii)
    return None


def _sqlite_unique(engine: sa.Engine, table: str) -> set[tuple[str, ...]]:
    """SQLite's unique column constraints (``email TEXT UNIQUE``), which the inspector misses:
    they are kept as automatic indexes."""
    found = set()
    quoted = engine.dialect.identifier_preparer.quote(table)
    with engine.connect() as conn:
        for index in conn.exec_driver_sql(f"PRAGMA index_list({quoted})").mappings():
            if index["unique"] and index["origin"] == "u":
                name = engine.dialect.identifier_preparer.quote(index["name"])
                columns = conn.exec_driver_sql(f"PRAGMA index_info({name})").mappings()
                found.add(tuple(str(c["name"]) for c in columns))
    return found


def _references(tables: dict[str, sa.Table]) -> DeclaredRefs:
    refs: DeclaredRefs = {}
    for name, table in tables.items():
        columns = list(table.columns)
        for fk in table.foreign_keys:
            target = fk.column.table
            if target.name not in tables or fk.constraint is None \
                    or len(fk.constraint.columns) != 1:
                continue
            source_index = columns.index(fk.parent)
            target_index = list(tables[target.name].columns).index(
                tables[target.name].columns[fk.column.name])
            refs[(name, source_index)] = (target.name, target_index)
    return refs


def _same(cell: Any) -> Any:
    return cell


def _integer(cell: Any) -> int:
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    return values.integer(cell)


def _same_date(cell: Any) -> Any:
    return values.date(cell) if isinstance(cell, str) else cell


def _same_datetime(cell: Any) -> Any:
    return values.datetime(cell) if isinstance(cell, str) else cell
