"""The SQLAlchemy tables of a compiled app.

:class:`AppTables` lays out every entity of a ``CompiledApp`` as a ``Table`` in one ``MetaData``
that also holds the system tables, so that references to ``User`` and between entities resolve.
The engine queries these tables, the expression SQL compiler reads :meth:`AppTables.columns`, and
the migration planner compares them with the live database.

Layout of an entity table: ``id``, one column per stored field in document order (a ``money``
field without a fixed currency adds ``<name>_currency``), then ``created_at``, ``updated_at``,
``created_by``, ``updated_by`` and ``row_version``. Unique fields get a unique index; every
``ref``, the workflow state field, ``indexed`` fields and the entity's implied ``indexes`` get a
plain index, except where another index already starts with the same columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

import sqlalchemy as sa

from apiary.definition.compiled import (
    USER_ENTITY,
    CompiledApp,
    Entity,
    Field,
    FieldType,
    OnDelete,
)
from apiary.storage import naming
from apiary.storage.column_info import ColumnInfo, attach
from apiary.storage.errors import SchemaError
from apiary.storage.system import USERS, entity_system_columns, new_table, system_metadata
from apiary.storage.types import column_type, currency_type

ON_DELETE: Final = {
    OnDelete.RESTRICT: "RESTRICT",
    OnDelete.CASCADE: "CASCADE",
    OnDelete.SET_NULL: "SET NULL",
}


def table_prefix(app_name: str) -> str:
    """Every table of an app starts with this; it is how an app's tables are told apart."""
    return f"{app_name.replace('-', '_')}__"


def currency_column(field_name: str) -> str:
    return f"{field_name}_currency"


class AppTables:
    """The tables of one compiled app, beside the system tables, in one ``MetaData``.

    Build it once per ``CompiledApp`` and use its tables everywhere: a query must take every
    column from the same ``Table`` objects.
    """

    def __init__(self, app: CompiledApp) -> None:
        self.app = app
        self.metadata = system_metadata()
        self.prefix = table_prefix(app.name)
        self._tables: dict[str, sa.Table] = {}
        self._columns: dict[str, Mapping[str, sa.Column[Any]]] = {}
        for entity in app.entities.values():
            table = _entity_table(app, entity, self.metadata)
            self._tables[entity.name] = table
            self._columns[entity.name] = MappingProxyType(dict(table.columns.items()))

    def table(self, entity: Entity | str) -> sa.Table:
        return self._tables[entity if isinstance(entity, str) else entity.name]

    def columns(self, entity: Entity | str) -> Mapping[str, sa.Column[Any]]:
        """Field name -> column, system columns (``id``, ``created_at`` ...) included.

        A ``money`` field without a fixed currency also has ``<name>_currency``.
        """
        return self._columns[entity if isinstance(entity, str) else entity.name]

    @property
    def entity_tables(self) -> Mapping[str, sa.Table]:
        """Entity name -> table, in definition order."""
        return MappingProxyType(self._tables)

    @property
    def users(self) -> sa.Table:
        return self.metadata.tables[USERS]


def _entity_table(app: CompiledApp, entity: Entity, metadata: sa.MetaData) -> sa.Table:
    system = entity_system_columns(entity.table)
    fields = [col for f in entity.stored_fields for col in _field_columns(app, entity, f)]
    names = ["id", *(c.name for c in fields), *(c.name for c in system)]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise SchemaError(f"Entity `{entity.name}` would have more than one column named "
                          f"{', '.join(f'`{n}`' for n in clashes)}. Rename the field "
                          "(a money field without a fixed currency also uses <name>_currency).")
    indexes = _indexes(entity)
    return new_table(entity.table, metadata, *fields, *system,
                     *(sa.Index(naming.index(entity.table, cols, unique=unique), *cols,
                                unique=unique) for cols, unique in indexes))


def _field_columns(app: CompiledApp, entity: Entity, field: Field) -> list[sa.Column[Any]]:
    args: list[sa.schema.SchemaItem] = []
    if field.type is FieldType.REF:
        args.append(sa.ForeignKey(f"{_target_table(app, entity, field)}.id",
                                  ondelete=ON_DELETE[field.on_delete],
                                  name=naming.foreign_key(entity.table, field.name)))
    nullable = not field.required or field.computed is not None
    value = attach(sa.Column(field.name, column_type(field), *args, nullable=nullable),
                   ColumnInfo(field=field, renamed_from=field.renamed_from,
                              backfill=field.default))
    if field.type is not FieldType.MONEY or field.currency is not None:
        return [value]
    old = currency_column(field.renamed_from) if field.renamed_from else None
    currency = attach(sa.Column(currency_column(field.name), currency_type(), nullable=True),
                      ColumnInfo(field=field, renamed_from=old))
    return [value, currency]


def _target_table(app: CompiledApp, entity: Entity, field: Field) -> str:
    if field.ref == USER_ENTITY:
        return USERS
    target = app.entities.get(field.ref or "")
    if target is None:
        raise SchemaError(f"`{entity.name}.{field.name}` refers to `{field.ref}`, which is not "
                          "an entity of this app.")
    return target.table


def _indexes(entity: Entity) -> list[tuple[tuple[str, ...], bool]]:
    """(columns, unique) of every index the entity table needs, without redundant ones."""
    unique = [(f.name,) for f in entity.stored_fields if f.unique]
    wanted: list[tuple[str, ...]] = [
        (f.name,) for f in entity.stored_fields
        if f.type is FieldType.REF or f.is_state or f.indexed
    ]
    wanted.extend(tuple(cols) for cols in entity.indexes)
    plain = [cols for i, cols in enumerate(wanted)
             if cols not in unique and cols not in wanted[:i] and not _has_longer(cols, wanted)]
    return [(cols, True) for cols in unique] + [(cols, False) for cols in plain]


def _has_longer(cols: tuple[str, ...], others: Iterable[tuple[str, ...]]) -> bool:
    """Whether another index starts with ``cols`` and so serves the same lookups."""
    return any(len(o) > len(cols) and o[: len(cols)] == cols for o in others)
