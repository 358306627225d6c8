"""List parameters: filter, ``equals`` shortcuts, sort and keyset cursors.

Everything a client names is looked up in the principal's :class:`Shape`, which holds only the
fields they may read, so a hidden field gets exactly the answer a field that does not exist gets.

Sorting is total and stable: the requested keys, then ``id``. An empty value sorts as the
largest value (last ascending, first descending) on both databases, which is what lets the
cursor predicate below be the same everywhere. A cursor is opaque to clients: base64 of the sort
keys and the last row's key values; the next page is the rows strictly after it in sort order.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa

from apiary.definition.compiled import SYSTEM_FIELDS, Entity, FieldType
from apiary.engine.coercion import INT64, ValueProblem, coerce_scalar
from apiary.engine.coercion import datetime as parse_datetime
from apiary.engine.errors import BadRequest
from apiary.engine.shapes import Shape
from apiary.expr import EvalContext, ExprError, Type, check, compile_sql, parse

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200
MAX_FILTER: Final = 4000
UNSORTABLE: Final = frozenset({FieldType.JSON, FieldType.FILE, FieldType.HAS_MANY})
_INTEGER: Final = re.compile(r"-?[0-9]{1,19}")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a list request asks for; every part is optional."""

    filter: str | None = None
    """An expression over the readable fields, e.g. ``priority == 'high'``."""
    equals: Mapping[str, str] = field(default_factory=dict)
    """Field name -> value (as text, e.g. from a query string), each an equality condition."""
    sort: tuple[str, ...] = ()
    """Field names, ``-`` prefixed for descending; ``id`` is always the last key."""
    limit: int = DEFAULT_LIMIT
    after: str | None = None
    """The ``next`` cursor of the previous page."""
    count: bool = False
    """Also count every row that matches (ignoring ``limit`` and ``after``)."""
    expand: tuple[str, ...] = ()
    """Ref fields whose id is replaced by the referenced record."""


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    next: str | None
    """Cursor for the next page; None on the last page."""
    total: int | None
    """Rows matching in all, when ``count`` was asked for."""


@dataclass(frozen=True, slots=True)
class SortKey:
    name: str
    descending: bool
    column: sa.ColumnElement[Any]
    type: FieldType


def check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadRequest("limit", f"`limit` must be a whole number from 1 to {MAX_LIMIT}.")


def unknown_field(param: str, name: str) -> BadRequest:
    """The one answer for a field that does not exist and a field the principal may not read."""
    return BadRequest(param, f"`{name}` is not a field you can use here.")


def field_type(entity: Entity, shape: Shape, name: str) -> FieldType | None:
    """The type of a readable stored field or system field, None for anything else."""
    if name not in shape.names:
        return None
    if name in SYSTEM_FIELDS:
        t = SYSTEM_FIELDS[name]
        return FieldType.DATETIME if t == Type.DATETIME else FieldType.INTEGER
    return entity.fields[name].type


def sort_keys(entity: Entity, shape: Shape, columns: Mapping[str, sa.ColumnElement[Any]],
              sort: Sequence[str]) -> list[SortKey]:
    keys: list[SortKey] = []
    for spec in sort:
        if not isinstance(spec, str):
            raise BadRequest("sort", "`sort` lists field names, `-` prefixed for descending.")
        descending = spec.startswith("-")
        name = spec[1:] if descending else spec
        t = field_type(entity, shape, name)
        if t is None:
            raise unknown_field("sort", name)
        if t in UNSORTABLE:
            raise BadRequest("sort", f"`{name}` holds structured data and cannot be sorted on.")
        if any(k.name == name for k in keys):
            raise BadRequest("sort", f"`{name}` is listed twice in `sort`.")
        keys.append(SortKey(name, descending, columns[name], t))
    if not keys or keys[-1].name != "id":
        keys = [k for k in keys if k.name != "id"]
        keys.append(SortKey("id", False, columns["id"], FieldType.INTEGER))
    return keys


def ordering(keys: Sequence[SortKey]) -> list[sa.ColumnElement[Any]]:
    """ORDER BY clauses in which an empty value is the largest."""
    return [k.column.desc().nulls_first() if k.descending else k.column.asc().nulls_last()
            for k in keys]


def after(keys: Sequence[SortKey],
          values: Sequence[Any]) -> tuple[sa.ColumnElement[bool], dict[str, Any]]:
    """Rows strictly after the row whose sort key values are ``values``.

    The values are bound parameters (``_after0``...), returned alongside, so the statement's
    shape depends only on the sort and on which values are empty and can be reused.
    """
    alternatives: list[sa.ColumnElement[bool]] = []
    equal: list[sa.ColumnElement[bool]] = []
    params: dict[str, Any] = {}
    for i, (key, value) in enumerate(zip(keys, values, strict=True)):
        bound = None
        if value is not None:
            bound = sa.bindparam(f"_after{i}", type_=key.column.type)
            params[f"_after{i}"] = value
        greater = _greater(key, bound)
        if greater is not None:
            alternatives.append(sa.and_(*equal, greater))
        equal.append(key.column.is_(None) if bound is None else key.column == bound)
    return (sa.or_(*alternatives) if alternatives else sa.false()), params


def _greater(key: SortKey, value: sa.BindParameter[Any] | None) -> sa.ColumnElement[bool] | None:
    column = key.column
    if key.descending:
        return column.is_not(None) if value is None else sa.and_(column.is_not(None),
                                                                  column < value)
    return None if value is None else sa.or_(column > value, column.is_(None))


def encode_cursor(keys: Sequence[SortKey], values: Sequence[Any]) -> str:
    data = {"s": [("-" if k.descending else "") + k.name for k in keys],
            "v": [_plain(v) for v in values]}
    text = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(keys: Sequence[SortKey], cursor: str) -> list[Any]:
    bad = BadRequest("after", "`after` is not a cursor from this list; use the `next` value "
                              "of the previous page, with the same sort.")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise bad from None
    spec = [("-" if k.descending else "") + k.name for k in keys]
    if not isinstance(data, dict) or data.get("s") != spec or not isinstance(data.get("v"), list) \
            or len(data["v"]) != len(keys):
        raise bad
    try:
        values = [None if v is None else _parse(k.type, v) for k, v in zip(keys, data["v"],
                                                                           strict=True)]
    except (ValueError, TypeError, ValueProblem):
        raise bad from None
    if values[-1] is None:
        raise bad
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _parse(t: FieldType, value: Any) -> Any:
    if t in (FieldType.INTEGER, FieldType.REF):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError
        return value
    if t in (FieldType.DECIMAL, FieldType.MONEY):
        if not isinstance(value, str):
            raise TypeError
        return Decimal(value)
    if t is FieldType.DATE:
        return dt.date.fromisoformat(value)
    if t is FieldType.DATETIME:
        return dt.datetime.fromisoformat(value)
    if t is FieldType.BOOLEAN:
        if not isinstance(value, bool):
            raise TypeError
        return value
    if not isinstance(value, str):
        raise TypeError
    return value


def compile_filter(text: str, shape: Shape, columns: Mapping[str, sa.ColumnElement[Any]],
                   ctx: EvalContext, dialect: str) -> sa.ColumnElement[bool]:
    """The SQL of a client's filter expression; a 400 says what is wrong with it."""
    if not isinstance(text, str) or len(text) > MAX_FILTER:
        raise BadRequest("filter", f"`filter` must be an expression of at most {MAX_FILTER} "
                                   "characters.")
    try:
        tree = parse(text)
        result = check(tree, shape.scope)
        if result.errors:
            raise result.errors[0]
        if result.type != Type.BOOL:
            raise BadRequest("filter", "`filter` must be a condition (true or false), e.g. "
                                       "`priority == 'high'`.")
        return compile_sql(tree, shape.scope, columns, ctx, dialect)
    except ExprError as exc:
        raise BadRequest("filter", f"Invalid `filter`: {exc}") from None


def equals_conditions(entity: Entity, shape: Shape,
                      columns: Mapping[str, sa.ColumnElement[Any]],
                      equals: Mapping[str, str]) -> list[sa.ColumnElement[bool]]:
    """One ``field = value`` condition per shortcut, the value read as the field's type."""
    out: list[sa.ColumnElement[bool]] = []
    for name, text in equals.items():
        t = field_type(entity, shape, name)
        if t is None or t in UNSORTABLE:
            raise unknown_field(name, name)
        if not isinstance(text, str):
            raise BadRequest(name, f"The value for `{name}` must be text.")
        out.append(columns[name] == _equals_value(entity, name, t, text))
    return out


def _equals_value(entity: Entity, name: str, t: FieldType, text: str) -> Any:
    wrong = BadRequest(name, f"`{text}` is not a valid value for `{name}`.")
    if t in (FieldType.INTEGER, FieldType.REF):
        if not _INTEGER.fullmatch(text) or not INT64[0] <= int(text) <= INT64[1]:
            raise wrong
        return int(text)
    if t is FieldType.BOOLEAN:
        if text not in ("true", "false"):
            raise BadRequest(name, f"`{name}` is true or false, not `{text}`.")
        return text == "true"
    f = entity.fields.get(name)
    try:
        if f is None:
            return parse_datetime(text)
        value = coerce_scalar(f, text)
    except ValueProblem:
        raise wrong from None
    if (f.type is FieldType.ENUM or f.is_state) and value not in f.values:
        raise BadRequest(name, f"`{text}` is not one of the values of `{name}`: "
                               f"{', '.join(f.values)}.")
    return value

