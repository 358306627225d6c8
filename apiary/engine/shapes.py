"""What one combination of roles sees of an entity: its fields, SELECT list and serializer.

Field-level ``read_roles`` are applied here, once per (app version, entity, roles): a field a
principal may not read is not selected, cannot be named in a filter or sort (the filter scope
does not contain it), and never appears in a response.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from apiary.definition.compiled import SYSTEM_FIELDS, Entity, Field
from apiary.definition.fields import expr_type
from apiary.engine.coercion import currency_column
from apiary.engine.permissions import may_read_field
from apiary.engine.serialize import SYSTEM_COLUMNS, RowSerializer
from apiary.expr import Scope


@dataclass(frozen=True, slots=True)
class Shape:
    fields: tuple[Field, ...]
    """Stored fields the roles may read, in definition order."""
    names: frozenset[str]
    """Readable field names plus the system fields."""
    columns: tuple[sa.ColumnElement[Any], ...]
    """The SELECT list: ``id``, the readable fields' columns, the system columns."""
    index: Mapping[str, int]
    """Column name -> position in ``columns``."""
    serialize: RowSerializer
    scope: Scope
    """What a list filter may name: the system fields and the readable fields, nothing else."""


def build_shape(entity: Entity, table: sa.Table, roles: frozenset[str]) -> Shape:
    fields = tuple(f for f in entity.stored_fields if may_read_field(f, roles))
    keys = ["id"]
    for field in fields:
        keys.append(field.name)
        currency = currency_column(field)
        if currency is not None:
            keys.append(currency)
    keys.extend(SYSTEM_COLUMNS)
    scope = Scope(fields={**SYSTEM_FIELDS, **{f.name: expr_type(f) for f in fields}})
    return Shape(fields=fields, names=frozenset({*SYSTEM_FIELDS, *(f.name for f in fields)}),
                 columns=tuple(table.c[key] for key in keys),
                 index={key: i for i, key in enumerate(keys)},
                 serialize=RowSerializer(fields, keys), scope=scope)
