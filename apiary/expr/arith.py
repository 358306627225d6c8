"""The number and date rules that the Python evaluator applies and the SQL compiler mirrors.

They live in one place because each one is a deliberate choice that both back ends must agree on:
integer ``/`` and ``%`` truncate toward zero (as in SQL and CEL, unlike Python's floor), a
division by zero gives null, and every DECIMAL arithmetic result is rounded to four places, half
away from zero, which is the precision DECIMAL columns store (``Numeric(18, 4)``) and what both
databases' ``round`` do.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal

DECIMAL_PLACES = 4
_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)
_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


def round_decimal(value: Decimal | int, places: int = DECIMAL_PLACES) -> Decimal:
    """``value`` rounded to ``places`` decimals, half away from zero (as SQL ``round`` does)."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP,
                                   context=_CONTEXT)


def decimal_add(a: Decimal | int, b: Decimal | int) -> Decimal:
    return _CONTEXT.add(Decimal(a), Decimal(b)).quantize(_QUANTUM, context=_CONTEXT)


def decimal_sub(a: Decimal | int, b: Decimal | int) -> Decimal:
    return _CONTEXT.subtract(Decimal(a), Decimal(b)).quantize(_QUANTUM, context=_CONTEXT)


def decimal_mul(a: Decimal | int, b: Decimal | int) -> Decimal:
    return _CONTEXT.multiply(Decimal(a), Decimal(b)).quantize(_QUANTUM, context=_CONTEXT)


def decimal_div(a: Decimal | int, b: Decimal | int) -> Decimal | None:
    if b == 0:
        return None
    return _CONTEXT.divide(Decimal(a), Decimal(b)).quantize(_QUANTUM, context=_CONTEXT)


def int_div(a: int, b: int) -> int | None:
    """Integer division truncating toward zero; None when dividing by zero."""
    if b == 0:
        return None
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def int_mod(a: int, b: int) -> int | None:
    """The remainder of :func:`int_div`, with the sign of ``a``; None when ``b`` is zero."""
    if b == 0:
        return None
    remainder = abs(a) % abs(b)
    return -remainder if a < 0 else remainder


def add_days(value: date, days: int) -> date | None:
    """``value`` moved by ``days`` days (works for dates and date-times); None out of range."""
    try:
        return value + timedelta(days=days)
    except OverflowError:
        return None


def parse_date(text: str) -> date | None:
    """A date written exactly as ``YYYY-MM-DD``, or None."""
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_datetime(text: str) -> datetime | None:
    """A date-time in ISO form, as naive UTC; a time without an offset is taken as UTC."""
    if not _DATETIME.fullmatch(text):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def naive_utc(value: datetime) -> datetime:
    """The naive-UTC form in which date-time columns are stored and compared."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
