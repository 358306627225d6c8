"""Column types: what SQL type stores each field type, and how to compare types.

:func:`column_type` decides the SQL type of a field. :func:`kind_of` reduces any SQLAlchemy type
-- the one we would create, or one reflected from SQLite or PostgreSQL -- to a small
:class:`Kind` (``string(255)``, ``numeric(18,2)``, ``integer`` ...). The migration planner compares
kinds, never dialect type objects, so ``VARCHAR(255)`` reflected from SQLite and ``String(255)``
built here are the same, and ``BIGINT`` and ``INTEGER`` are both ``integer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

from apiary.definition.compiled import Field, FieldType

STRING_LENGTHS: Final = {
    FieldType.STRING: 255,
    FieldType.EMAIL: 320,
    FieldType.URL: 2048,
    FieldType.PHONE: 40,
}
"""Default ``max_length`` per string-like type (320 is the longest valid e-mail address)."""

MIN_ENUM_LENGTH: Final = 32
"""Enum columns are at least this wide so that adding a longer value rarely widens the column."""

PRECISION: Final = 18
"""Total digits of ``decimal`` and ``money`` columns; exact in PostgreSQL."""

CURRENCY_LENGTH: Final = 3


def column_type(field: Field) -> TypeEngine[Any]:
    """The SQL type of the column that stores ``field`` (``has_many`` has none)."""
    t = field.type
    if t is FieldType.ENUM or field.is_state:
        return sa.String(enum_length(field.values))
    if t in STRING_LENGTHS:
        return sa.String(field.max_length or STRING_LENGTHS[t])
    if t is FieldType.TEXT:
        return sa.Text()
    if t is FieldType.INTEGER:
        return sa.BigInteger()
    if t in (FieldType.DECIMAL, FieldType.MONEY):
        return sa.Numeric(PRECISION, field.scale)
    if t is FieldType.BOOLEAN:
        return sa.Boolean()
    if t is FieldType.DATE:
        return sa.Date()
    if t is FieldType.DATETIME:
        return sa.DateTime()
    if t is FieldType.REF:
        return id_type()
    if t in (FieldType.FILE, FieldType.JSON):
        return json_type()
    raise ValueError(f"field type {t.value} has no column")


def enum_length(values: tuple[str, ...]) -> int:
    return max([MIN_ENUM_LENGTH, *(len(v) for v in values)])


def id_type() -> TypeEngine[int]:
    """``BIGINT`` ids; on SQLite ``INTEGER`` so that the primary key is the table's rowid."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def json_type() -> TypeEngine[Any]:
    """JSON; ``JSONB`` on PostgreSQL, which can be compared, grouped and indexed."""
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def currency_type() -> TypeEngine[str]:
    return sa.String(CURRENCY_LENGTH)


@dataclass(frozen=True, slots=True)
class Kind:
    """What a column can hold, independent of the database that holds it."""

    name: str
    """string, text, integer, numeric, boolean, date, datetime, json, or other:<SQL type>."""
    length: int | None = None
    precision: int | None = None
    scale: int | None = None

    def __str__(self) -> str:
        if self.name == "string":
            return f"string({self.length})"
        if self.name == "numeric":
            return f"numeric({self.precision},{self.scale})"
        return self.name


def kind_of(type_: TypeEngine[Any]) -> Kind:
    """Reduce a created or reflected SQLAlchemy type to its :class:`Kind`."""
    # Order matters: Text is a String, Float is a Numeric, DateTime is not a Date.
    if isinstance(type_, sa.Text | sa.JSON):
        return Kind("json" if isinstance(type_, sa.JSON) else "text")
    if isinstance(type_, sa.String):
        return Kind("string", length=type_.length) if type_.length else Kind("text")
    if isinstance(type_, sa.Integer):
        return Kind("integer")
    if isinstance(type_, sa.Float):
        return Kind(f"other:{type_.__class__.__name__.upper()}")
    if isinstance(type_, sa.Numeric):
        return Kind("numeric", precision=type_.precision, scale=type_.scale or 0)
    if isinstance(type_, sa.Boolean):
        return Kind("boolean")
    if isinstance(type_, sa.DateTime):
        return Kind("datetime")
    if isinstance(type_, sa.Date):
        return Kind("date")
    return Kind(f"other:{type_.__class__.__name__.upper()}")
