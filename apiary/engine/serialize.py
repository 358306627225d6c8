"""Stored values as JSON-ready data: what the engine returns and what the audit trail records.

Dates are ISO strings, date-times ISO with ``Z`` (they are stored as naive UTC), decimals and
money are decimal strings with the field's scale (``"12.50"``: JSON numbers would lose exactness
in most clients), money that carries its own currency is ``{"amount", "currency"}``, and refs
are the referenced id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from apiary.definition.compiled import Field, FieldType
from apiary.engine.coercion import currency_column

Converter = Callable[[Any], Any]
SYSTEM_COLUMNS = ("created_at", "updated_at", "created_by", "updated_by", "row_version")


def datetime_json(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


def decimal_json(value: Any, scale: int) -> str:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return format(number.quantize(Decimal(1).scaleb(-scale)), "f")


def converter(field: Field) -> Converter:
    """From the stored value (not None) of ``field`` to JSON-ready data; for money, the amount."""
    t = field.type
    if t in (FieldType.DECIMAL, FieldType.MONEY):
        scale = field.scale
        return lambda v: decimal_json(v, scale)
    if t is FieldType.DATE:
        return lambda v: v.isoformat()
    if t is FieldType.DATETIME:
        return datetime_json
    if t is FieldType.BOOLEAN:
        return bool
    return _same


def _same(value: Any) -> Any:
    return value


def field_json(field: Field, record: Mapping[str, Any]) -> Any:
    """The JSON form of ``field`` in ``record`` (a mapping of column name to stored value)."""
    value = record.get(field.name)
    if value is None:
        return None
    amount = converter(field)(value)
    currency = currency_column(field)
    if currency is None:
        return amount
    return {"amount": amount, "currency": record.get(currency)}


def system_json(name: str, value: Any) -> Any:
    if value is not None and name in ("created_at", "updated_at"):
        return datetime_json(value)
    return value


class RowSerializer:
    """Turns result rows of a known column layout into records.

    ``keys`` are the labels of the selected columns, in order. The record is built with one
    ``dict(zip(...))`` and then only the values that need converting (decimals, dates,
    date-times, money with its currency) are touched: lists call this for every row.
    """

    def __init__(self, fields: Sequence[Field], keys: Sequence[str]) -> None:
        index = {key: i for i, key in enumerate(keys)}
        self._keys = tuple(keys)
        converted: list[tuple[str, int, Converter]] = []
        money: list[tuple[str, int, str]] = []
        for f in fields:
            convert = converter(f)
            if convert is not _same and convert is not bool:
                converted.append((f.name, index[f.name], convert))
            currency = currency_column(f)
            if currency is not None:
                money.append((f.name, index[currency], currency))
        converted.extend((name, index[name], datetime_json) for name in ("created_at",
                                                                         "updated_at"))
        self._converted = tuple(converted)
        self._money = tuple(money)

    def __call__(self, row: Sequence[Any]) -> dict[str, Any]:
        out = dict(zip(self._keys, row, strict=False))
        for name, i, convert in self._converted:
            value = row[i]
            if value is not None:
                out[name] = convert(value)
        for name, i, currency in self._money:
            del out[currency]
            if out[name] is not None:
                out[name] = {"amount": out[name], "currency": row[i]}
        return out
