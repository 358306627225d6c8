"""Type changes: which are safe, which may lose data, and how each value is converted.

:func:`classify` decides what changing a column from one :class:`Kind` to another means:

- *widen*: every value fits unchanged (``string(50)`` -> ``string(200)``, ``string`` -> ``text``,
  ``numeric(18,2)`` -> ``numeric(20,2)``). The database converts the column itself.
- *narrow*: same family, less room (``string(200)`` -> ``string(50)``, fewer decimal places).
- *change*: another family (``string`` -> ``integer``, ``date`` -> ``datetime`` ...).

Narrowing and changing are done value by value in Python by :func:`convert`, after the old values
are copied to an archive table, identically on SQLite and PostgreSQL. Doing it in Python rather
than with SQL casts is deliberate: SQLite's ``CAST('abc' AS INTEGER)`` is silently 0, and
PostgreSQL's cast errors do not say which row failed; :func:`convert` names the problem, and the
applier adds the row. Where SQL can count the values a change would lose, :class:`TypeChange`
carries that predicate, so that the plan says how many rows are affected and a change that loses
nothing is not called destructive.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from apiary.storage.migrations.steps import StepKind
from apiary.storage.types import Kind

Predicate = Callable[[ColumnElement[Any]], ColumnElement[bool]]

_STRINGS: Final = frozenset({"string", "text"})
_TEXT_SAFE_LENGTH: Final = 40
"""Any integer, number, boolean, date or date-time fits in this many characters."""
_MAX_BIGINT: Final = 2**63
_TRUE: Final = frozenset({"true", "t", "yes", "y", "1", "on"})
_FALSE: Final = frozenset({"false", "f", "no", "n", "0", "off"})


class ConversionError(ValueError):
    """A value that cannot be converted to the new type; the message says why."""


@dataclass(frozen=True, slots=True)
class TypeChange:
    kind: StepKind
    lossy: Predicate | None = None
    """Selects the rows whose value would be altered; None when SQL cannot tell."""
    always_lossy: bool = False
    """When true, every existing value may be altered or fail to convert."""
    loss: str = ""
    """What happens to the affected values, for the plan."""


def classify(old: Kind, new: Kind) -> TypeChange:
    """What changing a column from ``old`` to ``new`` means (``old != new``)."""
    if old.name in _STRINGS and new.name in _STRINGS:
        if _room(new) >= _room(old):
            return TypeChange(StepKind.WIDEN_TYPE)
        return TypeChange(StepKind.NARROW_TYPE, lambda c: sa.func.length(c) > new.length,
                          loss=f"values longer than {new.length} characters are cut")
    if old.name == "numeric" and new.name == "numeric":
        return _numeric_to_numeric(old, new)
    if new.name in _STRINGS:
        if old.name in ("integer", "numeric", "boolean", "date", "datetime", "json") \
                and _room(new) >= _TEXT_SAFE_LENGTH:
            return TypeChange(StepKind.CHANGE_TYPE)
        return TypeChange(StepKind.CHANGE_TYPE, always_lossy=True,
                          loss=f"each value is converted to {new}; longer ones are cut")
    if new.name == "json":
        return TypeChange(StepKind.CHANGE_TYPE)
    if (old.name, new.name) in (("boolean", "integer"), ("boolean", "numeric"),
                                ("date", "datetime")):
        return TypeChange(StepKind.CHANGE_TYPE)
    if (old.name, new.name) == ("integer", "numeric"):
        limit = _limit(new)
        return TypeChange(StepKind.CHANGE_TYPE, lambda c: sa.func.abs(c) >= limit,
                          loss=f"values of {limit} or more do not fit {new}")
    if (old.name, new.name) == ("numeric", "integer"):
        return TypeChange(StepKind.CHANGE_TYPE, lambda c: c != sa.func.round(c),
                          loss="values with decimal places are rounded")
    if (old.name, new.name) == ("integer", "boolean"):
        return TypeChange(StepKind.CHANGE_TYPE, lambda c: c.not_in([0, 1]),
                          loss="values other than 0 and 1 cannot be converted")
    return TypeChange(StepKind.CHANGE_TYPE, always_lossy=True,
                      loss=f"each value is converted to {new}; one that is not a valid "
                           f"{new.name} stops the migration")


def _numeric_to_numeric(old: Kind, new: Kind) -> TypeChange:
    old_scale, new_scale = old.scale or 0, new.scale or 0
    old_int = (old.precision or 0) - old_scale
    new_int = (new.precision or 0) - new_scale
    if new_scale >= old_scale and new_int >= old_int:
        return TypeChange(StepKind.WIDEN_TYPE)
    limit = _limit(new)

    def lossy(c: ColumnElement[Any]) -> ColumnElement[bool]:
        return sa.or_(sa.func.abs(c) >= limit, c != sa.func.round(c, new_scale))

    return TypeChange(StepKind.NARROW_TYPE, lossy,
                      loss=f"values are rounded to {new_scale} decimal places; values of "
                           f"{limit} or more do not fit")


def _room(kind: Kind) -> float:
    return float("inf") if kind.name == "text" else float(kind.length or 0)


def _limit(kind: Kind) -> int:
    return int(10 ** ((kind.precision or 0) - (kind.scale or 0)))


def convert(value: Any, to: Kind, *, lossy_ok: bool) -> Any:
    """``value`` as the new column type; raises :class:`ConversionError` when it is not possible,
    or when it would alter the value and ``lossy_ok`` is false."""
    if value is None:
        return None
    try:
        converter = _CONVERTERS.get(to.name)
        return value if converter is None else converter(value, to, lossy_ok)
    except (ValueError, TypeError, InvalidOperation, ArithmeticError) as exc:
        if isinstance(exc, ConversionError):
            raise
        raise ConversionError(f"is not a valid {to}") from exc


def backfill(value: Any, to: Kind) -> Any:
    """The value existing rows get: a field default, or ``now``/``today`` resolved now (UTC)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if to.name == "datetime" and value in ("now", "today"):
        return now
    if to.name == "date" and value in ("now", "today"):
        return now.date()
    return convert(value, to, lossy_ok=False)


def _to_text(value: Any, to: Kind, lossy_ok: bool) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    if to.name == "string" and to.length is not None and len(text) > to.length:
        if not lossy_ok:
            raise ConversionError(f"is {len(text)} characters long; {to} holds {to.length}")
        return text[: to.length]
    return text


def _to_integer(value: Any, to: Kind, lossy_ok: bool) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        number = value
    else:
        exact = _decimal(value)
        number = int(exact.to_integral_value(ROUND_HALF_UP))
        if number != exact and not lossy_ok:
            raise ConversionError("is not a whole number")
    if abs(number) >= _MAX_BIGINT:
        raise ConversionError("is too large for an integer")
    return number


def _to_numeric(value: Any, to: Kind, lossy_ok: bool) -> Decimal:
    exact = _decimal(int(value) if isinstance(value, bool) else value)
    rounded = exact.quantize(Decimal(1).scaleb(-(to.scale or 0)), ROUND_HALF_UP)
    if rounded != exact and not lossy_ok:
        raise ConversionError(f"has more than {to.scale or 0} decimal places")
    if abs(rounded) >= _limit(to):
        raise ConversionError(f"is too large for {to}")
    return rounded


def _to_boolean(value: Any, to: Kind, lossy_ok: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal | float):
        if value in (0, 1):
            return bool(value)
        raise ConversionError("is a number other than 0 or 1")
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ConversionError("is not true or false")


def _to_date(value: Any, to: Kind, lossy_ok: bool) -> dt.date:
    if isinstance(value, str):
        value = _parse_datetime(value)
    if isinstance(value, dt.datetime):
        if value.time() != dt.time() and not lossy_ok:
            raise ConversionError("has a time of day")
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ConversionError("is not a date")


def _to_datetime(value: Any, to: Kind, lossy_ok: bool) -> dt.datetime:
    if isinstance(value, str):
        value = _parse_datetime(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    raise ConversionError("is not a date-time")


def _to_json(value: Any, to: Kind, lossy_ok: bool) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decimal(value: Any) -> Decimal:
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise ConversionError("is not a finite number")
    return number


def _parse_datetime(text: str) -> dt.datetime | dt.date:
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConversionError("is not a date (YYYY-MM-DD) or date-time "
                              "(YYYY-MM-DD HH:MM:SS)") from None


_CONVERTERS: Final[dict[str, Callable[[Any, Kind, bool], Any]]] = {
    "string": _to_text,
    "text": _to_text,
    "integer": _to_integer,
    "numeric": _to_numeric,
    "boolean": _to_boolean,
    "date": _to_date,
    "datetime": _to_datetime,
    "json": _to_json,
}
