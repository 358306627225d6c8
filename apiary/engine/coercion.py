"""Turn a value sent by a client into the Python value stored for a field, strictly.

Called by the write path for every field a create or update names, and by list parameters
(``equals`` shortcuts, cursors). Strict means a value of the wrong JSON type is an error rather
than a guess: ``"5"`` is not an integer and ``1`` is not a boolean. The exceptions are exact
numbers, which JSON cannot carry losslessly, so decimals and money accept numeric strings too.
Date-times are stored as naive UTC; a value with an offset is converted, one without is UTC.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from apiary.definition.compiled import Field, FieldType
from apiary.storage.types import PRECISION

INT64: Final = (-(2**63), 2**63 - 1)
_NUMBER: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*")
_CURRENCY: Final = re.compile(r"[A-Z]{3}")
TEXT_TYPES: Final = frozenset({FieldType.STRING, FieldType.TEXT, FieldType.EMAIL, FieldType.URL,
                               FieldType.PHONE, FieldType.ENUM})


class ValueProblem(Exception):
    """Why a value cannot be stored in a field; ``code`` is a :class:`FieldProblem` code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def currency_column(field: Field) -> str | None:
    """The column holding a money value's own currency, or None when the currency is fixed."""
    if field.type is FieldType.MONEY and field.currency is None:
        return f"{field.name}_currency"
    return None


def coerce(field: Field, value: Any) -> dict[str, Any]:
    """The columns to store for ``value`` (two for money with its own currency).

    Raises :class:`ValueProblem`. An empty string in a text-like field means "no value", as a
    blank form input does.
    """
    currency = currency_column(field)
    if currency is not None:
        return _money_with_currency(field, value, currency)
    if field.type is FieldType.MONEY and isinstance(value, Mapping):
        value = _fixed_currency_amount(field, value)
    if value is None or (value == "" and field.type in TEXT_TYPES):
        return {field.name: None}
    return {field.name: coerce_scalar(field, value)}


def _fixed_currency_amount(field: Field, value: Mapping[str, Any]) -> Any:
    """The amount of ``{"amount", "currency"}`` sent for a field whose currency is fixed."""
    if set(value) != {"amount", "currency"}:
        raise ValueProblem("type", "must be an amount, e.g. 12.50")
    if value["currency"] != field.currency:
        raise ValueProblem("currency", f"amounts of this field are in {field.currency}")
    return value["amount"]


def coerce_scalar(field: Field, value: Any) -> Any:
    """``value`` (not None) as the field's Python value; for money, the amount only."""
    t = field.type
    if t in TEXT_TYPES:
        if not isinstance(value, str):
            raise ValueProblem("type", "must be text")
        return value
    if t is FieldType.INTEGER or t is FieldType.REF:
        return _integer(value, "must be a record id (an integer)" if t is FieldType.REF
                        else "must be a whole number")
    if t in (FieldType.DECIMAL, FieldType.MONEY):
        return decimal(value, field.scale)
    if t is FieldType.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueProblem("type", "must be true or false")
        return value
    if t is FieldType.DATE:
        return date(value)
    if t is FieldType.DATETIME:
        return datetime(value)
    if t is FieldType.FILE:
        if not isinstance(value, Mapping):
            raise ValueProblem("type", "must be a file reference (an object)")
        return _json(dict(value))
    if t is FieldType.JSON:
        return _json(value)
    raise ValueProblem("read_only", "cannot be set directly")


def _integer(value: Any, message: str) -> int:
    if isinstance(value, bool):
        raise ValueProblem("type", message)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise ValueProblem("type", message)
    if not INT64[0] <= value <= INT64[1]:
        raise ValueProblem("max", "is too large")
    return value


def decimal(value: Any, scale: int) -> Decimal:
    """An exact number with at most ``scale`` decimal places that fits the column."""
    if isinstance(value, bool):
        raise ValueProblem("type", "must be a number")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueProblem("type", "must be a number")
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueProblem("type", "must be a number")
        number = value
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = Decimal(value.strip())
    else:
        raise ValueProblem("type", "must be a number (e.g. 12.50 or \"12.50\")")
    if len(number.as_tuple().digits) > 2 * PRECISION:
        raise ValueProblem("max", "is too large")
    try:
        quantized = number.quantize(Decimal(1).scaleb(-scale))
    except InvalidOperation:
        raise ValueProblem("max", "is too large") from None
    if quantized != number:
        raise ValueProblem("scale", f"must have at most {scale} decimal place(s)")
    number = quantized
    if len(number.as_tuple().digits) > PRECISION:
        raise ValueProblem("max", "is too large")
    return number


def date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueProblem("type", "must be a date written YYYY-MM-DD")


def datetime(value: Any) -> dt.datetime:
    """A naive UTC date-time from an ISO 8601 string or a ``datetime``."""
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        with contextlib.suppress(ValueError):
            value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise ValueProblem("type", "must be a date-time in ISO 8601, e.g. 2026-01-31T09:30:00Z")
    return naive_utc(value)


def naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _json(value: Any) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise ValueProblem("type", "must be JSON data") from None
    return value


def _money_with_currency(field: Field, value: Any, currency: str) -> dict[str, Any]:
    if value is None:
        return {field.name: None, currency: None}
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        raise ValueProblem("type", 'must be an amount with its currency, e.g. '
                                   '{"amount": "12.50", "currency": "EUR"}')
    code = value["currency"]
    if not isinstance(code, str) or not _CURRENCY.fullmatch(code):
        raise ValueProblem("currency", "the currency must be an ISO 4217 code such as EUR")
    if value["amount"] is None:
        raise ValueProblem("type", "the amount is missing")
    return {field.name: decimal(value["amount"], field.scale), currency: code}
